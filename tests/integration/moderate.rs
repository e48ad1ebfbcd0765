//! Moderation on the web, deciding: every moderator route × role and CSRF rule; approving a
//! new site makes it searchable and shown at once; edit-then-approve; reject.

use actix_web::http::header;
use actix_web::test::init_service;
use disan::accounts::Role;
use disan::archive::inbox::Status;
use disan::moderation::history;
use disan::record::{Accuracy, SiteRecord};

use crate::contrib_fixture::{account, fresh, login, post_form};
use crate::moderate_fixture::{approved_site, get, new_site, public_files, published_record, send};

#[actix_web::test]
async fn every_moderation_route_refuses_the_wrong_role_and_a_bad_token() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let (submission, hashes) = new_site(&c.state, "Miếu Kiểm Tra Quyền");
    let id = &submission.id;
    let before = public_files(&c.state);
    let pages = [
        "/moderate".to_owned(),
        format!("/moderate/{id}"),
        format!("/moderate/{id}/photos/{}.jpg", hashes[0]),
    ];
    let forms: Vec<(String, Vec<(&str, &str)>)> = vec![
        (format!("/moderate/{id}/approve"), vec![]),
        (format!("/moderate/{id}/edit"), vec![("name", "Miếu Khác")]),
        (format!("/moderate/{id}/reject"), vec![("reason", "Trùng")]),
        (
            "/moderate/revert".to_owned(),
            vec![("site", "chua-bai-dinh"), ("change", "x")],
        ),
    ];
    let mut browsers = Vec::new();
    for role in [Role::Visitor, Role::Volunteer, Role::Moderator, Role::Admin] {
        browsers.push((role, login(&app, &c.state, account(role)).await));
    }
    for uri in &pages {
        assert_eq!(send(&app, get(uri, None)).await.status, 401, "{uri}");
        for (role, browser) in &browsers {
            let answer = send(&app, get(uri, Some(browser))).await;
            let expected = if matches!(role, Role::Moderator | Role::Admin) {
                200
            } else {
                403
            };
            assert_eq!(answer.status, expected, "{uri} as {role:?}");
            if expected == 200 {
                assert!(
                    answer
                        .headers
                        .get(header::CACHE_CONTROL)
                        .unwrap()
                        .to_str()
                        .unwrap()
                        .starts_with("private"),
                    "{uri}"
                );
            }
        }
    }
    let moderator = &browsers[2].1;
    let forged = "f".repeat(moderator.csrf.len());
    for (uri, fields) in &forms {
        assert_eq!(
            send(&app, post_form(uri, None, fields)).await.status,
            401,
            "{uri}"
        );
        for (role, browser) in &browsers[..2] {
            let answer = send(&app, post_form(uri, Some(browser), fields)).await;
            assert_eq!(answer.status, 403, "{uri} as {role:?}");
        }
        // A moderator's session without its token, or with a forged one.
        let mut without = fields.clone();
        without.push(("csrf", ""));
        assert_eq!(
            send(&app, post_form(uri, Some(moderator), &without))
                .await
                .status,
            403,
            "{uri}"
        );
        let mut wrong = fields.clone();
        wrong.push(("csrf", &forged));
        assert_eq!(
            send(&app, post_form(uri, Some(moderator), &wrong))
                .await
                .status,
            403,
            "{uri}"
        );
        // Another user's token is forged too.
        let mut theirs = fields.clone();
        theirs.push(("csrf", &browsers[3].1.csrf));
        assert_eq!(
            send(&app, post_form(uri, Some(moderator), &theirs))
                .await
                .status,
            403,
            "{uri}"
        );
    }
    assert_eq!(
        public_files(&c.state),
        before,
        "nothing reached the archive"
    );
    assert_eq!(c.state.inbox.get(id).unwrap().status, Status::Pending);
    // An admin may decide too.
    let admin = &browsers[3].1;
    let answer = send(
        &app,
        post_form(
            &format!("/moderate/{id}/reject"),
            Some(admin),
            &[("reason", "Trùng với di tích đã có")],
        ),
    )
    .await;
    assert_eq!(answer.status, 303);
    assert_eq!(c.state.inbox.get(id).unwrap().status, Status::Rejected);
}

#[actix_web::test]
async fn approving_a_new_site_makes_it_searchable_and_shown_with_its_photos_and_history() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let moderator = login(&app, &c.state, account(Role::Moderator)).await;
    let (submission, hashes) = new_site(&c.state, "Miếu Cây Đa Xóm Trại");
    let id = &submission.id;

    // The queue lists it; the review shows the diff, both photos and the far one flagged.
    let queue = send(&app, get("/moderate", Some(&moderator))).await;
    assert!(
        queue.body.contains("Miếu Cây Đa Xóm Trại")
            && queue.body.contains(&format!("/moderate/{id}")),
        "{}",
        queue.body
    );
    let review = send(&app, get(&format!("/moderate/{id}"), Some(&moderator))).await;
    assert_eq!(review.status, 200);
    for expected in [
        "<code>name</code>",
        "Miếu Cây Đa Xóm Trại",
        "Trần Thị Lan",
        "CC-BY-SA-4.0",
        "6.0 km",
        "position-check far",
    ] {
        assert!(
            review.body.contains(expected),
            "{expected} missing from the review"
        );
    }
    assert_eq!(
        review.body.matches("position-check far").count(),
        1,
        "only the far photo is flagged"
    );
    for hash in &hashes {
        assert!(
            review
                .body
                .contains(&format!("/moderate/{id}/photos/{hash}.jpg"))
        );
    }
    // Previews: by hash of this submission's photos only; anything else is a 404.
    let preview = send(
        &app,
        get(
            &format!("/moderate/{id}/photos/{}.jpg", hashes[0]),
            Some(&moderator),
        ),
    )
    .await;
    assert_eq!(preview.status, 200);
    assert_eq!(
        preview.headers.get(header::CONTENT_TYPE).unwrap(),
        "image/jpeg"
    );
    assert!(
        preview
            .headers
            .get(header::CACHE_CONTROL)
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("private")
    );
    for bad in [
        format!("/moderate/{id}/photos/{}.jpg", "0".repeat(64)),
        format!("/moderate/{id}/photos/..%2F..%2Fsubmission.json"),
        format!("/moderate/{id}/photos/{}.jpg", hashes[0].to_uppercase()),
        format!("/moderate/..%2F{id}/photos/{}.jpg", hashes[0]),
    ] {
        assert_eq!(
            send(&app, get(&bad, Some(&moderator))).await.status,
            404,
            "{bad}"
        );
    }

    let answer = send(
        &app,
        post_form(&format!("/moderate/{id}/approve"), Some(&moderator), &[]),
    )
    .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let location = answer
        .headers
        .get(header::LOCATION)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        location.starts_with("/moderate?done=approved&site="),
        "{location}"
    );
    let site_id = approved_site(&c.state, id);
    assert_eq!(site_id, "mieu-cay-da-xom-trai-ninh-binh");

    // In the archive: the folder with site.json, both photos, the history line; no temporaries.
    let files = public_files(&c.state);
    let mine: Vec<&str> = files
        .iter()
        .map(|(f, _)| f.as_str())
        .filter(|f| f.contains(&site_id))
        .collect();
    assert_eq!(mine.len(), 4, "{mine:?}");
    assert!(
        mine.iter().any(|f| f.ends_with("site.json"))
            && mine.iter().any(|f| f.ends_with("history.jsonl"))
    );
    assert!(
        files.iter().all(|(f, _)| !f.contains(".tmp")),
        "no temporary file left"
    );
    let site_dir = c.state.catalog().get(&site_id).unwrap().dir.clone();
    let log = history::read(&site_dir).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0].submitted_by.as_deref(), log[0].approved_by.as_str()),
        (Some("volunteer"), "moderator")
    );

    // Searchable right after the answer, without accents.
    let search = send(
        &app,
        get("/api/v1/search?q=mieu%20cay%20da%20xom%20trai", None),
    )
    .await;
    assert_eq!(search.status, 200);
    let json: serde_json::Value = serde_json::from_str(&search.body).unwrap();
    assert_eq!(json["hits"][0]["id"], site_id.as_str(), "{}", search.body);
    // Its page shows the photos with their credits, and links to its history.
    let page = send(&app, get(&format!("/sites/{site_id}"), None)).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.body.matches("Trần Thị Lan").count(),
        2,
        "both photos credited"
    );
    assert!(page.body.contains("CC-BY-SA-4.0") && page.body.contains("/media/"));
    assert!(page.body.contains(&format!("/sites/{site_id}/history")));
    let history_page = send(&app, get(&format!("/sites/{site_id}/history"), None)).await;
    assert_eq!(history_page.status, 200);
    // Volunteers are credited; moderators' account names are not published.
    assert!(
        history_page.body.contains("volunteer")
            && history_page.body.contains("một người kiểm duyệt")
    );
    assert!(
        !history_page.body.contains("/moderate/revert"),
        "no revert button for visitors"
    );
    // The queue no longer lists it and says what was done.
    let queue = send(&app, get(&location, Some(&moderator))).await;
    assert!(!queue.body.contains(&format!("/moderate/{id}\"")));
    assert!(queue.body.contains(&format!("/sites/{site_id}")));
    // Deciding twice is a conflict, not a second site.
    let again = send(
        &app,
        post_form(&format!("/moderate/{id}/approve"), Some(&moderator), &[]),
    )
    .await;
    assert_eq!(again.status, 409);

    // The open data follows: harvestable at once, its photos in a IIIF manifest with their
    // zoom tiles, and the downloads made again in the background.
    let oai = send(
        &app,
        get("/oai?verb=ListIdentifiers&metadataPrefix=oai_dc", None),
    )
    .await;
    assert!(
        oai.body.contains(&format!(":{site_id}</identifier>")),
        "{}",
        oai.body
    );
    let manifest = send(&app, get(&format!("/iiif/{site_id}/manifest.json"), None)).await;
    assert_eq!(manifest.status, 200);
    assert_eq!(manifest.body.matches("\"type\":\"Canvas\"").count(), 2);
    assert_eq!(
        manifest.body.matches("\"type\":\"ImageService3\"").count(),
        2,
        "tiled"
    );
    let version = c.state.catalog().version.clone();
    let mut made = None;
    for _ in 0..600 {
        made = c
            .state
            .open_data
            .downloads()
            .filter(|d| d.source_version == version);
        if made.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let made = made.expect("the downloads are made again after a publication");
    let jsonl = made.get(disan::open_data::export::Format::Jsonl).unwrap();
    let file = c.state.index_layout.data_file(&jsonl.file).unwrap();
    assert!(
        std::fs::read_to_string(file)
            .unwrap()
            .contains(&format!("\"id\":\"{site_id}\""))
    );
}

#[actix_web::test]
async fn edit_then_approve_shows_errors_beside_fields_then_keeps_the_edit() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let moderator = login(&app, &c.state, account(Role::Moderator)).await;
    let (submission, _) = new_site(&c.state, "Miếu Sửa Tên");
    let uri = format!("/moderate/{}/edit", submission.id);
    let before = public_files(&c.state);
    let review = send(
        &app,
        get(&format!("/moderate/{}", submission.id), Some(&moderator)),
    )
    .await;
    assert!(
        review.body.contains(r#"name="name" value="Miếu Sửa Tên""#),
        "prefilled"
    );

    let bad = [
        ("name", "Miếu Cổ Đông Xá"),
        ("province", "Ninh Bình"),
        ("lat", "hai mươi"),
        ("lon", "105.97"),
        ("level", "provincial"),
    ];
    let answer = send(&app, post_form(&uri, Some(&moderator), &bad)).await;
    assert_eq!(answer.status, 422);
    assert!(
        answer.body.contains(r#"value="hai mươi""#) && answer.body.contains(r#"id="e-lat""#),
        "{}",
        answer.body
    );
    assert!(
        answer.body.contains(r#"value="Miếu Cổ Đông Xá""#),
        "the other values are kept"
    );
    // Outside Vietnam: the record's own rule, shown at the position.
    let far = [
        ("name", "Miếu Cổ Đông Xá"),
        ("province", "Ninh Bình"),
        ("lat", "48.85"),
        ("lon", "2.35"),
    ];
    let answer = send(&app, post_form(&uri, Some(&moderator), &far)).await;
    assert_eq!(answer.status, 422);
    assert!(answer.body.contains(r#"id="e-lat""#));
    assert_eq!(public_files(&c.state), before, "nothing written");

    let good = [
        ("name", "Miếu Cổ Đông Xá"),
        ("province", "Ninh Bình"),
        ("lat", "20,2507"),
        ("lon", "105.9746"),
        ("level", "provincial"),
        ("description", "Miếu thờ **Thành hoàng** làng."),
    ];
    let answer = send(&app, post_form(&uri, Some(&moderator), &good)).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let site_id = approved_site(&c.state, &submission.id);
    assert_eq!(site_id, "mieu-co-dong-xa-ninh-binh");
    let site = published_record(&c.state, &site_id);
    assert_eq!(site.name, "Miếu Cổ Đông Xá");
    assert_eq!(
        (site.location.lat, site.location.lon),
        (Some(20.2507), Some(105.9746))
    );
    assert_eq!(site.location.accuracy, Some(Accuracy::Map));
    assert_eq!(site.level.code(), "provincial");
    assert_eq!(
        site.photos.len(),
        2,
        "photos are the submission's, whatever the form says"
    );
    let on_disk: SiteRecord = serde_json::from_slice(
        &std::fs::read(
            c.state
                .catalog()
                .get(&site_id)
                .unwrap()
                .dir
                .join("site.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(on_disk.name, "Miếu Cổ Đông Xá");
}

#[actix_web::test]
async fn rejecting_needs_a_reason_stores_it_and_writes_nothing_public() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let moderator = login(&app, &c.state, account(Role::Moderator)).await;
    let (submission, _) = new_site(&c.state, "Miếu Bị Từ Chối");
    let uri = format!("/moderate/{}/reject", submission.id);
    let before = public_files(&c.state);
    let answer = send(
        &app,
        post_form(&uri, Some(&moderator), &[("reason", "   ")]),
    )
    .await;
    assert_eq!(answer.status, 422);
    assert!(answer.body.contains(r#"id="e-reason""#));
    assert_eq!(
        c.state.inbox.get(&submission.id).unwrap().status,
        Status::Pending
    );
    let reason = "Ảnh thứ hai chụp ở nơi khác; hãy gửi ảnh chụp tại miếu.";
    let answer = send(
        &app,
        post_form(&uri, Some(&moderator), &[("reason", reason)]),
    )
    .await;
    assert_eq!(answer.status, 303);
    let stored = c.state.inbox.get(&submission.id).unwrap();
    assert_eq!(stored.status, Status::Rejected);
    let review = stored.review.unwrap();
    assert_eq!(
        (review.reason.as_deref(), review.moderator.as_str()),
        (Some(reason), "moderator")
    );
    assert_eq!(public_files(&c.state), before);
    assert!(
        c.state
            .catalog()
            .sites()
            .all(|s| s.name() != "Miếu Bị Từ Chối")
    );
}
