//! Killing the real server (SIGKILL, no chance to clean up) while moderators approve: after
//! each restart every pending submission is still intact, and at the end every submission is
//! published exactly once — one site folder each, one history line each, photos byte-identical,
//! no temporary file left in the public archive, and `disan check` clean.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use disan::accounts::{Role, SessionStore, UserStore};
use disan::archive::inbox::{Inbox, Status};
use disan::ingest::{IngestOptions, ingest};
use disan::layout::{ArchiveLayout, IndexLayout};
use disan::web::AppState;

use crate::contrib_fixture::PASSWORD;
use crate::moderate_fixture::new_site;
use crate::util;

/// New sites waiting for approval.
const SUBMISSIONS: usize = 16;

#[test]
fn killing_the_server_during_approvals_loses_and_duplicates_nothing() {
    let dir = util::copy_of(&util::repo().join("archive"));
    let archive = ArchiveLayout::new(dir.path().join("archive"));
    let index = IndexLayout::new(dir.path().join("index"));
    ingest(&archive, &index, &IngestOptions::default()).unwrap();
    UserStore::new(&archive)
        .add("moderator", Role::Moderator, PASSWORD, Utc::now())
        .unwrap();
    let state = AppState::open(&archive, &index, None).unwrap();
    let mut ids = Vec::new();
    for i in 0..SUBMISSIONS {
        let (submission, _) = new_site(&state, &format!("Miếu Thử Nghiệm Số {}", i + 1));
        ids.push(submission.id);
    }
    drop(state);
    let inbox = Inbox::new(&archive);
    let photo_bytes: Vec<Vec<Vec<u8>>> = ids
        .iter()
        .map(|id| {
            let submission = inbox.get(id).unwrap();
            submission
                .photos
                .iter()
                .map(|p| {
                    let sent = std::fs::read(inbox.photo_path(&submission, p)).unwrap();
                    // The volunteer did not agree to publish where the photo was taken: the
                    // published copy is the upload without its position.
                    assert!(p.gps.is_some() && !p.share_position);
                    disan::media::without_position(&sent).unwrap()
                })
                .collect()
        })
        .collect();

    let (mut kills, mut cut) = (0, 0);
    for round in 0..40 {
        let pending: Vec<&String> = ids
            .iter()
            .filter(|id| inbox.get(id).unwrap().status == Status::Pending)
            .collect();
        if pending.is_empty() {
            break;
        }
        let mut server = Server::start(dir.path(), &archive, &index);
        let (cookie, csrf) = server.login(&archive);
        // Approve the pending ones one after the other while another thread kills the server
        // at a random moment (except in the last rounds, so the test always finishes).
        let kill_after = (round < 30).then(|| Duration::from_millis(fastrand::u64(10..200)));
        let child = server.child.clone();
        let killer = kill_after.map(|after| {
            std::thread::spawn(move || {
                std::thread::sleep(after);
                child.lock().unwrap().kill() // SIGKILL
            })
        });
        for id in pending {
            let answer = server.post(
                &format!("/moderate/{id}/approve"),
                &cookie,
                &format!("csrf={csrf}"),
            );
            match answer {
                Some(303) => {}
                None => {
                    cut += 1; // killed with this approval in flight
                    break;
                }
                Some(other) => panic!("approval of {id} answered {other}"),
            }
        }
        if let Some(killer) = killer {
            killer.join().unwrap().unwrap();
            kills += 1;
        }
        server.kill();
        // After each kill: every submission still reads, approved or pending.
        for id in &ids {
            let status = inbox.get(id).unwrap().status;
            assert!(matches!(status, Status::Pending | Status::Approved));
        }
    }
    assert!(cut > 0, "no kill landed while an approval was in flight");

    // Everything published exactly once.
    let mut sites = Vec::new();
    for (id, photos) in ids.iter().zip(&photo_bytes) {
        let submission = inbox.get(id).unwrap();
        assert_eq!(
            submission.status,
            Status::Approved,
            "{id} never got approved"
        );
        let site_id = submission.review.unwrap().site_id.unwrap();
        let site_dir = find_site(archive.root(), &site_id);
        let record: disan::record::SiteRecord =
            serde_json::from_slice(&std::fs::read(site_dir.join("site.json")).unwrap()).unwrap();
        assert_eq!(record.photos.len(), 2, "{site_id}");
        for (photo, bytes) in record.photos.iter().zip(photos) {
            assert_eq!(&std::fs::read(site_dir.join(&photo.file)).unwrap(), bytes);
        }
        let history = std::fs::read_to_string(ArchiveLayout::history_file(&site_dir)).unwrap();
        assert_eq!(history.lines().count(), 1, "{site_id}: {history}");
        sites.push(site_id);
    }
    let names: Vec<String> = walk_sites(archive.root())
        .into_iter()
        .filter(|name| name.contains("thu-nghiem"))
        .collect();
    assert_eq!(
        names.len(),
        SUBMISSIONS,
        "one folder per submission: {names:?}"
    );
    let leftovers: Vec<PathBuf> = walkdir::WalkDir::new(archive.root())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !archive.is_reserved(e.path()) && !in_private(&archive, e.path()))
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .map(|e| e.path().to_path_buf())
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    util::disan(dir.path())
        .args(["--archive", "archive", "check"])
        .assert()
        .success();
    eprintln!(
        "{SUBMISSIONS} approvals, {kills} kills of the server ({cut} with an approval in flight): \
         every site published once"
    );
}

fn in_private(archive: &ArchiveLayout, path: &Path) -> bool {
    path.starts_with(archive.inbox()) || path.starts_with(archive.private_dir())
}

fn walk_sites(root: &Path) -> Vec<String> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "site.json")
        .filter_map(|e| {
            let dir = e.path().parent()?;
            let name = dir.file_name()?.to_string_lossy().into_owned();
            (!dir.starts_with(root.join("inbox"))).then_some(name)
        })
        .collect()
}

fn find_site(root: &Path, id: &str) -> PathBuf {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.file_name() == id && e.path().join("site.json").is_file())
        .map(|e| e.path().to_path_buf())
        .unwrap_or_else(|| panic!("no folder for site {id}"))
}

/// `disan serve` as a child process on a free port.
struct Server {
    child: Arc<Mutex<Child>>,
    port: u16,
}

impl Server {
    fn start(workdir: &Path, archive: &ArchiveLayout, index: &IndexLayout) -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(assert_cmd::cargo::cargo_bin("disan"))
            .current_dir(workdir)
            .arg("--archive")
            .arg(archive.root())
            .arg("--index")
            .arg(index.root())
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = Server {
            child: Arc::new(Mutex::new(child)),
            port,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while server.get_status("/healthz") != Some(200) {
            assert!(Instant::now() < deadline, "the server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    fn kill(&mut self) {
        let mut child = self.child.lock().unwrap();
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
    }

    /// One request; `None` when the connection failed or was cut (the server was killed).
    fn request(&self, head: &str, body: &str) -> Option<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .ok()?;
        stream.write_all(head.as_bytes()).ok()?;
        stream.write_all(body.as_bytes()).ok()?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).ok()?;
        Some(String::from_utf8_lossy(&answer).into_owned())
    }

    fn get_status(&self, path: &str) -> Option<u16> {
        let head = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        status_of(&self.request(&head, "")?)
    }

    fn post(&self, path: &str, cookie: &str, form: &str) -> Option<u16> {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
             Cookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\n\r\n",
            form.len()
        );
        status_of(&self.request(&head, form)?)
    }

    /// Logs the moderator in through the form; returns the cookie header and the CSRF token.
    fn login(&self, archive: &ArchiveLayout) -> (String, String) {
        let head = "GET /login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        let page = self.request(head, "").expect("the login page");
        let token = cookie_value(&page, "disan_login").expect("the login token cookie");
        let form = format!(
            "csrf={token}&user=moderator&password={}",
            PASSWORD.replace(' ', "+")
        );
        let head = format!(
            "POST /login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
             Cookie: disan_login={token}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\n\r\n",
            form.len()
        );
        let answer = self.request(&head, &form).expect("the login answer");
        assert_eq!(status_of(&answer), Some(303), "{answer}");
        let session = cookie_value(&answer, "disan_session").expect("a session cookie");
        let (stored, _) = SessionStore::new(archive, chrono::Duration::days(1))
            .session(&session, Utc::now())
            .unwrap();
        (format!("disan_session={session}"), stored.csrf)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn status_of(answer: &str) -> Option<u16> {
    answer.split(' ').nth(1)?.parse().ok()
}

fn cookie_value(answer: &str, name: &str) -> Option<String> {
    answer.lines().find_map(|line| {
        let value = line
            .strip_prefix("set-cookie: ")
            .or_else(|| line.strip_prefix("Set-Cookie: "))?;
        let (pair, _) = value.split_once(';').unwrap_or((value, ""));
        let (key, value) = pair.split_once('=')?;
        (key == name && !value.is_empty()).then(|| value.to_owned())
    })
}
