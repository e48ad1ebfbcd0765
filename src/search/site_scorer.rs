//! How one segment's matching sites are scored: the word alternatives and boosts of a
//! [`super::scoring::SiteQuery`] added to each site the words match, with the clauses a site
//! cannot reach the page without asked first and the rest skipped once it cannot.
//!
//! A site's score is its words' alternatives (the extras: a word in the name, the people, the
//! place…) plus the boosts (the whole name, phrases). Site by site, [`SiteScorer`] asks each
//! extra about the site, in the order that rules out most (see [`Bounds`]), and stops when the
//! page's floor shows the site cannot enter. When many sites match, it first tallies the
//! extras for all of them one extra at a time ([`super::tally`]), which is far cheaper than
//! asking site by site, and learns the page's floor before collecting the first site; only
//! the boosts are then asked site by site, and only of sites that can still reach the page.

use std::sync::Arc;

use tantivy::fastfield::AliveBitSet;
use tantivy::query::{EmptyScorer, Explanation, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, TERMINATED};

use super::pruning::{Floor, MAX_PRIOR_LIFT};
use super::tally::{TALLY_MIN, Tally};

/// A clause that only adds to the score, asked about one matching site at a time.
pub(crate) struct Extra {
    scorer: Box<dyn Scorer>,
    /// The most it can add to a site's score (infinite when unknown).
    pub most: Score,
    /// No site before this one can match (the scorer may be in seek_danger's "danger" state).
    next: DocId,
    /// `next` itself was confirmed to match.
    found: bool,
}

impl Extra {
    /// A scorer in a valid state (positioned on its first match at or after `target`).
    pub fn new(scorer: Box<dyn Scorer>, target: DocId) -> Extra {
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

    pub fn after_danger(scorer: Box<dyn Scorer>, target: DocId, found: SeekDangerResult) -> Extra {
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
    pub fn score_at(&mut self, doc: DocId) -> Option<Score> {
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
pub(crate) struct Boost {
    /// Which extras (word alternatives) must match a site.
    pub needs: Vec<usize>,
    pub weight: Arc<dyn Weight>,
    pub boost: Score,
    /// The most it can add to a site's score (infinite when unknown).
    pub most: Score,
    pub extra: Option<Extra>,
}

impl Boost {
    pub fn open(extra: Extra) -> Boost {
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
pub(crate) struct SiteScorer {
    driver: Box<dyn Scorer>,
    /// The matching sites with their extras already added up, when many match (then the
    /// sites are walked here, and `driver` has ended).
    tally: Option<Tally>,
    /// By boost, the extras it needs as a mask of the tally's marks.
    needs_masks: Vec<Vec<u64>>,
    /// The segment's deleted sites, which a page never shows.
    alive_docs: Option<AliveBitSet>,
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
///
/// `page` is how many of the best the page keeps when every live matching site competes for
/// it (0 when some are left out, by a radius): a tallied scorer then raises the floor at once
/// to what its `page`-th best site scores from its words alone.
pub(crate) fn watch_floor(scorer: &mut dyn Scorer, floor: Arc<Floor>, page: usize) -> bool {
    let Some(site) = scorer.downcast_mut::<SiteScorer>() else {
        return false;
    };
    if let Some(tally) = &site.tally
        && let Some(kth) = tally.kth_best(page, site.alive_docs.as_ref())
    {
        // As the collector raises it: a key is a score lifted by the prior, at most
        // MAX_PRIOR_LIFT, and the `page`-th best key is at least `kth`.
        floor.raise(kth / MAX_PRIOR_LIFT);
    }
    site.floor = Some(floor);
    true
}

impl DocSet for SiteScorer {
    fn advance(&mut self) -> DocId {
        match &mut self.tally {
            Some(tally) => tally.advance(),
            None => self.driver.advance(),
        }
    }

    fn seek(&mut self, target: DocId) -> DocId {
        match &mut self.tally {
            Some(tally) => tally.seek(target),
            None => self.driver.seek(target),
        }
    }

    fn doc(&self) -> DocId {
        match &self.tally {
            Some(tally) => tally.doc(),
            None => self.driver.doc(),
        }
    }

    fn size_hint(&self) -> u32 {
        match &self.tally {
            Some(tally) => tally.size_hint(),
            None => self.driver.size_hint(),
        }
    }

    fn cost(&self) -> u64 {
        match &self.tally {
            Some(tally) => u64::from(tally.size_hint()),
            None => self.driver.cost(),
        }
    }
}

impl SiteScorer {
    /// The scorer of the sites `driver` matches (standing on the first), with `extras` (the
    /// word alternatives, `implied_by` telling which imply which) and `boosts`. With
    /// `scored`, many matching sites are tallied at once.
    pub fn new(
        mut driver: Box<dyn Scorer>,
        mut extras: Vec<Extra>,
        implied_by: Vec<Vec<usize>>,
        boosts: Vec<Boost>,
        reader: &SegmentReader,
        scored: bool,
    ) -> SiteScorer {
        let tally = (scored && driver.size_hint() >= TALLY_MIN).then(|| {
            let mut tally = Tally::of(&mut *driver, reader.max_doc(), extras.len());
            for (i, extra) in extras.iter_mut().enumerate() {
                tally.add(i, &mut *extra.scorer);
            }
            tally
        });
        let bounds = Bounds::of(&extras, &boosts, implied_by);
        let needs_masks = match &tally {
            Some(tally) => boosts.iter().map(|b| tally.mask(&b.needs)).collect(),
            None => Vec::new(),
        };
        SiteScorer {
            driver,
            tally,
            needs_masks,
            alive_docs: reader.alive_bitset().cloned(),
            matched: vec![false; extras.len()],
            settled: vec![false; extras.len()],
            values: vec![0.0; extras.len()],
            extras,
            bounds,
            alive: vec![true; boosts.len()],
            reader: boosts
                .iter()
                .any(|b| b.extra.is_none())
                .then(|| reader.clone()),
            boosts,
            floor: None,
        }
    }

    /// The score of the current site of a tally (its extras are added up already), or — when
    /// the floor shows it cannot reach the page — an upper bound of it below the floor.
    fn tallied_score(&mut self) -> Score {
        let Some(tally) = &self.tally else {
            return 0.0;
        };
        let doc = tally.doc();
        let sum = tally.sum();
        if let Some(floor) = &self.floor
            && floor.get() > 0.0
        {
            // A site may get only the boosts whose terms it holds. Their most, added in the
            // order their scores are added, keeps the bound at or above the score.
            let mut bound = sum;
            for (boost, needs) in self.boosts.iter().zip(&self.needs_masks) {
                if tally.holds_all(needs) {
                    bound += boost.most;
                }
            }
            let bound = bound + self.bounds.slack;
            if floor.excludes(bound) {
                return bound;
            }
        }
        for (i, matched) in self.matched.iter_mut().enumerate() {
            *matched = tally.holds(i);
        }
        self.add_boosts(doc, sum)
    }

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
        for b in 0..self.boosts.len() {
            if let Some(s) = self.boost_at(b, doc) {
                score += s;
            }
        }
        score
    }

    /// What boost `b` adds to the current site, given which extras it matched; opened here
    /// when the site is the first to hold every term it needs.
    fn boost_at(&mut self, b: usize, doc: DocId) -> Option<Score> {
        let boost = &mut self.boosts[b];
        if boost.extra.is_none() {
            if !boost.needs.iter().all(|&i| self.matched[i]) {
                return None;
            }
            let reader = self.reader.as_ref()?;
            match boost.weight.scorer_danger(reader, doc, boost.boost) {
                Ok((found, scorer)) => {
                    boost.extra = Some(Extra::after_danger(scorer, doc, found));
                }
                Err(err) => {
                    // A score cannot fail: leave the boost out rather than every site.
                    tracing::warn!("a search boost could not be read: {err}");
                    boost.extra = Some(Extra::new(Box::new(EmptyScorer), doc));
                    return None;
                }
            }
        }
        boost.extra.as_mut().and_then(|e| e.score_at(doc))
    }
}

impl Scorer for SiteScorer {
    fn score(&mut self) -> Score {
        if self.tally.is_some() {
            return self.tallied_score();
        }
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
