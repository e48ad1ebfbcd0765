//! Term-at-a-time scoring of a broad search: every matching site of a segment gets the sum of
//! its word alternatives' scores before the first site is collected, one alternative at a time.
//!
//! Site by site, a site matching "chùa Hà" is asked about each of the search's forty-odd word
//! alternatives in turn (the word in the name, the people, the place…, accented and folded),
//! each question a jump in another list. At 100,000 sites tens of thousands of sites match, and
//! those jumps were two thirds of a broad search. A [`Tally`] takes the matching sites once,
//! then runs through each alternative's remembered list beside them in one merge, adding its
//! score where both hold the site. The sums are added in the same order as site by site (the
//! alternatives in their order), so no score changes by a bit.
//!
//! Knowing every site's sum before collecting also tells the page's floor at once: when `k`
//! sites already score `x` from their words alone, a site whose best cannot reach `x` is not on
//! a page of `k` (see [`Tally::kth_best`] and [`super::pruning`]).

use tantivy::fastfield::AliveBitSet;
use tantivy::query::Scorer;
use tantivy::{DocId, DocSet, Score, TERMINATED};

use super::dense::DenseSites;
use super::remembered::{ListUse, with_list};
use super::walk::{SortedSites, seek_sorted};

/// Matching sites at least, as the driver estimates them, for a segment to be tallied: below
/// it, asking each site's alternatives in turn costs no more than a merge per alternative.
pub(crate) const TALLY_MIN: u32 = 64;

/// The matching sites of a segment from some site on, each with the sum of what the word
/// alternatives added so far give it and which of them it holds.
pub(crate) struct Tally {
    docs: Vec<DocId>,
    /// `docs` as bits, to meet long lists a word at a time.
    dense: DenseSites,
    sums: Vec<Score>,
    /// Which alternatives each site holds: `stride` words of bits per site.
    holds: Vec<u64>,
    stride: usize,
    at: usize,
}

impl Tally {
    /// Every site `driver` matches from where it stands in a segment of `max_doc` sites, with
    /// the score it gives, ready for `alternatives` alternatives to be added.
    pub fn of(driver: &mut dyn Scorer, max_doc: DocId, alternatives: usize) -> Tally {
        let mut docs = Vec::with_capacity(driver.size_hint() as usize);
        let mut sums = Vec::with_capacity(docs.capacity());
        let mut doc = driver.doc();
        while doc != TERMINATED {
            docs.push(doc);
            sums.push(driver.score());
            doc = driver.advance();
        }
        let stride = alternatives.div_ceil(64);
        Tally {
            holds: vec![0; docs.len() * stride],
            dense: DenseSites::of(&docs, max_doc),
            docs,
            sums,
            stride,
            at: 0,
        }
    }

    /// Adds alternative `i`'s score to every site that holds it. Alternatives must be added in
    /// their order, so that each sum is added up as a site-by-site scorer adds it.
    pub fn add(&mut self, i: usize, scorer: &mut dyn Scorer) {
        if with_list(&*scorer, Merge { tally: self, i }).is_some() {
            return;
        }
        // Any other clause, asked site by site.
        for at in 0..self.docs.len() {
            let doc = self.docs[at];
            let found = match scorer.doc() {
                current if current < doc => scorer.seek(doc),
                current => current,
            };
            if found == TERMINATED {
                break;
            }
            if found == doc {
                let score = scorer.score();
                self.credit(at, i, score);
            }
        }
    }

    /// One pass over both sorted lists, the cheapest way their lengths allow: a machine word
    /// of sites at a time when both are long, otherwise along the shorter, looking its sites
    /// up in the other's bits or jumping ahead in it.
    fn merge<L: SortedSites>(&mut self, i: usize, list: &L) {
        let theirs = list.docs();
        let (ours, n) = (self.docs.len(), theirs.len());
        match list.dense() {
            Some(dense) if ours * 4 >= dense.len_words() => {
                // Out of `self` while crediting, which writes to the rest of it.
                let bits = std::mem::take(&mut self.dense);
                bits.both(dense, |a, b| self.credit(a, i, list.score_at(b)));
                self.dense = bits;
                return;
            }
            Some(dense) => {
                for a in 0..ours {
                    if let Some(b) = dense.rank(self.docs[a]) {
                        self.credit(a, i, list.score_at(b));
                    }
                }
                return;
            }
            None => {}
        }
        if n <= ours * 8 {
            for (b, &doc) in theirs.iter().enumerate() {
                if let Some(a) = self.dense.rank(doc) {
                    self.credit(a, i, list.score_at(b));
                }
            }
        } else {
            let mut b = 0;
            for a in 0..ours {
                let doc = self.docs[a];
                b = seek_sorted(theirs, b, doc);
                match theirs.get(b) {
                    Some(&their) if their == doc => self.credit(a, i, list.score_at(b)),
                    Some(_) => {}
                    None => break,
                }
            }
        }
    }

    fn credit(&mut self, at: usize, i: usize, score: Score) {
        self.sums[at] += score;
        self.holds[at * self.stride + i / 64] |= 1 << (i % 64);
    }

    /// The current site's sum.
    pub fn sum(&self) -> Score {
        self.sums[self.at]
    }

    /// Whether the current site holds alternative `i`.
    pub fn holds(&self, i: usize) -> bool {
        self.holds[self.at * self.stride + i / 64] & (1 << (i % 64)) != 0
    }

    /// The alternatives `needs` as a mask for [`Tally::holds_all`].
    pub fn mask(&self, needs: &[usize]) -> Vec<u64> {
        let mut mask = vec![0; self.stride];
        for &i in needs {
            mask[i / 64] |= 1 << (i % 64);
        }
        mask
    }

    /// Whether the current site holds every alternative of `mask` (from [`Tally::mask`]): a
    /// machine word per 64 alternatives rather than a test per alternative, since every
    /// matching site is asked about every boost.
    pub fn holds_all(&self, mask: &[u64]) -> bool {
        let holds = &self.holds[self.at * self.stride..][..self.stride];
        holds.iter().zip(mask).all(|(h, m)| h & m == *m)
    }

    /// The `k`-th largest sum among the sites `alive` keeps (all when `None`), if there are
    /// `k` of them: no site scoring less can be among the best `k`.
    pub fn kth_best(&self, k: usize, alive: Option<&AliveBitSet>) -> Option<Score> {
        let mut sums: Vec<Score> = match alive {
            None => self.sums.clone(),
            Some(alive) => self
                .docs
                .iter()
                .zip(&self.sums)
                .filter(|(doc, _)| alive.is_alive(**doc))
                .map(|(_, sum)| *sum)
                .collect(),
        };
        if k == 0 || sums.len() < k {
            return None;
        }
        let (_, kth, _) = sums.select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a));
        Some(*kth)
    }
}

/// Alternative `i`'s list merged into a tally.
struct Merge<'a> {
    tally: &'a mut Tally,
    i: usize,
}

impl ListUse for Merge<'_> {
    type Out = ();
    fn with<L: SortedSites>(self, list: &L) {
        self.tally.merge(self.i, list);
    }
}

impl DocSet for Tally {
    fn advance(&mut self) -> DocId {
        if self.at < self.docs.len() {
            self.at += 1;
        }
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.at = seek_sorted(&self.docs, self.at, target);
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.docs.get(self.at).copied().unwrap_or(TERMINATED)
    }

    fn size_hint(&self) -> u32 {
        (self.docs.len() - self.at) as u32
    }
}

#[cfg(test)]
mod tests {
    use tantivy::BitSet;
    use tantivy::directory::OwnedBytes;
    use tantivy::fastfield::write_alive_bitset;

    use std::sync::Arc;

    use super::super::walk::{SiteList, Uniform, Walk};
    use super::*;

    /// A scorer that is not a remembered list, to take the site-by-site path.
    struct Listed {
        docs: Vec<DocId>,
        at: usize,
        score: Score,
    }

    impl DocSet for Listed {
        fn advance(&mut self) -> DocId {
            self.at += 1;
            self.doc()
        }
        fn doc(&self) -> DocId {
            self.docs.get(self.at).copied().unwrap_or(TERMINATED)
        }
        fn size_hint(&self) -> u32 {
            self.docs.len() as u32
        }
    }

    impl Scorer for Listed {
        fn score(&mut self) -> Score {
            self.score
        }
    }

    /// The sites below `max` that a cheap hash puts in one of every `every`.
    fn some_sites(seed: u32, max: DocId, every: u32) -> Vec<DocId> {
        (0..max)
            .filter(|d| {
                (d.wrapping_mul(2_654_435_761) ^ seed.wrapping_mul(40_503)).is_multiple_of(every)
            })
            .collect()
    }

    fn walk(docs: &[DocId], score: Score) -> Box<dyn Scorer> {
        // With bits when the list is long (one site in 32 of 20,000).
        Box::new(Walk::new(Uniform {
            list: Arc::new(SiteList::new(docs.to_vec(), 20_000)),
            score,
        }))
    }

    #[test]
    fn each_alternative_is_added_where_the_site_holds_it_in_order() {
        // Many matching sites (met a word of bits at a time) and few (each looked up).
        for every in [3, 400] {
            tally_in_order(&some_sites(1, 20_000, every));
        }
    }

    fn tally_in_order(matching: &[DocId]) {
        // Lists alike in length, far shorter and far longer than the matching sites, empty,
        // and (every other one) a scorer that is not a remembered list; more than 64, so a
        // site's marks take two words.
        let everies = [2, 3, 5, 40, 700, 9_000, 1, 13];
        let alternatives: Vec<(Vec<DocId>, Score)> = (0..70)
            .map(|i| {
                let every = everies[i % everies.len()];
                let docs = if i == 9 {
                    Vec::new()
                } else {
                    some_sites(i as u32 + 7, 20_000, every)
                };
                (docs, 0.1 + i as Score * 0.37)
            })
            .collect();

        let mut driver = walk(matching, 0.25);
        let mut tally = Tally::of(&mut *driver, 20_000, alternatives.len());
        for (i, (docs, score)) in alternatives.iter().enumerate() {
            let mut scorer = if i % 2 == 0 {
                walk(docs, *score)
            } else {
                Box::new(Listed {
                    docs: docs.clone(),
                    at: 0,
                    score: *score,
                })
            };
            tally.add(i, &mut *scorer);
        }

        // Alternatives in both words of marks, and in one.
        let masks = [vec![3, 68], vec![1, 2, 5], vec![]];
        let mut seen = 0;
        for &doc in matching {
            assert_eq!(tally.doc(), doc);
            let mut expected = 0.25;
            for (i, (docs, score)) in alternatives.iter().enumerate() {
                let holds = docs.binary_search(&doc).is_ok();
                assert_eq!(tally.holds(i), holds, "site {doc}, alternative {i}");
                if holds {
                    expected += score;
                }
            }
            assert_eq!(tally.sum().to_bits(), expected.to_bits(), "site {doc}");
            for needs in &masks {
                let all = needs.iter().all(|&i| tally.holds(i));
                assert_eq!(
                    tally.holds_all(&tally.mask(needs)),
                    all,
                    "site {doc}, {needs:?}"
                );
            }
            seen += 1;
            tally.advance();
        }
        assert_eq!(seen, matching.len());
        assert_eq!(tally.doc(), TERMINATED);
    }

    #[test]
    fn the_kth_best_counts_only_live_sites() {
        // Site d holds the alternatives 0..=d, so it sums d + 1.
        let docs: Vec<DocId> = (0..10).collect();
        let mut driver = walk(&docs, 0.0);
        let mut tally = Tally::of(&mut *driver, 10, docs.len());
        for i in 0..docs.len() {
            let mut scorer = walk(&docs[i..], 1.0);
            tally.add(i, &mut *scorer);
        }
        assert_eq!(tally.kth_best(1, None), Some(10.0));
        assert_eq!(tally.kth_best(3, None), Some(8.0));
        assert_eq!(tally.kth_best(10, None), Some(1.0));
        assert_eq!(tally.kth_best(11, None), None);
        assert_eq!(tally.kth_best(0, None), None);

        // Sites 9 and 7 deleted.
        let mut live = BitSet::with_max_value_and_full(10);
        live.remove(9);
        live.remove(7);
        let mut bytes = Vec::new();
        write_alive_bitset(&live, &mut bytes).unwrap();
        let alive = AliveBitSet::open(OwnedBytes::new(bytes));
        assert_eq!(tally.kth_best(1, Some(&alive)), Some(9.0));
        assert_eq!(tally.kth_best(3, Some(&alive)), Some(6.0));
        assert_eq!(tally.kth_best(9, Some(&alive)), None);
    }

    #[test]
    fn seeks_land_on_the_next_matching_site() {
        let docs = [3, 8, 9, 40, 41, 1_000];
        let mut driver = walk(&docs, 1.5);
        driver.seek(8);
        let mut tally = Tally::of(&mut *driver, 1_001, 1);
        assert_eq!(tally.size_hint(), 5, "from where the driver stood");
        assert_eq!(tally.doc(), 8);
        assert_eq!(tally.seek(10), 40);
        assert_eq!(tally.sum(), 1.5);
        assert_eq!(tally.seek(1_000), 1_000);
        assert_eq!(tally.advance(), TERMINATED);
        assert_eq!(tally.seek(2_000), TERMINATED);
    }
}
