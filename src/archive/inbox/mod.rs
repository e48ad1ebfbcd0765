//! The inbox: contributions waiting for a moderator, kept apart from the public archive.
//!
//! A volunteer's **submission** is a new site proposal, photos for an existing site, or a text
//! correction of one. Each is a folder `archive/inbox/<submission-id>/` holding
//! `submission.json` (what was proposed, by whom, when, and its [`Status`]) and the submitted
//! photos, named by content hash so that a retried upload never adds the same photo twice.
//! Nothing here is published: the walk skips `inbox/`, and only moderation copies approved
//! content into the archive.
//!
//! Every file is written atomically and `submission.json` is changed only under the
//! submission's lock, so a crash or two requests at once never corrupt an entry. Photos arrive
//! through a [`StagedUpload`] in the private staging folder ([`staging`]), are validated by
//! decoding them ([`crate::media`]), and only then move into their submission ([`photos`]).
//! A draft written offline lands once however often the phone sends it ([`drafts`]).

mod drafts;
mod gate;
mod names;
mod photos;
pub mod quota;
pub mod resumable;
pub mod staging;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::archive::{lock_exclusive, write_atomic};
use crate::layout::ArchiveLayout;
use crate::media::{Limits, MediaError};
use crate::record::SiteRecord;
use quota::{QuotaBook, QuotaLimits};

pub use names::{LICENCES, display_name, licence, safe_file_name};
pub use photos::PhotoDetails;
pub use resumable::{Declared, ResumedUpload, UploadStatus, is_valid_upload_id};
pub use staging::StagedUpload;

/// Longest text a submission may carry in all its fields together (the JSON of its proposal):
/// generous for a long description, small enough that a flood of text is refused early.
pub const MAX_PROPOSAL_BYTES: usize = 256 * 1024;

/// What a volunteer proposes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Proposal {
    /// A site the archive does not have. Its `id` is assigned on approval.
    NewSite { record: SiteRecord },
    /// Photos for an existing site (the photos themselves are added with `add_photo`).
    Photos { site_id: String },
    /// A corrected version of an existing site's record; text only, photos are kept as they are.
    Correction {
        site_id: String,
        record: SiteRecord,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
}

impl Proposal {
    /// The existing site this is about, if any.
    pub fn site_id(&self) -> Option<&str> {
        match self {
            Proposal::NewSite { .. } => None,
            Proposal::Photos { site_id } | Proposal::Correction { site_id, .. } => Some(site_id),
        }
    }

    fn takes_photos(&self) -> bool {
        !matches!(self, Proposal::Correction { .. })
    }
}

/// Where a submission stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pending,
    Approved,
    Rejected,
}

/// A moderator's decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    pub moderator: String,
    pub at: DateTime<Utc>,
    /// Why it was rejected (shown to the volunteer), or a note on an approval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The site the approval wrote (a new site's generated id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_id: Option<String>,
}

/// A photo received with a submission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmittedPhoto {
    /// blake3 of the file, hex: the photo's identity.
    pub hash: String,
    /// The file in the submission's `photos/` folder (`<hash>.<ext>`).
    pub stored: String,
    /// The name the contributor's device gave it, cleaned for display.
    pub original_name: String,
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    pub author: String,
    /// An SPDX id from [`LICENCES`].
    pub license: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_taken: Option<String>,
    /// Where the camera was, from EXIF: compared with the site's position by moderators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gps: Option<(f64, f64)>,
    /// The volunteer agreed to publish where the photo was taken. Without it, an approval
    /// publishes no position and the copy in the site folder carries none in its EXIF.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub share_position: bool,
    pub received: DateTime<Utc>,
}

/// One entry of the inbox, as stored in `submission.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    pub id: String,
    pub submitter: String,
    pub proposal: Proposal,
    #[serde(default)]
    pub photos: Vec<SubmittedPhoto>,
    pub status: Status,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<Review>,
}

/// What can go wrong with the inbox. Messages are meant for the volunteer's screen.
#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    #[error("{}: {source} — check the disk space and the permissions of the archive", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: is damaged ({source}) — restore it from the backup", path.display())]
    Corrupt {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("no submission `{id}` — it may have been removed; see \"my contributions\"")]
    NotFound { id: String },
    #[error("submission `{id}` is already {status:?} — make a new submission instead")]
    NotPending { id: String, status: Status },
    #[error("{field}: {problem} — {hint}")]
    Invalid {
        field: &'static str,
        problem: String,
        hint: &'static str,
    },
    #[error("the upload is over the {} MB limit — send a smaller photo", limit / 1_000_000)]
    TooLarge { limit: u64 },
    #[error("the file is empty — choose the photo again")]
    Empty,
    #[error("the upload was already handed over")]
    UploadClosed,
    #[error(
        "this submission already has {limit} photos, the most one may hold — make a new submission for more"
    )]
    TooMany { limit: usize },
    #[error(
        "no upload `{upload}` — it was finished, cleaned up after a day, or never started; send the photo again"
    )]
    UploadNotFound { upload: String },
    #[error("the upload is at byte {expected}, not {given} — resume from byte {expected}")]
    WrongOffset { expected: u64, given: u64 },
    #[error("this upload is still receiving an earlier attempt — retry in a few seconds")]
    UploadBusy,
    #[error("{0}")]
    Photo(#[from] MediaError),
    #[error("you have reached the limit of {limit} {what}{} — finish what you are sending, or ask a moderator to raise the limit", retry_text(*retry_minutes))]
    Quota {
        what: &'static str,
        limit: String,
        /// When the oldest counted item stops counting (0: when something in flight ends).
        retry_minutes: u64,
    },
}

fn retry_text(minutes: u64) -> String {
    if minutes == 0 {
        String::new()
    } else {
        format!("; try again in {minutes} minutes")
    }
}

fn invalid(field: &'static str, problem: impl Into<String>, hint: &'static str) -> InboxError {
    InboxError::Invalid {
        field,
        problem: problem.into(),
        hint,
    }
}

/// The inbox of one archive.
#[derive(Debug, Clone)]
pub struct Inbox {
    layout: ArchiveLayout,
    limits: Limits,
    /// Most photos one submission may hold.
    max_photos: usize,
    /// Resumable uploads receiving bytes right now: a retry arriving while the first attempt
    /// still streams is told to wait instead of interleaving its bytes.
    busy: std::sync::Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
    /// How many photos may be decoded for validation at once (one per core): uploads wait
    /// their turn instead of exhausting the server's memory.
    decoding: std::sync::Arc<gate::Gate>,
    quota_limits: QuotaLimits,
    /// What each volunteer has in flight and has sent lately.
    quotas: std::sync::Arc<std::sync::Mutex<QuotaBook>>,
}

/// Photos per submission when the configuration does not say.
pub const DEFAULT_MAX_PHOTOS: usize = 30;

impl Inbox {
    pub fn new(layout: &ArchiveLayout) -> Inbox {
        Inbox {
            layout: layout.clone(),
            limits: Limits::default(),
            max_photos: DEFAULT_MAX_PHOTOS,
            busy: Default::default(),
            decoding: std::sync::Arc::new(gate::Gate::new(
                std::thread::available_parallelism().map_or(1, |n| n.get()),
            )),
            quota_limits: QuotaLimits::default(),
            quotas: Default::default(),
        }
    }

    /// Uses other quotas per volunteer (from the configuration).
    pub fn with_quotas(mut self, limits: QuotaLimits) -> Inbox {
        self.quota_limits = limits;
        self
    }

    /// Reads what every volunteer has in flight and has sent lately from the inbox and the
    /// staging folder (at start: the book is kept in memory from then on).
    pub fn load_quotas(&self, now: DateTime<Utc>) {
        let (submissions, _) = self.list();
        let seen = quota::Seen {
            open_uploads: self.open_uploads(),
            submissions: submissions
                .iter()
                .map(|s| (s.submitter.as_str(), s.created))
                .collect(),
            photos: submissions
                .iter()
                .flat_map(|s| {
                    s.photos
                        .iter()
                        .map(move |p| (s.submitter.as_str(), p.received, p.bytes))
                })
                .collect(),
        };
        *self.quota_book() = QuotaBook::rebuild(seen, now);
    }

    /// The quota book, for a decision or a reading.
    pub fn quota_book(&self) -> std::sync::MutexGuard<'_, QuotaBook> {
        self.quotas.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Bytes `who` may still send today.
    pub fn quota_room(&self, who: &str, now: DateTime<Utc>) -> u64 {
        self.quota_book().room(&self.quota_limits, who, now)
    }

    /// Uses another limit on photos per submission (from the configuration).
    pub fn with_max_photos(mut self, max_photos: usize) -> Inbox {
        self.max_photos = max_photos.max(1);
        self
    }

    /// The largest photo accepted, in bytes.
    pub fn max_photo_bytes(&self) -> u64 {
        self.limits.max_file_bytes
    }

    /// The most photos one submission may hold.
    pub fn max_photos(&self) -> usize {
        self.max_photos
    }

    /// Uses other size limits for uploaded photos (from the configuration).
    pub fn with_limits(mut self, limits: Limits) -> Inbox {
        self.limits = limits;
        self
    }

    /// Records a new pending submission. Photos are added afterwards, one by one.
    pub fn submit(
        &self,
        submitter: &str,
        proposal: Proposal,
        now: DateTime<Utc>,
    ) -> Result<Submission, InboxError> {
        let id = new_id(now)?;
        self.submit_as(&id, submitter, proposal, now)
    }

    /// [`Inbox::submit`] under an id chosen beforehand (by [`Inbox::submit_once`]).
    fn submit_as(
        &self,
        id: &str,
        submitter: &str,
        proposal: Proposal,
        now: DateTime<Utc>,
    ) -> Result<Submission, InboxError> {
        let proposal = check_proposal(proposal)?;
        self.quota_book()
            .submit(&self.quota_limits, submitter, now)?;
        let id = id.to_owned();
        let submission = Submission {
            id,
            submitter: submitter.to_owned(),
            proposal,
            photos: Vec::new(),
            status: Status::Pending,
            created: now,
            updated: now,
            review: None,
        };
        let dir = self.layout.submission_dir(&submission.id);
        self.save(&dir, &submission)?;
        Ok(submission)
    }

    /// One submission.
    pub fn get(&self, id: &str) -> Result<Submission, InboxError> {
        let dir = self.dir(id)?;
        let path = ArchiveLayout::submission_file(&dir);
        let bytes = std::fs::read(&path).map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => InboxError::NotFound { id: id.to_owned() },
            _ => InboxError::Io {
                path: path.clone(),
                source,
            },
        })?;
        serde_json::from_slice(&bytes).map_err(|source| InboxError::Corrupt { path, source })
    }

    /// Every submission, oldest first (ids start with their creation time), plus entries that
    /// could not be read — reported, never hidden.
    pub fn list(&self) -> (Vec<Submission>, Vec<InboxError>) {
        let mut found = Vec::new();
        let mut problems = Vec::new();
        let root = self.layout.inbox();
        let entries = match std::fs::read_dir(&root) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return (found, problems),
            Err(source) => {
                problems.push(InboxError::Io { path: root, source });
                return (found, problems);
            }
        };
        let mut ids: Vec<String> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| e.file_name().to_str().map(str::to_owned))
            .filter(|name| is_valid_id(name))
            .collect();
        ids.sort();
        for id in ids {
            match self.get(&id) {
                Ok(submission) => found.push(submission),
                // A folder whose submission.json was never written is a submit cut short.
                Err(InboxError::NotFound { .. }) => {}
                Err(err) => problems.push(err),
            }
        }
        (found, problems)
    }

    /// The moderator's queue: pending submissions, oldest first.
    pub fn pending(&self) -> (Vec<Submission>, Vec<InboxError>) {
        let (all, problems) = self.list();
        let pending = all.into_iter().filter(|s| s.status == Status::Pending);
        (pending.collect(), problems)
    }

    /// Records whether the volunteer agreed to publish where a submitted photo was taken.
    pub fn set_position_shared(
        &self,
        id: &str,
        hash: &str,
        shared: bool,
    ) -> Result<(), InboxError> {
        self.update(id, |submission| {
            if let Some(photo) = submission.photos.iter_mut().find(|p| p.hash == hash) {
                photo.share_position = shared;
            }
            Ok(())
        })
        .map(|_| ())
    }

    /// The volunteer's pending photo submission for `site_id`, if there is one: adding photos
    /// to a site again continues it instead of starting another.
    pub fn open_photo_submission(&self, who: &str, site_id: &str) -> Option<Submission> {
        let (mine, _) = self.by_submitter(who);
        mine.into_iter().find(|s| {
            s.status == Status::Pending
                && matches!(&s.proposal, Proposal::Photos { site_id: id } if id == site_id)
        })
    }

    /// How many submissions wait for a moderator.
    pub fn pending_count(&self) -> usize {
        self.pending().0.len()
    }

    /// A volunteer's "my contributions": their submissions, newest first.
    pub fn by_submitter(&self, name: &str) -> (Vec<Submission>, Vec<InboxError>) {
        let (all, problems) = self.list();
        let mut mine: Vec<_> = all.into_iter().filter(|s| s.submitter == name).collect();
        mine.reverse();
        (mine, problems)
    }

    /// Records a moderator's decision on a pending submission.
    pub fn decide(
        &self,
        id: &str,
        status: Status,
        review: Review,
    ) -> Result<Submission, InboxError> {
        self.update(id, |submission| {
            submission.status = status;
            submission.updated = review.at;
            submission.review = Some(review);
            Ok(())
        })
    }

    /// The stored file of a submitted photo.
    pub fn photo_path(&self, submission: &Submission, photo: &SubmittedPhoto) -> PathBuf {
        let dir = self.layout.submission_dir(&submission.id);
        ArchiveLayout::submission_photo(&dir, &photo.stored)
    }

    /// The moderator's preview (JPEG, at most 1024 px, no EXIF) of a submitted photo.
    pub fn preview_path(&self, submission: &Submission, photo: &SubmittedPhoto) -> PathBuf {
        let dir = self.layout.submission_dir(&submission.id);
        ArchiveLayout::submission_preview(&dir, &photo.hash)
    }

    /// Changes a pending submission under its lock.
    fn update(
        &self,
        id: &str,
        change: impl FnOnce(&mut Submission) -> Result<(), InboxError>,
    ) -> Result<Submission, InboxError> {
        let dir = self.dir(id)?;
        let lock_path = ArchiveLayout::submission_lock(&dir);
        let _held = lock_exclusive(&lock_path).map_err(|source| InboxError::Io {
            path: lock_path.clone(),
            source,
        })?;
        let mut submission = self.get(id)?;
        if submission.status != Status::Pending {
            return Err(InboxError::NotPending {
                id: id.to_owned(),
                status: submission.status,
            });
        }
        change(&mut submission)?;
        self.save(&dir, &submission)?;
        Ok(submission)
    }

    fn save(&self, dir: &Path, submission: &Submission) -> Result<(), InboxError> {
        let path = ArchiveLayout::submission_file(dir);
        let mut text = serde_json::to_string_pretty(submission).expect("always serialises");
        text.push('\n');
        write_atomic(&path, text.as_bytes()).map_err(|source| InboxError::Io { path, source })
    }

    fn dir(&self, id: &str) -> Result<PathBuf, InboxError> {
        if !is_valid_id(id) {
            return Err(InboxError::NotFound { id: id.to_owned() });
        }
        Ok(self.layout.submission_dir(id))
    }
}

/// Ids are `YYYYMMDD-HHMMSS-` and 16 random hex digits: sortable by time, unguessable.
fn new_id(now: DateTime<Utc>) -> Result<String, InboxError> {
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).map_err(|e| InboxError::Io {
        path: PathBuf::from("(random)"),
        source: std::io::Error::other(e.to_string()),
    })?;
    let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{}-{hex}", now.format("%Y%m%d-%H%M%S")))
}

/// Whether `id` can name a submission folder: never a path, never hidden.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && !id.starts_with('-')
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase() || b == b'-')
}

/// Normalises and bounds what a volunteer typed.
fn check_proposal(mut proposal: Proposal) -> Result<Proposal, InboxError> {
    if let Proposal::NewSite { record } | Proposal::Correction { record, .. } = &mut proposal {
        *record = nfc_record(record);
    }
    let size = serde_json::to_vec(&proposal)
        .map(|v| v.len())
        .unwrap_or(usize::MAX);
    if size > MAX_PROPOSAL_BYTES {
        return Err(invalid(
            "proposal",
            format!("is {} KB of text", size / 1024),
            "shorten the description; the limit is 256 KB",
        ));
    }
    if let Some(site_id) = proposal.site_id()
        && !crate::fold::is_slug(site_id)
    {
        return Err(invalid(
            "site_id",
            format!("`{}` is not a site id", display_name(site_id)),
            "open the site's page and use its contribute button",
        ));
    }
    let record = match &proposal {
        Proposal::NewSite { record } | Proposal::Correction { record, .. } => Some(record),
        Proposal::Photos { .. } => None,
    };
    if let Some(record) = record {
        let name = crate::fold::nfc(record.name.trim());
        if name.is_empty() {
            return Err(invalid(
                "name",
                "is empty",
                "give the name the site is known by",
            ));
        }
        if name.chars().count() > 300 {
            return Err(invalid(
                "name",
                "is over 300 characters",
                "put details in the description",
            ));
        }
    }
    Ok(proposal)
}

/// The record with every text in NFC: phones and copy-paste from PDFs send decomposed accents,
/// which search cannot match.
fn nfc_record(record: &SiteRecord) -> SiteRecord {
    fn walk(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(text) => *text = crate::fold::nfc(text),
            serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
            serde_json::Value::Object(map) => map.values_mut().for_each(walk),
            _ => {}
        }
    }
    let Ok(mut value) = serde_json::to_value(record) else {
        return record.clone();
    };
    walk(&mut value);
    serde_json::from_value(value).unwrap_or_else(|_| record.clone())
}

#[cfg(test)]
mod tests;
