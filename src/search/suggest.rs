//! Suggestions while typing: sites whose name (or another name) starts a word with what is
//! being typed. The words before the last must be whole; the last one is a prefix, folded, so
//! `chua mot c` and `chùa một c` both offer "Chùa Một Cột". Typing a space completes the last
//! word. Names typed with their accents rank first.

use tantivy::query::{
    BooleanQuery, BoostQuery, Occur, PhrasePrefixQuery, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use super::SearchIndex;
use super::api::{SuggestResponse, Suggestion};
use super::collector::{Order, SiteCollector};
use super::error::QueryError;
use super::query::QueryWords;
use super::request::MAX_QUERY_CHARS;

/// Most suggestions returned.
pub const MAX_SUGGESTIONS: usize = 20;
/// How many dictionary words a prefix may stand for. Names use a few thousand distinct folded
/// syllables, so this covers even a one-letter prefix followed by other words.
const MAX_EXPANSIONS: u32 = 5_000;

impl SearchIndex {
    /// Up to `limit` (at most [`MAX_SUGGESTIONS`]) sites for a partly typed query.
    pub fn suggest(&self, q: &str, limit: usize) -> Result<SuggestResponse, QueryError> {
        let chars = q.chars().count();
        if chars > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong {
                chars,
                max: MAX_QUERY_CHARS,
            });
        }
        let limit = limit.min(MAX_SUGGESTIONS);
        let words = QueryWords::analyze(&self.analyzers, q);
        if words.is_empty() || limit == 0 {
            return Ok(SuggestResponse::default());
        }
        // A trailing space or punctuation means the last word is finished.
        let last_is_prefix = q.chars().last().is_some_and(char::is_alphanumeric);
        let s = &self.schema;
        let mut any_name = Vec::new();
        for (field, weight) in [(s.name_fold, 2.0), (s.alt_names_fold, 1.0)] {
            any_name.push((
                Occur::Should,
                boosted(words_query(field, &words.folded, last_is_prefix), weight),
            ));
        }
        let mut clauses = vec![(
            Occur::Must,
            Box::new(BooleanQuery::new(any_name)) as Box<dyn Query>,
        )];
        if words.exact != words.folded {
            clauses.push((
                Occur::Should,
                boosted(words_query(s.name, &words.exact, last_is_prefix), 3.0),
            ));
        }
        // A finished word ranks names that contain it whole above longer words it begins.
        if let Some(last) = words.folded.last() {
            let whole = TermQuery::new(
                Term::from_field_text(s.name_fold, last),
                IndexRecordOption::WithFreqs,
            );
            clauses.push((Occur::Should, Box::new(whole)));
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let collector = SiteCollector {
            cache: &self.facet_values,
            top: limit,
            order: Order::Relevance,
            near: None,
            radius_km: None,
            facets: Vec::new(),
            floor: Default::default(),
        };
        let collected = searcher.search(&query, &collector)?;
        let mut suggestions = Vec::with_capacity(collected.top.len());
        for candidate in &collected.top {
            let doc: TantivyDocument = searcher.doc(candidate.doc)?;
            let text = |field: Field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
            };
            suggestions.push(Suggestion {
                id: text(s.id).unwrap_or_default(),
                name: text(s.name).unwrap_or_default(),
                province: text(s.province),
            });
        }
        Ok(SuggestResponse { suggestions })
    }
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(query, boost))
}

/// `words` in order in `field`, the last one as a prefix when it is still being typed.
fn words_query(field: Field, words: &[String], last_is_prefix: bool) -> Box<dyn Query> {
    let terms: Vec<Term> = words
        .iter()
        .map(|w| Term::from_field_text(field, w))
        .collect();
    match (terms.len(), last_is_prefix) {
        (1, false) => Box::new(TermQuery::new(
            terms[0].clone(),
            IndexRecordOption::WithFreqs,
        )),
        (_, false) => Box::new(PhraseQuery::new(terms)),
        (_, true) => {
            let mut query = PhrasePrefixQuery::new(terms);
            query.set_max_expansions(MAX_EXPANSIONS);
            Box::new(query)
        }
    }
}
