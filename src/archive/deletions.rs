//! The record of deletions: which sites left the archive, and when.
//!
//! A site folder removed from the archive disappears from the index at the next ingest, but
//! libraries that harvested it must be told it is gone rather than left holding it for ever
//! (OAI-PMH calls this a *persistent* record of deletions). `deleted.jsonl` at the archive root
//! keeps one line per deleted id, written by ingest when it notices the id has vanished, with
//! the sets the site belonged to so that a harvest of one province hears of it too. Renamed and
//! merged sites need no line: their old ids stay in the surviving record's `former_ids`.
//!
//! The file belongs to the archive: it is history that cannot be derived again once the
//! folders are gone. A line may be edited by hand (to add a `note`); an id that comes back to
//! the archive is simply published again, its old line then ignored.

use std::io::Write;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{lock_exclusive, write_atomic};
use crate::layout::ArchiveLayout;
use crate::record::Problem;

/// One deleted site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deletion {
    pub id: String,
    /// When the deletion was noticed.
    pub at: DateTime<Utc>,
    /// The OAI-PMH sets the site was in (`province:ninh-binh`, …), when they were known.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sets: Vec<String>,
    /// Why, in a person's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Every deletion recorded, in file order, and a problem for each line that is not one (it
/// is skipped, the others kept). No file means no deletions.
pub fn read(layout: &ArchiveLayout) -> (Vec<Deletion>, Vec<Problem>) {
    let text = match std::fs::read_to_string(layout.deletions_file()) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Default::default(),
        Err(err) => {
            let problem = Problem::error(
                "",
                format!("cannot be read: {err}"),
                "check its permissions; it must be UTF-8 text",
            );
            return (Vec::new(), vec![problem]);
        }
    };
    let mut deletions = Vec::new();
    let mut problems = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Deletion>(line) {
            Ok(deletion) => deletions.push(deletion),
            Err(err) => problems.push(Problem::error(
                format!("line {}", i + 1),
                format!("is not a deletion: {err}"),
                r#"each line is {"id": "…", "at": "2026-01-31T08:00:00Z"} with optional "sets" and "note""#,
            )),
        }
    }
    (deletions, problems)
}

/// Adds `new` at the end of the record, atomically and one writer at a time.
pub fn append(layout: &ArchiveLayout, new: &[Deletion]) -> std::io::Result<()> {
    if new.is_empty() {
        return Ok(());
    }
    let _one_writer = lock_exclusive(&layout.deletions_lock())?;
    let path = layout.deletions_file();
    let mut bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(err) => return Err(err),
    };
    if bytes.last().is_some_and(|&b| b != b'\n') {
        bytes.push(b'\n');
    }
    for deletion in new {
        serde_json::to_writer(&mut bytes, deletion)?;
        bytes.write_all(b"\n")?;
    }
    write_atomic(&path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_and_reads_back_reporting_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let layout = ArchiveLayout::new(dir.path());
        assert_eq!(read(&layout).0, vec![]);
        let at = "2026-03-01T00:00:00Z".parse().unwrap();
        let gone = Deletion {
            id: "den-x".into(),
            at,
            sets: vec!["province".into(), "province:ninh-binh".into()],
            note: None,
        };
        append(&layout, std::slice::from_ref(&gone)).unwrap();
        std::fs::write(
            layout.deletions_file(),
            std::fs::read_to_string(layout.deletions_file()).unwrap() + "{\"id\": 3}",
        )
        .unwrap();
        let also = Deletion {
            id: "chua-y".into(),
            at,
            sets: Vec::new(),
            note: Some("merged by hand".into()),
        };
        append(&layout, std::slice::from_ref(&also)).unwrap();
        let (deletions, problems) = read(&layout);
        assert_eq!(deletions, vec![gone, also]);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "line 2");
    }
}
