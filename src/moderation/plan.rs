//! What an approval will write, worked out before anything is written.
//!
//! The plan holds the final record, the site folder, the photo copies and — when an earlier
//! attempt at the same approval was interrupted — the history entry that attempt already
//! logged. Planning reads the archive and the inbox but writes nothing, so the moderator's
//! queue can show a plan's changes as a preview.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::history::{self, Action, HistoryEntry};
use super::{FieldChange, ModerationError, diff};
use crate::archive::inbox::{Inbox, Proposal, Submission, SubmittedPhoto, safe_file_name};
use crate::archive::walk;
use crate::layout::ArchiveLayout;
use crate::record::{Photo, SCHEMA_VERSION, SiteRecord, in_vietnam};

pub(super) struct Plan {
    pub site_dir: PathBuf,
    pub old: Option<SiteRecord>,
    pub record: SiteRecord,
    pub action: Action,
    /// (file in the inbox, file in the site folder, whether its EXIF position must go)
    pub photo_copies: Vec<(PathBuf, PathBuf, bool)>,
    pub resumed: Option<HistoryEntry>,
}

impl Plan {
    pub fn changes(&self) -> Vec<FieldChange> {
        match &self.old {
            Some(old) => diff::diff(old, &self.record),
            None => diff::diff_new(&self.record),
        }
    }
}

pub(super) fn plan(
    layout: &ArchiveLayout,
    submission: &Submission,
    edited: Option<SiteRecord>,
    now: DateTime<Utc>,
) -> Result<Plan, ModerationError> {
    let (site_dir, old, action, mut record) = match &submission.proposal {
        Proposal::NewSite { record } => {
            let mut record = edited.unwrap_or_else(|| record.clone());
            let (id, dir) = new_site_place(layout, &record, &submission.id)?;
            record.id = id;
            record.schema_version = SCHEMA_VERSION;
            record.former_ids.clear();
            record.photos.clear();
            record.created = Some(now);
            (dir, None, Action::NewSite, record)
        }
        Proposal::Photos { site_id } => {
            let (dir, current) = find_site(layout, site_id)?;
            (dir, Some(current.clone()), Action::Photos, current)
        }
        Proposal::Correction {
            site_id, record, ..
        } => {
            let (dir, current) = find_site(layout, site_id)?;
            let mut record = edited.unwrap_or_else(|| record.clone());
            // A correction is text: identity, photos and dates stay the archive's.
            record.schema_version = current.schema_version;
            record.id = current.id.clone();
            record.former_ids = current.former_ids.clone();
            record.short_code = current.short_code.clone();
            record.photos = current.photos.clone();
            record.created = current.created;
            (dir, Some(current), Action::Correction, record)
        }
    };
    let inbox = Inbox::new(layout);
    let mut photo_copies = Vec::new();
    for photo in &submission.photos {
        let file = public_name(photo);
        let target = ArchiveLayout::photo(&site_dir, &file)
            .expect("public names are made safe by safe_file_name");
        let private = photo.gps.is_some() && !photo.share_position;
        photo_copies.push((inbox.photo_path(submission, photo), target, private));
        if !record.photos.iter().any(|p| p.file == file) {
            record.photos.push(record_photo(photo, file));
        }
    }
    record.updated = Some(now);
    let resumed = history::read(&site_dir)?
        .into_iter()
        .find(|e| e.submission.as_deref() == Some(submission.id.as_str()));
    if let Some(entry) = &resumed {
        // The interrupted attempt's record is the one to finish writing.
        record.updated = Some(entry.at);
        if action == Action::NewSite {
            record.created = Some(entry.at);
        }
    }
    Ok(Plan {
        site_dir,
        old,
        record,
        action,
        photo_copies,
        resumed,
    })
}

/// `photos/<slug of the sent name>-<8 hex of the hash>.<ext>`: readable, stable across retries,
/// and two different photos called `IMG_0001.JPG` never overwrite each other.
fn public_name(photo: &SubmittedPhoto) -> String {
    let ext = photo.stored.rsplit('.').next().unwrap_or("jpg");
    let safe = safe_file_name(&photo.original_name, ext);
    let stem = safe.strip_suffix(&format!(".{ext}")).unwrap_or(&safe);
    format!(
        "photos/{stem}-{}.{ext}",
        &photo.hash[..8.min(photo.hash.len())]
    )
}

fn record_photo(photo: &SubmittedPhoto, file: String) -> Photo {
    // Published only with the volunteer's consent; and a position outside Vietnam is a wrong
    // camera clock or a reused photo, not this site.
    let gps = photo
        .gps
        .filter(|_| photo.share_position)
        .filter(|&(lat, lon)| in_vietnam(lat, lon));
    Photo {
        file,
        caption: photo.caption.clone(),
        caption_en: None,
        author: Some(photo.author.clone()),
        license: Some(photo.license.clone()),
        date_taken: photo.date_taken.clone(),
        lat: gps.map(|g| g.0),
        lon: gps.map(|g| g.1),
    }
}

/// The site folder and current record of the site called `id` (or formerly called `id`).
pub(super) fn find_site(
    layout: &ArchiveLayout,
    id: &str,
) -> Result<(PathBuf, SiteRecord), ModerationError> {
    // Debt: a walk per approval reads every record; fine for thousands of sites, an id → folder
    // map kept by the server would make it constant time.
    let (entries, _) = walk(layout);
    entries
        .into_iter()
        .filter_map(|e| Some((e.dir, e.record.ok()?)))
        .find(|(_, r)| r.id == id || r.former_ids.iter().any(|f| f == id))
        .ok_or_else(|| ModerationError::NoSuchSite { id: id.to_owned() })
}

/// The id and folder of a new site: the slug of its name and province, with `-2`, `-3`… when
/// taken. A folder already holding this submission's history line (an interrupted approval)
/// is reused rather than duplicated.
fn new_site_place(
    layout: &ArchiveLayout,
    record: &SiteRecord,
    submission: &str,
) -> Result<(String, PathBuf), ModerationError> {
    let province = record.location.province.as_deref();
    let base = base_id(record);
    let (entries, _) = walk(layout);
    let taken: HashSet<String> = entries
        .iter()
        .filter_map(|e| e.record.as_ref().ok())
        .flat_map(|r| std::iter::once(r.id.clone()).chain(r.former_ids.iter().cloned()))
        .collect();
    for n in 1.. {
        let id = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        let dir = layout.new_site_dir(province, &id);
        if logged(&dir, submission)? {
            return Ok((id, dir));
        }
        if !taken.contains(&id) && !dir.exists() {
            return Ok((id, dir));
        }
    }
    unreachable!("the loop returns once an id is free")
}

fn logged(dir: &Path, submission: &str) -> Result<bool, ModerationError> {
    Ok(history::read(dir)?
        .iter()
        .any(|e| e.submission.as_deref() == Some(submission)))
}

/// As import makes ids: the name's slug, then the province's, within 80 characters.
fn base_id(record: &SiteRecord) -> String {
    let mut id = crate::fold::slug(&record.name);
    if id.is_empty() {
        id = "site".to_owned();
    }
    if let Some(province) = &record.location.province {
        let place = crate::fold::slug(province);
        if !place.is_empty() && id.len() + place.len() < 80 {
            id = format!("{id}-{place}");
        }
    }
    id
}
