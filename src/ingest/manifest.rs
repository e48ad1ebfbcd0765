//! The manifest: what the last completed ingest saw, so the next one redoes only what changed.
//!
//! It records, per site, the content hash of its `site.json` and of each listed photo, and per
//! photo file a stamp (size, modification time, hash) so unchanged photos are not even re-read.
//! It is written after the index commit, atomically: if ingest is killed before that, the old
//! manifest still describes the old (still committed) index and the next run redoes the work.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::archive::write_atomic;

/// What one site looked like when it was last indexed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteState {
    /// The site folder, relative to the archive root.
    pub dir: String,
    /// blake3 of `site.json`.
    pub record_hash: String,
    /// blake3 of each listed photo, in record order; `None` for a photo that was missing or
    /// could not be rendered (so fixing it changes the state and re-indexes the site).
    pub photos: Vec<Option<String>>,
}

/// Size and modification time of a photo file when it was hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStamp {
    pub size: u64,
    pub modified_ns: u128,
    pub hash: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The search index layout the index was built with; a different one forces a rebuild.
    pub index_schema_version: u32,
    /// By site id.
    pub sites: BTreeMap<String, SiteState>,
    /// By photo path relative to the archive root.
    pub files: BTreeMap<String, FileStamp>,
    /// Photos (by content hash) that could not be rendered, with the reason, so an unchanged
    /// broken photo is reported again without decoding it again.
    pub failed_photos: BTreeMap<String, String>,
}

impl Manifest {
    /// Reads the manifest; a missing or unreadable one means "nothing was ingested yet".
    pub fn load(path: &Path) -> Manifest {
        std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let text = serde_json::to_vec(self).expect("a manifest always serialises");
        write_atomic(path, &text)
    }
}

/// The content hash used everywhere in the index: blake3, hex.
pub fn hash_bytes(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// Hashes a file, reusing the previous hash when its size and modification time are unchanged.
pub fn hash_file(path: &Path, previous: Option<&FileStamp>) -> std::io::Result<FileStamp> {
    let meta = std::fs::metadata(path)?;
    let modified_ns = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    if let Some(prev) = previous
        && prev.size == meta.len()
        && prev.modified_ns == modified_ns
        && modified_ns != 0
    {
        return Ok(prev.clone());
    }
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(std::fs::File::open(path)?)?;
    Ok(FileStamp {
        size: meta.len(),
        modified_ns,
        hash: hasher.finalize().to_hex().to_string(),
    })
}
