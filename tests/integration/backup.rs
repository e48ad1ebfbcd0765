//! The backup drill: back up while volunteers submit and moderators approve, verify, wipe,
//! restore, rebuild the index, and compare every file.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use disan::backup;
use disan::ingest::{IngestOptions, ingest};
use disan::layout::{ArchiveLayout, IndexLayout};

use crate::contrib_fixture::fresh;
use crate::moderate_fixture::new_site;
use crate::util;

#[test]
fn backup_under_load_then_wipe_restore_and_rebuild() {
    let c = fresh();
    let state = c.state.clone();
    let stop = Arc::new(AtomicBool::new(false));
    let approved = Arc::new(AtomicUsize::new(0));
    let load = {
        let (state, stop, approved) = (state.clone(), stop.clone(), approved.clone());
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) && n < 200 {
                n += 1;
                let (submission, _) = new_site(&state, &format!("Miếu Sao Lưu {n}"));
                let applied = state
                    .moderation
                    .approve(&submission.id, "moderator", None, chrono::Utc::now())
                    .unwrap();
                disan::web::moderate::publish::publish(&state, &applied);
                approved.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    while approved.load(Ordering::SeqCst) < 2 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("backup");
    let report = backup::backup(&state.archive, &dest).unwrap();
    let during = approved.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    load.join().unwrap();
    assert!(report.files > 50, "{report:?}");
    assert!(
        approved.load(Ordering::SeqCst) > 2,
        "approvals ran during the backup ({during} before it ended)"
    );

    // The copy matches its manifest and holds no half-applied approval.
    let manifest = backup::verify(&dest).unwrap();
    assert!(manifest.files.contains_key(".disan/users.json"));
    assert!(manifest.files.keys().any(|k| k.starts_with("inbox/")));
    assert!(!manifest.files.keys().any(|k| k.ends_with(".lock")));

    // A damaged backup is caught.
    let some = manifest
        .files
        .keys()
        .find(|k| k.ends_with("site.json"))
        .unwrap();
    let damaged = out.path().join("damaged");
    util::copy_tree(&dest, &damaged);
    std::fs::write(damaged.join("archive").join(some), b"{}").unwrap();
    assert!(matches!(
        backup::verify(&damaged),
        Err(backup::BackupError::Mismatch { .. })
    ));

    // Wipe, restore, rebuild, compare.
    drop(c);
    let restored = out.path().join("restored/archive");
    backup::restore(&dest, &restored).unwrap();
    for (rel, entry) in &manifest.files {
        let bytes = std::fs::read(restored.join(rel)).unwrap();
        assert_eq!(bytes.len() as u64, entry.bytes, "{rel}");
        assert_eq!(
            blake3::hash(&bytes).to_hex().to_string(),
            entry.blake3,
            "{rel}"
        );
    }
    let restored_files = walkdir::WalkDir::new(&restored)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .count();
    assert_eq!(restored_files, manifest.files.len());
    let archive = ArchiveLayout::new(&restored);
    let index = IndexLayout::new(out.path().join("restored/index"));
    let rebuilt = ingest(
        &archive,
        &index,
        &IngestOptions {
            rebuild: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(rebuilt.problems.is_empty(), "{:?}", rebuilt.problems);
    let sites = manifest
        .files
        .keys()
        .filter(|k| k.ends_with("/site.json"))
        .count();
    assert_eq!(rebuilt.sites, sites);
    // Restoring over an archive is refused.
    assert!(matches!(
        backup::restore(&dest, &restored),
        Err(backup::BackupError::ArchiveExists { .. })
    ));
}

#[test]
fn the_commands_back_up_verify_and_restore() {
    let work = util::copy_of(&util::repo().join("archive"));
    let dir = work.path();
    util::disan(dir)
        .args(["--archive", "archive", "backup", "saved"])
        .assert()
        .success();
    util::disan(dir)
        .args(["backup", "--verify", "saved"])
        .assert()
        .success();
    util::disan(dir)
        .args(["--archive", "archive", "backup", "saved"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("is not empty"));
    std::fs::write(dir.join("saved/archive/stray.txt"), "x").unwrap();
    util::disan(dir)
        .args(["backup", "--verify", "saved"])
        .assert()
        .failure()
        .stdout(predicates::str::contains(
            "stray.txt: not in the backup's manifest",
        ));
    std::fs::remove_file(dir.join("saved/archive/stray.txt")).unwrap();
    util::disan(dir)
        .args(["--archive", "again", "restore", "saved"])
        .assert()
        .success()
        .stderr(predicates::str::contains("disan ingest --rebuild"));
    util::disan(dir)
        .args(["--archive", "again", "check"])
        .assert()
        .success();
}
