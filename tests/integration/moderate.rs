//! Moderation on the web: every moderator route × role and CSRF rule; approving a new site
//! makes it searchable and shown at once; edit-then-approve, reject and revert; submitted text
//! shown escaped; a failed approval leaves the public archive untouched and the queue intact
//! across a restart; the public history and "needs help" pages.

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::{StatusCode, header};
use actix_web::test::{TestRequest, call_service, init_service, read_body};
use actix_web::web;
use chrono::Utc;
use disan::accounts::Role;
use disan::archive::inbox::{PhotoDetails, Proposal, Status, Submission};
use disan::moderation::history;
use disan::record::{Accuracy, SiteRecord};
use disan::web::AppState;

use crate::contrib_fixture::{Browser, account, fresh, login, post_form};
use crate::web_fixture::photo_like_jpeg;

/// Where the proposed sites are (Hoa Lư, Ninh Bình).
const SITE_AT: (f64, f64) = (20.2506, 105.9745);

/// A JPEG with an EXIF GPS position: an APP1 segment with IFD0 → GPS IFD, little-endian.
fn gps_jpeg(lat: f64, lon: f64, seed: u64) -> Vec<u8> {
    let jpeg = photo_like_jpeg(1200, 900, seed);
    let mut tiff: Vec<u8> = b"II*\0".to_vec();
    tiff.extend(8u32.to_le_bytes());
    let entry = |tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        let mut e = tag.to_le_bytes().to_vec();
        e.extend(kind.to_le_bytes());
        e.extend(count.to_le_bytes());
        e.extend(value);
        e
    };
    // IFD0 at 8: one entry, the GPS IFD's offset (26).
    tiff.extend(1u16.to_le_bytes());
    tiff.extend(entry(0x8825, 4, 1, 26u32.to_le_bytes()));
    tiff.extend(0u32.to_le_bytes());
    // GPS IFD at 26: four entries, rationals at 80 and 104.
    tiff.extend(4u16.to_le_bytes());
    tiff.extend(entry(1, 2, 2, *b"N\0\0\0"));
    tiff.extend(entry(2, 5, 3, 80u32.to_le_bytes()));
    tiff.extend(entry(3, 2, 2, *b"E\0\0\0"));
    tiff.extend(entry(4, 5, 3, 104u32.to_le_bytes()));
    tiff.extend(0u32.to_le_bytes());
    for value in [lat, lon] {
        let degrees = value.trunc();
        let minutes = ((value - degrees) * 60.0).trunc();
        let seconds = ((value - degrees) * 60.0 - minutes) * 60.0;
        for (n, d) in [
            (degrees as u32, 1u32),
            (minutes as u32, 1),
            ((seconds * 10_000.0).round() as u32, 10_000),
        ] {
            tiff.extend(n.to_le_bytes());
            tiff.extend(d.to_le_bytes());
        }
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
}

fn add_photo(state: &AppState, id: &str, name: &str, bytes: &[u8]) -> String {
    let mut staged = state.inbox.stage().unwrap();
    staged.write(bytes).unwrap();
    let details = PhotoDetails {
        original_name: name.into(),
        caption: Some("Cổng miếu nhìn từ đường làng".into()),
        author: "Trần Thị Lan".into(),
        license: "CC-BY-SA-4.0".into(),
    };
    state
        .inbox
        .add_photo(id, staged, details, Utc::now())
        .unwrap()
        .hash
}

fn proposed_record(name: &str) -> SiteRecord {
    let mut record = SiteRecord::new("", name, Utc::now());
    record.location.province = Some("Ninh Bình".into());
    record.location.commune = Some("Phường Hoa Lư".into());
    (record.location.lat, record.location.lon) = (Some(SITE_AT.0), Some(SITE_AT.1));
    record.location.accuracy = Some(Accuracy::Surveyed);
    record.summary = Some("Miếu nhỏ dưới gốc đa đầu làng.".into());
    record
}

/// A pending new site with a photo taken at the site and one taken 6 km north.
fn new_site(state: &AppState, name: &str) -> (Submission, Vec<String>) {
    let proposal = Proposal::NewSite {
        record: proposed_record(name),
    };
    let submission = state
        .inbox
        .submit("volunteer", proposal, Utc::now())
        .unwrap();
    let hashes = vec![
        add_photo(
            state,
            &submission.id,
            "IMG_0001.JPG",
            &gps_jpeg(20.2510, 105.9750, 1),
        ),
        add_photo(
            state,
            &submission.id,
            "IMG_0002.JPG",
            &gps_jpeg(20.3050, 105.9745, 2),
        ),
    ];
    (state.inbox.get(&submission.id).unwrap(), hashes)
}

struct Answer {
    status: StatusCode,
    headers: header::HeaderMap,
    body: String,
}

async fn send<S, B>(app: &S, request: TestRequest) -> Answer
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: actix_web::body::MessageBody,
{
    let response = call_service(app, request.to_request()).await;
    let status = response.status();
    let headers = response.headers().clone();
    let body = String::from_utf8_lossy(&read_body(response).await).into_owned();
    Answer {
        status,
        headers,
        body,
    }
}

fn get(uri: &str, browser: Option<&Browser>) -> TestRequest {
    let request = TestRequest::get().uri(uri);
    match browser {
        Some(b) => request.insert_header((header::COOKIE, b.cookie_header())),
        None => request,
    }
}

/// Every file of the public archive (the inbox and private state left out), with its bytes.
fn public_files(state: &AppState) -> Vec<(String, Vec<u8>)> {
    let layout = &state.archive;
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(layout.root())
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !layout.is_reserved(e.path()))
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                layout.display(e.path()).to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

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
    let site_id = c
        .state
        .inbox
        .get(id)
        .unwrap()
        .review
        .unwrap()
        .site_id
        .unwrap();
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
    assert!(history_page.body.contains("volunteer") && history_page.body.contains("moderator"));
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
    let site_id = c
        .state
        .inbox
        .get(&submission.id)
        .unwrap()
        .review
        .unwrap()
        .site_id
        .unwrap();
    assert_eq!(site_id, "mieu-co-dong-xa-ninh-binh");
    let site = c.state.catalog().get(&site_id).unwrap().record.clone();
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
            .iter()
            .all(|s| s.record.name != "Miếu Bị Từ Chối")
    );
}

#[actix_web::test]
async fn a_revert_restores_the_record_is_logged_and_conflicts_say_why() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let moderator = login(&app, &c.state, account(Role::Moderator)).await;
    let site_id = "chua-bai-dinh";
    let original = c.state.catalog().get(site_id).unwrap().record.clone();
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
        site.record
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
    let now = c.state.catalog().get(site_id).unwrap().record.clone();
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
    let site_id = c
        .state
        .inbox
        .get(&submission.id)
        .unwrap()
        .review
        .unwrap()
        .site_id
        .unwrap();
    let history_page = send(&app, get(&format!("/sites/{site_id}/history"), None)).await;
    assert_eq!(history_page.status, 200);
    assert!(history_page.body.contains("&lt;script&gt;alert(1)"));
    for raw in ["<script>alert", "<img src=x", "<b onmouseover"] {
        assert!(
            !history_page.body.contains(raw),
            "{raw} got through the history"
        );
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
            .iter()
            .all(|s| s.record.name != "Miếu Ảnh Mất")
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
    let site_id = restarted
        .inbox
        .get(&submission.id)
        .unwrap()
        .review
        .unwrap()
        .site_id
        .unwrap();
    let site = restarted.catalog().get(&site_id).unwrap().clone();
    assert_eq!(site.photos.len(), 2);
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
