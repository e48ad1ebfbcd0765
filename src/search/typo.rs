//! Typo-tolerant matching of one word in one field, with the sites it matches remembered.
//!
//! A typo-tolerant clause matches the sites whose field holds any word within a small edit
//! distance of the typed one (Levenshtein, a swap of neighbouring letters counting as one
//! edit). Answering that from scratch means building a Levenshtein automaton for the word,
//! running it over the field's whole term dictionary and reading the postings of every term it
//! accepts into a set of sites — for a syllable like "chua" that is every "chùa" in every name.
//! Most searches of whole names need it (fewer than a page of sites match every word exactly,
//! so the engine also tries with typos), and the same syllables come back search after search.
//!
//! So the answer — the sorted sites of one segment that match (field, word, distance) — is kept
//! per segment in a [`DocListCache`] (segments never change; a new index generation brings new
//! segments) and the clause becomes a walk through a sorted list. Like tantivy's fuzzy term query, a match
//! scores a constant (the clause's boost), however many of the word's neighbours a site holds.

use std::sync::Arc;

use tantivy::index::SegmentId;
use tantivy::query::{EnableScoring, Explanation, FuzzyTermQuery, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term};

use super::walk::{SiteList, Uniform, Walk};
use crate::memo::Memo;

/// Site numbers kept at most, over all entries (4 bytes each, so 96 MB at most): sized like
/// [`super::postings`]' memory, for the same reason.
const MAX_CACHED_DOCS: usize = 24_000_000;

/// Sorted lists of the sites of a segment that match something, by what was asked: the
/// typo-tolerant matches of a word in a field here, and which sites hold a search word at all
/// in [`super::scoring`]. Segments never change, so an entry stays right for its segment.
#[derive(Debug, Default)]
pub(crate) struct DocListCache {
    lists: Memo<(SegmentId, String), Arc<SiteList>, MAX_CACHED_DOCS>,
}

impl DocListCache {
    /// The list for `key` in `reader`'s segment, made by `read` (sorted, without repeats) the
    /// first time.
    pub fn get_or(
        &self,
        reader: &SegmentReader,
        key: &str,
        read: impl FnOnce() -> tantivy::Result<Vec<DocId>>,
    ) -> tantivy::Result<Arc<SiteList>> {
        self.lists.get_or(
            (reader.segment_id(), key.to_owned()),
            |list| list.weight(),
            || Ok(Arc::new(SiteList::new(read()?, reader.max_doc()))),
        )
    }
}

/// Runs the Levenshtein automaton of `word` over the field's dictionary in `reader` and gathers
/// the sites of every term it accepts.
fn read_matches(
    reader: &SegmentReader,
    field: Field,
    word: &str,
    distance: u8,
) -> tantivy::Result<Vec<DocId>> {
    let automaton =
        FuzzyTermQuery::new(Term::from_field_text(field, word), distance, true).automaton()?;
    let inverted_index = reader.inverted_index(field)?;
    let mut terms = inverted_index.terms().search(automaton).into_stream()?;
    let mut docs = Vec::new();
    let mut sorted_runs = 0;
    while terms.advance() {
        let mut postings = inverted_index
            .read_block_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)?;
        while !postings.docs().is_empty() {
            docs.extend_from_slice(postings.docs());
            postings.advance();
        }
        sorted_runs += 1;
    }
    if sorted_runs > 1 {
        docs.sort_unstable();
        docs.dedup();
    }
    Ok(docs)
}

/// Sites whose `field` holds a word within `distance` of `word`; a match scores the boost.
#[derive(Clone)]
pub(crate) struct TypoQuery {
    pub field: Field,
    pub word: String,
    pub distance: u8,
    pub cache: Arc<DocListCache>,
}

impl std::fmt::Debug for TypoQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Typo({:?}, {:?}~{})",
            self.field, self.word, self.distance
        )
    }
}

impl Query for TypoQuery {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for TypoQuery {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let key = format!(
            "typo {} {} {}",
            self.field.field_id(),
            self.distance,
            self.word
        );
        let list = self.cache.get_or(reader, &key, || {
            read_matches(reader, self.field, &self.word, self.distance)
        })?;
        Ok(Box::new(Walk::new(Uniform { list, score: boost })))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} has no word near `{}`",
                self.word
            )));
        }
        Ok(Explanation::new("typo-tolerant match", scorer.score()))
    }
}
