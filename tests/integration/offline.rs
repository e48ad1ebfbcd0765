//! Disan without a signal, as the server answers for it: the service worker and the app
//! manifest, the offline pages, trip packs (index, immutable files, selections, and the update
//! an approval makes), the catalog header, nothing private left cacheable, and drafts sent
//! from phones landing once. The browser side is `tests/e2e/offline.mjs`.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::test::{TestRequest, init_service};
use disan::accounts::Role;
use disan::packs::Directory;

use crate::contrib_fixture::{Browser, account, fresh, login, post_form};
use crate::moderate_fixture::{Answer as Sent, approved_site, new_site, send};
use crate::web::{Answer, get, request};
use crate::web_fixture::{FIXTURE, PHOTO_SITE};

#[actix_web::test]
async fn the_worker_is_served_from_the_root_and_checked_at_every_visit() {
    let sw = get("/sw.js").await;
    assert_eq!(sw.status, 200);
    assert_eq!(sw.header("content-type"), "text/javascript; charset=utf-8");
    assert_eq!(sw.header("cache-control"), "no-cache");
    let body = sw.text();
    assert!(
        body.starts_with("\"use strict\";\nself.DISAN = {"),
        "settings first"
    );
    assert!(
        body.contains("DisanSearch"),
        "the offline search is part of it"
    );
    // The shell it keeps is the current assets, fingerprinted.
    for name in ["site.css", "site.js", "offline.js"] {
        assert!(body.contains(disan::web::assets::url(name)), "{name}");
    }
    let again = request(
        TestRequest::get()
            .uri("/sw.js")
            .insert_header((header::IF_NONE_MATCH, sw.header("etag").to_owned())),
    )
    .await;
    assert_eq!(again.status, 304);
}

/// Width and height from a PNG's header.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[1..4], b"PNG");
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

#[actix_web::test]
async fn the_manifest_names_the_app_in_both_languages_with_installable_icons() {
    for (path, lang, name) in [
        ("/manifest.webmanifest", "vi", "Di sản"),
        ("/manifest.webmanifest?lang=en", "en", "Disan"),
    ] {
        let answer = get(path).await;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.header("content-type"), "application/manifest+json");
        assert!(answer.header("set-cookie").is_empty());
        let m = answer.json();
        assert_eq!(
            (m["lang"].as_str(), m["short_name"].as_str()),
            (Some(lang), Some(name))
        );
        assert_eq!(m["display"], "standalone");
        assert_eq!(m["scope"], "/");
        assert_eq!(m["id"], "/");
        let other = if lang == "vi" { "en" } else { "vi" };
        assert!(m["name_localized"][other].is_string());
        let icons = m["icons"].as_array().unwrap();
        for purpose in ["any", "maskable"] {
            for size in [192, 512] {
                let icon = icons
                    .iter()
                    .find(|i| i["purpose"] == purpose && i["sizes"] == format!("{size}x{size}"))
                    .unwrap_or_else(|| panic!("{purpose} {size}"));
                let png = get(icon["src"].as_str().unwrap()).await;
                assert_eq!(png.header("content-type"), "image/png");
                assert_eq!(png_size(&png.body), (size, size));
            }
        }
    }
    let home = get("/?lang=en").await.text();
    assert!(home.contains(r#"<link rel="manifest" href="/manifest.webmanifest?lang=en">"#));
    assert!(
        get("/").await.text().contains(r#"href="/offline""#),
        "every page links the offline page"
    );
}

#[actix_web::test]
async fn the_offline_pages_are_the_same_for_everyone() {
    for (path, text) in [
        ("/offline", "Dùng khi không có mạng"),
        ("/offline?lang=en", "Use it offline"),
        ("/offline/draft", "Đóng góp khi không có mạng"),
        ("/offline/draft?lang=en", "Contribute offline"),
    ] {
        let answer = get(path).await;
        assert_eq!(answer.status, 200, "{path}");
        assert!(answer.text().contains(text), "{path}");
        // A language chosen by the link is not remembered here: the answer stays public, so
        // the worker may keep it.
        assert!(answer.header("set-cookie").is_empty(), "{path}");
        assert!(
            answer.header("cache-control").starts_with("public"),
            "{path}"
        );
    }
    let save = get("/search?q=chua").await.text();
    assert!(
        save.contains(r#"href="/offline?save=search&amp;q=chua""#),
        "results can be saved"
    );
    let site = get(&format!("/sites/{PHOTO_SITE}")).await.text();
    assert!(site.contains(&format!("/offline?save=site&amp;id={PHOTO_SITE}")));
}

#[actix_web::test]
async fn every_response_that_sets_a_cookie_is_private() {
    let paths = [
        "/",
        "/?lang=en",
        "/?lang=vi",
        "/search?q=den&lang=en",
        &format!("/sites/{PHOTO_SITE}?lang=en"),
        "/provinces?lang=en",
        "/login",
        "/login?lang=en",
        "/offline?lang=en",
        "/contribute",
        "/moderate",
    ];
    let mut setting = 0;
    for path in paths {
        let answer = get(path).await;
        if answer.header("set-cookie").is_empty() {
            continue;
        }
        setting += 1;
        let cc = answer.header("cache-control");
        assert!(
            cc.contains("private") || cc.contains("no-store"),
            "{path} sets a cookie with Cache-Control: {cc}"
        );
    }
    assert!(
        setting >= 4,
        "the language links and the login page set cookies"
    );
}

#[actix_web::test]
async fn public_answers_name_the_catalog_they_were_made_from() {
    let version = FIXTURE.state.catalog().version.clone();
    for path in ["/", "/search?q=chua", "/api/v1/search?q=den", "/offline"] {
        assert_eq!(get(path).await.header("x-disan-catalog"), version, "{path}");
    }
    assert_eq!(
        get(disan::web::assets::url("site.css"))
            .await
            .header("x-disan-catalog"),
        ""
    );
}

/// The pack file at `url`, plain and as sent to a client taking brotli.
async fn pack_file(url: &str) -> (Answer, Answer) {
    let plain = get(url).await;
    let compressed = request(
        TestRequest::get()
            .uri(url)
            .insert_header((header::ACCEPT_ENCODING, "br")),
    )
    .await;
    (plain, compressed)
}

#[actix_web::test]
async fn packs_are_listed_then_served_by_content_for_a_year() {
    let index = get("/packs/v1/index.json").await;
    assert_eq!(index.status, 200);
    assert_eq!(index.header("cache-control"), "no-cache");
    let again = request(
        TestRequest::get()
            .uri("/packs/v1/index.json")
            .insert_header((header::IF_NONE_MATCH, index.header("etag").to_owned())),
    )
    .await;
    assert_eq!(again.status, 304);
    let json = index.json();
    let province = &json["provinces"][0];
    assert_eq!(province["name"], "Ninh Bình");
    assert_eq!(json["types"]["den"][1], "Temple");
    let (toc, compressed) = pack_file(province["url"].as_str().unwrap()).await;
    assert_eq!(toc.header("cache-control"), disan::web::assets::IMMUTABLE);
    assert_eq!(compressed.header("content-encoding"), "br");
    let mut unpacked = Vec::new();
    brotli::BrotliDecompress(&mut compressed.body.as_slice(), &mut unpacked).unwrap();
    assert_eq!(
        unpacked, toc.body,
        "the stored compressed file is the same pack"
    );
    let communes = toc.json()["communes"].as_array().unwrap().clone();
    let sites: u64 = communes.iter().map(|c| c["sites"].as_u64().unwrap()).sum();
    assert_eq!(
        sites,
        FIXTURE.state.catalog().len() as u64,
        "every site in one commune"
    );
    // The site with photos carries its smallest ones, with their credits.
    let mut found = false;
    for commune in &communes {
        let chunk = get(commune["url"].as_str().unwrap()).await.json();
        for site in chunk["sites"].as_array().unwrap() {
            if site["i"] == PHOTO_SITE {
                found = true;
                let photo = &site["ph"][0];
                assert!(
                    photo["u"].as_str().unwrap().ends_with("-320.webp"),
                    "{photo}"
                );
                assert_eq!(photo["au"], "Nguyễn Văn A");
                assert_eq!(get(photo["u"].as_str().unwrap()).await.status, 200);
            }
        }
    }
    assert!(found);
    for bad in [
        "/packs/v1/c/../../manifest.json",
        "/packs/v1/c/%2e%2e%2fstate.json",
        "/packs/v1/x/00000000000000000000000000000000.json",
        "/packs/v1/c/00000000000000000000000000000000.json",
        "/packs/v1/c/ABCDEF.json",
    ] {
        let answer = get(bad).await;
        assert_eq!(answer.status, 404, "{bad}");
        assert!(!answer.text().contains("\"sites\""), "{bad} leaks nothing");
    }
}

#[actix_web::test]
async fn a_selection_is_the_packs_holding_its_sites() {
    let one = get(&format!("/packs/v1/select?id={PHOTO_SITE}&id=not-a-site"))
        .await
        .json();
    assert_eq!(one["ids"], serde_json::json!([PHOTO_SITE]));
    assert_eq!(one["chunks"].as_array().unwrap().len(), 1);
    assert!(one["photo_bytes"].as_u64().unwrap() > 0);
    let results = get("/packs/v1/select?q=chua").await.json();
    let ids: Vec<&str> = results["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_str().unwrap())
        .collect();
    assert!(ids.contains(&"chua-bai-dinh"), "{ids:?}");
    assert_eq!(results["total"].as_u64(), Some(ids.len() as u64));
    assert_eq!(results["truncated"], false);
    let near = get("/packs/v1/select?near=20.2506,105.9745&radius_km=5")
        .await
        .json();
    let catalog = FIXTURE.state.catalog();
    for id in near["ids"].as_array().unwrap() {
        let site = catalog.get(id.as_str().unwrap()).unwrap();
        let km = disan::search::geo::haversine_km((20.2506, 105.9745), site.position().unwrap());
        assert!(km <= 5.0, "{id} is {km} km away");
    }
    assert!(!near["ids"].as_array().unwrap().is_empty());
    for bad in [
        "/packs/v1/select",
        "/packs/v1/select?near=20.25,105.97&radius_km=500",
        "/packs/v1/select?near=north",
    ] {
        assert_eq!(get(bad).await.status, 400, "{bad}");
    }
}

// ---- Drafts sent from a phone ------------------------------------------------------------------

fn draft(b: Option<&Browser>, body: serde_json::Value) -> TestRequest {
    let mut req = TestRequest::post()
        .uri("/contribute/drafts")
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .insert_header((header::ACCEPT, "application/json"))
        .set_payload(body.to_string());
    if let Some(b) = b {
        req = req
            .insert_header((header::COOKIE, b.cookie_header()))
            .insert_header(("x-csrf-token", b.csrf.as_str()));
    }
    req
}

fn json(answer: &Sent) -> serde_json::Value {
    serde_json::from_str(&answer.body).unwrap_or(serde_json::Value::Null)
}

#[actix_web::test]
async fn a_draft_lands_once_however_often_it_is_sent() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    // Without a session the worker is told to ask the volunteer to log in again.
    let session = send(
        &app,
        TestRequest::get()
            .uri("/contribute/session")
            .insert_header((header::ACCEPT, "application/json")),
    )
    .await;
    assert_eq!(session.status, StatusCode::UNAUTHORIZED);
    assert_eq!(json(&session)["code"], "sign_in_required");
    let b = login(&app, &c.state, account(Role::Volunteer)).await;
    let session = send(
        &app,
        crate::moderate_fixture::get("/contribute/session", Some(&b))
            .insert_header((header::ACCEPT, "application/json")),
    )
    .await;
    assert_eq!(session.status, 200);
    assert_eq!(json(&session)["csrf"], b.csrf.as_str());
    assert!(
        session
            .headers
            .get("cache-control")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("no-store")
    );

    let name = "Đình làng Ngoại Tuyến".chars().collect::<String>();
    let nfd: String = unicode_normalization::UnicodeNormalization::nfd(name.as_str()).collect();
    let body = serde_json::json!({
        "key": "5b2f0c1e-9d7a-4c3b-8e6f-1a2b3c4d5e6f", "kind": "new",
        "fields": { "name": nfd, "province": "Ninh Bình", "lat": "20.2511", "lon": "105.9751",
                    "description": "Ghi khi không có mạng." }
    });
    let first = send(&app, draft(Some(&b), body.clone())).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let first = json(&first);
    assert_eq!(first["created"], true);
    let id = first["submission"].as_str().unwrap().to_owned();
    assert_eq!(first["uploads"], format!("/contribute/{id}/uploads"));
    // Sent again (the answer was lost, another tab, the page closed half-way): the same one.
    for _ in 0..3 {
        let again = send(&app, draft(Some(&b), body.clone())).await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(json(&again)["submission"], id.as_str());
        assert_eq!(json(&again)["created"], false);
    }
    let (all, _) = c.state.inbox.list();
    assert_eq!(all.len(), 1);
    match &all[0].proposal {
        disan::archive::inbox::Proposal::NewSite { record } => {
            assert_eq!(record.name, name, "stored in NFC");
            assert_eq!(record.location.province.as_deref(), Some("Ninh Bình"));
        }
        other => panic!("{other:?}"),
    }
    // Its photos go through the resumable protocol, into that submission.
    let photo = crate::contribute_uploads::jpeg(64, 48, 3);
    let declared = send(
        &app,
        TestRequest::post()
            .uri(&format!("/contribute/{id}/uploads"))
            .insert_header((header::COOKIE, b.cookie_header()))
            .insert_header(("x-csrf-token", b.csrf.as_str()))
            .set_payload(
                serde_json::json!({"name": "a.jpg", "size": photo.len(), "key": "sha256:x",
                    "author": "Lan", "license": "CC0-1.0"})
                .to_string(),
            ),
    )
    .await;
    assert_eq!(declared.status, 200, "{}", declared.body);
}

#[actix_web::test]
async fn a_draft_is_refused_without_its_token_or_with_mistakes() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let b = login(&app, &c.state, account(Role::Volunteer)).await;
    let body =
        serde_json::json!({"key": "key-0001-abcdef", "kind": "new", "fields": {"name": "Chùa A"}});
    // No session: 401 (the draft stays on the phone); no token: 403.
    assert_eq!(send(&app, draft(None, body.clone())).await.status, 401);
    let no_token = TestRequest::post()
        .uri("/contribute/drafts")
        .insert_header((header::COOKIE, b.cookie_header()))
        .insert_header((header::ACCEPT, "application/json"))
        .set_payload(body.to_string());
    assert_eq!(send(&app, no_token).await.status, 403);
    // A visitor account may not contribute.
    let visitor = login(&app, &c.state, account(Role::Visitor)).await;
    assert_eq!(
        send(&app, draft(Some(&visitor), body.clone())).await.status,
        403
    );
    // Mistakes are said by field, in the page's language.
    let nameless = send(
        &app,
        draft(
            Some(&b),
            serde_json::json!({"key": "key-0002-abcdef", "kind": "new", "fields": {"name": " "}}),
        ),
    )
    .await;
    assert_eq!(nameless.status, StatusCode::UNPROCESSABLE_ENTITY);
    let j = json(&nameless);
    assert_eq!(j["code"], "invalid_draft");
    assert!(j["errors"]["name"].is_string(), "{j}");
    for bad in [
        serde_json::json!({"key": "x", "kind": "new", "fields": {"name": "Chùa A"}}),
        serde_json::json!({"key": "key-0003-abcdef", "kind": "photos"}),
        serde_json::json!({"key": "key-0004-abcdef", "kind": "photos", "site": "no-such-site"}),
        serde_json::json!({"key": "key-0005-abcdef", "kind": "demolish", "fields": {}}),
    ] {
        let answer = send(&app, draft(Some(&b), bad.clone())).await;
        assert!(answer.status.is_client_error(), "{bad}: {}", answer.status);
    }
    assert!(
        c.state.inbox.list().0.is_empty(),
        "nothing reached the inbox"
    );
}

#[actix_web::test]
async fn a_correction_drafted_offline_changes_only_what_it_names() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let b = login(&app, &c.state, account(Role::Volunteer)).await;
    let catalog = c.state.catalog();
    let before = catalog.record(catalog.get(PHOTO_SITE).unwrap()).unwrap();
    let body = serde_json::json!({"key": "key-correct-1", "kind": "correct", "site": PHOTO_SITE,
        "fields": {"summary": "Đền thờ ba vị vua Trần.", "note": "Ghi tại đền."}});
    let answer = send(&app, draft(Some(&b), body)).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let submission = c
        .state
        .inbox
        .get(json(&answer)["submission"].as_str().unwrap())
        .unwrap();
    match submission.proposal {
        disan::archive::inbox::Proposal::Correction { record, note, .. } => {
            assert_eq!(record.summary.as_deref(), Some("Đền thờ ba vị vua Trần."));
            assert_eq!(record.description, before.description, "untouched");
            assert_eq!(record.name, before.name);
            assert_eq!(note.as_deref(), Some("Ghi tại đền."));
        }
        other => panic!("{other:?}"),
    }
    // Photos for a site: a submission for that site.
    let photos = serde_json::json!({"key": "key-photos-1", "kind": "photos", "site": PHOTO_SITE});
    assert_eq!(
        send(&app, draft(Some(&b), photos)).await.status,
        StatusCode::CREATED
    );
}

#[actix_web::test]
async fn an_approval_updates_the_pack_of_its_commune_only() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let before = c.state.packs.directory();
    let index_before = get_json(&app, "/packs/v1/index.json").await;
    let (submission, _) = new_site(&c.state, "Miếu Gốc Đa");
    let moderator = login(&app, &c.state, account(Role::Moderator)).await;
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
    let site = approved_site(&c.state, &submission.id);
    let after = c.state.packs.directory();
    assert_eq!(after.len(), before.len() + 1);
    let chunk = after.chunk_of(&site).expect("the new site is in a pack");
    let sites = get_json(&app, &chunk.url).await;
    assert!(
        sites["sites"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["n"] == "Miếu Gốc Đa"),
        "its commune's pack lists it"
    );
    // Only its commune changed: every other site keeps its pack file.
    let catalog = c.state.catalog();
    let moved: Vec<&str> = catalog
        .sites()
        .map(|s| s.id.as_str())
        .filter(|id| {
            *id != site && before.chunk_of(id).map(|c| &c.url) != after.chunk_of(id).map(|c| &c.url)
        })
        .collect();
    let neighbours: Vec<&str> = moved
        .iter()
        .copied()
        .filter(|id| after.chunk_of(id).map(|c| &c.url) == Some(&chunk.url))
        .collect();
    assert_eq!(
        moved, neighbours,
        "only the sites sharing its commune's pack"
    );
    assert_ne!(get_json(&app, "/packs/v1/index.json").await, index_before);
    assert_eq!(
        Directory::load(&c.state.index_layout).unwrap().len(),
        after.len()
    );
}

async fn get_json<S, B>(app: &S, uri: &str) -> serde_json::Value
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let answer = send(app, TestRequest::get().uri(uri)).await;
    assert_eq!(answer.status, 200, "{uri}");
    serde_json::from_str(&answer.body).unwrap()
}
