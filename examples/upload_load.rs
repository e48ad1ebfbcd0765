//! Load driver for `benches/uploads.sh`: many volunteers upload real photos at once through
//! the resumable protocol while one client keeps searching, then the inbox is checked.
//!
//! Each volunteer (`load01`…, password from `DISAN_LOAD_PASSWORD`) logs in through the real
//! form, proposes a site, and sends its photos one by one in 256 KiB chunks, as the page's
//! script does: a failed request (the server killed and restarting, a dropped connection) is
//! retried with backoff after asking the server where to resume. Once every volunteer is
//! logged in, the file given as `--ready` is created, so a script can kill the server then.
//!
//! Afterwards every photo a volunteer sent must be in its submission exactly once and
//! byte-identical: the driver reads the inbox and prints what was lost or duplicated.
//!
//!     upload_load BASE_URL ARCHIVE_DIR PHOTO_DIR CLIENTS PHOTOS_PER_CLIENT [--ready FILE]

#[path = "support/http.rs"]
mod http;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use disan::archive::inbox::Inbox;
use disan::layout::ArchiveLayout;
use http::{Client, field, percentile};

const CHUNK: usize = 256 * 1024;

/// One volunteer: log in, propose a site, upload `photos`; returns (submission id, latencies).
fn volunteer(
    host: &str,
    n: usize,
    photos: &[(String, Vec<u8>)],
    start: &Barrier,
    retries: &AtomicUsize,
) -> (String, Vec<f64>) {
    let password = std::env::var("DISAN_LOAD_PASSWORD").expect("DISAN_LOAD_PASSWORD");
    let mut c = Client::new(host);
    let user = format!("load{n:02}");
    let page = c.retrying("GET", "/login", &[], b"", retries);
    let token = field(&page.text(), "csrf");
    let form = serde_urlencoded::to_string([
        ("csrf", token.as_str()),
        ("user", &user),
        ("password", &password),
        ("next", "/contribute"),
    ])
    .unwrap();
    let form_type = [("Content-Type", "application/x-www-form-urlencoded")];
    let r = c.retrying("POST", "/login", &form_type, form.as_bytes(), retries);
    assert_eq!(r.status, 303, "login of {user}: {}", r.text());
    let home = c.retrying("GET", "/contribute", &[], b"", retries);
    let csrf = field(&home.text(), "csrf");
    let site = serde_urlencoded::to_string([
        ("csrf", csrf.as_str()),
        ("name", &format!("Đình thử tải {n}")),
        ("type", "dinh"),
        ("province", "Ninh Bình"),
    ])
    .unwrap();
    let r = c.retrying(
        "POST",
        "/contribute/new",
        &form_type,
        site.as_bytes(),
        retries,
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let id = r
        .header("location")
        .unwrap()
        .trim_start_matches("/contribute/")
        .to_owned();
    start.wait();
    let base = format!("/contribute/{id}/uploads");
    let headers = [
        ("X-CSRF-Token", csrf.as_str()),
        ("Accept", "application/json"),
    ];
    let mut latencies = Vec::new();
    for (name, bytes) in photos {
        let t0 = Instant::now();
        let declaration = serde_json::json!({"name": name, "size": bytes.len(), "key": format!("{name}:{}", bytes.len()), "author": user, "license": "CC-BY-4.0"});
        let r = c.retrying(
            "POST",
            &base,
            &headers,
            declaration.to_string().as_bytes(),
            retries,
        );
        assert_eq!(r.status, 200, "declare: {}", r.text());
        let upload = r.json()["upload"].as_str().unwrap().to_owned();
        let mut offset = r.json()["offset"].as_u64().unwrap() as usize;
        let mut failures = 0u32;
        loop {
            let end = (offset + CHUNK).min(bytes.len());
            let path = format!("{base}/{upload}?offset={offset}");
            match c.send("PUT", &path, &headers, &bytes[offset..end]) {
                Ok(r) if r.status == 201 => break,
                Ok(r) if r.status == 200 => {
                    failures = 0;
                    offset = r.json()["offset"].as_u64().unwrap() as usize;
                }
                Ok(r) if r.status == 409 && r.json()["offset"].is_u64() => {
                    offset = r.json()["offset"].as_u64().unwrap() as usize
                }
                Ok(r) if r.status < 500 && r.status != 409 => {
                    panic!("{name}: {} {}", r.status, r.text())
                }
                _ => {
                    // Cut, busy or restarting: wait, then ask where to resume.
                    retries.fetch_add(1, Ordering::Relaxed);
                    failures += 1;
                    assert!(failures < 60, "{name}: the server does not come back");
                    std::thread::sleep(Duration::from_millis(
                        (200 * 2u64.pow(failures.min(5))).min(5000),
                    ));
                    let s = c.retrying("GET", &format!("{base}/{upload}"), &headers, b"", retries);
                    if s.json()["complete"] == true {
                        break;
                    }
                    offset = s.json()["offset"].as_u64().unwrap_or(0) as usize;
                }
            }
        }
        latencies.push(t0.elapsed().as_secs_f64());
    }
    (id, latencies)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, archive, photo_dir, clients, per_client, rest @ ..] = args.as_slice() else {
        eprintln!(
            "usage: upload_load BASE_URL ARCHIVE_DIR PHOTO_DIR CLIENTS PHOTOS_PER_CLIENT [--ready FILE]"
        );
        std::process::exit(2);
    };
    let ready = rest
        .iter()
        .position(|a| a == "--ready")
        .and_then(|i| rest.get(i + 1))
        .cloned();
    let host = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let (clients, per_client): (usize, usize) =
        (clients.parse().unwrap(), per_client.parse().unwrap());
    let mut pool: Vec<(String, Vec<u8>)> = Vec::new();
    for dir in photo_dir.split(',') {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("jpg")))
            .collect();
        files.sort();
        pool.extend(files.iter().map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(p).unwrap(),
            )
        }));
    }
    assert!(
        pool.len() >= per_client,
        "need at least {per_client} photos"
    );
    let pool = Arc::new(pool);
    let retries = Arc::new(AtomicUsize::new(0));
    let start = Arc::new(Barrier::new(clients + 1));
    let done = Arc::new(AtomicBool::new(false));
    let searches = Arc::new(Mutex::new((Vec::<f64>::new(), 0usize)));
    let searcher = {
        let (host, done, searches) = (host.clone(), done.clone(), searches.clone());
        std::thread::spawn(move || {
            let mut c = Client::new(&host);
            let queries = [
                "chua",
                "den tho",
                "Chùa Bái Đính",
                "dinh lang",
                "ninh binh",
                "tran",
                "thai vi",
                "hoa lu",
            ];
            let mut i = 0;
            while !done.load(Ordering::Relaxed) {
                let q = serde_urlencoded::to_string([("q", queries[i % queries.len()])]).unwrap();
                i += 1;
                let t0 = Instant::now();
                match c.send("GET", &format!("/api/v1/search?{q}"), &[], b"") {
                    Ok(r) if r.status == 200 => {
                        searches.lock().unwrap().0.push(t0.elapsed().as_secs_f64())
                    }
                    _ => {
                        searches.lock().unwrap().1 += 1;
                        std::thread::sleep(Duration::from_millis(100));
                    }
                }
            }
        })
    };
    let workers: Vec<_> = (1..=clients)
        .map(|n| {
            let (host, pool, start, retries) =
                (host.clone(), pool.clone(), start.clone(), retries.clone());
            std::thread::spawn(move || {
                let mine: Vec<_> = (0..per_client)
                    .map(|k| pool[(n * 7 + k) % pool.len()].clone())
                    .collect();
                let (id, lat) = volunteer(&host, n, &mine, &start, &retries);
                (id, mine, lat)
            })
        })
        .collect();
    start.wait();
    if let Some(ready) = &ready {
        std::fs::write(ready, b"uploading").unwrap();
    }
    let t0 = Instant::now();
    let searches_before = searches.lock().unwrap().0.len();
    let results: Vec<_> = workers
        .into_iter()
        .map(|w| w.join().expect("a volunteer failed"))
        .collect();
    let wall = t0.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    searcher.join().unwrap();

    let mut latencies: Vec<f64> = results
        .iter()
        .flat_map(|(_, _, l)| l.iter().copied())
        .collect();
    latencies.sort_by(f64::total_cmp);
    let bytes: usize = results
        .iter()
        .flat_map(|(_, m, _)| m.iter().map(|(_, b)| b.len()))
        .sum();
    let (mut search_lat, search_errors) = searches.lock().unwrap().clone();
    let searched = search_lat.len() - searches_before;
    search_lat.sort_by(f64::total_cmp);
    println!(
        "volunteers {clients}, photos {} ({:.1} MB), wall {wall:.1} s",
        latencies.len(),
        bytes as f64 / 1e6
    );
    println!(
        "uploads/s {:.1}  MB/s {:.1}  per upload p50 {:.2} s  p99 {:.2} s  max {:.2} s",
        latencies.len() as f64 / wall,
        bytes as f64 / 1e6 / wall,
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or(0.0)
    );
    println!(
        "searches/s meanwhile {:.1}  p50 {:.1} ms  p99 {:.1} ms  failed {search_errors}",
        searched as f64 / wall,
        percentile(&search_lat, 0.5) * 1e3,
        percentile(&search_lat, 0.99) * 1e3
    );
    println!("retried requests {}", retries.load(Ordering::Relaxed));

    // Every photo sent is in its submission exactly once, byte-identical.
    let inbox = Inbox::new(&ArchiveLayout::new(archive));
    let (mut lost, mut duplicated, mut altered) = (0, 0, 0);
    for (id, mine, _) in &results {
        let sub = inbox.get(id).expect("the submission is readable");
        for (_, bytes) in mine {
            let hash = blake3::hash(bytes).to_hex().to_string();
            let found: Vec<_> = sub.photos.iter().filter(|p| p.hash == hash).collect();
            match found.as_slice() {
                [] => lost += 1,
                [one] => {
                    if std::fs::read(inbox.photo_path(&sub, one))
                        .map(|b| b != *bytes)
                        .unwrap_or(true)
                    {
                        altered += 1;
                    }
                }
                _ => duplicated += 1,
            }
        }
        duplicated += sub.photos.len().saturating_sub(mine.len());
    }
    println!("inbox check: lost {lost}, duplicated {duplicated}, not byte-identical {altered}");
    if lost + duplicated + altered > 0 {
        std::process::exit(1);
    }
}
