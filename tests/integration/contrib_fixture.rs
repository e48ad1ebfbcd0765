//! A private archive for tests that write: the bundled sample archive copied and ingested,
//! one account per role, live index updates on, and helpers to log in and send forms the way
//! a browser does. Each test builds its own, so writes never leak between tests.

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header;
use actix_web::{test, web};
use disan::accounts::{Role, UserStore};
use disan::ingest::{IngestOptions, ingest};
use disan::layout::{ArchiveLayout, IndexLayout};
use disan::web::AppState;

use crate::util;

/// Every test account's password.
pub const PASSWORD: &str = "correct horse battery staple";

/// The account names, one per role: `visitor`, `volunteer`, `moderator`, `admin`.
pub fn account(role: Role) -> &'static str {
    role.as_str()
}

pub struct Contrib {
    /// Holds the archive and index folders until the test ends.
    pub _dir: tempfile::TempDir,
    pub state: web::Data<AppState>,
}

/// A fresh copy of the bundled archive, ingested, with one user per role.
pub fn fresh() -> Contrib {
    let dir = util::copy_of(&util::repo().join("archive"));
    let archive = ArchiveLayout::new(dir.path().join("archive"));
    let index = IndexLayout::new(dir.path().join("index"));
    let report = ingest(&archive, &index, &IngestOptions::default()).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let users = UserStore::new(&archive);
    for &role in Role::ALL {
        users
            .add(account(role), role, PASSWORD, chrono::Utc::now())
            .unwrap();
    }
    let state = AppState::open(&archive, &index, None).unwrap();
    state.start_updates().unwrap();
    Contrib {
        _dir: dir,
        state: web::Data::new(state),
    }
}

/// What a logged-in browser holds: the session cookie, and the CSRF token its forms carry.
#[derive(Debug, Clone)]
pub struct Browser {
    pub cookie: String,
    pub csrf: String,
}

impl Browser {
    /// `name=value` for a `Cookie` header.
    pub fn cookie_header(&self) -> String {
        format!("disan_session={}", self.cookie)
    }
}

/// Logs in through the real form (double-submit token and all) and returns the session.
pub async fn login<S, B>(app: &S, state: &AppState, name: &str) -> Browser
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let login_cookie = login_token(app).await;
    let form = serde_urlencoded::to_string([
        ("csrf", login_cookie.as_str()),
        ("user", name),
        ("password", PASSWORD),
        ("next", "/contribute"),
    ])
    .unwrap();
    let response = test::call_service(
        app,
        test::TestRequest::post()
            .uri("/login")
            .insert_header((header::COOKIE, format!("disan_login={login_cookie}")))
            .insert_header((header::CONTENT_TYPE, "application/x-www-form-urlencoded"))
            .set_payload(form)
            .to_request(),
    )
    .await;
    assert_eq!(response.status(), 303, "login of {name} failed");
    let cookie = response
        .response()
        .cookies()
        .find(|c| c.name() == "disan_session")
        .expect("a session cookie")
        .value()
        .to_owned();
    let (session, _) = state
        .accounts
        .sessions
        .session(&cookie, chrono::Utc::now())
        .unwrap();
    Browser {
        cookie,
        csrf: session.csrf,
    }
}

/// Opens the login page and returns the token its cookie and hidden field carry.
pub async fn login_token<S, B>(app: &S) -> String
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let page = test::call_service(app, test::TestRequest::get().uri("/login").to_request()).await;
    assert_eq!(page.status(), 200);
    page.response()
        .cookies()
        .find(|c| c.name() == "disan_login")
        .expect("the login page sets its token cookie")
        .value()
        .to_owned()
}

/// A form post as a browser sends it; `browser` adds its cookie, and its CSRF token unless
/// the fields carry one.
pub fn post_form(
    uri: &str,
    browser: Option<&Browser>,
    fields: &[(&str, &str)],
) -> test::TestRequest {
    let mut fields: Vec<(&str, &str)> = fields.to_vec();
    let mut request = test::TestRequest::post()
        .uri(uri)
        .insert_header((header::CONTENT_TYPE, "application/x-www-form-urlencoded"));
    if let Some(b) = browser {
        if !fields.iter().any(|(k, _)| *k == "csrf") {
            fields.push(("csrf", b.csrf.as_str()));
        }
        request = request.insert_header((header::COOKIE, b.cookie_header()));
    }
    request.set_payload(serde_urlencoded::to_string(&fields).unwrap())
}
