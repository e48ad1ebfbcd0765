//! Accounts: who may do what on the web site, and proof that a request comes from them.
//!
//! A **user** has a name, a [`Role`] (visitor < volunteer < leader < moderator < admin; each role
//! may do everything the ones below it may), an argon2id password hash and a `disabled` flag;
//! users are never deleted, so the history of the archive keeps naming real accounts. Accounts
//! made in bulk ([`import`]) start with a one-time password that must be replaced at the first
//! login ([`crate::teams::roster`] makes them from a province's lists). A **session** is
//! what a login gives a browser: a random 256-bit token in a cookie, plus a per-session CSRF
//! token that every form must echo back. The [`LoginLimiter`] slows down password guessing.
//!
//! Design of the private state. Everything lives in `archive/.disan/` ([`ArchiveLayout::
//! private_dir`]), which is backed up with the archive (it is inside it) but is a reserved,
//! hidden folder that the walk, the index and the web site never read, so it is never served,
//! exported or published. `users.json` is a small JSON file replaced atomically, and
//! `sessions.jsonl` a journal appended to (kept in memory by the server, see [`SessionStore`]),
//! each under a sibling lock file ([`crate::archive::lock_exclusive`]) so that the server and a
//! `disan user` command run at the same time cannot lose each other's writes. Sessions are
//! stored by the blake3 hash of their token: someone who reads a backup learns neither a
//! password nor a usable session. The files are created readable by their owner only (Unix).
//!
//! [`ArchiveLayout::private_dir`]: crate::layout::ArchiveLayout::private_dir

mod limiter;
mod sessions;
mod users;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use limiter::{LimiterConfig, LoginLimiter, Throttled};
pub use sessions::{MAX_SESSIONS_PER_USER, NewSession, Session, SessionStore};
pub use users::{
    MIN_PASSWORD_CHARS, NewUser, User, UserStore, generate_password, validate_user_name,
};

/// What a user may do. Ordered: a higher role includes every lower one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads the public site (also what a request without a session is).
    Visitor,
    /// Proposes sites, photos and corrections.
    Volunteer,
    /// Leads volunteer teams: invites members, assigns campaign tasks, sees the team's progress.
    Leader,
    /// Reviews, edits, approves, rejects and reverts.
    Moderator,
    /// Manages users.
    Admin,
}

impl Role {
    pub const ALL: &'static [Role] = &[
        Role::Visitor,
        Role::Volunteer,
        Role::Leader,
        Role::Moderator,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Visitor => "visitor",
            Role::Volunteer => "volunteer",
            Role::Leader => "leader",
            Role::Moderator => "moderator",
            Role::Admin => "admin",
        }
    }

    /// Whether this role may do what `required` may.
    pub fn allows(self, required: Role) -> bool {
        self >= required
    }
}

impl std::str::FromStr for Role {
    type Err = AccountsError;

    fn from_str(text: &str) -> Result<Role, AccountsError> {
        Role::ALL
            .iter()
            .copied()
            .find(|r| r.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| AccountsError::UnknownRole {
                given: text.to_owned(),
            })
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What can go wrong with accounts and sessions.
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    #[error("{}: {source} — check that the archive's `.disan` folder is writable", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: is damaged ({source}) — restore it from the backup of the archive", path.display())]
    Corrupt {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("unknown role `{given}` — use visitor, volunteer, leader, moderator or admin")]
    UnknownRole { given: String },
    #[error(
        "user name `{given}` is not allowed: {why} — use 2–40 letters, digits, `.`, `_` or `-`"
    )]
    BadUserName { given: String, why: &'static str },
    #[error("user `{name}` already exists — pick another name, or disable the old account")]
    UserExists { name: String },
    #[error(
        "user name `{name}` looks like the existing account `{existing}` — pick a clearly different name"
    )]
    LookAlike { name: String, existing: String },
    #[error("no user `{name}` — `disan user list` shows the accounts")]
    NoSuchUser { name: String },
    #[error("the password is too short ({length} characters) — use at least {min}")]
    WeakPassword { length: usize, min: usize },
    #[error("the new password is the one-time password — choose a password of your own")]
    SamePassword,
    /// Wrong name or wrong password: deliberately the same error, so a login form does not
    /// reveal which accounts exist.
    #[error("wrong user name or password")]
    BadCredentials,
    #[error("account `{name}` is disabled — ask an administrator")]
    Disabled { name: String },
    #[error("the session is unknown or was logged out — log in again")]
    NoSession,
    #[error("the session expired — log in again")]
    SessionExpired,
    #[error(
        "the form's security token does not match this session — reload the page and send it again"
    )]
    BadCsrfToken,
    #[error(transparent)]
    Throttled(#[from] Throttled),
    #[error("the operating system gave no random bytes ({0}) — cannot make a safe secret")]
    Random(getrandom::Error),
    #[error("password hashing failed: {0}")]
    Hash(String),
}

/// `n` random bytes from the operating system.
fn random_bytes<const N: usize>() -> Result<[u8; N], AccountsError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(AccountsError::Random)?;
    Ok(bytes)
}

/// Compares two secrets in time that depends only on their lengths, so an attacker cannot find
/// a token byte by byte from response times.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// Reads a JSON state file; a missing file is the empty default.
fn load_state<T: Default + for<'de> Deserialize<'de>>(path: &Path) -> Result<T, AccountsError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| AccountsError::Corrupt {
            path: path.to_path_buf(),
            source,
        }),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(source) => Err(AccountsError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Replaces a state file atomically and keeps it private to its owner.
fn save_state<T: Serialize>(path: &Path, value: &T) -> Result<(), AccountsError> {
    let io = |source| AccountsError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut text = serde_json::to_string_pretty(value).expect("state always serialises");
    text.push('\n');
    crate::archive::write_atomic(path, text.as_bytes()).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
    }
    Ok(())
}

fn lock(state_file: &Path) -> Result<crate::archive::FileLock, AccountsError> {
    let path = crate::layout::ArchiveLayout::lock_for(state_file);
    crate::archive::lock_exclusive(&path).map_err(|source| AccountsError::Io { path, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_and_parse() {
        assert!(Role::Admin.allows(Role::Moderator));
        assert!(Role::Moderator.allows(Role::Leader));
        assert!(Role::Leader.allows(Role::Volunteer));
        assert!(!Role::Leader.allows(Role::Moderator));
        assert!(!Role::Volunteer.allows(Role::Leader));
        assert_eq!("leader".parse::<Role>().unwrap(), Role::Leader);
        assert_eq!("Moderator".parse::<Role>().unwrap(), Role::Moderator);
        let err = "root".parse::<Role>().unwrap_err().to_string();
        assert!(err.contains("use visitor, volunteer"), "{err}");
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
