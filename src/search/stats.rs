//! How often each word occurs in each field, remembered for the current index.
//!
//! A search of a few words asks about a few hundred (field, word) pairs: whether a word is in a
//! field at all (a clause for a word a field never holds is left out of the query), and BM25's
//! document frequencies, field lengths and weights. Each answer is a dictionary lookup per
//! segment, and together they were a sixth of a search; the same syllables come back in search
//! after search, so they are kept until the index changes (a new reader generation), and
//! forgotten all at once when too many pile up.
//!
//! The typo-tolerant matches of a word, which sites hold a word at all and the postings of
//! each (field, word) are remembered beside them, per segment ([`DocListCache`],
//! [`PostingsCache`]), as are the phrase boosts' weights and matches ([`PhraseCache`]) and each
//! search word's alternatives with their weights ([`WordCache`]).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use rustc_hash::FxHashMap;
use tantivy::query::{Bm25StatisticsProvider, Bm25Weight};
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

use super::phrases::{PhraseCache, RememberedPhrase};
use super::postings::{PostingsCache, RememberedTerm, WeightSource, bm25_weight};
use super::scoring::WordCache;
use super::typo::{DocListCache, TypoQuery};

/// Terms beyond this many are forgotten all at once (a few MB at most).
const MAX_TERMS: usize = 100_000;

#[derive(Default)]
pub(crate) struct TermStatsCache {
    cached: Arc<RwLock<Cached>>,
    lists: Arc<DocListCache>,
    postings: Arc<PostingsCache>,
    phrases: Arc<PhraseCache>,
    words: Arc<WordCache>,
}

#[derive(Default)]
struct Cached {
    generation: u64,
    doc_freq: FxHashMap<Term, u64>,
    tokens: HashMap<Field, u64>,
    weights: FxHashMap<Term, Bm25Weight>,
}

impl Cached {
    /// `read` of the entries of `generation`, if these are.
    fn get<T>(
        lock: &RwLock<Cached>,
        generation: u64,
        read: impl FnOnce(&Cached) -> Option<T>,
    ) -> Option<T> {
        let cached = lock.read().ok()?;
        if cached.generation != generation {
            return None;
        }
        read(&cached)
    }

    /// Adds with `write` to the entries of `generation`, forgetting those of another.
    fn put(lock: &RwLock<Cached>, generation: u64, write: impl FnOnce(&mut Cached)) {
        let Ok(mut cached) = lock.write() else {
            return;
        };
        if cached.generation != generation
            || cached.doc_freq.len() + cached.weights.len() >= MAX_TERMS
        {
            cached.generation = generation;
            cached.doc_freq.clear();
            cached.tokens.clear();
            cached.weights.clear();
        }
        write(&mut cached);
    }
}

impl TermStatsCache {
    /// The statistics of `searcher`'s index, answered from memory where possible.
    pub fn of<'a>(&'a self, searcher: &'a Searcher) -> TermStats<'a> {
        TermStats {
            searcher,
            cache: self,
            generation: searcher.generation().generation_id(),
        }
    }

    fn get<T>(&self, generation: u64, read: impl FnOnce(&Cached) -> Option<T>) -> Option<T> {
        Cached::get(&self.cached, generation, read)
    }

    fn put(&self, generation: u64, write: impl FnOnce(&mut Cached)) {
        Cached::put(&self.cached, generation, write)
    }
}

/// BM25 weights of one generation, for [`RememberedTerm`]s.
struct GenerationWeights {
    cached: Arc<RwLock<Cached>>,
    generation: u64,
}

impl WeightSource for GenerationWeights {
    fn bm25(
        &self,
        statistics: &dyn Bm25StatisticsProvider,
        term: &Term,
    ) -> tantivy::Result<Bm25Weight> {
        if let Some(w) = Cached::get(&self.cached, self.generation, |c| {
            c.weights.get(term).cloned()
        }) {
            return Ok(w);
        }
        let w = bm25_weight(statistics, term)?;
        Cached::put(&self.cached, self.generation, |c| {
            c.weights.insert(term.clone(), w.clone());
        });
        Ok(w)
    }
}

/// One searcher's statistics, through the cache.
pub(crate) struct TermStats<'a> {
    searcher: &'a Searcher,
    cache: &'a TermStatsCache,
    generation: u64,
}

impl TermStats<'_> {
    /// In how many sites `term` occurs.
    pub fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        if let Some(n) = self
            .cache
            .get(self.generation, |c| c.doc_freq.get(term).copied())
        {
            return Ok(n);
        }
        let n = self.searcher.doc_freq(term)?;
        self.cache.put(self.generation, |c| {
            c.doc_freq.insert(term.clone(), n);
        });
        Ok(n)
    }

    /// The sites whose `field` holds `term`, scored by BM25 like a `TermQuery` with
    /// frequencies, from remembered postings and weights.
    pub fn term_query(&self, term: Term) -> RememberedTerm {
        RememberedTerm {
            term,
            postings: self.cache.postings.clone(),
            weights: Arc::new(GenerationWeights {
                cached: self.cache.cached.clone(),
                generation: self.generation,
            }),
        }
    }

    /// The sites whose `field` holds a word within `distance` edits of `word`.
    pub fn typo_query(&self, field: Field, word: &str, distance: u8) -> TypoQuery {
        TypoQuery {
            field,
            word: word.to_owned(),
            distance,
            cache: self.cache.lists.clone(),
        }
    }

    /// The sites whose `field` holds `words` together (within `slop`), scored like a
    /// `PhraseQuery`, with its weight and matches remembered.
    pub fn phrase_query(&self, field: Field, words: &[String], slop: u32) -> RememberedPhrase {
        RememberedPhrase::new(
            self.generation,
            field,
            words,
            slop,
            self.cache.phrases.clone(),
        )
    }

    /// The index generation these statistics are of.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The alternatives of search words and their weights, remembered.
    pub fn words(&self) -> Arc<WordCache> {
        self.cache.words.clone()
    }

    /// Lists of sites remembered per segment.
    pub fn lists(&self) -> Arc<DocListCache> {
        self.cache.lists.clone()
    }

    /// Whether `term` occurs at all; an unreadable dictionary counts as "maybe" so that the
    /// clause stays in the query and the error surfaces there.
    pub fn occurs(&self, term: &Term) -> bool {
        self.doc_freq(term).map_or(true, |n| n > 0)
    }
}

impl Bm25StatisticsProvider for TermStats<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        if let Some(n) = self
            .cache
            .get(self.generation, |c| c.tokens.get(&field).copied())
        {
            return Ok(n);
        }
        let n = self.searcher.total_num_tokens(field)?;
        self.cache.put(self.generation, |c| {
            c.tokens.insert(field, n);
        });
        Ok(n)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        self.searcher.total_num_docs()
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        TermStats::doc_freq(self, term)
    }
}
