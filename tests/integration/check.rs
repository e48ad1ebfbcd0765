//! `disan check`: every mistake reported in one run, in `path: what — hint` form.

use crate::util::{disan, fixture, repo};

#[test]
fn clean_archive_passes() {
    let dir = tempfile::tempdir().unwrap();
    disan(dir.path())
        .args(["check", "--archive"])
        .arg(fixture("valid"))
        .assert()
        .success()
        .stdout("");
}

#[test]
fn bundled_archive_passes() {
    let dir = tempfile::tempdir().unwrap();
    let out = disan(dir.path())
        .args(["check", "--archive"])
        .arg(repo().join("archive"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(!stdout.contains("error"), "{stdout}");
    let sites: usize = stderr
        .split(": ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(
        sites >= 30,
        "the bundled archive has {sites} sites: {stderr}"
    );
}

#[test]
fn every_mistake_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let out = disan(dir.path())
        .args(["check", "--archive"])
        .arg(fixture("invalid"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let expected = [
        "bad-id/site.json: `id` `Chùa Bái Đính` is not a slug of a-z, 0-9 and single dashes — did you mean `chua-bai-dinh`?",
        "broken-json/site.json: invalid JSON at line 4, column 3: expected `,` or `}` — look for a missing comma, quote or bracket just before that point",
        "missing-id/site.json: `id` is missing — every site.json needs `schema_version` (1), `id` and `name`",
        "missing-name/site.json: `name` is missing — every site.json needs `schema_version` (1), `id` and `name`",
        "missing-photo/site.json: `photos[1].file` photo `photos/p3.jpg` listed in site.json is missing — did you mean `photos/P3.JPG`?",
        "missing-photo/photos/P3.JPG: warning: is in the site folder but not listed in site.json — add it to `photos` with its author and licence, or move it out",
        "nested/dup-b/site.json: `id` `den-thai-vi` is also the id of dup-a/site.json — ids are public URLs and must be unique: rename one of them",
        "outside-vietnam/site.json: `location.lat/lon` 106.09, 20.09 is outside Vietnam — latitude and longitude look swapped",
        "unknown-field/site.json: `levle` unknown field at line 5, column 9 — did you mean `level`?",
        "unlisted-photo/forgotten.jpg: warning: is in the site folder but not listed in site.json — add it to `photos` with its author and licence, or move it out",
    ];
    for line in expected {
        assert!(
            stdout.lines().any(|l| l == line),
            "missing line:\n{line}\nin:\n{stdout}"
        );
    }
    assert_eq!(
        stdout.lines().count(),
        expected.len(),
        "unexpected extra lines:\n{stdout}"
    );
}

#[test]
fn check_writes_nothing() {
    let copy = crate::util::copy_of(&fixture("invalid"));
    let before = snapshot(copy.path());
    disan(copy.path()).arg("check").assert().code(1);
    assert_eq!(snapshot(copy.path()), before);
}

fn snapshot(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect()
}
