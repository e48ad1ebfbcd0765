//! The one bounded memory of the crate: values kept by key up to a total weight, the least
//! useful forgotten a few at a time when room is needed. The search engine keeps what it read
//! from the index in memos ([`crate::search`]); the server keeps its rendered pages in them
//! ([`crate::web::page_cache`]).
//!
//! The search engine's entries are keyed by something that never changes meaning — a segment
//! (segments are immutable; a new index generation brings new ones) or a generation — so they
//! are never stale, only unused; pages are keyed by the catalog version, and emptied when it
//! changes. The memo once forgot everything at once when full: one read lock a lookup, but at
//! 100,000 sites the postings of a few thousand distinct searches fill it, and each time it
//! emptied, every following search read all its lists again. `quick_cache`'s S3-FIFO eviction
//! forgets entries seen only once first and keeps those that come back (the common syllables,
//! the popular pages), a lookup is still one read lock (of one shard of several), and two
//! searches wanting the same missing value read it once. Each memo counts its hits and misses,
//! so `/metrics` can say how much of the traffic its page caches answer.

use std::hash::Hash;

use quick_cache::Weighter;
use quick_cache::sync::Cache;

/// Values by key, up to `MAX` in total weight (a memo made by [`Memo::with_max`] has its own).
pub(crate) struct Memo<K, V, const MAX: usize> {
    kept: Cache<K, Weighed<V>, ByWeight>,
}

/// A value with the weight it was given when kept (the cache asks for it when evicting).
#[derive(Clone)]
struct Weighed<V> {
    value: V,
    weight: u64,
}

#[derive(Clone)]
struct ByWeight;

impl<K, V> Weighter<K, Weighed<V>> for ByWeight {
    fn weight(&self, _: &K, kept: &Weighed<V>) -> u64 {
        kept.weight
    }
}

/// Entries expected at most when full: sizes the cache's tables (they grow past it if the
/// values are light). Memos bounded by an entry count below this hold `MAX` entries.
const EXPECTED_ENTRIES: usize = 1 << 16;

impl<K: Hash + Eq + Clone, V: Clone, const MAX: usize> Default for Memo<K, V, MAX> {
    fn default() -> Self {
        Memo::with_max(MAX as u64, EXPECTED_ENTRIES)
    }
}

/// What is kept is not shown: it can be millions of entries. The weight says how full it is.
impl<K, V, const MAX: usize> std::fmt::Debug for Memo<K, V, MAX>
where
    K: Hash + Eq + Clone,
    V: Clone,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memo")
            .field("weight", &self.kept.weight())
            .field("max", &self.kept.capacity())
            .finish_non_exhaustive()
    }
}

impl<K: Hash + Eq + Clone, V: Clone, const MAX: usize> Memo<K, V, MAX> {
    /// A memo of `max` in total weight instead of `MAX`, its tables sized for at most
    /// `entries` (they grow past it if the values are light). A bound of 0 keeps nothing.
    pub fn with_max(max: u64, entries: usize) -> Self {
        let entries = entries
            .min(usize::try_from(max).unwrap_or(usize::MAX))
            .max(1);
        Memo {
            kept: Cache::with_weighter(entries, max, ByWeight),
        }
    }

    /// The value for `key`, made by `read` the first time; `weight` says how much a value
    /// counts towards `MAX` (an entry counts one more). A value too heavy to keep is returned
    /// all the same.
    pub fn get_or<E>(
        &self,
        key: K,
        weight: impl Fn(&V) -> usize,
        read: impl FnOnce() -> Result<V, E>,
    ) -> Result<V, E> {
        self.kept
            .get_or_insert_with(&key, || {
                let value = read()?;
                let weight = weight(&value) as u64 + 1;
                Ok(Weighed { value, weight })
            })
            .map(|kept| kept.value)
    }

    /// The value for `key` if it is kept (counted as a use).
    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        Q: Hash + quick_cache::Equivalent<K> + ?Sized,
    {
        self.kept.get(key).map(|kept| kept.value)
    }

    /// Keeps `value` for `key` at `weight` (an entry counts one more), in place of any value
    /// it had. A value too heavy to keep is not kept.
    pub fn put(&self, key: K, value: V, weight: usize) {
        let weight = weight as u64 + 1;
        self.kept.insert(key, Weighed { value, weight });
    }

    /// Forgets everything.
    pub fn clear(&self) {
        self.kept.clear();
    }

    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// Weight kept, at most the bound.
    pub fn weight(&self) -> u64 {
        self.kept.weight()
    }

    /// Lookups that found their key, and those that did not, since the memo was made.
    pub fn hits_and_misses(&self) -> (u64, u64) {
        (self.kept.hits(), self.kept.misses())
    }

    /// Keeps `key` (with no value worth its own weight) and says whether it was new: a memo
    /// of unit values is a bounded set of keys seen lately.
    pub fn note(&self, key: K) -> bool
    where
        V: Default,
    {
        let mut new = false;
        let _ = self.get_or(
            key,
            |_| 0,
            || {
                new = true;
                Ok::<_, ()>(V::default())
            },
        );
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_read_once_and_forgotten_a_few_at_a_time_past_the_bound() {
        let memo: Memo<u32, u32, 400> = Memo::default();
        let reads = std::cell::Cell::new(0);
        let get = |k: u32| {
            memo.get_or(
                k,
                |_| 3,
                || -> Result<u32, ()> {
                    reads.set(reads.get() + 1);
                    Ok(k * 2)
                },
            )
        };
        assert_eq!(get(1), Ok(2));
        assert_eq!(get(1), Ok(2));
        assert_eq!(reads.get(), 1, "kept after the first read");
        // One key used again and again among 1,000 used once: the bound (100 entries of
        // weight 4) holds, and the one in use is kept throughout.
        for k in 1_000..2_000 {
            assert_eq!(get(k), Ok(k * 2));
            assert_eq!(get(1), Ok(2));
        }
        assert_eq!(reads.get(), 1 + 1_000, "key 1 was never read again");
        assert!(memo.kept.weight() <= 400, "{memo:?}");
        assert!(memo.kept.len() > 50, "forgotten a few at a time, not all");

        let failing: Result<u32, &str> = memo.get_or(9, |_| 0, || Err("unreadable"));
        assert_eq!(failing, Err("unreadable"));
        let again: Result<u32, &str> = memo.get_or(9, |_| 0, || Ok(18));
        assert_eq!(again, Ok(18), "a failed read is not kept");
        // The values themselves are not printed.
        assert!(format!("{memo:?}").starts_with("Memo { weight: "));
    }

    #[test]
    fn a_value_heavier_than_the_bound_is_returned_unkept() {
        let memo: Memo<u32, Vec<u8>, 10> = Memo::default();
        let heavy = memo.get_or(1, |v| v.len(), || Ok::<_, ()>(vec![0; 100]));
        assert_eq!(heavy.map(|v| v.len()), Ok(100));
        assert_eq!(memo.kept.weight(), 0);
    }
}
