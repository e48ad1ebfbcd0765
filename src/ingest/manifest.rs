//! The manifest: what the last completed ingest saw, so the next one redoes only what changed.
//!
//! It records, per site, the content hash of its `site.json` and of each listed photo, and per
//! file a stamp (size, modification time) so that unchanged records and photos are not even
//! re-read; and the site's [`SiteSummary`], which is what a server starts from. It is written
//! after the index commit, atomically: if ingest is killed before that, the old manifest still
//! describes the old (still committed) index and the next run redoes the work.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::summary::SiteSummary;
use crate::archive::write_atomic;

/// What one site looked like when it was last indexed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteState {
    /// The site folder, relative to the archive root.
    pub dir: String,
    /// blake3 of `site.json`.
    pub record_hash: String,
    /// blake3 of each listed photo, in record order; `None` for a photo that was missing or
    /// could not be rendered (so fixing it changes the state and re-indexes the site).
    pub photos: Vec<Option<String>>,
    /// Size and modification time of `site.json` when it was read: the same stamp next time
    /// means the same bytes, so the record is not read again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stamp: Option<Stamp>,
    /// The listed photo files, in record order, so that an unread record's photos can still be
    /// checked for changes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photo_files: Vec<String>,
    /// What the record's validation found (reported again on every run without re-reading).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<SiteSummary>,
}

impl SiteState {
    /// Whether the index holds the same document for both: the same record bytes and the same
    /// photo contents. (A touched file has a new stamp but the same content.)
    pub fn same_content(&self, other: &SiteState) -> bool {
        self.record_hash == other.record_hash && self.photos == other.photos
    }
}

/// Size and modification time of a file, which together say it has not been rewritten.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub size: u64,
    pub modified_ns: u128,
}

impl Stamp {
    /// The stamp of a file, or `None` when the file system gives no modification time (then
    /// nothing can be known unchanged without reading it).
    pub fn of(meta: &std::fs::Metadata) -> Option<Stamp> {
        let modified_ns = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_nanos();
        (modified_ns != 0).then_some(Stamp {
            size: meta.len(),
            modified_ns,
        })
    }
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
    /// The [`super::summary::SUMMARY_VERSION`] of the summaries kept below.
    #[serde(default)]
    pub summary_version: u32,
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
    let stamp = Stamp::of(&meta);
    if let Some(prev) = previous
        && let Some(stamp) = stamp
        && prev.size == stamp.size
        && prev.modified_ns == stamp.modified_ns
    {
        return Ok(prev.clone());
    }
    let modified_ns = stamp.map_or(0, |s| s.modified_ns);
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(std::fs::File::open(path)?)?;
    Ok(FileStamp {
        size: meta.len(),
        modified_ns,
        hash: hasher.finalize().to_hex().to_string(),
    })
}
