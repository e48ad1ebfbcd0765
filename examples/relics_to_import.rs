//! Writes the crawled relic files of the test data as a `disan import` JSON file, for the import
//! benchmark (`benches/import.sh`). The data is converted on the fly and never shipped.
//!
//! Usage: `cargo run --release --example relics_to_import -- TESTDATA_DIR OUT.json [ROWS] [--distinct]`
//! With ROWS larger than the real ≈8,700 records, the records are repeated with a numbered
//! suffix on the name, so that every row is a distinct site.
//!
//! The two files describe many sites twice (both were crawled from the same database), and
//! `disan import` merges rows with the same name and place. `--distinct` gives every row an
//! explicit id instead, so that every record becomes its own site: the search and web
//! benchmarks use it to index the full ≈8,700 records.

#[path = "../tests/integration/relic_rows.rs"]
mod relic_rows;

use std::path::PathBuf;

fn main() {
    let distinct = std::env::args().any(|a| a == "--distinct");
    let mut args = std::env::args().skip(1).filter(|a| a != "--distinct");
    let (Some(data), Some(out)) = (args.next(), args.next()) else {
        eprintln!("usage: relics_to_import TESTDATA_DIR OUT.json [ROWS]");
        std::process::exit(2);
    };
    let real = relic_rows::import_rows(&PathBuf::from(data));
    let wanted: usize = args
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(real.len());
    let mut rows = Vec::with_capacity(wanted);
    for i in 0..wanted {
        let mut row = real[i % real.len()].clone();
        let round = i / real.len();
        if round > 0 {
            let name = row["name"].as_str().unwrap_or("").to_owned();
            row["name"] = serde_json::json!(format!("{name} ({})", round + 1));
        }
        if distinct {
            row["id"] = serde_json::json!(format!("r{i}"));
        }
        rows.push(row);
    }
    std::fs::write(
        &out,
        serde_json::to_string_pretty(&rows).expect("rows serialise"),
    )
    .expect("output is writable");
    eprintln!("{out}: {} rows", rows.len());
}
