//! A volunteer's side of a campaign: `GET /campaigns/{c}/tasks` lists the tasks nearest first
//! (from the position the "use my location" button or a typed `lat,lon` gives) on a list and a
//! map, `GET /campaigns/{c}/tasks/{site}` is one task with what its site lacks and its history,
//! and the forms claim, release and (for leaders) assign it. A claim lost to someone faster
//! comes back as the task's page saying who has it (409), never as a silent failure.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::Serialize;

use super::charts::{self, Fit, MapView, Spot};
use super::{EventRow, campaign_of, event_rows, lack_labels, url};
use crate::accounts::User;
use crate::campaigns::tasks::{Showing, TaskView};
use crate::campaigns::{Campaign, CampaignError, TaskState};
use crate::teams::MemberStatus;
use crate::web::auth::{LeaderRole, Posted, Volunteer, VolunteerRole};
use crate::web::error::{InLang, PageError, WebError};
use crate::web::i18n::{Chosen, Labels, Lang, url_param};
use crate::web::moderate::needs_help::parse_near;
use crate::web::render::{private_page, see_other, with_param};
use crate::web::state::AppState;
use crate::web::views::{distance_text, local_time, site_url};

/// Tasks per page of the list.
const PER_PAGE: usize = 20;

#[derive(Serialize)]
struct TasksPage {
    title: String,
    campaign_url: String,
    action: String,
    csrf: String,
    near: String,
    near_error: bool,
    show_all: bool,
    /// Why this volunteer cannot take tasks, when they cannot.
    cannot: Option<String>,
    items: Vec<TaskRow>,
    total: usize,
    first: usize,
    previous: Option<String>,
    next: Option<String>,
    map: Option<MapView>,
    you: Option<(f64, f64)>,
    propose_url: String,
}

#[derive(Serialize)]
struct TaskRow {
    n: usize,
    name: String,
    url: String,
    commune: Option<String>,
    distance: Option<String>,
    lacks: Vec<&'static str>,
    done: bool,
    state: &'static str,
    state_label: &'static str,
    holder: Option<String>,
    claim_action: Option<String>,
}

fn state_label(state: TaskState, done: bool, t: &'static Labels) -> &'static str {
    match state {
        _ if done && state == TaskState::Open => t.task_done,
        TaskState::Open => t.task_open,
        TaskState::Claimed => t.task_claimed,
        TaskState::Review => t.task_review,
        TaskState::Withdrawn => t.task_withdrawn,
        TaskState::Gone => t.task_gone,
    }
}

fn commune_name(view: &TaskView) -> Option<String> {
    view.site
        .commune
        .as_deref()
        .and_then(crate::teams::communes::by_code)
        .map(|c| c.label())
}

/// `GET /campaigns/{c}/tasks?near=lat,lon&show=all&page=N`.
pub async fn list(
    req: HttpRequest,
    by: Volunteer,
    state: web::Data<AppState>,
    chosen: Chosen,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let t = lang.labels();
    let campaign = campaign_of(&state, &slug).await.in_lang(lang)?;
    let query = req.query_string();
    let near_text = url_param(query, "near").unwrap_or_default();
    let near = parse_near(&near_text);
    let show_all = url_param(query, "show").as_deref() == Some("all");
    let page: usize = url_param(query, "page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .clamp(1, 10_000);
    let showing = if show_all {
        Showing::Live
    } else {
        Showing::Claimable
    };
    let offset = (page - 1) * PER_PAGE;
    let (campaigns, c, user) = (state.campaigns.clone(), campaign.clone(), by.user.clone());
    let now = Utc::now();
    let (found, cannot) = crate::web::blocking(move || {
        campaigns.expire_claims(now)?;
        let found = campaigns.tasks(&c, near, None, showing, offset, PER_PAGE)?;
        let cannot = campaigns.may_take_part(&c, &user, now).err();
        Ok::<_, CampaignError>((found, cannot))
    })
    .await
    .in_lang(lang)?;
    let csrf = by.csrf().to_owned();
    let items: Vec<TaskRow> = found
        .items
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let claimable = v.task.state == TaskState::Open && !v.done && cannot.is_none();
            TaskRow {
                n: offset + i + 1,
                name: v.site.name.clone(),
                url: url(&campaign.slug, &format!("/tasks/{}", v.site.id), lang),
                commune: commune_name(v),
                distance: v.distance_km.map(distance_text),
                lacks: lack_labels(&v.lacks, t),
                done: v.done,
                state: v.task.state.code(),
                state_label: state_label(v.task.state, v.done, t),
                holder: v.task.holder.clone(),
                claim_action: claimable
                    .then(|| url(&campaign.slug, &format!("/tasks/{}/claim", v.site.id), lang)),
            }
        })
        .collect();
    let page_url = |p: usize| {
        let mut params = vec![("page", p.to_string())];
        if !near_text.is_empty() {
            params.push(("near", near_text.clone()));
        }
        if show_all {
            params.push(("show", "all".into()));
        }
        with_param(
            &url(&campaign.slug, "/tasks", lang),
            &serde_urlencoded::to_string(&params).unwrap_or_default(),
        )
    };
    let body = TasksPage {
        title: campaign.title.clone(),
        campaign_url: url(&campaign.slug, "", lang),
        action: format!("/campaigns/{}/tasks", campaign.slug),
        csrf,
        near_error: !near_text.trim().is_empty() && near.is_none(),
        near: near_text.clone(),
        show_all,
        cannot: cannot.map(|e| WebError::Campaigns(e).message(lang)),
        map: tasks_map(&found.items, near),
        you: near,
        items,
        total: found.total,
        first: offset + 1,
        previous: (page > 1).then(|| page_url(page - 1)),
        next: (offset + PER_PAGE < found.total).then(|| page_url(page + 1)),
        propose_url: with_param(
            &with_param(
                "/contribute/new",
                &serde_urlencoded::to_string([("campaign", campaign.slug.as_str())])
                    .unwrap_or_default(),
            ),
            lang.link_param(),
        ),
    };
    let title = format!("{} · {}", t.tasks_title, campaign.title);
    private_page("campaign_tasks.html", lang, &title, &body)
}

/// The listed tasks (numbered as in the list) and the volunteer's position on a map.
fn tasks_map(items: &[TaskView], you: Option<(f64, f64)>) -> Option<MapView> {
    let mut points: Vec<(f64, f64)> = items.iter().filter_map(|v| v.site.position()).collect();
    points.extend(you);
    let fit = Fit::of(&points, 600.0, 0.02)?;
    let spots = items
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let (lat, lon) = v.site.position()?;
            let (x, y) = fit.project(lat, lon);
            Some(Spot {
                x: (x * 10.0).round() / 10.0,
                y: (y * 10.0).round() / 10.0,
                r: 9.0,
                class: if v.done {
                    "p5"
                } else if v.task.state == TaskState::Open {
                    "p0"
                } else {
                    "p2"
                },
                title: format!("{}. {}", i + 1, v.site.name),
                href: format!("#t-{}", i + 1),
            })
        })
        .collect();
    let mut map = MapView {
        width: fit.width as u32,
        height: fit.height as u32,
        ground: charts::ground(&fit),
        spots,
    };
    if let Some((lat, lon)) = you {
        let (x, y) = fit.project(lat, lon);
        map.spots.push(Spot {
            x: (x * 10.0).round() / 10.0,
            y: (y * 10.0).round() / 10.0,
            r: 6.0,
            class: "you",
            title: String::new(),
            href: String::new(),
        });
    }
    Some(map)
}

#[derive(Serialize)]
struct TaskPage {
    campaign: String,
    campaign_url: String,
    tasks_url: String,
    csrf: String,
    name: String,
    site_url: String,
    commune: Option<String>,
    lacks: Vec<&'static str>,
    done: bool,
    state: &'static str,
    state_label: &'static str,
    holder: Option<String>,
    expires: Option<String>,
    assigned_by: Option<String>,
    note: Option<String>,
    is_holder: bool,
    claim_action: Option<String>,
    release_action: Option<String>,
    photos_url: String,
    correct_url: String,
    assign: Option<AssignForm>,
    events: Vec<EventRow>,
    notice: Option<&'static str>,
    error: Option<String>,
}

#[derive(Serialize)]
struct AssignForm {
    action: String,
    members: Vec<String>,
}

/// `GET /campaigns/{c}/tasks/{site}`.
pub async fn show(
    req: HttpRequest,
    by: Volunteer,
    state: web::Data<AppState>,
    chosen: Chosen,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let (slug, site) = path.into_inner();
    let campaign = campaign_of(&state, &slug).await.in_lang(lang)?;
    let t = lang.labels();
    let notice = match url_param(req.query_string(), "done").as_deref() {
        Some("claimed") => Some(t.claimed_notice),
        Some("assigned") => Some(t.assigned_notice),
        _ => None,
    };
    render(
        &state,
        &by.user,
        by.csrf(),
        &campaign,
        &site,
        lang,
        notice,
        None,
        StatusCode::OK,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn render(
    state: &AppState,
    user: &User,
    csrf: &str,
    campaign: &Campaign,
    site: &str,
    lang: Lang,
    notice: Option<&'static str>,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let t = lang.labels();
    let (campaigns, teams, c, s, u) = (
        state.campaigns.clone(),
        state.teams.clone(),
        campaign.clone(),
        site.to_owned(),
        user.clone(),
    );
    let now = Utc::now();
    let (view, events, cannot, members) = crate::web::blocking(move || {
        campaigns.expire_claims(now)?;
        let (view, events) = campaigns.task(&c, &s)?;
        let cannot = campaigns.may_take_part(&c, &u, now).err();
        let members = assignable(&teams, &c, &u)?;
        Ok::<_, WebError>((view, events, cannot, members))
    })
    .await
    .in_lang(lang)?;
    let task = &view.task;
    let is_holder = task.holder.as_deref() == Some(user.name.as_str());
    let id = &view.site.id;
    let claimable = task.state == TaskState::Open && !view.done && cannot.is_none();
    let body = TaskPage {
        campaign: campaign.title.clone(),
        campaign_url: url(&campaign.slug, "", lang),
        tasks_url: url(&campaign.slug, "/tasks", lang),
        csrf: csrf.to_owned(),
        name: view.site.name.clone(),
        site_url: site_url(id, lang),
        commune: commune_name(&view),
        lacks: lack_labels(&view.lacks, t),
        done: view.done,
        state: task.state.code(),
        state_label: state_label(task.state, view.done, t),
        holder: task.holder.clone(),
        expires: task.expires.map(local_time),
        assigned_by: task.assigned_by.clone(),
        note: task.note.clone(),
        is_holder,
        claim_action: claimable.then(|| url(&campaign.slug, &format!("/tasks/{id}/claim"), lang)),
        release_action: (task.state == TaskState::Claimed && (is_holder || !members.is_empty()))
            .then(|| url(&campaign.slug, &format!("/tasks/{id}/release"), lang)),
        photos_url: with_param(&format!("/contribute/photos/{id}"), lang.link_param()),
        correct_url: with_param(&format!("/contribute/correct/{id}"), lang.link_param()),
        assign: (!members.is_empty() && task.state == TaskState::Open && !view.done).then(|| {
            AssignForm {
                action: url(&campaign.slug, &format!("/tasks/{id}/assign"), lang),
                members,
            }
        }),
        events: event_rows(&events, lang),
        notice,
        error: error.or_else(|| {
            (task.state == TaskState::Open && !view.done)
                .then_some(cannot)
                .flatten()
                .map(|e| WebError::Campaigns(e).message(lang))
        }),
    };
    let title = format!("{} · {}", view.site.name, campaign.title);
    let mut response = private_page("campaign_task.html", lang, &title, &body)?;
    *response.status_mut() = status;
    Ok(response)
}

/// The members a leader may give tasks to in this campaign: active members of the teams they
/// lead that take part. Empty for everyone else.
fn assignable(
    teams: &crate::teams::Teams,
    campaign: &Campaign,
    user: &User,
) -> Result<Vec<String>, WebError> {
    if !user.role.allows(crate::accounts::Role::Leader) {
        return Ok(Vec::new());
    }
    let mut members = Vec::new();
    for (team, membership) in teams.of_user(&user.name)? {
        let leads = membership.leader && membership.status == MemberStatus::Active;
        let takes_part = campaign.teams.is_empty() || campaign.teams.contains(&team.id);
        if !(leads && takes_part) {
            continue;
        }
        for m in teams.members(team.id)? {
            if m.status == MemberStatus::Active && !members.contains(&m.user) {
                members.push(m.user);
            }
        }
    }
    members.sort();
    Ok(members)
}

/// `POST /campaigns/{c}/tasks/{site}/claim`.
pub async fn claim(
    posted: Posted<VolunteerRole>,
    state: web::Data<AppState>,
    chosen: Chosen,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let (slug, site) = path.into_inner();
    let campaign = campaign_of(&state, &slug).await.in_lang(lang)?;
    let (campaigns, c, s, user) = (
        state.campaigns.clone(),
        campaign.clone(),
        site.clone(),
        posted.by.user.clone(),
    );
    let result = crate::web::blocking(move || campaigns.claim(&c, &s, &user, Utc::now())).await;
    finish(
        &state, &posted.by, &campaign, &site, lang, result, "claimed",
    )
    .await
}

/// `POST /campaigns/{c}/tasks/{site}/release`: by its holder, or a leader of the holder.
pub async fn release(
    posted: Posted<VolunteerRole>,
    state: web::Data<AppState>,
    chosen: Chosen,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let (slug, site) = path.into_inner();
    let campaign = campaign_of(&state, &slug).await.in_lang(lang)?;
    let (campaigns, c, s, user) = (
        state.campaigns.clone(),
        campaign.clone(),
        site.clone(),
        posted.by.user.clone(),
    );
    match crate::web::blocking(move || campaigns.release(&c, &s, &user, Utc::now())).await {
        Ok(()) => Ok(see_other(url(&slug, "/tasks", lang))),
        Err(e) => refused(&state, &posted.by, &campaign, &site, lang, e).await,
    }
}

/// `POST /campaigns/{c}/tasks/{site}/assign` (leaders): field `user`.
pub async fn assign(
    posted: Posted<LeaderRole>,
    state: web::Data<AppState>,
    chosen: Chosen,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let (slug, site) = path.into_inner();
    let campaign = campaign_of(&state, &slug).await.in_lang(lang)?;
    let to = posted.fields.get("user").unwrap_or_default().to_owned();
    let (campaigns, c, s, user) = (
        state.campaigns.clone(),
        campaign.clone(),
        site.clone(),
        posted.by.user.clone(),
    );
    let result =
        crate::web::blocking(move || campaigns.assign(&c, &s, &to, &user, Utc::now())).await;
    match result {
        Ok(_) => Ok(see_other(with_param(
            &url(&slug, &format!("/tasks/{site}"), lang),
            "done=assigned",
        ))),
        Err(e) => {
            let user = &posted.by.user;
            let page = render(
                &state,
                user,
                posted.by.csrf(),
                &campaign,
                &site,
                lang,
                None,
                Some(e.message(lang)),
                e.status(),
            );
            match page.await {
                Ok(page) => Ok(page),
                Err(_) => Err(e).in_lang(lang),
            }
        }
    }
}

async fn finish<R>(
    state: &AppState,
    by: &crate::web::auth::Signed<R>,
    campaign: &Campaign,
    site: &str,
    lang: Lang,
    result: Result<crate::campaigns::Task, WebError>,
    done: &str,
) -> Result<HttpResponse, PageError> {
    match result {
        Ok(_) => Ok(see_other(with_param(
            &url(&campaign.slug, &format!("/tasks/{site}"), lang),
            &format!("done={done}"),
        ))),
        Err(e) => refused(state, by, campaign, site, lang, e).await,
    }
}

/// The task's page again with why the action was refused (a lost claim: who has it).
async fn refused<R>(
    state: &AppState,
    by: &crate::web::auth::Signed<R>,
    campaign: &Campaign,
    site: &str,
    lang: Lang,
    error: WebError,
) -> Result<HttpResponse, PageError> {
    if matches!(error, WebError::Campaigns(CampaignError::NoSuchTask { .. }))
        || error.status().is_server_error()
    {
        return Err(error).in_lang(lang);
    }
    let status = error.status();
    render(
        state,
        &by.user,
        by.csrf(),
        campaign,
        site,
        lang,
        None,
        Some(error.message(lang)),
        status,
    )
    .await
}
