//! The user list (`users.json`): adding, listing, disabling and checking passwords.
//!
//! Names are compared as typed after NFKC normalisation and lower-casing, so `Lan`, `lan` and
//! a full-width `ｌａｎ` (or a name typed on a phone that sends decomposed accents) are one
//! account. A new name may not look like an existing one (the same confusable skeleton, as
//! `mоdm` with a Cyrillic `о` and `modm`) nor mix alphabets. Passwords are
//! hashed with argon2id at the crate's default cost (19 MiB, 2 passes, the OWASP minimum); the
//! PHC string stores its own parameters, so the cost can be raised later without breaking old
//! hashes.
//!
//! One-time passwords (made by `disan user import` for thousands of accounts at once) are
//! different: 20 random characters, about 115 bits, that nobody could guess even at billions of
//! tries a second, so a slow hash would protect nothing and would cost a province hours of CPU
//! to create its accounts. They are stored as `blake3$<hex>` and must be replaced at the first
//! login ([`User::must_change_password`]).
//!
//! The server checks the session's user on every signed-in request, so the parsed list is kept
//! in memory and read again only when the file changes (another process, such as `disan user`,
//! may have written it).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{AccountsError, Role, load_state, lock, random_bytes, save_state};
use crate::fold;
use crate::layout::ArchiveLayout;

/// Shortest password accepted; generated ones are much longer.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// One account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// NFC, lower case; see [`validate_user_name`].
    pub name: String,
    pub role: Role,
    /// argon2id, PHC string format (`$argon2id$v=19$m=…`).
    pub password_hash: String,
    #[serde(default)]
    pub disabled: bool,
    pub created: DateTime<Utc>,
    /// Logged in with a one-time password: must choose a password before anything else.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub must_change_password: bool,
}

/// An account to create in bulk.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub name: String,
    pub role: Role,
    pub password: String,
    /// A generated one-time password: stored with a fast hash, replaced at the first login.
    pub one_time: bool,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct UsersFile {
    users: Vec<User>,
}

/// The accounts of one archive.
#[derive(Debug, Clone)]
pub struct UserStore {
    path: PathBuf,
    cache: Arc<Mutex<Option<Cached>>>,
}

/// The parsed file, with what identifies the version it was read from.
#[derive(Debug)]
struct Cached {
    stamp: Stamp,
    users: Arc<Known>,
}

#[derive(Debug, Default)]
struct Known {
    users: Vec<User>,
    by_name: HashMap<String, usize>,
}

/// Length, modification time and inode: an atomic replace always changes the inode.
type Stamp = Option<(u64, std::time::SystemTime, u64)>;

fn stamp(path: &std::path::Path) -> Stamp {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    Some((meta.len(), meta.modified().ok()?, inode))
}

impl UserStore {
    pub fn new(layout: &ArchiveLayout) -> UserStore {
        UserStore {
            path: layout.users_file(),
            cache: Arc::default(),
        }
    }

    /// The accounts as the file holds them now, parsed at most once per version of the file.
    fn known(&self) -> Result<Arc<Known>, AccountsError> {
        let now = stamp(&self.path);
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(cached) = cache.as_ref()
            && now.is_some()
            && cached.stamp == now
        {
            return Ok(cached.users.clone());
        }
        let file: UsersFile = load_state(&self.path)?;
        let by_name = file
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.name.clone(), i))
            .collect();
        let users = Arc::new(Known {
            users: file.users,
            by_name,
        });
        *cache = Some(Cached {
            stamp: now,
            users: users.clone(),
        });
        Ok(users)
    }

    /// Creates an account. The name is validated and normalised; the password must be at least
    /// [`MIN_PASSWORD_CHARS`] long.
    pub fn add(
        &self,
        name: &str,
        role: Role,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<User, AccountsError> {
        let name = validate_user_name(name)?;
        let length = password.chars().count();
        if length < MIN_PASSWORD_CHARS {
            return Err(AccountsError::WeakPassword {
                length,
                min: MIN_PASSWORD_CHARS,
            });
        }
        // Hash before taking the lock: it is the slow part and needs no shared state.
        let password_hash = hash_password(password)?;
        let _held = lock(&self.path)?;
        let mut file: UsersFile = load_state(&self.path)?;
        if file.users.iter().any(|u| u.name == name) {
            return Err(AccountsError::UserExists { name });
        }
        let shape = skeleton(&name);
        if let Some(existing) = file.users.iter().find(|u| skeleton(&u.name) == shape) {
            return Err(AccountsError::LookAlike {
                name,
                existing: existing.name.clone(),
            });
        }
        let user = User {
            name,
            role,
            password_hash,
            disabled: false,
            created: now,
            must_change_password: false,
        };
        file.users.push(user.clone());
        save_state(&self.path, &file)?;
        Ok(user)
    }

    /// Creates many accounts with one read and one write of the file. Each entry's outcome is
    /// returned in order: the new user, or why it was not created (an existing name is
    /// [`AccountsError::UserExists`], and is left exactly as it is).
    pub fn add_many(
        &self,
        new: &[NewUser],
        now: DateTime<Utc>,
    ) -> Result<Vec<Result<User, AccountsError>>, AccountsError> {
        let prepared: Vec<Result<(String, &NewUser), AccountsError>> = new
            .iter()
            .map(|n| {
                let name = validate_user_name(&n.name)?;
                let length = n.password.chars().count();
                if length < MIN_PASSWORD_CHARS {
                    return Err(AccountsError::WeakPassword {
                        length,
                        min: MIN_PASSWORD_CHARS,
                    });
                }
                Ok((name, n))
            })
            .collect();
        // Slow hashes first, outside the lock, on every core.
        let hashes: Vec<Option<Result<String, AccountsError>>> = {
            use rayon::prelude::*;
            prepared
                .par_iter()
                .map(|p| {
                    let (_, n) = p.as_ref().ok()?;
                    Some(if n.one_time {
                        Ok(one_time_hash(&n.password))
                    } else {
                        hash_password(&n.password)
                    })
                })
                .collect()
        };
        let _held = lock(&self.path)?;
        let mut file: UsersFile = load_state(&self.path)?;
        let mut taken: std::collections::HashSet<String> =
            file.users.iter().map(|u| u.name.clone()).collect();
        let mut outcomes = Vec::with_capacity(new.len());
        let mut added = 0;
        for (prepared, hash) in prepared.into_iter().zip(hashes) {
            let outcome = prepared.and_then(|(name, n)| {
                let password_hash = hash.expect("hashed when prepared")?;
                if !taken.insert(name.clone()) {
                    return Err(AccountsError::UserExists { name });
                }
                let user = User {
                    name,
                    role: n.role,
                    password_hash,
                    disabled: false,
                    created: now,
                    must_change_password: n.one_time,
                };
                file.users.push(user.clone());
                added += 1;
                Ok(user)
            });
            outcomes.push(outcome);
        }
        if added > 0 {
            save_state(&self.path, &file)?;
        }
        Ok(outcomes)
    }

    /// Replaces a user's password after checking the current one, and ends the one-time state.
    pub fn change_password(
        &self,
        name: &str,
        current: &str,
        new: &str,
    ) -> Result<User, AccountsError> {
        let length = new.chars().count();
        if length < MIN_PASSWORD_CHARS {
            return Err(AccountsError::WeakPassword {
                length,
                min: MIN_PASSWORD_CHARS,
            });
        }
        if new == current {
            return Err(AccountsError::SamePassword);
        }
        let user = self.verify_password(name, current)?;
        let password_hash = hash_password(new)?;
        let _held = lock(&self.path)?;
        let mut file: UsersFile = load_state(&self.path)?;
        let stored = file.users.iter_mut().find(|u| u.name == user.name).ok_or(
            AccountsError::NoSuchUser {
                name: user.name.clone(),
            },
        )?;
        stored.password_hash = password_hash;
        stored.must_change_password = false;
        let user = stored.clone();
        save_state(&self.path, &file)?;
        Ok(user)
    }

    /// Every account, in the order they were created.
    pub fn list(&self) -> Result<Vec<User>, AccountsError> {
        Ok(self.known()?.users.clone())
    }

    /// One account by name (normalised like [`validate_user_name`]).
    pub fn get(&self, name: &str) -> Result<User, AccountsError> {
        let key = normalise(name);
        let known = self.known()?;
        known
            .by_name
            .get(&key)
            .map(|&i| known.users[i].clone())
            .ok_or(AccountsError::NoSuchUser { name: key })
    }

    /// Whether an account of that name exists.
    pub fn exists(&self, name: &str) -> Result<bool, AccountsError> {
        Ok(self.known()?.by_name.contains_key(&normalise(name)))
    }

    /// Disables an account: it can no longer log in and its sessions stop working. Idempotent.
    pub fn disable(&self, name: &str) -> Result<User, AccountsError> {
        let key = normalise(name);
        let _held = lock(&self.path)?;
        let mut file: UsersFile = load_state(&self.path)?;
        let user = file
            .users
            .iter_mut()
            .find(|u| u.name == key)
            .ok_or(AccountsError::NoSuchUser { name: key })?;
        user.disabled = true;
        let user = user.clone();
        save_state(&self.path, &file)?;
        Ok(user)
    }

    /// Checks a password. An unknown name costs the same hashing work as a known one, and
    /// both fail with [`AccountsError::BadCredentials`], so neither the answer nor its timing
    /// tells which names exist.
    pub fn verify(&self, name: &str, password: &str) -> Result<User, AccountsError> {
        self.verify_password(name, password)
    }

    fn verify_password(&self, name: &str, password: &str) -> Result<User, AccountsError> {
        let key = normalise(name);
        let user = match self.get(&key) {
            Ok(user) => Some(user),
            Err(AccountsError::NoSuchUser { .. }) => None,
            Err(other) => return Err(other),
        };
        let hash = user
            .as_ref()
            .map(|u| u.password_hash.as_str())
            .unwrap_or(DUMMY_HASH);
        let matches = check_password(password, hash);
        match user {
            Some(user) if matches && user.disabled => Err(AccountsError::Disabled { name: key }),
            Some(user) if matches => Ok(user),
            _ => Err(AccountsError::BadCredentials),
        }
    }
}

/// The hash of a random password nobody knows, checked for unknown names to spend the same time.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$f4FbVjU3rKsPvIC5YGRVrWTjkNlzn2F0WdLEtjRRmTI";

fn hash_password(password: &str) -> Result<String, AccountsError> {
    let hash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| AccountsError::Hash(e.to_string()))?;
    Ok(hash.to_string())
}

/// The stored form of a one-time password (see the module's notes).
fn one_time_hash(password: &str) -> String {
    format!(
        "{ONE_TIME_PREFIX}{}",
        blake3::hash(password.as_bytes()).to_hex()
    )
}

const ONE_TIME_PREFIX: &str = "blake3$";

fn check_password(password: &str, hash: &str) -> bool {
    if let Some(expected) = hash.strip_prefix(ONE_TIME_PREFIX) {
        let given = blake3::hash(password.as_bytes()).to_hex();
        return super::constant_time_eq(given.as_bytes(), expected.as_bytes());
    }
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// NFKC (full-width and other compatibility forms become plain letters), then lower case.
fn normalise(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    fold::lower(&name.trim().nfkc().collect::<String>())
}

/// What a name looks like (Unicode's confusable skeleton, UTS #39): `mоdm` with a Cyrillic
/// `о` and `modm` have the same one, as do `rn` and `m`.
fn skeleton(name: &str) -> String {
    unicode_security::skeleton(name).collect()
}

/// Checks a user name and returns its stored form (NFC, lower case). Letters of any script are
/// allowed (Vietnamese names), but nothing that could act as a path, markup or a hidden
/// character: the name appears in file contents, URLs and pages.
pub fn validate_user_name(name: &str) -> Result<String, AccountsError> {
    let bad = |why| AccountsError::BadUserName {
        given: name.to_owned(),
        why,
    };
    let normal = normalise(name);
    let chars = normal.chars().count();
    if chars < 2 {
        return Err(bad("too short"));
    }
    if chars > 40 {
        return Err(bad("too long"));
    }
    if let Some(c) = normal
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(bad(match c {
            '/' | '\\' | ':' | '\0' => "contains a path character",
            c if c.is_whitespace() => "contains a space",
            c if c.is_control() => "contains a control character",
            _ => "contains a character other than letters, digits, `.`, `_` and `-`",
        }));
    }
    if normal.starts_with('.') || normal.starts_with('-') {
        return Err(bad("starts with `.` or `-`"));
    }
    // Vietnamese letters are Latin; a name mixing scripts is a disguise, not a name.
    if !unicode_security::MixedScript::is_single_script(normal.as_str()) {
        return Err(bad("mixes letters of different alphabets"));
    }
    Ok(normal)
}

/// A strong password to print once: 20 characters from an alphabet without look-alikes
/// (about 115 bits), grouped by dashes for reading aloud or typing on a phone.
pub fn generate_password() -> Result<String, AccountsError> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY346789";
    let random: [u8; 64] = random_bytes()?;
    // Rejection sampling keeps every character equally likely (256 is not a multiple of 50).
    let limit = 256 - 256 % ALPHABET.len();
    let picked: Vec<char> = random
        .iter()
        .filter(|&&b| (b as usize) < limit)
        .take(20)
        .map(|&b| ALPHABET[b as usize % ALPHABET.len()] as char)
        .collect();
    if picked.len() < 20 {
        // Astronomically unlikely (fewer than 20 of 64 bytes under the limit); try again.
        return generate_password();
    }
    Ok(picked
        .chunks(5)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, UserStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = UserStore::new(&ArchiveLayout::new(dir.path()));
        (dir, store)
    }

    #[test]
    fn add_verify_disable() {
        let (_dir, users) = store();
        let now = Utc::now();
        users
            .add("Lan", Role::Volunteer, "correct horse battery", now)
            .unwrap();
        assert!(matches!(
            users.add("lan", Role::Admin, "another long one", now),
            Err(AccountsError::UserExists { .. })
        ));
        let user = users.verify("LAN", "correct horse battery").unwrap();
        assert_eq!((user.name.as_str(), user.role), ("lan", Role::Volunteer));
        assert!(user.password_hash.starts_with("$argon2id$"));
        assert!(matches!(
            users.verify("lan", "wrong password!"),
            Err(AccountsError::BadCredentials)
        ));
        assert!(matches!(
            users.verify("nobody", "correct horse battery"),
            Err(AccountsError::BadCredentials)
        ));
        users.disable("lan").unwrap();
        assert!(matches!(
            users.verify("lan", "correct horse battery"),
            Err(AccountsError::Disabled { .. })
        ));
        assert!(matches!(
            users.disable("nobody"),
            Err(AccountsError::NoSuchUser { .. })
        ));
        assert!(matches!(
            users.add("short", Role::Volunteer, "abc", now),
            Err(AccountsError::WeakPassword { length: 3, .. })
        ));
    }

    #[test]
    fn the_dummy_hash_costs_a_real_verification() {
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(!check_password("anything", DUMMY_HASH));
    }

    #[test]
    fn user_names() {
        assert_eq!(
            validate_user_name("Nguyễn.Văn-An").unwrap(),
            "nguyễn.văn-an"
        );
        let nfd = "Nguye\u{0302}\u{0303}n";
        assert_eq!(validate_user_name(nfd).unwrap(), "nguyễn");
        assert_eq!(validate_user_name("ｍｏｄｍ").unwrap(), "modm");
        for bad in [
            "../admin",
            "a/b",
            "a\\b",
            "x\0y",
            "a b",
            ".hidden",
            "<script>",
            "a",
            "",
            "m\u{043e}dm",
        ] {
            assert!(validate_user_name(bad).is_err(), "{bad:?} accepted");
        }
    }

    /// Finding 8 (lookalike names): confusable and full-width names are not distinct accounts.
    #[test]
    fn lookalike_names_are_refused() {
        let (_dir, users) = store();
        let now = Utc::now();
        users
            .add("modm", Role::Moderator, "a long password", now)
            .unwrap();
        for lookalike in ["ｍｏｄｍ", "MODM", "rnodm", "modrn"] {
            let err = users
                .add(lookalike, Role::Volunteer, "a long password", now)
                .unwrap_err();
            assert!(
                matches!(
                    err,
                    AccountsError::LookAlike { .. } | AccountsError::UserExists { .. }
                ),
                "{lookalike}: {err}"
            );
        }
        // Cyrillic letters in a Latin name.
        assert!(
            users
                .add("m\u{043e}dm", Role::Volunteer, "a long password", now)
                .is_err()
        );
        users
            .add("nguyễn.văn-an", Role::Volunteer, "a long password", now)
            .unwrap();
        assert_eq!(
            users.verify("ｍｏｄｍ", "a long password").unwrap().name,
            "modm"
        );
    }

    #[test]
    fn generated_passwords_are_long_and_different() {
        let a = generate_password().unwrap();
        let b = generate_password().unwrap();
        assert_eq!(a.len(), 23);
        assert_ne!(a, b);
    }

    #[test]
    fn bulk_accounts_with_one_time_passwords() {
        let (_dir, users) = store();
        let now = Utc::now();
        users
            .add("lan", Role::Volunteer, "correct horse battery", now)
            .unwrap();
        let new = |name: &str| NewUser {
            name: name.into(),
            role: Role::Volunteer,
            password: generate_password().unwrap(),
            one_time: true,
        };
        let batch = vec![new("mai"), new("Lan"), new("a b"), new("mai"), new("đức")];
        let outcomes = users.add_many(&batch, now).unwrap();
        assert!(outcomes[0].is_ok());
        assert!(matches!(outcomes[1], Err(AccountsError::UserExists { .. })));
        assert!(matches!(
            outcomes[2],
            Err(AccountsError::BadUserName { .. })
        ));
        assert!(matches!(outcomes[3], Err(AccountsError::UserExists { .. })));
        let duc = outcomes[4].as_ref().unwrap();
        assert!(duc.must_change_password && duc.password_hash.starts_with("blake3$"));
        // The one-time password logs in; changing it ends the one-time state.
        let first = users.verify("đức", &batch[4].password).unwrap();
        assert!(first.must_change_password);
        assert!(matches!(
            users.change_password("đức", &batch[4].password, &batch[4].password),
            Err(AccountsError::SamePassword)
        ));
        assert!(matches!(
            users.change_password("đức", "wrong one-time pw", "my own password"),
            Err(AccountsError::BadCredentials)
        ));
        let changed = users
            .change_password("đức", &batch[4].password, "my own password")
            .unwrap();
        assert!(!changed.must_change_password);
        assert!(changed.password_hash.starts_with("$argon2id$"));
        assert!(users.verify("đức", &batch[4].password).is_err());
        users.verify("đức", "my own password").unwrap();
        assert_eq!(users.list().unwrap().len(), 3);
        // The old file format (no flag) still reads; the flag is only written when set.
        let text = std::fs::read_to_string(&users.path).unwrap();
        assert_eq!(text.matches("must_change_password").count(), 1);
    }

    #[test]
    fn another_process_writing_the_file_is_seen() {
        let (dir, users) = store();
        users
            .add("lan", Role::Volunteer, "correct horse battery", Utc::now())
            .unwrap();
        assert!(users.exists("lan").unwrap());
        // A second store on the same file, as `disan user add` beside the server.
        let other = UserStore::new(&ArchiveLayout::new(dir.path()));
        other
            .add("mai", Role::Moderator, "another long one", Utc::now())
            .unwrap();
        assert_eq!(users.get("mai").unwrap().role, Role::Moderator);
    }

    #[test]
    fn concurrent_adds_lose_nothing() {
        let (_dir, users) = store();
        let threads: Vec<_> = (0..6)
            .map(|i| {
                let users = users.clone();
                std::thread::spawn(move || {
                    users
                        .add(
                            &format!("user{i}"),
                            Role::Volunteer,
                            "long enough pw",
                            Utc::now(),
                        )
                        .unwrap();
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(users.list().unwrap().len(), 6);
    }
}
