//! A scorer that walks a remembered, sorted list of a segment's sites.
//!
//! Several clauses of a search answer from lists kept in memory instead of from the index: a
//! word's postings ([`super::postings`]), the sites holding a phrase ([`super::phrases`]), a
//! word's typo-tolerant matches and the sites holding a word at all ([`super::typo`],
//! [`super::scoring`]). They differ only in what a site on the list scores, so moving along the
//! list — one step, or galloping to a target — is written once here as [`Walk`], and each kind
//! of list says how its sites score ([`SortedSites`]).

use std::sync::Arc;

use tantivy::query::Scorer;
use tantivy::{DocId, DocSet, Score, TERMINATED};

use super::dense::DenseSites;

/// A list of a segment's sites in increasing order, each with its score.
pub(crate) trait SortedSites: Send + 'static {
    /// The sites, in increasing order, without repeats.
    fn docs(&self) -> &[DocId];
    /// The score of the site at position `at` of [`SortedSites::docs`] (`at` is in range).
    fn score_at(&self, at: usize) -> Score;
    /// The most any site of the list scores, or more (see [`super::pruning`]).
    fn most(&self) -> Score {
        Score::INFINITY
    }
    /// The sites as bits, when the list is long enough to keep them (see [`DenseSites`]).
    fn dense(&self) -> Option<&DenseSites> {
        None
    }
}

/// A walk through a [`SortedSites`] list, as a tantivy scorer.
pub(crate) struct Walk<L> {
    list: L,
    at: usize,
}

impl<L: SortedSites> Walk<L> {
    /// A walk standing on the list's first site.
    pub fn new(list: L) -> Walk<L> {
        Walk { list, at: 0 }
    }

    /// The whole list, wherever the walk stands.
    pub fn list(&self) -> &L {
        &self.list
    }
}

impl<L: SortedSites> DocSet for Walk<L> {
    fn advance(&mut self) -> DocId {
        if self.at < self.list.docs().len() {
            self.at += 1;
        }
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.at = seek_sorted(self.list.docs(), self.at, target);
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.list.docs().get(self.at).copied().unwrap_or(TERMINATED)
    }

    fn size_hint(&self) -> u32 {
        (self.list.docs().len() - self.at) as u32
    }
}

impl<L: SortedSites> Scorer for Walk<L> {
    fn score(&mut self) -> Score {
        if self.at < self.list.docs().len() {
            self.list.score_at(self.at)
        } else {
            0.0
        }
    }
}

/// A segment's sites in increasing order, also kept as bits when they are many.
#[derive(Debug, Default)]
pub(crate) struct SiteList {
    docs: Box<[DocId]>,
    dense: Option<DenseSites>,
}

impl SiteList {
    /// `docs` (sorted, without repeats) of a segment of `max_doc` sites, with their bits when
    /// they are worth it (see [`DenseSites::worth`]).
    pub fn new(docs: Vec<DocId>, max_doc: DocId) -> SiteList {
        let dense = DenseSites::worth(docs.len(), max_doc).then(|| DenseSites::of(&docs, max_doc));
        SiteList {
            docs: docs.into(),
            dense,
        }
    }

    /// `docs` (sorted, without repeats) only ever walked: no bits.
    pub fn plain(docs: Vec<DocId>) -> SiteList {
        SiteList {
            docs: docs.into(),
            dense: None,
        }
    }

    pub fn docs(&self) -> &[DocId] {
        &self.docs
    }

    pub fn dense(&self) -> Option<&DenseSites> {
        self.dense.as_ref()
    }

    /// The memory held, counted in site numbers (4 bytes).
    pub fn weight(&self) -> usize {
        self.docs.len() + self.dense.as_ref().map_or(0, |d| d.bytes() / 4)
    }
}

/// Sites that all score the same.
pub(crate) struct Uniform {
    pub list: Arc<SiteList>,
    pub score: Score,
}

impl SortedSites for Uniform {
    fn docs(&self) -> &[DocId] {
        &self.list.docs
    }

    fn dense(&self) -> Option<&DenseSites> {
        self.list.dense()
    }

    fn score_at(&self, _: usize) -> Score {
        self.score
    }

    fn most(&self) -> Score {
        self.score
    }
}

/// The position of the first of `docs[at..]` (sorted) that is `target` or after it.
pub(crate) fn seek_sorted(docs: &[DocId], at: usize, target: DocId) -> usize {
    // Galloping: the next match is usually close, sometimes far.
    let at = at.min(docs.len());
    let rest = &docs[at..];
    let mut step = 1;
    while step < rest.len() && rest[step] < target {
        step *= 2;
    }
    let window = &rest[..rest.len().min(step + 1)];
    at + window.partition_point(|&d| d < target)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uniform(docs: Vec<DocId>, score: Score) -> Walk<Uniform> {
        Walk::new(Uniform {
            list: Arc::new(SiteList::plain(docs)),
            score,
        })
    }

    #[test]
    fn seeks_and_advances() {
        let mut list = uniform(vec![2, 5, 9, 40, 41, 100], 0.3);
        assert_eq!(list.doc(), 2);
        assert_eq!(list.size_hint(), 6);
        assert_eq!(list.seek(1), 2);
        assert_eq!(list.seek(6), 9);
        assert_eq!(list.seek(9), 9);
        assert_eq!(list.advance(), 40);
        assert_eq!(list.seek(100), 100);
        assert_eq!(list.score(), 0.3);
        assert_eq!(list.advance(), TERMINATED);
        assert_eq!(list.score(), 0.0);
        assert_eq!(list.advance(), TERMINATED);
        assert_eq!(list.seek(500), TERMINATED);
        assert_eq!(list.size_hint(), 0);
        let mut empty = uniform(Vec::new(), 1.0);
        assert_eq!(empty.doc(), TERMINATED);
        assert_eq!(empty.seek(3), TERMINATED);
    }

    /// A list scoring each site by its position, to see that scores follow the walk.
    struct Ranked(Vec<DocId>);

    impl SortedSites for Ranked {
        fn docs(&self) -> &[DocId] {
            &self.0
        }
        fn score_at(&self, at: usize) -> Score {
            at as Score
        }
    }

    #[test]
    fn scores_follow_the_walk_and_seeks_land_on_every_site() {
        let docs: Vec<DocId> = (0..1000).map(|i| i * 3 + 1).collect();
        let mut walk = Walk::new(Ranked(docs.clone()));
        for (i, &d) in docs.iter().enumerate().step_by(7) {
            // Every target between the previous site and this one lands on this one.
            assert_eq!(walk.seek(d - 1), d);
            assert_eq!(walk.score(), i as Score);
        }
        assert_eq!(walk.seek(docs[docs.len() - 1] + 1), TERMINATED);
    }
}
