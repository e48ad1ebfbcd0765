//! A word's postings in one field — which sites hold it, how often — read once per segment and
//! kept, with the word's BM25 weight kept per index generation.
//!
//! Each word of a search has a dozen alternatives (the word in the name, the other names, the
//! people, the summary…, accented and folded), and each is a term clause. Tantivy's
//! `TermQuery` pays for every clause on every search: it builds the term's BM25 weight (an
//! explanation with its strings and a 256-entry table), looks the term up in the field's
//! dictionary, and opens its postings, decoding a first block — for a search that ends up
//! scoring a handful of sites. The same syllables come back search after search, so
//! [`RememberedTerm`] keeps the decoded postings per segment (segments never change) and the
//! weight per generation, and a clause becomes a walk through two arrays. Its scores are the
//! `TermQuery`'s to the bit: the same weight, the same field norms, the same formula.

use std::sync::Arc;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::SegmentId;
use tantivy::postings::Postings as _;
use tantivy::query::{
    Bm25StatisticsProvider, Bm25Weight, EmptyScorer, EnableScoring, Explanation, Query, Scorer,
    Weight,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError, Term};

use super::dense::DenseSites;
use super::walk::{SiteList, SortedSites, Walk};
use crate::memo::Memo;

/// Postings kept at most, over all terms (6 bytes each, so 144 MB at most); beyond it the
/// least used are forgotten and read again when searches ask for them. At 100,000 sites a
/// common syllable holds tens of thousands of postings in each of a dozen fields: with a
/// sixth of this, distinct searches emptied the memory every few dozen searches and a quarter
/// of their time went to reading postings again.
const MAX_CACHED_POSTINGS: usize = 24_000_000;

/// The sites of one segment that hold a term, in order, with how often each holds it.
#[derive(Debug, Default)]
pub(crate) struct TermPostings {
    /// The sites, with their bits when they are many.
    sites: SiteList,
    /// Each site's field norm id (low byte) and how often it holds the term (high byte), side
    /// by side, so that scoring a site is one read of memory: a broad search scores tens of
    /// thousands of sites at scattered places of a list, and with the two in arrays of their
    /// own (the norms once read from the segment's table) each was a cache miss of its own.
    /// [`MANY`] in the high byte sends the frequency to `many`.
    scored: Vec<u16>,
    /// (place, frequency) of the sites that hold the term [`MANY`] times or more, by place:
    /// never a name, rarely a description.
    many: Vec<(u32, u32)>,
    /// The shortest field (its norm id) and the largest frequency on the list: together they
    /// bound every site's score from the term, far closer than the shortest field possible
    /// with any frequency does (a description is never one word long).
    min_norm: u8,
    max_freq: u32,
}

/// The frequency byte that means "look in `many`".
const MANY: u8 = u8::MAX;

impl TermPostings {
    /// The field norm id and frequency of the site at `at`.
    #[inline]
    fn norm_and_freq(&self, at: usize) -> (u8, u32) {
        let kept = self.scored[at];
        let (few, norm) = ((kept >> 8) as u8, kept as u8);
        if few < MANY {
            return (norm, u32::from(few));
        }
        let place = at as u32;
        let many = match self.many.binary_search_by_key(&place, |&(at, _)| at) {
            Ok(i) => self.many[i].1,
            Err(_) => u32::from(MANY), // never: every such place is listed
        };
        (norm, many)
    }
}

/// Postings by (segment, term), for every search of the index.
#[derive(Default)]
pub(crate) struct PostingsCache {
    lists: Memo<(SegmentId, Term), Arc<TermPostings>, MAX_CACHED_POSTINGS>,
}

impl PostingsCache {
    fn get(&self, reader: &SegmentReader, term: &Term) -> tantivy::Result<Arc<TermPostings>> {
        self.lists.get_or(
            (reader.segment_id(), term.clone()),
            // A posting takes 6 bytes; the bits count as the postings they weigh as much as.
            |list| list.sites.docs().len() + list.sites.dense().map_or(0, |d| d.bytes() / 6),
            || Ok(Arc::new(read_postings(reader, term)?)),
        )
    }
}

fn read_postings(reader: &SegmentReader, term: &Term) -> tantivy::Result<TermPostings> {
    let index = reader.inverted_index(term.field())?;
    let mut out = TermPostings::default();
    let Some(mut postings) = index.read_postings(term, IndexRecordOption::WithFreqs)? else {
        return Ok(out);
    };
    let norms = field_norms(reader, term)?;
    let n = postings.size_hint() as usize;
    let mut docs = Vec::with_capacity(n);
    out.scored.reserve(n);
    out.min_norm = u8::MAX;
    let mut doc = postings.doc();
    while doc != TERMINATED {
        let freq = postings.term_freq();
        let norm = norms.fieldnorm_id(doc);
        let kept = match u8::try_from(freq) {
            Ok(few) if few < MANY => few,
            _ => {
                out.many.push((docs.len() as u32, freq));
                MANY
            }
        };
        docs.push(doc);
        out.scored.push(u16::from(kept) << 8 | u16::from(norm));
        out.min_norm = out.min_norm.min(norm);
        out.max_freq = out.max_freq.max(freq);
        doc = postings.advance();
    }
    out.sites = SiteList::new(docs, reader.max_doc());
    Ok(out)
}

/// The field norms BM25 reads for `term` (a field without norms counts every site as one word
/// long, as `TermQuery` does).
fn field_norms(reader: &SegmentReader, term: &Term) -> tantivy::Result<FieldNormReader> {
    let norms = reader.fieldnorms_readers().get_field(term.field())?;
    Ok(norms.unwrap_or_else(|| FieldNormReader::constant(reader.max_doc(), 1)))
}

/// The BM25 weight `TermQuery` gives `term` (`Bm25Weight::for_terms` of one term), without
/// the explanation it carries: that is strings to allocate on every search, for nothing.
pub(crate) fn bm25_weight(
    statistics: &dyn Bm25StatisticsProvider,
    term: &Term,
) -> tantivy::Result<Bm25Weight> {
    let total_tokens = statistics.total_num_tokens(term.field())?;
    let total_docs = statistics.total_num_docs()?;
    let average_fieldnorm = total_tokens as Score / total_docs as Score;
    let doc_freq = statistics.doc_freq(term)?;
    Ok(Bm25Weight::for_one_term_without_explain(
        doc_freq,
        total_docs,
        average_fieldnorm,
    ))
}

/// Where a [`RememberedTerm`] finds its weight: kept per index generation by the caller.
pub(crate) trait WeightSource: Send + Sync {
    fn bm25(
        &self,
        statistics: &dyn Bm25StatisticsProvider,
        term: &Term,
    ) -> tantivy::Result<Bm25Weight>;
}

/// A term clause scored like `TermQuery` with frequencies, from remembered postings.
#[derive(Clone)]
pub(crate) struct RememberedTerm {
    pub term: Term,
    pub postings: Arc<PostingsCache>,
    pub weights: Arc<dyn WeightSource>,
}

impl std::fmt::Debug for RememberedTerm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Term({:?})", self.term)
    }
}

impl RememberedTerm {
    /// The term's BM25 weight under `statistics` (remembered per generation).
    pub fn weight(&self, statistics: &dyn Bm25StatisticsProvider) -> tantivy::Result<Bm25Weight> {
        self.weights.bm25(statistics, &self.term)
    }
}

impl Query for RememberedTerm {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let bm25 = match scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => Some(self.weights.bm25(statistics_provider, &self.term)?),
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(RememberedTermWeight {
            term: self.term.clone(),
            postings: self.postings.clone(),
            bm25,
        }))
    }
}

struct RememberedTermWeight {
    term: Term,
    postings: Arc<PostingsCache>,
    /// `None` when scores are not asked for.
    bm25: Option<Bm25Weight>,
}

impl Weight for RememberedTermWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let list = self.postings.get(reader, &self.term)?;
        if list.sites.docs().is_empty() {
            return Ok(Box::new(EmptyScorer));
        }
        let scoring = self.bm25.as_ref().map(|bm25| bm25.boost_by(boost));
        Ok(Box::new(Walk::new(ScoredPostings {
            list,
            scoring,
            boost,
        })))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} does not hold {:?}",
                self.term
            )));
        }
        Ok(Explanation::new("term (BM25)", scorer.score()))
    }
}

/// Remembered postings with how their sites score.
pub(crate) struct ScoredPostings {
    list: Arc<TermPostings>,
    /// The boosted weight; `None` scores the boost (scores not asked).
    scoring: Option<Bm25Weight>,
    boost: Score,
}

impl SortedSites for ScoredPostings {
    fn docs(&self) -> &[DocId] {
        self.list.sites.docs()
    }

    fn score_at(&self, at: usize) -> Score {
        let Some(bm25) = &self.scoring else {
            return self.boost;
        };
        let (norm, freq) = self.list.norm_and_freq(at);
        bm25.score(norm, freq)
    }

    fn dense(&self) -> Option<&DenseSites> {
        self.list.sites.dense()
    }

    fn most(&self) -> Score {
        match &self.scoring {
            // BM25 falls with the field's length and rises with the frequency.
            Some(bm25) => bm25.score(self.list.min_norm, self.list.max_freq),
            None => self.boost,
        }
    }
}
