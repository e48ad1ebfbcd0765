//! Phrase boosts with their weights and matches remembered.
//!
//! A search of several words adds a phrase boost per field (the words together in the name,
//! the other names, the people…) and one per neighbouring pair in longer searches. Tantivy's
//! `PhraseQuery` pays for each on every search: its BM25 weight (an explanation with its
//! strings and a 256-entry table), then, per segment, a dictionary lookup per word and the
//! opening of each word's postings and positions — a few kilobytes copied around — before it
//! can tell whether a single site holds the phrase. Those openings were a seventh of a search,
//! and the phrases come back: "hà nội", "bắc ninh", "chùa hà" are in search after search.
//!
//! [`RememberedPhrase`] keeps the weight per index generation and, per segment, every site
//! that holds the phrase with the score `PhraseQuery` gives it there (read by running
//! tantivy's own phrase scorer through the segment). A boost then becomes a walk through a
//! sorted list, and its scores are `PhraseQuery`'s to the bit. The score is kept per boost
//! factor, since tantivy multiplies the factor into the weight before scoring.
//!
//! Reading every site that holds a phrase costs as much as the phrase's words have sites in
//! common: for "chùa hà" at 100,000 sites, thousands of position lists. A search asks a boost
//! only about the few sites that can still reach its page, so the first time a phrase is used
//! in a segment it is asked site by site, by tantivy's scorer checking just those sites; only
//! a phrase that comes back is read whole and remembered. Both give the same scores.

use std::sync::Arc;

use tantivy::index::SegmentId;
use tantivy::query::{EnableScoring, Explanation, PhraseQuery, Query, Scorer, Weight};
use tantivy::schema::Field;
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, TERMINATED, Term};

use super::walk::{SortedSites, Walk};
use crate::memo::Memo;

/// Phrase weights kept at most (each holds a 1 kB table).
const MAX_WEIGHTS: usize = 10_000;
/// Remembered phrase matches at most, over all phrases (8 bytes each).
const MAX_MATCHES: usize = 2_000_000;
/// Phrases used once lately (a key of about a hundred bytes each), to read whole those that
/// come back.
const MAX_SEEN: usize = 100_000;

/// A phrase in a segment, with a boost factor.
type MatchKey = (SegmentId, Arc<PhraseKey>, u32);

/// Phrase weights by generation and phrase, and matches by segment, phrase and boost.
#[derive(Default)]
pub(crate) struct PhraseCache {
    weights: Memo<Arc<PhraseKey>, Arc<dyn Weight>, MAX_WEIGHTS>,
    matches: Memo<MatchKey, Arc<PhraseMatches>, MAX_MATCHES>,
    seen: Memo<MatchKey, (), MAX_SEEN>,
}

/// The sites of one segment that hold a phrase, in order, with their scores.
#[derive(Default)]
pub(crate) struct PhraseMatches {
    docs: Vec<DocId>,
    scores: Vec<Score>,
    /// The largest of `scores`.
    most: Score,
}

/// Names a phrase query and the statistics its weight comes from.
#[derive(Debug, PartialEq, Eq, Hash)]
struct PhraseKey {
    generation: u64,
    field: Field,
    slop: u32,
    /// The words, each followed by a space.
    words: String,
}

/// A phrase scored like `PhraseQuery`, from remembered weights and matches.
#[derive(Clone)]
pub(crate) struct RememberedPhrase {
    key: Arc<PhraseKey>,
    cache: Arc<PhraseCache>,
}

impl RememberedPhrase {
    /// The sites whose `field` holds `words` together (within `slop`), scored with the
    /// statistics of index generation `generation`.
    pub fn new(
        generation: u64,
        field: Field,
        words: &[String],
        slop: u32,
        cache: Arc<PhraseCache>,
    ) -> RememberedPhrase {
        let mut joined = String::with_capacity(words.iter().map(|w| w.len() + 1).sum());
        for word in words {
            joined.push_str(word);
            joined.push(' ');
        }
        let key = PhraseKey {
            generation,
            field,
            slop,
            words: joined,
        };
        RememberedPhrase {
            key: Arc::new(key),
            cache,
        }
    }

    /// The phrase's terms, in order.
    pub fn terms(&self) -> Vec<Term> {
        self.key
            .words
            .split_terminator(' ')
            .map(|w| Term::from_field_text(self.key.field, w))
            .collect()
    }

    /// Tantivy's query for the phrase, made only when something is not remembered.
    fn query(&self) -> PhraseQuery {
        let mut query = PhraseQuery::new(self.terms());
        query.set_slop(self.key.slop);
        query
    }
}

impl std::fmt::Debug for RememberedPhrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Phrase({:?})", self.key)
    }
}

impl Query for RememberedPhrase {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        if !scoring.is_scoring_enabled() {
            // Only scores are remembered; counting has no use for a boost anyway.
            return self.query().weight(scoring);
        }
        let inner = self.cache.weights.get_or(
            self.key.clone(),
            |_| 0,
            || Ok::<_, tantivy::TantivyError>(Arc::from(self.query().weight(scoring)?)),
        )?;
        Ok(Box::new(RememberedPhraseWeight {
            inner,
            key: self.key.clone(),
            cache: self.cache.clone(),
        }))
    }
}

struct RememberedPhraseWeight {
    inner: Arc<dyn Weight>,
    key: Arc<PhraseKey>,
    cache: Arc<PhraseCache>,
}

impl Weight for RememberedPhraseWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let key = (reader.segment_id(), self.key.clone(), boost.to_bits());
        self.remembered(reader, boost, key)
    }

    /// A boost is opened at a site and then asked about later ones: the phrase's first use in
    /// a segment asks tantivy's scorer about just those sites.
    fn scorer_danger(
        &self,
        reader: &SegmentReader,
        target: DocId,
        boost: Score,
    ) -> tantivy::Result<(SeekDangerResult, Box<dyn Scorer>)> {
        let key = (reader.segment_id(), self.key.clone(), boost.to_bits());
        if self.cache.matches.get(&key).is_none() && self.cache.seen.note(key.clone()) {
            return self.inner.scorer_danger(reader, target, boost);
        }
        let mut scorer = self.remembered(reader, boost, key)?;
        let found = scorer.seek_danger(target);
        Ok((found, scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.inner.explain(reader, doc)
    }
}

impl RememberedPhraseWeight {
    /// A walk through every site of the segment that holds the phrase (`key` names it there),
    /// read once.
    fn remembered(
        &self,
        reader: &SegmentReader,
        boost: Score,
        key: MatchKey,
    ) -> tantivy::Result<Box<dyn Scorer>> {
        let matches = self.cache.matches.get_or(
            key,
            |m| m.docs.len(),
            || {
                Ok::<_, tantivy::TantivyError>(Arc::new(read_matches(
                    self.inner.scorer(reader, boost)?,
                )))
            },
        )?;
        Ok(Box::new(Walk::new(matches)))
    }
}

fn read_matches(mut scorer: Box<dyn Scorer>) -> PhraseMatches {
    let mut out = PhraseMatches::default();
    let mut doc = scorer.doc();
    while doc != TERMINATED {
        out.docs.push(doc);
        let score = scorer.score();
        out.scores.push(score);
        out.most = out.most.max(score);
        doc = scorer.advance();
    }
    out
}

impl SortedSites for Arc<PhraseMatches> {
    fn docs(&self) -> &[DocId] {
        &self.docs
    }

    fn score_at(&self, at: usize) -> Score {
        self.scores[at]
    }

    fn most(&self) -> Score {
        self.most
    }
}
