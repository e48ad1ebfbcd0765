//! What campaigns know of each published site: a compact summary (commune, type, level,
//! position, and whether it has photos, a precise position, a description and sources), kept
//! in the private database beside the tasks so that scopes and figures are queries, not walks
//! of the archive, and memory stays flat however many sites there are.
//!
//! The summaries follow the catalog: [`sync`] compares every published site's catalog summary with what is
//! stored (by a hash of its facts) when the server starts, and [`upsert`] takes one site as
//! soon as a moderated change is published. A task whose site has left the archive is closed
//! as `gone` — or, when another site now lists its id among its former ids (a rename or a
//! merge), moved to that site — with its holder told and every move in the history.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

use crate::ingest::summary::SiteSummary;
use crate::moderation::needs_help::{HelpSite, Need, needs};
use crate::private_db::{Event, SYSTEM};
use crate::teams::communes;

/// One published site as campaigns see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteFacts {
    pub id: String,
    pub name: String,
    /// Current province, short name.
    pub province: Option<String>,
    /// Current commune code.
    pub commune: Option<String>,
    pub site_type: Option<String>,
    pub level: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub photos: u32,
    /// A position better than an administrative unit's centre.
    pub precise: bool,
    pub described: bool,
    pub sourced: bool,
}

impl SiteFacts {
    /// The facts of the published site `id` as its summary (what the catalog holds) gives
    /// them: a site without a position of its own is at its first photo's GPS.
    pub fn of_summary(id: &str, summary: &SiteSummary) -> SiteFacts {
        let lacks = needs(&HelpSite::of_summary(id, summary));
        let commune = communes::of_summary(summary);
        let (lat, lon) = summary.position.unzip();
        SiteFacts {
            id: id.to_owned(),
            name: summary.name.clone(),
            province: summary
                .province
                .clone()
                .or_else(|| commune.as_ref().map(|c| c.province.clone())),
            commune: commune.map(|c| c.code),
            site_type: summary.site_type.as_ref().map(|t| t.code().to_owned()),
            level: summary.level.code().to_owned(),
            lat,
            lon,
            photos: summary.listed_photos as u32,
            precise: !lacks.contains(&Need::Position) && !lacks.contains(&Need::PrecisePosition),
            described: !lacks.contains(&Need::Description),
            sourced: summary.sources > 0,
        }
    }

    /// Identifies this summary's content: only sites whose summary changed are written.
    fn hash(&self) -> String {
        let bytes = serde_json::to_vec(self).expect("facts always serialise");
        blake3::hash(&bytes).to_hex()[..16].to_owned()
    }

    pub fn position(&self) -> Option<(f64, f64)> {
        self.lat.zip(self.lon)
    }
}

/// The columns [`from_row`] reads, prefixed with the table alias `s`.
pub const COLUMNS: &str = "s.id, s.name, s.province, s.commune, s.type, s.level, s.lat, s.lon, \
     s.photos, s.precise, s.described, s.sourced";

/// Reads [`COLUMNS`] starting at column `at`.
pub fn from_row(r: &rusqlite::Row, at: usize) -> rusqlite::Result<SiteFacts> {
    Ok(SiteFacts {
        id: r.get(at)?,
        name: r.get(at + 1)?,
        province: r.get(at + 2)?,
        commune: r.get(at + 3)?,
        site_type: r.get(at + 4)?,
        level: r.get(at + 5)?,
        lat: r.get(at + 6)?,
        lon: r.get(at + 7)?,
        photos: r.get(at + 8)?,
        precise: r.get(at + 9)?,
        described: r.get(at + 10)?,
        sourced: r.get(at + 11)?,
    })
}

/// One site's summary, if it is published.
pub fn get(tx: &Transaction, id: &str) -> rusqlite::Result<Option<SiteFacts>> {
    tx.prepare_cached(&format!("SELECT {COLUMNS} FROM sites s WHERE s.id = ?1"))?
        .query_row([id], |r| from_row(r, 0))
        .optional()
}

/// Writes one site's summary (and its former ids); true when it changed.
pub fn upsert(
    tx: &Transaction,
    facts: &SiteFacts,
    former_ids: &[String],
) -> rusqlite::Result<bool> {
    let hash = facts.hash();
    let stored: Option<String> = tx
        .prepare_cached("SELECT hash FROM sites WHERE id = ?1")?
        .query_row([&facts.id], |r| r.get(0))
        .optional()?;
    for former in former_ids {
        tx.prepare_cached("INSERT OR REPLACE INTO former_ids (former, site) VALUES (?1, ?2)")?
            .execute(params![former, facts.id])?;
    }
    if stored.as_deref() == Some(hash.as_str()) {
        return Ok(false);
    }
    tx.prepare_cached(
        "INSERT OR REPLACE INTO sites (id, name, name_key, province, commune, type, level, lat,
         lon, photos, precise, described, sourced, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        facts.id,
        facts.name,
        crate::fold::key(&facts.name),
        facts.province,
        facts.commune,
        facts.site_type,
        facts.level,
        facts.lat,
        facts.lon,
        facts.photos,
        facts.precise,
        facts.described,
        facts.sourced,
        hash
    ])?;
    Ok(true)
}

/// What [`sync`] changed.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct SyncReport {
    pub sites: usize,
    pub changed: usize,
    /// Sites that left the archive.
    pub removed: usize,
    /// Tasks moved to the site that now holds their old id.
    pub tasks_moved: usize,
    /// Tasks closed because their site is gone.
    pub tasks_gone: usize,
}

/// Brings the summaries in step with every published site (id and catalog summary).
pub fn sync<'a>(
    tx: &Transaction,
    published: impl IntoIterator<Item = (&'a str, &'a SiteSummary)>,
    now: DateTime<Utc>,
) -> rusqlite::Result<SyncReport> {
    let mut report = SyncReport::default();
    let mut stale: HashSet<String> = tx
        .prepare("SELECT id FROM sites")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    tx.execute("DELETE FROM former_ids", [])?;
    for (id, summary) in published {
        report.sites += 1;
        stale.remove(id);
        if upsert(tx, &SiteFacts::of_summary(id, summary), &summary.former_ids)? {
            report.changed += 1;
        }
    }
    for id in &stale {
        tx.execute("DELETE FROM sites WHERE id = ?1", [id])?;
        report.removed += 1;
        let successor: Option<String> = tx
            .query_row("SELECT site FROM former_ids WHERE former = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        match successor {
            Some(to) => report.tasks_moved += move_tasks(tx, id, &to, now)?,
            None => report.tasks_gone += close_tasks(tx, id, now)?,
        }
    }
    Ok(report)
}

/// Closes every live task of a site that left the archive; the holder's claim ends with a
/// note they can read. Their submissions stay in the inbox for the moderators.
fn close_tasks(tx: &Transaction, site: &str, now: DateTime<Utc>) -> rusqlite::Result<usize> {
    let tasks = live_tasks(tx, site)?;
    for (campaign, holder) in &tasks {
        tx.execute(
            "UPDATE tasks SET state = 'gone', holder = NULL, claimed = NULL, expires = NULL,
             note = 'removed from the archive' WHERE campaign = ?1 AND site = ?2",
            params![campaign, site],
        )?;
        let mut event = Event::new(now, SYSTEM, "site_removed")
            .task(*campaign, site)
            .detail("the site was removed from the archive; its task is closed");
        if let Some(holder) = holder {
            event = event.subject(holder);
        }
        event.log(tx)?;
    }
    Ok(tasks.len())
}

/// Moves the tasks of `from` (renamed, or merged into another site) to `to`. Where the
/// campaign already has a task for `to`, the old one is closed and its claim carried over
/// when the surviving task is free.
fn move_tasks(
    tx: &Transaction,
    from: &str,
    to: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<usize> {
    let tasks = live_tasks(tx, from)?;
    for (campaign, holder) in &tasks {
        let existing: Option<String> = tx
            .query_row(
                "SELECT state FROM tasks WHERE campaign = ?1 AND site = ?2",
                params![campaign, to],
                |r| r.get(0),
            )
            .optional()?;
        let detail;
        match existing {
            None => {
                tx.execute(
                    "UPDATE tasks SET site = ?3 WHERE campaign = ?1 AND site = ?2",
                    params![campaign, from, to],
                )?;
                detail = format!("the site `{from}` is now `{to}`; the task moved with it");
            }
            Some(state) => {
                let old: (String, Option<i64>, Option<i64>) = tx.query_row(
                    "SELECT state, claimed, expires FROM tasks WHERE campaign = ?1 AND site = ?2",
                    params![campaign, from],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )?;
                tx.execute(
                    "UPDATE tasks SET state = 'gone', holder = NULL, claimed = NULL,
                     expires = NULL, note = ?3 WHERE campaign = ?1 AND site = ?2",
                    params![campaign, from, format!("merged into {to}")],
                )?;
                if state == "open" && holder.is_some() {
                    tx.execute(
                        "UPDATE tasks SET state = ?3, holder = ?4, claimed = ?5, expires = ?6
                         WHERE campaign = ?1 AND site = ?2",
                        params![campaign, to, old.0, holder, old.1, old.2],
                    )?;
                    detail = format!("`{from}` was merged into `{to}`; the claim moved to it");
                } else {
                    detail = format!("`{from}` was merged into `{to}`, which already had a task");
                }
            }
        }
        tx.execute(
            "UPDATE task_submissions SET site = ?3 WHERE campaign = ?1 AND site = ?2",
            params![campaign, from, to],
        )?;
        let mut event = Event::new(now, SYSTEM, "site_merged")
            .task(*campaign, to)
            .detail(detail);
        if let Some(holder) = holder {
            event = event.subject(holder);
        }
        event.log(tx)?;
    }
    Ok(tasks.len())
}

/// (campaign, holder) of the tasks of a site that are not closed.
fn live_tasks(tx: &Transaction, site: &str) -> rusqlite::Result<Vec<(i64, Option<String>)>> {
    tx.prepare_cached(
        "SELECT campaign, holder FROM tasks WHERE site = ?1 AND state NOT IN ('gone')",
    )?
    .query_map([site], |r| Ok((r.get(0)?, r.get(1)?)))?
    .collect()
}

/// Every site summary, streamed to `visit` (scopes are evaluated this way).
pub fn each(tx: &Transaction, mut visit: impl FnMut(SiteFacts)) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare(&format!("SELECT {COLUMNS} FROM sites s"))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        visit(from_row(row, 0)?);
    }
    Ok(())
}

/// Site ids by former id, for explicit lists that name a site by an old id.
pub fn current_ids(tx: &Transaction, ids: &[String]) -> rusqlite::Result<Vec<String>> {
    let mut out = Vec::with_capacity(ids.len());
    let mut seen = HashMap::new();
    for id in ids {
        let current: Option<String> = tx
            .query_row("SELECT site FROM former_ids WHERE former = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        let id = current.unwrap_or_else(|| id.clone());
        if seen.insert(id.clone(), ()).is_none() {
            out.push(id);
        }
    }
    Ok(out)
}
