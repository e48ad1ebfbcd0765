use super::*;
use crate::import::convert::convert;
use crate::import::rows;
use crate::record::{Accuracy, Category, Level, Period, Source};

pub(crate) fn context() -> Context {
    Context {
        origin: "https://disan.example.org".into(),
        title: "Disan".into(),
        licence: crate::open_data::Licence::DEFAULT,
        made: chrono::Utc::now(),
    }
}

pub(crate) fn full_record() -> SiteRecord {
    let at = "2026-01-31T08:00:00.123Z".parse().unwrap();
    let mut r = SiteRecord::new("den-thai-vi", "Đền Thái Vi", at);
    r.former_ids = vec!["den-thai-vi-cu".into()];
    r.short_code = Some("tv1".into());
    r.name_en = Some("Thái Vi Temple".into());
    r.alt_names = vec!["Thái Vi tự; đền vua".into(), "[Đền]".into()];
    r.site_type = crate::record::SiteType::parse("Cổng làng");
    r.category = vec![Category::History, Category::Architecture];
    r.level = Level::National;
    r.red_address = true;
    r.location.address = Some("thôn Văn Lâm, xã Ninh Hải".into());
    r.location.commune = Some("Phường Hoa Lư".into());
    r.location.province = Some("Ninh Bình".into());
    r.location.legacy.province = Some("Ninh Bình".into());
    r.location.legacy.district = Some("Huyện Hoa Lư".into());
    r.location.legacy.commune = Some("Xã Ninh Hải".into());
    r.location.lat = Some(20.214_612_345);
    r.location.lon = Some(105.912_3);
    r.location.accuracy = Some(Accuracy::Surveyed);
    r.period = Some(Period {
        text: Some("thế kỷ XIII".into()),
        start_year: Some(1258),
        end_year: Some(1300),
    });
    r.year_recognized = Some(1962);
    r.people = vec!["Trần Thái Tông".into(), "Trần Nhân Tông".into()];
    r.summary = Some("Đền thờ các vua Trần, \"cổ\", có dấu phẩy, và\nxuống dòng.".into());
    r.description = Some("## Lịch sử\n\nĐoạn **một**.\n\nĐoạn hai.".into());
    r.summary_en = Some("A temple of the Trần kings.".into());
    r.sources = vec![
        Source::parse("Sách X, trang 3").unwrap(),
        Source::parse("https://vi.wikipedia.org/wiki/Đền_Thái_Vi").unwrap(),
    ];
    r.tags = vec!["nhà Trần".into()];
    r.wikidata = Some("Q10800000".into());
    r.updated = Some("2026-02-01T00:00:00Z".parse().unwrap());
    r
}

fn export(format: Format, records: &[SiteRecord]) -> String {
    let mut out = Vec::new();
    let items = records.iter().cloned().map(Item::Record);
    let report = write_one(items, format, &mut out, &context()).unwrap();
    assert_eq!(report.written.len(), 1);
    String::from_utf8(out).unwrap()
}

#[test]
fn csv_is_read_back_by_import_as_the_same_record() {
    let record = full_record();
    let text = export(Format::Csv, std::slice::from_ref(&record));
    assert!(text.starts_with('\u{feff}'));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sites.csv");
    std::fs::write(&path, &text).unwrap();
    let (rows, bad) = rows::read(&path).unwrap();
    assert!(bad.is_empty(), "{bad:?}");
    let data = convert(&rows[0], chrono::Utc::now()).unwrap();
    assert_eq!(data.warnings, Vec::<String>::new());
    assert_eq!(data.record, record);
}

#[test]
fn map_formats_carry_what_a_map_shows() {
    let mut unplaced = SiteRecord::new("chua-x", "Chùa X", chrono::Utc::now());
    unplaced.level = Level::Provincial;
    let records = [full_record(), unplaced];

    let geojson: serde_json::Value =
        serde_json::from_str(&export(Format::Geojson, &records)).unwrap();
    assert_eq!(geojson["type"], "FeatureCollection");
    let features = geojson["features"].as_array().unwrap();
    assert_eq!(features.len(), 2);
    assert_eq!(features[0]["geometry"]["coordinates"][0], 105.912_3);
    assert_eq!(features[0]["properties"]["accuracy"], "surveyed");
    assert_eq!(
        features[0]["properties"]["url"],
        "https://disan.example.org/sites/den-thai-vi"
    );
    assert!(features[1]["geometry"].is_null());

    let gpx = export(Format::Gpx, &records);
    assert_eq!(gpx.matches("<wpt ").count(), 1, "{gpx}");
    assert!(
        gpx.contains("<wpt lat=\"20.214612345\" lon=\"105.9123\"><name>Đền Thái Vi</name>"),
        "{gpx}"
    );
    assert!(
        gpx.contains("Di tích cấp quốc gia (National relic)"),
        "{gpx}"
    );
    assert!(gpx.contains("Đo đạc tại chỗ (Surveyed on site)"), "{gpx}");
    assert!(gpx.contains("<link href=\"https://disan.example.org/sites/den-thai-vi\">"));

    let kml = export(Format::Kml, &records);
    assert_eq!(kml.matches("<Placemark ").count(), 1);
    assert!(
        kml.contains("<coordinates>105.9123,20.214612345</coordinates>"),
        "{kml}"
    );
    assert!(
        kml.contains("<Data name=\"level\"><value>national</value></Data>"),
        "{kml}"
    );

    let jsonl = export(Format::Jsonl, &records);
    let first: SiteRecord = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert_eq!(first, full_record());
    assert_eq!(jsonl.lines().count(), 2);
}
