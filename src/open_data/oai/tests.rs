use chrono::{TimeZone, Utc};

use super::*;
use crate::archive::deletions::Deletion;
use crate::archive::write_record;
use crate::record::{KnownType, SiteRecord, SiteType};
use crate::search::DocumentExtras;

struct Fixture {
    _dir: tempfile::TempDir,
    archive: ArchiveLayout,
    index: SearchIndex,
}

fn record(i: usize) -> SiteRecord {
    let at = Utc
        .with_ymd_and_hms(2026, 1, 1 + (i % 5) as u32, 8, 0, 0)
        .unwrap();
    let mut r = SiteRecord::new(format!("site-{i:03}"), format!("Đình số {i}"), at);
    r.location.province = Some(
        if i.is_multiple_of(2) {
            "Ninh Bình"
        } else {
            "Hà Nội"
        }
        .into(),
    );
    r.site_type = Some(SiteType::Known(if i.is_multiple_of(3) {
        KnownType::Chua
    } else {
        KnownType::Dinh
    }));
    r.summary = Some(format!("Tóm tắt <{i}> & \u{1}điều thú vị"));
    r
}

fn fixture(records: &[SiteRecord]) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let archive = ArchiveLayout::new(dir.path().join("archive"));
    let index = SearchIndex::create_in_ram();
    index_records(&archive, &index, records);
    Fixture {
        _dir: dir,
        archive,
        index,
    }
}

fn index_records(archive: &ArchiveLayout, index: &SearchIndex, records: &[SiteRecord]) {
    let mut writer = index.writer(15_000_000).unwrap();
    for r in records {
        let folder = format!("sites/{}", r.id);
        write_record(&archive.root().join(&folder), r).unwrap();
        writer.delete_term(index.id_term(&r.id));
        let extras = DocumentExtras {
            folder: Some(folder),
            ..Default::default()
        };
        writer.add_document(index.document(r, &extras)).unwrap();
    }
    writer.commit().unwrap();
    index.reload().unwrap();
}

fn ask(f: &Fixture, query: &str) -> String {
    let repository = Repository {
        index: &f.index,
        archive: &f.archive,
        origin: "https://disan.example.org",
        contact_email: "admin@disan.example.org",
        licence: Licence::DEFAULT,
    };
    let args: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap();
    String::from_utf8(repository.respond(&args, Utc::now()).unwrap()).unwrap()
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Vec<&'a str> {
    text.split(start)
        .skip(1)
        .filter_map(|part| part.split(end).next())
        .collect()
}

fn error_code(xml: &str) -> Option<&str> {
    between(xml, "<error code=\"", "\"").first().copied()
}

#[test]
fn identify_and_formats() {
    let f = fixture(&[record(1)]);
    let xml = ask(&f, "verb=Identify");
    assert!(
        xml.contains("<baseURL>https://disan.example.org/oai</baseURL>"),
        "{xml}"
    );
    assert!(xml.contains("<deletedRecord>persistent</deletedRecord>"));
    assert!(
        xml.contains("<earliestDatestamp>2026-01-02T08:00:00Z</earliestDatestamp>"),
        "{xml}"
    );
    assert!(xml.contains("<repositoryIdentifier>disan.example.org</repositoryIdentifier>"));
    assert!(xml.contains("<request verb=\"Identify\">"), "{xml}");
    let xml = ask(
        &f,
        "verb=ListMetadataFormats&identifier=oai:disan.example.org:site-001",
    );
    assert!(
        xml.contains("<metadataPrefix>oai_dc</metadataPrefix>"),
        "{xml}"
    );
    let xml = ask(
        &f,
        "verb=ListMetadataFormats&identifier=oai:disan.example.org:nothing",
    );
    assert_eq!(error_code(&xml), Some("idDoesNotExist"));
}

#[test]
fn every_error_condition() {
    let f = fixture(&[record(1), record(2)]);
    for (query, code) in [
        ("verb=Nothing", "badVerb"),
        ("", "badVerb"),
        (
            "verb=GetRecord&identifier=oai:disan.example.org:site-001",
            "badArgument",
        ),
        (
            "verb=ListRecords&metadataPrefix=mods",
            "cannotDisseminateFormat",
        ),
        (
            "verb=GetRecord&identifier=oai:elsewhere:site-001&metadataPrefix=oai_dc",
            "idDoesNotExist",
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&set=province:ca-mau",
            "noRecordsMatch",
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&from=2030-01-01",
            "noRecordsMatch",
        ),
        (
            "verb=ListRecords&resumptionToken=bm9wZQ",
            "badResumptionToken",
        ),
    ] {
        let xml = ask(&f, query);
        assert_eq!(error_code(&xml), Some(code), "{query}: {xml}");
        if code == "badVerb" || code == "badArgument" {
            assert!(
                xml.contains("<request>https://disan.example.org/oai</request>"),
                "{xml}"
            );
        }
    }
}

#[test]
fn a_record_in_dublin_core() {
    let mut r = record(4);
    r.name_en = Some("Communal house 4".into());
    r.location.lat = Some(20.25);
    r.location.lon = Some(105.97);
    r.wikidata = Some("Q42".into());
    let f = fixture(&[r.clone()]);
    let xml = ask(
        &f,
        "verb=GetRecord&identifier=oai:disan.example.org:site-004&metadataPrefix=oai_dc",
    );
    assert!(
        xml.contains("<dc:title xml:lang=\"vi\">Đình số 4</dc:title>"),
        "{xml}"
    );
    assert!(xml.contains("<dc:title xml:lang=\"en\">Communal house 4</dc:title>"));
    assert!(
        xml.contains("<dc:subject xml:lang=\"en\">Communal house</dc:subject>"),
        "{xml}"
    );
    assert!(
        xml.contains("Tóm tắt &lt;4&gt; &amp; điều thú vị"),
        "control characters go: {xml}"
    );
    assert!(xml.contains(&format!(
        "<dc:identifier>https://disan.example.org/s/{}</dc:identifier>",
        r.short_code()
    )));
    assert!(xml.contains("east=105.97; north=20.25"), "{xml}");
    assert!(xml.contains("<setSpec>province:ninh-binh</setSpec>"));
    assert!(xml.contains("http://www.wikidata.org/entity/Q42"));
    assert!(
        xml.contains("<datestamp>2026-01-05T08:00:00Z</datestamp>"),
        "{xml}"
    );
}

#[test]
fn a_harvest_in_pages_survives_changes_in_the_middle() {
    let mut records: Vec<SiteRecord> = (0..450).map(record).collect();
    let f = fixture(&records);
    let mut seen: Vec<String> = Vec::new();
    let mut query = "verb=ListIdentifiers&metadataPrefix=oai_dc".to_owned();
    let mut pages = 0;
    loop {
        let xml = ask(&f, &query.replace("ListIdentifiers", "ListRecords"));
        pages += 1;
        seen.extend(
            between(&xml, "<identifier>oai:disan.example.org:", "<")
                .iter()
                .map(|s| s.to_string()),
        );
        if pages == 1 {
            // A publication in the middle: one site already sent and one not yet sent change.
            let sent = seen[0].clone();
            let later = records.iter().position(|r| !seen.contains(&r.id)).unwrap();
            for r in records
                .iter_mut()
                .filter(|r| r.id == sent || r.id == records_id(later))
            {
                r.updated = Some(Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap());
            }
            let changed: Vec<SiteRecord> = records
                .iter()
                .filter(|r| r.updated.unwrap().timestamp() >= 1_769_904_000)
                .cloned()
                .collect();
            index_records(&f.archive, &f.index, &changed);
        }
        let token = between(&xml, "<resumptionToken", "</resumptionToken>");
        match token.first().and_then(|t| t.split('>').nth(1)) {
            Some(t) if !t.is_empty() => query = format!("verb=ListIdentifiers&resumptionToken={t}"),
            _ => break,
        }
    }
    assert_eq!(pages, 3, "200 records a page");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 450, "every site, none skipped");
    assert_eq!(
        seen.len(),
        451,
        "the site changed after it was sent comes again"
    );
}

fn records_id(i: usize) -> String {
    format!("site-{i:03}")
}

#[test]
fn selective_harvests_and_deletions() {
    let mut renamed = record(7);
    renamed.id = "site-007-moi".into();
    renamed.former_ids = vec!["site-007".into()];
    let f = fixture(&[record(1), record(2), renamed]);
    let xml = ask(
        &f,
        "verb=ListIdentifiers&metadataPrefix=oai_dc&set=province:ninh-binh",
    );
    let ids = between(&xml, "<identifier>oai:disan.example.org:", "<");
    assert_eq!(ids, ["site-002"], "{xml}");
    let xml = ask(
        &f,
        "verb=ListIdentifiers&metadataPrefix=oai_dc&from=2026-01-03&until=2026-01-03",
    );
    assert_eq!(
        between(&xml, "<identifier>oai:disan.example.org:", "<"),
        ["site-002", "site-007", "site-007-moi"],
        "{xml}"
    );
    assert!(
        xml.contains("<header status=\"deleted\"><identifier>oai:disan.example.org:site-007<"),
        "{xml}"
    );

    crate::archive::deletions::append(
        &f.archive,
        &[Deletion {
            id: "site-099".into(),
            at: Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap(),
            sets: vec!["province".into(), "province:ha-noi".into()],
            note: None,
        }],
    )
    .unwrap();
    let xml = ask(
        &f,
        "verb=GetRecord&identifier=oai:disan.example.org:site-099&metadataPrefix=oai_dc",
    );
    assert!(xml.contains("<header status=\"deleted\">"), "{xml}");
    assert!(!xml.contains("<metadata>"));
    let xml = ask(
        &f,
        "verb=ListRecords&metadataPrefix=oai_dc&set=province:ha-noi&from=2026-03-01",
    );
    assert_eq!(
        between(&xml, "<identifier>oai:disan.example.org:", "<"),
        ["site-099"],
        "{xml}"
    );
    let xml = ask(&f, "verb=ListSets");
    assert!(
        xml.contains(
            "<setSpec>type:dinh</setSpec><setName>Loại hình / Type: Đình / Communal house</setName>"
        ),
        "{xml}"
    );
}
