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

/// Finding 2 (host header trust): a forged `Host`, `X-Forwarded-Host` or `Forwarded` header
/// changes no absolute URL of a publicly cached page, sitemap, robots.txt, QR code or API
/// answer; the sitemap's URLs are XML-escaped; `Vary` names each header once.
#[actix_web::test]
async fn forged_host_headers_rewrite_no_link() {
    // Without a public URL: links use the address the server listens on.
    let dir = crate::util::copy_of(&crate::util::repo().join("archive"));
    let archive = ArchiveLayout::new(dir.path().join("archive"));
    let index = IndexLayout::new(dir.path().join("index"));
    ingest(&archive, &index, &IngestOptions::default()).unwrap();
    let bare = AppState::open(&archive, &index, None)
        .unwrap()
        .with_network("0.0.0.0:16080", Default::default(), Default::default());
    let served = test::init_service(disan::web::app(actix_web::web::Data::new(bare))).await;
    let page = send(
        &served,
        TestRequest::get()
            .uri("/sites/den-thai-vi")
            .insert_header((header::HOST, "evil.example"))
            .insert_header(("X-Forwarded-Host", "evil.example")),
    )
    .await;
    assert!(!page.body.contains("evil.example"));
    assert!(
        page.body
            .contains("http://127.0.0.1:16080/sites/den-thai-vi")
    );
    drop(served);

    let state = crate::web_fixture::FIXTURE.state.clone();
    let app = test::init_service(app(state.clone())).await;
    let site = crate::web_fixture::PHOTO_SITE;
    for uri in [
        format!("/sites/{site}"),
        "/".to_owned(),
        "/sitemap.xml".to_owned(),
        "/robots.txt".to_owned(),
        format!("/sites/{site}/qr.svg"),
        format!("/sites/{site}/plaque"),
        format!("/api/v1/sites/{site}"),
        "/search?q=den".to_owned(),
    ] {
        let forged = send(
            &app,
            TestRequest::get()
                .uri(&uri)
                .insert_header((header::HOST, "evil.example"))
                .insert_header(("X-Forwarded-Host", "evil.example"))
                .insert_header(("X-Forwarded-Proto", "https"))
                .insert_header(("Forwarded", "host=evil.example;proto=https")),
        )
        .await;
        assert_eq!(forged.status, StatusCode::OK, "{uri}");
        assert!(
            !forged.body.contains("evil.example"),
            "{uri}: {}",
            forged.body
        );
        let plain = send(&app, TestRequest::get().uri(&uri)).await;
        assert_eq!(
            plain.body, forged.body,
            "{uri}: the answer depends on the headers"
        );
        let vary: Vec<_> = forged.headers.get_all(header::VARY).collect();
        assert!(vary.len() <= 1, "{uri}: {vary:?}");
        if let Some(vary) = vary.first() {
            let names: Vec<String> = vary
                .to_str()
                .unwrap()
                .split(',')
                .map(|n| n.trim().to_ascii_lowercase())
                .collect();
            let mut unique = names.clone();
            unique.dedup();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), names.len(), "{uri}: {vary:?}");
        }
    }
    let sitemap = send(&app, TestRequest::get().uri("/sitemap.xml")).await;
    assert!(sitemap.body.contains("?lang=en</loc>"), "{}", sitemap.body);
    assert!(sitemap.body.contains("https://disan.example.org/sites/"));
}

/// Finding 12 (info): an over-long URI gets the site's error shape, `HEAD` answers pages like
/// `GET`, and an https public URL brings HSTS.
#[actix_web::test]
async fn long_uris_head_requests_and_hsts() {
    let state = crate::web_fixture::FIXTURE.state.clone();
    let app = test::init_service(app(state.clone())).await;
    let long = "a".repeat(10_000);
    let api = send(
        &app,
        TestRequest::get().uri(&format!("/api/v1/search?q={long}")),
    )
    .await;
    assert_eq!(api.status, StatusCode::URI_TOO_LONG);
    let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(json["code"], "uri_too_long");
    let page = send(&app, TestRequest::get().uri(&format!("/search?q={long}"))).await;
    assert_eq!(page.status, StatusCode::URI_TOO_LONG);
    assert!(page.body.contains("<html"), "{}", page.body);
    for uri in [
        "/",
        "/sites/den-thai-vi",
        "/search?q=den",
        "/api/v1/search?q=den",
    ] {
        let head = send(
            &app,
            TestRequest::default()
                .method(actix_web::http::Method::HEAD)
                .uri(uri),
        )
        .await;
        assert_eq!(head.status, StatusCode::OK, "HEAD {uri}");
    }
    assert!(api.headers.get(header::STRICT_TRANSPORT_SECURITY).is_none());

    let dir = crate::util::copy_of(&crate::util::repo().join("archive"));
    let archive = ArchiveLayout::new(dir.path().join("archive"));
    let index = IndexLayout::new(dir.path().join("index"));
    ingest(&archive, &index, &IngestOptions::default()).unwrap();
    let public =
        AppState::open(&archive, &index, Some("https://disan.example.org".into())).unwrap();
    let served = test::init_service(disan::web::app(actix_web::web::Data::new(public))).await;
    let home = send(&served, TestRequest::get().uri("/")).await;
    assert_eq!(
        home.headers.get(header::STRICT_TRANSPORT_SECURITY).unwrap(),
        "max-age=31536000"
    );
    assert!(home.body.contains("https://disan.example.org/"));
}

/// Finding 3 (lockout as a weapon): wrong passwords from one address do not lock the owner
/// out at another, and the public history does not name moderators.
#[actix_web::test]
async fn wrong_passwords_elsewhere_do_not_lock_the_owner_out() {
    use crate::contrib_fixture::{PASSWORD, fresh, login_token, post_form};
    let c = fresh();
    let app = test::init_service(app(c.state.clone())).await;
    let attempt = |password: &'static str, peer: &'static str| {
        let app = &app;
        async move {
            let token = login_token(app).await;
            let request = post_form(
                "/login",
                None,
                &[
                    ("csrf", &token),
                    ("user", "volunteer"),
                    ("password", password),
                ],
            )
            .peer_addr(peer.parse().unwrap())
            .insert_header((header::COOKIE, format!("disan_login={token}")));
            send(app, request).await.status
        }
    };
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(
            attempt("not the password", "203.0.113.1:5000")
                .await
                .as_u16(),
        );
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
    // The owner, from their own address, gets in; the guesser still waits.
    assert_eq!(
        attempt(PASSWORD, "198.51.100.2:6000").await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        attempt(PASSWORD, "203.0.113.1:5000").await,
        StatusCode::TOO_MANY_REQUESTS
    );

    // The public history says "a moderator"; a moderator sees the name.
    let (submission, _) = crate::moderate_fixture::new_site(&c.state, "Miếu Thử Lịch Sử");
    let applied = c
        .state
        .moderation
        .approve(&submission.id, "moderator", None, chrono::Utc::now())
        .unwrap();
    disan::web::moderate::publish::publish(&c.state, &applied);
    let url = format!("/sites/{}/history", applied.record.id);
    let public = send(&app, TestRequest::get().uri(&url)).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(!public.body.contains(": moderator"), "{}", public.body);
    assert!(public.body.contains("một người kiểm duyệt"));
    let moderator = crate::contrib_fixture::login(&app, &c.state, "moderator").await;
    let private = send(&app, crate::moderate_fixture::get(&url, Some(&moderator))).await;
    assert!(private.body.contains(": moderator"));
}

/// Finding 4 (disk filling): a volunteer's open uploads, bytes a day and submissions an hour
/// are bounded with a clear refusal; "add photos" twice continues one submission; a sweep
/// frees what was given up.
#[actix_web::test]
async fn quotas_bound_what_one_volunteer_can_put_on_disk() {
    use crate::contrib_fixture::{fresh, login, post_form};
    let c = fresh();
    let app = test::init_service(app(c.state.clone())).await;
    let lan = login(&app, &c.state, "volunteer").await;
    let start = |browser| post_form("/contribute/photos/den-thai-vi", Some(browser), &[]);
    let first = send(&app, start(&lan)).await;
    let second = send(&app, start(&lan)).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let location = |a: &crate::moderate_fixture::Answer| {
        a.headers
            .get(header::LOCATION)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        location(&first),
        location(&second),
        "one submission, not two"
    );
    let id = location(&first)
        .trim_start_matches("/contribute/")
        .to_owned();

    let declare = |key: String| {
        let body = serde_json::json!({
            "name": "IMG.JPG", "size": 30 * 1024 * 1024, "key": key,
            "author": "Lan", "license": "CC-BY-SA-4.0"
        });
        TestRequest::post()
            .uri(&format!("/contribute/{id}/uploads"))
            .insert_header((header::COOKIE, lan.cookie_header()))
            .insert_header(("x-csrf-token", lan.csrf.as_str()))
            .set_payload(body.to_string())
    };
    let mut statuses = Vec::new();
    for i in 0..12 {
        statuses.push(send(&app, declare(format!("k{i}"))).await.status.as_u16());
    }
    // Ten open uploads at once, and 2,000 MB a day: the 11th declaration is refused.
    assert_eq!(&statuses[..10], &[200; 10]);
    let refused = send(&app, declare("k99".into())).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    let json: serde_json::Value = serde_json::from_str(&refused.body).unwrap();
    assert_eq!(json["code"], "quota_reached");
    assert!(
        json["message"]
            .as_str()
            .unwrap()
            .contains("10 photos being sent at once")
    );
    // A retry of an open upload is still answered.
    assert_eq!(
        send(&app, declare("k3".into())).await.status,
        StatusCode::OK
    );
    // Given up uploads are swept while the server runs, and free the quota.
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(2 * 86_400);
    assert!(
        c.state
            .inbox
            .recover(std::time::Duration::from_secs(86_400), later)
            .unwrap()
            >= 10
    );
    assert_eq!(
        send(&app, declare("k100".into())).await.status,
        StatusCode::OK
    );

    // Submissions an hour (the one above counts).
    let proposal = || disan::archive::inbox::Proposal::Photos {
        site_id: "den-thai-vi".into(),
    };
    let now = chrono::Utc::now();
    for _ in 0..19 {
        c.state.inbox.submit("volunteer", proposal(), now).unwrap();
    }
    let err = c
        .state
        .inbox
        .submit("volunteer", proposal(), now)
        .unwrap_err();
    assert!(err.to_string().contains("20 submissions an hour"), "{err}");
    c.state.inbox.submit("moderator", proposal(), now).unwrap();
}

/// Finding 6 (privacy): the EXIF sidecar is not served; a volunteer's photo position is
/// published only when they agreed, and otherwise the published copy carries none.
#[actix_web::test]
async fn photo_positions_stay_private_unless_shared() {
    let fixture = &crate::web_fixture::FIXTURE;
    let app = test::init_service(app(fixture.state.clone())).await;
    let catalog = fixture.state.catalog();
    let site = catalog.get(crate::web_fixture::PHOTO_SITE).unwrap();
    let hash = &site.photos()[0].meta.hash;
    let index = &fixture.state.index_layout;
    assert!(index.photo_meta(hash).is_file());
    let served = send(
        &app,
        TestRequest::get().uri(&format!("/media/{}/{hash}.json", &hash[..2])),
    )
    .await;
    assert_eq!(served.status, StatusCode::NOT_FOUND);
    let file = &site.photos()[0].meta.files[0].path;
    let photo = send(&app, TestRequest::get().uri(&format!("/media/{file}"))).await;
    assert_eq!(photo.status, StatusCode::OK);

    let c = crate::contrib_fixture::fresh();
    for shared in [false, true] {
        let (submission, hashes) =
            crate::moderate_fixture::new_site(&c.state, &format!("Miếu Riêng Tư {shared}"));
        for hash in &hashes {
            c.state
                .inbox
                .set_position_shared(&submission.id, hash, shared)
                .unwrap();
        }
        let applied = c
            .state
            .moderation
            .approve(&submission.id, "moderator", None, chrono::Utc::now())
            .unwrap();
        for photo in &applied.record.photos {
            assert_eq!(photo.lat.is_some(), shared, "{}", photo.file);
            let copy = applied.site_dir.join(&photo.file);
            let exif = disan::media::read_exif(&copy).unwrap();
            assert_eq!(exif.gps.is_some(), shared, "{}", photo.file);
        }
    }
}

/// Finding 7 (revert leaves files public): reverting an approved photo deletes its
/// derivatives and sidecar (its URLs answer 404) and takes the file out of the site folder.
#[actix_web::test]
async fn a_reverted_photo_is_withdrawn() {
    use disan::web::moderate::publish::publish;
    let c = crate::contrib_fixture::fresh();
    let app = test::init_service(app(c.state.clone())).await;
    let proposal = disan::archive::inbox::Proposal::Photos {
        site_id: "den-thai-vi".into(),
    };
    let submission = c
        .state
        .inbox
        .submit("volunteer", proposal, chrono::Utc::now())
        .unwrap();
    let bytes = crate::web_fixture::photo_like_jpeg(1600, 1200, 7);
    crate::moderate_fixture::add_photo(&c.state, &submission.id, "IMG_7.JPG", &bytes);
    let applied = c
        .state
        .moderation
        .approve(&submission.id, "moderator", None, chrono::Utc::now())
        .unwrap();
    publish(&c.state, &applied);
    let catalog = c.state.catalog();
    let meta = catalog.get("den-thai-vi").unwrap().photos()[0].meta.clone();
    let url = format!("/media/{}", meta.files[0].path);
    assert_eq!(
        send(&app, TestRequest::get().uri(&url)).await.status,
        StatusCode::OK
    );
    let original = applied.site_dir.join(&applied.record.photos[0].file);
    assert!(original.is_file());

    let reverted = c
        .state
        .moderation
        .revert(
            "den-thai-vi",
            &applied.entry.change,
            "admin",
            chrono::Utc::now(),
        )
        .unwrap();
    publish(&c.state, &reverted);
    assert!(reverted.record.photos.is_empty());
    assert!(!original.exists(), "the original left the site folder");
    assert_eq!(
        send(&app, TestRequest::get().uri(&url)).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(!c.state.index_layout.photo_meta(&meta.hash).exists());
    // The submitted original is still in the inbox, for the record.
    let kept = c.state.inbox.get(&submission.id).unwrap();
    assert!(c.state.inbox.photo_path(&kept, &kept.photos[0]).is_file());
}

/// Finding 9 (bidi spoofing): right-to-left overrides and other invisible format characters
/// are dropped from file names, photo authors and captions.
#[actix_web::test]
async fn invisible_format_characters_are_dropped() {
    let c = crate::contrib_fixture::fresh();
    let (submission, _) = crate::moderate_fixture::new_site(&c.state, "Miếu Chữ Ẩn");
    let mut staged = c.state.inbox.stage().unwrap();
    staged
        .write(&crate::web_fixture::photo_like_jpeg(800, 600, 11))
        .unwrap();
    let details = disan::archive::inbox::PhotoDetails {
        original_name: "x\u{202e}gpj.exe".into(),
        caption: Some("Cổng\u{200b} đình\u{2066}".into()),
        author: "Lan\u{202e}naL".into(),
        license: "CC0-1.0".into(),
    };
    let photo = c
        .state
        .inbox
        .add_photo(&submission.id, staged, details, chrono::Utc::now())
        .unwrap();
    assert_eq!(photo.original_name, "xgpj.exe");
    assert_eq!(photo.author, "LannaL");
    assert_eq!(photo.caption.as_deref(), Some("Cổng đình"));
    for text in [&photo.original_name, &photo.author] {
        assert!(!text.chars().any(|c| matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')));
    }
}

/// Finding 10 (self-approval): a moderator cannot approve their own submission; an admin may,
/// by saying so, and the history records it.
#[actix_web::test]
async fn nobody_approves_their_own_submission_unless_an_admin_says_so() {
    use crate::contrib_fixture::{fresh, login, post_form};
    let c = fresh();
    let app = test::init_service(app(c.state.clone())).await;
    let proposal = |name: &str| disan::archive::inbox::Proposal::NewSite {
        record: crate::moderate_fixture::proposed_record(name),
    };
    let now = chrono::Utc::now();
    let mine = c
        .state
        .inbox
        .submit("moderator", proposal("Miếu Tự Duyệt"), now)
        .unwrap();
    let moderator = login(&app, &c.state, "moderator").await;
    let approve = format!("/moderate/{}/approve", mine.id);
    let refused = send(&app, post_form(&approve, Some(&moderator), &[])).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.body.contains("một người kiểm duyệt khác"),
        "{}",
        refused.body
    );
    let review = send(
        &app,
        crate::moderate_fixture::get(&format!("/moderate/{}", mine.id), Some(&moderator)),
    )
    .await;
    assert!(
        !review.body.contains(&approve),
        "no approve button on one's own submission"
    );
    // Another moderator (here the admin) approves it normally.
    let admin = login(&app, &c.state, "admin").await;
    let done = send(&app, post_form(&approve, Some(&admin), &[])).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);

    // The admin's own submission: refused without the override, approved and logged with it.
    let own = c
        .state
        .inbox
        .submit("admin", proposal("Miếu Quản Trị"), now)
        .unwrap();
    let approve = format!("/moderate/{}/approve", own.id);
    let refused = send(&app, post_form(&approve, Some(&admin), &[])).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let done = send(
        &app,
        post_form(&approve, Some(&admin), &[("override_own", "1")]),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let site = crate::moderate_fixture::approved_site(&c.state, &own.id);
    let dir = c.state.catalog().get(&site).unwrap().dir.clone();
    let log = disan::moderation::history::read(&dir).unwrap();
    assert!(log[0].self_approved && log[0].approved_by == "admin");
}
