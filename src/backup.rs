//! Backups of the archive: a consistent copy taken while the server runs, checked against its
//! own manifest, and put back.
//!
//! The archive — sites, photos, histories, the inbox and the private state (accounts, sessions)
//! — is everything; the index is derived and rebuilt after a restore. A backup is a folder:
//! `archive/` (the copy) and `backup.json` (every file with its size and blake3 hash, written
//! last: a folder without it is an unfinished backup).
//!
//! Consistency without stopping the server comes from two passes. The first copies everything
//! while the site keeps working. The second holds the locks every writer of shared state takes
//! — moderation (so no approval or revert is half-applied in the copy), the accounts and the
//! sessions — and copies again only what changed since, which takes moments. Within it the
//! JSON that lists files (`site.json`, `submission.json`, histories) is copied before the files
//! it lists, and writers add a file before listing it, so a listed photo is always in the copy.
//! Temporary files of atomic writes, lock files and half-received uploads are left out.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::archive::{FileLock, lock_exclusive};
use crate::layout::ArchiveLayout;

/// The manifest's name inside a backup folder.
pub const MANIFEST: &str = "backup.json";
/// The copy's folder inside a backup folder.
pub const ARCHIVE_DIR: &str = "archive";

/// What a backup holds, written last.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub created: DateTime<Utc>,
    /// Path relative to the archive (with `/`) → size and blake3.
    pub files: BTreeMap<String, FileEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    pub bytes: u64,
    pub blake3: String,
}

/// What a backup or a restore did.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub files: usize,
    pub bytes: u64,
    /// Files copied again in the second pass (changed while the first ran).
    pub recopied: usize,
    pub seconds: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{}: {source} — check the path, the permissions and the free space", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not empty — back up into a new folder (a backup never overwrites one)", path.display())]
    NotEmpty { path: PathBuf },
    #[error("{}: no {MANIFEST} — this is not a finished backup (it may have been cut short)", path.display())]
    NoManifest { path: PathBuf },
    #[error("{}: {MANIFEST} is damaged ({source})", path.display())]
    BadManifest {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("the backup does not match its manifest: {} — take a new backup", problems.join("; "))]
    Mismatch { problems: Vec<String> },
    #[error("{} already holds an archive — restore into an empty or new folder, or move it aside first", path.display())]
    ArchiveExists { path: PathBuf },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Copies the archive into the new folder `dest`, consistently, while writers may be running.
pub fn backup(archive: &ArchiveLayout, dest: &Path) -> Result<Report, BackupError> {
    let started = std::time::Instant::now();
    if std::fs::read_dir(dest).is_ok_and(|mut d| d.next().is_some()) {
        return Err(BackupError::NotEmpty {
            path: dest.to_path_buf(),
        });
    }
    let copy = dest.join(ARCHIVE_DIR);
    std::fs::create_dir_all(&copy).map_err(io(&copy))?;
    let mut copied: BTreeMap<String, (Stamp, FileEntry)> = BTreeMap::new();
    let mut report = Report::default();
    sync_pass(archive.root(), &copy, &mut copied, &mut report)?;
    {
        let _held = writers_locks(archive)?;
        let before = report.files;
        sync_pass(archive.root(), &copy, &mut copied, &mut report)?;
        report.recopied = report.files - before;
    }
    let manifest = Manifest {
        created: Utc::now(),
        files: copied.into_iter().map(|(k, (_, e))| (k, e)).collect(),
    };
    report.files = manifest.files.len();
    report.bytes = manifest.files.values().map(|e| e.bytes).sum();
    let path = dest.join(MANIFEST);
    let text = serde_json::to_vec_pretty(&manifest).expect("the manifest serialises");
    crate::archive::write_atomic(&path, &text).map_err(io(&path))?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Checks a backup: every file of the manifest present with its size and hash, nothing else,
/// and the copy consistent (every photo a record or a submission lists is there). Returns
/// the manifest.
pub fn verify(dest: &Path) -> Result<Manifest, BackupError> {
    let manifest = read_manifest(dest)?;
    let copy = dest.join(ARCHIVE_DIR);
    let mut problems = Vec::new();
    for (rel, entry) in &manifest.files {
        let path = copy.join(rel);
        match hash_file(&path) {
            Ok(found) if found == *entry => {}
            Ok(_) => problems.push(format!("{rel}: changed since the backup")),
            Err(_) => problems.push(format!("{rel}: missing")),
        }
    }
    for rel in files_under(&copy)? {
        if !manifest.files.contains_key(&rel) {
            problems.push(format!("{rel}: not in the backup's manifest"));
        }
    }
    problems.extend(consistency_problems(&ArchiveLayout::new(&copy)));
    if problems.is_empty() {
        Ok(manifest)
    } else {
        Err(BackupError::Mismatch { problems })
    }
}

/// Puts a verified backup back as the archive at `archive` (which must not hold one), through
/// a temporary folder renamed into place. The index is not part of a backup: rebuild it with
/// `disan ingest --rebuild`.
pub fn restore(backup: &Path, archive: &Path) -> Result<Report, BackupError> {
    let started = std::time::Instant::now();
    let manifest = verify(backup)?;
    if std::fs::read_dir(archive).is_ok_and(|mut d| d.next().is_some()) {
        return Err(BackupError::ArchiveExists {
            path: archive.to_path_buf(),
        });
    }
    let parent = archive
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io(parent))?;
    let staging = tempfile::Builder::new()
        .prefix(".restore-")
        .tempdir_in(parent)
        .map_err(io(parent))?;
    let mut report = Report::default();
    for (rel, entry) in &manifest.files {
        let from = backup.join(ARCHIVE_DIR).join(rel);
        let to = staging.path().join(rel);
        copy_file(&from, &to)?;
        report.files += 1;
        report.bytes += entry.bytes;
    }
    if archive.exists() {
        std::fs::remove_dir(archive).map_err(io(archive))?;
    }
    let staged = staging.keep();
    std::fs::rename(&staged, archive).map_err(io(archive))?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

pub fn read_manifest(dest: &Path) -> Result<Manifest, BackupError> {
    let path = dest.join(MANIFEST);
    let bytes = std::fs::read(&path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => BackupError::NoManifest {
            path: dest.to_path_buf(),
        },
        _ => BackupError::Io {
            path: path.clone(),
            source,
        },
    })?;
    serde_json::from_slice(&bytes).map_err(|source| BackupError::BadManifest { path, source })
}

/// Size and modification time: what says a file changed between the passes.
type Stamp = (u64, Option<std::time::SystemTime>);

/// Copies every file of `root` whose stamp differs from the last copy, lists first, and
/// removes from the copy what no longer exists.
fn sync_pass(
    root: &Path,
    copy: &Path,
    copied: &mut BTreeMap<String, (Stamp, FileEntry)>,
    report: &mut Report,
) -> Result<(), BackupError> {
    let mut files = files_under(root)?;
    // Lists (site.json, submission.json, history.jsonl, users.json, sessions.jsonl) before
    // the files they list.
    files.sort_by_key(|rel| {
        (
            !(rel.ends_with(".json") || rel.ends_with(".jsonl")),
            rel.clone(),
        )
    });
    let present: std::collections::HashSet<&String> = files.iter().collect();
    let gone: Vec<String> = copied
        .keys()
        .filter(|k| !present.contains(k))
        .cloned()
        .collect();
    for rel in gone {
        let _ = std::fs::remove_file(copy.join(&rel));
        copied.remove(&rel);
    }
    for rel in &files {
        let from = root.join(rel);
        let Ok(meta) = std::fs::metadata(&from) else {
            continue; // removed since the listing: the next pass or backup sees it
        };
        let stamp = (meta.len(), meta.modified().ok());
        if copied.get(rel).is_some_and(|(s, _)| *s == stamp) {
            continue;
        }
        let entry = match copy_file(&from, &copy.join(rel)) {
            Ok(entry) => entry,
            Err(BackupError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                continue;
            }
            Err(err) => return Err(err),
        };
        copied.insert(rel.clone(), (stamp, entry));
        report.files += 1;
    }
    Ok(())
}

/// Every file worth keeping under `root`, relative, with `/`: no lock files, no temporaries
/// of atomic writes, no half-received uploads.
fn files_under(root: &Path) -> Result<Vec<String>, BackupError> {
    let staging = root.join(".disan").join("staging");
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(root)
        .into_iter()
        .filter_entry(|e| e.path() != staging)
    {
        let entry = entry.map_err(|e| BackupError::Io {
            path: e.path().map(Path::to_path_buf).unwrap_or_default(),
            source: e
                .into_io_error()
                .unwrap_or_else(|| std::io::Error::other("walk")),
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if name.starts_with(".tmp-") || name.ends_with(".lock") || name == ".lock" {
            continue;
        }
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
        files.push(rel.to_string_lossy().replace('\\', "/"));
    }
    Ok(files)
}

/// Copies one file durably (through a temporary name), returning its size and hash.
fn copy_file(from: &Path, to: &Path) -> Result<FileEntry, BackupError> {
    let dir = to.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut source = std::fs::File::open(from).map_err(io(from))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempfile_in(dir)
        .map_err(io(dir))?;
    let mut hasher = blake3::Hasher::new();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut bytes = 0u64;
    loop {
        let n = std::io::Read::read(&mut source, &mut buffer).map_err(io(from))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        tmp.write_all(&buffer[..n]).map_err(io(to))?;
        bytes += n as u64;
    }
    tmp.as_file().sync_all().map_err(io(to))?;
    tmp.persist(to).map_err(|e| BackupError::Io {
        path: to.to_path_buf(),
        source: e.error,
    })?;
    Ok(FileEntry {
        bytes,
        blake3: hasher.finalize().to_hex().to_string(),
    })
}

fn hash_file(path: &Path) -> std::io::Result<FileEntry> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = blake3::Hasher::new();
    let bytes = std::io::copy(&mut file, &mut hasher)?;
    Ok(FileEntry {
        bytes,
        blake3: hasher.finalize().to_hex().to_string(),
    })
}

/// The locks of every writer of shared state, held together: moderation (approvals and
/// reverts), the accounts and the sessions.
fn writers_locks(archive: &ArchiveLayout) -> Result<Vec<FileLock>, BackupError> {
    [
        archive.moderation_lock(),
        ArchiveLayout::lock_for(&archive.users_file()),
        ArchiveLayout::lock_for(&archive.sessions_journal()),
    ]
    .into_iter()
    .map(|path| lock_exclusive(&path).map_err(io(&path)))
    .collect()
}

/// What would make a restored archive inconsistent: photos listed but missing, approvals whose
/// site or history line is not there.
pub fn consistency_problems(archive: &ArchiveLayout) -> Vec<String> {
    let mut problems = Vec::new();
    let (entries, _) = crate::archive::walk(archive);
    let mut logged = std::collections::HashSet::new();
    for entry in &entries {
        let Ok(record) = &entry.record else { continue };
        for photo in &record.photos {
            let present =
                ArchiveLayout::photo(&entry.dir, &photo.file).is_some_and(|p| p.is_file());
            if !present {
                problems.push(format!(
                    "{}: lists {} but the backup does not have it",
                    archive.display(&entry.file()),
                    photo.file
                ));
            }
        }
        if let Ok(log) = crate::moderation::history::read(&entry.dir) {
            logged.extend(log.into_iter().filter_map(|e| e.submission));
        }
    }
    let inbox = crate::archive::inbox::Inbox::new(archive);
    let (submissions, broken) = inbox.list();
    problems.extend(broken.into_iter().map(|e| e.to_string()));
    for submission in submissions {
        for photo in &submission.photos {
            if !inbox.photo_path(&submission, photo).is_file() {
                problems.push(format!(
                    "inbox/{}: lists photo {} but the backup does not have it",
                    submission.id, photo.hash
                ));
            }
        }
        let approved = submission.status == crate::archive::inbox::Status::Approved;
        if approved && !logged.contains(&submission.id) {
            problems.push(format!(
                "inbox/{}: approved, but no site's history records it (a half-applied approval)",
                submission.id
            ));
        }
    }
    problems
}
