//! Load driver for `benches/campaigns.sh`: a province's volunteers on one campaign at once.
//!
//!     campaign_load roster OUT.csv USERS TEAMS
//!         writes `name,team,role` rows: USERS volunteers in TEAMS teams, the first of each a
//!         leader (the file `disan user import` takes);
//!     campaign_load communes ARCHIVE_DIR
//!         attaches every team to one or two communes that have published sites (the server
//!         must have started once, so the private database knows the sites);
//!     campaign_load create BASE_URL MODERATOR
//!         makes a campaign over every province through the real form, as MODERATOR (password
//!         in DISAN_LOAD_PASSWORD), and prints its slug and how long the request took;
//!     campaign_load claims BASE_URL ARCHIVE_DIR PASSWORDS.csv CLIENTS SECONDS CAMPAIGN
//!         CLIENTS volunteers from the one-time passwords file log in through the form and
//!         choose their own password, then claim and release tasks as fast as the server
//!         answers for SECONDS — half of the claims on 200 "hot" sites, so that many collide
//!         — while one more client reads the campaign page. Prints claims/s and latencies, then
//!         checks that no task was ever held by two people, both from what the clients were
//!         told and from the server's own history of every claim and release.

#[path = "support/http.rs"]
#[allow(dead_code)]
mod http;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use disan::campaigns::CampaignError;
use disan::layout::ArchiveLayout;
use disan::private_db::PrivateDb;
use http::{Client, field, percentile};

const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("roster") => roster(&args[1], args[2].parse().unwrap(), args[3].parse().unwrap()),
        Some("communes") => communes(&args[1]),
        Some("create") => create(host(&args[1]), &args[2]),
        Some("claims") => claims(
            host(&args[1]),
            &args[2],
            &args[3],
            args[4].parse().unwrap(),
            args[5].parse().unwrap(),
            &args[6],
        ),
        _ => {
            eprintln!("usage: see the top of examples/campaign_load.rs");
            std::process::exit(2);
        }
    }
}

fn host(url: &str) -> String {
    url.trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned()
}

fn roster(out: &str, users: usize, teams: usize) {
    let mut w = csv::Writer::from_path(out).expect("the roster file is writable");
    w.write_record(["name", "team", "role"]).unwrap();
    for i in 0..users {
        let team = i % teams;
        let role = if i < teams { "leader" } else { "volunteer" };
        w.write_record([
            format!("tnv{i:05}"),
            format!("Tổ công nghệ số cộng đồng số {:04}", team + 1),
            role.to_owned(),
        ])
        .unwrap();
    }
    w.flush().unwrap();
    eprintln!("{out}: {users} volunteers in {teams} teams");
}

fn communes(archive: &str) {
    let db = PrivateDb::open(&ArchiveLayout::new(archive)).expect("the private database opens");
    let t0 = Instant::now();
    let (teams, communes) = db
        .write(|tx| {
            let communes: Vec<String> = tx
                .prepare(
                    "SELECT DISTINCT commune FROM sites WHERE commune IS NOT NULL ORDER BY commune",
                )?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let teams: Vec<i64> = tx
                .prepare("SELECT id FROM teams ORDER BY id")?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for (i, team) in teams.iter().enumerate() {
                for k in 0..(1 + i % 2) {
                    let commune = &communes[(i * 7 + k * 3) % communes.len()];
                    tx.execute(
                        "INSERT OR IGNORE INTO team_communes (team, commune) VALUES (?1, ?2)",
                        rusqlite::params![team, commune],
                    )?;
                }
            }
            Ok::<_, CampaignError>((teams.len(), communes.len()))
        })
        .expect("teams get their communes");
    eprintln!(
        "{teams} teams attached to the {communes} communes with sites in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
}

/// Logs in through the form; returns the client and the CSRF token of the session.
fn log_in(host: &str, user: &str, password: &str, retries: &AtomicUsize) -> (Client, String) {
    let mut c = Client::new(host);
    let page = c.retrying("GET", "/login", &[], b"", retries);
    let token = field(&page.text(), "csrf");
    let form = serde_urlencoded::to_string([
        ("csrf", token.as_str()),
        ("user", user),
        ("password", password),
        ("next", "/my-tasks"),
    ])
    .unwrap();
    let r = c.retrying("POST", "/login", &[FORM], form.as_bytes(), retries);
    assert_eq!(r.status, 303, "login of {user}: {}", r.text());
    let page = c.retrying("GET", "/account/password", &[], b"", retries);
    let csrf = field(&page.text(), "csrf");
    (c, csrf)
}

fn create(host: String, moderator: &str) {
    let password = std::env::var("DISAN_LOAD_PASSWORD").expect("DISAN_LOAD_PASSWORD");
    let retries = AtomicUsize::new(0);
    let (mut c, csrf) = log_in(&host, moderator, &password, &retries);
    let today = disan::private_db::day_of(chrono::Utc::now());
    let mut form: Vec<(String, String)> = vec![
        ("csrf".into(), csrf),
        ("title".into(), "Số hoá di tích toàn quốc".into()),
        (
            "starts".into(),
            (today - chrono::Duration::days(1)).to_string(),
        ),
        (
            "ends".into(),
            (today + chrono::Duration::days(60)).to_string(),
        ),
        ("claim_hours".into(), "48".into()),
        ("lack_photos".into(), "0".into()),
        ("done_photos".into(), "2".into()),
        ("done_precise".into(), "on".into()),
    ];
    for p in disan::admin_units::units().provinces() {
        form.push(("province".into(), p.short.clone()));
    }
    let body = serde_urlencoded::to_string(&form).unwrap();
    let t0 = Instant::now();
    let r = c.retrying("POST", "/campaigns/new", &[FORM], body.as_bytes(), &retries);
    let took = t0.elapsed().as_secs_f64();
    assert_eq!(r.status, 303, "{}", r.text());
    let location = r.header("location").unwrap().to_owned();
    let slug = location
        .trim_start_matches("/campaigns/")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let added = location.split("added=").nth(1).unwrap_or("?");
    eprintln!("campaign `{slug}` made over {added} sites in {took:.2} s (one HTTP request)");
    println!("{slug}");
}

#[derive(Default)]
struct Tally {
    claim_won: Vec<f64>,
    claim_lost: Vec<f64>,
    release: Vec<f64>,
    refused: HashMap<u16, usize>,
}

fn claims(host: String, archive: &str, passwords: &str, clients: usize, seconds: u64, slug: &str) {
    let accounts: Vec<(String, String)> = csv::Reader::from_path(passwords)
        .expect("the passwords file")
        .records()
        .flatten()
        .filter(|r| r.get(2) == Some("volunteer"))
        .map(|r| (r[0].to_owned(), r[3].to_owned()))
        .take(clients)
        .collect();
    assert_eq!(
        accounts.len(),
        clients,
        "not enough volunteers in {passwords}"
    );
    let db = PrivateDb::open(&ArchiveLayout::new(archive)).expect("the private database opens");
    let (campaign, sites): (i64, Vec<String>) = db
        .read(|tx| {
            let id: i64 =
                tx.query_row("SELECT id FROM campaigns WHERE slug = ?1", [slug], |r| {
                    r.get(0)
                })?;
            let sites = tx
                .prepare(
                    "SELECT site FROM tasks WHERE campaign = ?1 AND state = 'open' ORDER BY site",
                )?
                .query_map([id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            Ok::<_, CampaignError>((id, sites))
        })
        .expect("the campaign's tasks");
    eprintln!(
        "{} open tasks; {clients} volunteers log in and choose a password…",
        sites.len()
    );
    let sites = Arc::new(sites);
    let retries = Arc::new(AtomicUsize::new(0));
    let ready = Arc::new(Barrier::new(clients + 2));
    let stop = Arc::new(AtomicBool::new(false));
    let holders: Arc<Mutex<HashMap<String, String>>> = Arc::default();
    let violations = Arc::new(AtomicUsize::new(0));
    let logins = Arc::new(Mutex::new(Vec::<f64>::new()));
    let workers: Vec<_> = accounts
        .into_iter()
        .enumerate()
        .map(|(n, (user, one_time))| {
            let (host, sites, retries, ready, stop, holders, violations, logins) = (
                host.clone(),
                sites.clone(),
                retries.clone(),
                ready.clone(),
                stop.clone(),
                holders.clone(),
                violations.clone(),
                logins.clone(),
            );
            let slug = slug.to_owned();
            std::thread::spawn(move || {
                let t0 = Instant::now();
                let (mut c, csrf) = log_in(&host, &user, &one_time, &retries);
                let own = format!("my own password {n}");
                let form = serde_urlencoded::to_string([
                    ("csrf", csrf.as_str()),
                    ("current", one_time.as_str()),
                    ("password", own.as_str()),
                    ("password2", own.as_str()),
                    ("next", "/my-tasks"),
                ])
                .unwrap();
                let r = c.retrying(
                    "POST",
                    "/account/password",
                    &[FORM],
                    form.as_bytes(),
                    &retries,
                );
                assert_eq!(r.status, 303, "{user}: {}", r.text());
                let page = c.retrying("GET", "/my-tasks", &[], b"", &retries);
                assert_eq!(page.status, 200);
                let tasks = c.retrying(
                    "GET",
                    &format!("/campaigns/{slug}/tasks"),
                    &[],
                    b"",
                    &retries,
                );
                let csrf = field(&tasks.text(), "csrf");
                logins.lock().unwrap().push(t0.elapsed().as_secs_f64());
                ready.wait();
                let mut rng = fastrand::Rng::with_seed(n as u64);
                let mut tally = Tally::default();
                let body = serde_urlencoded::to_string([("csrf", csrf.as_str())]).unwrap();
                while !stop.load(Ordering::Relaxed) {
                    let site = if rng.bool() {
                        &sites[rng.usize(0..200.min(sites.len()))]
                    } else {
                        &sites[rng.usize(0..sites.len())]
                    };
                    let t = Instant::now();
                    let r = c.retrying(
                        "POST",
                        &format!("/campaigns/{slug}/tasks/{site}/claim"),
                        &[FORM],
                        body.as_bytes(),
                        &retries,
                    );
                    let took = t.elapsed().as_secs_f64();
                    match r.status {
                        303 => {
                            tally.claim_won.push(took);
                            let mut held = holders.lock().unwrap();
                            if let Some(other) = held.insert(site.clone(), user.clone()) {
                                eprintln!("TWO HOLDERS: {site} held by {other} and {user}");
                                violations.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        409 => {
                            tally.claim_lost.push(took);
                            continue;
                        }
                        other => {
                            *tally.refused.entry(other).or_default() += 1;
                            continue;
                        }
                    }
                    // Hold it a moment, as a volunteer walking to the site would for longer.
                    std::thread::sleep(Duration::from_millis(rng.u64(0..50)));
                    holders.lock().unwrap().remove(site);
                    let t = Instant::now();
                    let r = c.retrying(
                        "POST",
                        &format!("/campaigns/{slug}/tasks/{site}/release"),
                        &[FORM],
                        body.as_bytes(),
                        &retries,
                    );
                    assert_eq!(r.status, 303, "release of {site} by {user}: {}", r.status);
                    tally.release.push(t.elapsed().as_secs_f64());
                }
                tally
            })
        })
        .collect();
    let reader = {
        let (host, ready, stop) = (host.clone(), ready.clone(), stop.clone());
        let path = format!("/campaigns/{slug}");
        std::thread::spawn(move || {
            let mut c = Client::new(&host);
            let mut times = Vec::new();
            ready.wait();
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                if let Ok(r) = c.send("GET", &path, &[], b"")
                    && r.status == 200
                {
                    times.push(t.elapsed().as_secs_f64());
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            times
        })
    };
    ready.wait();
    let logins = std::mem::take(&mut *logins.lock().unwrap());
    let mut logins = logins;
    logins.sort_by(f64::total_cmp);
    eprintln!(
        "all {clients} logged in (first login + own password, per volunteer: p50 {:.2} s, p99 {:.2} s); claiming for {seconds} s",
        percentile(&logins, 0.5),
        percentile(&logins, 0.99)
    );
    let t0 = Instant::now();
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    let mut all = Tally::default();
    for w in workers {
        let t = w.join().expect("a volunteer failed");
        all.claim_won.extend(t.claim_won);
        all.claim_lost.extend(t.claim_lost);
        all.release.extend(t.release);
        for (k, v) in t.refused {
            *all.refused.entry(k).or_default() += v;
        }
    }
    let elapsed = t0.elapsed().as_secs_f64();
    let mut page = reader.join().unwrap();
    let mut claims: Vec<f64> = all
        .claim_won
        .iter()
        .chain(&all.claim_lost)
        .copied()
        .collect();
    claims.sort_by(f64::total_cmp);
    all.release.sort_by(f64::total_cmp);
    page.sort_by(f64::total_cmp);
    let ms = |v: f64| v * 1000.0;
    println!(
        "claims: {} in {elapsed:.1} s = {:.0}/s ({} won, {} lost to someone faster, refused {:?}); \
         claim p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        claims.len(),
        claims.len() as f64 / elapsed,
        all.claim_won.len(),
        all.claim_lost.len(),
        all.refused,
        ms(percentile(&claims, 0.5)),
        ms(percentile(&claims, 0.99)),
        ms(claims.last().copied().unwrap_or(0.0)),
    );
    println!(
        "releases: {} = {:.0}/s; p50 {:.1} ms, p99 {:.1} ms",
        all.release.len(),
        all.release.len() as f64 / elapsed,
        ms(percentile(&all.release, 0.5)),
        ms(percentile(&all.release, 0.99)),
    );
    println!(
        "campaign page during the claims: {} views, p50 {:.1} ms, p99 {:.1} ms",
        page.len(),
        ms(percentile(&page, 0.5)),
        ms(percentile(&page, 0.99)),
    );
    println!("retried requests: {}", retries.load(Ordering::Relaxed));
    // The server's own history: per task, claims and their ends must alternate.
    let (events, doubles) = db
        .read(|tx| {
            let mut stmt = tx.prepare(
                "SELECT site, action, subject FROM events WHERE campaign = ?1 AND site IS NOT NULL
                 ORDER BY id",
            )?;
            let mut rows = stmt.query([campaign])?;
            let mut held: HashMap<String, String> = HashMap::new();
            let (mut events, mut doubles) = (0usize, 0usize);
            while let Some(row) = rows.next()? {
                let (site, action, subject): (String, String, Option<String>) =
                    (row.get(0)?, row.get(1)?, row.get(2)?);
                events += 1;
                match action.as_str() {
                    "claimed" | "assigned" => {
                        let before = held.insert(site, subject.unwrap_or_default());
                        doubles += usize::from(before.is_some());
                    }
                    "released" | "unassigned" | "expired" | "approved" | "rejected"
                    | "task_withdrawn" | "site_removed" => {
                        held.remove(&site);
                    }
                    _ => {}
                }
            }
            Ok::<_, CampaignError>((events, doubles))
        })
        .expect("the history reads");
    let told = violations.load(Ordering::Relaxed);
    println!(
        "held by two at once: {told} (as the clients were told), {doubles} (in the server's history of {events} claims and releases)"
    );
    if told + doubles > 0 {
        std::process::exit(1);
    }
}
