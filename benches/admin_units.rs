//! How fast the administrative units load and the resolver runs.
//!
//! Resolves one address per pre-2025 commune (10,035), written the two ways real records write
//! them: "Tỉnh X, huyện Y, xã Z" with accents, and "z, y, x" without accents or prefixes.
//! With `DISAN_TESTDATA` set it also resolves every address of the relic datasets.
//! Run: `cargo bench --bench admin_units`.

use std::hint::black_box;
use std::time::Instant;

use disan::admin_units::{AddressQuery, AdminUnits, units};
use disan::fold;

fn main() {
    let start = Instant::now();
    let fresh = AdminUnits::from_embedded().expect("the embedded tables parse");
    println!("parse tables and build indexes: {:.1} ms", ms(start));
    drop(fresh);
    let units = units();

    let mut addresses = Vec::new();
    for (i, c) in units.legacy_communes().iter().enumerate() {
        let d = units.legacy_district_of(c);
        let p = units.legacy_province_of(d);
        addresses.push(if i % 2 == 0 {
            format!("{}, {}, {}", p.name, d.name, c.name)
        } else {
            fold::fold(&format!("{}, {}, {}", c.short, d.short, p.short))
        });
    }
    run("composed addresses", units, &addresses);

    if let Some(dir) = std::env::var_os("DISAN_TESTDATA") {
        let path = std::path::Path::new(&dir).join("vn/ditich_relics_4275.json");
        let text = std::fs::read_to_string(&path).expect("relic data readable");
        let records: serde_json::Value = serde_json::from_str(&text).expect("relic data is JSON");
        let real: Vec<String> = records
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["location"].as_str().map(str::to_owned))
            .collect();
        run("relic database addresses", units, &real);
    }
}

fn run(label: &str, units: &AdminUnits, addresses: &[String]) {
    let start = Instant::now();
    let mut communes = 0;
    for a in addresses {
        let r = units.resolve(&AddressQuery::text(a));
        communes += usize::from(black_box(r).commune.is_some());
    }
    let took = ms(start);
    println!(
        "{label}: {} resolved in {took:.1} ms ({:.1} µs each), commune found for {communes}",
        addresses.len(),
        took * 1000.0 / addresses.len() as f64
    );
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}
