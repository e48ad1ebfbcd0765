//! The engine on 4,382 real relic records (names, types, ranks, pre-2025 addresses, people and
//! the long descriptions of special national relics), read from `DISAN_TESTDATA`.

use std::path::PathBuf;

use chrono::Utc;
use serde_json::Value;

use crate::fold;
use crate::record::{Level, SiteRecord, SiteType};
use crate::search::{DocumentExtras, SearchIndex, SearchRequest, province_key};

fn text(value: &Value, key: &str) -> Option<String> {
    value
        .get(key)?
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn records(dir: &std::path::Path) -> Vec<SiteRecord> {
    let read = |name: &str| -> Vec<Value> {
        let path = dir.join("vn").join(name);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "DISAN_TESTDATA is set but {} cannot be read: {e}",
                path.display()
            )
        });
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let mut out = Vec::new();
    for relic in read("ditich_relics_4275.json") {
        let Some(name) = text(&relic, "name") else {
            continue;
        };
        let mut r = SiteRecord::new(
            format!("{}-{}", fold::slug(&name), out.len()),
            name,
            Utc::now(),
        );
        r.site_type = text(&relic, "type").and_then(|t| SiteType::parse(&t));
        r.level = text(&relic, "rank")
            .and_then(|t| Level::parse(&t))
            .unwrap_or_default();
        let location = text(&relic, "location").unwrap_or_default();
        let mut parts = location.split(',').map(str::trim).filter(|p| !p.is_empty());
        r.location.legacy.province = parts.next().map(str::to_owned);
        r.location.legacy.district = parts.next().map(str::to_owned);
        r.location.legacy.commune = parts.next().map(str::to_owned);
        r.people = text(&relic, "people").into_iter().collect();
        out.push(r);
    }
    for relic in read("special_relics_107.json") {
        let Some(name) = text(&relic, "name") else {
            continue;
        };
        let mut r = SiteRecord::new(
            format!("{}-{}", fold::slug(&name), out.len()),
            name,
            Utc::now(),
        );
        r.level = Level::SpecialNational;
        r.location.legacy.province = text(&relic, "place");
        r.summary = text(&relic, "summary");
        r.description = text(&relic, "detail");
        out.push(r);
    }
    out
}

#[test]
fn real_relics_are_found_by_name_place_and_person() {
    let Some(dir) = std::env::var_os("DISAN_TESTDATA").map(PathBuf::from) else {
        eprintln!("skipped: DISAN_TESTDATA is not set");
        return;
    };
    let records = records(&dir);
    assert!(records.len() > 4000, "{}", records.len());
    let index = SearchIndex::create_in_ram();
    let mut writer = index.writer(50_000_000).unwrap();
    for record in &records {
        writer
            .add_document(index.document(record, &DocumentExtras::default()))
            .unwrap();
    }
    writer.commit().unwrap();
    index.reload().unwrap();

    let top = |q: &str| index.search(&SearchRequest::text(q)).unwrap();
    for q in ["chùa một cột", "chua mot cot", "CHÙA MỘT CỘT"] {
        assert_eq!(top(q).hits[0].name, "Chùa Một Cột", "{q}");
    }
    let tran = top("đền trần");
    assert!(
        tran.hits[0].name.starts_with("Đền Trần"),
        "{:?}",
        tran.hits[0]
    );
    let hung_dao = top("tran hung dao");
    assert!(hung_dao.total > 10 && !hung_dao.loose_match);

    // The old province name filters on what the records were written under.
    let request = SearchRequest {
        province: vec!["nam dinh".into()],
        limit: 100,
        ..SearchRequest::text("đền")
    };
    let nam_dinh = index.search(&request).unwrap();
    assert!(nam_dinh.total > 20, "{}", nam_dinh.total);
    for hit in &nam_dinh.hits {
        assert_eq!(
            province_key(hit.province_legacy.as_deref().unwrap()),
            "namdinh",
            "{hit:?}"
        );
    }
    // Long descriptions give highlighted excerpts.
    let citadel = top("hoàng thành thăng long");
    let snippet = citadel.hits.iter().find_map(|h| h.snippet.clone()).unwrap();
    assert!(snippet.contains("<mark>"), "{snippet}");
    // Suggestions by accent-free prefix.
    let suggestions = index.suggest("chua mot c", 5).unwrap().suggestions;
    assert_eq!(suggestions[0].name, "Chùa Một Cột");
}
