//! Converts the crawled relic files of the test data (`vn/ditich_relics_4275.json`,
//! `vn/ditich_wiki_sites_4453.json`) into Disan's import columns. Used by the import tests and
//! by `examples/relics_to_import.rs` (the import benchmark); the data itself is never shipped.

use std::path::Path;

use serde_json::{Map, Value, json};

/// Rows for `disan import` (a JSON array of objects), relics first, then the merged wiki sites.
/// Used by the benchmark example; the tests import the two files separately.
#[allow(dead_code)]
pub fn import_rows(testdata: &Path) -> Vec<Value> {
    let mut rows = relics(testdata);
    rows.extend(wiki_sites(testdata));
    rows
}

fn load(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `{name, type, rank, location, people}`: people is a comma-separated free text.
pub fn relics(testdata: &Path) -> Vec<Value> {
    load(&testdata.join("vn/ditich_relics_4275.json"))
        .into_iter()
        .map(|r| {
            let text = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
            let people: Vec<String> = text("people")
                .split([',', ';'])
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect();
            json!({
                "name": text("name"),
                "type": text("type"),
                "level": text("rank"),
                "address": text("location"),
                "people": people,
            })
        })
        .collect()
}

/// Every field is a map `value → [source ids]`; the first value is taken.
pub fn wiki_sites(testdata: &Path) -> Vec<Value> {
    load(&testdata.join("vn/ditich_wiki_sites_4453.json"))
        .into_iter()
        .map(|r| {
            let first = |k: &str| -> Option<String> {
                match r.get(k)? {
                    Value::String(s) => Some(s.clone()),
                    Value::Object(m) => m.keys().next().cloned(),
                    Value::Array(a) => a.first().and_then(Value::as_str).map(str::to_owned),
                    _ => None,
                }
            };
            let all = |k: &str| -> Vec<String> {
                match r.get(k) {
                    Some(Value::Object(m)) => m.keys().cloned().collect(),
                    Some(Value::Array(a)) => a
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect(),
                    Some(Value::String(s)) => vec![s.clone()],
                    _ => Vec::new(),
                }
            };
            let mut row = Map::new();
            row.insert("name".into(), json!(first("ten").unwrap_or_default()));
            if let Some(address) = first("diaChi") {
                row.insert("address".into(), json!(address));
            }
            if let Some(category) = first("phanLoai") {
                let category = category
                    .trim_start_matches("Loại hình xếp hạng:")
                    .trim()
                    .to_owned();
                let parts: Vec<String> = category
                    .split([',', ';'])
                    .map(|s| s.trim().to_owned())
                    .collect();
                row.insert("category".into(), json!(parts));
            }
            if let Some(period) = first("khoiLap") {
                row.insert("period".into(), json!(period));
            }
            let people = all("nhanVatLienQuan");
            if !people.is_empty() {
                row.insert("people".into(), json!(people));
            }
            if let Some(description) = first("mieuTa") {
                row.insert("description".into(), json!(description));
            }
            let urls = all("url");
            if !urls.is_empty() {
                row.insert("sources".into(), json!(urls));
            }
            Value::Object(row)
        })
        .collect()
}
