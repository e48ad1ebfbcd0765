//! Writes a country-sized `disan import` file recombined from the real relic records of the test
//! data, for the scale benchmark (`benches/scale.sh`). Nothing it makes is shipped.
//!
//! Usage: `cargo run --release --example country -- TESTDATA_DIR SITES OUT.json [SEED]`
//!
//! Every row is a plausible site rather than a copy of one: its type, rank and people come from
//! one real relic record, its place is a random pre-2025 commune of the whole country written
//! the way the crawl writes addresses ("Tỉnh Nam Định, Huyện Vụ Bản, Xã Kim Thái"), and its name
//! is its type word and the commune's name, as real names are ("Đình Kim Thái"). About a third
//! carry a description of real paragraphs from the crawled descriptions and the special relics'
//! long texts; some carry a category, a dating and a source from a crawled Wikipedia record.
//! So, as in real data, names repeat across the country, many sites share a commune (and its
//! centroid, once imported), and broad words such as "chùa", "đình" or "làng" match tens of
//! thousands of sites. The same seed gives the same file.

#[path = "../tests/integration/relic_rows.rs"]
mod relic_rows;

use std::io::Write;
use std::path::PathBuf;

use serde_json::{Value, json};

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(data), Some(sites), Some(out)) = (args.next(), args.next(), args.next()) else {
        eprintln!("usage: country TESTDATA_DIR SITES OUT.json [SEED]");
        std::process::exit(2);
    };
    let sites: usize = sites.parse().expect("SITES is a number");
    let seed: u64 = args
        .next()
        .map_or(2025, |s| s.parse().expect("SEED is a number"));
    let data = PathBuf::from(data);
    let pool = Pool::read(&data);
    let mut rng = fastrand::Rng::with_seed(seed);
    let file = std::fs::File::create(&out).expect("output is writable");
    let mut out_file = std::io::BufWriter::new(file);
    out_file.write_all(b"[\n").expect("write");
    for i in 0..sites {
        let row = pool.row(i, &mut rng);
        if i > 0 {
            out_file.write_all(b",\n").expect("write");
        }
        serde_json::to_writer(&mut out_file, &row).expect("write");
    }
    out_file.write_all(b"\n]\n").expect("write");
    out_file.flush().expect("write");
    eprintln!("{out}: {sites} rows");
}

/// What rows are recombined from.
struct Pool {
    /// `{name, type, level, address, people}` of the crawled relic records.
    relics: Vec<Value>,
    /// Crawled Wikipedia-merged records (category, period, sources).
    wiki: Vec<Value>,
    /// Real description paragraphs of at least a sentence.
    paragraphs: Vec<String>,
    /// Every pre-2025 commune as the crawl writes an address.
    places: Vec<(String, String)>,
}

impl Pool {
    fn read(data: &std::path::Path) -> Pool {
        let relics = relic_rows::relics(data);
        let wiki = relic_rows::wiki_sites(data);
        let mut paragraphs: Vec<String> = wiki
            .iter()
            .filter_map(|r| r.get("description")?.as_str().map(str::to_owned))
            .collect();
        let special: Vec<Value> = serde_json::from_str(
            &std::fs::read_to_string(data.join("vn/special_relics_107.json"))
                .expect("special_relics_107.json is readable"),
        )
        .expect("special_relics_107.json is JSON");
        paragraphs.extend(
            special
                .iter()
                .filter_map(|r| r.get("detail")?.as_str().map(str::to_owned)),
        );
        let paragraphs = paragraphs
            .iter()
            .flat_map(|text| text.split('\n'))
            .map(str::trim)
            .filter(|p| p.chars().count() >= 80)
            .map(str::to_owned)
            .collect();
        let units = disan::admin_units::units();
        let places = units
            .legacy_communes()
            .iter()
            .map(|commune| {
                let district = units.legacy_district_of(commune);
                let province = units.legacy_province_of(district);
                let address = format!("{}, {}, {}", province.name, district.name, commune.name);
                (commune.short.clone(), address)
            })
            .collect();
        Pool {
            relics,
            wiki,
            paragraphs,
            places,
        }
    }

    fn row(&self, i: usize, rng: &mut fastrand::Rng) -> Value {
        let relic = &self.relics[rng.usize(..self.relics.len())];
        let text = |k: &str| relic.get(k).and_then(Value::as_str).unwrap_or("").trim();
        let kind = match text("type") {
            "" | "Unknown" => "Di tích",
            kind => kind,
        };
        let (commune, address) = &self.places[rng.usize(..self.places.len())];
        let name = if kind == "Đình" && rng.u8(..5) == 0 {
            format!("Đình làng {commune}")
        } else {
            format!("{kind} {commune}")
        };
        let id = format!("{}-{i}", disan::fold::slug(&name));
        let mut row = json!({
            "id": id,
            "name": name,
            "type": kind,
            "level": text("level"),
            "address": address,
            "people": relic.get("people").cloned().unwrap_or(json!([])),
        });
        let cells = row.as_object_mut().expect("an object");
        if rng.u8(..3) == 0 && !self.paragraphs.is_empty() {
            let count = 1 + rng.usize(..3);
            let chosen: Vec<&str> = (0..count)
                .map(|_| self.paragraphs[rng.usize(..self.paragraphs.len())].as_str())
                .collect();
            let first = chosen[0];
            let summary = first.split_inclusive(". ").next().unwrap_or(first).trim();
            cells.insert("summary".into(), json!(summary));
            cells.insert("description".into(), json!(chosen.join("\n\n")));
        }
        let wiki = &self.wiki[rng.usize(..self.wiki.len())];
        for (column, chance) in [("category", 2), ("period", 3), ("sources", 2)] {
            if rng.u8(..chance) == 0
                && let Some(value) = wiki.get(column)
            {
                cells.insert(column.into(), value.clone());
            }
        }
        if rng.u8(..50) == 0 {
            cells.insert("red_address".into(), json!("yes"));
        }
        if rng.u8(..3) == 0 {
            cells.insert("year_recognized".into(), json!(1962 + rng.u16(..63)));
        }
        row
    }
}
