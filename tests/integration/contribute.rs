//! Contributing on the web: every contribute route × role, the CSRF rule on every write,
//! the new-site and correction forms (errors keep what was typed), "my contributions", and
//! hostile text rendered escaped on every page that shows it. Uploads are in
//! `contribute_uploads.rs`.

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::{StatusCode, header};
use actix_web::test::{TestRequest, call_service, init_service, read_body};
use disan::accounts::Role;
use disan::archive::inbox::{Proposal, Review, Status};

use crate::contrib_fixture::{Browser, account, fresh, login, post_form};

/// A site of the bundled archive.
pub const SITE: &str = "den-thai-vi";

/// Sends a request, returns its status, `Location` and body.
pub async fn send<S, B>(app: &S, req: actix_http::Request) -> (StatusCode, String, String)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let response = call_service(app, req).await;
    let status = response.status();
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = String::from_utf8_lossy(&read_body(response).await).into_owned();
    (status, location, body)
}

/// A GET as `browser` (or without a session).
pub fn get(uri: &str, browser: Option<&Browser>) -> TestRequest {
    let mut req = TestRequest::get().uri(uri);
    if let Some(b) = browser {
        req = req.insert_header((header::COOKIE, b.cookie_header()));
    }
    req
}

/// Proposes a valid new site as `browser`; returns the submission id.
pub async fn propose<S, B>(app: &S, browser: &Browser, name: &str) -> String
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let fields = [
        ("name", name),
        ("type", "dinh"),
        ("province", "Ninh Bình"),
        ("commune", "Phường Hoa Lư"),
        ("description", "Đình làng nhỏ."),
    ];
    let req = post_form("/contribute/new", Some(browser), &fields).to_request();
    let (status, location, body) = send(app, req).await;
    assert_eq!(status, 303, "{body}");
    location
        .strip_prefix("/contribute/")
        .expect("goes to the submission")
        .to_owned()
}

#[actix_web::test]
async fn every_contribute_route_checks_its_role() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let volunteer = login(&app, &c.state, account(Role::Volunteer)).await;
    let id = propose(&app, &volunteer, "Đình thử").await;
    let reads = [
        "/contribute".to_owned(),
        "/contribute/new".to_owned(),
        format!("/contribute/correct/{SITE}"),
        format!("/contribute/photos/{SITE}"),
        "/contribute/communes?province=Ninh%20B%C3%ACnh".to_owned(),
        format!("/contribute/{id}"),
        format!("/contribute/{id}/uploads/{}", "0".repeat(32)),
    ];
    let writes = [
        "/contribute/new".to_owned(),
        format!("/contribute/correct/{SITE}"),
        format!("/contribute/photos/{SITE}"),
        format!("/contribute/{id}/photos"),
        format!("/contribute/{id}/uploads"),
    ];
    let visitor = login(&app, &c.state, account(Role::Visitor)).await;
    for uri in &reads {
        let (status, _, body) = send(&app, get(uri, None).to_request()).await;
        assert_eq!(status, 401, "{uri} without a session");
        assert!(body.contains("/login?next="), "{uri}: offers to log in");
        let (status, ..) = send(&app, get(uri, Some(&visitor)).to_request()).await;
        assert_eq!(status, 403, "{uri} as a visitor");
    }
    for uri in &writes {
        let (status, ..) = send(&app, post_form(uri, None, &[]).to_request()).await;
        assert_eq!(status, 401, "POST {uri} without a session");
        let req = post_form(uri, Some(&visitor), &[])
            .insert_header(("x-csrf-token", visitor.csrf.as_str()))
            .to_request();
        assert_eq!(send(&app, req).await.0, 403, "POST {uri} as a visitor");
    }
    let put = format!("/contribute/{id}/uploads/{}?offset=0", "0".repeat(32));
    let (status, ..) = send(&app, TestRequest::put().uri(&put).to_request()).await;
    assert_eq!(status, 401);
    // Roles include the lower ones: every account from volunteer up reads every page.
    for role in [Role::Volunteer, Role::Moderator, Role::Admin] {
        let b = login(&app, &c.state, account(role)).await;
        for uri in &reads[..6] {
            let (status, location, body) = send(&app, get(uri, Some(&b)).to_request()).await;
            let fine = status == 200 || (status == 303 && location.starts_with("/contribute/"));
            assert!(fine, "{uri} as {role}: {status} {body:.300}");
        }
        let (status, _, body) = send(&app, get("/contribute", Some(&b)).to_request()).await;
        assert_eq!(status, 200);
        assert_eq!(
            body.contains("href=\"/moderate\""),
            role >= Role::Moderator,
            "{role}"
        );
    }
    // Someone else's submission does not exist for another volunteer.
    c.state
        .accounts
        .users
        .add(
            "mai",
            Role::Volunteer,
            crate::contrib_fixture::PASSWORD,
            chrono::Utc::now(),
        )
        .unwrap();
    let mai = login(&app, &c.state, "mai").await;
    let (status, ..) = send(
        &app,
        get(&format!("/contribute/{id}"), Some(&mai)).to_request(),
    )
    .await;
    assert_eq!(status, 404);
}

#[actix_web::test]
async fn writes_without_the_csrf_token_are_refused_and_write_nothing() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let b = login(&app, &c.state, account(Role::Volunteer)).await;
    let id = propose(&app, &b, "Đình có sẵn").await;
    let before = c.state.inbox.list().0;
    let forms = [
        "/contribute/new".to_owned(),
        format!("/contribute/correct/{SITE}"),
        format!("/contribute/photos/{SITE}"),
    ];
    for uri in &forms {
        for token in ["", "forged"] {
            let fields = [("csrf", token), ("name", "Đình giả"), ("description", "x")];
            let (status, ..) = send(&app, post_form(uri, Some(&b), &fields).to_request()).await;
            assert_eq!(status, 403, "{uri} with csrf {token:?}");
        }
    }
    let jpeg = crate::contribute_uploads::jpeg(32, 32, 9);
    let (ctype, body) = crate::contribute_uploads::multipart(&[
        ("author", None, b"Lan".as_slice()),
        ("license", None, b"CC0-1.0".as_slice()),
        ("photos", Some("a.jpg"), &jpeg),
    ]);
    for query in ["", "?csrf=forged"] {
        let req = TestRequest::post()
            .uri(&format!("/contribute/{id}/photos{query}"))
            .insert_header((header::COOKIE, b.cookie_header()))
            .insert_header((header::CONTENT_TYPE, ctype.clone()))
            .set_payload(body.clone())
            .to_request();
        assert_eq!(send(&app, req).await.0, 403, "multipart {query:?}");
    }
    for token in [None, Some("forged")] {
        let mut req = TestRequest::post()
            .uri(&format!("/contribute/{id}/uploads"))
            .insert_header((header::COOKIE, b.cookie_header()))
            .set_payload(
                r#"{"name":"a.jpg","size":10,"key":"k","author":"Lan","license":"CC0-1.0"}"#,
            );
        if let Some(t) = token {
            req = req.insert_header(("x-csrf-token", t));
        }
        let (status, _, body) = send(&app, req.to_request()).await;
        assert_eq!(status, 403, "declare with {token:?}");
        assert!(
            body.contains("bad_csrf_token") || body.contains("<html"),
            "{body}"
        );
    }
    assert_eq!(c.state.inbox.list().0, before, "nothing was written");
    let staging = c._dir.path().join("archive/.disan/staging");
    let staged = std::fs::read_dir(&staging).map(|d| d.count()).unwrap_or(0);
    assert_eq!(staged, 0, "nothing was staged");
}

#[actix_web::test]
async fn a_new_site_form_keeps_what_was_typed_then_lands_in_the_inbox() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let b = login(&app, &c.state, account(Role::Volunteer)).await;
    let (status, _, page) = send(&app, get("/contribute/new?lang=en", Some(&b)).to_request()).await;
    assert_eq!(status, 200);
    assert!(page.contains("data-locate") && page.contains("name=\"csrf\""));
    // Errors: no name, a position that is not a number, a commune not in the province.
    let typed = [
        ("name", ""),
        ("address", "thôn Đông, gần chợ"),
        ("province", "Ninh Bình"),
        ("commune", "Xã Không Có Thật"),
        ("lat", "hai mươi"),
        ("lon", "105.97"),
        ("description", "Mô tả dài\ncó hai dòng"),
        ("sources", "https://example.org/dinh"),
    ];
    let req = post_form("/contribute/new?lang=en", Some(&b), &typed).to_request();
    let (status, _, page) = send(&app, req).await;
    assert_eq!(status, 422);
    for shown in [
        "value=\"thôn Đông, gần chợ\"",
        "value=\"Xã Không Có Thật\"",
        "value=\"hai mươi\"",
        "Mô tả dài\ncó hai dòng</textarea>",
        "https://example.org/dinh</textarea>",
        "id=\"name-error\"",
        "id=\"position-error\"",
        "id=\"commune-error\"",
    ] {
        assert!(page.contains(shown), "{shown} missing from\n{page}");
    }
    assert!(c.state.inbox.list().0.is_empty(), "nothing submitted");
    // "Check the address" shows the resolution without submitting, in NFC even from NFD input.
    let check = [
        ("name", "Đi\u{0300}nh Ti\u{0301}ch"),
        ("province", "nam dinh"),
        ("commune", "Phường Nam Định"),
        ("action", "check"),
    ];
    let (status, _, page) = send(
        &app,
        post_form("/contribute/new?lang=en", Some(&b), &check).to_request(),
    )
    .await;
    assert_eq!(status, 200);
    assert!(page.contains("The address resolves to"), "{page}");
    assert!(page.contains("Ninh Bình"));
    assert!(page.contains("value=\"Đình Tích\""), "NFC: {page}");
    assert!(c.state.inbox.list().0.is_empty());
    // A good form: 303 to the submission, with its commune placed in today's units.
    let good = [
        ("name", "Đình Tích"),
        ("type", "dinh"),
        ("province", "Ninh Bình"),
        ("commune", "Phường Hoa Lư"),
        ("lat", "20,2506"),
        ("lon", "105.9745"),
        ("accuracy", "surveyed"),
        ("sources", "https://example.org/a\nSách cũ, tr. 3"),
    ];
    let (status, location, _) = send(
        &app,
        post_form("/contribute/new", Some(&b), &good).to_request(),
    )
    .await;
    assert_eq!(status, 303);
    let id = location.strip_prefix("/contribute/").unwrap();
    let submission = c.state.inbox.get(id).unwrap();
    let Proposal::NewSite { record } = &submission.proposal else {
        panic!()
    };
    assert_eq!(record.location.commune.as_deref(), Some("Phường Hoa Lư"));
    assert_eq!(record.location.lat, Some(20.2506));
    assert_eq!(record.sources.len(), 2);
    assert_eq!(submission.submitter, "volunteer");
    // My contributions: pending, then rejected with the moderator's reason.
    let (_, _, home) = send(&app, get("/contribute?lang=en", Some(&b)).to_request()).await;
    assert!(
        home.contains("Đình Tích") && home.contains("Waiting for review"),
        "{home}"
    );
    let review = Review {
        moderator: "moderator".into(),
        at: chrono::Utc::now(),
        reason: Some("Trùng với <b>đình</b> đã có".into()),
        site_id: None,
    };
    c.state.inbox.decide(id, Status::Rejected, review).unwrap();
    let (_, _, home) = send(&app, get("/contribute?lang=en", Some(&b)).to_request()).await;
    assert!(home.contains("Not accepted"));
    assert!(
        home.contains("Trùng với &lt;b&gt;đình&lt;/b&gt; đã có"),
        "{home}"
    );
}

#[actix_web::test]
async fn corrections_and_photo_submissions_start_from_a_site() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let b = login(&app, &c.state, account(Role::Volunteer)).await;
    let (_, _, site) = send(&app, get(&format!("/sites/{SITE}"), None).to_request()).await;
    assert!(
        site.contains(&format!("href=\"/contribute/photos/{SITE}\"")),
        "{site}"
    );
    assert!(site.contains(&format!("href=\"/contribute/correct/{SITE}\"")));

    let uri = format!("/contribute/correct/{SITE}");
    let (status, _, form) = send(&app, get(&uri, Some(&b)).to_request()).await;
    assert_eq!(status, 200);
    assert!(form.contains("value=\"Đền Thái Vi\""), "prefilled");
    let current = crate::moderate_fixture::published_record(&c.state, SITE);
    let unchanged = [
        ("name", current.name.as_str()),
        (
            "type",
            current.site_type.as_ref().map(|t| t.code()).unwrap_or(""),
        ),
        ("summary", current.summary.as_deref().unwrap_or("")),
        ("description", current.description.as_deref().unwrap_or("")),
    ];
    let mut fields: Vec<(&str, String)> =
        unchanged.iter().map(|(k, v)| (*k, v.to_string())).collect();
    let alt = current.alt_names.join("\n");
    let people = current.people.join("\n");
    fields.push(("alt_names", alt));
    fields.push(("people", people));
    let sources = disan::web::contribute::fields::SiteFields::from_record(&current).sources;
    fields.push(("sources", sources));
    if let Some(en) = &current.name_en {
        fields.push(("name_en", en.clone()));
    }
    let as_refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, page) = send(&app, post_form(&uri, Some(&b), &as_refs).to_request()).await;
    assert_eq!(
        status, 422,
        "an unchanged correction is refused: {page:.2000}"
    );
    let mut changed = as_refs.clone();
    changed.retain(|(k, _)| *k != "description");
    changed.push(("description", "Mô tả đã sửa."));
    changed.push(("note", "Theo bia đá tại đền"));
    let (status, location, _) = send(&app, post_form(&uri, Some(&b), &changed).to_request()).await;
    assert_eq!(status, 303);
    let id = location.strip_prefix("/contribute/").unwrap();
    let Proposal::Correction {
        site_id,
        record,
        note,
    } = c.state.inbox.get(id).unwrap().proposal
    else {
        panic!("a correction")
    };
    assert_eq!(site_id, SITE);
    assert_eq!(record.description.as_deref(), Some("Mô tả đã sửa."));
    assert_eq!(
        record.photos, current.photos,
        "photos are not the correction's business"
    );
    assert_eq!(note.as_deref(), Some("Theo bia đá tại đền"));

    let start = format!("/contribute/photos/{SITE}");
    let (status, _, page) = send(&app, get(&start, Some(&b)).to_request()).await;
    assert_eq!(status, 200, "a GET creates nothing");
    assert!(page.contains("Đền Thái Vi"));
    let (status, location, _) = send(&app, post_form(&start, Some(&b), &[]).to_request()).await;
    assert_eq!(status, 303);
    let (status, again, _) = send(&app, get(&start, Some(&b)).to_request()).await;
    assert_eq!(
        (status.as_u16(), again.as_str()),
        (303, location.as_str()),
        "the open one is reused"
    );
    let (status, ..) = send(
        &app,
        get("/contribute/correct/no-such-site", Some(&b)).to_request(),
    )
    .await;
    assert_eq!(status, 404);
}

#[actix_web::test]
async fn html_typed_anywhere_is_shown_escaped_everywhere() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let b = login(&app, &c.state, account(Role::Volunteer)).await;
    let evil = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>";
    let fields = [
        ("name", evil),
        ("type_other", evil),
        ("address", evil),
        ("description", evil),
        ("sources", evil),
    ];
    let (status, location, _) = send(
        &app,
        post_form("/contribute/new", Some(&b), &fields).to_request(),
    )
    .await;
    assert_eq!(status, 303);
    // The same text on the form after an error (a bad position).
    let mut with_error = fields.to_vec();
    with_error.push(("lat", "x"));
    let (_, _, form) = send(
        &app,
        post_form("/contribute/new", Some(&b), &with_error).to_request(),
    )
    .await;
    let id = location.strip_prefix("/contribute/").unwrap().to_owned();
    let photo = crate::contribute_uploads::jpeg(40, 30, 3);
    crate::contribute_uploads::add_by_form(
        &app,
        &b,
        &id,
        &[("photos", Some(evil), &photo)],
        evil,
        evil,
    )
    .await;
    let (_, _, page) = send(&app, get(&location, Some(&b)).to_request()).await;
    let (_, _, home) = send(&app, get("/contribute", Some(&b)).to_request()).await;
    for (what, html) in [("form", &form), ("submission", &page), ("home", &home)] {
        assert!(
            !html.contains("<script>alert"),
            "{what}: raw script\n{html}"
        );
        assert!(!html.contains("<img src=x"), "{what}: raw tag");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{what}: escaped text\n{html}"
        );
    }
    assert!(
        page.contains("&lt;img src=x onerror=alert(2)&gt;"),
        "the caption and author too"
    );
}

#[actix_web::test]
async fn ended_and_expired_sessions_get_401_everywhere() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let b = login(&app, &c.state, account(Role::Volunteer)).await;
    let id = propose(&app, &b, "Đình hết hạn").await;
    // Expire every session on disk, as time passing would.
    let file = c._dir.path().join("archive/.disan/sessions.jsonl");
    let text = std::fs::read_to_string(&file).unwrap();
    fn expire(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    if k == "expires" {
                        *v = "2001-01-01T00:00:00Z".into();
                    } else {
                        expire(v);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(expire),
            _ => {}
        }
    }
    let mut expired = String::new();
    for line in text.lines() {
        let mut json: serde_json::Value = serde_json::from_str(line).unwrap();
        expire(&mut json);
        expired.push_str(&json.to_string());
        expired.push('\n');
    }
    std::fs::write(&file, expired).unwrap();
    for uri in ["/contribute".to_owned(), format!("/contribute/{id}")] {
        let (status, ..) = send(&app, get(&uri, Some(&b)).to_request()).await;
        assert_eq!(status, 401, "{uri}");
    }
    let req = TestRequest::post()
        .uri(&format!("/contribute/{id}/uploads"))
        .insert_header((header::COOKIE, b.cookie_header()))
        .insert_header(("x-csrf-token", b.csrf.as_str()))
        .insert_header((header::ACCEPT, "application/json"))
        .set_payload("{}")
        .to_request();
    let (status, _, body) = send(&app, req).await;
    assert_eq!(status, 401);
    assert!(body.contains("sign_in_required"), "{body}");
}
