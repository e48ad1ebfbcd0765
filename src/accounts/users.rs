//! The user list (`users.json`): adding, listing, disabling and checking passwords.
//!
//! Names are compared as typed after NFKC normalisation and lower-casing, so `Lan`, `lan` and
//! a full-width `ｌａｎ` (or a name typed on a phone that sends decomposed accents) are one
//! account. A new name may not look like an existing one (the same confusable skeleton, as
//! `mоdm` with a Cyrillic `о` and `modm`) nor mix alphabets. Passwords are
//! hashed with argon2id at the crate's default cost (19 MiB, 2 passes, the OWASP minimum); the
//! PHC string stores its own parameters, so the cost can be raised later without breaking old
//! hashes.

use std::path::PathBuf;

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
}

impl UserStore {
    pub fn new(layout: &ArchiveLayout) -> UserStore {
        UserStore {
            path: layout.users_file(),
        }
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
        };
        file.users.push(user.clone());
        save_state(&self.path, &file)?;
        Ok(user)
    }

    /// Every account, in the order they were created.
    pub fn list(&self) -> Result<Vec<User>, AccountsError> {
        Ok(load_state::<UsersFile>(&self.path)?.users)
    }

    /// One account by name (normalised like [`validate_user_name`]).
    pub fn get(&self, name: &str) -> Result<User, AccountsError> {
        let key = normalise(name);
        self.list()?
            .into_iter()
            .find(|u| u.name == key)
            .ok_or(AccountsError::NoSuchUser { name: key })
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
        let key = normalise(name);
        let user = self.list()?.into_iter().find(|u| u.name == key);
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

fn check_password(password: &str, hash: &str) -> bool {
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
