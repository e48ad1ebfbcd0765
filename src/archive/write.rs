//! Writing into the archive without ever leaving a half-written file.
//!
//! Every write goes to a temporary file in the destination folder, is flushed to disk, and is
//! then renamed over the target: on POSIX file systems the rename is atomic, so a reader (or a
//! restart after a crash) sees either the old file or the new one. The folder is synced too, so
//! the rename itself survives a power cut.

use std::io::Write;
use std::path::Path;

use crate::layout::ArchiveLayout;
use crate::record::SiteRecord;

/// Temporary files are named `.tmp-<pid>-…` after the process writing them, so a leftover of a
/// process that was killed mid-write can be told from a write under way ([`sweep_leftovers`]).
fn temp_prefix() -> String {
    format!(".tmp-{}-", std::process::id())
}

/// Replaces `path` with `bytes` atomically, creating parent folders as needed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(&temp_prefix())
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir);
    Ok(())
}

/// Replaces `path` with `bytes` through a temporary file and a rename, without waiting for the
/// disk: for derived files (trip packs) that are named by their content and checked by size
/// when next used, so a power cut costs a rebuild of one file, never a wrong one served.
/// Thousands of them are written per build, and a sync each would take most of its time.
pub fn write_derived(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Removes from `dir` the temporary files of writes whose process no longer runs (killed
/// mid-write: the target kept its old content, or the write was repeated). Returns how many.
/// Where running processes cannot be listed (no `/proc`), nothing is removed.
pub fn sweep_leftovers(dir: &Path) -> usize {
    if !Path::new("/proc/self").exists() {
        return 0;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(".tmp-")
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let gone = pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists();
        if gone
            && entry.file_type().is_ok_and(|t| t.is_file())
            && std::fs::remove_file(entry.path()).is_ok()
        {
            removed += 1;
        }
    }
    removed
}

/// Writes a record as the canonical `site.json` of `site_dir`.
pub fn write_record(site_dir: &Path, record: &SiteRecord) -> std::io::Result<()> {
    write_atomic(
        &ArchiveLayout::site_file(site_dir),
        record.to_json().as_bytes(),
    )
}

fn sync_dir(dir: &Path) {
    // Best effort: some file systems (and Windows) cannot open a directory for syncing; the
    // data itself is already durable, only the name could be lost by a power cut.
    if let Ok(handle) = std::fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftovers_of_a_dead_writer_are_swept_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        // A pid far above any this machine hands out: its writer is gone.
        std::fs::write(dir.path().join(".tmp-4000000000-abc"), b"half").unwrap();
        let live = format!("{}x", temp_prefix());
        std::fs::write(dir.path().join(&live), b"being written").unwrap();
        std::fs::write(dir.path().join("photo.jpg"), b"kept").unwrap();
        let expected = usize::from(Path::new("/proc/self").exists());
        assert_eq!(sweep_leftovers(dir.path()), expected);
        assert!(dir.path().join(&live).exists() && dir.path().join("photo.jpg").exists());
    }

    #[test]
    fn replaces_atomically_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/site.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("site.json")]);
    }
}
