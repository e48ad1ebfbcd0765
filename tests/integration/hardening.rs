//! Regression tests for the findings of the security review of a running server: each test
//! names its finding and failed before the fix. (Tests of the hardening that came after the
//! review — backups, metrics, quotas under load — are in their own modules.)

use actix_web::http::{StatusCode, header};
use actix_web::test::{self, TestRequest};
use disan::archive::write_record;
use disan::ingest::{IngestOptions, ingest};
use disan::layout::{ArchiveLayout, IndexLayout};
use disan::web::{AppState, app};

use crate::moderate_fixture::send;

/// Finding 1 (render cost): a description 20,000 quotes deep is rendered once, when the site
/// is published, with its nesting capped; the page embeds that stored rendering.
#[actix_web::test]
async fn a_deeply_nested_description_is_rendered_once_and_capped() {
    let dir = crate::util::copy_of(&crate::util::repo().join("archive"));
    let archive = ArchiveLayout::new(dir.path().join("archive"));
    let index = IndexLayout::new(dir.path().join("index"));
    let site_dir = archive.root().join("ninh-binh/den-thai-vi");
    let mut record = disan::record::SiteRecord::from_json(
        &std::fs::read_to_string(ArchiveLayout::site_file(&site_dir)).unwrap(),
    )
    .unwrap();
    record.description = Some(format!("{}sâu thẳm", "> ".repeat(20_000)));
    write_record(&site_dir, &record).unwrap();
    let report = ingest(&archive, &index, &IngestOptions::default()).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let hash = disan::ingest::manifest::hash_bytes(
        &std::fs::read(ArchiveLayout::site_file(&site_dir)).unwrap(),
    );
    assert!(index.description(&hash).is_file(), "ingest stores it");
    let state = actix_web::web::Data::new(AppState::open(&archive, &index, None).unwrap());
    let app = test::init_service(app(state.clone())).await;
    let page = send(&app, TestRequest::get().uri("/sites/den-thai-vi")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("sâu thẳm"));
    let quotes = page.body.matches("<blockquote>").count();
    assert!(
        (1..=disan::description::MAX_DEPTH).contains(&quotes),
        "{quotes} nested quotes on the page"
    );
    // A revalidation is answered from the kept page.
    let etag = page.headers.get(header::ETAG).unwrap().clone();
    let again = send(
        &app,
        TestRequest::get()
            .uri("/sites/den-thai-vi")
            .insert_header((header::IF_NONE_MATCH, etag)),
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
}
