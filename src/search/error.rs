//! What can go wrong when opening the index ([`SearchError`]) and when answering a search
//! ([`QueryError`]). A `QueryError` is nearly always the user's: its message is written to be
//! shown as the body of an HTTP 400; [`QueryError::is_client_error`] tells the one exception.

use std::path::PathBuf;

use thiserror::Error;

/// Opening, creating or writing the index failed.
#[derive(Debug, Error)]
pub enum SearchError {
    #[error("cannot create the index folder {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no search index in {path}; run `disan ingest` to build it")]
    Missing { path: PathBuf },
    #[error(
        "the search index in {path} has layout version {found:?}, this program reads version \
         {expected}; run `disan ingest` to rebuild it"
    )]
    SchemaVersion {
        path: PathBuf,
        found: Option<u32>,
        expected: u32,
    },
    /// Another writer holds the index: a running `disan serve`, or another ingest.
    #[error(
        "the search index in {path} is being written by another process — a running `disan serve` \
         (stop it first; it brings the index up to date itself when it starts) or another `disan ingest`"
    )]
    InUse { path: PathBuf },
    #[error("search index in {path}: {source}")]
    Index {
        path: PathBuf,
        source: tantivy::TantivyError,
    },
    #[error("search index: {0}")]
    Engine(#[from] tantivy::TantivyError),
}

/// A search or suggestion request that cannot be answered.
#[derive(Debug, Error)]
pub enum QueryError {
    #[error("the search text is {chars} characters long; the limit is {max}")]
    TooLong { chars: usize, max: usize },
    #[error("invalid `{name}` value {value:?}: expected {expected}")]
    InvalidParameter {
        name: &'static str,
        value: String,
        expected: String,
    },
    #[error("`{name}` needs a position: add `near=lat,lon` (for example near=21.0285,105.8542)")]
    NearRequired { name: &'static str },
    /// The index failed while answering; not the user's fault (HTTP 500).
    #[error("the search index failed: {0}")]
    Index(#[from] tantivy::TantivyError),
}

impl QueryError {
    /// Whether the request was at fault (HTTP 400) rather than the server (HTTP 500).
    pub fn is_client_error(&self) -> bool {
        !matches!(self, QueryError::Index(_))
    }

    pub(crate) fn invalid(name: &'static str, value: &str, expected: impl Into<String>) -> Self {
        // Echo at most a short prefix of what was sent: the value may be 10 kB of anything.
        let mut shown: String = value.chars().take(60).collect();
        if shown.len() < value.len() {
            shown.push('…');
        }
        QueryError::InvalidParameter {
            name,
            value: shown,
            expected: expected.into(),
        }
    }
}
