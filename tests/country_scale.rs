//! The server's catalog at the country's scale: 100,000 positioned sites, most of them sharing
//! a commune's centroid as imported records do, with the memory the catalog and its nearest
//! neighbours take measured while they are built.
//!
//! A test binary of its own because it counts every allocation of the process: the live bytes
//! and their peak, so "grows no faster than the archive" is a number a test can hold.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::Utc;
use disan::ingest::summary::SiteSummary;
use disan::record::SiteRecord;
// `nearest_to` is the brute-force pass over every site (checked against a plain sort in the
// module's own tests); the grid must agree with it.
use disan::web::catalog::nearby::{NEARBY, Neighbour, nearest_neighbours, nearest_to};
use disan::web::catalog::{Catalog, Site};

/// Counts the bytes live at any moment and the most that were live since the last reset.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size >= layout.size() {
            let grown = new_size - layout.size();
            let live = LIVE.fetch_add(grown, Ordering::Relaxed) + grown;
            PEAK.fetch_max(live, Ordering::Relaxed);
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The counters are the process's: tests that measure take turns.
static MEASURING: Mutex<()> = Mutex::new(());

/// What `f` returns, and the most bytes it had live on top of what was live before it.
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let out = f();
    (out, PEAK.load(Ordering::Relaxed) - before)
}

const SITES: usize = 100_000;

/// Positions as an import of the whole country makes them: seven in ten sites at one of 3,300
/// commune centroids (the record has only an address), the rest at their own position.
fn country_positions() -> Vec<Option<(f64, f64)>> {
    let mut rng = fastrand::Rng::with_seed(2025);
    let mut somewhere = || (8.6 + rng.f64() * 14.8, 102.2 + rng.f64() * 7.2);
    let centroids: Vec<(f64, f64)> = (0..3_300).map(|_| somewhere()).collect();
    let mut rng = fastrand::Rng::with_seed(7);
    (0..SITES)
        .map(|i| match i % 20 {
            0 => None,
            1..=14 => Some(centroids[rng.usize(..centroids.len())]),
            _ => Some((8.6 + rng.f64() * 14.8, 102.2 + rng.f64() * 7.2)),
        })
        .collect()
}

#[test]
fn neighbours_of_a_hundred_thousand_sites_match_brute_force_within_a_memory_bound() {
    let _turn = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    let positions = country_positions();
    let (found, peak) = peak_during(|| nearest_neighbours(&positions));
    assert_eq!(found.len(), SITES);
    eprintln!("nearest neighbours of {SITES} sites: {peak} bytes live at the peak");
    // What is kept: at most NEARBY (index, km) pairs and a Vec header per site. The search may
    // use as much again while it runs — never anything per pair of sites.
    let kept = SITES * (NEARBY * std::mem::size_of::<Neighbour>() + 3 * 8);
    assert!(
        peak < 2 * kept + (16 << 20),
        "nearest neighbours of {SITES} sites had {peak} bytes live at their peak (kept: {kept})"
    );
    let mut rng = fastrand::Rng::with_seed(99);
    for _ in 0..300 {
        let site = rng.usize(..SITES);
        assert_eq!(found[site], nearest_to(&positions, site), "site {site}");
    }
    // Sites that share a centroid are each other's neighbours, at zero distance.
    let shared = (0..SITES)
        .find(|&i| positions[i].is_some() && positions[..i].contains(&positions[i]))
        .expect("sites share a centroid");
    assert_eq!(found[shared][0].1, 0.0);
}

#[test]
fn the_catalog_of_a_hundred_thousand_sites_costs_a_few_hundred_bytes_each() {
    let _turn = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    let positions = country_positions();
    let now = Utc::now();
    let sites: Vec<Site> = positions
        .iter()
        .enumerate()
        .map(|(i, at)| {
            let id = format!("dinh-lang-{i}");
            let mut record = SiteRecord::new(&id, format!("Đình làng {i}"), now);
            record.summary = Some("Đình thờ Thành hoàng làng, dựng thời Nguyễn. ".repeat(6));
            record.location.province = Some("Ninh Bình".into());
            record.location.commune = Some("Xã Gia Sinh".into());
            (record.location.lat, record.location.lon) = (at.map(|p| p.0), at.map(|p| p.1));
            let summary = SiteSummary::of(&record, &[]);
            Site::new(id.clone(), PathBuf::from(&id), id, summary)
        })
        .collect();
    let before = LIVE.load(Ordering::Relaxed);
    let (catalog, peak) = peak_during(|| Catalog::from_sites(sites));
    let kept = LIVE.load(Ordering::Relaxed).saturating_sub(before);
    assert_eq!(catalog.len(), SITES);
    let per_site = kept / SITES;
    eprintln!("catalog of {SITES} sites: keeps {per_site} bytes a site, peak {peak} bytes");
    // The summaries were made before (ingest makes them); what the catalog adds is its lookup
    // tables, its counts and each site's neighbours.
    assert!(
        per_site < 1_200,
        "the catalog keeps {per_site} bytes a site beyond its summaries"
    );
    assert!(
        peak < 2 * kept.max(1) + (64 << 20),
        "building the catalog had {peak} bytes live at its peak, keeps {kept}"
    );
    let first = catalog.sites().next().expect("a site");
    assert!(catalog.nearby(first).count() <= NEARBY);
}
