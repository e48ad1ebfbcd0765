//! Skipping the sites that cannot reach the page: what lets a broad search ("chùa Hà", which
//! tens of thousands of sites match at the country's scale) cost about what the page costs.
//!
//! Every site that matches is still counted (the total and the facets need them all), but only
//! a site that could rank among the page's best needs its score. Each clause of a search knows
//! the most one site can score from it — [`clause_bound`] from its weight alone, tightened per
//! segment by [`scorer_bound`] from the remembered list it walks (its shortest field and
//! largest frequency, a phrase's best score) — and the collector publishes, once its page is
//! full, the score a site needs to enter it ([`Floor`]); a segment whose word alternatives
//! were tallied ([`super::tally`]) publishes it before its first site, from the sites' sums.
//! The site scorer then asks a site's clauses, those whose absence rules out the most first,
//! and stops as soon as what it has plus everything still possible cannot reach the floor
//! (MaxScore, Turtle and Flood 1995): such a site is answered with that upper bound, which the
//! collector then turns away, so pages, scores and totals are exactly those of scoring every
//! site.

use std::sync::atomic::{AtomicU32, Ordering};

use tantivy::Score;
use tantivy::query::{Bm25Weight, EnableScoring, Query, Scorer};

use super::phrases::RememberedPhrase;
use super::postings::RememberedTerm;
use super::remembered::{ListUse, with_list};
use super::typo::TypoQuery;
use super::walk::SortedSites;

/// How much the collector's prominence prior can lift a score at most (see
/// `collector::PRIOR_STEP`: 1.5 % a step, 9 steps), rounded up so that rounding never lets a
/// turned-away site in.
pub(crate) const MAX_PRIOR_LIFT: f32 = 1.14;

/// Room for floating-point rounding when an upper bound is compared with the floor: bounds are
/// summed in another order than scores are.
const ROUNDING: f32 = 1.0 + 1e-4;

/// The least score a site must be able to reach to be among the best of the page being
/// collected; it only rises during a search. Zero until the page is full.
#[derive(Debug, Default)]
pub(crate) struct Floor(AtomicU32);

impl Floor {
    pub fn get(&self) -> Score {
        f32::from_bits(self.0.load(Ordering::Relaxed))
    }

    /// Raises the floor to `score` if it is higher. Scores are never negative, and the bits of
    /// non-negative floats order like the floats themselves.
    pub fn raise(&self, score: Score) {
        if score > 0.0 && score.is_finite() {
            self.0.fetch_max(score.to_bits(), Ordering::Relaxed);
        }
    }

    /// Whether a site whose score is at most `bound` is certainly below the floor.
    pub fn excludes(&self, bound: Score) -> bool {
        bound * ROUNDING < self.get()
    }
}

/// The most one site can score from `query` at boost 1: infinite when the clause is of a kind
/// that cannot say (then nothing is skipped on its account).
pub(crate) fn clause_bound(
    query: &dyn Query,
    scoring: EnableScoring<'_>,
) -> tantivy::Result<Score> {
    let EnableScoring::Enabled {
        statistics_provider,
        ..
    } = scoring
    else {
        return Ok(Score::INFINITY);
    };
    if let Some(term) = query.downcast_ref::<RememberedTerm>() {
        return Ok(most(&term.weight(statistics_provider)?));
    }
    if let Some(phrase) = query.downcast_ref::<RememberedPhrase>() {
        return Ok(most(&Bm25Weight::for_terms(
            statistics_provider,
            &phrase.terms(),
        )?));
    }
    if query.downcast_ref::<TypoQuery>().is_some() {
        return Ok(1.0); // a typo-tolerant match scores its boost
    }
    Ok(Score::INFINITY)
}

/// The most one site can score from an opened clause, at the boost it was opened with: what
/// its list says when it walks a remembered list (infinite otherwise). Tighter than
/// [`clause_bound`], which cannot see the segment.
pub(crate) fn scorer_bound(scorer: &dyn Scorer) -> Score {
    with_list(scorer, Most).unwrap_or(Score::INFINITY)
}

/// A list's best score.
struct Most;

impl ListUse for Most {
    type Out = Score;
    fn with<L: SortedSites>(self, list: &L) -> Score {
        list.most()
    }
}

/// The BM25 score no site can pass: the shortest field (the smallest length normalisation)
/// with the largest frequency. (`Bm25Weight::max_score` takes the longest field, which a short
/// name field with a repeated word can beat.)
fn most(weight: &Bm25Weight) -> Score {
    weight.score(0, u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_floor_only_rises() {
        let floor = Floor::default();
        assert_eq!(floor.get(), 0.0);
        assert!(!floor.excludes(0.0));
        floor.raise(2.5);
        floor.raise(1.0);
        floor.raise(f32::NAN);
        assert_eq!(floor.get(), 2.5);
        assert!(floor.excludes(2.0));
        assert!(!floor.excludes(2.5), "a tie may still enter (by id)");
    }

    #[test]
    fn the_bound_holds_for_every_length_and_frequency() {
        let weight = Bm25Weight::for_one_term_without_explain(3, 100_000, 4.0);
        let bound = most(&weight);
        for norm in 0..=255u8 {
            for tf in [1, 2, 3, 10, 1_000, 1_000_000] {
                assert!(weight.score(norm, tf) <= bound, "norm id {norm}, tf {tf}");
            }
        }
        assert!(
            weight.max_score() < weight.score(0, 3),
            "why `max_score` is not used"
        );
    }
}
