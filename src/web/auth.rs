//! Who is asking, and may they: the session cookie, role checks as extractor types, and the
//! CSRF check on every write.
//!
//! A handler states what it needs in its signature, so a route cannot forget a check:
//!
//! - [`Signed<R>`] (aliases [`Member`], [`Volunteer`], [`Leader`], [`Moderator`], [`Admin`]) is a
//!   logged-in user whose role includes `R`: no session answers 401, a lower role 403. A user
//!   still holding a one-time password is sent to choose a password first.
//! - [`Posted<R>`] is a [`Signed<R>`] plus an urlencoded form whose `csrf` field matches the
//!   session: what every form handler takes.
//! - [`Sent<R>`] is a [`Signed<R>`] whose request carries the session's CSRF token in the
//!   `X-CSRF-Token` header or the `csrf` query parameter: for uploads and `fetch` calls, whose
//!   bodies are not forms.
//!
//! On top of the tokens, [`same_origin_writes`] refuses any write whose `Origin` or
//! `Sec-Fetch-Site` says it came from another site (defence in depth for the login form, which
//! has no session yet). Failures render as a page, or as JSON when the client asked for JSON.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};

use super::error::{ErrorBody, WebError};
use super::i18n::Chosen;
use super::state::AppState;
use crate::accounts::{AccountsError, Role, Session, User};

/// Where a user chooses a new password (and where a one-time password leads).
pub const PASSWORD_PAGE: &str = "/account/password";
/// The session cookie's name.
pub const SESSION_COOKIE: &str = "disan_session";
/// Where a form puts its CSRF token.
pub const CSRF_FIELD: &str = "csrf";
/// Where a script puts its CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Largest urlencoded form accepted (the text of a long site description, with room to spare).
pub const MAX_FORM_BYTES: usize = crate::archive::inbox::MAX_PROPOSAL_BYTES;

/// The role a [`Signed`] requires, as a type.
pub trait Required {
    const ROLE: Role;
}

/// Any account at all (a visitor's too): what changing one's own password needs.
#[derive(Debug)]
pub struct AnyRole;
#[derive(Debug)]
pub struct VolunteerRole;
#[derive(Debug)]
pub struct LeaderRole;
#[derive(Debug)]
pub struct ModeratorRole;
#[derive(Debug)]
pub struct AdminRole;

impl Required for AnyRole {
    const ROLE: Role = Role::Visitor;
}
impl Required for VolunteerRole {
    const ROLE: Role = Role::Volunteer;
}
impl Required for LeaderRole {
    const ROLE: Role = Role::Leader;
}
impl Required for ModeratorRole {
    const ROLE: Role = Role::Moderator;
}
impl Required for AdminRole {
    const ROLE: Role = Role::Admin;
}

/// A logged-in user whose role includes `R`.
#[derive(Debug)]
pub struct Signed<R> {
    pub user: User,
    pub session: Session,
    role: PhantomData<R>,
}

pub type Member = Signed<AnyRole>;
pub type Volunteer = Signed<VolunteerRole>;
pub type Leader = Signed<LeaderRole>;
pub type Moderator = Signed<ModeratorRole>;
pub type Admin = Signed<AdminRole>;

impl<R> Signed<R> {
    pub fn name(&self) -> &str {
        &self.user.name
    }

    pub fn csrf(&self) -> &str {
        self.session.csrf_token()
    }
}

/// Why a request was refused before its handler ran; rendered by the request's preference.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct Refused {
    /// Boxed: every extractor returns a `Result` with this error, and most are `Ok`.
    pub error: Box<WebError>,
    chosen: Chosen,
    wants_json: bool,
    /// Where the refused page was, so the login page can return there.
    path: String,
}

impl Refused {
    pub fn new(req: &HttpRequest, error: WebError) -> Refused {
        Refused {
            error: Box::new(error),
            chosen: Chosen::of(req),
            wants_json: wants_json(req),
            path: req
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_else(|| "/".into()),
        }
    }
}

impl ResponseError for Refused {
    fn status_code(&self) -> StatusCode {
        self.error.status()
    }

    fn error_response(&self) -> HttpResponse {
        if matches!(*self.error, WebError::PasswordChangeRequired) && !self.wants_json {
            let query =
                serde_urlencoded::to_string([("next", self.path.as_str())]).unwrap_or_default();
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, format!("{PASSWORD_PAGE}?{query}")))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .finish();
        }
        let mut response = HttpResponse::build(self.error.status());
        response.insert_header((header::CACHE_CONTROL, "no-store"));
        if self.wants_json {
            return response.json(ErrorBody {
                code: self.error.code(),
                message: self.error.public_message(),
            });
        }
        let next = (self.error.status() == StatusCode::UNAUTHORIZED).then_some(self.path.as_str());
        let html = super::render::error_page_with_login(&self.error, self.chosen.lang, next);
        response
            .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
            .body(html)
    }
}

/// Whether the client prefers JSON (scripts and API clients) to a page.
pub fn wants_json(req: &HttpRequest) -> bool {
    req.path().starts_with("/api/")
        || req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| {
                accept.starts_with("application/json") && !accept.contains("text/html")
            })
}

/// The session and user behind the request's cookie, if any. A damaged or expired session is
/// "none"; failing to read the accounts is an error.
pub fn current(req: &HttpRequest) -> Result<Option<(Session, User)>, WebError> {
    let Some(cookie) = req.cookie(SESSION_COOKIE) else {
        return Ok(None);
    };
    let state = state_of(req);
    match state
        .accounts
        .sessions
        .session(cookie.value(), chrono::Utc::now())
    {
        Ok(found) => Ok(Some(found)),
        Err(
            AccountsError::NoSession
            | AccountsError::SessionExpired
            | AccountsError::Disabled { .. },
        ) => Ok(None),
        Err(other) => Err(WebError::Accounts(other)),
    }
}

fn state_of(req: &HttpRequest) -> &AppState {
    req.app_data::<web::Data<AppState>>()
        .expect("the app always carries its state")
}

fn signed<R: Required>(req: &HttpRequest) -> Result<Signed<R>, Refused> {
    let refuse = |error| Refused::new(req, error);
    let (session, user) = current(req)
        .map_err(refuse)?
        .ok_or_else(|| refuse(WebError::SignInRequired))?;
    // A one-time password opens only the page that replaces it.
    if user.must_change_password && req.path() != PASSWORD_PAGE {
        return Err(refuse(WebError::PasswordChangeRequired));
    }
    if !user.role.allows(R::ROLE) {
        return Err(refuse(WebError::Forbidden {
            needed: R::ROLE,
            has: user.role,
        }));
    }
    Ok(Signed {
        user,
        session,
        role: PhantomData,
    })
}

impl<R: Required> FromRequest for Signed<R> {
    type Error = Refused;
    type Future = std::future::Ready<Result<Self, Refused>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(signed(req))
    }
}

/// The fields of a submitted form, in order (a field may repeat).
#[derive(Debug, Default, Clone)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The first value of `name`, trimmed; `None` when absent or blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// Every non-blank value of `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

/// A form sent by a logged-in user whose role includes `R`, with its CSRF token checked.
#[derive(Debug)]
pub struct Posted<R> {
    pub by: Signed<R>,
    pub fields: Fields,
}

impl<R: Required + 'static> FromRequest for Posted<R> {
    type Error = Refused;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Refused>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let signed = signed::<R>(&req);
        let body = web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            let by = signed?;
            let fields = read_form(&req, body.await)?;
            check_csrf(&req, &by.session, fields.get(CSRF_FIELD))?;
            Ok(Posted { by, fields })
        })
    }
}

/// Reads an urlencoded body under [`MAX_FORM_BYTES`].
pub fn read_form(
    req: &HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
) -> Result<Fields, Refused> {
    let too_large = || {
        Refused::new(
            req,
            WebError::TooLarge {
                what: "form",
                limit_bytes: MAX_FORM_BYTES as u64,
            },
        )
    };
    let body = body.map_err(|_| too_large())?;
    if body.len() > MAX_FORM_BYTES {
        return Err(too_large());
    }
    let pairs = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body).map_err(|_| {
        Refused::new(
            req,
            WebError::InvalidParameter {
                name: "form",
                value: String::new(),
                expected: "an urlencoded form",
            },
        )
    })?;
    // Text arrives as the browser typed it: NFD from some keyboards. Stored text is NFC.
    Ok(Fields(
        pairs
            .into_iter()
            .map(|(k, v)| (k, crate::fold::nfc(&v)))
            .collect(),
    ))
}

fn check_csrf(req: &HttpRequest, session: &Session, given: Option<&str>) -> Result<(), Refused> {
    session
        .verify_csrf(given.unwrap_or_default())
        .map_err(|e| Refused::new(req, WebError::Accounts(e)))
}

/// A request from a logged-in user whose role includes `R`, carrying the session's CSRF token
/// in the `X-CSRF-Token` header or the `csrf` query parameter. The body is left to the handler
/// (an upload, JSON).
#[derive(Debug)]
pub struct Sent<R>(pub Signed<R>);

impl<R: Required> FromRequest for Sent<R> {
    type Error = Refused;
    type Future = std::future::Ready<Result<Self, Refused>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(signed::<R>(req).and_then(|by| {
            let header = req
                .headers()
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let given = header.or_else(|| super::i18n::url_param(req.query_string(), CSRF_FIELD));
            check_csrf(req, &by.session, given.as_deref())?;
            Ok(Sent(by))
        }))
    }
}

/// The cookie that carries a new session.
pub fn session_cookie(token: &str, secure: bool, days: u32) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, token.to_owned())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(actix_web::cookie::time::Duration::days(i64::from(days)))
        .finish()
}

/// The cookie that ends one.
pub fn removal_cookie(secure: bool) -> Cookie<'static> {
    let mut cookie = Cookie::build(SESSION_COOKIE, "")
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .finish();
    cookie.make_removal();
    cookie
}

/// Middleware: a request that changes something (any method but GET, HEAD, OPTIONS) and says
/// it comes from another site is refused with 403 before any handler runs. Browsers send
/// `Sec-Fetch-Site` and `Origin` on such requests; clients that send neither (curl, tests) are
/// left to the CSRF token.
pub async fn same_origin_writes(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && is_cross_site(req.request()) {
        let refused = Refused::new(req.request(), WebError::CrossSite);
        let response = refused.error_response();
        return Ok(req.into_response(response));
    }
    next.call(req).await.map(|r| r.map_into_boxed_body())
}

fn is_cross_site(req: &HttpRequest) -> bool {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => false,
        Some(origin) => {
            let host = origin
                .split_once("://")
                .map(|(_, rest)| rest)
                .unwrap_or(origin);
            // This server under the name the browser used, or its configured public name
            // (behind a proxy the two differ).
            let asked = headers.get(header::HOST).and_then(|v| v.to_str().ok());
            let public = req
                .app_data::<web::Data<AppState>>()
                .and_then(|state| state.public_url().map(str::to_owned));
            let public_host = public
                .as_deref()
                .and_then(|url| url.split_once("://").map(|(_, rest)| rest.to_owned()));
            origin == "null" || (Some(host) != asked && Some(host) != public_host.as_deref())
        }
    }
}

/// A safe place to return to after logging in: a local path only, never another site.
pub fn local_path(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/contribute".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(local_path(Some("/moderate?x=1")), "/moderate?x=1");
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "/a\nb",
        ] {
            assert_eq!(local_path(Some(bad)), "/contribute", "{bad}");
        }
        assert_eq!(local_path(None), "/contribute");
    }

    #[test]
    fn fields_trim_and_skip_blanks() {
        let fields = Fields(vec![
            ("a".into(), " x ".into()),
            ("b".into(), "  ".into()),
            ("a".into(), "y".into()),
        ]);
        assert_eq!(fields.get("a"), Some("x"));
        assert_eq!(fields.get("b"), None);
        assert_eq!(fields.all("a").collect::<Vec<_>>(), ["x", "y"]);
    }
}
