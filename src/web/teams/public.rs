//! `GET /teams/{team}`: a team's public page — its name, its communes and the work of its
//! members that moderators approved. Nothing private: no member list, no invitations.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use crate::web::campaigns::{CreditRow, credit_rows};
use crate::web::error::{InLang, PageError, WebError};
use crate::web::i18n::Chosen;
use crate::web::render::{Frame, html, page};
use crate::web::state::AppState;

/// How much recent work the page lists.
const SHOWN: usize = 50;

#[derive(Serialize)]
struct TeamPage {
    name: String,
    communes: Vec<String>,
    work: Vec<CreditRow>,
    photos: u32,
    sites: usize,
}

/// `GET /teams/{team}`.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    chosen: Chosen,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let t = lang.labels();
    let (teams, campaigns, slug) = (state.teams.clone(), state.campaigns.clone(), slug.clone());
    let (team, work) = crate::web::blocking(move || {
        let team = teams.by_slug(&slug)?;
        let work = campaigns.team_work(team.id, SHOWN)?;
        Ok::<_, WebError>((team, work))
    })
    .await
    .in_lang(lang)?;
    let mut sites: Vec<&str> = work.iter().map(|c| c.site.as_str()).collect();
    sites.sort_unstable();
    sites.dedup();
    let body = TeamPage {
        name: team.name.clone(),
        communes: team.communes.iter().map(|c| c.label()).collect(),
        photos: work.iter().map(|c| c.photos).sum(),
        sites: sites.len(),
        work: credit_rows(&work, lang),
    };
    let mut frame = Frame::new(
        &req,
        &state,
        lang,
        format!("{} · {}", team.name, t.site_name),
    );
    frame.description = format!("{} — {}", t.team_public_intro, team.name);
    frame.extra_css = Some(crate::web::assets::url("campaign.css"));
    let text = page("team.html", &frame, &body).in_lang(lang)?;
    Ok(html(&req, chosen, text, None))
}
