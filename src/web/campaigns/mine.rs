//! `GET /my-tasks`: the volunteer's own page — their teams, the campaigns they can work in,
//! the tasks they hold (with when each claim ends), work waiting for review, approved, and
//! rejected with the moderator's reason, and what others did to their tasks and teams (an
//! expired claim, a removal, a site that left the archive). Leaders and moderators also find
//! their tools here.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Serialize;

use super::{EventRow, event_rows, url};
use crate::accounts::Role;
use crate::campaigns::ledger::{MyWork, Sent};
use crate::teams::MemberStatus;
use crate::web::auth::Volunteer;
use crate::web::error::{InLang, PageError, WebError};
use crate::web::i18n::{Chosen, Labels, Lang};
use crate::web::render::private_page;
use crate::web::state::AppState;
use crate::web::views::{local_time, site_url};

#[derive(Serialize)]
struct MyTasksPage {
    user_name: String,
    is_leader: bool,
    is_moderator: bool,
    teams: Vec<TeamRow>,
    campaigns: Vec<CampaignRow>,
    held: Vec<HeldRow>,
    waiting: Vec<SentRow>,
    approved: Vec<SentRow>,
    rejected: Vec<SentRow>,
    notices: Vec<EventRow>,
}

#[derive(Serialize)]
struct TeamRow {
    name: String,
    url: String,
    status: &'static str,
    leader: bool,
}

#[derive(Serialize)]
struct CampaignRow {
    title: String,
    url: String,
    tasks_url: String,
    edit_url: Option<String>,
    running: bool,
}

#[derive(Serialize)]
struct HeldRow {
    campaign: String,
    name: String,
    url: String,
    state: String,
    state_label: &'static str,
    expires: Option<String>,
    assigned_by: Option<String>,
}

#[derive(Serialize)]
struct SentRow {
    campaign: String,
    name: String,
    site_url: Option<String>,
    submission_url: String,
    kind: &'static str,
    created: String,
    decided: Option<String>,
    reason: Option<String>,
}

fn sent_row(s: &Sent, lang: Lang, t: &'static Labels) -> SentRow {
    SentRow {
        campaign: s.campaign_title.clone(),
        name: s
            .site_name
            .clone()
            .or_else(|| s.site.clone())
            .unwrap_or_else(|| t.kind_new_site.to_owned()),
        site_url: s
            .site
            .as_deref()
            .filter(|_| s.status != "rejected")
            .map(|id| site_url(id, lang)),
        submission_url: crate::web::contribute::submission_url(&s.submission, lang),
        kind: match s.kind.as_str() {
            "new_site" => t.kind_new_site,
            "photos" => t.kind_photos,
            _ => t.kind_correction,
        },
        created: local_time(s.created),
        decided: s.decided.map(local_time),
        reason: s.reason.clone(),
    }
}

/// `GET /my-tasks`.
pub async fn page(
    by: Volunteer,
    state: web::Data<AppState>,
    chosen: Chosen,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let t = lang.labels();
    let (campaigns, teams, name) = (
        state.campaigns.clone(),
        state.teams.clone(),
        by.name().to_owned(),
    );
    let is_moderator = by.user.role.allows(Role::Moderator);
    let (work, memberships, all) = crate::web::blocking(move || {
        let now = Utc::now();
        campaigns.expire_claims(now)?;
        let work: MyWork = campaigns.mine(&name)?;
        let memberships = teams.of_user(&name)?;
        let all = campaigns.list()?;
        Ok::<_, WebError>((work, memberships, all))
    })
    .await
    .in_lang(lang)?;
    let active: Vec<i64> = memberships
        .iter()
        .filter(|(_, m)| m.status == MemberStatus::Active)
        .map(|(team, _)| team.id)
        .collect();
    let today = crate::private_db::day_of(Utc::now());
    let campaigns = all
        .iter()
        .filter(|c| {
            is_moderator || c.teams.is_empty() || c.teams.iter().any(|t| active.contains(t))
        })
        .map(|c| CampaignRow {
            title: c.title.clone(),
            url: url(&c.slug, "", lang),
            tasks_url: url(&c.slug, "/tasks", lang),
            edit_url: is_moderator.then(|| url(&c.slug, "/edit", lang)),
            running: c.runs_on(today),
        })
        .collect();
    let teams = memberships
        .iter()
        .filter(|(_, m)| m.status != MemberStatus::Removed)
        .map(|(team, m)| TeamRow {
            name: team.name.clone(),
            url: if m.leader && m.status == MemberStatus::Active {
                crate::web::teams::manage_url(&team.slug, lang)
            } else {
                crate::web::teams::public_url(&team.slug, lang)
            },
            status: match m.status {
                MemberStatus::Pending => t.member_pending,
                _ if m.leader => t.team_leader,
                _ => t.member_active,
            },
            leader: m.leader,
        })
        .collect();
    let held = work
        .held
        .iter()
        .map(|h| HeldRow {
            campaign: h.campaign_title.clone(),
            name: h.site.name.clone(),
            url: url(&h.campaign, &format!("/tasks/{}", h.site.id), lang),
            state_label: if h.state == "review" {
                t.task_review
            } else {
                t.task_claimed
            },
            state: h.state.clone(),
            expires: h.expires.filter(|_| h.state == "claimed").map(local_time),
            assigned_by: h.assigned_by.clone(),
        })
        .collect();
    let of = |status: &str| -> Vec<SentRow> {
        work.sent
            .iter()
            .filter(|s| s.status == status)
            .map(|s| sent_row(s, lang, t))
            .collect()
    };
    let body = MyTasksPage {
        user_name: by.name().to_owned(),
        is_leader: by.user.role.allows(Role::Leader),
        is_moderator,
        teams,
        campaigns,
        held,
        waiting: of("pending"),
        approved: of("approved"),
        rejected: of("rejected"),
        notices: event_rows(&work.notices, lang),
    };
    private_page("my_tasks.html", lang, t.my_tasks_title, &body)
}
