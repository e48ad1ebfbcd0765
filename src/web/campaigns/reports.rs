//! `GET /campaigns/{c}/contributions.csv?from=YYYY-MM-DD&to=YYYY-MM-DD`: each volunteer's
//! approved contributions to a campaign over a date range (Vietnam days, both included) — one
//! row per contribution with its kind, site, photos and their published files — for the
//! province's and the Youth Union's reports. A leader gets their own teams' work; moderators
//! get everyone's.

use actix_web::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};

use super::campaign_of;
use super::public::parse_day;
use crate::accounts::Role;
use crate::campaigns::ledger::{CreditQuery, credits_csv};
use crate::teams::MemberStatus;
use crate::web::auth::Leader;
use crate::web::error::{InLang, PageError, WebError};
use crate::web::i18n::Chosen;
use crate::web::state::AppState;

/// `GET /campaigns/{c}/contributions.csv`.
pub async fn contributions_csv(
    req: HttpRequest,
    by: Leader,
    state: web::Data<AppState>,
    chosen: Chosen,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let campaign = campaign_of(&state, &slug).await.in_lang(lang)?;
    let from = parse_day(req.query_string(), "from").in_lang(lang)?;
    let to = parse_day(req.query_string(), "to").in_lang(lang)?;
    let everyone = by.user.role.allows(Role::Moderator);
    let (campaigns, teams, name, id) = (
        state.campaigns.clone(),
        state.teams.clone(),
        by.name().to_owned(),
        campaign.id,
    );
    let credits = crate::web::blocking(move || {
        let led: Vec<i64> = if everyone {
            Vec::new()
        } else {
            teams
                .of_user(&name)?
                .into_iter()
                .filter(|(_, m)| m.leader && m.status == MemberStatus::Active)
                .map(|(t, _)| t.id)
                .collect()
        };
        if !everyone && led.is_empty() {
            return Ok(Vec::new());
        }
        let query = CreditQuery {
            campaign: Some(id),
            teams: led,
            from,
            to,
        };
        Ok::<_, WebError>(campaigns.credits(&query)?)
    })
    .await
    .in_lang(lang)?;
    let range = format!(
        "{}_{}",
        from.map(|d| d.to_string())
            .unwrap_or_else(|| "start".into()),
        to.map(|d| d.to_string()).unwrap_or_else(|| "today".into())
    );
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((CACHE_CONTROL, "private, no-store"))
        .insert_header((
            CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"{}-contributions-{range}.csv\"",
                campaign.slug
            ),
        ))
        .body(credits_csv(&credits, &campaign.slug)))
}
