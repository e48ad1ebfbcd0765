//! The ledger of approved work: every approved contribution with its credits — who sent it,
//! in which team and campaign, which site, how many photos (and their files), when and by
//! whom it was approved. The campaign page's "recent work", the per-volunteer page and the
//! reports for the province and the Youth Union are read from it.
//!
//! Moderation calls [`Campaigns::approved`] and [`Campaigns::rejected`] after each decision;
//! both are idempotent, and [`Campaigns::reconcile`] settles at start-up any decision a crash
//! kept from reaching the ledger (the inbox keeps every decision).

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Transaction, params};
use serde::Serialize;

use super::sites::{self, SiteFacts};
use super::{Campaign, CampaignError, Campaigns, figures, tasks};
use crate::archive::inbox::{Inbox, Status, Submission};
use crate::ingest::summary::SiteSummary;
use crate::private_db::{Event, secs, time};

/// One approved contribution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Credit {
    pub submission: String,
    pub volunteer: String,
    /// `new_site`, `photos` or `correction`.
    pub kind: String,
    pub site: String,
    pub site_name: String,
    pub photos: u32,
    /// The published photo files (relative to the site's folder).
    pub photo_files: Vec<String>,
    pub approved: DateTime<Utc>,
    pub approved_by: String,
    pub campaign: Option<i64>,
    pub team: Option<i64>,
    pub team_name: Option<String>,
}

const CREDIT_COLUMNS: &str = "c.submission, c.volunteer, c.kind, c.site, c.site_name, c.photos, \
     c.photo_files, c.approved, c.approved_by, c.campaign, c.team, tm.name";

fn credit_row(r: &rusqlite::Row) -> rusqlite::Result<Credit> {
    let files: String = r.get(6)?;
    Ok(Credit {
        submission: r.get(0)?,
        volunteer: r.get(1)?,
        kind: r.get(2)?,
        site: r.get(3)?,
        site_name: r.get(4)?,
        photos: r.get(5)?,
        photo_files: files
            .split(';')
            .filter(|f| !f.is_empty())
            .map(str::to_owned)
            .collect(),
        approved: time(r.get(7)?),
        approved_by: r.get(8)?,
        campaign: r.get(9)?,
        team: r.get(10)?,
        team_name: r.get(11)?,
    })
}

/// What a report of approved work covers.
#[derive(Debug, Clone, Default)]
pub struct CreditQuery {
    pub campaign: Option<i64>,
    /// Only work credited to these teams; all when empty.
    pub teams: Vec<i64>,
    /// Inclusive days, Vietnam time.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// Seconds at the start of a Vietnam day.
fn day_start(day: NaiveDate) -> i64 {
    let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    midnight.and_utc().timestamp() - 7 * 3600
}

/// The photo files an approval published from this submission: the site's shown photos whose
/// names end with the first 8 hex digits of a submitted photo's hash (how moderation names
/// them).
fn published_files(submission: &Submission, summary: &SiteSummary) -> Vec<String> {
    submission
        .photos
        .iter()
        .filter_map(|p| {
            let tag = format!("-{}.", &p.hash[..8.min(p.hash.len())]);
            summary
                .photos
                .iter()
                .find(|r| r.photo.file.contains(&tag))
                .map(|r| r.photo.file.clone())
        })
        .collect()
}

/// The team a volunteer's work counts for: their active team taking part in the campaign,
/// else their first active team.
fn credited_team(
    tx: &Transaction,
    volunteer: &str,
    campaign: Option<&Campaign>,
) -> rusqlite::Result<Option<i64>> {
    let teams = crate::teams::active_teams(tx, volunteer)?;
    let taking_part = campaign.map(|c| c.teams.clone()).unwrap_or_default();
    Ok(teams
        .iter()
        .copied()
        .find(|t| taking_part.contains(t))
        .or_else(|| teams.first().copied()))
}

impl Campaigns {
    /// Links a submission just sent to the task its volunteer holds (or, for a new site, to
    /// the campaign it was proposed in). Returns the campaigns it was linked to.
    pub fn link(
        &self,
        submission: &Submission,
        proposed_in: Option<&Campaign>,
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, CampaignError> {
        self.db()
            .write(|tx| Ok(tasks::link(tx, submission, proposed_in, now)?))
    }

    /// Records an approval of the site `id` (as the catalog now shows it): the site's new
    /// facts, the credit, the tasks settled, and the figures of every campaign it is in.
    pub fn approved(
        &self,
        submission: &Submission,
        id: &str,
        summary: &SiteSummary,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<(), CampaignError> {
        let facts = SiteFacts::of_summary(id, summary);
        let files = published_files(submission, summary);
        self.db().write(|tx| {
            sites::upsert(tx, &facts, &summary.former_ids)?;
            let linked: Option<i64> = tx
                .query_row(
                    "SELECT campaign FROM task_submissions WHERE submission = ?1",
                    [&submission.id],
                    |r| r.get(0),
                )
                .ok();
            let campaign = match linked {
                Some(id) => super::read(tx, id)?,
                None => None,
            };
            let team = credited_team(tx, &submission.submitter, campaign.as_ref())?;
            tx.execute(
                "INSERT OR IGNORE INTO contributions (submission, volunteer, kind, site,
                 site_name, photos, photo_files, approved, approved_by, campaign, team)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    submission.id,
                    submission.submitter,
                    tasks::kind_of(&submission.proposal),
                    id,
                    summary.name,
                    submission.photos.len() as u32,
                    files.join(";"),
                    secs(now),
                    by,
                    linked,
                    team
                ],
            )?;
            let mut touched = tasks::approved(tx, &submission.id, &facts, by, now)?;
            touched.extend(
                tx.prepare_cached("SELECT DISTINCT campaign FROM tasks WHERE site = ?1")?
                    .query_map([id], |r| r.get::<_, i64>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()?,
            );
            touched.sort_unstable();
            touched.dedup();
            for id in touched {
                if let Some(campaign) = super::read(tx, id)? {
                    figures::snapshot(tx, &campaign, now)?;
                }
            }
            Ok(())
        })
    }

    /// Records a rejection: linked tasks go back to the pool with the reason.
    pub fn rejected(
        &self,
        submission: &Submission,
        reason: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<(), CampaignError> {
        self.db().write(|tx| {
            tasks::rejected(tx, &submission.id, reason, by, now)?;
            Ok(())
        })
    }

    /// Settles the linked submissions whose decision never reached the private database (the
    /// server stopped between the two). `summary_of` gives a published site's summary.
    pub fn reconcile(
        &self,
        inbox: &Inbox,
        summary_of: impl Fn(&str) -> Option<SiteSummary>,
    ) -> Result<usize, CampaignError> {
        let waiting: Vec<String> = self.db().read(|tx| {
            Ok::<_, CampaignError>(
                tx.prepare_cached(
                    "SELECT submission FROM task_submissions WHERE status = 'pending'",
                )?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?,
            )
        })?;
        let mut settled = 0;
        for id in waiting {
            let Ok(submission) = inbox.get(&id) else {
                continue;
            };
            let Some(review) = &submission.review else {
                continue;
            };
            match submission.status {
                Status::Pending => {}
                Status::Rejected => {
                    let reason = review.reason.clone().unwrap_or_default();
                    self.rejected(&submission, &reason, &review.moderator, review.at)?;
                    settled += 1;
                }
                Status::Approved => {
                    let id = review.site_id.as_deref().or(submission.proposal.site_id());
                    if let Some((id, summary)) = id.and_then(|id| Some((id, summary_of(id)?))) {
                        self.approved(&submission, id, &summary, &review.moderator, review.at)?;
                        settled += 1;
                    }
                }
            }
        }
        Ok(settled)
    }

    /// The newest approved work of a campaign.
    pub fn recent_work(
        &self,
        campaign: &Campaign,
        limit: usize,
    ) -> Result<Vec<Credit>, CampaignError> {
        self.db().read(|tx| {
            Ok(tx
                .prepare_cached(&format!(
                    "SELECT {CREDIT_COLUMNS} FROM contributions c LEFT JOIN teams tm ON tm.id = c.team
                     WHERE c.campaign = ?1 ORDER BY c.approved DESC, c.submission DESC LIMIT ?2"
                ))?
                .query_map(params![campaign.id, limit as i64], credit_row)?
                .collect::<rusqlite::Result<_>>()?)
        })
    }

    /// The newest approved work credited to a team (what its public page shows).
    pub fn team_work(&self, team: i64, limit: usize) -> Result<Vec<Credit>, CampaignError> {
        self.db().read(|tx| {
            Ok(tx
                .prepare_cached(&format!(
                    "SELECT {CREDIT_COLUMNS} FROM contributions c LEFT JOIN teams tm ON tm.id = c.team
                     WHERE c.team = ?1 ORDER BY c.approved DESC, c.submission DESC LIMIT ?2"
                ))?
                .query_map(params![team, limit as i64], credit_row)?
                .collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Approved work matching a report's query, oldest first.
    pub fn credits(&self, query: &CreditQuery) -> Result<Vec<Credit>, CampaignError> {
        let from = query.from.map_or(i64::MIN, day_start);
        let to = query
            .to
            .map_or(i64::MAX, |d| day_start(d.succ_opt().unwrap_or(d)));
        self.db().read(|tx| {
            let rows: Vec<Credit> = tx
                .prepare_cached(&format!(
                    "SELECT {CREDIT_COLUMNS} FROM contributions c LEFT JOIN teams tm ON tm.id = c.team
                     WHERE (?1 IS NULL OR c.campaign = ?1) AND c.approved >= ?2 AND c.approved < ?3
                     ORDER BY c.approved, c.submission"
                ))?
                .query_map(params![query.campaign, from, to], credit_row)?
                .collect::<rusqlite::Result<_>>()?;
            Ok(rows
                .into_iter()
                .filter(|c| {
                    query.teams.is_empty() || c.team.is_some_and(|t| query.teams.contains(&t))
                })
                .collect())
        })
    }

    /// A volunteer's own view: what they hold, what waits for review, what was approved and
    /// rejected (with reasons), and what was done to their tasks by others.
    pub fn mine(&self, user: &str) -> Result<MyWork, CampaignError> {
        self.db().read(|tx| {
            let held = tx
                .prepare_cached(&format!(
                    "SELECT c.slug, c.title, t.state, t.expires, t.assigned_by, {}
                     FROM tasks t JOIN campaigns c ON c.id = t.campaign
                     JOIN sites s ON s.id = t.site
                     WHERE t.holder = ?1 AND t.state IN ('claimed', 'review')
                     ORDER BY t.expires",
                    sites::COLUMNS
                ))?
                .query_map([user], |r| {
                    Ok(HeldTask {
                        campaign: r.get(0)?,
                        campaign_title: r.get(1)?,
                        state: r.get(2)?,
                        expires: r.get::<_, Option<i64>>(3)?.map(time),
                        assigned_by: r.get(4)?,
                        site: sites::from_row(r, 5)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            let sent = tx
                .prepare_cached(
                    "SELECT ts.submission, c.slug, c.title, ts.site, s.name, ts.kind, ts.status,
                     ts.reason, ts.created, ts.decided
                     FROM task_submissions ts JOIN campaigns c ON c.id = ts.campaign
                     LEFT JOIN sites s ON s.id = ts.site
                     WHERE ts.volunteer = ?1 ORDER BY ts.created DESC LIMIT 200",
                )?
                .query_map([user], |r| {
                    Ok(Sent {
                        submission: r.get(0)?,
                        campaign: r.get(1)?,
                        campaign_title: r.get(2)?,
                        site: r.get(3)?,
                        site_name: r.get(4)?,
                        kind: r.get(5)?,
                        status: r.get(6)?,
                        reason: r.get(7)?,
                        created: time(r.get(8)?),
                        decided: r.get::<_, Option<i64>>(9)?.map(time),
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            let notices = crate::private_db::user_events(tx, user, 30)?
                .into_iter()
                .filter(|e| e.actor != user)
                .collect();
            Ok(MyWork {
                held,
                sent,
                notices,
            })
        })
    }
}

/// A task a volunteer holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeldTask {
    pub campaign: String,
    pub campaign_title: String,
    pub state: String,
    pub expires: Option<DateTime<Utc>>,
    pub assigned_by: Option<String>,
    pub site: SiteFacts,
}

/// Work a volunteer sent for a campaign.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sent {
    pub submission: String,
    pub campaign: String,
    pub campaign_title: String,
    pub site: Option<String>,
    pub site_name: Option<String>,
    pub kind: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub reason: Option<String>,
    pub created: DateTime<Utc>,
    pub decided: Option<DateTime<Utc>>,
}

/// Everything the per-volunteer page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MyWork {
    pub held: Vec<HeldTask>,
    pub sent: Vec<Sent>,
    /// Changes others (or the server) made to the volunteer's tasks and teams.
    pub notices: Vec<Event>,
}

/// A CSV of approved work: one row per contribution.
pub fn credits_csv(credits: &[Credit], campaign_slug: &str) -> Vec<u8> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let _ = out.write_record([
        "approved",
        "volunteer",
        "team",
        "campaign",
        "kind",
        "site",
        "site_name",
        "photos",
        "photo_files",
        "approved_by",
        "submission",
    ]);
    for c in credits {
        let _ = out.write_record([
            crate::private_db::vietnam(c.approved)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            c.volunteer.clone(),
            c.team_name.clone().unwrap_or_default(),
            if c.campaign.is_some() {
                campaign_slug.to_owned()
            } else {
                String::new()
            },
            c.kind.clone(),
            c.site.clone(),
            c.site_name.clone(),
            c.photos.to_string(),
            c.photo_files.join(";"),
            c.approved_by.clone(),
            c.submission.clone(),
        ]);
    }
    out.into_inner().unwrap_or_default()
}

/// A CSV of figures: one row per unit (`campaign`, each commune, each team) with counts and
/// percentages.
pub fn figures_csv(rows: &[(String, String, String, figures::Tally)], day: &str) -> Vec<u8> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let _ = out.write_record([
        "day",
        "unit",
        "code",
        "name",
        "sites",
        "with_photo",
        "with_precise_position",
        "with_description",
        "with_sources",
        "done",
        "with_photo_pct",
        "with_precise_position_pct",
        "with_description_pct",
        "with_sources_pct",
        "done_pct",
    ]);
    for (unit, code, name, t) in rows {
        let pct = |n: u32| format!("{:.1}", t.percent(n));
        let _ = out.write_record([
            day.to_owned(),
            unit.clone(),
            code.clone(),
            name.clone(),
            t.sites.to_string(),
            t.photo.to_string(),
            t.precise.to_string(),
            t.described.to_string(),
            t.sourced.to_string(),
            t.done.to_string(),
            pct(t.photo),
            pct(t.precise),
            pct(t.described),
            pct(t.sourced),
            pct(t.done),
        ]);
    }
    out.into_inner().unwrap_or_default()
}
