//! Staged uploads: the bytes of a photo while they arrive, before they belong to a submission.
//!
//! A [`StagedUpload`] is a file in the private staging folder, written chunk by chunk as the
//! request body arrives and hashed (blake3) on the way. Its `Drop` deletes the file unless the
//! inbox has moved it into a submission, so an upload cut off half-way — the connection drops,
//! the size limit is hit, the image turns out to be corrupt — leaves nothing behind. Only a
//! killed process can strand a staged file; [`clean_stale`] removes those at the next start.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::InboxError;

/// An upload being received. Write the body into it, then hand it to
/// [`Inbox::add_photo`](super::Inbox::add_photo).
#[derive(Debug)]
pub struct StagedUpload {
    path: PathBuf,
    file: Option<File>,
    hasher: blake3::Hasher,
    len: u64,
    max_bytes: u64,
    committed: bool,
}

impl StagedUpload {
    /// A new empty staged file in `dir`, refusing to grow beyond `max_bytes`.
    pub(super) fn create(dir: &Path, max_bytes: u64) -> Result<StagedUpload, InboxError> {
        let io = |source| InboxError::Io {
            path: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        // `keep` turns off tempfile's own deletion: ours (in Drop) also covers `commit`.
        let (file, path) = tempfile::Builder::new()
            .prefix("upload-")
            .suffix(".part")
            .tempfile_in(dir)
            .map_err(io)?
            .keep()
            .map_err(|e| io(e.error))?;
        Ok(StagedUpload {
            path,
            file: Some(file),
            hasher: blake3::Hasher::new(),
            len: 0,
            max_bytes,
            committed: false,
        })
    }

    /// Takes over a file that was received elsewhere (a resumable upload, whole at last): its
    /// hash is computed from the disk, and from now on it is deleted on drop like any other
    /// staged upload unless committed.
    pub(super) fn adopt(path: PathBuf, max_bytes: u64) -> Result<StagedUpload, InboxError> {
        let io = |source| InboxError::Io {
            path: path.clone(),
            source,
        };
        let mut file = File::open(&path).map_err(io)?;
        let mut hasher = blake3::Hasher::new();
        let len = std::io::copy(&mut file, &mut hasher).map_err(io)?;
        let staged = StagedUpload {
            path: path.clone(),
            file: Some(
                std::fs::OpenOptions::new()
                    .append(true)
                    .open(&path)
                    .map_err(io)?,
            ),
            hasher,
            len,
            max_bytes,
            committed: false,
        };
        if len > max_bytes {
            return Err(InboxError::TooLarge { limit: max_bytes });
        }
        Ok(staged)
    }

    /// Appends a chunk of the body. Over the size limit the upload is refused (and, once
    /// dropped, removed) before the extra bytes touch the disk.
    pub fn write(&mut self, chunk: &[u8]) -> Result<(), InboxError> {
        let len = self.len + chunk.len() as u64;
        if len > self.max_bytes {
            return Err(InboxError::TooLarge {
                limit: self.max_bytes,
            });
        }
        let file = self.file.as_mut().ok_or(InboxError::UploadClosed)?;
        file.write_all(chunk).map_err(|source| InboxError::Io {
            path: self.path.clone(),
            source,
        })?;
        self.hasher.update(chunk);
        self.len = len;
        Ok(())
    }

    /// Bytes received so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The blake3 hash of the bytes received so far, hex.
    pub fn hash(&self) -> String {
        self.hasher.finalize().to_hex().to_string()
    }

    /// Where the bytes are, for reading them back to validate.
    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes the bytes to disk and moves them to `dest` (same file system: a rename), after
    /// which Drop no longer deletes anything.
    pub(super) fn commit(mut self, dest: &Path) -> Result<(), InboxError> {
        let io = |path: &Path, source| InboxError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(file) = self.file.take() {
            file.sync_all().map_err(|e| io(&self.path, e))?;
        }
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        }
        std::fs::rename(&self.path, dest).map_err(|e| io(dest, e))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for StagedUpload {
    fn drop(&mut self) {
        if !self.committed {
            self.file.take();
            // Nothing to report to: the file is in a private folder and clean_stale sweeps
            // whatever this misses.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Removes staged files last modified more than `max_age` before `now`: uploads stranded by a
/// killed process, and scratch folders of validations cut short. Returns how many were removed.
pub fn clean_stale(dir: &Path, max_age: Duration, now: SystemTime) -> Result<usize, InboxError> {
    clean_stale_matching(dir, "", max_age, now)
}

/// [`clean_stale`] limited to names starting with `prefix`.
pub fn clean_stale_matching(
    dir: &Path,
    prefix: &str,
    max_age: Duration,
    now: SystemTime,
) -> Result<usize, InboxError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(source) => {
            return Err(InboxError::Io {
                path: dir.to_path_buf(),
                source,
            });
        }
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if !entry.file_name().to_string_lossy().starts_with(prefix) {
            continue;
        }
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|modified| now.duration_since(modified).unwrap_or_default() > max_age);
        if !stale {
            continue;
        }
        // Folders are the scratch space of a validation cut short.
        let result = if entry.file_type().is_ok_and(|t| t.is_dir()) {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        result.map_err(|source| InboxError::Io { path, source })?;
        removed += 1;
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &Path) -> usize {
        std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
    }

    #[test]
    fn dropped_without_commit_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut upload = StagedUpload::create(dir.path(), 10).unwrap();
        upload.write(b"12345").unwrap();
        assert_eq!(files(dir.path()), 1);
        assert!(matches!(
            upload.write(b"678901"),
            Err(InboxError::TooLarge { limit: 10 })
        ));
        assert_eq!(upload.len(), 5);
        drop(upload);
        assert_eq!(files(dir.path()), 0);
    }

    #[test]
    fn committed_uploads_are_moved_whole() {
        let dir = tempfile::tempdir().unwrap();
        let mut upload = StagedUpload::create(&dir.path().join("staging"), 100).unwrap();
        upload.write(b"abc").unwrap();
        upload.write(b"def").unwrap();
        assert_eq!(upload.hash(), blake3::hash(b"abcdef").to_hex().to_string());
        let dest = dir.path().join("inbox/x/photos/a.jpg");
        upload.commit(&dest).unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"abcdef");
        assert_eq!(files(&dir.path().join("staging")), 0);
    }

    #[test]
    fn stale_files_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        let upload = StagedUpload::create(dir.path(), 100).unwrap();
        // Simulate a killed process: the guard never runs.
        std::mem::forget(upload);
        let now = SystemTime::now();
        assert_eq!(
            clean_stale(dir.path(), Duration::from_secs(3600), now).unwrap(),
            0
        );
        let later = now + Duration::from_secs(7200);
        assert_eq!(
            clean_stale(dir.path(), Duration::from_secs(3600), later).unwrap(),
            1
        );
        assert_eq!(files(dir.path()), 0);
        assert_eq!(
            clean_stale(&dir.path().join("none"), Duration::ZERO, now).unwrap(),
            0
        );
    }
}
