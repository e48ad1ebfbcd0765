//! Sessions: what a successful login gives a browser, and how a request proves it has one.
//!
//! A session token is 32 random bytes from the operating system (256 bits), sent to the browser
//! once as a hex string in an HttpOnly cookie. `sessions.json` stores only its blake3 hash, so
//! a copy of the file (a backup, a leaked disk) opens no session. Each session also has its own
//! CSRF token, embedded in every form the session is shown and compared in constant time when a
//! form comes back: a page on another site can make the browser send the cookie, but cannot read
//! the token. Sessions end at their expiry, at logout, or when their user is disabled.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{
    AccountsError, LoginLimiter, User, UserStore, constant_time_eq, load_state, lock, random_bytes,
    save_state,
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
}

impl Session {
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

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionsFile {
    sessions: Vec<Session>,
}

/// The open sessions of one archive.
#[derive(Debug, Clone)]
pub struct SessionStore {
    path: PathBuf,
    users: UserStore,
    lifetime: Duration,
}

impl SessionStore {
    /// Sessions that last `lifetime` from login.
    pub fn new(layout: &ArchiveLayout, lifetime: Duration) -> SessionStore {
        SessionStore {
            path: layout.sessions_file(),
            users: UserStore::new(layout),
            lifetime,
        }
    }

    /// Checks the password and opens a session. Expired sessions are dropped on the way, so
    /// the file does not grow forever. Rate limiting is the caller's job ([`super::LoginLimiter`]),
    /// because it needs the client's address.
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
        };
        self.update(|file| {
            file.sessions.retain(|s| s.expires > now);
            file.sessions.push(session.clone());
        })?;
        Ok(NewSession { token, session })
    }

    /// [`Self::login`] behind a [`LoginLimiter`]: refused at once while the name or the address
    /// is locked out, and every wrong password counted. What a login route calls.
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

    /// The session and user a cookie's token stands for, if it is open, unexpired and its user
    /// is still enabled.
    pub fn session(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<(Session, User), AccountsError> {
        let hash = hash_token(token.trim());
        let file: SessionsFile = load_state(&self.path)?;
        let session = file
            .sessions
            .into_iter()
            .find(|s| constant_time_eq(s.token_hash.as_bytes(), hash.as_bytes()))
            .ok_or(AccountsError::NoSession)?;
        if session.expires <= now {
            return Err(AccountsError::SessionExpired);
        }
        let user = self.users.get(&session.user).map_err(|err| match err {
            AccountsError::NoSuchUser { .. } => AccountsError::NoSession,
            other => other,
        })?;
        if user.disabled {
            return Err(AccountsError::Disabled { name: user.name });
        }
        Ok((session, user))
    }

    /// Ends the session of `token` (logout). Unknown tokens are ignored.
    pub fn logout(&self, token: &str) -> Result<(), AccountsError> {
        let hash = hash_token(token.trim());
        self.update(|file| file.sessions.retain(|s| s.token_hash != hash))
    }

    /// Ends every session of a user (after disabling the account or changing its password).
    pub fn logout_user(&self, name: &str) -> Result<usize, AccountsError> {
        let mut ended = 0;
        self.update(|file| {
            let before = file.sessions.len();
            file.sessions.retain(|s| s.user != name);
            ended = before - file.sessions.len();
        })?;
        Ok(ended)
    }

    fn update(&self, change: impl FnOnce(&mut SessionsFile)) -> Result<(), AccountsError> {
        let _held = lock(&self.path)?;
        let mut file: SessionsFile = load_state(&self.path)?;
        change(&mut file);
        save_state(&self.path, &file)
    }
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
            std::fs::read_to_string(ArchiveLayout::new(dir.path()).sessions_file()).unwrap();
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
