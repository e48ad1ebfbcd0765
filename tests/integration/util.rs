//! Shared test helpers: copies of fixture archives, the `disan` command, the real test data.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// `disan` with a fresh working folder (so no stray `disan.toml` is read) and no `DISAN_*`
/// variables from the caller's environment.
pub fn disan(workdir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("disan").expect("the disan binary is built");
    cmd.current_dir(workdir);
    for var in ["DISAN_ARCHIVE", "DISAN_INDEX", "DISAN_CONFIG"] {
        cmd.env_remove(var);
    }
    cmd
}

/// A copy of a fixture archive in a temporary folder, safe to modify.
pub fn copy_of(src: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(src, &dir.path().join("archive"));
    dir
}

pub fn copy_tree(src: &Path, dst: &Path) {
    for entry in walkdir::WalkDir::new(src) {
        let entry = entry.unwrap();
        let target = dst.join(entry.path().strip_prefix(src).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The real test data named by `DISAN_TESTDATA`, or `None` (with a note) when the variable is
/// unset. Set but missing is a failure: a CI run must not pass by skipping silently.
pub fn testdata(test: &str) -> Option<PathBuf> {
    let Some(dir) = std::env::var_os("DISAN_TESTDATA") else {
        eprintln!(
            "skipping {test}: it needs real data; set DISAN_TESTDATA to the test data folder"
        );
        return None;
    };
    let dir = PathBuf::from(dir);
    assert!(
        dir.join("README.md").is_file(),
        "DISAN_TESTDATA={} does not hold the test data",
        dir.display()
    );
    Some(dir)
}
