//! An approved site becomes searchable through the update task, without a re-ingest.

use std::sync::Arc;

use chrono::Utc;

use super::*;
use crate::archive::inbox::{Inbox, PhotoDetails, Proposal};
use crate::moderation::Moderation;
use crate::search::SearchRequest;

fn jpeg() -> Vec<u8> {
    let rgb: Vec<u8> = (0..80u32 * 60)
        .flat_map(|i| [(i % 251) as u8, 90, 40])
        .collect();
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90)
        .encode(&rgb, 80, 60, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    out
}

fn ids(index: &SearchIndex, q: &str) -> Vec<String> {
    let response = index.search(&SearchRequest::text(q)).unwrap();
    response.hits.into_iter().map(|h| h.id).collect()
}

#[test]
fn an_approved_site_is_searchable_without_a_reingest() {
    let dir = tempfile::tempdir().unwrap();
    let archive = ArchiveLayout::new(dir.path().join("archive"));
    let index_layout = IndexLayout::new(dir.path().join("index"));
    let mut existing = SiteRecord::new("den-hung-phu-tho", "Đền Hùng", Utc::now());
    existing.location.province = Some("Phú Thọ".into());
    crate::archive::write_record(
        &archive.new_site_dir(Some("Phú Thọ"), &existing.id),
        &existing,
    )
    .unwrap();
    crate::ingest::ingest(&archive, &index_layout, &Default::default()).unwrap();

    let index = Arc::new(crate::search::open(index_layout.tantivy()).unwrap());
    let updater = IndexUpdater::spawn(index.clone(), 20_000_000).unwrap();
    assert_eq!(ids(&index, "den hung"), ["den-hung-phu-tho"]);
    assert!(ids(&index, "tuc mac").is_empty());

    // A volunteer proposes a site with a photo; a moderator approves it.
    let inbox = Inbox::new(&archive);
    let mut record = SiteRecord::new("", "Đình Tức Mạc", Utc::now());
    record.location.province = Some("Ninh Bình".into());
    let sub = inbox
        .submit("lan", Proposal::NewSite { record }, Utc::now())
        .unwrap();
    let mut staged = inbox.stage().unwrap();
    staged.write(&jpeg()).unwrap();
    let details = PhotoDetails {
        original_name: "dinh.jpg".into(),
        caption: None,
        author: "Lan".into(),
        license: "CC0-1.0".into(),
    };
    inbox
        .add_photo(&sub.id, staged, details, Utc::now())
        .unwrap();
    let applied = Moderation::new(&archive)
        .approve(&sub.id, "mai", None, Utc::now())
        .unwrap();

    // The handler's only index work: send the update.
    let extras = site_extras(
        &index_layout,
        &applied.site_dir,
        &applied.record,
        &Limits::default(),
    );
    assert_eq!(extras.photo_count, 1);
    updater
        .send(SiteUpdate::Upsert {
            record: Box::new(applied.record.clone()),
            extras,
        })
        .unwrap();
    updater.flush().unwrap();

    let response = index.search(&SearchRequest::text("dinh tuc mac")).unwrap();
    assert_eq!(response.hits.len(), 1);
    let hit = &response.hits[0];
    assert_eq!(hit.id, applied.record.id);
    let thumbnail = hit.thumbnail.as_deref().expect("the photo's thumbnail");
    let media = thumbnail.strip_prefix("/media/").unwrap();
    assert!(index_layout.media_root().join(media).is_file());
    assert_eq!(index.num_sites(), 2);

    // A rename replaces the document rather than adding one; removal deletes it.
    let mut renamed = applied.record.clone();
    renamed.name = "Đình làng Tức Mạc".into();
    updater
        .send(SiteUpdate::Upsert {
            record: Box::new(renamed),
            extras: DocumentExtras::default(),
        })
        .unwrap();
    updater.flush().unwrap();
    assert_eq!(index.num_sites(), 2);
    updater
        .send(SiteUpdate::Remove {
            id: applied.record.id.clone(),
        })
        .unwrap();
    updater.flush().unwrap();
    assert!(ids(&index, "tuc mac").is_empty());
    assert_eq!(ids(&index, "den hung"), ["den-hung-phu-tho"]);

    // The next ingest agrees with what the task did.
    drop(updater);
    let report = crate::ingest::ingest(&archive, &index_layout, &Default::default()).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let index = crate::search::open(index_layout.tantivy()).unwrap();
    assert_eq!(ids(&index, "tuc mac"), [applied.record.id.as_str()]);
}

#[test]
fn a_second_writer_is_refused_up_front() {
    let dir = tempfile::tempdir().unwrap();
    let index = Arc::new(SearchIndex::create(&dir.path().join("t")).unwrap());
    let _first = IndexUpdater::spawn(index.clone(), 20_000_000).unwrap();
    assert!(IndexUpdater::spawn(index, 20_000_000).is_err());
}
