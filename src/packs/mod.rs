//! Trip packs: the sites a visitor carries on the phone to read, search and find nearby with
//! no signal — a province, a commune, the results of a search, the sites around a place.
//!
//! The unit of storage is one **commune's pack**: the sites of a commune in their pack form
//! ([`site::PackSite`]), in a file named by the hash of its content. A **province** is a small
//! table of contents listing its communes' packs; the **index** lists the provinces with their
//! sizes. Anything a visitor saves is a set of commune packs (a search's results or a radius
//! name the packs their sites are in), so an unchanged commune is never downloaded twice and
//! updating a saved province fetches only the communes that changed.
//!
//! Packs are derived, like the search index: [`rebuild`] runs at the end of every ingest, and
//! [`update`] after a moderator publishes a change; both rewrite only what changed
//! ([`build`]). The server answers from what they wrote ([`directory`]).

pub mod build;
pub mod directory;
pub mod site;

use std::path::PathBuf;

pub use build::PackReport;
pub use directory::{ChunkRef, Directory, Selection};
pub use site::{PackPhoto, PackSite};

use crate::layout::{ArchiveLayout, IndexLayout};
use crate::record::SiteRecord;

/// The pack format; part of every pack URL, so a change never meets an old file.
pub const FORMAT: u32 = 1;
/// Where packs are served.
pub const URL_PREFIX: &str = "/packs/v1";

/// The two kinds of immutable pack files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackKind {
    /// The sites of one commune.
    Commune,
    /// A province's table of contents.
    Province,
}

impl PackKind {
    /// The folder (and URL segment) of this kind.
    pub fn folder(self) -> &'static str {
        match self {
            PackKind::Commune => "c",
            PackKind::Province => "p",
        }
    }

    pub fn from_folder(folder: &str) -> Option<PackKind> {
        match folder {
            "c" => Some(PackKind::Commune),
            "p" => Some(PackKind::Province),
            _ => None,
        }
    }
}

/// The public URL of a pack file.
pub fn pack_url(kind: PackKind, hash: &str) -> String {
    format!("{URL_PREFIX}/{}/{hash}.json", kind.folder())
}

/// Whether `text` can be a pack file's hash: 32 lowercase hex digits, so it can name a file
/// without any chance of leaving the packs folder.
pub fn is_pack_hash(text: &str) -> bool {
    text.len() == 32 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Why packs could not be written.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error(
        "{}: {source} — check the disk space and permissions of the index folder; the previous packs stay served",
        path.display()
    )]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Where a site is, as packs group sites: its current province and commune.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    pub province: Option<String>,
    pub commune: Option<String>,
}

impl Place {
    pub fn of(record: &SiteRecord) -> Place {
        Place {
            province: record.location.province.clone(),
            commune: record.location.commune.clone(),
        }
    }

    /// `province-slug/commune-slug`, with `-` for what is unknown.
    pub fn key(&self) -> String {
        let part = |name: &Option<String>| {
            let slug = name.as_deref().map(crate::fold::slug).unwrap_or_default();
            if slug.is_empty() {
                "-".to_owned()
            } else {
                slug
            }
        };
        format!("{}/{}", part(&self.province), part(&self.commune))
    }
}

/// One published site as a build is given it: where it is and the hashes that change when its
/// pack entry may change (those of its `site.json` and of its photos, as ingest computed them).
#[derive(Debug, Clone)]
pub struct SiteSource {
    pub id: String,
    /// The site folder, relative to the archive root.
    pub dir: String,
    pub record_hash: String,
    pub photos: Vec<Option<String>>,
    /// Where it is, when the caller already read the record; otherwise the builder reads it
    /// (only when the hashes changed).
    pub place: Option<Place>,
}

/// Brings the packs up to date with every published site (those not listed are gone).
pub fn rebuild(
    archive: &ArchiveLayout,
    index: &IndexLayout,
    sites: Vec<SiteSource>,
) -> Result<PackReport, PackError> {
    build::apply(archive, index, build::Change::All(sites))
}

/// Brings the packs up to date with changed sites: `upserts` were added or changed, `removed`
/// ids are gone (a renamed site's former ids).
pub fn update(
    archive: &ArchiveLayout,
    index: &IndexLayout,
    upserts: Vec<SiteSource>,
    removed: Vec<String>,
) -> Result<PackReport, PackError> {
    build::apply(archive, index, build::Change::Some { upserts, removed })
}

#[cfg(test)]
mod tests;
