//! Search throughput and latency on real relic records.
//!
//! Reads the crawled relic lists from the folder named by `DISAN_TESTDATA` (see the project's
//! test-data notes; the data is never copied into the project), indexes them in memory and
//! runs a mix of realistic searches — accented and accent-free, multi-syllable, with typos,
//! filters and "near me" — on one and on two threads, then suggestions.
//!
//! ```text
//! DISAN_TESTDATA=… cargo bench --bench search
//! DISAN_TESTDATA=… DISAN_BENCH_COPIES=6 cargo bench --bench search   # ≈ 53,000 sites
//! ```
//!
//! The records have no coordinates: each gets a fixed pseudo-random position in Vietnam.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::Utc;
use disan::fold;
use disan::record::{Level, SiteRecord, SiteType};
use disan::search::{DocumentExtras, SearchIndex, SearchRequest};
use serde_json::Value;

const QUERIES: &[&str] = &[
    "chùa",
    "den",
    "đình làng",
    "ha noi",
    "Hà Nội",
    "đền trần",
    "den tran",
    "chua mot cot",
    "hoàng thành thăng long",
    "trần hưng đạo",
    "tran hung dao",
    "lý thường kiệt",
    "nguyen trai",
    "Nguễn Trãi",
    "phat",
    "thánh mẫu",
    "bac ninh",
    "nam dinh",
    "văn miếu",
    "quan thanh",
    "thap cham",
    "nha tho",
    "lang",
    "ho chi minh",
    "hung vuong",
    "đình",
    "mieu",
    "chua huong",
    "dinh bang",
    "cau ngoi",
    "den hung",
    "thanh hoa",
    "kiến trúc nghệ thuật",
    "hoa lu",
    "lê lợi",
    "hai ba trung",
    "đinh tiên hoàng",
    "duong",
    "đường",
    "phố hiến",
];

const PREFIXES: &[&str] = &[
    "c",
    "ch",
    "chu",
    "chua",
    "chua m",
    "chùa một c",
    "d",
    "den",
    "den h",
    "đền tr",
    "h",
    "ho",
    "hoang th",
    "tran h",
    "ng",
    "nguyen t",
    "v",
    "van m",
    "dinh l",
    "lang",
];

fn text(value: &Value, key: &str) -> Option<String> {
    value
        .get(key)?
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// A string, or the first key of a `value → [source ids]` map (the merged wiki file's shape).
fn first_key(value: &Value, key: &str) -> Option<String> {
    let found = match value.get(key)? {
        Value::String(s) => s.trim(),
        Value::Object(map) => map.keys().next()?.trim(),
        _ => return None,
    };
    (!found.is_empty()).then(|| found.to_owned())
}

fn read(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn load(dir: &Path) -> Vec<SiteRecord> {
    let now = Utc::now();
    let mut next = 0;
    let mut new = |name: &str| {
        next += 1;
        SiteRecord::new(format!("{}-{next}", fold::slug(name)), name, now)
    };
    let mut out = Vec::new();
    for relic in read(&dir.join("vn/ditich_relics_4275.json")) {
        let Some(name) = text(&relic, "name") else {
            continue;
        };
        let mut r = new(&name);
        r.site_type = text(&relic, "type").and_then(|t| SiteType::parse(&t));
        r.level = text(&relic, "rank")
            .and_then(|t| Level::parse(&t))
            .unwrap_or_default();
        let location = text(&relic, "location").unwrap_or_default();
        let mut parts = location.split(',').map(str::trim).filter(|p| !p.is_empty());
        r.location.legacy.province = parts.next().map(str::to_owned);
        r.location.legacy.district = parts.next().map(str::to_owned);
        r.location.legacy.commune = parts.next().map(str::to_owned);
        r.people = text(&relic, "people")
            .map(|p| {
                p.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        out.push(r);
    }
    for relic in read(&dir.join("vn/special_relics_107.json")) {
        let Some(name) = text(&relic, "name") else {
            continue;
        };
        let mut r = new(&name);
        r.level = Level::SpecialNational;
        r.location.legacy.province = text(&relic, "place");
        r.summary = text(&relic, "summary");
        r.description = text(&relic, "detail");
        out.push(r);
    }
    for site in read(&dir.join("vn/ditich_wiki_sites_4453.json")) {
        let Some(name) = first_key(&site, "ten") else {
            continue;
        };
        let mut r = new(&name);
        r.location.address = first_key(&site, "diaChi");
        r.description = first_key(&site, "mieuTa");
        r.people = first_key(&site, "nhanVatLienQuan").into_iter().collect();
        out.push(r);
    }
    out
}

/// CPU time this thread has used (Linux `schedstat`, nanoseconds): on a shared, busy machine
/// it measures the work a search costs where wall time would measure the neighbours.
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace()
        .next()?
        .parse()
        .ok()
        .map(Duration::from_nanos)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn requests() -> Vec<SearchRequest> {
    let mut out = Vec::new();
    for (i, q) in QUERIES.iter().enumerate() {
        let mut r = SearchRequest::text(*q);
        match i % 4 {
            1 => r.province = vec!["Nam Định".into(), "Bắc Ninh".into()],
            2 => {
                r.near = Some((21.0287, 105.8524));
                r.radius_km = Some(50.0);
            }
            _ => {}
        }
        out.push(r);
    }
    out.push(SearchRequest {
        near: Some((20.42, 106.17)),
        ..SearchRequest::default()
    });
    out.push(SearchRequest::default());
    out
}

fn run(index: &SearchIndex, requests: &[SearchRequest], rounds: usize) -> Vec<Duration> {
    let mut times = Vec::with_capacity(requests.len() * rounds);
    for _ in 0..rounds {
        for r in requests {
            let start = Instant::now();
            let response = index.search(r).expect("search");
            std::hint::black_box(response);
            times.push(start.elapsed());
        }
    }
    times
}

fn main() {
    let Some(dir) = std::env::var_os("DISAN_TESTDATA").map(PathBuf::from) else {
        eprintln!("DISAN_TESTDATA is not set: nothing to measure");
        return;
    };
    let copies: usize = std::env::var("DISAN_BENCH_COPIES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(1);
    let base = load(&dir);
    let mut rng = fastrand::Rng::with_seed(7);

    let start = Instant::now();
    let index = SearchIndex::create_in_ram();
    let mut writer = index.writer(100_000_000).expect("writer");
    let mut n = 0;
    for copy in 0..copies {
        for record in &base {
            let mut record = record.clone();
            record.id = format!("{}-{copy}", record.id);
            record.location.lat = Some(rng.f64() * 14.9 + 8.5);
            record.location.lon = Some(rng.f64() * 7.4 + 102.1);
            let extras = DocumentExtras {
                photo_count: rng.u32(0..3),
                ..Default::default()
            };
            writer
                .add_document(index.document(&record, &extras))
                .expect("add");
            n += 1;
        }
    }
    writer.commit().expect("commit");
    drop(writer);
    index.reload().expect("reload");
    println!("indexed {n} sites in {:.2?}", start.elapsed());

    for q in [
        "đền trần",
        "den tran",
        "chua mot cot",
        "Nguễn Trãi",
        "nam dinh",
        "đường",
    ] {
        let response = index.search(&SearchRequest::text(q)).expect("search");
        let top: Vec<String> = response
            .hits
            .iter()
            .take(3)
            .map(|h| h.name.clone())
            .collect();
        println!(
            "{q:>14} → {} hits, loose={}: {top:?}",
            response.total, response.loose_match
        );
    }

    let mut requests = requests();
    // Profiling aid: DISAN_BENCH_ONLY="chua mot cot" measures that one search.
    if let Ok(only) = std::env::var("DISAN_BENCH_ONLY") {
        requests.retain(|r| r.q == only);
        requests.push(SearchRequest::text(only));
    }
    run(&index, &requests, 3); // warm up
    let rounds = 40;
    let (start, cpu) = (Instant::now(), thread_cpu());
    let mut times = run(&index, &requests, rounds);
    let (one, cpu) = (start.elapsed(), thread_cpu().zip(cpu).map(|(b, a)| b - a));
    times.sort();
    let count = times.len();
    println!(
        "1 thread:  {count} searches in {one:.2?} = {:.0}/s; p50 {:.2?}, p99 {:.2?}, max {:.2?}",
        count as f64 / one.as_secs_f64(),
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times[count - 1]
    );
    if let Some(cpu) = cpu {
        println!(
            "           CPU {cpu:.2?} = {:.0} searches per CPU-second, {:.0} µs CPU each",
            count as f64 / cpu.as_secs_f64(),
            cpu.as_secs_f64() * 1e6 / count as f64
        );
    }
    if std::env::var_os("DISAN_BENCH_DETAIL").is_some() {
        for r in &requests {
            // Tick-grained: a rough per-query split, not a measurement.
            let cpu = thread_cpu();
            let mut response = index.search(r).expect("search");
            for _ in 1..20 {
                response = index.search(r).expect("search");
            }
            let each = thread_cpu()
                .zip(cpu)
                .map(|(b, a)| (b - a) / 20)
                .unwrap_or_default();
            let filters = if r.province.is_empty() {
                ""
            } else {
                " +province"
            };
            let near = if r.radius_km.is_some() {
                " +radius"
            } else if r.near.is_some() {
                " +near"
            } else {
                ""
            };
            println!(
                "{each:>10.2?}  {:>6} hits  {:?}{filters}{near}",
                response.total, r.q
            );
        }
    }
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| run(&index, &requests, rounds));
        }
    });
    let two = start.elapsed();
    println!(
        "2 threads: {} searches in {two:.2?} = {:.0}/s",
        count * 2,
        (count * 2) as f64 / two.as_secs_f64()
    );

    let mut times = Vec::new();
    let cpu = thread_cpu();
    for _ in 0..50 {
        for p in PREFIXES {
            let start = Instant::now();
            std::hint::black_box(index.suggest(p, 8).expect("suggest"));
            times.push(start.elapsed());
        }
    }
    times.sort();
    println!(
        "suggest:   {} in total; p50 {:.2?}, p99 {:.2?}, max {:.2?}",
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times[times.len() - 1]
    );
    if let Some(cpu) = thread_cpu().zip(cpu).map(|(b, a)| b - a) {
        println!(
            "           {:.0} µs CPU each",
            cpu.as_secs_f64() * 1e6 / times.len() as f64
        );
    }
}
