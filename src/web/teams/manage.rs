//! A leader's pages: `GET /teams` (my teams, and a new one), `POST /teams`, and
//! `GET /teams/{team}/manage` with its forms — the team's communes, members waiting for
//! confirmation, removing a member (their claims are released, their sent work stays), the
//! invitations with their QR codes, and the team's history.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::Serialize;

use super::{led_team, manage_url, public_url};
use crate::accounts::Role;
use crate::admin_units::units;
use crate::teams::{InvitationState, MemberStatus, Team, TeamError};
use crate::web::auth::{Leader, LeaderRole, Posted};
use crate::web::campaigns::{EventRow, event_rows};
use crate::web::contribute::site_form::Choice;
use crate::web::error::{InLang, PageError, WebError};
use crate::web::i18n::{Chosen, Lang, url_param};
use crate::web::render::{private_page, see_other, with_param};
use crate::web::state::AppState;

#[derive(Serialize)]
struct TeamsPage {
    csrf: String,
    is_moderator: bool,
    teams: Vec<TeamRow>,
    /// For moderators: the filter over every team.
    query: String,
    form: NewTeamForm,
}

#[derive(Serialize)]
struct TeamRow {
    name: String,
    url: String,
    public_url: String,
    communes: String,
    leader: bool,
}

#[derive(Serialize, Default)]
struct NewTeamForm {
    name: String,
    communes: String,
    provinces: Vec<Choice>,
    confirm: bool,
    error: Option<String>,
}

/// How many teams a moderator's list shows at once.
const LISTED: usize = 100;

fn provinces(selected: &str) -> Vec<Choice> {
    let mut list: Vec<Choice> = units()
        .provinces()
        .iter()
        .map(|p| Choice {
            value: p.short.clone(),
            label: p.name.clone(),
            selected: p.short == selected,
        })
        .collect();
    list.sort_by_key(|c| crate::fold::key(&c.value));
    list
}

fn row(team: &Team, leader: bool, lang: Lang) -> TeamRow {
    TeamRow {
        name: team.name.clone(),
        url: manage_url(&team.slug, lang),
        public_url: public_url(&team.slug, lang),
        communes: communes_text(team),
        leader,
    }
}

fn communes_text(team: &Team) -> String {
    team.communes
        .iter()
        .map(|c| c.label())
        .collect::<Vec<_>>()
        .join("; ")
}

/// `GET /teams`.
pub async fn list(
    req: HttpRequest,
    by: Leader,
    state: web::Data<AppState>,
    chosen: Chosen,
) -> Result<HttpResponse, PageError> {
    let query = url_param(req.query_string(), "q").unwrap_or_default();
    render_list(
        &state,
        &by,
        chosen.lang,
        &query,
        NewTeamForm::default(),
        StatusCode::OK,
    )
    .await
}

async fn render_list(
    state: &AppState,
    by: &Leader,
    lang: Lang,
    query: &str,
    mut form: NewTeamForm,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let is_moderator = by.user.role.allows(Role::Moderator);
    let (teams, name, q) = (state.teams.clone(), by.name().to_owned(), query.to_owned());
    let rows = crate::web::blocking(move || {
        let mine = teams.of_user(&name)?;
        let mut rows: Vec<(Team, bool)> = mine
            .into_iter()
            .filter(|(_, m)| m.status == MemberStatus::Active)
            .map(|(t, m)| (t, m.leader))
            .collect();
        if is_moderator {
            let key = crate::fold::key(&q);
            for team in teams.list()? {
                if rows.len() >= LISTED {
                    break;
                }
                let listed = rows.iter().any(|(t, _)| t.id == team.id);
                if !listed && (key.is_empty() || crate::fold::key(&team.name).contains(&key)) {
                    rows.push((team, true));
                }
            }
        }
        Ok::<_, TeamError>(rows)
    })
    .await
    .in_lang(lang)?;
    if form.provinces.is_empty() {
        form.provinces = provinces("");
    }
    let body = TeamsPage {
        csrf: by.csrf().to_owned(),
        is_moderator,
        teams: rows.iter().map(|(t, l)| row(t, *l, lang)).collect(),
        query: query.to_owned(),
        form,
    };
    let mut response = private_page("teams.html", lang, lang.labels().teams_title, &body)?;
    *response.status_mut() = status;
    Ok(response)
}

/// `POST /teams`: a new team led by the poster.
pub async fn create(
    posted: Posted<LeaderRole>,
    state: web::Data<AppState>,
    chosen: Chosen,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let f = &posted.fields;
    let name = f.get("name").unwrap_or_default().to_owned();
    let communes_text = f.get("communes").unwrap_or_default().to_owned();
    let province = f.get("province").unwrap_or_default().to_owned();
    let confirm = f.get("confirm").is_some();
    let lines: Vec<String> = communes_text.lines().map(str::to_owned).collect();
    let (teams, user, p) = (
        state.teams.clone(),
        posted.by.user.clone(),
        province.clone(),
    );
    let (n, l) = (name.clone(), lines.clone());
    let created = crate::web::blocking(move || {
        let province = Some(p.as_str()).filter(|p| !p.is_empty());
        teams.create(&n, &l, province, confirm, &user, Utc::now())
    })
    .await;
    match created {
        Ok(team) => Ok(see_other(manage_url(&team.slug, lang))),
        Err(WebError::Teams(e)) if is_form_error(&e) => {
            let form = NewTeamForm {
                name,
                communes: communes_text,
                provinces: provinces(&province),
                confirm,
                error: Some(WebError::Teams(e).message(lang)),
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render_list(&state, &posted.by, lang, "", form, status).await
        }
        Err(other) => Err(other).in_lang(lang),
    }
}

fn is_form_error(e: &TeamError) -> bool {
    matches!(
        e,
        TeamError::NameTaken { .. }
            | TeamError::BadName { .. }
            | TeamError::UnknownCommune { .. }
            | TeamError::Invalid { .. }
    )
}

#[derive(Serialize)]
struct ManagePage {
    name: String,
    slug: String,
    public_url: String,
    csrf: String,
    confirm_joins: bool,
    communes: Vec<String>,
    communes_text: String,
    provinces: Vec<Choice>,
    members: Vec<MemberRow>,
    pending: usize,
    invitations: Vec<super::invitations::InvitationRow>,
    /// The invitation just made, shown first with its QR code.
    fresh: Option<i64>,
    events: Vec<EventRow>,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Serialize)]
struct MemberRow {
    user: String,
    leader: bool,
    status: &'static str,
    status_label: &'static str,
    since: String,
    confirm_action: Option<String>,
    remove_action: Option<String>,
}

/// What a form on the manage page sent, to show again.
#[derive(Default)]
pub struct Outcome {
    pub notice: Option<String>,
    pub error: Option<String>,
    pub communes_text: Option<String>,
    pub fresh: Option<i64>,
}

/// `GET /teams/{team}/manage`.
pub async fn manage(
    req: HttpRequest,
    by: Leader,
    state: web::Data<AppState>,
    chosen: Chosen,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let t = lang.labels();
    let team = led_team(&state, &slug, &by.user).await.in_lang(lang)?;
    let query = req.query_string();
    let notice = match url_param(query, "done").as_deref() {
        Some("removed") => Some(format!(
            "{} {}",
            t.member_removed_notice,
            url_param(query, "released").unwrap_or_else(|| "0".into())
        )),
        Some("confirmed") => Some(t.member_confirmed_notice.to_owned()),
        Some("communes") => Some(t.communes_saved_notice.to_owned()),
        Some("revoked") => Some(t.invitation_revoked_notice.to_owned()),
        _ => None,
    };
    let outcome = Outcome {
        notice,
        fresh: url_param(query, "invitation").and_then(|i| i.parse().ok()),
        ..Outcome::default()
    };
    render(&req, &state, &by, &team, lang, outcome, StatusCode::OK).await
}

/// Renders the manage page of `team` with the outcome of a form.
pub async fn render(
    req: &HttpRequest,
    state: &AppState,
    by: &Leader,
    team: &Team,
    lang: Lang,
    outcome: Outcome,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let t = lang.labels();
    let (teams, id) = (state.teams.clone(), team.id);
    let (members, invitations, events) = crate::web::blocking(move || {
        Ok::<_, TeamError>((
            teams.members(id)?,
            teams.invitations(id)?,
            teams.events(id, 50)?,
        ))
    })
    .await
    .in_lang(lang)?;
    let action = |what: &str, user: &str| {
        let user = crate::web::views::path_segment(user);
        with_param(
            &format!("/teams/{}/members/{user}/{what}", team.slug),
            lang.link_param(),
        )
    };
    let now = Utc::now();
    let origin = state.origin(req);
    let rows: Vec<MemberRow> = members
        .iter()
        .filter(|m| m.status != MemberStatus::Removed)
        .map(|m| MemberRow {
            user: m.user.clone(),
            leader: m.leader,
            status: match m.status {
                MemberStatus::Active => "active",
                MemberStatus::Pending => "pending",
                MemberStatus::Removed => "removed",
            },
            status_label: match m.status {
                MemberStatus::Active => t.member_active,
                MemberStatus::Pending => t.member_pending,
                MemberStatus::Removed => t.member_removed,
            },
            since: crate::web::views::local_time(m.since),
            confirm_action: (m.status == MemberStatus::Pending).then(|| action("confirm", &m.user)),
            remove_action: (m.user != by.name()).then(|| action("remove", &m.user)),
        })
        .collect();
    let province = team
        .communes
        .first()
        .map(|c| c.province.clone())
        .unwrap_or_default();
    let body = ManagePage {
        name: team.name.clone(),
        slug: team.slug.clone(),
        public_url: public_url(&team.slug, lang),
        csrf: by.csrf().to_owned(),
        confirm_joins: team.confirm_joins,
        communes: team.communes.iter().map(|c| c.label()).collect(),
        communes_text: outcome.communes_text.unwrap_or_else(|| {
            team.communes
                .iter()
                .map(|c| c.name.clone())
                .collect::<Vec<_>>()
                .join("\n")
        }),
        provinces: provinces(&province),
        pending: rows.iter().filter(|m| m.status == "pending").count(),
        members: rows,
        invitations: invitations
            .iter()
            .filter(|i| i.state(now) == InvitationState::Open || Some(i.id) == outcome.fresh)
            .map(|i| super::invitations::InvitationRow::of(i, team, &origin, lang, now))
            .collect(),
        fresh: outcome.fresh,
        events: event_rows(&events, lang),
        notice: outcome.notice,
        error: outcome.error,
    };
    let title = format!("{} · {}", t.manage_team_title, team.name);
    let mut response = private_page("team_manage.html", lang, &title, &body)?;
    *response.status_mut() = status;
    Ok(response)
}

/// `POST /teams/{team}/communes`.
pub async fn set_communes(
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
    let text = posted.fields.get("communes").unwrap_or_default().to_owned();
    let province = posted.fields.get("province").unwrap_or_default().to_owned();
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let (teams, user, current) = (state.teams.clone(), posted.by.user.clone(), team.clone());
    let campaigns = state.campaigns.clone();
    let result = crate::web::blocking(move || {
        let province = Some(province.as_str()).filter(|p| !p.is_empty());
        let now = Utc::now();
        let team = teams.set_communes(&current, &lines, province, &user, now)?;
        // The team's figures follow its communes.
        campaigns.team_changed(team.id, now)?;
        Ok::<_, WebError>(team)
    })
    .await;
    match result {
        Ok(_) => Ok(see_other(format!(
            "{}#communes",
            with_param(&manage_url(&team.slug, lang), "done=communes")
        ))),
        Err(WebError::Teams(e)) if is_form_error(&e) => {
            let outcome = Outcome {
                error: Some(WebError::Teams(e).message(lang)),
                communes_text: Some(text),
                ..Outcome::default()
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render(&req, &state, &posted.by, &team, lang, outcome, status).await
        }
        Err(other) => Err(other).in_lang(lang),
    }
}

/// `POST /teams/{team}/members/{user}/confirm`.
pub async fn confirm(
    posted: Posted<LeaderRole>,
    state: web::Data<AppState>,
    chosen: Chosen,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let (slug, member) = path.into_inner();
    let team = led_team(&state, &slug, &posted.by.user)
        .await
        .in_lang(lang)?;
    let (teams, user) = (state.teams.clone(), posted.by.user.clone());
    crate::web::blocking(move || teams.confirm(&team, &member, &user, Utc::now()))
        .await
        .in_lang(lang)?;
    Ok(see_other(with_param(
        &manage_url(&slug, lang),
        "done=confirmed",
    )))
}

/// `POST /teams/{team}/members/{user}/remove`: the member's claims in campaigns they no longer
/// take part in are released; what they sent stays with the moderators.
pub async fn remove(
    posted: Posted<LeaderRole>,
    state: web::Data<AppState>,
    chosen: Chosen,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let (slug, member) = path.into_inner();
    let team = led_team(&state, &slug, &posted.by.user)
        .await
        .in_lang(lang)?;
    let (campaigns, user) = (state.campaigns.clone(), posted.by.user.clone());
    let released =
        crate::web::blocking(move || campaigns.remove_member(&team, &member, &user, Utc::now()))
            .await
            .in_lang(lang)?;
    Ok(see_other(with_param(
        &manage_url(&slug, lang),
        &format!("done=removed&released={released}"),
    )))
}
