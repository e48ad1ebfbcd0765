//! Whole records, read from the archive when a page needs more than a site's summary — its own
//! page, its JSON, the correction form — and kept in a bounded cache.
//!
//! The catalog holds summaries only, so a server's memory grows with what lists show rather than
//! with every description in the archive. A record is read from its `site.json` (the archive is
//! the source of truth) and remembered under the site's content hash, so a published change is
//! never answered from an older copy; the least recently used records are forgotten first.

use std::path::Path;
use std::sync::Arc;

use crate::archive;
use crate::record::{Problem, SiteRecord};

/// How many parsed records are kept: the pages most visited plus room for a crawler's pass.
const KEPT: usize = 4_096;

/// A record that cannot be read back from the archive (removed or broken after the last ingest).
#[derive(Debug, thiserror::Error)]
#[error("{file}: {problem}")]
pub struct UnreadableRecord {
    pub file: String,
    pub problem: Problem,
}

/// Parsed records by site id and content hash.
pub struct RecordCache {
    kept: quick_cache::sync::Cache<(String, String), Arc<SiteRecord>>,
}

impl Default for RecordCache {
    fn default() -> Self {
        RecordCache {
            kept: quick_cache::sync::Cache::new(KEPT),
        }
    }
}

impl std::fmt::Debug for RecordCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordCache")
            .field("kept", &self.kept.len())
            .finish()
    }
}

impl RecordCache {
    /// The record of the site `id` at version `content_hash`, read from `dir` the first time.
    pub fn get(
        &self,
        id: &str,
        content_hash: &str,
        dir: &Path,
    ) -> Result<Arc<SiteRecord>, UnreadableRecord> {
        let key = (id.to_owned(), content_hash.to_owned());
        if let Some(record) = self.kept.get(&key) {
            return Ok(record);
        }
        let entry = archive::read_site(dir.to_path_buf());
        let file = entry.file().display().to_string();
        let record = Arc::new(
            entry
                .record
                .map_err(|problem| UnreadableRecord { file, problem })?,
        );
        self.kept.insert(key, record.clone());
        Ok(record)
    }

    /// Remembers a record just written (an approval), so its first view reads nothing.
    pub fn put(&self, id: &str, content_hash: &str, record: Arc<SiteRecord>) {
        self.kept
            .insert((id.to_owned(), content_hash.to_owned()), record);
    }
}
