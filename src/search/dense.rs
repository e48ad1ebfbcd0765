//! A sorted list of a segment's sites kept a second way, as one bit per site with a running
//! count, so that two long lists meet a machine word at a time instead of a site at a time.
//!
//! A broad search at 100,000 sites adds each of its forty-odd word alternatives to thousands
//! of matching sites ([`super::tally`]). Merging two sorted lists of that length costs a
//! compare and an unpredictable branch per site of either list. With both lists as bits, the
//! sites on both are the set bits of `a & b`, 64 sites per instruction, and a site's place in
//! its list (where its score and its sums are kept) is the count of bits before it: the count
//! kept at the start of its word plus one `popcnt`. A list earns its bits when it holds at
//! least one site in 32 of the segment: then the bits take no more room than the list.

use tantivy::DocId;

/// A segment's sites `0..max_doc` as bits, with the number of sites before each word.
#[derive(Debug, Default)]
pub(crate) struct DenseSites {
    words: Box<[u64]>,
    before: Box<[u32]>,
}

impl DenseSites {
    /// Whether a list of `len` sites of a segment of `max_doc` is worth keeping as bits.
    pub fn worth(len: usize, max_doc: DocId) -> bool {
        len * 32 >= max_doc as usize
    }

    /// The sites of `docs` (sorted, below `max_doc`) as bits.
    pub fn of(docs: &[DocId], max_doc: DocId) -> DenseSites {
        let mut words = vec![0u64; (max_doc as usize).div_ceil(64)];
        for &doc in docs {
            words[doc as usize / 64] |= 1 << (doc % 64);
        }
        let mut before = Vec::with_capacity(words.len());
        let mut count = 0;
        for word in &words {
            before.push(count);
            count += word.count_ones();
        }
        DenseSites {
            words: words.into(),
            before: before.into(),
        }
    }

    /// Memory held, in bytes.
    pub fn bytes(&self) -> usize {
        self.words.len() * 12
    }

    /// How many machine words the bits take.
    pub fn len_words(&self) -> usize {
        self.words.len()
    }

    /// The place of `doc` in the list, if the list holds it.
    #[inline]
    pub fn rank(&self, doc: DocId) -> Option<usize> {
        let w = doc as usize / 64;
        let word = *self.words.get(w)?;
        let bit = 1u64 << (doc % 64);
        (word & bit != 0).then(|| self.place(w, word, bit))
    }

    /// Whether the list holds `doc` (a bit test: no count needed).
    #[inline]
    pub fn contains(&self, doc: DocId) -> bool {
        self.words
            .get(doc as usize / 64)
            .is_some_and(|word| word & (1u64 << (doc % 64)) != 0)
    }

    #[inline]
    fn place(&self, w: usize, word: u64, bit: u64) -> usize {
        self.before[w] as usize + (word & (bit - 1)).count_ones() as usize
    }

    /// Calls `f` with the places in `self` and in `other` of every site both hold, in order.
    #[inline]
    pub fn both(&self, other: &DenseSites, mut f: impl FnMut(usize, usize)) {
        for (w, (&ours, &theirs)) in self.words.iter().zip(other.words.iter()).enumerate() {
            let mut common = ours & theirs;
            while common != 0 {
                let bit = common & common.wrapping_neg();
                f(self.place(w, ours, bit), other.place(w, theirs, bit));
                common &= common - 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_and_common_sites_match_the_lists() {
        let max_doc = 1000;
        let a: Vec<DocId> = (0..max_doc)
            .filter(|d| d % 3 == 0 || d % 64 == 63)
            .collect();
        let b: Vec<DocId> = (0..max_doc).filter(|d| d % 5 == 1 || *d == 999).collect();
        let (da, db) = (DenseSites::of(&a, max_doc), DenseSites::of(&b, max_doc));
        for doc in 0..max_doc + 70 {
            assert_eq!(da.rank(doc), a.iter().position(|&d| d == doc), "site {doc}");
            assert_eq!(da.contains(doc), a.contains(&doc), "site {doc}");
        }
        let mut seen = Vec::new();
        da.both(&db, |x, y| seen.push((a[x], b[y])));
        let want: Vec<(DocId, DocId)> = a
            .iter()
            .filter(|d| b.contains(d))
            .map(|&d| (d, d))
            .collect();
        assert_eq!(seen, want);
        assert!(seen.contains(&(999, 999)));
        assert!(DenseSites::worth(32, 1024) && !DenseSites::worth(31, 1024));
    }
}
