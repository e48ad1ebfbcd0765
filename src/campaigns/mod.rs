//! Campaigns: a province's drive to photograph, place and describe its relics, cut into one
//! task per site and shared out among volunteer teams.
//!
//! A **campaign** has a title, dates, the teams taking part (none listed: every volunteer may
//! join in), a [`scope`] (which sites) and a rule for when a site is done. Each site in scope
//! is a **task**: a volunteer of a taking-part team claims one ([`tasks`]; exactly one of two
//! simultaneous claims wins), holds it for the campaign's claim time, and finishes it through
//! the ordinary contribution forms — the submission is linked to the task, a moderator's
//! approval validates it and a rejection sends the task back with its reason. Leaders assign
//! and unassign tasks to their own members. A new site found in the field is proposed inside
//! the campaign and becomes a task once approved.
//!
//! Progress is counted from the sites themselves ([`sites`]): share of sites with a photo, a
//! precise position, a description, sources, and done, by commune and by team ([`figures`]),
//! kept as daily snapshots so that any past day can be shown again. Approved work is credited
//! to its volunteer and team in a [`ledger`] that the reports are exported from.
//!
//! Everything is in the private database; every change is a line of history.

pub mod figures;
pub mod ledger;
pub mod scope;
pub mod sites;
pub mod tasks;

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

pub use figures::{Figures, Tally};
pub use scope::{DoneRule, Lack, Lacking, Scope};
pub use sites::{SiteFacts, SyncReport};
pub use tasks::{Task, TaskState};

use crate::accounts::{Role, User};
use crate::ingest::summary::SiteSummary;
use crate::private_db::{DbError, Event, PrivateDb, day_of, secs, time};
use crate::teams::{Team, TeamError};

/// What can go wrong with campaigns and tasks. Messages are for the volunteer's screen.
#[derive(Debug, thiserror::Error)]
pub enum CampaignError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(
        "the private database failed: {0} — check that the archive's `.disan` folder is writable and not full"
    )]
    Sql(#[from] rusqlite::Error),
    #[error(transparent)]
    Teams(#[from] TeamError),
    #[error("no campaign `{campaign}` — see the list of campaigns")]
    NoSuchCampaign { campaign: String },
    #[error("the campaign has no task for the site `{site}` — it may have left the campaign")]
    NoSuchTask { site: String },
    #[error("{field}: {why}")]
    Invalid { field: &'static str, why: String },
    #[error("“{by}” has just claimed this site, until {until} — pick another one nearby")]
    AlreadyClaimed { by: String, until: String },
    #[error(
        "this site is waiting for a moderator's review of work already sent — pick another one"
    )]
    InReview,
    #[error("this site is already done for the campaign — pick another one")]
    AlreadyDone,
    #[error("this site is no longer part of the campaign: {why}")]
    Closed { why: String },
    #[error("you do not hold this task — “{holder}” does")]
    NotYours { holder: String },
    #[error("this task is not claimed by anyone")]
    NotClaimed,
    #[error("you already hold {limit} tasks in this campaign — finish or release one first")]
    TooManyClaims { limit: usize },
    #[error(
        "you are not in a team taking part in “{campaign}” — join one of its teams with an invitation from its leader"
    )]
    NotParticipating { campaign: String },
    #[error("your place in the team “{team}” is waiting for its leader's confirmation")]
    Pending { team: String },
    #[error("“{user}” is not an active member of a team you lead that takes part in this campaign")]
    NotYourMember { user: String },
    #[error("the campaign runs from {starts} to {ends}; tasks can be taken only then")]
    NotRunning { starts: NaiveDate, ends: NaiveDate },
}

/// How many tasks one volunteer may hold at once in a campaign.
pub const MAX_CLAIMS: usize = 5;

/// A campaign as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Campaign {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub starts: NaiveDate,
    pub ends: NaiveDate,
    pub scope: Scope,
    pub done: DoneRule,
    /// How long a claim holds before it is released by itself.
    pub claim_hours: u32,
    /// The teams taking part; empty: every volunteer.
    pub teams: Vec<i64>,
    pub created: DateTime<Utc>,
    pub created_by: String,
    pub updated: DateTime<Utc>,
    /// Changes whenever the figures do (each snapshot): what pages built from them are kept by.
    pub figures_version: i64,
}

impl Campaign {
    /// Whether tasks can be taken on `day` (Vietnam time).
    pub fn runs_on(&self, day: NaiveDate) -> bool {
        self.starts <= day && day <= self.ends
    }
}

/// What a moderator fills in to make or change a campaign.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub title: String,
    pub description: String,
    pub starts: NaiveDate,
    pub ends: NaiveDate,
    pub scope: Scope,
    pub done: DoneRule,
    pub claim_hours: u32,
    pub teams: Vec<i64>,
}

impl Draft {
    fn check(&self) -> Result<(), CampaignError> {
        let invalid = |field, why: String| Err(CampaignError::Invalid { field, why });
        let title = self.title.trim().chars().count();
        if !(3..=200).contains(&title) {
            return invalid("title", "use 3 to 200 characters".into());
        }
        if self.description.chars().count() > 5000 {
            return invalid("description", "use at most 5,000 characters".into());
        }
        if self.ends < self.starts {
            return invalid("ends", "the campaign ends before it starts".into());
        }
        if !(1..=24 * 30).contains(&self.claim_hours) {
            return invalid(
                "claim_hours",
                "a claim holds between 1 hour and 30 days (720 hours)".into(),
            );
        }
        self.scope.check().or_else(|why| invalid("scope", why))?;
        self.done.check().or_else(|why| invalid("done", why))
    }
}

/// What making or changing a campaign did to its tasks.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct ScopeChange {
    pub added: usize,
    pub withdrawn: usize,
    /// Withdrawn tasks that were held: their holders were told.
    pub released: usize,
    pub restored: usize,
}

/// The campaigns of one archive.
#[derive(Debug, Clone)]
pub struct Campaigns {
    db: Arc<PrivateDb>,
}

fn sql(db: &PrivateDb) -> impl Fn(rusqlite::Error) -> CampaignError + '_ {
    move |e| CampaignError::Db(db.error(e))
}

impl Campaigns {
    pub fn new(db: Arc<PrivateDb>) -> Campaigns {
        Campaigns { db }
    }

    pub fn db(&self) -> &PrivateDb {
        &self.db
    }

    /// Makes a campaign and its tasks (moderators and admins only).
    pub fn create(
        &self,
        draft: &Draft,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<(Campaign, ScopeChange), CampaignError> {
        require_moderator(by)?;
        draft.check()?;
        self.db.write(|tx| {
            let slug = free_slug(tx, &draft.title).map_err(sql(&self.db))?;
            tx.execute(
                "INSERT INTO campaigns (slug, title, description, starts, ends, scope, done,
                 claim_hours, created, created_by, updated)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?9)",
                params![
                    slug,
                    draft.title.trim(),
                    draft.description.trim(),
                    draft.starts.to_string(),
                    draft.ends.to_string(),
                    json(&draft.scope),
                    json(&draft.done),
                    draft.claim_hours,
                    secs(now),
                    by.name
                ],
            )
            .map_err(sql(&self.db))?;
            let id = tx.last_insert_rowid();
            set_teams(tx, id, &draft.teams).map_err(sql(&self.db))?;
            Event::new(now, &by.name, "campaign_created")
                .campaign(id)
                .detail(draft.title.trim())
                .log(tx)
                .map_err(sql(&self.db))?;
            let campaign = read(tx, id).map_err(sql(&self.db))?.expect("just written");
            let change = apply_scope(tx, &campaign, &by.name, now).map_err(sql(&self.db))?;
            figures::snapshot(tx, &campaign, now).map_err(sql(&self.db))?;
            Ok((campaign, change))
        })
    }

    /// Changes a campaign. A new scope adds the sites it admits and withdraws those it no
    /// longer covers; withdrawn tasks that were held are released with a note to their holder,
    /// and their submissions stay with the moderators.
    pub fn update(
        &self,
        campaign: &Campaign,
        draft: &Draft,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<(Campaign, ScopeChange), CampaignError> {
        require_moderator(by)?;
        draft.check()?;
        self.db.write(|tx| {
            tx.execute(
                "UPDATE campaigns SET title = ?2, description = ?3, starts = ?4, ends = ?5,
                 scope = ?6, done = ?7, claim_hours = ?8, updated = ?9 WHERE id = ?1",
                params![
                    campaign.id,
                    draft.title.trim(),
                    draft.description.trim(),
                    draft.starts.to_string(),
                    draft.ends.to_string(),
                    json(&draft.scope),
                    json(&draft.done),
                    draft.claim_hours,
                    secs(now)
                ],
            )
            .map_err(sql(&self.db))?;
            set_teams(tx, campaign.id, &draft.teams).map_err(sql(&self.db))?;
            let updated = read(tx, campaign.id)
                .map_err(sql(&self.db))?
                .expect("just written");
            let change = apply_scope(tx, &updated, &by.name, now).map_err(sql(&self.db))?;
            Event::new(now, &by.name, "campaign_changed")
                .campaign(campaign.id)
                .detail(describe_change(campaign, &updated, &change))
                .log(tx)
                .map_err(sql(&self.db))?;
            figures::snapshot(tx, &updated, now).map_err(sql(&self.db))?;
            Ok((updated, change))
        })
    }

    /// A campaign by its slug.
    pub fn get(&self, slug: &str) -> Result<Campaign, CampaignError> {
        self.db
            .read(|tx| by_slug(tx, slug).map_err(sql(&self.db)))?
            .ok_or_else(|| CampaignError::NoSuchCampaign {
                campaign: slug.to_owned(),
            })
    }

    /// Every campaign, newest first.
    pub fn list(&self) -> Result<Vec<Campaign>, CampaignError> {
        self.db.read(|tx| {
            let ids: Vec<i64> = tx
                .prepare_cached("SELECT id FROM campaigns ORDER BY starts DESC, id DESC")
                .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
                .map_err(sql(&self.db))?;
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                out.extend(read(tx, id).map_err(sql(&self.db))?);
            }
            Ok(out)
        })
    }

    /// Takes a fresh snapshot of the campaigns `team` takes part in (after its communes
    /// changed, which moves its figures).
    pub fn team_changed(&self, team: i64, now: DateTime<Utc>) -> Result<(), CampaignError> {
        let campaigns = self.of_team(team)?;
        self.db.write(|tx| {
            for campaign in &campaigns {
                figures::snapshot(tx, campaign, now)?;
            }
            Ok(())
        })
    }

    /// Whether `user` may take tasks in `campaign` now; the reason when not.
    pub fn may_take_part(
        &self,
        campaign: &Campaign,
        user: &User,
        now: DateTime<Utc>,
    ) -> Result<(), CampaignError> {
        self.db()
            .read(|tx| check_participant(tx, campaign, user, now))
    }

    /// The campaigns a team takes part in (and those open to every team).
    pub fn of_team(&self, team: i64) -> Result<Vec<Campaign>, CampaignError> {
        Ok(self
            .list()?
            .into_iter()
            .filter(|c| c.teams.is_empty() || c.teams.contains(&team))
            .collect())
    }

    /// Brings the site facts in step with the published sites (id and catalog summary, at
    /// start-up), then the figures of every campaign.
    pub fn sync_sites<'a>(
        &self,
        published: impl IntoIterator<Item = (&'a str, &'a SiteSummary)>,
        now: DateTime<Utc>,
    ) -> Result<SyncReport, CampaignError> {
        self.db.write(|tx| {
            let report = sites::sync(tx, published, now).map_err(sql(&self.db))?;
            if report.changed + report.removed > 0 {
                for campaign in all(tx).map_err(sql(&self.db))? {
                    figures::snapshot(tx, &campaign, now).map_err(sql(&self.db))?;
                }
            }
            Ok(report)
        })
    }

    /// Takes one published site's new version (after a moderated change), and refreshes the
    /// figures of the campaigns it is in.
    pub fn site_changed(
        &self,
        id: &str,
        summary: &SiteSummary,
        now: DateTime<Utc>,
    ) -> Result<(), CampaignError> {
        let facts = SiteFacts::of_summary(id, summary);
        self.db.write(|tx| {
            let changed = sites::upsert(tx, &facts, &summary.former_ids).map_err(sql(&self.db))?;
            if changed {
                for campaign in campaigns_of_site(tx, id).map_err(sql(&self.db))? {
                    figures::snapshot(tx, &campaign, now).map_err(sql(&self.db))?;
                }
            }
            Ok(())
        })
    }

    /// Removes a member from a team and releases the tasks they held in campaigns they no
    /// longer take part in; work already sent stays with the moderators.
    pub fn remove_member(
        &self,
        team: &Team,
        user: &str,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<usize, CampaignError> {
        let teams = crate::teams::Teams::new(self.db.clone());
        teams.may_lead(team, by)?;
        self.db.write(|tx| {
            crate::teams::remove_member_in(tx, team, user, &by.name, "removed by a leader", now)?;
            tasks::release_ineligible(tx, user, &by.name, now).map_err(sql(&self.db))
        })
    }
}

fn require_moderator(by: &User) -> Result<(), CampaignError> {
    if by.role.allows(Role::Moderator) {
        Ok(())
    } else {
        Err(CampaignError::Invalid {
            field: "role",
            why: format!(
                "your account is a {}; campaigns are made by moderators — ask one",
                by.role
            ),
        })
    }
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("always serialises")
}

/// Adds the sites the scope admits, withdraws those it no longer covers, and brings back
/// withdrawn ones it covers again.
fn apply_scope(
    tx: &Transaction,
    campaign: &Campaign,
    actor: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<ScopeChange> {
    let mut scope = campaign.scope.clone();
    scope.sites = sites::current_ids(tx, &scope.sites)?;
    let existing: std::collections::HashMap<String, (String, String)> = tx
        .prepare_cached("SELECT site, state, origin FROM tasks WHERE campaign = ?1")?
        .query_map([campaign.id], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
        .collect::<rusqlite::Result<_>>()?;
    let mut add = Vec::new();
    let mut restore = Vec::new();
    let mut withdraw = Vec::new();
    sites::each(tx, |site| match existing.get(&site.id) {
        None if scope.admits(&site) => add.push(site.id),
        // A site that was in the campaign comes back whatever it lacks now: its work counted.
        Some((state, _)) if state == "withdrawn" && scope.places(&site) => restore.push(site.id),
        Some((state, origin))
            if origin == "scope"
                && !matches!(state.as_str(), "withdrawn" | "gone")
                && !scope.places(&site) =>
        {
            withdraw.push(site.id)
        }
        _ => {}
    })?;
    let mut change = ScopeChange::default();
    for site in &add {
        tx.prepare_cached(
            "INSERT INTO tasks (campaign, site, state, origin, added)
             VALUES (?1, ?2, 'open', 'scope', ?3)",
        )?
        .execute(params![campaign.id, site, secs(now)])?;
        change.added += 1;
    }
    for site in &restore {
        tx.execute(
            "UPDATE tasks SET state = 'open', note = NULL WHERE campaign = ?1 AND site = ?2",
            params![campaign.id, site],
        )?;
        Event::new(now, actor, "task_restored")
            .task(campaign.id, site)
            .detail("back in the campaign's scope")
            .log(tx)?;
        change.restored += 1;
    }
    for site in &withdraw {
        let (state, holder): (String, Option<String>) = tx.query_row(
            "SELECT state, holder FROM tasks WHERE campaign = ?1 AND site = ?2",
            params![campaign.id, site],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        // Work sent for review keeps its link: the moderators still decide on it.
        tx.execute(
            "UPDATE tasks SET state = 'withdrawn', holder = NULL, claimed = NULL, expires = NULL,
             note = 'withdrawn by a change of the campaign''s scope'
             WHERE campaign = ?1 AND site = ?2",
            params![campaign.id, site],
        )?;
        let mut event = Event::new(now, actor, "task_withdrawn")
            .task(campaign.id, site)
            .detail(format!("out of the campaign's new scope (was {state})"));
        if let Some(holder) = &holder {
            event = event.subject(holder);
            change.released += 1;
        }
        event.log(tx)?;
        change.withdrawn += 1;
    }
    Ok(change)
}

fn describe_change(old: &Campaign, new: &Campaign, change: &ScopeChange) -> String {
    let mut parts = Vec::new();
    if old.title != new.title {
        parts.push(format!("title “{}” → “{}”", old.title, new.title));
    }
    if (old.starts, old.ends) != (new.starts, new.ends) {
        parts.push(format!(
            "dates {}–{} → {}–{}",
            old.starts, old.ends, new.starts, new.ends
        ));
    }
    if old.scope != new.scope {
        parts.push(format!("scope {} → {}", json(&old.scope), json(&new.scope)));
    }
    if old.done != new.done {
        parts.push(format!(
            "done when {} → {}",
            json(&old.done),
            json(&new.done)
        ));
    }
    if old.claim_hours != new.claim_hours {
        parts.push(format!(
            "claims hold {} h → {} h",
            old.claim_hours, new.claim_hours
        ));
    }
    if old.teams != new.teams {
        parts.push(format!("teams {:?} → {:?}", old.teams, new.teams));
    }
    parts.push(format!(
        "{} tasks added, {} withdrawn ({} of them held), {} restored",
        change.added, change.withdrawn, change.released, change.restored
    ));
    parts.join("; ")
}

fn set_teams(tx: &Transaction, campaign: i64, teams: &[i64]) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM campaign_teams WHERE campaign = ?1", [campaign])?;
    for team in teams {
        tx.execute(
            "INSERT OR IGNORE INTO campaign_teams (campaign, team) VALUES (?1, ?2)",
            params![campaign, team],
        )?;
    }
    Ok(())
}

fn free_slug(tx: &Transaction, title: &str) -> rusqlite::Result<String> {
    let base: String = match crate::fold::slug(title) {
        s if s.is_empty() => "campaign".to_owned(),
        s => s
            .chars()
            .take(60)
            .collect::<String>()
            .trim_end_matches('-')
            .to_owned(),
    };
    let mut slug = base.clone();
    for n in 2.. {
        let taken: i64 = tx.query_row(
            "SELECT count(*) FROM campaigns WHERE slug = ?1",
            [&slug],
            |r| r.get(0),
        )?;
        if taken == 0 {
            break;
        }
        slug = format!("{base}-{n}");
    }
    Ok(slug)
}

/// A campaign read inside a transaction.
pub fn read(tx: &Transaction, id: i64) -> rusqlite::Result<Option<Campaign>> {
    let campaign = tx
        .prepare_cached(
            "SELECT id, slug, title, description, starts, ends, scope, done, claim_hours, created,
             created_by, updated, figures_version FROM campaigns WHERE id = ?1",
        )?
        .query_row([id], |r| {
            let date = |i: usize| -> rusqlite::Result<NaiveDate> {
                let text: String = r.get(i)?;
                text.parse().map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        i,
                        rusqlite::types::Type::Text,
                        Box::new(e),
                    )
                })
            };
            let parsed = |i: usize| -> rusqlite::Result<String> { r.get(i) };
            Ok(Campaign {
                id: r.get(0)?,
                slug: r.get(1)?,
                title: r.get(2)?,
                description: r.get(3)?,
                starts: date(4)?,
                ends: date(5)?,
                scope: serde_json::from_str(&parsed(6)?).unwrap_or_default(),
                done: serde_json::from_str(&parsed(7)?).unwrap_or_default(),
                claim_hours: r.get(8)?,
                created: time(r.get(9)?),
                created_by: r.get(10)?,
                updated: time(r.get(11)?),
                figures_version: r.get(12)?,
                teams: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut campaign) = campaign else {
        return Ok(None);
    };
    campaign.teams = tx
        .prepare_cached("SELECT team FROM campaign_teams WHERE campaign = ?1 ORDER BY team")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(campaign))
}

fn by_slug(tx: &Transaction, slug: &str) -> rusqlite::Result<Option<Campaign>> {
    let id: Option<i64> = tx
        .prepare_cached("SELECT id FROM campaigns WHERE slug = ?1")?
        .query_row([slug], |r| r.get(0))
        .optional()?;
    match id {
        Some(id) => read(tx, id),
        None => Ok(None),
    }
}

fn all(tx: &Transaction) -> rusqlite::Result<Vec<Campaign>> {
    let ids: Vec<i64> = tx
        .prepare_cached("SELECT id FROM campaigns")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for id in ids {
        out.extend(read(tx, id)?);
    }
    Ok(out)
}

/// The campaigns with a live task on `site`.
fn campaigns_of_site(tx: &Transaction, site: &str) -> rusqlite::Result<Vec<Campaign>> {
    let ids: Vec<i64> = tx
        .prepare_cached("SELECT DISTINCT campaign FROM tasks WHERE site = ?1")?
        .query_map([site], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for id in ids {
        out.extend(read(tx, id)?);
    }
    Ok(out)
}

/// Whether `user` may take tasks in `campaign` now; the reason when not.
pub fn check_participant(
    tx: &Transaction,
    campaign: &Campaign,
    user: &User,
    now: DateTime<Utc>,
) -> Result<(), CampaignError> {
    let today = day_of(now);
    if !campaign.runs_on(today) {
        return Err(CampaignError::NotRunning {
            starts: campaign.starts,
            ends: campaign.ends,
        });
    }
    if !user.role.allows(Role::Volunteer) {
        return Err(CampaignError::NotParticipating {
            campaign: campaign.title.clone(),
        });
    }
    if campaign.teams.is_empty() || user.role.allows(Role::Moderator) {
        return Ok(());
    }
    let memberships: Vec<(i64, String, String)> = tx
        .prepare_cached(
            "SELECT m.team, m.status, t.name FROM members m JOIN teams t ON t.id = m.team
             WHERE m.user = ?1",
        )
        .and_then(|mut s| {
            s.query_map([&user.name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect()
        })?;
    let taking_part = |team: &i64| campaign.teams.contains(team);
    if memberships
        .iter()
        .any(|(team, status, _)| taking_part(team) && status == "active")
    {
        return Ok(());
    }
    if let Some((_, _, name)) = memberships
        .iter()
        .find(|(team, status, _)| taking_part(team) && status == "pending")
    {
        return Err(CampaignError::Pending { team: name.clone() });
    }
    Err(CampaignError::NotParticipating {
        campaign: campaign.title.clone(),
    })
}

#[cfg(test)]
mod tests;
