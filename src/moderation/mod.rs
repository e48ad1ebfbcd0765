//! Moderation: turning an inbox submission into a change of the public archive, or refusing it,
//! and undoing a change later.
//!
//! [`Moderation::approve`] is the only way contributed content reaches the archive. It plans the
//! new record (a new site gets an id made like import's: the slug of its name and province,
//! made unique), then writes in an order that a crash cannot spoil: the photos first, each
//! written under a temporary name and renamed; then the site's [`history`] line; then
//! `site.json`; and last the submission is marked approved. Killed anywhere, the public archive
//! holds no partial file, and the submission is still pending: approving it again finds its
//! history line (by submission id), reuses the same site id, and finishes the job without
//! logging it twice. One lock serialises all moderation, so two moderators never interleave.
//!
//! [`diff`] compares records field by field (the moderator's queue shows it, the history stores
//! it, a revert undoes it); [`needs_help`] lists the sites that most need a volunteer;
//! [`duplicates`] finds published sites a new proposal may repeat.

pub mod diff;
pub mod duplicates;
pub mod history;
pub mod needs_help;
mod plan;

#[cfg(test)]
mod tests;

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use crate::archive::inbox::{Inbox, InboxError, Review, Status, Submission};
use crate::archive::{lock_exclusive, write_atomic, write_record};
use crate::layout::ArchiveLayout;
use crate::record::{Problem, SiteRecord};

pub use diff::{FieldChange, diff};
pub use history::{Action, HistoryEntry, HistoryError};
pub use needs_help::{HelpItem, HelpQuery, HelpSite, Need, needs_help};

/// A change written to the archive: what the search index must now pick up.
#[derive(Debug, Clone)]
pub struct Applied {
    pub site_dir: PathBuf,
    pub record: SiteRecord,
    pub entry: HistoryEntry,
}

/// Why a moderation step was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ModerationError {
    #[error(transparent)]
    Inbox(#[from] InboxError),
    #[error(transparent)]
    History(#[from] HistoryError),
    #[error("{}: {source} — check the disk space and permissions of the archive", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "no site `{id}` in the archive — it may have been renamed or removed; reject the submission with that reason"
    )]
    NoSuchSite { id: String },
    #[error(
        "the record would be invalid: {} — edit it before approving",
        join(problems)
    )]
    InvalidRecord { problems: Vec<Problem> },
    #[error("site `{site}` has no change `{change}` — pick one from its history")]
    NoSuchChange { site: String, change: String },
    #[error(
        "change `{change}` created the site and cannot be reverted — correct the record instead"
    )]
    CannotRevertCreation { change: String },
    #[error("change `{change}` was already reverted by `{by}`")]
    AlreadyReverted { change: String, by: String },
    #[error("{} changed again since — revert the later change first", fields.join(", "))]
    Conflict { fields: Vec<String> },
    #[error("a rejection needs a reason the volunteer can act on (1–2000 characters)")]
    ReasonRequired,
    #[error(
        "this is your own submission — another moderator must approve it (an admin may, and it is logged)"
    )]
    OwnSubmission,
}

fn join(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Moderation of one archive.
#[derive(Debug, Clone)]
pub struct Moderation {
    layout: ArchiveLayout,
    inbox: Inbox,
}

impl Moderation {
    pub fn new(layout: &ArchiveLayout) -> Moderation {
        Moderation {
            layout: layout.clone(),
            inbox: Inbox::new(layout),
        }
    }

    /// What approving the submission as it stands would change, for the moderator's queue.
    pub fn proposed_changes(
        &self,
        submission_id: &str,
    ) -> Result<Vec<FieldChange>, ModerationError> {
        let submission = self.inbox.get(submission_id)?;
        let plan = plan::plan(&self.layout, &submission, None, Utc::now())?;
        Ok(plan.changes())
    }

    /// Approves a pending submission, optionally as edited by the moderator (`edited` replaces
    /// the proposed record's text; ids, photos and dates are managed here). Nobody approves
    /// their own submission here: see [`Self::approve_with`].
    pub fn approve(
        &self,
        submission_id: &str,
        moderator: &str,
        edited: Option<SiteRecord>,
        now: DateTime<Utc>,
    ) -> Result<Applied, ModerationError> {
        self.approve_with(submission_id, moderator, edited, false, now)
    }

    /// [`Self::approve`], where `override_own` lets an admin approve their own submission
    /// (the caller checks the role); the history line says so.
    pub fn approve_with(
        &self,
        submission_id: &str,
        moderator: &str,
        edited: Option<SiteRecord>,
        override_own: bool,
        now: DateTime<Utc>,
    ) -> Result<Applied, ModerationError> {
        let _held = self.lock()?;
        let submission = self.inbox.get(submission_id)?;
        if submission.status != Status::Pending {
            return Err(InboxError::NotPending {
                id: submission.id,
                status: submission.status,
            }
            .into());
        }
        let own = submission.submitter == moderator;
        if own && !override_own {
            return Err(ModerationError::OwnSubmission);
        }
        let plan = plan::plan(&self.layout, &submission, edited, now)?;
        let problems: Vec<Problem> = crate::record::validate(&plan.record)
            .into_iter()
            .filter(|p| p.severity == crate::record::Severity::Error)
            .collect();
        if !problems.is_empty() {
            return Err(ModerationError::InvalidRecord { problems });
        }

        // 1. Photos, each complete under its final name or not at all. Temporary files of an
        // earlier attempt whose process was killed go first (this one holds the lock).
        for (_, target, _) in &plan.photo_copies {
            if let Some(dir) = target.parent() {
                crate::archive::write::sweep_leftovers(dir);
            }
        }
        for (source, target, private) in &plan.photo_copies {
            copy_photo(source, target, *private)?;
        }
        // 2. The history line, unless an interrupted earlier attempt already wrote it.
        let entry = match plan.resumed.clone() {
            Some(entry) => entry,
            None => {
                let entry = HistoryEntry {
                    change: history::change_id(now),
                    at: now,
                    action: plan.action,
                    submission: Some(submission.id.clone()),
                    submitted_by: Some(submission.submitter.clone()),
                    approved_by: moderator.to_owned(),
                    self_approved: own,
                    reverts: None,
                    changes: plan.changes(),
                };
                history::append(&plan.site_dir, &entry)?;
                entry
            }
        };
        // 3. The record; 4. the decision.
        write_record(&plan.site_dir, &plan.record).map_err(|source| ModerationError::Io {
            path: ArchiveLayout::site_file(&plan.site_dir),
            source,
        })?;
        let review = Review {
            moderator: moderator.to_owned(),
            at: now,
            reason: None,
            site_id: Some(plan.record.id.clone()),
        };
        self.inbox
            .decide(&submission.id, Status::Approved, review)?;
        Ok(Applied {
            site_dir: plan.site_dir,
            record: plan.record,
            entry,
        })
    }

    /// Rejects a pending submission; the reason is shown to the volunteer.
    pub fn reject(
        &self,
        submission_id: &str,
        moderator: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Submission, ModerationError> {
        let reason = crate::fold::nfc(reason.trim());
        if reason.is_empty() || reason.chars().count() > 2000 {
            return Err(ModerationError::ReasonRequired);
        }
        let _held = self.lock()?;
        let review = Review {
            moderator: moderator.to_owned(),
            at: now,
            reason: Some(reason),
            site_id: None,
        };
        Ok(self.inbox.decide(submission_id, Status::Rejected, review)?)
    }

    /// Undoes one logged change of a site, as a new logged change. Refused when a later change
    /// touched the same fields, so a revert never silently discards someone else's work.
    pub fn revert(
        &self,
        site_id: &str,
        change: &str,
        moderator: &str,
        now: DateTime<Utc>,
    ) -> Result<Applied, ModerationError> {
        let _held = self.lock()?;
        let (site_dir, current) = plan::find_site(&self.layout, site_id)?;
        let log = history::read(&site_dir)?;
        let target = log.iter().find(|e| e.change == change).ok_or_else(|| {
            ModerationError::NoSuchChange {
                site: site_id.to_owned(),
                change: change.to_owned(),
            }
        })?;
        if target.action == Action::NewSite {
            return Err(ModerationError::CannotRevertCreation {
                change: change.to_owned(),
            });
        }
        if let Some(by) = log.iter().find(|e| e.reverts.as_deref() == Some(change)) {
            return Err(ModerationError::AlreadyReverted {
                change: change.to_owned(),
                by: by.change.clone(),
            });
        }
        let fields = diff::conflicts(&current, &target.changes);
        if !fields.is_empty() {
            return Err(ModerationError::Conflict { fields });
        }
        let mut record =
            diff::undo(&current, &target.changes).map_err(|e| ModerationError::InvalidRecord {
                problems: vec![Problem::error("", e.to_string(), "revert by hand")],
            })?;
        record.updated = Some(now);
        let entry = HistoryEntry {
            change: history::change_id(now),
            at: now,
            action: Action::Revert,
            submission: None,
            submitted_by: None,
            approved_by: moderator.to_owned(),
            self_approved: false,
            reverts: Some(change.to_owned()),
            changes: diff::diff(&current, &record),
        };
        history::append(&site_dir, &entry)?;
        write_record(&site_dir, &record).map_err(|source| ModerationError::Io {
            path: ArchiveLayout::site_file(&site_dir),
            source,
        })?;
        // Photos the revert took off the record leave the site folder (the inbox keeps the
        // submitted original). Last, so a crash before it leaves an unlisted file, not a
        // listed one missing.
        for gone in current
            .photos
            .iter()
            .filter(|p| !record.photos.iter().any(|kept| kept.file == p.file))
        {
            if let Some(path) = ArchiveLayout::photo(&site_dir, &gone.file) {
                match std::fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                    Err(source) => return Err(ModerationError::Io { path, source }),
                }
            }
        }
        Ok(Applied {
            site_dir,
            record,
            entry,
        })
    }

    fn lock(&self) -> Result<crate::archive::FileLock, ModerationError> {
        let path = self.layout.moderation_lock();
        lock_exclusive(&path).map_err(|source| ModerationError::Io { path, source })
    }
}

/// Copies a submitted photo into a site folder; an identical file already there is kept.
/// `private`: the volunteer did not agree to publish where it was taken, so the copy keeps
/// no position (nor camera details) in its EXIF.
fn copy_photo(
    source: &std::path::Path,
    target: &std::path::Path,
    private: bool,
) -> Result<(), ModerationError> {
    let mut bytes = std::fs::read(source).map_err(|e| ModerationError::Io {
        path: source.to_path_buf(),
        source: e,
    })?;
    if private {
        bytes = crate::media::without_position(&bytes).ok_or_else(|| ModerationError::Io {
            path: source.to_path_buf(),
            source: std::io::Error::other(
                "its metadata cannot be read to remove the position — ask the volunteer to send it again",
            ),
        })?;
    }
    if std::fs::read(target).is_ok_and(|existing| existing == bytes) {
        return Ok(());
    }
    write_atomic(target, &bytes).map_err(|e| ModerationError::Io {
        path: target.to_path_buf(),
        source: e,
    })
}
