//! Invitations on the leader's page: `POST /teams/{team}/invitations` makes one (days, number
//! of people, whether the leader confirms each newcomer), `POST …/invitations/{id}/revoke`
//! withdraws it, and `GET …/invitations/{id}/qr.svg` is the code a leader shows at a meeting
//! for phones to scan. Only the team's leaders (and moderators) see the links.

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{led_team, manage_url};
use crate::teams::{Invitation, InvitationState, Team, TeamError};
use crate::web::auth::{Leader, LeaderRole, Posted};
use crate::web::error::{InLang, PageError, WebError};
use crate::web::i18n::{Chosen, Lang};
use crate::web::render::{see_other, with_param};
use crate::web::state::AppState;

/// An invitation as the leader's page lists it.
#[derive(Debug, Serialize)]
pub struct InvitationRow {
    pub id: i64,
    /// The absolute link to hand out.
    pub link: String,
    pub qr: String,
    pub state: &'static str,
    pub state_label: &'static str,
    pub expires: String,
    pub uses: u32,
    pub max_uses: u32,
    pub confirm: bool,
    pub revoke_action: String,
}

impl InvitationRow {
    pub fn of(
        i: &Invitation,
        team: &Team,
        origin: &str,
        lang: Lang,
        now: DateTime<Utc>,
    ) -> InvitationRow {
        let t = lang.labels();
        let (state, state_label) = match i.state(now) {
            InvitationState::Open => ("open", t.invitation_open),
            InvitationState::Expired => ("expired", t.invitation_expired),
            InvitationState::Revoked => ("revoked", t.invitation_revoked),
            InvitationState::UsedUp => ("used_up", t.invitation_used_up),
        };
        InvitationRow {
            id: i.id,
            link: format!("{origin}/join/{}", i.token),
            qr: format!("/teams/{}/invitations/{}/qr.svg", team.slug, i.id),
            state,
            state_label,
            expires: crate::web::views::local_time(i.expires),
            uses: i.uses,
            max_uses: i.max_uses,
            confirm: i.confirm,
            revoke_action: with_param(
                &format!("/teams/{}/invitations/{}/revoke", team.slug, i.id),
                lang.link_param(),
            ),
        }
    }
}

/// `POST /teams/{team}/invitations`.
pub async fn create(
    req: HttpRequest,
    posted: Posted<LeaderRole>,
    state: web::Data<AppState>,
    chosen: Chosen,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let team = led_team(&state, &slug, &posted.by.user)
        .await
        .in_lang(lang)?;
    let number = |name: &'static str, default: u32| -> Result<u32, WebError> {
        match posted.fields.get(name) {
            None => Ok(default),
            Some(text) => text.parse().map_err(|_| WebError::InvalidParameter {
                name,
                value: text.to_owned(),
                expected: "a whole number",
            }),
        }
    };
    let days = number("days", 7).in_lang(lang)?;
    let max_uses = number("max_uses", 30).in_lang(lang)?;
    let confirm = posted.fields.get("confirm").is_some();
    let (teams, user, current) = (state.teams.clone(), posted.by.user.clone(), team.clone());
    let made = crate::web::blocking(move || {
        teams.invite(&current, &user, days, max_uses, confirm, Utc::now())
    })
    .await;
    match made {
        Ok(invitation) => Ok(see_other(format!(
            "{}#invitation-{}",
            with_param(
                &manage_url(&team.slug, lang),
                &format!("invitation={}", invitation.id)
            ),
            invitation.id
        ))),
        Err(WebError::Teams(e @ TeamError::Invalid { .. })) => {
            let outcome = super::manage::Outcome {
                error: Some(WebError::Teams(e).message(lang)),
                ..Default::default()
            };
            let status = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
            super::manage::render(&req, &state, &posted.by, &team, lang, outcome, status).await
        }
        Err(other) => Err(other).in_lang(lang),
    }
}

/// `POST /teams/{team}/invitations/{id}/revoke`.
pub async fn revoke(
    posted: Posted<LeaderRole>,
    state: web::Data<AppState>,
    chosen: Chosen,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let (slug, id) = path.into_inner();
    let team = led_team(&state, &slug, &posted.by.user)
        .await
        .in_lang(lang)?;
    let (teams, user) = (state.teams.clone(), posted.by.user.clone());
    crate::web::blocking(move || teams.revoke(&team, id, &user, Utc::now()))
        .await
        .in_lang(lang)?;
    Ok(see_other(with_param(
        &manage_url(&slug, lang),
        "done=revoked",
    )))
}

/// `GET /teams/{team}/invitations/{id}/qr.svg`: the invitation link as a QR code.
pub async fn qr(
    req: HttpRequest,
    by: Leader,
    state: web::Data<AppState>,
    chosen: Chosen,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let (slug, id) = path.into_inner();
    let team = led_team(&state, &slug, &by.user).await.in_lang(lang)?;
    let teams = state.teams.clone();
    let team_id = team.id;
    let invitation = crate::web::blocking(move || teams.invitations(team_id))
        .await
        .in_lang(lang)?
        .into_iter()
        .find(|i| i.id == id)
        .ok_or(WebError::Teams(TeamError::NoSuchInvitation))
        .in_lang(lang)?;
    let link = format!("{}/join/{}", state.origin(&req), invitation.token);
    let svg = crate::web::qr::svg(&link).in_lang(lang)?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "image/svg+xml"))
        .insert_header((CACHE_CONTROL, "private, no-store"))
        .body(svg))
}
