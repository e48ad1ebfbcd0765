//! A full disk: uploads, approvals and ingest fail with a message that says so, leave every
//! file whole, and work again once space is back. The archive and index live on a small tmpfs
//! (mounting one needs root, as CI has; elsewhere the test says it is skipped).

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::Utc;
use disan::archive::inbox::{PhotoDetails, Proposal};
use disan::ingest::{IngestOptions, ingest};
use disan::layout::{ArchiveLayout, IndexLayout};
use disan::web::AppState;

use crate::moderate_fixture::{gps_jpeg, proposed_record, public_files};
use crate::util;

/// A tmpfs mounted for the test, unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(megabytes: u32) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(Tmpfs { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

/// Fills the file system until less than `leave` bytes are free; returns the filler.
fn fill(dir: &Path, leave: u64) -> PathBuf {
    let filler = dir.join("filler");
    let mut file = std::fs::File::create(&filler).unwrap();
    let block = vec![7u8; 1024 * 1024];
    loop {
        let free = free_bytes(dir);
        if free <= leave {
            break;
        }
        let mut todo = free - leave;
        while todo > 0 {
            let n = block.len().min(todo as usize);
            if std::io::Write::write_all(&mut file, &block[..n]).is_err() {
                return filler;
            }
            todo -= n as u64;
        }
    }
    let _ = file.sync_all();
    filler
}

fn free_bytes(dir: &Path) -> u64 {
    let out = Command::new("df")
        .args(["--output=avail", "-B1"])
        .arg(dir)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(0)
}

/// Every JSON file of the tree parses (nothing was left half-written).
fn all_json_whole(root: &Path) {
    for entry in walkdir::WalkDir::new(root).into_iter().flatten() {
        let path = entry.path();
        let name = path.to_string_lossy();
        if name.ends_with(".json") {
            let bytes = std::fs::read(path).unwrap();
            serde_json::from_slice::<serde_json::Value>(&bytes)
                .unwrap_or_else(|e| panic!("{name} is damaged: {e}"));
        } else if name.ends_with(".jsonl") {
            for line in std::fs::read_to_string(path).unwrap().lines() {
                serde_json::from_str::<serde_json::Value>(line)
                    .unwrap_or_else(|e| panic!("{name} is damaged: {e}"));
            }
        }
    }
}

#[test]
fn a_full_disk_fails_clearly_corrupts_nothing_and_recovers() {
    let Some(disk) = Tmpfs::mount(48) else {
        eprintln!("skipping a_full_disk_…: cannot mount a tmpfs here (it needs root)");
        return;
    };
    let root = disk.path();
    util::copy_tree(&util::repo().join("archive"), &root.join("archive"));
    let archive = ArchiveLayout::new(root.join("archive"));
    let index = IndexLayout::new(root.join("index"));
    ingest(&archive, &index, &IngestOptions::default()).unwrap();
    let state = AppState::open(&archive, &index, None).unwrap();
    state.start_updates().unwrap();
    // A pending submission with a photo, to approve while the disk is full.
    let proposal = Proposal::NewSite {
        record: proposed_record("Miếu Đĩa Đầy"),
    };
    let pending = state
        .inbox
        .submit("volunteer", proposal, Utc::now())
        .unwrap();
    let photo = gps_jpeg(20.2510, 105.9750, 5);
    let details = || PhotoDetails {
        original_name: "IMG_0005.JPG".into(),
        caption: None,
        author: "Lan".into(),
        license: "CC0-1.0".into(),
    };
    let mut staged = state.inbox.stage().unwrap();
    staged.write(&photo).unwrap();
    state
        .inbox
        .add_photo(&pending.id, staged, details(), Utc::now())
        .unwrap();
    let public_before = public_files(&state);
    let inbox_before = state.inbox.get(&pending.id).unwrap();

    let filler = fill(root, 16 * 1024);
    eprintln!("disk full: {} bytes free", free_bytes(root));

    // An upload: refused, with the disk named; nothing of it stays.
    let big = crate::web_fixture::photo_like_jpeg(2400, 1800, 9);
    let upload = state.inbox.stage().and_then(|mut staged| {
        staged.write(&big)?;
        state
            .inbox
            .add_photo(&pending.id, staged, details(), Utc::now())
    });
    let err = upload.expect_err("an upload onto a full disk");
    let message = err.to_string();
    eprintln!("upload: {message}");
    assert!(message.contains("disk space"), "{message}");
    assert_eq!(state.inbox.get(&pending.id).unwrap(), inbox_before);
    let staging = archive.staging_dir();
    let left: Vec<_> = std::fs::read_dir(&staging)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "staged files left: {left:?}");

    // An approval: refused, nothing public written, the submission still pending.
    let err = state
        .moderation
        .approve(&pending.id, "moderator", None, Utc::now())
        .expect_err("an approval onto a full disk");
    let message = err.to_string();
    eprintln!("approval: {message}");
    assert!(message.contains("disk space"), "{message}");
    assert_eq!(public_files(&state), public_before);
    assert_eq!(
        state.inbox.get(&pending.id).unwrap().status,
        disan::archive::inbox::Status::Pending
    );

    // An ingest with a new photo to render: a problem reported, the old index still serving.
    let site_dir = archive.root().join("ninh-binh/den-thai-vi");
    let mut record = disan::record::SiteRecord::from_json(
        &std::fs::read_to_string(ArchiveLayout::site_file(&site_dir)).unwrap(),
    )
    .unwrap();
    std::fs::remove_file(&filler).unwrap();
    std::fs::create_dir_all(site_dir.join("photos")).unwrap();
    std::fs::write(site_dir.join("photos/moi.jpg"), &big).unwrap();
    record.photos.push(disan::record::Photo {
        file: "photos/moi.jpg".into(),
        caption: None,
        caption_en: None,
        author: Some("Lan".into()),
        license: Some("CC0-1.0".into()),
        date_taken: None,
        lat: None,
        lon: None,
    });
    disan::archive::write_record(&site_dir, &record).unwrap();
    let filler = fill(root, 16 * 1024);
    drop(state);
    let outcome = ingest(&archive, &index, &IngestOptions::default());
    let said = match &outcome {
        Ok(report) => report.problems.join("\n"),
        Err(err) => err.to_string(),
    };
    eprintln!("ingest: {said}");
    assert!(
        said.contains("space") || said.contains("disk"),
        "the ingest does not say the disk is full: {said}"
    );
    let search = disan::search::open(index.tantivy()).unwrap();
    assert!(search.num_sites() > 0, "the old index still serves");
    all_json_whole(root);

    // Space is back: the same three work.
    std::fs::remove_file(&filler).unwrap();
    drop(search);
    let report = ingest(&archive, &index, &IngestOptions::default()).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.photos_rendered, 1);
    let state = AppState::open(&archive, &index, None).unwrap();
    let mut staged = state.inbox.stage().unwrap();
    staged.write(&big).unwrap();
    state
        .inbox
        .add_photo(&pending.id, staged, details(), Utc::now())
        .unwrap();
    state
        .moderation
        .approve(&pending.id, "moderator", None, Utc::now())
        .unwrap();
    all_json_whole(root);
}
