//! How a search's words decide which sites match, and how much each match scores — with the
//! scoring done only for the sites that match.
//!
//! A search of several words has two very different parts. Which sites match is decided by the
//! words alone: a site matches a word when any of the word's alternatives (the word in the
//! name, the other names, the people, the place, the summary…, accented or folded, a typo
//! away) is in it, and it matches the search when it matches every required word. How well it
//! matches adds many boosts on top: the whole name, the words as a phrase in each field,
//! neighbouring pairs. Those boosts never decide *whether* a site matches.
//!
//! A `BooleanQuery` of `Should` clauses evaluates every clause over the whole index, window by
//! window, scoring every posting of every alternative and every phrase match anywhere — even
//! when the words together match fifteen sites. [`SiteQuery`] instead:
//!
//! - finds the matching sites by intersecting the words, each word a lazy union of its
//!   alternatives that skips through their postings to the candidate site (the rarest word
//!   leads), without scoring;
//! - scores a matching site by summing the alternatives found there, then asks each boost (and
//!   each optional word) only about that site, with [`DocSet::seek_danger`], which lets a
//!   phrase answer "not here" without looking for its next match;
//! - opens a phrase boost only once a site holds every one of its words in its field (which the
//!   alternatives just told): most phrases of a search never match, and even a remembered
//!   phrase (`phrases`) costs a lookup to open.
//!
//! A word's alternatives and their weights depend only on the word and the index, so a
//! [`WordCache`] keeps them from one search to the next until the index changes.
//!
//! The score of a site is the same sum a `BooleanQuery` of the same clauses gives; only the
//! order of the floating-point additions differs.

use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::query::{
    EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight, intersect_scorers,
};
use tantivy::{BitSet, DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError, Term};

use super::pruning::{clause_bound, scorer_bound};
use super::remembered::{ListUse, with_list};
use super::site_scorer::{Boost, Extra, SiteScorer};
use super::typo::DocListCache;
use super::walk::{SiteList, SortedSites, Uniform, Walk, seek_sorted};
use crate::memo::Memo;

/// A query and the weight of its score.
pub(crate) struct Clause {
    pub query: Box<dyn Query>,
    pub boost: Score,
    /// The term of a word alternative that is a single term.
    pub term: Option<Term>,
    /// Terms a site must hold for this boost to match it (each the term of some word
    /// alternative): until a site does, the boost is not even opened.
    pub requires: Vec<Term>,
    /// A term every site matching this clause also holds (an accented word's folded twin): a
    /// site without it cannot match this clause, so this one need not be asked.
    pub implies: Option<Term>,
}

impl Clause {
    pub fn new(query: impl Query, boost: Score) -> Clause {
        Clause {
            query: Box::new(query),
            boost,
            term: None,
            requires: Vec::new(),
            implies: None,
        }
    }
}

impl Clone for Clause {
    fn clone(&self) -> Self {
        Clause {
            query: self.query.box_clone(),
            boost: self.boost,
            term: self.term.clone(),
            requires: self.requires.clone(),
            implies: self.implies.clone(),
        }
    }
}

impl std::fmt::Debug for Clause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}^{}", self.query, self.boost)
    }
}

/// One word of a search: what can match it, and whether a site must have it.
#[derive(Debug, Clone)]
pub(crate) struct Word {
    pub alternatives: Arc<[Clause]>,
    pub required: bool,
    /// Names the alternatives (the same key, the same alternatives, in one index generation):
    /// which sites match the word is then remembered per segment in [`SiteQuery::lists`].
    pub key: Option<String>,
}

/// Which sites a search matches and how they score: see the module documentation.
#[derive(Debug, Clone)]
pub(crate) struct SiteQuery {
    pub words: Vec<Word>,
    /// Any one word is enough (the "any of the words" fallback); `required` is then ignored.
    pub any_word: bool,
    /// Clauses that only add to the score of a site that matches.
    pub boosts: Vec<Clause>,
    /// Where the sites matching each keyed word are remembered.
    pub lists: Option<Arc<DocListCache>>,
    /// Where the weights of each keyed word's alternatives are remembered.
    pub word_cache: Option<Arc<WordCache>>,
    /// The sites holding every required keyed word, per segment, once intersected.
    pub met: Arc<Met>,
}

/// The intersection of a search's required keyed words in each segment, shared by every
/// weight made from one [`SiteQuery`]. A search counts its strict matches before scoring them
/// (to decide on typo tolerance), and both start by intersecting the same remembered lists: at
/// 100,000 sites that pass over thousands of sites was done twice per search. Which lists are
/// intersected does not depend on scoring (only required words are), so the second weight can
/// take the first one's result.
#[derive(Default)]
pub(crate) struct Met(Mutex<Vec<(SegmentId, Arc<SiteList>)>>);

impl Met {
    fn get(&self, segment: SegmentId) -> Option<Arc<SiteList>> {
        let kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        kept.iter()
            .find(|(s, _)| *s == segment)
            .map(|(_, list)| list.clone())
    }

    fn put(&self, segment: SegmentId, list: &Arc<SiteList>) {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if kept.iter().all(|(s, _)| *s != segment) {
            kept.push((segment, list.clone()));
        }
    }
}

impl std::fmt::Debug for Met {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Met")
    }
}

/// Clauses kept at most, over all words, with their weights (a few hundred bytes each).
const MAX_WORD_CLAUSES: usize = 100_000;

/// What each keyed word of a search was made into, kept across searches: its alternatives
/// (which take a dozen dictionary lookups to choose) and their weights, scored or not. A key
/// names the alternatives and the index generation whose statistics weigh them (see
/// [`Word::key`]), so an entry is never stale.
#[derive(Debug, Default)]
pub(crate) struct WordCache {
    clauses: Memo<String, Arc<[Clause]>, MAX_WORD_CLAUSES>,
    weights: Memo<(String, bool), Arc<[WeightedClause]>, MAX_WORD_CLAUSES>,
}

impl WordCache {
    /// The alternatives of the word `key` names, made by `make` the first time.
    pub fn alternatives(
        &self,
        key: &str,
        make: impl FnOnce() -> tantivy::Result<Vec<Clause>>,
    ) -> tantivy::Result<Arc<[Clause]>> {
        self.clauses
            .get_or(key.to_owned(), |c| c.len(), || make().map(Arc::from))
    }
}

struct WeightedClause {
    weight: Arc<dyn Weight>,
    boost: Score,
    term: Option<Term>,
    requires: Vec<Term>,
    implies: Option<Term>,
    /// The most a site can score from the clause at boost 1 (see [`super::pruning`]).
    bound: Score,
}

struct WordWeight {
    alternatives: Arc<[WeightedClause]>,
    required: bool,
    key: Option<String>,
}

struct SiteWeight {
    words: Vec<WordWeight>,
    any_word: bool,
    boosts: Vec<WeightedClause>,
    lists: Option<Arc<DocListCache>>,
    met: Arc<Met>,
    scored: bool,
}

fn weigh(clauses: &[Clause], scoring: EnableScoring<'_>) -> tantivy::Result<Vec<WeightedClause>> {
    clauses
        .iter()
        .map(|c| {
            Ok(WeightedClause {
                weight: Arc::from(c.query.weight(scoring)?),
                boost: c.boost,
                term: c.term.clone(),
                requires: c.requires.clone(),
                implies: c.implies.clone(),
                bound: clause_bound(&*c.query, scoring)? * c.boost,
            })
        })
        .collect()
}

impl Query for SiteQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let scored = scoring.is_scoring_enabled();
        let mut words = Vec::with_capacity(self.words.len());
        for word in &self.words {
            // Without scores, a word that cannot change which sites match is not needed.
            if !scored && !word.required && !self.any_word {
                continue;
            }
            let alternatives = match (&self.word_cache, &word.key) {
                (Some(cache), Some(key)) => cache.weights.get_or(
                    (key.clone(), scored),
                    |w| w.len(),
                    || weigh(&word.alternatives, scoring).map(Arc::from),
                )?,
                _ => weigh(&word.alternatives, scoring)?.into(),
            };
            words.push(WordWeight {
                alternatives,
                required: word.required,
                key: word.key.clone(),
            });
        }
        let boosts = if scored {
            weigh(&self.boosts, scoring)?
        } else {
            Vec::new()
        };
        Ok(Box::new(SiteWeight {
            words,
            any_word: self.any_word,
            boosts,
            lists: self.lists.clone(),
            met: self.met.clone(),
            scored,
        }))
    }
}

impl SiteWeight {
    fn alternatives(
        &self,
        word: &WordWeight,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Vec<Box<dyn Scorer>>> {
        word.alternatives
            .iter()
            .map(|c| c.weight.scorer(reader, boost * c.boost))
            .collect()
    }
}

impl Weight for SiteWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut required: Vec<Box<dyn Scorer>> = Vec::new();
        let mut remembered: Vec<Arc<SiteList>> = Vec::new();
        let mut any: Vec<Box<dyn Scorer>> = Vec::new();
        let mut optional_words = Vec::new();
        let met = self.met.get(reader.segment_id());
        for word in &self.words {
            if let (false, true, Some(lists), Some(key)) =
                (self.any_word, word.required, &self.lists, &word.key)
            {
                // Which sites have the word comes from the remembered list; how well each
                // matches is asked of the alternatives like an optional word's.
                if met.is_none() {
                    let docs = lists.get_or(reader, key, || {
                        Ok(union(
                            self.alternatives(word, reader, boost)?,
                            reader.max_doc(),
                        ))
                    })?;
                    if docs.docs().is_empty() {
                        return Ok(Box::new(EmptyScorer));
                    }
                    remembered.push(docs);
                }
                if self.scored {
                    optional_words.push(word);
                }
                continue;
            }
            let alternatives = self.alternatives(word, reader, boost)?;
            if self.any_word {
                any.extend(alternatives);
            } else if word.required {
                let union = AnyOf::new(alternatives);
                if union.doc() == TERMINATED {
                    return Ok(Box::new(EmptyScorer));
                }
                required.push(Box::new(union));
            } else {
                optional_words.push(word);
            }
        }
        let met = match met {
            Some(list) => Some(list),
            // Remembered lists are intersected here, in one pass each, rather than site by
            // site through the scorers.
            None if !remembered.is_empty() => {
                let list = intersection(remembered);
                self.met.put(reader.segment_id(), &list);
                Some(list)
            }
            None => None,
        };
        if let Some(list) = met {
            if list.docs().is_empty() {
                return Ok(Box::new(EmptyScorer));
            }
            required.push(Box::new(Walk::new(Uniform { list, score: 0.0 })));
        }
        let driver: Box<dyn Scorer> = if self.any_word {
            Box::new(AnyOf::new(any))
        } else {
            intersect_scorers(required, reader.num_docs())
        };
        let first = driver.doc();
        if first == TERMINATED {
            return Ok(Box::new(EmptyScorer));
        }
        // Each alternative of a scored word on its own, so that a site's score also tells
        // which (field, word) terms it holds.
        let mut extras = Vec::new();
        let mut terms = Vec::new();
        let mut implies = Vec::new();
        for word in optional_words {
            for clause in word.alternatives.iter() {
                let scorer = clause.weight.scorer(reader, boost * clause.boost)?;
                let most = (boost * clause.bound).min(scorer_bound(&*scorer));
                let mut extra = Extra::new(scorer, first);
                extra.most = most;
                extras.push(extra);
                terms.push(clause.term.as_ref());
                implies.push(clause.implies.as_ref());
            }
        }
        // By extra: the extras whose term implies its term (see `Clause::implies`).
        let mut implied_by = vec![Vec::new(); extras.len()];
        for (i, implied) in implies.iter().enumerate() {
            if let Some(j) = implied.and_then(|t| terms.iter().position(|a| *a == Some(t))) {
                implied_by[j].push(i);
            }
        }
        let mut boosts = Vec::with_capacity(self.boosts.len());
        for clause in &self.boosts {
            let boost = boost * clause.boost;
            let most = boost * clause.bound;
            if clause.requires.is_empty() || self.any_word {
                let (found, scorer) = clause.weight.scorer_danger(reader, first, boost)?;
                let most = most.min(scorer_bound(&*scorer));
                let mut extra = Extra::after_danger(scorer, first, found);
                extra.most = most;
                boosts.push(Boost::open(extra));
                continue;
            }
            // A required term that no alternative has is in no site (the alternative was left
            // out for that): the boost cannot match.
            let needs: Option<Vec<usize>> = clause
                .requires
                .iter()
                .map(|t| terms.iter().position(|a| *a == Some(t)))
                .collect();
            if let Some(needs) = needs {
                boosts.push(Boost {
                    needs,
                    weight: clause.weight.clone(),
                    boost,
                    most,
                    extra: None,
                });
            }
        }
        Ok(Box::new(SiteScorer::new(
            driver,
            extras,
            implied_by,
            boosts,
            reader,
            self.scored,
        )))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} does not match the search"
            )));
        }
        Ok(Explanation::new("site search", scorer.score()))
    }
}

/// Every site any of `alternatives` holds, in order. Remembered lists (the usual case) are
/// marked in a bitset of the segment rather than merged site by site.
fn union(alternatives: Vec<Box<dyn Scorer>>, max_doc: DocId) -> Vec<DocId> {
    let mut set = BitSet::with_max_value(max_doc);
    for alternative in &alternatives {
        if with_list(&**alternative, MarkIn(&mut set)).is_none() {
            return all_docs(AnyOf::new(alternatives));
        }
    }
    let mut docs = Vec::with_capacity(set.len());
    for bucket in 0..max_doc.div_ceil(64) {
        docs.extend(set.tinyset(bucket).into_iter().map(|bit| bucket * 64 + bit));
    }
    docs
}

/// A list's sites marked in a bitset.
struct MarkIn<'a>(&'a mut BitSet);

impl ListUse for MarkIn<'_> {
    type Out = ();
    fn with<L: SortedSites>(self, list: &L) {
        for &doc in list.docs() {
            self.0.insert(doc);
        }
    }
}

/// The sites on every one of `lists` (each sorted), in order: the shortest list, kept where
/// each other list holds its sites (a bit test when it has its bits).
fn intersection(mut lists: Vec<Arc<SiteList>>) -> Arc<SiteList> {
    if lists.len() == 1 {
        // One word: its remembered list itself, not a copy.
        return lists.swap_remove(0);
    }
    lists.sort_by_key(|l| l.docs().len());
    let mut lists = lists.into_iter();
    let Some(shortest) = lists.next() else {
        return Arc::default();
    };
    let mut docs = shortest.docs().to_vec();
    for list in lists {
        let mut at = 0;
        if let Some(dense) = list.dense() {
            docs.retain(|&doc| dense.contains(doc));
            continue;
        }
        let list = list.docs();
        if docs.len() * 8 >= list.len() {
            // Alike in length: step by step.
            docs.retain(|&doc| {
                while list.get(at).is_some_and(|&d| d < doc) {
                    at += 1;
                }
                list.get(at) == Some(&doc)
            });
        } else {
            docs.retain(|&doc| {
                at = seek_sorted(list, at, doc);
                list.get(at) == Some(&doc)
            });
        }
    }
    Arc::new(SiteList::plain(docs))
}

/// Every site of `docs`, in order.
fn all_docs(mut docs: impl DocSet) -> Vec<DocId> {
    let mut out = Vec::with_capacity(docs.size_hint() as usize);
    let mut doc = docs.doc();
    while doc != TERMINATED {
        out.push(doc);
        doc = docs.advance();
    }
    out
}

/// The sites any of `children` matches, scored by the sum of those that match; children are
/// moved forward only as far as asked, so an intersection can skip through them. Each child's
/// current site is kept beside it: reading it back through the trait object on every step
/// was a fifth of a search.
struct AnyOf {
    children: Vec<Box<dyn Scorer>>,
    heads: Vec<DocId>,
    doc: DocId,
}

impl AnyOf {
    fn new(children: Vec<Box<dyn Scorer>>) -> AnyOf {
        let children: Vec<_> = children
            .into_iter()
            .filter(|c| c.doc() != TERMINATED)
            .collect();
        let heads: Vec<DocId> = children.iter().map(|c| c.doc()).collect();
        let doc = heads.iter().copied().min().unwrap_or(TERMINATED);
        AnyOf {
            children,
            heads,
            doc,
        }
    }

    fn settle(&mut self) -> DocId {
        let mut min = TERMINATED;
        let mut ended = false;
        for &head in &self.heads {
            min = min.min(head);
            ended |= head == TERMINATED;
        }
        if ended {
            let mut i = 0;
            while i < self.heads.len() {
                if self.heads[i] == TERMINATED {
                    self.heads.swap_remove(i);
                    drop(self.children.swap_remove(i));
                } else {
                    i += 1;
                }
            }
        }
        self.doc = min;
        min
    }
}

impl DocSet for AnyOf {
    fn advance(&mut self) -> DocId {
        let current = self.doc;
        for (head, child) in self.heads.iter_mut().zip(&mut self.children) {
            if *head == current {
                *head = child.advance();
            }
        }
        self.settle()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for (head, child) in self.heads.iter_mut().zip(&mut self.children) {
            if *head < target {
                *head = child.seek(target);
            }
        }
        self.settle()
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.children
            .iter()
            .map(|c| c.size_hint())
            .fold(0u32, u32::saturating_add)
    }

    fn cost(&self) -> u64 {
        self.children.iter().map(|c| c.cost()).sum()
    }
}

impl Scorer for AnyOf {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        let mut score = 0.0;
        for (head, child) in self.heads.iter().zip(&mut self.children) {
            if *head == doc {
                score += child.score();
            }
        }
        score
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn walk(docs: &[DocId]) -> Box<dyn Scorer> {
        Box::new(Walk::new(Uniform {
            list: Arc::new(SiteList::plain(docs.to_vec())),
            score: 1.0,
        }))
    }

    /// Sites below `max`, one in `every`, shifted by `seed`.
    fn sites(seed: u32, max: DocId, every: u32) -> Vec<DocId> {
        (0..max)
            .filter(|d| (d + seed).is_multiple_of(every))
            .collect()
    }

    #[test]
    fn a_union_and_an_intersection_of_lists_are_those_of_sets() {
        let lists = [
            sites(0, 5_000, 2),
            sites(1, 5_000, 3),
            sites(2, 5_000, 97),
            sites(0, 5_000, 1),
            vec![4_999],
            Vec::new(),
        ];
        let union_set: BTreeSet<DocId> = lists.iter().flatten().copied().collect();
        let scorers: Vec<Box<dyn Scorer>> = lists.iter().map(|l| walk(l)).collect();
        assert!(union(scorers, 5_000).iter().copied().eq(union_set));

        // Alike in length, far apart in length, a single site, nothing, one list.
        for picks in [
            vec![0, 1],
            vec![2, 0, 1],
            vec![3, 2],
            vec![4, 3, 0],
            vec![5, 0],
            vec![2],
        ] {
            let mut expected: BTreeSet<DocId> = lists[picks[0]].iter().copied().collect();
            for &p in &picks[1..] {
                let other: BTreeSet<DocId> = lists[p].iter().copied().collect();
                expected = expected.intersection(&other).copied().collect();
            }
            // Every list with its bits, then none.
            let with_bits = picks
                .iter()
                .map(|&p| Arc::new(SiteList::new(lists[p].clone(), 5_000)))
                .collect();
            assert!(
                intersection(with_bits)
                    .docs()
                    .iter()
                    .copied()
                    .eq(expected.clone()),
                "lists {picks:?}"
            );
            let plain = picks
                .iter()
                .map(|&p| Arc::new(SiteList::plain(lists[p].clone())))
                .collect();
            assert!(
                intersection(plain).docs().iter().copied().eq(expected),
                "lists {picks:?}"
            );
        }
    }
}
