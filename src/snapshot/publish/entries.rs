//! What a publication looks at: every small file and catalog entry with its stamp, grouped by
//! bucket, with the buckets changed since the last publication.

use std::collections::{BTreeMap, HashSet};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use crate::snapshot::{bucket_count, bucket_of};

/// How a file looked when it was last published.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(super) enum Stamp {
    File { size: u64, modified: i128 },
    Entry { hash: String },
}

/// Small files and catalog entries grouped by bucket, and the buckets changed since the last
/// publication: a publication after one approval looks at those few buckets only.
pub(super) struct Entries {
    pub(super) buckets: Vec<BTreeMap<String, Stamp>>,
    pub(super) len: usize,
    pub(super) dirty: HashSet<usize>,
}

impl Default for Entries {
    fn default() -> Self {
        let count = bucket_count(0);
        Entries {
            buckets: vec![BTreeMap::new(); count],
            len: 0,
            // A new publisher looks at every bucket once.
            dirty: (0..count).collect(),
        }
    }
}

impl Entries {
    pub(super) fn insert(&mut self, path: String, stamp: Stamp) {
        let b = bucket_of(&path, self.buckets.len());
        match self.buckets[b].insert(path, stamp.clone()) {
            Some(old) if old == stamp => {}
            Some(_) => {
                self.dirty.insert(b);
            }
            None => {
                self.len += 1;
                self.dirty.insert(b);
            }
        }
    }

    pub(super) fn remove(&mut self, path: &str) {
        let b = bucket_of(path, self.buckets.len());
        if self.buckets[b].remove(path).is_some() {
            self.len -= 1;
            self.dirty.insert(b);
        }
    }

    pub(super) fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        for (b, bucket) in self.buckets.iter_mut().enumerate() {
            let before = bucket.len();
            bucket.retain(|path, _| keep(path));
            if bucket.len() != before {
                self.len -= before - bucket.len();
                self.dirty.insert(b);
            }
        }
    }

    /// Spreads the entries over `count` buckets when that is a new count (all then changed).
    pub(super) fn regroup(&mut self, count: usize) {
        if count == self.buckets.len() {
            return;
        }
        let all: Vec<(String, Stamp)> = self.buckets.drain(..).flatten().collect();
        self.buckets = vec![BTreeMap::new(); count];
        self.len = 0;
        for (path, stamp) in all {
            let b = bucket_of(&path, count);
            self.buckets[b].insert(path, stamp);
            self.len += 1;
        }
        self.dirty = (0..count).collect();
    }
}

pub(super) fn stamp_of(meta: &std::fs::Metadata) -> Stamp {
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128);
    Stamp::File {
        size: meta.len(),
        modified,
    }
}
