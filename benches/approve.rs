//! How long an approval takes to go live on the real corpus (≈8,700 sites): the archive write,
//! then rendering the photos, the index commit and the catalog swap; beside it, what reloading
//! the whole catalog would cost instead of replacing one site.
//!
//! Needs an archive and its index made from the test data, as `benches/approve.sh` does:
//!
//! ```text
//! DISAN_TESTDATA=… benches/approve.sh
//! ```

use std::time::{Duration, Instant};

use chrono::Utc;
use disan::archive::inbox::{PhotoDetails, Proposal};
use disan::layout::{ArchiveLayout, IndexLayout};
use disan::record::{Accuracy, SiteRecord};
use disan::search::SearchRequest;
use disan::web::AppState;
use disan::web::catalog::Catalog;
use disan::web::moderate::publish::publish;

const ROUNDS: usize = 5;

fn main() {
    let (Some(archive), Some(index)) = (
        std::env::var_os("DISAN_BENCH_ARCHIVE"),
        std::env::var_os("DISAN_BENCH_INDEX"),
    ) else {
        eprintln!(
            "skipping: run benches/approve.sh (it sets DISAN_BENCH_ARCHIVE and DISAN_BENCH_INDEX)"
        );
        return;
    };
    let (archive, index) = (ArchiveLayout::new(archive), IndexLayout::new(index));
    let state = AppState::open(&archive, &index, None).expect("an ingested index");
    state.start_updates().expect("the index writer is free");
    let sites = state.catalog().len();
    println!("{sites} sites in the catalog");

    let reload = time(3, || {
        std::hint::black_box(Catalog::load(&archive, &index));
    });
    let catalog = state.catalog();
    let one = catalog.sites().next().expect("a site").clone();
    let replace = time(3, || {
        std::hint::black_box(catalog.replacing(one.clone(), None));
    });

    // A run-unique number in the names, so a second run on the same archive finds its own.
    let run = Utc::now().timestamp() % 1_000_000;
    let (mut approve, mut live) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let name = format!("Miếu Thử Đo Thời Gian {run} Số {round}");
        let mut record = SiteRecord::new("", &name, Utc::now());
        record.location.province = Some("Ninh Bình".into());
        (record.location.lat, record.location.lon) = (Some(20.25), Some(105.97));
        record.location.accuracy = Some(Accuracy::Surveyed);
        let submission = state
            .inbox
            .submit("volunteer", Proposal::NewSite { record }, Utc::now())
            .unwrap();
        for seed in 0..2u8 {
            let mut staged = state.inbox.stage().unwrap();
            staged.write(&photo(round as u8, seed)).unwrap();
            let details = PhotoDetails {
                original_name: format!("IMG_{seed}.JPG"),
                caption: None,
                author: "Lan".into(),
                license: "CC-BY-4.0".into(),
            };
            state
                .inbox
                .add_photo(&submission.id, staged, details, Utc::now())
                .unwrap();
        }
        let started = Instant::now();
        let applied = state
            .moderation
            .approve(&submission.id, "moderator", None, Utc::now())
            .unwrap();
        approve.push(started.elapsed());
        let started = Instant::now();
        let published = publish(&state, &applied);
        live.push(started.elapsed());
        assert!(published.searchable);
        let request =
            SearchRequest::from_pairs([("q", format!("mieu thu do thoi gian {run} so {round}"))])
                .unwrap();
        let found = state.index.search(&request).unwrap();
        assert_eq!(found.hits[0].id, applied.record.id, "searchable at once");
        assert!(
            state.catalog().get(&applied.record.id).is_some(),
            "shown at once"
        );
    }
    println!("full catalog reload (Catalog::load): {}", ms(&reload));
    println!("catalog with one site replaced:      {}", ms(&replace));
    println!(
        "approve (archive write, {ROUNDS} new sites with 2 photos of 2000×1500): {}",
        ms(&approve)
    );
    println!(
        "publish (render photos, index commit, catalog swap): {}",
        ms(&live)
    );
}

fn photo(round: u8, seed: u8) -> Vec<u8> {
    let (w, h) = (2000u16, 1500u16);
    let rgb: Vec<u8> = (0..u32::from(w) * u32::from(h))
        .flat_map(|i| {
            [
                (i % 251) as u8 ^ round,
                seed.wrapping_mul(40),
                (i / 2003) as u8,
            ]
        })
        .collect();
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 85)
        .encode(&rgb, w, h, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    out
}

fn time(runs: usize, mut f: impl FnMut()) -> Vec<Duration> {
    (0..runs)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed()
        })
        .collect()
}

fn ms(times: &[Duration]) -> String {
    let mut sorted: Vec<f64> = times.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    sorted.sort_by(f64::total_cmp);
    format!(
        "median {:.0} ms (min {:.0}, max {:.0}, n={})",
        sorted[sorted.len() / 2],
        sorted[0],
        sorted[sorted.len() - 1],
        sorted.len()
    )
}
