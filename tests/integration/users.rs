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

#[test]
fn import_a_roster_twice() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    std::fs::create_dir_all(&archive).unwrap();
    let roster = dir.path().join("roster.csv");
    std::fs::write(
        &roster,
        "name,team,role,school\n\
         Trần.Thu,Tổ công nghệ số thôn Đông,leader,THPT A\n\
         hoa,Tổ công nghệ số thôn Đông,,THPT A\n\
         hoa,Tổ công nghệ số thôn Tây,,\n\
         x y,,volunteer,\n",
    )
    .unwrap();
    // Passwords on stdout as CSV; every row reported; a rejected row makes the exit status 1.
    let out = disan(dir.path())
        .args(["user", "import"])
        .arg(&roster)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("line 2: created trần.thu"))
        .stderr(predicate::str::contains(
            "line 4: rejected hoa: `hoa` is already on line 3",
        ))
        .stderr(predicate::str::contains("line 5: rejected"))
        .stderr(predicate::str::contains("ignored columns: school"))
        .stderr(predicate::str::contains(
            "2 created, 0 unchanged, 2 rejected; 1 teams made, 2 memberships added",
        ))
        .get_output()
        .stdout
        .clone();
    let csv = String::from_utf8(out).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("name,team,role,password"));
    let first: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        &first[..3],
        ["trần.thu", "Tổ công nghệ số thôn Đông", "leader"]
    );
    let users = disan::accounts::UserStore::new(&disan::layout::ArchiveLayout::new(&archive));
    assert!(
        users
            .verify("trần.thu", first[3])
            .unwrap()
            .must_change_password
    );

    // Again, to a file: nothing new, no password printed or written.
    let passwords = dir.path().join("passwords.csv");
    disan(dir.path())
        .args(["user", "import", "--quiet", "--passwords"])
        .arg(&passwords)
        .arg(&roster)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "0 created, 2 unchanged, 2 rejected; 0 teams made, 0 memberships added",
        ));
    assert!(!passwords.exists());
    assert_eq!(users.list().unwrap().len(), 2);

    // A fixed file imports cleanly; its one-time passwords go to a private file.
    std::fs::write(&roster, "name,team\nlan,Tổ công nghệ số thôn Tây\n").unwrap();
    disan(dir.path())
        .args(["user", "import", "--passwords"])
        .arg(&passwords)
        .arg(&roster)
        .assert()
        .success()
        .stdout("");
    let written = std::fs::read_to_string(&passwords).unwrap();
    assert!(
        written.starts_with("name,team,role,password\nlan,Tổ công nghệ số thôn Tây,volunteer,")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&passwords).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A file without a name column is refused as a whole, with a hint.
    std::fs::write(&roster, "user,team\nlan,x\n").unwrap();
    disan(dir.path())
        .args(["user", "import"])
        .arg(&roster)
        .assert()
        .failure()
        .stderr(predicate::str::contains("has no `name` column"));
}
