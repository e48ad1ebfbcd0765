//! The private database: teams, invitations, campaigns with their tasks and claims, the credits
//! of approved work and the daily snapshots of campaign figures.
//!
//! This is private state like the accounts (it lives in the archive's `.disan/` folder, is backed
//! up with it and is never served, exported or published), but unlike them it is changed by
//! thousands of volunteers at once: a claim must have exactly one winner, and a page must not
//! re-read a whole file per request. So it is one SQLite file (`campaigns.sqlite`) in WAL mode:
//! readers never wait for the writer, every change is a transaction that is on disk when it
//! returns (`synchronous = FULL`), and writers — this server's, or a `disan user import` run
//! beside it — are serialised by SQLite's own lock (`BEGIN IMMEDIATE`, with a busy timeout).
//!
//! The schema is versioned with `PRAGMA user_version` and migrated forward on open. The
//! [`Event`] log is shared by teams and campaigns: every change to a team, an invitation, a
//! campaign or a task adds a line saying who did what, when and why.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior, params};
use serde::Serialize;

use crate::layout::ArchiveLayout;

/// What can go wrong with the database itself.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("{}: {source} — check that the archive's `.disan` folder is writable and not full", path.display())]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{}: {source} — check that the archive's `.disan` folder is writable", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{}: was written by a newer Disan (schema {found}, this one knows {known}) — upgrade Disan",
        path.display()
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
}

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The private database of one archive.
#[derive(Debug)]
pub struct PrivateDb {
    path: PathBuf,
    writer: Mutex<Connection>,
    /// Idle read connections, reused; more are opened when all are busy.
    readers: Mutex<Vec<Connection>>,
}

impl PrivateDb {
    /// Opens (creating and migrating when needed) the database of an archive.
    pub fn open(layout: &ArchiveLayout) -> Result<PrivateDb, DbError> {
        PrivateDb::open_path(&layout.private_db())
    }

    /// Opens the database file at `path`.
    pub fn open_path(path: &Path) -> Result<PrivateDb, DbError> {
        let io = |source| DbError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        create_private(path).map_err(io)?;
        let mut writer = connect(path)?;
        let sql = |source| DbError::Sqlite {
            path: path.to_path_buf(),
            source,
        };
        let mode: String = writer
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(sql)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!("{}: journal mode is {mode}, not WAL", path.display());
        }
        migrate(&mut writer, path)?;
        Ok(PrivateDb {
            path: path.to_path_buf(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `change` in one write transaction: committed when it returns `Ok`, rolled back
    /// otherwise. Writers run one at a time.
    pub fn write<T, E: From<DbError>>(
        &self,
        change: impl FnOnce(&Transaction) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.error(e))?;
        let value = change(&tx)?;
        tx.commit().map_err(|e| self.error(e))?;
        Ok(value)
    }

    /// Runs `change` in a write transaction that is always rolled back: what a dry run does to
    /// report exactly what a real run would change.
    pub fn rehearse<T, E: From<DbError>>(
        &self,
        change: impl FnOnce(&Transaction) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.error(e))?;
        let value = change(&tx)?;
        tx.rollback().map_err(|e| self.error(e))?;
        Ok(value)
    }

    /// Runs `query` on a read connection inside one read transaction, so it sees one
    /// consistent state while writers go on.
    pub fn read<T, E: From<DbError>>(
        &self,
        query: impl FnOnce(&Transaction) -> Result<T, E>,
    ) -> Result<T, E> {
        let idle = self.readers.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut conn = match idle {
            Some(conn) => conn,
            None => {
                let conn = connect(&self.path)?;
                conn.pragma_update(None, "query_only", true)
                    .map_err(|e| self.error(e))?;
                conn
            }
        };
        let result = {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Deferred)
                .map_err(|e| self.error(e))?;
            let value = query(&tx);
            // A read transaction has nothing to commit; ending it frees the snapshot.
            let _ = tx.finish();
            value
        };
        let mut idle = self.readers.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
        result
    }

    /// The error of a statement on this database.
    pub fn error(&self, source: rusqlite::Error) -> DbError {
        DbError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }
}

/// Read connections kept open between requests.
const MAX_IDLE_READERS: usize = 16;

fn connect(path: &Path) -> Result<Connection, DbError> {
    let sql = |source| DbError::Sqlite {
        path: path.to_path_buf(),
        source,
    };
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sql)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(sql)?;
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(sql)?;
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(sql)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

/// Creates the database file readable by its owner only (SQLite gives its `-wal` and `-shm`
/// files the same permissions).
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map(|_| ())
}

/// The schema, one migration per version; never edit a released one, add the next.
const MIGRATIONS: &[&str] = &[include_str!("private_db/schema_1.sql")];

fn migrate(conn: &mut Connection, path: &Path) -> Result<(), DbError> {
    let sql = |source| DbError::Sqlite {
        path: path.to_path_buf(),
        source,
    };
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sql)?;
    let version: i64 = tx
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(sql)?;
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(DbError::TooNew {
            path: path.to_path_buf(),
            found: version,
            known,
        });
    }
    for migration in &MIGRATIONS[version as usize..] {
        tx.execute_batch(migration).map_err(sql)?;
    }
    tx.pragma_update(None, "user_version", known).map_err(sql)?;
    tx.commit().map_err(sql)
}

/// Seconds since 1970 (UTC): how times are stored.
pub fn secs(at: DateTime<Utc>) -> i64 {
    at.timestamp()
}

/// The time stored as [`secs`].
pub fn time(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or(DateTime::UNIX_EPOCH)
}

/// A time in Vietnam's time zone (UTC+7, no daylight saving): how people there read it.
pub fn vietnam(at: DateTime<Utc>) -> DateTime<chrono::FixedOffset> {
    let offset = chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset");
    at.with_timezone(&offset)
}

/// The day in Vietnam that `at` falls on: what daily snapshots are keyed by.
pub fn day_of(at: DateTime<Utc>) -> chrono::NaiveDate {
    vietnam(at).date_naive()
}

/// One line of the history of teams and campaigns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub at: DateTime<Utc>,
    /// Who did it: a user name, or `disan` for what the server did by itself (an expired claim).
    pub actor: String,
    pub team: Option<i64>,
    pub campaign: Option<i64>,
    pub site: Option<String>,
    /// The user it was done to (a member removed, a task assigned), when not the actor.
    pub subject: Option<String>,
    /// A stable code: `claimed`, `released`, `expired`, `member_removed`, `scope_changed`…
    pub action: String,
    /// Details in words: a reason, the old and new values.
    pub detail: String,
}

/// The actor of what the server does by itself.
pub const SYSTEM: &str = "disan";

impl Event {
    /// An event with no team, campaign, site or subject yet.
    pub fn new(at: DateTime<Utc>, actor: &str, action: &str) -> Event {
        Event {
            at,
            actor: actor.to_owned(),
            team: None,
            campaign: None,
            site: None,
            subject: None,
            action: action.to_owned(),
            detail: String::new(),
        }
    }

    pub fn team(mut self, team: i64) -> Event {
        self.team = Some(team);
        self
    }

    pub fn task(mut self, campaign: i64, site: &str) -> Event {
        self.campaign = Some(campaign);
        self.site = Some(site.to_owned());
        self
    }

    pub fn campaign(mut self, campaign: i64) -> Event {
        self.campaign = Some(campaign);
        self
    }

    pub fn subject(mut self, user: &str) -> Event {
        self.subject = Some(user.to_owned());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Event {
        self.detail = detail.into();
        self
    }

    /// Appends the event inside the transaction that made the change.
    pub fn log(&self, tx: &Transaction) -> rusqlite::Result<()> {
        tx.prepare_cached(
            "INSERT INTO events (at, actor, team, campaign, site, subject, action, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            secs(self.at),
            self.actor,
            self.team,
            self.campaign,
            self.site,
            self.subject,
            self.action,
            self.detail
        ])?;
        Ok(())
    }

    fn from_row(row: &rusqlite::Row) -> rusqlite::Result<Event> {
        Ok(Event {
            at: time(row.get(0)?),
            actor: row.get(1)?,
            team: row.get(2)?,
            campaign: row.get(3)?,
            site: row.get(4)?,
            subject: row.get(5)?,
            action: row.get(6)?,
            detail: row.get(7)?,
        })
    }
}

const EVENT_COLUMNS: &str = "at, actor, team, campaign, site, subject, action, detail";

/// The newest `limit` events of a team, newest first.
pub fn team_events(tx: &Transaction, team: i64, limit: usize) -> rusqlite::Result<Vec<Event>> {
    tx.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE team = ?1 ORDER BY id DESC LIMIT ?2"
    ))?
    .query_map(params![team, limit as i64], Event::from_row)?
    .collect()
}

/// The events of one task, oldest first.
pub fn task_events(tx: &Transaction, campaign: i64, site: &str) -> rusqlite::Result<Vec<Event>> {
    tx.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE campaign = ?1 AND site = ?2 ORDER BY id"
    ))?
    .query_map(params![campaign, site], Event::from_row)?
    .collect()
}

/// The newest `limit` events of a campaign as a whole (scope and team changes), newest first.
pub fn campaign_events(
    tx: &Transaction,
    campaign: i64,
    limit: usize,
) -> rusqlite::Result<Vec<Event>> {
    tx.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE campaign = ?1 AND site IS NULL
         ORDER BY id DESC LIMIT ?2"
    ))?
    .query_map(params![campaign, limit as i64], Event::from_row)?
    .collect()
}

/// The newest `limit` events done to or by a user, newest first.
pub fn user_events(tx: &Transaction, user: &str, limit: usize) -> rusqlite::Result<Vec<Event>> {
    tx.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE subject = ?1 OR actor = ?1
         ORDER BY id DESC LIMIT ?2"
    ))?
    .query_map(params![user, limit as i64], Event::from_row)?
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_migrates_and_keeps_the_file_private() {
        let dir = tempfile::tempdir().unwrap();
        let layout = ArchiveLayout::new(dir.path());
        let db = PrivateDb::open(&layout).unwrap();
        let now = Utc::now();
        db.write(|tx| {
            Event::new(now, "lan", "claimed")
                .task(1, "den-thai-vi")
                .log(tx)
                .map_err(|e| db.error(e))
        })
        .unwrap();
        drop(db);
        // Opening again does not migrate twice and keeps what was written.
        let db = PrivateDb::open(&layout).unwrap();
        let events = db
            .read(|tx| task_events(tx, 1, "den-thai-vi").map_err(|e| db.error(e)))
            .unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].actor, "lan");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(layout.private_db())
                .unwrap()
                .permissions();
            assert_eq!(mode.mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn a_failed_change_is_rolled_back() {
        let dir = tempfile::tempdir().unwrap();
        let db = PrivateDb::open(&ArchiveLayout::new(dir.path())).unwrap();
        let result: Result<(), DbError> = db.write(|tx| {
            Event::new(Utc::now(), "lan", "claimed")
                .log(tx)
                .map_err(|e| db.error(e))?;
            Err(db.error(rusqlite::Error::QueryReturnedNoRows))
        });
        assert!(result.is_err());
        let count: i64 = db
            .read(|tx| {
                tx.query_row("SELECT count(*) FROM events", [], |r| r.get(0))
                    .map_err(|e| db.error(e))
            })
            .unwrap();
        assert_eq!(count, 0);
    }
}
