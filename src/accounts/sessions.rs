//! Sessions: what a successful login gives a browser, and how a request proves it has one.
//!
//! A session token is 32 random bytes from the operating system (256 bits), sent to the browser
//! once as a hex string in an HttpOnly cookie. `sessions.json` stores only its blake3 hash, so
//! a copy of the file (a backup, a leaked disk) opens no session. Each session also has its own
//! CSRF token, embedded in every form the session is shown and compared in constant time when a
//! form comes back: a page on another site can make the browser send the cookie, but cannot read
//! the token. Sessions end at their expiry, at logout, or when their user is disabled.

use std::collections::HashMap;
use std::fs::OpenOptions;
use std::io::Write;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{
    AccountsError, LoginLimiter, User, UserStore, constant_time_eq, load_state, lock, random_bytes,
};
use crate::layout::ArchiveLayout;

/// One open session, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// blake3 of the token, hex. Also the session's public handle (for logout lists).
    pub token_hash: String,
    pub user: String,
    /// Echoed back by every form of this session.
    pub csrf: String,
    pub created: DateTime<Utc>,
    pub expires: DateTime<Utc>,
    /// Last use, written down at most hourly: a session idle too long ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<DateTime<Utc>>,
}

impl Session {
    fn last_used(&self) -> DateTime<Utc> {
        self.last_seen.unwrap_or(self.created)
    }

    /// Not expired, and used within `idle`.
    fn is_open(&self, now: DateTime<Utc>, idle: Duration) -> bool {
        self.expires > now && self.last_used() + idle > now
    }

    /// The CSRF token to embed in this session's forms.
    pub fn csrf_token(&self) -> &str {
        &self.csrf
    }

    /// Checks the token a form sent back.
    pub fn verify_csrf(&self, given: &str) -> Result<(), AccountsError> {
        if constant_time_eq(self.csrf.as_bytes(), given.trim().as_bytes()) {
            Ok(())
        } else {
            Err(AccountsError::BadCsrfToken)
        }
    }
}

/// A session just created: the token goes into the cookie and is never stored.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub session: Session,
}

/// One line of the journal.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum Event {
    Open(Session),
    Close(String),
    CloseUser(String),
    Seen { session: String, at: DateTime<Utc> },
}

/// The legacy whole-file format, imported once.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionsFile {
    sessions: Vec<Session>,
}

/// What identifies one state of a file: if any of it changed, someone else wrote it.
type Stamp = Option<(u64, u64, std::time::SystemTime)>;

fn stamp(path: &Path) -> Stamp {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    Some((inode, meta.len(), meta.modified().ok()?))
}

/// The open sessions in memory, as the journal says, and the accounts as `users.json` says.
#[derive(Debug, Default)]
struct Index {
    stamp: Stamp,
    sessions: HashMap<String, Session>,
    lines: usize,
    users_stamp: Stamp,
    users: HashMap<String, User>,
}

impl Index {
    fn apply(&mut self, event: Event) {
        self.lines += 1;
        match event {
            Event::Open(session) => {
                self.sessions.insert(session.token_hash.clone(), session);
            }
            Event::Close(hash) => {
                self.sessions.remove(&hash);
            }
            Event::CloseUser(name) => self.sessions.retain(|_, s| s.user != name),
            Event::Seen { session, at } => {
                if let Some(s) = self.sessions.get_mut(&session) {
                    s.last_seen = Some(at);
                }
            }
        }
    }
}

/// The open sessions of one archive.
///
/// Stored as a journal (`sessions.jsonl`): one line per opened or closed session, so a login
/// appends a line instead of rewriting every session, and the server keeps them all in memory,
/// indexed by token hash. A lookup costs a `stat` of the journal (another process, such as
/// `disan user disable`, may have written it: then it is read again) and a hash-map lookup.
/// Lines are appended under the cross-process lock; when closed sessions make up most of the
/// journal it is rewritten with the open ones only. Each user has at most
/// [`MAX_SESSIONS_PER_USER`] sessions (a new login ends the least recently used), and a session
/// unused for the idle time ends before its expiry.
#[derive(Debug, Clone)]
pub struct SessionStore {
    path: PathBuf,
    legacy: PathBuf,
    users: UserStore,
    users_path: PathBuf,
    lifetime: Duration,
    idle: Duration,
    index: Arc<Mutex<Index>>,
}

/// Sessions one user may have open; more logins end the least recently used.
pub const MAX_SESSIONS_PER_USER: usize = 10;

/// How often a session's last use is written down (its idle time is counted from it).
const SEEN_EVERY: Duration = Duration::hours(1);

impl SessionStore {
    /// Sessions that last `lifetime` from login, and end after a week unused.
    pub fn new(layout: &ArchiveLayout, lifetime: Duration) -> SessionStore {
        SessionStore {
            path: layout.sessions_journal(),
            legacy: layout.sessions_file(),
            users: UserStore::new(layout),
            users_path: layout.users_file(),
            lifetime,
            idle: Duration::days(7),
            index: Arc::default(),
        }
    }

    /// Sessions unused for `idle` end.
    pub fn with_idle(mut self, idle: Duration) -> SessionStore {
        self.idle = idle;
        self
    }

    /// Checks the password and opens a session. The user's oldest sessions beyond
    /// [`MAX_SESSIONS_PER_USER`] end. Rate limiting is the caller's job
    /// ([`super::LoginLimiter`]), because it needs the client's address.
    pub fn login(
        &self,
        name: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<NewSession, AccountsError> {
        let user = self.users.verify(name, password)?;
        let token = hex(&random_bytes::<32>()?);
        let session = Session {
            token_hash: hash_token(&token),
            user: user.name,
            csrf: hex(&random_bytes::<32>()?),
            created: now,
            expires: now + self.lifetime,
            last_seen: Some(now),
        };
        let idle = self.idle;
        self.write(|index| {
            let mut theirs: Vec<&Session> = index
                .sessions
                .values()
                .filter(|s| s.user == session.user && s.is_open(now, idle))
                .collect();
            theirs.sort_by_key(|s| s.last_used());
            let excess = (theirs.len() + 1).saturating_sub(MAX_SESSIONS_PER_USER);
            let mut events: Vec<Event> = theirs
                .iter()
                .take(excess)
                .map(|s| Event::Close(s.token_hash.clone()))
                .collect();
            // Sessions of this user that ended by time are dropped from the journal too.
            events.extend(
                index
                    .sessions
                    .values()
                    .filter(|s| s.user == session.user && !s.is_open(now, idle))
                    .map(|s| Event::Close(s.token_hash.clone())),
            );
            events.push(Event::Open(session.clone()));
            events
        })?;
        Ok(NewSession { token, session })
    }

    /// [`Self::login`] behind a [`LoginLimiter`]: refused at once while this address must wait
    /// for this account, and every wrong password counted. What a login route calls.
    pub fn login_limited(
        &self,
        limiter: &LoginLimiter,
        name: &str,
        password: &str,
        address: IpAddr,
        now: DateTime<Utc>,
        clock: Instant,
    ) -> Result<NewSession, AccountsError> {
        limiter.check(name, address, clock)?;
        match self.login(name, password, now) {
            Ok(new) => {
                limiter.success(name, address);
                Ok(new)
            }
            Err(err @ AccountsError::BadCredentials) => {
                limiter.failure(name, address, clock);
                Err(err)
            }
            Err(err) => Err(err),
        }
    }

    /// The session and user a cookie's token stands for, if it is open, unexpired, used within
    /// the idle time and its user is still enabled.
    pub fn session(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<(Session, User), AccountsError> {
        let hash = hash_token(token.trim());
        let (session, user) = {
            let mut index = self.index.lock().unwrap_or_else(|p| p.into_inner());
            self.sync(&mut index, false)?;
            let session = index
                .sessions
                .get(&hash)
                .cloned()
                .ok_or(AccountsError::NoSession)?;
            self.sync_users(&mut index)?;
            let user = index.users.get(&session.user).cloned();
            (session, user)
        };
        if !session.is_open(now, self.idle) {
            return Err(AccountsError::SessionExpired);
        }
        let Some(user) = user else {
            return Err(AccountsError::NoSession);
        };
        if user.disabled {
            return Err(AccountsError::Disabled { name: user.name });
        }
        if session.last_used() + SEEN_EVERY <= now {
            self.write(|_| {
                vec![Event::Seen {
                    session: hash.clone(),
                    at: now,
                }]
            })?;
        }
        Ok((session, user))
    }

    /// Ends the session of `token` (logout). Unknown tokens are ignored.
    pub fn logout(&self, token: &str) -> Result<(), AccountsError> {
        let hash = hash_token(token.trim());
        self.write(|index| {
            if index.sessions.contains_key(&hash) {
                vec![Event::Close(hash.clone())]
            } else {
                Vec::new()
            }
        })
    }

    /// Ends every session of a user (after disabling the account or changing its password).
    pub fn logout_user(&self, name: &str) -> Result<usize, AccountsError> {
        let mut ended = 0;
        self.write(|index| {
            ended = index.sessions.values().filter(|s| s.user == name).count();
            vec![Event::CloseUser(name.to_owned())]
        })?;
        Ok(ended)
    }

    /// How many sessions are open (for monitoring).
    pub fn open_count(&self) -> usize {
        let mut index = self.index.lock().unwrap_or_else(|p| p.into_inner());
        let _ = self.sync(&mut index, false);
        index.sessions.len()
    }

    /// Appends the events `change` decides on, under the cross-process lock, after catching up
    /// with the journal; rewrites the journal when closed sessions dominate it.
    fn write(&self, change: impl FnOnce(&Index) -> Vec<Event>) -> Result<(), AccountsError> {
        let io = |source| AccountsError::Io {
            path: self.path.clone(),
            source,
        };
        let _held = lock(&self.path)?;
        let mut index = self.index.lock().unwrap_or_else(|p| p.into_inner());
        self.sync(&mut index, true)?;
        let events = change(&index);
        if events.is_empty() {
            return Ok(());
        }
        let mut text = String::new();
        for event in &events {
            text.push_str(&serde_json::to_string(event).expect("events serialise"));
            text.push('\n');
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(io)?;
        file.write_all(text.as_bytes()).map_err(io)?;
        file.sync_data().map_err(io)?;
        private(&self.path).map_err(io)?;
        for event in events {
            index.apply(event);
        }
        if index.lines > 1_000 && index.lines > 2 * index.sessions.len() {
            let now = Utc::now();
            let mut open: Vec<&Session> = index
                .sessions
                .values()
                .filter(|s| s.is_open(now, self.idle))
                .collect();
            open.sort_by_key(|s| s.created);
            let mut text = String::new();
            for session in open {
                let line = Event::Open(session.clone());
                text.push_str(&serde_json::to_string(&line).expect("events serialise"));
                text.push('\n');
            }
            crate::archive::write_atomic(&self.path, text.as_bytes()).map_err(io)?;
            private(&self.path).map_err(io)?;
            index.stamp = None;
            self.sync(&mut index, true)?;
        } else {
            index.stamp = stamp(&self.path);
        }
        Ok(())
    }

    /// Reads the journal again if anyone else changed it (or on first use, importing the
    /// legacy `sessions.json` when there is no journal yet).
    fn sync(&self, index: &mut Index, locked: bool) -> Result<(), AccountsError> {
        let now = stamp(&self.path);
        if now.is_some() && now == index.stamp {
            return Ok(());
        }
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                if self.legacy.exists() {
                    return self.import_legacy(index, locked);
                }
                *index = Index {
                    users_stamp: index.users_stamp,
                    users: std::mem::take(&mut index.users),
                    ..Index::default()
                };
                return Ok(());
            }
            Err(source) => {
                return Err(AccountsError::Io {
                    path: self.path.clone(),
                    source,
                });
            }
        };
        let mut fresh = Index {
            users_stamp: index.users_stamp,
            users: std::mem::take(&mut index.users),
            ..Index::default()
        };
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            // A line cut short by a crash mid-append is the last one: skip it.
            match serde_json::from_str::<Event>(line) {
                Ok(event) => fresh.apply(event),
                Err(err) if text.ends_with('\n') => {
                    return Err(AccountsError::Corrupt {
                        path: self.path.clone(),
                        source: err,
                    });
                }
                Err(_) => {}
            }
        }
        fresh.stamp = now;
        *index = fresh;
        Ok(())
    }

    /// Turns the `sessions.json` of an older version into the journal, once.
    fn import_legacy(&self, index: &mut Index, locked: bool) -> Result<(), AccountsError> {
        let _held = if locked {
            None
        } else {
            Some(lock(&self.path)?)
        };
        if self.path.exists() {
            // Another thread or process imported it meanwhile.
            index.stamp = None;
            return self.sync(index, true);
        }
        let legacy: SessionsFile = load_state(&self.legacy)?;
        let mut text = String::new();
        for session in legacy.sessions {
            text.push_str(&serde_json::to_string(&Event::Open(session)).expect("serialises"));
            text.push('\n');
        }
        let io = |source| AccountsError::Io {
            path: self.path.clone(),
            source,
        };
        crate::archive::write_atomic(&self.path, text.as_bytes()).map_err(io)?;
        private(&self.path).map_err(io)?;
        std::fs::remove_file(&self.legacy).map_err(|source| AccountsError::Io {
            path: self.legacy.clone(),
            source,
        })?;
        index.stamp = None;
        self.sync(index, true)
    }

    /// Reads `users.json` again if it changed since the last lookup.
    fn sync_users(&self, index: &mut Index) -> Result<(), AccountsError> {
        let now = stamp(&self.users_path);
        if now.is_some() && now == index.users_stamp {
            return Ok(());
        }
        index.users = self
            .users
            .list()?
            .into_iter()
            .map(|u| (u.name.clone(), u))
            .collect();
        index.users_stamp = now;
        Ok(())
    }
}

fn private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    let _ = path;
    Ok(())
}

fn hash_token(token: &str) -> String {
    blake3::hash(token.as_bytes()).to_hex().to_string()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::Role;

    fn setup() -> (tempfile::TempDir, SessionStore) {
        let dir = tempfile::tempdir().unwrap();
        let layout = ArchiveLayout::new(dir.path());
        UserStore::new(&layout)
            .add("mai", Role::Moderator, "a long password", Utc::now())
            .unwrap();
        let store = SessionStore::new(&layout, Duration::hours(12));
        (dir, store)
    }

    #[test]
    fn login_lookup_logout() {
        let (dir, store) = setup();
        let now = Utc::now();
        let new = store.login("Mai", "a long password", now).unwrap();
        assert_eq!(new.token.len(), 64);
        let (session, user) = store.session(&new.token, now).unwrap();
        assert_eq!((user.name.as_str(), user.role), ("mai", Role::Moderator));
        session.verify_csrf(session.csrf_token()).unwrap();
        assert!(matches!(
            session.verify_csrf("forged"),
            Err(AccountsError::BadCsrfToken)
        ));
        // The file never holds the token itself.
        let stored =
            std::fs::read_to_string(ArchiveLayout::new(dir.path()).sessions_journal()).unwrap();
        assert!(!stored.contains(&new.token));
        assert!(matches!(
            store.session(&new.token, now + Duration::hours(13)),
            Err(AccountsError::SessionExpired)
        ));
        store.logout(&new.token).unwrap();
        assert!(matches!(
            store.session(&new.token, now),
            Err(AccountsError::NoSession)
        ));
    }

    #[test]
    fn disabled_users_lose_their_sessions() {
        let (dir, store) = setup();
        let now = Utc::now();
        let new = store.login("mai", "a long password", now).unwrap();
        UserStore::new(&ArchiveLayout::new(dir.path()))
            .disable("mai")
            .unwrap();
        assert!(matches!(
            store.session(&new.token, now),
            Err(AccountsError::Disabled { .. })
        ));
        assert!(matches!(
            store.login("mai", "a long password", now),
            Err(AccountsError::Disabled { .. })
        ));
        assert_eq!(store.logout_user("mai").unwrap(), 1);
    }

    #[test]
    fn repeated_wrong_passwords_lock_the_account_out() {
        let (_dir, store) = setup();
        let limiter = LoginLimiter::default();
        let address = IpAddr::from([192, 0, 2, 7]);
        let (now, clock) = (Utc::now(), Instant::now());
        for _ in 0..5 {
            assert!(matches!(
                store.login_limited(&limiter, "mai", "guess guess", address, now, clock),
                Err(AccountsError::BadCredentials)
            ));
        }
        // Even the right password is refused during the lockout.
        let err = store
            .login_limited(&limiter, "mai", "a long password", address, now, clock)
            .unwrap_err();
        assert!(matches!(err, AccountsError::Throttled(_)), "{err}");
        let later = clock + std::time::Duration::from_secs(16 * 60);
        store
            .login_limited(&limiter, "mai", "a long password", address, now, later)
            .unwrap();
    }

    /// Finding 11 (sessions): at most ten per user, an idle timeout, and changes made by
    /// another process (another store of the same archive) are seen without a restart.
    #[test]
    fn sessions_are_bounded_per_user_idle_ones_end_and_other_writers_are_seen() {
        let (dir, store) = setup();
        let now = Utc::now();
        let first = store.login("mai", "a long password", now).unwrap();
        let later: Vec<NewSession> = (1..=MAX_SESSIONS_PER_USER as i64)
            .map(|i| {
                store
                    .login("mai", "a long password", now + Duration::minutes(i))
                    .unwrap()
            })
            .collect();
        // The eleventh login ended the least recently used one.
        let at = now + Duration::minutes(20);
        assert!(matches!(
            store.session(&first.token, at),
            Err(AccountsError::NoSession)
        ));
        for new in &later {
            store.session(&new.token, at).unwrap();
        }
        assert_eq!(store.open_count(), MAX_SESSIONS_PER_USER);
        // Idle for more than a week: ended, though not expired.
        let idle = at + Duration::days(8);
        assert!(matches!(
            store.session(&later[0].token, idle),
            Err(AccountsError::SessionExpired)
        ));
        // Another process ends the user's sessions: this store sees it at once.
        let other = SessionStore::new(&ArchiveLayout::new(dir.path()), Duration::hours(12));
        assert_eq!(other.logout_user("mai").unwrap(), MAX_SESSIONS_PER_USER);
        assert!(matches!(
            store.session(&later[1].token, at),
            Err(AccountsError::NoSession)
        ));
    }

    #[test]
    fn an_older_sessions_file_is_imported_once() {
        let (dir, store) = setup();
        let layout = ArchiveLayout::new(dir.path());
        let now = Utc::now();
        let new = store.login("mai", "a long password", now).unwrap();
        // As an older version kept it: one JSON file.
        let journal = std::fs::read_to_string(layout.sessions_journal()).unwrap();
        std::fs::remove_file(layout.sessions_journal()).unwrap();
        let session: serde_json::Value = serde_json::from_str(journal.trim())
            .map(|v: serde_json::Value| v["open"].clone())
            .unwrap();
        std::fs::write(
            layout.sessions_file(),
            serde_json::json!({ "sessions": [session] }).to_string(),
        )
        .unwrap();
        let fresh = SessionStore::new(&layout, Duration::hours(12));
        fresh.session(&new.token, now).unwrap();
        assert!(!layout.sessions_file().exists());
        assert!(layout.sessions_journal().is_file());
    }

    #[test]
    fn each_session_has_its_own_csrf_token() {
        let (_dir, store) = setup();
        let now = Utc::now();
        let a = store.login("mai", "a long password", now).unwrap().session;
        let b = store.login("mai", "a long password", now).unwrap().session;
        assert_ne!(a.csrf, b.csrf);
        assert!(a.verify_csrf(b.csrf_token()).is_err());
    }
}
