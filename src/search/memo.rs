//! The one way the search engine remembers what it read from the index: values kept by key up
//! to a total weight, then all forgotten at once.
//!
//! Everything remembered is keyed by something that never changes meaning — a segment (segments
//! are immutable; a new index generation brings new ones) or a generation — so an entry is never
//! stale, only unused. Forgetting everything at once, rather than tracking recency, keeps a
//! lookup to one read lock; what searches need comes back within a few searches.

use std::hash::Hash;
use std::sync::RwLock;

use rustc_hash::FxHashMap;

/// Values by key, up to `MAX` in total weight.
pub(crate) struct Memo<K, V, const MAX: usize> {
    kept: RwLock<Kept<K, V>>,
}

struct Kept<K, V> {
    values: FxHashMap<K, V>,
    /// Weight of `values`: what each entry's weight function said, plus one per entry.
    weight: usize,
}

impl<K, V, const MAX: usize> Default for Memo<K, V, MAX> {
    fn default() -> Self {
        Memo {
            kept: RwLock::new(Kept {
                values: FxHashMap::default(),
                weight: 0,
            }),
        }
    }
}

/// What is kept is not shown: it can be millions of entries. The weight says how full it is.
impl<K, V, const MAX: usize> std::fmt::Debug for Memo<K, V, MAX> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let weight = self.kept.read().map(|k| k.weight).unwrap_or_default();
        f.debug_struct("Memo")
            .field("weight", &weight)
            .field("max", &MAX)
            .finish_non_exhaustive()
    }
}

impl<K: Hash + Eq, V: Clone, const MAX: usize> Memo<K, V, MAX> {
    /// The value for `key`, made by `read` the first time; `weight` says how much a value
    /// counts towards `MAX` (an entry counts one more).
    pub fn get_or<E>(
        &self,
        key: K,
        weight: impl Fn(&V) -> usize,
        read: impl FnOnce() -> Result<V, E>,
    ) -> Result<V, E> {
        if let Some(value) = self
            .kept
            .read()
            .ok()
            .and_then(|k| k.values.get(&key).cloned())
        {
            return Ok(value);
        }
        let value = read()?;
        // A poisoned lock only means a panic elsewhere: the value is still right, unkept.
        if let Ok(mut kept) = self.kept.write() {
            let w = weight(&value) + 1;
            if kept.weight + w > MAX {
                kept.values.clear();
                kept.weight = 0;
            }
            kept.weight += w;
            kept.values.insert(key, value.clone());
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_read_once_and_all_forgotten_past_the_bound() {
        let memo: Memo<u32, u32, 10> = Memo::default();
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
        assert_eq!(get(2), Ok(4));
        // Weights 4 + 4 kept; a third entry would pass 10: everything is forgotten first.
        assert_eq!(get(3), Ok(6));
        assert_eq!(get(3), Ok(6));
        assert_eq!(get(1), Ok(2));
        assert_eq!(
            reads.get(),
            4,
            "1, 2, 3, then 1 again after it was forgotten"
        );
        let failing: Result<u32, &str> = memo.get_or(9, |_| 0, || Err("unreadable"));
        assert_eq!(failing, Err("unreadable"));
        // Kept now: 3 then 1, weight 4 each; the values themselves are not printed.
        assert_eq!(format!("{memo:?}"), "Memo { weight: 8, max: 10, .. }");
    }
}
