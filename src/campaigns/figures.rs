//! A campaign's figures: of its sites, how many have a photo, a precise position, a
//! description, sources, and how many are done — for the whole campaign, by commune and by
//! team (a team counts the sites of its communes).
//!
//! Figures are computed in the database (one grouped query over the campaign's live tasks)
//! whenever something that moves them happens — a campaign made or changed, an approval, the
//! sites synchronised at start-up — and stored as the day's **snapshot** (Vietnam's calendar
//! day; a later change the same day replaces it). Pages and reports read snapshots, so they
//! cost a few hundred rows, and a past day's figures are the last snapshot on or before it.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Transaction, params};
use serde::Serialize;

use super::{Campaign, CampaignError, Campaigns, tasks};
use crate::private_db::day_of;

/// Counts over a set of sites.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub sites: u32,
    pub photo: u32,
    pub precise: u32,
    pub described: u32,
    pub sourced: u32,
    pub done: u32,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.sites += other.sites;
        self.photo += other.photo;
        self.precise += other.precise;
        self.described += other.described;
        self.sourced += other.sourced;
        self.done += other.done;
    }

    /// `part` of the sites, in percent (0 without sites).
    pub fn percent(&self, part: u32) -> f64 {
        if self.sites == 0 {
            0.0
        } else {
            f64::from(part) * 100.0 / f64::from(self.sites)
        }
    }
}

/// A campaign's figures on one day.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Figures {
    /// The day of the snapshot these come from.
    pub day: Option<NaiveDate>,
    pub total: Tally,
    /// By current commune code.
    pub communes: BTreeMap<String, Tally>,
    /// By team id.
    pub teams: BTreeMap<i64, Tally>,
}

/// The figures as they are now, from the tasks and site summaries.
pub fn compute(tx: &Transaction, campaign: &Campaign) -> rusqlite::Result<Figures> {
    let done = tasks::done_sql(&campaign.done);
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT coalesce(s.commune, ''), count(*), sum(s.photos > 0), sum(s.precise),
         sum(s.described), sum(s.sourced), sum({done})
         FROM tasks t JOIN sites s ON s.id = t.site
         WHERE t.campaign = ?1 AND t.state IN ('open', 'claimed', 'review')
         GROUP BY s.commune"
    ))?;
    let mut figures = Figures::default();
    let rows = stmt.query_map([campaign.id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            Tally {
                sites: r.get(1)?,
                photo: r.get(2)?,
                precise: r.get(3)?,
                described: r.get(4)?,
                sourced: r.get(5)?,
                done: r.get(6)?,
            },
        ))
    })?;
    for row in rows {
        let (commune, tally) = row?;
        figures.total.add(&tally);
        figures.communes.insert(commune, tally);
    }
    let teams: Vec<(i64, String)> = if campaign.teams.is_empty() {
        tx.prepare_cached("SELECT team, commune FROM team_communes")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?
    } else {
        tx.prepare_cached(
            "SELECT tc.team, tc.commune FROM team_communes tc
             JOIN campaign_teams ct ON ct.team = tc.team WHERE ct.campaign = ?1",
        )?
        .query_map([campaign.id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?
    };
    for (team, commune) in teams {
        if let Some(tally) = figures.communes.get(&commune) {
            figures.teams.entry(team).or_default().add(tally);
        }
    }
    for team in &campaign.teams {
        figures.teams.entry(*team).or_default();
    }
    Ok(figures)
}

/// Stores today's snapshot of a campaign (replacing an earlier one of the same day).
pub fn snapshot(tx: &Transaction, campaign: &Campaign, now: DateTime<Utc>) -> rusqlite::Result<()> {
    let figures = compute(tx, campaign)?;
    let day = day_of(now).to_string();
    tx.execute(
        "UPDATE campaigns SET figures_version = figures_version + 1 WHERE id = ?1",
        [campaign.id],
    )?;
    tx.execute(
        "DELETE FROM snapshots WHERE campaign = ?1 AND day = ?2",
        params![campaign.id, day],
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO snapshots (campaign, day, unit, sites, photo, precise, described, sourced,
         done) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    let units = std::iter::once((String::new(), figures.total))
        .chain(figures.communes.iter().map(|(c, t)| (format!("c:{c}"), *t)))
        .chain(
            figures
                .teams
                .iter()
                .map(|(t, tally)| (format!("t:{t}"), *tally)),
        );
    for (unit, t) in units {
        insert.execute(params![
            campaign.id,
            day,
            unit,
            t.sites,
            t.photo,
            t.precise,
            t.described,
            t.sourced,
            t.done
        ])?;
    }
    Ok(())
}

/// The figures of the last snapshot on or before `day`.
pub fn at(tx: &Transaction, campaign: i64, day: NaiveDate) -> rusqlite::Result<Figures> {
    let found: Option<String> = tx
        .prepare_cached("SELECT max(day) FROM snapshots WHERE campaign = ?1 AND day <= ?2")?
        .query_row(params![campaign, day.to_string()], |r| r.get(0))?;
    let Some(found) = found else {
        return Ok(Figures::default());
    };
    let mut figures = Figures {
        day: found.parse().ok(),
        ..Figures::default()
    };
    let mut stmt = tx.prepare_cached(
        "SELECT unit, sites, photo, precise, described, sourced, done FROM snapshots
         WHERE campaign = ?1 AND day = ?2",
    )?;
    let rows = stmt.query_map(params![campaign, found], |r| {
        Ok((r.get::<_, String>(0)?, tally_row(r, 1)?))
    })?;
    for row in rows {
        let (unit, tally) = row?;
        if unit.is_empty() {
            figures.total = tally;
        } else if let Some(commune) = unit.strip_prefix("c:") {
            figures.communes.insert(commune.to_owned(), tally);
        } else if let Some(team) = unit.strip_prefix("t:").and_then(|t| t.parse().ok()) {
            figures.teams.insert(team, tally);
        }
    }
    Ok(figures)
}

fn tally_row(r: &rusqlite::Row, at: usize) -> rusqlite::Result<Tally> {
    Ok(Tally {
        sites: r.get(at)?,
        photo: r.get(at + 1)?,
        precise: r.get(at + 2)?,
        described: r.get(at + 3)?,
        sourced: r.get(at + 4)?,
        done: r.get(at + 5)?,
    })
}

/// The whole campaign's figures, one per day that has a snapshot, oldest first.
pub fn series(tx: &Transaction, campaign: i64) -> rusqlite::Result<Vec<(NaiveDate, Tally)>> {
    tx.prepare_cached(
        "SELECT day, sites, photo, precise, described, sourced, done FROM snapshots
         WHERE campaign = ?1 AND unit = '' ORDER BY day",
    )?
    .query_map([campaign], |r| {
        let day: String = r.get(0)?;
        Ok((day, tally_row(r, 1)?))
    })?
    .filter_map(|row| match row {
        Ok((day, tally)) => day.parse().ok().map(|d| Ok((d, tally))),
        Err(e) => Some(Err(e)),
    })
    .collect()
}

impl Campaigns {
    /// The figures as of `day` (today's when `None`).
    pub fn figures(
        &self,
        campaign: &Campaign,
        day: Option<NaiveDate>,
        now: DateTime<Utc>,
    ) -> Result<Figures, CampaignError> {
        let day = day.unwrap_or_else(|| day_of(now));
        self.db().read(|tx| Ok(at(tx, campaign.id, day)?))
    }

    /// The daily series of the whole campaign's figures, for the progress chart.
    pub fn series(&self, campaign: &Campaign) -> Result<Vec<(NaiveDate, Tally)>, CampaignError> {
        self.db().read(|tx| Ok(series(tx, campaign.id)?))
    }

    /// Takes today's snapshot of every campaign (the daily tick: the chart gets a point even
    /// on a day without changes).
    pub fn snapshot_all(&self, now: DateTime<Utc>) -> Result<(), CampaignError> {
        self.db().write(|tx| {
            for campaign in super::all(tx)? {
                snapshot(tx, &campaign, now)?;
            }
            Ok(())
        })
    }
}
