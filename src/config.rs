//! Configuration: where the archive and index live, and how the server behaves.
//!
//! One struct, one documented precedence — built-in defaults < `disan.toml` < environment
//! variables (`DISAN_*`) < command-line flags. Environment and flags are merged by clap (each
//! flag names its variable); this module adds the file and the defaults. The file is optional:
//! `disan.toml` in the working folder is read when present, `--config FILE` names another one
//! (then it must exist). Unknown keys are an error, so a typo never silently does nothing.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The settings a command runs with, after every source has been merged.
#[derive(Debug, Clone)]
pub struct Config {
    /// The archive folder (source of truth).
    pub archive: PathBuf,
    /// The derived index folder.
    pub index: PathBuf,
    /// Address the web server listens on.
    pub bind: String,
    /// The public origin of the site (`https://disan.example.org`), used in QR codes, canonical
    /// links, Open Graph and the sitemap. `None`: the address the server listens on (never a
    /// request's `Host`, which anyone can forge).
    pub public_url: Option<String>,
    /// Proxies (addresses or networks) whose `X-Forwarded-For`/`-Proto` and `Forwarded`
    /// headers are believed. Empty: none, the connection's peer is the client.
    pub trusted_proxies: Vec<String>,
    /// Clients (addresses or networks) that may read `/metrics`. Default: loopback only.
    pub metrics_from: Vec<String>,
    /// MiB kept by each of the server's four caches of rendered pages; 0 turns them off.
    pub page_cache_mb: u64,
    /// Limits on what volunteers send.
    pub contribute: ContributeLimits,
    /// What the open data says about itself: the records' licence, who to write to.
    pub open_data: OpenDataSettings,
    /// Object storage shared by the servers of a deployment (`[storage]`); `None` for one server.
    pub storage: Option<crate::storage::StorageSettings>,
    /// How a read replica behaves (`[replica]`).
    pub replica: ReplicaSettings,
}

/// The `[replica]` table: what a `serve --replica` needs beyond the storage.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ReplicaSettings {
    /// Where writes and private pages are, for a replica reached directly (`307` there).
    pub primary_url: Option<String>,
    /// How often a replica looks for a newer generation, in milliseconds.
    pub poll_ms: u64,
}

impl Default for ReplicaSettings {
    fn default() -> Self {
        ReplicaSettings {
            primary_url: None,
            poll_ms: 1000,
        }
    }
}

/// The `[open_data]` table: the terms the records are published under and a contact for
/// harvesters (OAI-PMH requires one).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OpenDataSettings {
    /// The records' licence by SPDX id: `CC0-1.0`, `CC-BY-4.0` (default) or `CC-BY-SA-4.0`.
    pub license: Option<crate::open_data::Licence>,
    /// Who runs this archive, for harvesters; `webmaster@` the public host by default.
    pub contact_email: Option<String>,
}

impl OpenDataSettings {
    pub fn licence(&self) -> crate::open_data::Licence {
        self.license.unwrap_or(crate::open_data::Licence::DEFAULT)
    }
}

/// Limits on contributions, from the `[contribute]` table. Each protects the server and the
/// inbox from one over-large or runaway request; the defaults suit phone photos.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContributeLimits {
    /// Largest photo file accepted, in MiB (a 24 MP phone photo is about 12 MiB).
    pub max_photo_mb: u64,
    /// Most photos in one submission.
    pub max_photos_per_submission: usize,
    /// Most pixels a photo may decode to, in megapixels (a decompression-bomb guard).
    pub max_megapixels: u64,
    /// How long a login lasts, in days.
    pub session_days: u32,
    /// A login unused this many days ends before its `session_days` are up.
    pub session_idle_days: u32,
    /// Resumable uploads one volunteer may have open at once.
    pub max_open_uploads: usize,
    /// MiB of photos one volunteer may send in 24 hours (open uploads included).
    pub max_upload_mb_per_day: u64,
    /// Submissions one volunteer may make in an hour.
    pub max_submissions_per_hour: usize,
}

impl Default for ContributeLimits {
    fn default() -> Self {
        ContributeLimits {
            max_photo_mb: 40,
            max_photos_per_submission: 30,
            max_megapixels: 100,
            session_days: 30,
            session_idle_days: 7,
            max_open_uploads: 10,
            max_upload_mb_per_day: 2000,
            max_submissions_per_hour: 20,
        }
    }
}

impl ContributeLimits {
    pub fn max_photo_bytes(&self) -> u64 {
        self.max_photo_mb * 1024 * 1024
    }

    /// The per-volunteer quotas of the inbox.
    pub fn quotas(&self) -> crate::archive::inbox::quota::QuotaLimits {
        crate::archive::inbox::quota::QuotaLimits {
            open_uploads: self.max_open_uploads.max(1),
            bytes_per_day: self.max_upload_mb_per_day.saturating_mul(1024 * 1024),
            submissions_per_hour: self.max_submissions_per_hour.max(1),
        }
    }
}

/// What a `disan.toml` may say. Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub archive: Option<PathBuf>,
    pub index: Option<PathBuf>,
    #[serde(default)]
    pub serve: ServeSection,
    #[serde(default)]
    pub contribute: ContributeLimits,
    #[serde(default)]
    pub open_data: OpenDataSettings,
    pub storage: Option<crate::storage::StorageSettings>,
    #[serde(default)]
    pub replica: ReplicaSettings,
}

/// The `[serve]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeSection {
    pub bind: Option<String>,
    pub public_url: Option<String>,
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    pub metrics_from: Option<Vec<String>>,
    pub page_cache_mb: Option<u64>,
}

/// Values given on the command line or in the environment (clap has merged those two).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub archive: Option<PathBuf>,
    pub index: Option<PathBuf>,
    pub bind: Option<String>,
    pub public_url: Option<String>,
    pub page_cache_mb: Option<u64>,
}

/// MiB of rendered pages each page cache keeps unless told otherwise.
pub const DEFAULT_PAGE_CACHE_MB: u64 = 16;

/// The default config file, read when present.
pub const DEFAULT_FILE: &str = "disan.toml";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot be read: {source} — check the path given to --config / DISAN_CONFIG")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message} — see the Configuration section of README.md")]
    Parse { path: PathBuf, message: String },
}

impl Config {
    /// Merges defaults, the config file and the overrides.
    pub fn load(overrides: &Overrides) -> Result<Config, ConfigError> {
        let file = match &overrides.config {
            Some(path) => read_file(path)?,
            None if Path::new(DEFAULT_FILE).is_file() => read_file(Path::new(DEFAULT_FILE))?,
            None => FileConfig::default(),
        };
        Ok(Config::merge(file, overrides))
    }

    fn merge(file: FileConfig, overrides: &Overrides) -> Config {
        Config {
            archive: overrides
                .archive
                .clone()
                .or(file.archive)
                .unwrap_or_else(|| "archive".into()),
            index: overrides
                .index
                .clone()
                .or(file.index)
                .unwrap_or_else(|| "index".into()),
            bind: overrides
                .bind
                .clone()
                .or(file.serve.bind)
                .unwrap_or_else(|| "127.0.0.1:8080".into()),
            public_url: overrides
                .public_url
                .clone()
                .or(file.serve.public_url)
                .map(|url| url.trim_end_matches('/').to_owned())
                .filter(|url| !url.is_empty()),
            trusted_proxies: file.serve.trusted_proxies,
            metrics_from: file
                .serve
                .metrics_from
                .unwrap_or_else(|| vec!["127.0.0.0/8".into(), "::1".into()]),
            page_cache_mb: overrides
                .page_cache_mb
                .or(file.serve.page_cache_mb)
                .unwrap_or(DEFAULT_PAGE_CACHE_MB),
            contribute: file.contribute,
            open_data: file.open_data,
            storage: file.storage,
            replica: file.replica,
        }
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
        path: path.into(),
        source,
    })?;
    toml::from_str(&text).map_err(|err| ConfigError::Parse {
        path: path.into(),
        message: err.to_string().trim().replace('\n', " "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_is_defaults_file_then_overrides() {
        let c = Config::merge(FileConfig::default(), &Overrides::default());
        assert_eq!(c.archive, Path::new("archive"));
        assert_eq!(c.bind, "127.0.0.1:8080");
        assert_eq!(c.page_cache_mb, DEFAULT_PAGE_CACHE_MB);
        let text =
            "archive = \"a\"\nindex = \"i\"\n[serve]\nbind = \"0.0.0.0:80\"\npage_cache_mb = 4";
        let file: FileConfig = toml::from_str(text).unwrap();
        let overrides = Overrides {
            index: Some("flag".into()),
            page_cache_mb: Some(0),
            ..Default::default()
        };
        let c = Config::merge(file, &overrides);
        assert_eq!(c.archive, Path::new("a"));
        assert_eq!(c.index, Path::new("flag"));
        assert_eq!(c.bind, "0.0.0.0:80");
        assert_eq!(c.page_cache_mb, 0, "the flag wins over the file");
        let file: FileConfig = toml::from_str(text).unwrap();
        assert_eq!(Config::merge(file, &Overrides::default()).page_cache_mb, 4);
        assert_eq!(c.contribute, ContributeLimits::default());
        let file: FileConfig = toml::from_str("[open_data]\nlicense = \"CC BY-SA 4.0\"").unwrap();
        assert_eq!(file.open_data.licence().id, "CC-BY-SA-4.0");
        assert!(toml::from_str::<FileConfig>("[open_data]\nlicense = \"mine\"").is_err());
        let file: FileConfig = toml::from_str("[contribute]\nmax_photo_mb = 5").unwrap();
        assert_eq!(file.contribute.max_photo_bytes(), 5 * 1024 * 1024);
        assert_eq!(file.contribute.session_days, 30);
    }

    #[test]
    fn unknown_keys_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("disan.toml");
        std::fs::write(&path, "archvie = \"x\"").unwrap();
        let err = read_file(&path).unwrap_err().to_string();
        assert!(err.contains("unknown field `archvie`"), "{err}");
    }
}
