//! Campaigns on the web: the public progress pages, the volunteers' task lists, the
//! moderators' forms and the reports.
//!
//! - [`public`] — `GET /campaigns`, `GET /campaigns/{c}` (completion by commune and by team, a
//!   map of the communes coloured by completion, a progress chart, recent approved work with
//!   credits — all server-rendered, no script needed) and `figures.csv` for any past day;
//! - [`charts`] — the SVG progress chart and the maps, drawn from figures and coordinates;
//! - [`tasks`] — `GET /campaigns/{c}/tasks` (nearest first, on a list and a map), a task's page,
//!   and the claim, release and assign forms;
//! - [`mine`] — `GET /my-tasks`: a volunteer's tasks, work waiting, approved and rejected with
//!   the reasons, and what others changed;
//! - [`edit`] — making and changing a campaign (moderators);
//! - [`reports`] — `contributions.csv`: each volunteer's approved work over a date range.

pub mod charts;
pub mod edit;
pub mod mine;
pub mod public;
pub mod reports;
pub mod tasks;

use serde::Serialize;

use crate::campaigns::{Campaign, CampaignError, Lack, Tally, ledger::Credit};
use crate::private_db::Event;
use crate::web::error::WebError;
use crate::web::i18n::{Labels, Lang};
use crate::web::render::with_param;
use crate::web::state::AppState;
use crate::web::views::{local_time, site_url};

/// The Vietnamese message of a campaign error a volunteer meets, when it has one.
pub fn message_vi(e: &CampaignError) -> Option<String> {
    Some(match e {
        CampaignError::NoSuchCampaign { .. } => {
            "Không có chiến dịch này — hãy xem danh sách chiến dịch.".into()
        }
        CampaignError::NoSuchTask { site } => format!(
            "Chiến dịch không có nhiệm vụ cho di tích “{site}” — có thể di tích đã ra khỏi chiến dịch."
        ),
        CampaignError::AlreadyClaimed { by, until } => format!(
            "“{by}” vừa nhận di tích này, giữ đến {until} — hãy chọn một di tích khác gần đó."
        ),
        CampaignError::InReview => {
            "Di tích này đang chờ người kiểm duyệt xem phần việc đã gửi — hãy chọn di tích khác."
                .into()
        }
        CampaignError::AlreadyDone => {
            "Di tích này đã hoàn thành trong chiến dịch — hãy chọn di tích khác.".into()
        }
        CampaignError::Closed { why } => {
            format!("Di tích này không còn trong chiến dịch: {why}")
        }
        CampaignError::NotYours { holder } => {
            format!("Bạn không giữ nhiệm vụ này — “{holder}” đang giữ.")
        }
        CampaignError::NotClaimed => "Chưa ai nhận nhiệm vụ này.".into(),
        CampaignError::TooManyClaims { limit } => format!(
            "Bạn đang giữ {limit} nhiệm vụ trong chiến dịch — hãy làm xong hoặc trả lại một \
             nhiệm vụ trước."
        ),
        CampaignError::NotParticipating { campaign } => format!(
            "Bạn chưa ở trong đội nào tham gia “{campaign}” — hãy vào đội bằng lời mời của đội \
             trưởng."
        ),
        CampaignError::Pending { team } => {
            format!("Đội trưởng của “{team}” chưa xác nhận bạn vào đội.")
        }
        CampaignError::NotYourMember { user } => {
            format!("“{user}” không phải thành viên của đội bạn phụ trách tham gia chiến dịch này.")
        }
        CampaignError::NotRunning { starts, ends } => format!(
            "Chiến dịch diễn ra từ {} đến {}; chỉ nhận nhiệm vụ trong thời gian đó.",
            starts.format("%d/%m/%Y"),
            ends.format("%d/%m/%Y")
        ),
        CampaignError::Teams(inner) => return crate::web::teams::message_vi(inner),
        CampaignError::Invalid { .. } | CampaignError::Db(_) | CampaignError::Sql(_) => {
            return None;
        }
    })
}

/// A campaign by the slug of its URL.
pub async fn campaign_of(state: &AppState, slug: &str) -> Result<Campaign, WebError> {
    let (campaigns, slug) = (state.campaigns.clone(), slug.to_owned());
    crate::web::blocking(move || campaigns.get(&slug)).await
}

/// `/campaigns/{slug}{rest}` in `lang`.
pub fn url(slug: &str, rest: &str, lang: Lang) -> String {
    with_param(&format!("/campaigns/{slug}{rest}"), lang.link_param())
}

/// Counts and shares as the pages print them.
#[derive(Debug, Clone, Serialize)]
pub struct TallyView {
    pub sites: u32,
    pub photo: u32,
    pub precise: u32,
    pub described: u32,
    pub sourced: u32,
    pub done: u32,
    pub photo_pct: String,
    pub precise_pct: String,
    pub described_pct: String,
    pub sourced_pct: String,
    pub done_pct: String,
    /// Share done, 0–100, for bars and colours.
    pub done_share: f64,
}

impl TallyView {
    pub fn of(t: &Tally) -> TallyView {
        let pct = |n| format!("{:.0}%", t.percent(n));
        TallyView {
            sites: t.sites,
            photo: t.photo,
            precise: t.precise,
            described: t.described,
            sourced: t.sourced,
            done: t.done,
            photo_pct: pct(t.photo),
            precise_pct: pct(t.precise),
            described_pct: pct(t.described),
            sourced_pct: pct(t.sourced),
            done_pct: pct(t.done),
            done_share: t.percent(t.done),
        }
    }
}

/// One line of history as pages show it.
#[derive(Debug, Serialize)]
pub struct EventRow {
    pub at: String,
    pub actor: String,
    pub subject: Option<String>,
    pub action: &'static str,
    pub detail: String,
}

/// History lines in the reader's language.
pub fn event_rows(events: &[Event], lang: Lang) -> Vec<EventRow> {
    let t = lang.labels();
    events
        .iter()
        .map(|e| EventRow {
            at: local_time(e.at),
            actor: e.actor.clone(),
            subject: e.subject.clone().filter(|s| *s != e.actor),
            action: event_label(&e.action, t),
            detail: e.detail.clone(),
        })
        .collect()
}

fn event_label(action: &str, t: &'static Labels) -> &'static str {
    match action {
        "team_created" => t.ev_team_created,
        "communes_changed" => t.ev_communes_changed,
        "member_added" => t.ev_member_added,
        "leader_added" => t.ev_leader_added,
        "member_confirmed" => t.ev_member_confirmed,
        "member_removed" => t.ev_member_removed,
        "joined" => t.ev_joined,
        "join_requested" => t.ev_join_requested,
        "join_cancelled" => t.ev_join_cancelled,
        "invitation_created" => t.ev_invitation_created,
        "invitation_revoked" => t.ev_invitation_revoked,
        "campaign_created" => t.ev_campaign_created,
        "campaign_changed" => t.ev_campaign_changed,
        "claimed" => t.ev_claimed,
        "released" => t.ev_released,
        "unassigned" => t.ev_unassigned,
        "assigned" => t.ev_assigned,
        "expired" => t.ev_expired,
        "submitted" => t.ev_submitted,
        "site_proposed" => t.ev_site_proposed,
        "approved" => t.ev_approved,
        "rejected" | "proposal_rejected" => t.ev_rejected,
        "task_added" => t.ev_task_added,
        "task_withdrawn" => t.ev_task_withdrawn,
        "task_restored" => t.ev_task_restored,
        "site_removed" => t.ev_site_removed,
        "site_merged" => t.ev_site_merged,
        _ => t.ev_other,
    }
}

/// An approved contribution with its credits, as pages show it.
#[derive(Debug, Serialize)]
pub struct CreditRow {
    pub at: String,
    pub volunteer: String,
    pub team: Option<String>,
    pub team_url: Option<String>,
    pub kind: &'static str,
    pub site_name: String,
    pub site_url: String,
    pub photos: u32,
}

/// Credits in the reader's language.
pub fn credit_rows(credits: &[Credit], lang: Lang) -> Vec<CreditRow> {
    let t = lang.labels();
    credits
        .iter()
        .map(|c| CreditRow {
            at: local_time(c.approved),
            volunteer: c.volunteer.clone(),
            team: c.team_name.clone(),
            team_url: None,
            kind: match c.kind.as_str() {
                "new_site" => t.kind_new_site,
                "photos" => t.kind_photos,
                _ => t.kind_correction,
            },
            site_name: c.site_name.clone(),
            site_url: site_url(&c.site, lang),
            photos: c.photos,
        })
        .collect()
}

/// What a site still lacks, in words.
pub fn lack_labels(lacks: &[Lack], t: &'static Labels) -> Vec<&'static str> {
    lacks
        .iter()
        .map(|l| match l {
            Lack::Photos => t.need_photos,
            Lack::Position => t.need_precise_position,
            Lack::Description => t.need_description,
            Lack::Sources => t.lacks_sources,
        })
        .collect()
}

/// The done rule in words: "at least 2 photos, a precise position".
pub fn done_rule_text(campaign: &Campaign, t: &'static Labels) -> String {
    let rule = &campaign.done;
    let mut parts = Vec::new();
    if rule.min_photos > 0 {
        parts.push(format!(
            "{} {} {}",
            t.at_least, rule.min_photos, t.photos_word
        ));
    }
    if rule.precise {
        parts.push(t.need_precise_position.to_owned());
    }
    if rule.description {
        parts.push(t.need_description.to_owned());
    }
    if rule.sources {
        parts.push(t.lacks_sources.to_owned());
    }
    parts.join(", ")
}
