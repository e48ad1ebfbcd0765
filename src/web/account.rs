//! `GET/POST /account/password`: choosing a password of one's own — required after logging in
//! with a one-time password (every other page leads here until it is done), and open to
//! anyone logged in. The current password is asked again, so a browser left logged in cannot
//! be used to take the account. Every other session of the account ends; this browser gets a
//! fresh one.

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, LOCATION};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::auth::{self, AnyRole, Member, Posted};
use super::error::{InLang, PageError, WebError};
use super::i18n::{Chosen, Lang, url_param};
use super::render::private_page;
use super::state::AppState;
use crate::accounts::{AccountsError, MIN_PASSWORD_CHARS};

#[derive(Serialize)]
struct PasswordPage {
    user_name: String,
    csrf: String,
    next: String,
    one_time: bool,
    min_password: usize,
    error: Option<String>,
}

/// `GET /account/password?next=`.
pub async fn form(req: HttpRequest, by: Member, chosen: Chosen) -> Result<HttpResponse, PageError> {
    let next = auth::local_path(url_param(req.query_string(), "next").as_deref());
    render(&by, chosen.lang, next, None, StatusCode::OK)
}

fn render(
    by: &Member,
    lang: Lang,
    next: String,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let body = PasswordPage {
        user_name: by.name().to_owned(),
        csrf: by.csrf().to_owned(),
        next,
        one_time: by.user.must_change_password,
        min_password: MIN_PASSWORD_CHARS,
        error,
    };
    let mut response = private_page(
        "account_password.html",
        lang,
        lang.labels().password_title,
        &body,
    )?;
    *response.status_mut() = status;
    Ok(response)
}

/// `POST /account/password`.
pub async fn submit(
    req: HttpRequest,
    posted: Posted<AnyRole>,
    state: web::Data<AppState>,
    chosen: Chosen,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let raw = |name: &str| {
        posted
            .fields
            .0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (current, new, again) = (raw("current"), raw("password"), raw("password2"));
    let next = auth::local_path(posted.fields.get("next"));
    if new != again {
        let message = lang.labels().passwords_differ.to_owned();
        return render(
            &posted.by,
            lang,
            next,
            Some(message),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let (users, sessions, name) = (
        state.accounts.users.clone(),
        state.accounts.sessions.clone(),
        posted.by.name().to_owned(),
    );
    let changed = crate::web::blocking(move || {
        users.change_password(&name, &current, &new)?;
        sessions.logout_user(&name)?;
        sessions.login(&name, &new, chrono::Utc::now())
    })
    .await;
    match changed {
        Ok(session) => Ok(HttpResponse::SeeOther()
            .insert_header((LOCATION, next))
            .insert_header((CACHE_CONTROL, "no-store"))
            .cookie(auth::session_cookie(
                &session.token,
                state.is_tls(&req),
                state.limits.session_days,
            ))
            .finish()),
        Err(
            e @ WebError::Accounts(
                AccountsError::BadCredentials
                | AccountsError::WeakPassword { .. }
                | AccountsError::SamePassword,
            ),
        ) => {
            let status = if matches!(e, WebError::Accounts(AccountsError::BadCredentials)) {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            render(&posted.by, lang, next, Some(e.message(lang)), status)
        }
        Err(other) => Err(other).in_lang(lang),
    }
}
