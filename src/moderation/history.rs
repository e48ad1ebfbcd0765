//! The history of a site: one line of JSON per approved change, in `history.jsonl` beside its
//! `site.json`, never rewritten in place.
//!
//! Each [`HistoryEntry`] says who proposed the change, who approved it, when, and what changed
//! field by field (old and new values), which is what a revert needs. The log lives in the
//! archive with the site, so it is backed up, versioned and published with it; it names
//! accounts, never passwords or addresses. Appending reads the log, adds the line and replaces
//! the file atomically: a crash leaves the old log or the new one, never a torn line.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::FieldChange;
use crate::archive::write_atomic;
use crate::layout::ArchiveLayout;

/// What kind of change an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    NewSite,
    Photos,
    Correction,
    Revert,
}

/// One approved change of one site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryEntry {
    /// Unique id of the change (`20260312T081500-1a2b3c4d`), what a revert names.
    pub change: String,
    pub at: DateTime<Utc>,
    pub action: Action,
    /// The inbox submission this came from (none for a revert).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submission: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_by: Option<String>,
    pub approved_by: String,
    /// An admin approved their own submission (moderators never may).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub self_approved: bool,
    /// The change this entry undid, for a revert.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverts: Option<String>,
    pub changes: Vec<FieldChange>,
}

/// Why a history could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("{}: {source} — check the permissions of the site folder", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: line {line} is damaged ({source}) — restore the file from the archive's backup or version control", path.display())]
    Corrupt {
        path: PathBuf,
        line: usize,
        #[source]
        source: serde_json::Error,
    },
}

/// Every entry of the site's history, oldest first. No file means no history yet.
pub fn read(site_dir: &Path) -> Result<Vec<HistoryEntry>, HistoryError> {
    let path = ArchiveLayout::history_file(site_dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(HistoryError::Io { path, source }),
    };
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            serde_json::from_str(line).map_err(|source| HistoryError::Corrupt {
                path: path.clone(),
                line: i + 1,
                source,
            })
        })
        .collect()
}

/// Adds an entry at the end of the site's history.
pub fn append(site_dir: &Path, entry: &HistoryEntry) -> Result<(), HistoryError> {
    let path = ArchiveLayout::history_file(site_dir);
    let mut bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(source) => return Err(HistoryError::Io { path, source }),
    };
    if !bytes.is_empty() && !bytes.ends_with(b"\n") {
        bytes.push(b'\n');
    }
    serde_json::to_writer(&mut bytes, entry).expect("an entry always serialises");
    bytes.push(b'\n');
    write_atomic(&path, &bytes).map_err(|source| HistoryError::Io { path, source })
}

/// A new change id: time first so ids sort by time, then random so two never clash.
pub fn change_id(now: DateTime<Utc>) -> String {
    let mut random = [0u8; 4];
    // Without OS randomness the nanoseconds still make a clash very unlikely.
    if getrandom::fill(&mut random).is_err() {
        random = now.timestamp_subsec_nanos().to_be_bytes();
    }
    let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{hex}", now.format("%Y%m%dT%H%M%S"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read(dir.path()).unwrap().is_empty());
        let entry = HistoryEntry {
            change: change_id(Utc::now()),
            at: Utc::now(),
            action: Action::Correction,
            submission: Some("20260101-000000-ab".into()),
            submitted_by: Some("lan".into()),
            approved_by: "mai".into(),
            self_approved: false,
            reverts: None,
            changes: vec![FieldChange {
                field: "name".into(),
                old: Some("A".into()),
                new: Some("B".into()),
            }],
        };
        append(dir.path(), &entry).unwrap();
        append(dir.path(), &entry).unwrap();
        assert_eq!(read(dir.path()).unwrap(), vec![entry.clone(), entry]);
        let text = std::fs::read_to_string(dir.path().join("history.jsonl")).unwrap();
        assert_eq!(text.lines().count(), 2);
        std::fs::write(dir.path().join("history.jsonl"), text + "{broken\n").unwrap();
        let err = read(dir.path()).unwrap_err().to_string();
        assert!(err.contains("line 3 is damaged"), "{err}");
    }
}
