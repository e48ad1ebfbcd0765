//! `GET/POST /join/{token}`: joining a team from an invitation link or QR code.
//!
//! Someone new picks a name and a password and is in: the account (role volunteer) is made,
//! the invitation counted, and they are logged in — waiting for the leader's confirmation when
//! the invitation asks for it. Someone already logged in joins with their account. The form
//! has no session to tie a CSRF token to, so it uses a double-submit token like the login
//! form. An expired, withdrawn or used-up invitation says so, and makes nothing.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::Serialize;

use crate::accounts::{
    AccountsError, MIN_PASSWORD_CHARS, Role, constant_time_eq, validate_user_name,
};
use crate::teams::{Invitation, InvitationState, Team, TeamError, invitations::is_token};
use crate::web::auth::{self, CSRF_FIELD, Fields};
use crate::web::error::{InLang, PageError, WebError};
use crate::web::i18n::{Chosen, Lang};
use crate::web::render::{Frame, page, private_html, see_other, with_param};
use crate::web::state::AppState;

/// The double-submit cookie of the join form.
const JOIN_CSRF_COOKIE: &str = "disan_join";

#[derive(Serialize)]
struct JoinPage {
    team: String,
    communes: Vec<String>,
    /// Why the invitation cannot be used, when it cannot.
    closed: Option<String>,
    confirm: bool,
    action: String,
    csrf: String,
    logged_in_as: Option<String>,
    name: String,
    min_password: usize,
    error: Option<String>,
}

/// `GET /join/{token}`.
pub async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    chosen: Chosen,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let (invitation, team) = lookup(&state, &token).await.in_lang(lang)?;
    render(
        &req,
        &state,
        lang,
        &token,
        &invitation,
        &team,
        "",
        None,
        StatusCode::OK,
    )
}

async fn lookup(state: &AppState, token: &str) -> Result<(Invitation, Team), WebError> {
    if !is_token(token) {
        return Err(WebError::Teams(TeamError::NoSuchInvitation));
    }
    let (teams, token) = (state.teams.clone(), token.to_owned());
    crate::web::blocking(move || teams.invitation(&token)).await
}

#[allow(clippy::too_many_arguments)]
fn render(
    req: &HttpRequest,
    state: &AppState,
    lang: Lang,
    token: &str,
    invitation: &Invitation,
    team: &Team,
    name: &str,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let t = lang.labels();
    let session = auth::current(req).ok().flatten();
    let now = Utc::now();
    let closed = match invitation.check(now) {
        Ok(()) => None,
        Err(e) => Some(WebError::Teams(e).message(lang)),
    };
    let csrf = match &session {
        Some((session, _)) => session.csrf_token().to_owned(),
        None => random_token().in_lang(lang)?,
    };
    let body = JoinPage {
        team: team.name.clone(),
        communes: team.communes.iter().map(|c| c.label()).collect(),
        closed,
        confirm: invitation.confirm || team.confirm_joins,
        action: with_param(&format!("/join/{token}"), lang.link_param()),
        csrf: csrf.clone(),
        logged_in_as: session.as_ref().map(|(_, user)| user.name.clone()),
        name: name.to_owned(),
        min_password: MIN_PASSWORD_CHARS,
        error,
    };
    let mut frame = Frame::private(lang, format!("{} · {}", t.join_title, t.site_name));
    frame.nav = "";
    let html = page("join.html", &frame, &body).in_lang(lang)?;
    let mut response = private_html(html);
    *response.status_mut() = status;
    if session.is_none() && invitation.state(now) == InvitationState::Open {
        let cookie = Cookie::build(JOIN_CSRF_COOKIE, csrf)
            .path("/join")
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(state.is_tls(req))
            .max_age(actix_web::cookie::time::Duration::hours(2))
            .finish();
        response
            .add_cookie(&cookie)
            .map_err(|_| WebError::not_found("cookie"))
            .in_lang(lang)?;
    }
    Ok(response)
}

/// `POST /join/{token}`.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    chosen: Chosen,
    token: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let fields: Fields = auth::read_form(&req, Ok(body)).map_err(|r| PageError {
        error: *r.error,
        lang,
    })?;
    let (invitation, team) = lookup(&state, &token).await.in_lang(lang)?;
    let sent = fields.get(CSRF_FIELD).unwrap_or_default();
    let now = Utc::now();
    if let Err(e) = invitation.check(now) {
        // Closed: say why (its page set no form token), and make nothing.
        let error = WebError::Teams(e);
        let status = error.status();
        return render(
            &req,
            &state,
            lang,
            &token,
            &invitation,
            &team,
            "",
            None,
            status,
        );
    }
    if let Some((session, user)) = auth::current(&req).in_lang(lang)? {
        // Joining with the account already logged in.
        session
            .verify_csrf(sent)
            .map_err(WebError::Accounts)
            .in_lang(lang)?;
        let (teams, token, name) = (state.teams.clone(), token.clone(), user.name.clone());
        crate::web::blocking(move || teams.redeem(&token, &name, now))
            .await
            .in_lang(lang)?;
        return Ok(see_other(with_param("/my-tasks", lang.link_param())));
    }
    let cookie = req.cookie(JOIN_CSRF_COOKIE);
    let matches = cookie.as_ref().is_some_and(|c| {
        !sent.is_empty() && constant_time_eq(c.value().as_bytes(), sent.as_bytes())
    });
    if !matches {
        return Err(WebError::Accounts(AccountsError::BadCsrfToken)).in_lang(lang);
    }
    let name = fields.get("user").unwrap_or_default().to_owned();
    let password = raw(&fields, "password");
    let again = raw(&fields, "password2");
    let again_page = |message: String, status: StatusCode| {
        render(
            &req,
            &state,
            lang,
            &token,
            &invitation,
            &team,
            &name,
            Some(message),
            status,
        )
    };
    if password != again {
        let message = lang.labels().passwords_differ.to_owned();
        return again_page(message, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let checked = validate_user_name(&name).and_then(|name| {
        let length = password.chars().count();
        if length < MIN_PASSWORD_CHARS {
            Err(AccountsError::WeakPassword {
                length,
                min: MIN_PASSWORD_CHARS,
            })
        } else {
            Ok(name)
        }
    });
    let name = match checked {
        Ok(name) => name,
        Err(e) => {
            let message = WebError::Accounts(e).message(lang);
            return again_page(message, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let (teams, users, sessions) = (
        state.teams.clone(),
        state.accounts.users.clone(),
        state.accounts.sessions.clone(),
    );
    let (t_token, t_name, t_password) = (token.clone(), name.clone(), password.clone());
    let joined = crate::web::blocking(move || {
        if users.exists(&t_name)? {
            return Err(WebError::Accounts(AccountsError::UserExists {
                name: t_name,
            }));
        }
        // The place first (so the last one cannot be taken twice), then the account; a failed
        // account gives the place back.
        teams.redeem(&t_token, &t_name, now)?;
        if let Err(e) = users.add(&t_name, Role::Volunteer, &t_password, now) {
            teams.cancel_redeem(&t_token, &t_name, now)?;
            return Err(WebError::Accounts(e));
        }
        Ok(sessions.login(&t_name, &t_password, now)?)
    })
    .await;
    match joined {
        Ok(new) => {
            let mut done = HttpResponse::SeeOther();
            done.insert_header((
                actix_web::http::header::LOCATION,
                with_param("/my-tasks", lang.link_param()),
            ))
            .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
            .cookie(auth::session_cookie(
                &new.token,
                state.is_tls(&req),
                state.limits.session_days,
            ));
            let mut expired = Cookie::build(JOIN_CSRF_COOKIE, "").path("/join").finish();
            expired.make_removal();
            done.cookie(expired);
            Ok(done.finish())
        }
        Err(e @ WebError::Accounts(AccountsError::UserExists { .. })) => {
            again_page(e.message(lang), StatusCode::CONFLICT)
        }
        Err(e @ WebError::Teams(_)) => {
            let status = e.status();
            again_page(e.message(lang), status)
        }
        Err(other) => Err(other).in_lang(lang),
    }
}

/// A password field exactly as typed (not trimmed: spaces may be part of it).
fn raw(fields: &Fields, name: &str) -> String {
    fields
        .0
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn random_token() -> Result<String, WebError> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| WebError::Accounts(AccountsError::Random(e)))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
