//! `disan user import FILE.csv`: accounts and team memberships from the lists a province
//! already has — 20,000 volunteers in 4,500 teams need no one typing them in.
//!
//! The file has a header row with `name` (required), `team` and `role` (`volunteer` when
//! blank); other columns (phone numbers, schools) are ignored and said so. Every row is
//! reported, and a bad row never stops the others. New accounts get a one-time password
//! (printed, or written to a file readable by its owner only) that must be replaced at the
//! first login; teams that do not exist yet are made, led by the rows whose role is `leader`.
//! Importing the same file again changes nothing and prints no password: existing accounts are
//! never altered (a different role in the file is reported, not applied).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Teams, add_member_in, check_name, insert_team};
use crate::accounts::{
    AccountsError, NewUser, Role, UserStore, generate_password, validate_user_name,
};
use crate::fold;
use crate::private_db::Event;

/// Who made the teams and memberships an import creates, in their history.
pub const IMPORTER: &str = "disan user import";

/// What happened to one row.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Created,
    /// The account existed; memberships may still have been added.
    Unchanged,
    Rejected,
}

/// One row's line of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowReport {
    pub line: u64,
    pub name: String,
    pub outcome: Outcome,
    /// Why a row was rejected, or what was noticed about an accepted one.
    pub notes: Vec<String>,
}

/// A new account's first password, to hand to its owner once.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OneTimePassword {
    pub name: String,
    pub team: String,
    pub role: Role,
    pub password: String,
}

/// What an import did.
#[derive(Debug, Default, Serialize)]
pub struct RosterReport {
    pub rows: Vec<RowReport>,
    pub created: usize,
    pub unchanged: usize,
    pub rejected: usize,
    pub teams_created: Vec<String>,
    pub memberships_added: usize,
    /// Columns other than `name`, `team` and `role`, ignored.
    pub ignored_columns: Vec<String>,
    pub passwords: Vec<OneTimePassword>,
}

/// Why a roster could not be read at all (a bad row is only a line of the report).
#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    #[error("{}: {source} — check the file name", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {source} — save it as UTF-8 CSV with a header row", path.display())]
    Csv {
        path: PathBuf,
        #[source]
        source: csv::Error,
    },
    #[error("{}: has no `name` column — the header row must name the columns: name,team,role", path.display())]
    NoNameColumn { path: PathBuf },
    #[error(transparent)]
    Accounts(#[from] AccountsError),
    #[error(transparent)]
    Teams(#[from] super::TeamError),
}

struct Row {
    name: String,
    team: Option<String>,
    role: Role,
}

/// Imports a roster file; with `dry_run`, reports what would happen and writes nothing.
pub fn import(
    path: &Path,
    users: &UserStore,
    teams: &Teams,
    dry_run: bool,
    now: DateTime<Utc>,
) -> Result<RosterReport, RosterError> {
    let mut report = RosterReport::default();
    let rows = read(path, &mut report)?;
    let existing: HashMap<String, Role> = users
        .list()?
        .into_iter()
        .map(|u| (u.name, u.role))
        .collect();
    let mut fresh: Vec<(usize, NewUser)> = Vec::new();
    let mut accepted: Vec<&Row> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let Some(row) = row else { continue };
        match existing.get(&row.name) {
            Some(&role) => {
                if role != row.role {
                    report.rows[i].notes.push(format!(
                        "the account is a {role}, the file says {}: not changed",
                        row.role
                    ));
                }
                accepted.push(row);
            }
            None => fresh.push((
                i,
                NewUser {
                    name: row.name.clone(),
                    role: row.role,
                    password: generate_password()?,
                    one_time: true,
                },
            )),
        }
    }
    if dry_run {
        for (i, _) in &fresh {
            report.rows[*i].outcome = Outcome::Created;
            accepted.extend(rows[*i].as_ref());
        }
    } else {
        let batch: Vec<NewUser> = fresh.iter().map(|(_, n)| n.clone()).collect();
        let outcomes = users.add_many(&batch, now)?;
        for ((i, new), outcome) in fresh.iter().zip(outcomes) {
            match outcome {
                Ok(user) => {
                    report.rows[*i].outcome = Outcome::Created;
                    let row = rows[*i].as_ref().expect("only accepted rows are created");
                    report.passwords.push(OneTimePassword {
                        name: user.name,
                        team: row.team.clone().unwrap_or_default(),
                        role: user.role,
                        password: new.password.clone(),
                    });
                    accepted.push(row);
                }
                Err(err) => {
                    report.rows[*i].outcome = Outcome::Rejected;
                    report.rows[*i].notes.push(err.to_string());
                }
            }
        }
    }
    memberships(teams, &accepted, &mut report, dry_run, now)?;
    for row in &report.rows {
        match row.outcome {
            Outcome::Created => report.created += 1,
            Outcome::Unchanged => report.unchanged += 1,
            Outcome::Rejected => report.rejected += 1,
        }
    }
    Ok(report)
}

/// Makes the missing teams and memberships of the accepted rows, in one transaction.
fn memberships(
    teams: &Teams,
    accepted: &[&Row],
    report: &mut RosterReport,
    dry_run: bool,
    now: DateTime<Utc>,
) -> Result<(), RosterError> {
    let db = teams.db();
    let sql = |e| super::TeamError::Db(db.error(e));
    let change = |tx: &rusqlite::Transaction| {
        let mut by_key: HashMap<String, i64> = HashMap::new();
        {
            let mut stmt = tx.prepare("SELECT id, name FROM teams").map_err(sql)?;
            let found = stmt
                .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
                .map_err(sql)?;
            for team in found {
                let (id, name) = team.map_err(sql)?;
                by_key.insert(fold::lower(&name), id);
            }
        }
        let mut created = Vec::new();
        let mut added = 0;
        // Leaders first, so a new team is made (and logged) by the rows that lead it.
        let mut order: Vec<&Row> = accepted.to_vec();
        order.sort_by_key(|r| r.role != Role::Leader);
        for row in order {
            let Some(team) = &row.team else { continue };
            let key = fold::lower(team);
            let id = match by_key.get(&key) {
                Some(&id) => id,
                None => {
                    let id = insert_team(tx, team, false, IMPORTER, now).map_err(sql)?;
                    Event::new(now, IMPORTER, "team_created")
                        .team(id)
                        .detail(team.clone())
                        .log(tx)
                        .map_err(sql)?;
                    by_key.insert(key, id);
                    created.push(team.clone());
                    id
                }
            };
            let leader = row.role == Role::Leader;
            if add_member_in(tx, id, &row.name, leader, IMPORTER, now).map_err(sql)? {
                added += 1;
            }
        }
        Ok::<_, super::TeamError>((created, added))
    };
    // A dry run makes the same changes in a transaction that is then thrown away.
    let (created, added) = if dry_run {
        db.rehearse(change)?
    } else {
        db.write(change)?
    };
    report.teams_created = created;
    report.memberships_added = added;
    Ok(())
}

/// Reads the rows, rejecting (in the report) those that cannot be accounts.
/// Rows and report lines share indexes; a rejected row is `None`.
fn read(path: &Path, report: &mut RosterReport) -> Result<Vec<Option<Row>>, RosterError> {
    let csv_error = |source| RosterError::Csv {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(|source| RosterError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(std::io::BufReader::new(file));
    let headers = reader.headers().map_err(csv_error)?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| fold::key(h.trim_start_matches('\u{feff}')) == name)
    };
    let name_at = column("name").ok_or_else(|| RosterError::NoNameColumn {
        path: path.to_path_buf(),
    })?;
    let (team_at, role_at) = (column("team"), column("role"));
    report.ignored_columns = headers
        .iter()
        .enumerate()
        .filter(|(i, _)| ![Some(name_at), team_at, role_at].contains(&Some(*i)))
        .map(|(_, h)| h.to_owned())
        .collect();
    let mut rows = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let line = record.position().map_or(0, |p| p.line());
        let cell = |at: Option<usize>| {
            at.and_then(|i| record.get(i))
                .map(fold::nfc)
                .filter(|v| !v.trim().is_empty())
        };
        let given = cell(Some(name_at)).unwrap_or_default();
        if given.is_empty() && record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut problems = Vec::new();
        let name = validate_user_name(&given).map_err(|e| problems.push(e.to_string()));
        let role = match cell(role_at) {
            None => Ok(Role::Volunteer),
            Some(text) => text
                .parse::<Role>()
                .map_err(|e| problems.push(e.to_string())),
        };
        let team = match cell(team_at) {
            None => Ok(None),
            Some(text) => check_name(&text)
                .map(Some)
                .map_err(|e| problems.push(format!("team: {e}"))),
        };
        if let Ok(name) = &name
            && let Some(first) = seen.get(name)
        {
            problems.push(format!(
                "`{name}` is already on line {first} — one row per person"
            ));
        }
        let accepted = problems.is_empty();
        report.rows.push(RowReport {
            line,
            name: name.clone().unwrap_or(given),
            outcome: if accepted {
                Outcome::Unchanged
            } else {
                Outcome::Rejected
            },
            notes: problems,
        });
        rows.push(match (name, role, team) {
            (Ok(name), Ok(role), Ok(team)) if accepted => {
                seen.insert(name.clone(), line);
                Some(Row { name, team, role })
            }
            _ => None,
        });
    }
    Ok(rows)
}

/// Writes the one-time passwords as CSV (`name,team,role,password`), readable by the owner
/// only and replaced atomically.
pub fn write_passwords(path: &Path, passwords: &[OneTimePassword]) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(["name", "team", "role", "password"])?;
    for p in passwords {
        out.write_record([&p.name, &p.team, p.role.as_str(), &p.password])?;
    }
    let bytes = out.into_inner().map_err(|e| e.into_error())?;
    crate::archive::write_atomic(path, &bytes)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}
