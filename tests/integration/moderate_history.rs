//! Moderation on the web, afterwards: reverts and their conflicts; submitted text shown escaped;
//! a failed approval leaves the public archive untouched and the queue intact across a restart;
//! the public "needs help" list.

use actix_web::http::header;
use actix_web::test::init_service;
use actix_web::web;
use chrono::Utc;
use disan::accounts::Role;
use disan::archive::inbox::{Proposal, Status};
use disan::moderation::history;
use disan::record::SiteRecord;
use disan::web::AppState;

use crate::contrib_fixture::{account, fresh, login, post_form};
use crate::moderate_fixture::{
    approved_site, get, new_site, proposed_record, public_files, published_record, send,
};

#[actix_web::test]
async fn a_revert_restores_the_record_is_logged_and_conflicts_say_why() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let moderator = login(&app, &c.state, account(Role::Moderator)).await;
    let site_id = "chua-bai-dinh";
    let original = published_record(&c.state, site_id);
    let mut corrected = original.clone();
    corrected.summary = Some("Tóm tắt đã sửa: quần thể chùa lớn trên núi Bái Đính.".into());
    let proposal = Proposal::Correction {
        site_id: site_id.into(),
        record: corrected,
        note: Some("Sửa tóm tắt".into()),
    };
    let submission = c
        .state
        .inbox
        .submit("volunteer", proposal, Utc::now())
        .unwrap();
    let review = send(
        &app,
        get(&format!("/moderate/{}", submission.id), Some(&moderator)),
    )
    .await;
    assert!(
        review.body.contains("<code>summary</code>") && review.body.contains("Sửa tóm tắt"),
        "{}",
        review.body
    );
    let answer = send(
        &app,
        post_form(
            &format!("/moderate/{}/approve", submission.id),
            Some(&moderator),
            &[],
        ),
    )
    .await;
    assert_eq!(answer.status, 303);
    let site = c.state.catalog().get(site_id).unwrap().clone();
    assert!(
        published_record(&c.state, site_id)
            .summary
            .as_deref()
            .unwrap()
            .starts_with("Tóm tắt đã sửa")
    );
    let change = history::read(&site.dir).unwrap()[0].change.clone();

    // A moderator sees a revert button for it.
    let page = send(
        &app,
        get(&format!("/sites/{site_id}/history"), Some(&moderator)),
    )
    .await;
    assert!(
        page.body
            .contains(&format!(r#"name="change" value="{change}""#))
    );
    assert!(
        page.headers
            .get(header::CACHE_CONTROL)
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("private")
    );

    let answer = send(
        &app,
        post_form(
            "/moderate/revert",
            Some(&moderator),
            &[("site", site_id), ("change", &change)],
        ),
    )
    .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let now = published_record(&c.state, site_id);
    assert_eq!(now.summary, original.summary, "restored in what is served");
    let on_disk: SiteRecord =
        serde_json::from_slice(&std::fs::read(site.dir.join("site.json")).unwrap()).unwrap();
    assert_eq!(on_disk.summary, original.summary, "restored in the archive");
    let log = history::read(&site.dir).unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].reverts.as_deref(), Some(change.as_str()));
    assert_eq!(log[1].approved_by, "moderator");
    let search = send(&app, get("/api/v1/search?q=tom%20tat%20da%20sua", None)).await;
    let json: serde_json::Value = serde_json::from_str(&search.body).unwrap();
    assert!(
        json["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["id"] != site_id),
        "the index forgot the reverted text"
    );

    // Twice: refused, the page says why, nothing changes.
    let before = public_files(&c.state);
    let answer = send(
        &app,
        post_form(
            "/moderate/revert",
            Some(&moderator),
            &[("site", site_id), ("change", &change)],
        ),
    )
    .await;
    assert_eq!(answer.status, 409);
    assert!(answer.body.contains("already reverted"), "{}", answer.body);
    assert_eq!(public_files(&c.state), before);
    let missing = send(
        &app,
        post_form(
            "/moderate/revert",
            Some(&moderator),
            &[("site", site_id), ("change", "nope")],
        ),
    )
    .await;
    assert_eq!(missing.status, 404);
}

#[actix_web::test]
async fn submitted_html_is_shown_escaped_in_the_queue_the_review_and_the_history() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let moderator = login(&app, &c.state, account(Role::Moderator)).await;
    let attack = r#"Miếu <script>alert(1)</script><img src=x onerror="alert(2)">"#;
    let mut record = proposed_record(attack);
    record.summary = Some("<b onmouseover=alert(3)>tóm tắt</b>".into());
    record.description = Some(
        "**Đình cổ** <script>alert(4)</script> [xem](javascript:alert(5)) <iframe src=x></iframe>"
            .into(),
    );
    let submission = c
        .state
        .inbox
        .submit("volunteer", Proposal::NewSite { record }, Utc::now())
        .unwrap();
    let pages = [
        send(&app, get("/moderate", Some(&moderator))).await,
        send(
            &app,
            get(&format!("/moderate/{}", submission.id), Some(&moderator)),
        )
        .await,
    ];
    for page in &pages {
        assert_eq!(page.status, 200);
        assert!(
            page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{}",
            page.body
        );
        for raw in ["<script>alert", "<img src=x", "<b onmouseover"] {
            assert!(!page.body.contains(raw), "{raw} got through");
        }
    }
    let answer = send(
        &app,
        post_form(
            &format!("/moderate/{}/approve", submission.id),
            Some(&moderator),
            &[],
        ),
    )
    .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let site_id = approved_site(&c.state, &submission.id);
    let history_page = send(&app, get(&format!("/sites/{site_id}/history"), None)).await;
    assert_eq!(history_page.status, 200);
    assert!(history_page.body.contains("&lt;script&gt;alert(1)"));
    for raw in ["<script>alert", "<img src=x", "<b onmouseover"] {
        assert!(
            !history_page.body.contains(raw),
            "{raw} got through the history"
        );
    }
    // Published: the site page renders the Markdown, sanitised; search results and the API
    // carry the text escaped.
    let site_page = send(&app, get(&format!("/sites/{site_id}"), None)).await;
    assert_eq!(site_page.status, 200);
    assert!(
        site_page.body.contains("<strong>Đình cổ</strong>"),
        "Markdown rendered"
    );
    let search = send(&app, get("/search?q=mieu+alert", None)).await;
    let api = send(&app, get("/api/v1/search?q=mieu+alert", None)).await;
    assert!(api.body.contains(&site_id), "{}", api.body);
    for (what, body) in [("site page", &site_page.body), ("search", &search.body)] {
        for raw in [
            "<script>alert",
            "<img src=x",
            "<b onmouseover",
            "javascript:",
            "<iframe",
        ] {
            assert!(!body.contains(raw), "{raw} got through the {what}");
        }
    }
}

#[actix_web::test]
async fn a_failed_approval_writes_nothing_public_and_the_queue_survives_a_restart() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let moderator = login(&app, &c.state, account(Role::Moderator)).await;
    let (submission, _) = new_site(&c.state, "Miếu Ảnh Mất");
    let before = public_files(&c.state);
    // A photo vanishes from the inbox (a disk fault, a hand-made mistake): approval must fail
    // before anything public is written.
    let first = &submission.photos[0];
    let stored = c.state.inbox.photo_path(&submission, first);
    let kept = std::fs::read(&stored).unwrap();
    std::fs::remove_file(&stored).unwrap();
    let answer = send(
        &app,
        post_form(
            &format!("/moderate/{}/approve", submission.id),
            Some(&moderator),
            &[],
        ),
    )
    .await;
    assert_eq!(answer.status, 500);
    assert!(
        !answer.body.contains(&stored.display().to_string()),
        "no server path shown"
    );
    assert_eq!(
        public_files(&c.state),
        before,
        "no partial file, no site.json"
    );
    assert_eq!(
        c.state.inbox.get(&submission.id).unwrap().status,
        Status::Pending
    );
    assert!(
        c.state
            .catalog()
            .sites()
            .all(|s| s.name() != "Miếu Ảnh Mất")
    );

    // A new server over the same folders (after a crash): the submission is pending and whole.
    let crate::contrib_fixture::Contrib { _dir, state } = c;
    let (archive, index) = (state.archive.clone(), state.index_layout.clone());
    drop(app);
    drop(state); // the old server's index writer goes with it
    let restarted = AppState::open(&archive, &index, None).unwrap();
    restarted.start_updates().unwrap();
    let (pending, problems) = restarted.inbox.pending();
    assert!(problems.is_empty(), "{problems:?}");
    let found = pending
        .iter()
        .find(|s| s.id == submission.id)
        .expect("still pending");
    assert_eq!(found.photos, submission.photos);
    // Once the file is back, approving on the new server finishes the job, once.
    std::fs::write(&stored, kept).unwrap();
    let restarted = web::Data::new(restarted);
    let app = init_service(disan::web::app(restarted.clone())).await;
    let moderator = login(&app, &restarted, account(Role::Moderator)).await;
    let answer = send(
        &app,
        post_form(
            &format!("/moderate/{}/approve", submission.id),
            Some(&moderator),
            &[],
        ),
    )
    .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let site_id = approved_site(&restarted, &submission.id);
    let site = restarted.catalog().get(&site_id).unwrap().clone();
    assert_eq!(site.photos().len(), 2);
    assert_eq!(history::read(&site.dir).unwrap().len(), 1);
    let search = send(&app, get("/api/v1/search?q=mieu%20anh%20mat", None)).await;
    assert!(
        search.body.contains(&format!("\"id\":\"{site_id}\"")),
        "{}",
        search.body
    );
}

#[actix_web::test]
async fn needs_help_lists_sites_by_need_province_and_distance() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let all = send(&app, get("/needs-help", None)).await;
    assert_eq!(all.status, 200, "public");
    assert!(all.body.contains("noindex"));
    assert!(all.body.contains("data-fill-near"), "the location button");
    let photos = send(
        &app,
        get("/needs-help?need=photos&province=Ninh%20B%C3%ACnh", None),
    )
    .await;
    assert_eq!(photos.status, 200);
    assert!(photos.body.contains("/sites/chua-bai-dinh"));
    let near = send(
        &app,
        get("/needs-help?need=photos&near=20.2815,105.8648", None),
    )
    .await;
    let first = near.body.find("<ul class=\"help-list\">").unwrap();
    let list = &near.body[first..];
    let bai_dinh = list.find("/sites/chua-bai-dinh").unwrap();
    let ba_danh = list.find("/sites/chua-ba-danh").unwrap();
    assert!(bai_dinh < ba_danh, "nearest first");
    assert!(
        list.contains(" m<") || list.contains(" km<"),
        "distances shown"
    );
    let wrong = send(&app, get("/needs-help?near=here", None)).await;
    assert_eq!(wrong.status, 200);
    assert!(wrong.body.contains("role=\"alert\""));
    // A site approved with photos and a description no longer needs photos.
    let moderator = login(&app, &c.state, account(Role::Moderator)).await;
    let (submission, _) = new_site(&c.state, "Miếu Đủ Ảnh");
    send(
        &app,
        post_form(
            &format!("/moderate/{}/approve", submission.id),
            Some(&moderator),
            &[],
        ),
    )
    .await;
    let photos = send(&app, get("/needs-help?need=photos", None)).await;
    assert!(!photos.body.contains("Miếu Đủ Ảnh"));
    let description = send(&app, get("/needs-help?need=description", None)).await;
    assert!(
        description.body.contains("Miếu Đủ Ảnh"),
        "it still has no description"
    );
}
