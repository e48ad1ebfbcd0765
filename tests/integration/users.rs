//! `disan user add | list | disable`: accounts in the archive's private folder.

use predicates::prelude::*;

use crate::util::disan;

#[test]
fn add_list_disable() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    std::fs::create_dir_all(&archive).unwrap();

    // A generated password is printed alone on stdout.
    let out = disan(dir.path())
        .args(["user", "add", "Lan", "--role", "volunteer"])
        .assert()
        .success()
        .stderr(predicate::str::contains("added lan (volunteer)"))
        .get_output()
        .stdout
        .clone();
    let password = String::from_utf8(out).unwrap().trim().to_owned();
    assert_eq!(password.len(), 23, "{password}");
    let users = disan::accounts::UserStore::new(&disan::layout::ArchiveLayout::new(&archive));
    users.verify("lan", &password).unwrap();

    disan(dir.path())
        .args([
            "user",
            "add",
            "mai",
            "--role",
            "moderator",
            "--password-stdin",
        ])
        .write_stdin("chosen by the moderator\n")
        .assert()
        .success()
        .stdout("");
    users.verify("mai", "chosen by the moderator").unwrap();

    disan(dir.path())
        .args(["user", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("lan").and(predicate::str::contains("moderator")));

    disan(dir.path())
        .args(["user", "disable", "lan"])
        .assert()
        .success();
    disan(dir.path())
        .args(["user", "list"])
        .assert()
        .stdout(predicate::str::is_match(r"lan\s+volunteer\s+\S+ disabled").unwrap());
    assert!(users.verify("lan", &password).is_err());

    // The accounts are in the private folder, not beside the sites.
    assert!(archive.join(".disan/users.json").is_file());
}

#[test]
fn refuses_bad_input_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("archive")).unwrap();
    disan(dir.path())
        .args(["user", "add", "../root", "--role", "admin"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("path character"));
    disan(dir.path())
        .args(["user", "add", "root", "--role", "god"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("use visitor, volunteer"));
    disan(dir.path())
        .args(["user", "add", "an", "--role", "admin", "--password-stdin"])
        .write_stdin("short\n")
        .assert()
        .failure()
        .stderr(predicate::str::contains("at least 10"));
    disan(dir.path())
        .args(["user", "add", "an", "--role", "admin"])
        .assert()
        .success();
    disan(dir.path())
        .args(["user", "add", "AN", "--role", "admin"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("already exists"));
    disan(dir.path())
        .args(["user", "disable", "nobody"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("disan user list"));
}
