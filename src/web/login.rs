//! Logging in and out.
//!
//! The login form has no session yet to tie a CSRF token to, so it uses a double-submit token:
//! the page sets a random value in a short-lived cookie and in a hidden field, and the post
//! must carry both, equal. A page on another site can make the browser send the cookie but can
//! neither read it nor set the field. (The [`super::auth::same_origin_writes`] middleware also
//! refuses cross-site posts from browsers that say so.) Wrong passwords go through the
//! [`crate::accounts::LoginLimiter`], keyed by account and by client address.

use std::time::Instant;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header::LOCATION;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::auth::{self, CSRF_FIELD, Fields, Refused, Signed, VolunteerRole};
use super::error::{InLang, PageError, WebError};
use super::i18n::{Chosen, url_param};
use super::render::{Frame, page, private_html};
use super::state::AppState;
use crate::accounts::{AccountsError, constant_time_eq};

/// Password checks running at once. Each argon2id check takes 19 MiB and tens of milliseconds
/// of a core: a team of fifty logging in together (or someone guessing) would otherwise take a
/// gigabyte. More than one per core buys no speed, so the rest wait their turn.
static PASSWORD_CHECKS: std::sync::LazyLock<tokio::sync::Semaphore> =
    std::sync::LazyLock::new(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(1, |n| n.get()))
    });

/// The double-submit cookie of the login form.
const LOGIN_CSRF_COOKIE: &str = "disan_login";

type State = web::Data<AppState>;

#[derive(Serialize)]
struct LoginPage<'a> {
    csrf: &'a str,
    next: String,
    user_name: &'a str,
    error: Option<String>,
}

/// `GET /login`.
pub async fn form(
    req: HttpRequest,
    state: State,
    chosen: Chosen,
) -> Result<HttpResponse, PageError> {
    let next = auth::local_path(url_param(req.query_string(), "next").as_deref());
    login_page(
        &req,
        &state,
        chosen,
        &next,
        "",
        None,
        actix_web::http::StatusCode::OK,
    )
}

fn login_page(
    req: &HttpRequest,
    state: &AppState,
    chosen: Chosen,
    next: &str,
    user_name: &str,
    error: Option<String>,
    status: actix_web::http::StatusCode,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let token = random_token().in_lang(lang)?;
    let t = lang.labels();
    let frame = Frame::private(lang, format!("{} · {}", t.login_title, t.site_name));
    let body = LoginPage {
        csrf: &token,
        next: next.to_owned(),
        user_name,
        error,
    };
    let html = page("login.html", &frame, &body).in_lang(lang)?;
    let mut response = private_html(html);
    *response.status_mut() = status;
    let cookie = Cookie::build(LOGIN_CSRF_COOKIE, token)
        .path("/login")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.is_tls(req))
        .max_age(actix_web::cookie::time::Duration::hours(2))
        .finish();
    response
        .add_cookie(&cookie)
        .map_err(|_| WebError::not_found("cookie"))
        .in_lang(lang)?;
    Ok(response)
}

/// `POST /login`.
pub async fn submit(
    req: HttpRequest,
    state: State,
    chosen: Chosen,
    body: web::Bytes,
) -> Result<HttpResponse, Refused> {
    let fields: Fields = auth::read_form(&req, Ok(body))?;
    let cookie = req.cookie(LOGIN_CSRF_COOKIE);
    let sent = fields.get(CSRF_FIELD).unwrap_or_default();
    let matches = cookie.as_ref().is_some_and(|c| {
        !sent.is_empty() && constant_time_eq(c.value().as_bytes(), sent.as_bytes())
    });
    if !matches {
        return Err(Refused::new(
            &req,
            WebError::Accounts(AccountsError::BadCsrfToken),
        ));
    }
    let name = fields.get("user").unwrap_or_default().to_owned();
    let password = fields
        .0
        .iter()
        .find(|(k, _)| k == "password")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
        .to_owned();
    let next = auth::local_path(fields.get("next"));
    let address = state.client(&req).address;
    let sessions = state.accounts.sessions.clone();
    // argon2 takes tens of milliseconds of CPU: keep it off the request threads, a few at a time.
    let _turn = PASSWORD_CHECKS
        .acquire()
        .await
        .map_err(|_| Refused::new(&req, WebError::Unavailable))?;
    let state_for_login = state.clone();
    let name_for_login = name.clone();
    let result = web::block(move || {
        sessions.login_limited(
            &state_for_login.accounts.limiter,
            &name_for_login,
            &password,
            address,
            chrono::Utc::now(),
            Instant::now(),
        )
    })
    .await
    .map_err(|_| Refused::new(&req, WebError::SignInRequired))?;
    match result {
        Ok(new) => {
            let secure = state.is_tls(&req);
            let mut done = HttpResponse::SeeOther();
            done.insert_header((LOCATION, next))
                .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
                .cookie(auth::session_cookie(
                    &new.token,
                    secure,
                    state.limits.session_days,
                ));
            let mut expired = Cookie::build(LOGIN_CSRF_COOKIE, "").path("/login").finish();
            expired.make_removal();
            done.cookie(expired);
            Ok(done.finish())
        }
        Err(
            err @ (AccountsError::BadCredentials
            | AccountsError::Throttled(_)
            | AccountsError::Disabled { .. }),
        ) => {
            if matches!(err, AccountsError::BadCredentials) {
                state.metrics.login_failed();
            }
            let error = WebError::Accounts(err);
            let (status, message) = (error.status(), error.message(chosen.lang));
            login_page(&req, &state, chosen, &next, &name, Some(message), status)
                .map_err(|e| Refused::new(&req, e.error))
        }
        Err(other) => Err(Refused::new(&req, WebError::Accounts(other))),
    }
}

/// `POST /logout`: ends the session (its CSRF token is required, so another site cannot log
/// a volunteer out) and clears the cookie.
pub async fn logout(
    req: HttpRequest,
    state: State,
    payload: web::Payload,
) -> Result<HttpResponse, Refused> {
    let by = Signed::<VolunteerRole>::extract(&req).await;
    let secure = state.is_tls(&req);
    let clear = |location: &str| {
        HttpResponse::SeeOther()
            .insert_header((LOCATION, location.to_owned()))
            .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
            .cookie(auth::removal_cookie(secure))
            .finish()
    };
    let Ok(by) = by else {
        // Already logged out (or never in): nothing to end.
        return Ok(clear("/"));
    };
    let body = payload
        .to_bytes_limited(auth::MAX_FORM_BYTES)
        .await
        .map_err(|_| {
            Refused::new(
                &req,
                WebError::TooLarge {
                    what: "form",
                    limit_bytes: auth::MAX_FORM_BYTES as u64,
                },
            )
        })?
        .map_err(|_| Refused::new(&req, WebError::SignInRequired))?;
    let fields = auth::read_form(&req, Ok(body))?;
    by.session
        .verify_csrf(fields.get(CSRF_FIELD).unwrap_or_default())
        .map_err(|e| Refused::new(&req, WebError::Accounts(e)))?;
    if let Some(cookie) = req.cookie(auth::SESSION_COOKIE) {
        state
            .accounts
            .sessions
            .logout(cookie.value())
            .map_err(|e| Refused::new(&req, WebError::Accounts(e)))?;
    }
    Ok(clear("/"))
}

fn random_token() -> Result<String, WebError> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| WebError::Accounts(AccountsError::Random(e)))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
