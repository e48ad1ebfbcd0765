//! The search engine: any valid request, from any query string, against a small index of
//! real-looking sites (built once).
#![no_main]
use std::sync::LazyLock;

use disan::search::{DocumentExtras, SearchIndex, SearchRequest};
use libfuzzer_sys::fuzz_target;

static INDEX: LazyLock<SearchIndex> = LazyLock::new(|| {
    let index = SearchIndex::create_in_ram();
    let mut writer = index.writer(15_000_000).expect("a writer");
    let names = [
        ("chua-mot-cot", "Chùa Một Cột", "Hà Nội", 21.0358, 105.8336),
        ("den-thai-vi", "Đền Thái Vi", "Ninh Bình", 20.2506, 105.9745),
        ("dinh-tuc-mac", "Đình Tức Mạc", "Ninh Bình", 20.44, 106.18),
        ("thanh-co-quang-tri", "Thành cổ Quảng Trị", "Quảng Trị", 16.75, 107.19),
    ];
    for (id, name, province, lat, lon) in names {
        let mut record = disan::record::SiteRecord::new(id, name, chrono::Utc::now());
        record.location.province = Some(province.into());
        (record.location.lat, record.location.lon) = (Some(lat), Some(lon));
        record.summary = Some(format!("{name}, di tích ở {province}"));
        writer
            .add_document(index.document(&record, &DocumentExtras::default()))
            .expect("added");
    }
    writer.commit().expect("committed");
    index.reload().expect("reloaded");
    index
});

fuzz_target!(|data: &[u8]| {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(data).unwrap_or_default();
    let pairs = if pairs.is_empty() {
        vec![("q".to_owned(), String::from_utf8_lossy(data).into_owned())]
    } else {
        pairs
    };
    if let Ok(request) = SearchRequest::from_pairs(pairs) {
        let _ = INDEX.search(&request);
        let _ = INDEX.suggest(&request.q, 8);
    }
});
