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

use std::sync::Arc;

use tantivy::query::{
    EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight, intersect_scorers,
};
use tantivy::{
    DocId, DocSet, Score, SeekDangerResult, SegmentReader, TERMINATED, TantivyError, Term,
};

use super::memo::Memo;
use super::pruning::{Floor, clause_bound, scorer_bound};
use super::typo::DocListCache;
use super::walk::{Uniform, Walk};

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
        let mut any: Vec<Box<dyn Scorer>> = Vec::new();
        let mut optional_words = Vec::new();
        for word in &self.words {
            if let (false, true, Some(lists), Some(key)) =
                (self.any_word, word.required, &self.lists, &word.key)
            {
                // Which sites have the word comes from the remembered list; how well each
                // matches is asked of the alternatives like an optional word's.
                let docs = lists.get_or(reader, key, || {
                    Ok(all_docs(AnyOf::new(
                        self.alternatives(word, reader, boost)?,
                    )))
                })?;
                if docs.is_empty() {
                    return Ok(Box::new(EmptyScorer));
                }
                required.push(Box::new(Walk::new(Uniform { docs, score: 0.0 })));
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
        let reader = boosts
            .iter()
            .any(|b| b.extra.is_none())
            .then(|| reader.clone());
        let bounds = Bounds::of(&extras, &boosts, implied_by);
        Ok(Box::new(SiteScorer {
            driver,
            matched: vec![false; extras.len()],
            settled: vec![false; extras.len()],
            values: vec![0.0; extras.len()],
            extras,
            bounds,
            alive: vec![true; boosts.len()],
            boosts,
            reader,
            floor: None,
        }))
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

/// A clause that only adds to the score, asked about one matching site at a time.
struct Extra {
    scorer: Box<dyn Scorer>,
    /// The most it can add to a site's score (infinite when unknown).
    most: Score,
    /// No site before this one can match (the scorer may be in seek_danger's "danger" state).
    next: DocId,
    /// `next` itself was confirmed to match.
    found: bool,
}

impl Extra {
    /// A scorer in a valid state (positioned on its first match at or after `target`).
    fn new(scorer: Box<dyn Scorer>, target: DocId) -> Extra {
        let mut scorer = scorer;
        let doc = if scorer.doc() < target {
            scorer.seek(target)
        } else {
            scorer.doc()
        };
        Extra {
            scorer,
            most: Score::INFINITY,
            next: doc,
            found: doc != TERMINATED,
        }
    }

    fn after_danger(scorer: Box<dyn Scorer>, target: DocId, found: SeekDangerResult) -> Extra {
        match found {
            SeekDangerResult::Found => Extra {
                scorer,
                most: Score::INFINITY,
                next: target,
                found: true,
            },
            SeekDangerResult::SeekLowerBound(bound) => Extra {
                scorer,
                most: Score::INFINITY,
                next: bound,
                found: false,
            },
        }
    }

    /// The clause's score for `doc`, if it matches; `doc` never decreases between calls.
    fn score_at(&mut self, doc: DocId) -> Option<Score> {
        if doc < self.next {
            return None;
        }
        if doc > self.next || !self.found {
            match self.scorer.seek_danger(doc) {
                SeekDangerResult::Found => {
                    self.next = doc;
                    self.found = true;
                }
                SeekDangerResult::SeekLowerBound(bound) => {
                    self.next = bound;
                    self.found = false;
                    return None;
                }
            }
        }
        Some(self.scorer.score())
    }
}

/// A boost clause, opened at the first site that holds all the terms it needs.
struct Boost {
    /// Which extras (word alternatives) must match a site.
    needs: Vec<usize>,
    weight: Arc<dyn Weight>,
    boost: Score,
    /// The most it can add to a site's score (infinite when unknown).
    most: Score,
    extra: Option<Extra>,
}

impl Boost {
    fn open(extra: Extra) -> Boost {
        Boost {
            needs: Vec::new(),
            weight: Arc::new(EmptyWeight),
            boost: 0.0,
            most: extra.most,
            extra: Some(extra),
        }
    }
}

/// Stands in for the weight of a boost that was opened at once.
struct EmptyWeight;

impl Weight for EmptyWeight {
    fn scorer(&self, _: &SegmentReader, _: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(EmptyScorer))
    }

    fn explain(&self, _: &SegmentReader, _: DocId) -> tantivy::Result<Explanation> {
        Ok(Explanation::new("nothing", 0.0))
    }
}

/// The matching sites (`driver`) with the extras and boosts added to their scores.
struct SiteScorer {
    driver: Box<dyn Scorer>,
    extras: Vec<Extra>,
    bounds: Bounds,
    /// Which extras matched the current site.
    matched: Vec<bool>,
    /// Which extras the current site was asked about, or is known not to match.
    settled: Vec<bool>,
    /// What each extra added to the current site.
    values: Vec<Score>,
    boosts: Vec<Boost>,
    /// Which boosts the current site may still get, as far as its extras asked so far tell.
    alive: Vec<bool>,
    /// To open boosts later; only kept when some boost waits.
    reader: Option<SegmentReader>,
    /// Set by a collector that keeps only the best sites: below it, a site's exact score does
    /// not matter.
    floor: Option<Arc<Floor>>,
}

/// How much a site's clauses can add, for skipping the sites that cannot reach a page.
struct Bounds {
    /// The order the extras are asked in: the one whose absence takes the most off a site's
    /// bound first — its own most, that of every boost needing it (a site without "đào" in
    /// its name cannot get the whole-name boost, which outweighs every word alternative) and
    /// that of the extras it is implied by.
    order: Vec<usize>,
    /// The most all extras can add together.
    extras: Score,
    /// The most every boost can add together.
    boosts: Score,
    /// By extra: the boosts that need it.
    gates: Vec<Vec<usize>>,
    /// By extra: the extras a site cannot match without it (its accented forms).
    implied_by: Vec<Vec<usize>>,
    /// What the running totals, taken down one clause at a time, may have lost to rounding:
    /// a few dozen subtractions from a total of hundreds, in `f32`.
    slack: Score,
}

impl Bounds {
    fn of(extras: &[Extra], boosts: &[Boost], implied_by: Vec<Vec<usize>>) -> Bounds {
        let mut gates = vec![Vec::new(); extras.len()];
        for (b, boost) in boosts.iter().enumerate() {
            for &i in &boost.needs {
                gates[i].push(b);
            }
        }
        let own: Vec<Score> = (0..extras.len())
            .map(|i| extras[i].most + gates[i].iter().map(|&b| boosts[b].most).sum::<Score>())
            .collect();
        let stake: Vec<Score> = (0..extras.len())
            .map(|i| own[i] + implied_by[i].iter().map(|&j| own[j]).sum::<Score>())
            .collect();
        let mut order: Vec<usize> = (0..extras.len()).collect();
        order.sort_by(|&a, &b| stake[b].total_cmp(&stake[a]));
        let extras: Score = extras.iter().map(|e| e.most).sum();
        let boosts: Score = boosts.iter().map(|b| b.most).sum();
        let total = extras + boosts;
        Bounds {
            order,
            extras,
            boosts,
            gates,
            implied_by,
            slack: if total.is_finite() { total * 1e-5 } else { 0.0 },
        }
    }
}

/// Lets the collector of a page tell a search's scorer the floor it keeps raising; `false`
/// when the scorer is not a site search's (a filtered search: then every site is scored).
pub(crate) fn watch_floor(scorer: &mut dyn Scorer, floor: Arc<Floor>) -> bool {
    match scorer.downcast_mut::<SiteScorer>() {
        Some(site) => {
            site.floor = Some(floor);
            true
        }
        None => false,
    }
}

impl DocSet for SiteScorer {
    fn advance(&mut self) -> DocId {
        self.driver.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.driver.seek(target)
    }

    fn doc(&self) -> DocId {
        self.driver.doc()
    }

    fn size_hint(&self) -> u32 {
        self.driver.size_hint()
    }

    fn cost(&self) -> u64 {
        self.driver.cost()
    }
}

impl SiteScorer {
    /// The score of the current site, or — when the floor shows it cannot reach the page — an
    /// upper bound of it below the floor, found without asking the clauses that remain.
    fn bounded_score(&mut self, floor: &Floor) -> Score {
        let doc = self.driver.doc();
        let base = self.driver.score();
        let mut got = base;
        let mut extras_left = self.bounds.extras;
        let mut boosts_left = self.bounds.boosts;
        self.alive.fill(true);
        self.settled.fill(false);
        for k in 0..self.bounds.order.len() {
            let i = self.bounds.order[k];
            if self.settled[i] {
                continue;
            }
            // (An unknown bound, infinite, turns into NaN once subtracted from itself, and NaN
            // excludes nothing.)
            let bound = got + extras_left + boosts_left + self.bounds.slack;
            if floor.excludes(bound) {
                return bound;
            }
            let s = self.extras[i].score_at(doc);
            got += s.unwrap_or(0.0);
            self.settle(i, s);
            extras_left -= self.extras[i].most;
            if s.is_none() {
                boosts_left -= self.rule_out(i);
                for n in 0..self.bounds.implied_by[i].len() {
                    let j = self.bounds.implied_by[i][n];
                    if !self.settled[j] {
                        self.settle(j, None);
                        extras_left -= self.extras[j].most;
                        boosts_left -= self.rule_out(j);
                    }
                }
            }
        }
        let bound = got + boosts_left + self.bounds.slack;
        if floor.excludes(bound) {
            return bound;
        }
        // The exact score, added up in the same order as without a floor.
        let score = self.values.iter().fold(base, |sum, v| sum + v);
        self.add_boosts(doc, score)
    }

    /// Records what extra `i` adds to the current site (`None`: it does not match).
    fn settle(&mut self, i: usize, score: Option<Score>) {
        self.settled[i] = true;
        self.matched[i] = score.is_some();
        self.values[i] = score.unwrap_or(0.0);
    }

    /// Rules out the boosts that need extra `i`, which the current site does not match (a
    /// boost can add only if the site holds every term it needs): the most they could add.
    fn rule_out(&mut self, i: usize) -> Score {
        let mut most = 0.0;
        for &b in &self.bounds.gates[i] {
            if std::mem::replace(&mut self.alive[b], false) {
                most += self.boosts[b].most;
            }
        }
        most
    }

    /// `score` with what the boosts add to the current site, given which extras it matched.
    fn add_boosts(&mut self, doc: DocId, mut score: Score) -> Score {
        for boost in &mut self.boosts {
            if boost.extra.is_none() {
                if !boost.needs.iter().all(|&i| self.matched[i]) {
                    continue;
                }
                let Some(reader) = &self.reader else { continue };
                match boost.weight.scorer_danger(reader, doc, boost.boost) {
                    Ok((found, scorer)) => {
                        boost.extra = Some(Extra::after_danger(scorer, doc, found));
                    }
                    Err(err) => {
                        // A score cannot fail: leave the boost out rather than every site.
                        tracing::warn!("a search boost could not be read: {err}");
                        boost.extra = Some(Extra::new(Box::new(EmptyScorer), doc));
                        continue;
                    }
                }
            }
            if let Some(s) = boost.extra.as_mut().and_then(|e| e.score_at(doc)) {
                score += s;
            }
        }
        score
    }
}

impl Scorer for SiteScorer {
    fn score(&mut self) -> Score {
        if let Some(floor) = self.floor.clone()
            && floor.get() > 0.0
        {
            return self.bounded_score(&floor);
        }
        let doc = self.driver.doc();
        let mut score = self.driver.score();
        for (extra, matched) in self.extras.iter_mut().zip(&mut self.matched) {
            let s = extra.score_at(doc);
            *matched = s.is_some();
            score += s.unwrap_or(0.0);
        }
        self.add_boosts(doc, score)
    }
}
