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

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use disan::archive::inbox::Inbox;
use disan::layout::ArchiveLayout;

const CHUNK: usize = 256 * 1024;

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A keep-alive HTTP/1.1 connection, reopened after any error.
struct Client {
    host: String,
    conn: Option<BufReader<TcpStream>>,
    cookies: Vec<(String, String)>,
}

impl Client {
    fn new(host: &str) -> Client {
        Client {
            host: host.to_owned(),
            conn: None,
            cookies: Vec::new(),
        }
    }

    fn send(
        &mut self,
        method: &str,
        path: &str,
        extra: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<Response> {
        let result = self.try_send(method, path, extra, body);
        if result.is_err() {
            self.conn = None;
        }
        result
    }

    fn try_send(
        &mut self,
        method: &str,
        path: &str,
        extra: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<Response> {
        if self.conn.is_none() {
            let stream = TcpStream::connect(&self.host)?;
            stream.set_read_timeout(Some(Duration::from_secs(120)))?;
            stream.set_nodelay(true)?;
            self.conn = Some(BufReader::new(stream));
        }
        let conn = self.conn.as_mut().expect("connected");
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\n",
            self.host,
            body.len()
        );
        if !self.cookies.is_empty() {
            let cookie: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            head.push_str(&format!("Cookie: {}\r\n", cookie.join("; ")));
        }
        for (k, v) in extra {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let stream = conn.get_mut();
        stream.write_all(head.as_bytes())?;
        stream.write_all(body)?;
        let mut line = String::new();
        conn.read_line(&mut line)?;
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            conn.read_line(&mut h)?;
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_owned(), v.trim().to_owned()));
            }
        }
        let find = |name: &str| {
            headers
                .iter()
                .find(|(k, _): &&(String, String)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        let mut body = Vec::new();
        if let Some(len) = find("content-length").and_then(|v| v.parse::<usize>().ok()) {
            body.resize(len, 0);
            conn.read_exact(&mut body)?;
        } else if find("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
            loop {
                let mut size = String::new();
                conn.read_line(&mut size)?;
                let n = usize::from_str_radix(size.trim(), 16).map_err(std::io::Error::other)?;
                let mut chunk = vec![0; n + 2];
                conn.read_exact(&mut chunk)?;
                if n == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..n]);
            }
        }
        if find("connection").is_some_and(|v| v.eq_ignore_ascii_case("close")) {
            self.conn = None;
        }
        for (k, v) in &headers {
            if k.eq_ignore_ascii_case("set-cookie")
                && let Some((name, rest)) = v.split_once('=')
            {
                let value = rest.split(';').next().unwrap_or_default().to_owned();
                self.cookies.retain(|(n, _)| n != name);
                self.cookies.push((name.to_owned(), value));
            }
        }
        Ok(Response {
            status,
            headers,
            body,
        })
    }

    /// Sends until the server answers (not 5xx), waiting longer after each failure.
    fn retrying(
        &mut self,
        method: &str,
        path: &str,
        extra: &[(&str, &str)],
        body: &[u8],
        retries: &AtomicUsize,
    ) -> Response {
        let mut failures = 0u32;
        loop {
            match self.send(method, path, extra, body) {
                Ok(r) if r.status < 500 => return r,
                _ => {
                    retries.fetch_add(1, Ordering::Relaxed);
                    failures += 1;
                    assert!(
                        failures < 60,
                        "{method} {path}: the server does not come back"
                    );
                    std::thread::sleep(Duration::from_millis(
                        (200 * 2u64.pow(failures.min(5))).min(5000),
                    ));
                }
            }
        }
    }
}

fn field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .map(|i| i + marker.len())
        .expect("the field is on the page");
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

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
