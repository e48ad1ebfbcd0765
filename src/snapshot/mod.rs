//! Generations: what a server serves, published to object storage as an immutable snapshot so
//! that read replicas can serve exactly the same thing.
//!
//! A generation names every file a replica needs — the published sites' records and histories,
//! the record of deletions, the tantivy index, rendered descriptions, photo sidecars, trip packs
//! and downloads — plus one entry per site with what the catalog holds of it (its summary),
//! since the primary's catalog changes with each approval without any file saying so.
//!
//! Small files are grouped by the hash of their path into a fixed number of **bundles** (tar,
//! named by their content), so a replica starting from nothing downloads a few hundred objects
//! rather than hundreds of thousands, and an approval re-uploads only the few bundles whose
//! files changed. The index's files are stored one object each (segments never change once
//! written, so an unchanged segment is never uploaded or downloaded twice). The generation file
//! itself (`generations/<n>.json`) is written last: a generation that can be seen is complete.
//!
//! [`publish`] is the writer's side, [`mirror`] the replica's, [`gc`] removes what no kept
//! generation names. Photos are not part of a generation: their derivatives and originals are
//! uploaded once under keys derived from their content, and a replica fetches one when it is
//! first asked for it.

pub mod gc;
pub mod mirror;
pub mod publish;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ingest::summary::SiteSummary;
use crate::storage::StorageError;

/// Changes when the layout of a generation changes; a replica refuses what it cannot read.
pub const FORMAT: u32 = 1;

/// One published generation, as stored in `generations/<number>.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Generation {
    pub format: u32,
    pub number: u64,
    pub published: chrono::DateTime<chrono::Utc>,
    /// How many sites the catalog holds.
    pub sites: usize,
    /// The bundle of each bucket (`None`: the bucket holds no file).
    pub buckets: Vec<Option<String>>,
    /// Files stored one object each: path → content.
    pub files: BTreeMap<String, FileRef>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileRef {
    pub hash: String,
    pub size: u64,
}

impl Generation {
    /// Every object this generation needs, as keys.
    pub fn keys(&self) -> impl Iterator<Item = String> + '_ {
        self.buckets
            .iter()
            .flatten()
            .chain(self.files.values().map(|f| &f.hash))
            .map(|hash| crate::storage::keys::blob(hash))
    }
}

/// What the catalog holds of one site: the catalog of a replica is made of these.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PublishedSite {
    pub id: String,
    /// The site's folder relative to the archive root.
    pub folder: String,
    pub content_hash: String,
    pub record_hash: String,
    pub summary: SiteSummary,
}

/// The same, borrowed from the writer's catalog (serialised exactly like [`PublishedSite`]).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SiteRef<'a> {
    pub id: &'a str,
    pub folder: &'a str,
    pub content_hash: &'a str,
    pub record_hash: &'a str,
    pub summary: &'a SiteSummary,
}

/// Logical paths in a generation: `sites/<id>.json` for catalog entries, `archive/…` and
/// `index/…` for files below those roots.
pub mod paths {
    pub const SITES: &str = "sites/";
    pub const ARCHIVE: &str = "archive/";
    pub const INDEX: &str = "index/";
    /// The tantivy file that names the index's segments: placed last, so a reader never sees a
    /// segment list whose files are missing.
    pub const TANTIVY_META: &str = "index/tantivy/meta.json";

    pub fn site(id: &str) -> String {
        format!("{SITES}{id}.json")
    }

    /// Whether a path from a generation (read from storage) is one Disan writes: a known root,
    /// then plain relative components.
    pub fn is_valid(path: &str) -> bool {
        let rest = [SITES, ARCHIVE, INDEX]
            .iter()
            .find_map(|root| path.strip_prefix(root));
        rest.is_some_and(|rest| crate::record::validate::check_photo_path(rest).is_ok())
    }
}

/// Which bucket holds the small file `path`.
pub fn bucket_of(path: &str, buckets: usize) -> usize {
    let hash = blake3::hash(path.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&hash.as_bytes()[..8]);
    (u64::from_le_bytes(first) % buckets.max(1) as u64) as usize
}

/// How many buckets for `entries` small files: about 256 files a bundle, a power of two, so
/// that the count changes (and everything is bundled again) only when the archive has grown
/// or shrunk several-fold.
pub fn bucket_count(entries: usize) -> usize {
    (entries / 256).next_power_of_two().clamp(16, 65_536)
}

/// Files stored in a bundle: at most this size; bigger ones are stored one object each.
pub const SMALL_FILE: u64 = 256 * 1024;

/// A bundle's bytes: a tar of its files in path order, with fixed metadata, so the same files
/// always make the same bytes (and the same key).
pub fn write_bundle(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, std::io::Error> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, bytes) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_entry_type(tar::EntryType::Regular);
        builder.append_data(&mut header, path, bytes.as_slice())?;
    }
    builder.into_inner()
}

/// The files of a bundle; a path Disan would not write is an error (the bucket is shared
/// infrastructure, but a replica still never writes outside its folders).
pub fn read_bundle(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, SnapshotError> {
    let mut archive = tar::Archive::new(bytes);
    let mut files = Vec::new();
    let bad = |why: String| SnapshotError::Corrupt(why);
    for entry in archive.entries().map_err(|e| bad(e.to_string()))? {
        let mut entry = entry.map_err(|e| bad(e.to_string()))?;
        let path = entry
            .path()
            .map_err(|e| bad(e.to_string()))?
            .to_string_lossy()
            .into_owned();
        if !paths::is_valid(&path) {
            return Err(bad(format!("a bundle names `{path}`")));
        }
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        std::io::Read::read_to_end(&mut entry, &mut bytes).map_err(|e| bad(e.to_string()))?;
        files.push((path, bytes));
    }
    Ok(files)
}

pub fn hash(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("{path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("the published generation is unreadable: {0}")]
    Corrupt(String),
    #[error(
        "generation {number} has format {format}; this Disan reads format {FORMAT} — update this server"
    )]
    Format { number: u64, format: u32 },
    #[error(
        "{0} is not a replica's folder but holds files: a replica needs its own folders (empty, or used by a replica before)"
    )]
    NotAMirror(std::path::PathBuf),
}

pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> SnapshotError + '_ {
    move |source| SnapshotError::Io {
        path: path.to_owned(),
        source,
    }
}

#[cfg(test)]
mod tests;
