//! Removing generations nobody serves any more, and the bundles and index files only they named.
//!
//! The newest `keep` generations stay, and so does anything younger than the grace period: a
//! replica that has just listed a generation can still fetch all of it, and a publication under
//! way (its objects uploaded, its generation file not yet written) loses nothing. Photos are
//! never collected here: their keys derive from their content, and the archive keeps them.

use std::collections::HashSet;
use std::time::Duration;

use super::{Generation, SnapshotError};
use crate::storage::{Storage, keys};

#[derive(Debug, Default, Clone, Copy)]
pub struct Collected {
    pub generations_kept: usize,
    pub generations_removed: usize,
    pub blobs_kept: usize,
    pub blobs_removed: usize,
}

pub fn collect(
    storage: &Storage,
    keep: usize,
    grace: Duration,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Collected, SnapshotError> {
    let grace = chrono::Duration::from_std(grace).unwrap_or(chrono::Duration::MAX);
    let recent = |modified: chrono::DateTime<chrono::Utc>| now - modified < grace;
    let generations = storage.list(keys::GENERATIONS, None)?;
    let numbered: Vec<_> = generations
        .iter()
        .filter(|o| keys::generation_number(&o.key).is_some())
        .collect();
    let newest_kept = numbered.len().saturating_sub(keep.max(1));
    let mut live = HashSet::new();
    let mut out = Collected::default();
    let mut doomed = Vec::new();
    for (i, object) in numbered.iter().enumerate() {
        if i >= newest_kept || recent(object.modified) {
            let bytes = storage.get(&object.key)?.unwrap_or_default();
            let generation: Generation = serde_json::from_slice(&bytes)
                .map_err(|e| SnapshotError::Corrupt(format!("`{}`: {e}", object.key)))?;
            live.extend(generation.keys());
            out.generations_kept += 1;
        } else {
            doomed.push(object.key.clone());
        }
    }
    // Generations first: once none names a blob, the blob can go.
    for key in &doomed {
        storage.delete(key)?;
        out.generations_removed += 1;
    }
    for blob in storage.list(keys::BLOBS, None)? {
        if live.contains(&blob.key) || recent(blob.modified) {
            out.blobs_kept += 1;
        } else {
            storage.delete(&blob.key)?;
            out.blobs_removed += 1;
        }
    }
    Ok(out)
}
