//! Which scorers walk a remembered list, and the list itself: the one place that names every
//! kind of remembered list ([`super::postings`], [`super::typo`], [`super::phrases`]).
//!
//! Most of a search walks its lists one site at a time through tantivy's `Scorer`, but some
//! steps need a whole list at once: a clause's bound ([`super::pruning`]), the sites holding a
//! word ([`super::scoring`]), a merge beside the matching sites ([`super::tally`]). Each says
//! what it does with a list as a [`ListUse`], and [`with_list`] hands it the list a scorer
//! walks, whatever its kind, so that the use is compiled once per kind and stays a plain loop.

use std::sync::Arc;

use tantivy::query::{EmptyScorer, Scorer};
use tantivy::{DocId, Score};

use super::phrases::PhraseMatches;
use super::postings::ScoredPostings;
use super::walk::{SortedSites, Uniform, Walk};

/// Something done with a whole remembered list.
pub(crate) trait ListUse {
    type Out;
    fn with<L: SortedSites>(self, list: &L) -> Self::Out;
}

/// What `what` makes of the list `scorer` walks (an empty scorer walks an empty list), or
/// `None` when the scorer walks no remembered list.
pub(crate) fn with_list<U: ListUse>(scorer: &dyn Scorer, what: U) -> Option<U::Out> {
    if let Some(walk) = scorer.downcast_ref::<Walk<ScoredPostings>>() {
        return Some(what.with(walk.list()));
    }
    if let Some(walk) = scorer.downcast_ref::<Walk<Uniform>>() {
        return Some(what.with(walk.list()));
    }
    if let Some(walk) = scorer.downcast_ref::<Walk<Arc<PhraseMatches>>>() {
        return Some(what.with(walk.list()));
    }
    if scorer.downcast_ref::<EmptyScorer>().is_some() {
        return Some(what.with(&NoSites));
    }
    None
}

/// The list an empty scorer walks.
struct NoSites;

impl SortedSites for NoSites {
    fn docs(&self) -> &[DocId] {
        &[]
    }

    fn score_at(&self, _: usize) -> Score {
        0.0
    }

    fn most(&self) -> Score {
        0.0
    }
}
