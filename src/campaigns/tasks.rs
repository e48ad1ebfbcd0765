//! Tasks: one site of a campaign, claimed by one volunteer at a time.
//!
//! A task is `open`, `claimed` (held by one volunteer until the claim expires), in `review`
//! (its holder sent work, a moderator has not decided yet), `withdrawn` (the scope no longer
//! covers it) or `gone` (its site left the archive). Whether it is *done* is not stored: it is
//! the campaign's done rule applied to the site as it is now, so an approval that completes a
//! site completes its task, and one that does not leaves it open with what is still missing.
//!
//! A claim is a conditional update inside one write transaction (`… WHERE state = 'open'`),
//! and write transactions run one at a time, so of two volunteers claiming the same site at
//! once exactly one wins and the other is told who has it. Expired claims are released
//! before any claim of the same task and by a periodic sweep, each with a line of history.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

use super::sites::{self, SiteFacts};
use super::{Campaign, CampaignError, Campaigns, DoneRule, Lack, MAX_CLAIMS, check_participant};
use crate::accounts::{Role, User};
use crate::archive::inbox::{Proposal, Submission};
use crate::private_db::{Event, SYSTEM, secs, time, vietnam};
use crate::search::geo::haversine_km;

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskState {
    Open,
    Claimed,
    Review,
    Withdrawn,
    Gone,
}

impl TaskState {
    pub fn code(self) -> &'static str {
        match self {
            TaskState::Open => "open",
            TaskState::Claimed => "claimed",
            TaskState::Review => "review",
            TaskState::Withdrawn => "withdrawn",
            TaskState::Gone => "gone",
        }
    }

    fn parse(code: &str) -> TaskState {
        match code {
            "open" => TaskState::Open,
            "claimed" => TaskState::Claimed,
            "review" => TaskState::Review,
            "withdrawn" => TaskState::Withdrawn,
            _ => TaskState::Gone,
        }
    }
}

/// A task as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Task {
    pub campaign: i64,
    pub site: String,
    pub state: TaskState,
    pub holder: Option<String>,
    pub claimed: Option<DateTime<Utc>>,
    pub expires: Option<DateTime<Utc>>,
    /// The leader who assigned it, when it was assigned rather than claimed.
    pub assigned_by: Option<String>,
    /// The last rejection's reason, or why it was withdrawn, closed or released.
    pub note: Option<String>,
    /// `scope`, or `proposed` for a new site found during the campaign.
    pub origin: String,
}

const TASK_COLUMNS: &str =
    "t.campaign, t.site, t.state, t.holder, t.claimed, t.expires, t.assigned_by, t.note, t.origin";

fn task_row(r: &rusqlite::Row, at: usize) -> rusqlite::Result<Task> {
    Ok(Task {
        campaign: r.get(at)?,
        site: r.get(at + 1)?,
        state: TaskState::parse(&r.get::<_, String>(at + 2)?),
        holder: r.get(at + 3)?,
        claimed: r.get::<_, Option<i64>>(at + 4)?.map(time),
        expires: r.get::<_, Option<i64>>(at + 5)?.map(time),
        assigned_by: r.get(at + 6)?,
        note: r.get(at + 7)?,
        origin: r.get(at + 8)?,
    })
}

/// A task with its site, as lists and pages show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskView {
    pub task: Task,
    pub site: SiteFacts,
    pub lacks: Vec<Lack>,
    pub done: bool,
    pub distance_km: Option<f64>,
}

/// Which tasks a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Showing {
    /// Open and not done: what a volunteer can claim.
    #[default]
    Claimable,
    /// Every live task (open, claimed, in review), done or not.
    Live,
}

/// One page of a task list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskList {
    pub items: Vec<TaskView>,
    /// How many tasks match in all.
    pub total: usize,
}

/// A task read inside a transaction.
pub fn read_task(tx: &Transaction, campaign: i64, site: &str) -> rusqlite::Result<Option<Task>> {
    tx.prepare_cached(&format!(
        "SELECT {TASK_COLUMNS} FROM tasks t WHERE t.campaign = ?1 AND t.site = ?2"
    ))?
    .query_row(params![campaign, site], |r| task_row(r, 0))
    .optional()
}

/// Releases every claim whose time is up (only those of one task when `only` is given).
pub fn expire(
    tx: &Transaction,
    now: DateTime<Utc>,
    only: Option<(i64, &str)>,
) -> rusqlite::Result<usize> {
    let expired: Vec<(i64, String, String)> = match only {
        Some((campaign, site)) => tx
            .prepare_cached(
                "SELECT campaign, site, holder FROM tasks WHERE state = 'claimed'
                 AND expires <= ?1 AND campaign = ?2 AND site = ?3",
            )?
            .query_map(params![secs(now), campaign, site], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?,
        None => tx
            .prepare_cached(
                "SELECT campaign, site, holder FROM tasks WHERE state = 'claimed' AND expires <= ?1",
            )?
            .query_map(params![secs(now)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?,
    };
    for (campaign, site, holder) in &expired {
        set_open(tx, *campaign, site, Some("the claim expired"))?;
        Event::new(now, SYSTEM, "expired")
            .task(*campaign, site)
            .subject(holder)
            .detail("the claim's time ran out; the task is open again")
            .log(tx)?;
    }
    Ok(expired.len())
}

fn set_open(
    tx: &Transaction,
    campaign: i64,
    site: &str,
    note: Option<&str>,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "UPDATE tasks SET state = 'open', holder = NULL, claimed = NULL, expires = NULL,
         assigned_by = NULL, note = ?3 WHERE campaign = ?1 AND site = ?2",
    )?
    .execute(params![campaign, site, note])?;
    Ok(())
}

/// Refuses a task that cannot be taken, saying why.
fn check_takeable(
    tx: &Transaction,
    campaign: &Campaign,
    task: &Task,
    for_user: &str,
) -> Result<(), CampaignError> {
    match task.state {
        TaskState::Open => {}
        TaskState::Claimed if task.holder.as_deref() == Some(for_user) => {}
        TaskState::Claimed => {
            return Err(CampaignError::AlreadyClaimed {
                by: task.holder.clone().unwrap_or_default(),
                until: task
                    .expires
                    .map(|t| vietnam(t).format("%d/%m/%Y %H:%M").to_string())
                    .unwrap_or_default(),
            });
        }
        TaskState::Review => return Err(CampaignError::InReview),
        TaskState::Withdrawn | TaskState::Gone => {
            return Err(CampaignError::Closed {
                why: task
                    .note
                    .clone()
                    .unwrap_or_else(|| task.state.code().into()),
            });
        }
    }
    let site = sites::get(tx, &task.site)?.ok_or_else(|| CampaignError::Closed {
        why: "the site is no longer published".into(),
    })?;
    if campaign.done.is_done(&site) {
        return Err(CampaignError::AlreadyDone);
    }
    Ok(())
}

fn held_by(tx: &Transaction, campaign: i64, user: &str) -> rusqlite::Result<usize> {
    tx.prepare_cached(
        "SELECT count(*) FROM tasks WHERE campaign = ?1 AND holder = ?2 AND state = 'claimed'",
    )?
    .query_row(params![campaign, user], |r| r.get::<_, i64>(0))
    .map(|n| n as usize)
}

fn hold(
    tx: &Transaction,
    campaign: &Campaign,
    site: &str,
    holder: &str,
    assigned_by: Option<&str>,
    now: DateTime<Utc>,
) -> rusqlite::Result<bool> {
    let expires = now + Duration::hours(i64::from(campaign.claim_hours));
    let changed = tx
        .prepare_cached(
            "UPDATE tasks SET state = 'claimed', holder = ?3, claimed = ?4, expires = ?5,
             assigned_by = ?6, note = NULL
             WHERE campaign = ?1 AND site = ?2 AND state = 'open'",
        )?
        .execute(params![
            campaign.id,
            site,
            holder,
            secs(now),
            secs(expires),
            assigned_by
        ])?;
    Ok(changed == 1)
}

/// The teams `leader` leads that take part in `campaign` and where `user` is an active member.
fn leads_member(
    tx: &Transaction,
    campaign: &Campaign,
    leader: &User,
    user: &str,
) -> rusqlite::Result<bool> {
    if leader.role.allows(Role::Moderator) {
        return Ok(true);
    }
    if !leader.role.allows(Role::Leader) {
        return Ok(false);
    }
    let teams: Vec<i64> = tx
        .prepare_cached(
            "SELECT l.team FROM members l JOIN members m ON m.team = l.team
             WHERE l.user = ?1 AND l.leader = 1 AND l.status = 'active'
             AND m.user = ?2 AND m.status = 'active'",
        )?
        .query_map(params![leader.name, user], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(teams
        .iter()
        .any(|t| campaign.teams.is_empty() || campaign.teams.contains(t)))
}

impl Campaigns {
    /// Claims a task for `user`. Claiming a task one already holds is harmless.
    pub fn claim(
        &self,
        campaign: &Campaign,
        site: &str,
        user: &User,
        now: DateTime<Utc>,
    ) -> Result<Task, CampaignError> {
        self.db().write(|tx| {
            check_participant(tx, campaign, user, now)?;
            expire(tx, now, Some((campaign.id, site)))?;
            let task = existing(tx, campaign, site)?;
            check_takeable(tx, campaign, &task, &user.name)?;
            if task.state == TaskState::Claimed {
                return Ok(task);
            }
            if held_by(tx, campaign.id, &user.name)? >= MAX_CLAIMS {
                return Err(CampaignError::TooManyClaims { limit: MAX_CLAIMS });
            }
            if !hold(tx, campaign, site, &user.name, None, now)? {
                // Unreachable while writers are serialised; kept as the rule's last guard.
                return Err(CampaignError::AlreadyClaimed {
                    by: String::new(),
                    until: String::new(),
                });
            }
            Event::new(now, &user.name, "claimed")
                .task(campaign.id, site)
                .subject(&user.name)
                .log(tx)?;
            existing(tx, campaign, site)
        })
    }

    /// Gives a claimed task back: its holder, a leader of the holder's team, or a moderator.
    pub fn release(
        &self,
        campaign: &Campaign,
        site: &str,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<(), CampaignError> {
        self.db().write(|tx| {
            let task = existing(tx, campaign, site)?;
            let holder = match (&task.state, &task.holder) {
                (TaskState::Claimed, Some(holder)) => holder.clone(),
                _ => return Err(CampaignError::NotClaimed),
            };
            if holder != by.name && !leads_member(tx, campaign, by, &holder)? {
                return Err(CampaignError::NotYours { holder });
            }
            let (action, note) = if holder == by.name {
                ("released", "released by its holder")
            } else {
                ("unassigned", "taken back by a leader")
            };
            set_open(tx, campaign.id, site, Some(note))?;
            Event::new(now, &by.name, action)
                .task(campaign.id, site)
                .subject(&holder)
                .log(tx)?;
            Ok(())
        })
    }

    /// A leader gives an open task to an active member of a team they lead.
    pub fn assign(
        &self,
        campaign: &Campaign,
        site: &str,
        to: &str,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<Task, CampaignError> {
        self.db().write(|tx| {
            if !by.role.allows(Role::Leader) {
                return Err(CampaignError::NotYourMember {
                    user: to.to_owned(),
                });
            }
            if !leads_member(tx, campaign, by, to)? {
                return Err(CampaignError::NotYourMember {
                    user: to.to_owned(),
                });
            }
            expire(tx, now, Some((campaign.id, site)))?;
            let task = existing(tx, campaign, site)?;
            check_takeable(tx, campaign, &task, to)?;
            if task.state == TaskState::Claimed {
                return Ok(task);
            }
            if held_by(tx, campaign.id, to)? >= MAX_CLAIMS {
                return Err(CampaignError::TooManyClaims { limit: MAX_CLAIMS });
            }
            hold(tx, campaign, site, to, Some(&by.name), now)?;
            Event::new(now, &by.name, "assigned")
                .task(campaign.id, site)
                .subject(to)
                .log(tx)?;
            existing(tx, campaign, site)
        })
    }

    /// Releases every expired claim (the server's periodic sweep).
    pub fn expire_claims(&self, now: DateTime<Utc>) -> Result<usize, CampaignError> {
        self.db().write(|tx| Ok(expire(tx, now, None)?))
    }

    /// A task with its site, done state and history.
    pub fn task(
        &self,
        campaign: &Campaign,
        site: &str,
    ) -> Result<(TaskView, Vec<Event>), CampaignError> {
        self.db().read(|tx| {
            let task = existing(tx, campaign, site)?;
            let facts = sites::get(tx, &task.site)?.unwrap_or_else(|| gone_site(&task.site));
            let events = crate::private_db::task_events(tx, campaign.id, site)?;
            Ok((view(&campaign.done, task, facts, None), events))
        })
    }

    /// Tasks nearest to `near` first, or by commune and name without a position.
    pub fn tasks(
        &self,
        campaign: &Campaign,
        near: Option<(f64, f64)>,
        commune: Option<&str>,
        showing: Showing,
        offset: usize,
        limit: usize,
    ) -> Result<TaskList, CampaignError> {
        self.db().read(|tx| {
            let filter = filter_sql(&campaign.done, showing);
            let commune_sql = if commune.is_some() {
                " AND s.commune = ?2"
            } else {
                " AND ?2 IS NULL"
            };
            let total: i64 = tx
                .prepare_cached(&format!(
                    "SELECT count(*) FROM tasks t JOIN sites s ON s.id = t.site
                     WHERE t.campaign = ?1{commune_sql} AND {filter}"
                ))?
                .query_row(params![campaign.id, commune], |r| r.get(0))?;
            let items = match near {
                Some(at) => nearest(tx, campaign, at, commune, &filter, offset + limit)?
                    .into_iter()
                    .skip(offset)
                    .collect(),
                None => tx
                    .prepare_cached(&format!(
                        "SELECT {TASK_COLUMNS}, {} FROM tasks t JOIN sites s ON s.id = t.site
                         WHERE t.campaign = ?1{commune_sql} AND {filter}
                         ORDER BY s.province, s.commune, s.name_key LIMIT ?3 OFFSET ?4",
                        sites::COLUMNS
                    ))?
                    .query_map(
                        params![campaign.id, commune, limit as i64, offset as i64],
                        |r| Ok((task_row(r, 0)?, sites::from_row(r, 9)?)),
                    )?
                    .map(|row| row.map(|(t, s)| view(&campaign.done, t, s, None)))
                    .collect::<rusqlite::Result<_>>()?,
            };
            Ok(TaskList {
                items,
                total: total as usize,
            })
        })
    }
}

/// The live tasks nearest to `at`: a box around it is widened until it holds enough tasks and
/// the farthest one kept is inside the box's reach, so no nearer task can lie outside it.
fn nearest(
    tx: &Transaction,
    campaign: &Campaign,
    at: (f64, f64),
    commune: Option<&str>,
    filter: &str,
    want: usize,
) -> rusqlite::Result<Vec<TaskView>> {
    let commune_sql = if commune.is_some() {
        " AND s.commune = ?6"
    } else {
        " AND ?6 IS NULL"
    };
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {TASK_COLUMNS}, {} FROM sites s JOIN tasks t ON t.site = s.id AND t.campaign = ?1
         WHERE s.lat BETWEEN ?2 AND ?3 AND s.lon BETWEEN ?4 AND ?5{commune_sql} AND {filter}",
        sites::COLUMNS
    ))?;
    let mut half = 0.05_f64;
    loop {
        let rows: Vec<(Task, SiteFacts)> = stmt
            .query_map(
                params![
                    campaign.id,
                    at.0 - half,
                    at.0 + half,
                    at.1 - half,
                    at.1 + half,
                    commune
                ],
                |r| Ok((task_row(r, 0)?, sites::from_row(r, 9)?)),
            )?
            .collect::<rusqlite::Result<_>>()?;
        let mut views: Vec<TaskView> = rows
            .into_iter()
            .map(|(t, s)| {
                let d = s.position().map(|p| haversine_km(at, p));
                view(&campaign.done, t, s, d)
            })
            .collect();
        views.sort_by(|a, b| {
            a.distance_km
                .unwrap_or(f64::INFINITY)
                .total_cmp(&b.distance_km.unwrap_or(f64::INFINITY))
                .then_with(|| a.site.id.cmp(&b.site.id))
        });
        // A degree of longitude is at least ~100 km inside Vietnam (23.5°N), of latitude ~111.
        let reach_km = half * 100.0;
        let enough = views.len() >= want
            && views
                .get(want.saturating_sub(1))
                .and_then(|v| v.distance_km)
                .is_some_and(|d| d <= reach_km);
        if enough || half >= 20.0 {
            views.truncate(want);
            return Ok(views);
        }
        half *= 2.0;
    }
}

/// The SQL condition of a list: live tasks, and for [`Showing::Claimable`] open ones whose
/// site is not done under the campaign's rule. Numbers come from the rule, never from a
/// request.
fn filter_sql(rule: &DoneRule, showing: Showing) -> String {
    match showing {
        Showing::Live => "t.state IN ('open', 'claimed', 'review')".to_owned(),
        Showing::Claimable => format!("t.state = 'open' AND NOT {}", done_sql(rule)),
    }
}

/// The done rule as an SQL condition over the site columns `s.*`.
pub fn done_sql(rule: &DoneRule) -> String {
    let mut parts = vec![format!("s.photos >= {}", rule.min_photos)];
    if rule.precise {
        parts.push("s.precise = 1".into());
    }
    if rule.description {
        parts.push("s.described = 1".into());
    }
    if rule.sources {
        parts.push("s.sourced = 1".into());
    }
    format!("({})", parts.join(" AND "))
}

fn view(rule: &DoneRule, task: Task, site: SiteFacts, distance_km: Option<f64>) -> TaskView {
    let lacks = rule.lacks(&site);
    TaskView {
        task,
        done: lacks.is_empty(),
        lacks,
        site,
        distance_km,
    }
}

/// What a task's page shows for a site no longer published.
fn gone_site(id: &str) -> SiteFacts {
    SiteFacts {
        id: id.to_owned(),
        name: id.to_owned(),
        province: None,
        commune: None,
        site_type: None,
        level: "unknown".into(),
        lat: None,
        lon: None,
        photos: 0,
        precise: false,
        described: false,
        sourced: false,
    }
}

fn existing(tx: &Transaction, campaign: &Campaign, site: &str) -> Result<Task, CampaignError> {
    read_task(tx, campaign.id, site)?.ok_or_else(|| CampaignError::NoSuchTask {
        site: site.to_owned(),
    })
}

/// Releases the claims `user` holds in campaigns they no longer take part in (after leaving
/// a team). Tasks in review keep their link: the work sent is still decided on.
pub fn release_ineligible(
    tx: &Transaction,
    user: &str,
    by: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<usize> {
    let held: Vec<(i64, String)> = tx
        .prepare_cached("SELECT campaign, site FROM tasks WHERE holder = ?1 AND state = 'claimed'")?
        .query_map([user], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let teams = crate::teams::active_teams(tx, user)?;
    let mut released = 0;
    for (campaign_id, site) in held {
        let Some(campaign) = super::read(tx, campaign_id)? else {
            continue;
        };
        if campaign.teams.is_empty() || teams.iter().any(|t| campaign.teams.contains(t)) {
            continue;
        }
        set_open(
            tx,
            campaign_id,
            &site,
            Some("released: its holder left the team"),
        )?;
        Event::new(now, by, "released")
            .task(campaign_id, &site)
            .subject(user)
            .detail("its holder is no longer in a team taking part")
            .log(tx)?;
        released += 1;
    }
    Ok(released)
}

/// Links a new submission to the task its volunteer holds on the same site (or, for a new
/// site, to the campaign it was proposed in). Returns the campaigns it was linked to.
pub fn link(
    tx: &Transaction,
    submission: &Submission,
    proposed_in: Option<&Campaign>,
    now: DateTime<Utc>,
) -> rusqlite::Result<Vec<i64>> {
    let kind = kind_of(&submission.proposal);
    let insert = |campaign: i64, site: Option<&str>| {
        tx.prepare_cached(
            "INSERT OR IGNORE INTO task_submissions (submission, campaign, site, volunteer, kind,
             status, created) VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6)",
        )?
        .execute(params![
            submission.id,
            campaign,
            site,
            submission.submitter,
            kind,
            secs(now)
        ])
    };
    match submission.proposal.site_id() {
        Some(site) => {
            let campaigns: Vec<i64> = tx
                .prepare_cached(
                    "SELECT campaign FROM tasks WHERE site = ?1 AND holder = ?2
                     AND state IN ('claimed', 'review')",
                )?
                .query_map(params![site, submission.submitter], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for &campaign in &campaigns {
                insert(campaign, Some(site))?;
                tx.execute(
                    "UPDATE tasks SET state = 'review', note = NULL WHERE campaign = ?1 AND site = ?2",
                    params![campaign, site],
                )?;
                Event::new(now, &submission.submitter, "submitted")
                    .task(campaign, site)
                    .subject(&submission.submitter)
                    .detail(format!("{kind} {}", submission.id))
                    .log(tx)?;
            }
            Ok(campaigns)
        }
        None => {
            let Some(campaign) = proposed_in else {
                return Ok(Vec::new());
            };
            insert(campaign.id, None)?;
            Event::new(now, &submission.submitter, "site_proposed")
                .campaign(campaign.id)
                .subject(&submission.submitter)
                .detail(format!("new site {}", submission.id))
                .log(tx)?;
            Ok(vec![campaign.id])
        }
    }
}

/// `new_site`, `photos` or `correction`.
pub fn kind_of(proposal: &Proposal) -> &'static str {
    match proposal {
        Proposal::NewSite { .. } => "new_site",
        Proposal::Photos { .. } => "photos",
        Proposal::Correction { .. } => "correction",
    }
}

/// Settles the tasks of an approved submission: a new site proposed in a campaign becomes a
/// task; a task whose work was approved is released, done or with what it still lacks.
/// Returns the campaigns touched.
pub fn approved(
    tx: &Transaction,
    submission: &str,
    site: &SiteFacts,
    by: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<Vec<i64>> {
    let links: Vec<(i64, Option<String>, String)> = tx
        .prepare_cached(
            "SELECT campaign, site, volunteer FROM task_submissions WHERE submission = ?1
             AND status = 'pending'",
        )?
        .query_map([submission], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (campaign_id, linked_site, volunteer) in &links {
        tx.execute(
            "UPDATE task_submissions SET status = 'approved', decided = ?2, site = ?3
             WHERE submission = ?1",
            params![submission, secs(now), site.id],
        )?;
        let Some(campaign) = super::read(tx, *campaign_id)? else {
            continue;
        };
        if linked_site.is_none() {
            tx.execute(
                "INSERT OR IGNORE INTO tasks (campaign, site, state, origin, added)
                 VALUES (?1, ?2, 'open', 'proposed', ?3)",
                params![campaign.id, site.id, secs(now)],
            )?;
            Event::new(now, by, "task_added")
                .task(campaign.id, &site.id)
                .subject(volunteer)
                .detail(format!(
                    "new site proposed in the field by {volunteer}, approved"
                ))
                .log(tx)?;
            continue;
        }
        let lacks = campaign.done.lacks(site);
        let note = if lacks.is_empty() {
            None
        } else {
            Some(format!("approved; still lacks: {}", lack_words(&lacks)))
        };
        settle(tx, campaign.id, &site.id, note.as_deref())?;
        Event::new(now, by, "approved")
            .task(campaign.id, &site.id)
            .subject(volunteer)
            .detail(match &note {
                Some(note) => format!("{submission}: {note}"),
                None => format!("{submission}: the site is done"),
            })
            .log(tx)?;
    }
    Ok(links.iter().map(|l| l.0).collect())
}

/// Settles the tasks of a rejected submission: the task goes back to the pool with the
/// moderator's reason, unless other work for it is still waiting.
pub fn rejected(
    tx: &Transaction,
    submission: &str,
    reason: &str,
    by: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<Vec<i64>> {
    let links: Vec<(i64, Option<String>, String)> = tx
        .prepare_cached(
            "SELECT campaign, site, volunteer FROM task_submissions WHERE submission = ?1
             AND status = 'pending'",
        )?
        .query_map([submission], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (campaign, site, volunteer) in &links {
        tx.execute(
            "UPDATE task_submissions SET status = 'rejected', reason = ?2, decided = ?3
             WHERE submission = ?1",
            params![submission, reason, secs(now)],
        )?;
        let Some(site) = site else {
            Event::new(now, by, "proposal_rejected")
                .campaign(*campaign)
                .subject(volunteer)
                .detail(format!("{submission}: {reason}"))
                .log(tx)?;
            continue;
        };
        settle(tx, *campaign, site, Some(&format!("rejected: {reason}")))?;
        Event::new(now, by, "rejected")
            .task(*campaign, site)
            .subject(volunteer)
            .detail(format!("{submission}: {reason}"))
            .log(tx)?;
    }
    Ok(links.iter().map(|l| l.0).collect())
}

/// A task in review whose last waiting submission was decided goes back to `open`.
fn settle(tx: &Transaction, campaign: i64, site: &str, note: Option<&str>) -> rusqlite::Result<()> {
    let waiting: i64 = tx.query_row(
        "SELECT count(*) FROM task_submissions WHERE campaign = ?1 AND site = ?2
         AND status = 'pending'",
        params![campaign, site],
        |r| r.get(0),
    )?;
    if waiting == 0 {
        tx.execute(
            "UPDATE tasks SET state = 'open', holder = NULL, claimed = NULL, expires = NULL,
             assigned_by = NULL, note = ?3
             WHERE campaign = ?1 AND site = ?2 AND state = 'review'",
            params![campaign, site, note],
        )?;
        // A task withdrawn or closed while in review stays so; its note is kept.
    }
    Ok(())
}

/// "photos, position" for notes.
pub fn lack_words(lacks: &[Lack]) -> String {
    lacks
        .iter()
        .map(|l| match l {
            Lack::Photos => "photos",
            Lack::Position => "a precise position",
            Lack::Description => "a description",
            Lack::Sources => "sources",
        })
        .collect::<Vec<_>>()
        .join(", ")
}
