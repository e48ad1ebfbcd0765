//! Adding a photo to a submission: validate it, deduplicate it, move it in.
//!
//! The order is what makes retries and crashes harmless. The details (author, licence) are
//! checked before any byte is read; the bytes are then decoded by the photo pipeline down to
//! the preview's size ([`crate::media::render_specs`] with [`crate::media::PREVIEW`]: all the
//! image data is still read), which refuses non-images, damaged or cut-off files and
//! decompression bombs, and makes the moderator's preview as a by-product. Only then, under the
//! submission's lock: a photo whose hash the submission already has is answered with the
//! existing entry (a retry after a lost response), otherwise the staged file is renamed to
//! `photos/<hash>.<ext>` and `submission.json` is replaced. A crash between the two leaves a
//! file nobody lists, which the same upload retried simply reuses.

use std::path::Path;

use chrono::{DateTime, Utc};

use super::{Inbox, InboxError, StagedUpload, SubmittedPhoto, display_name, invalid, licence};
use crate::archive::write_atomic;
use crate::layout::ArchiveLayout;
use crate::media::{self, Format, SourceFormat};

/// What the volunteer says about a photo.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhotoDetails {
    /// The file name the device sent; only shown, never used as a path.
    pub original_name: String,
    pub caption: Option<String>,
    /// Required: who took it, as it should be credited.
    pub author: String,
    /// Required: an SPDX id from [`super::LICENCES`].
    pub license: String,
}

impl Inbox {
    /// A new staged upload, limited to the configured photo size.
    pub fn stage(&self) -> Result<StagedUpload, InboxError> {
        StagedUpload::create(&self.layout.staging_dir(), self.limits.max_file_bytes)
    }

    /// A new staged upload for `who`, limited to the photo size and to what is left of their
    /// day's quota (refused at once when nothing is).
    pub fn stage_for(&self, who: &str, now: DateTime<Utc>) -> Result<StagedUpload, InboxError> {
        let room = {
            let mut book = self.quota_book();
            book.check_bytes(&self.quota_limits, who, 1, now)?;
            book.room(&self.quota_limits, who, now)
        };
        StagedUpload::create(
            &self.layout.staging_dir(),
            self.limits.max_file_bytes.min(room),
        )
    }

    /// Run at start: removes what a killed process left behind and is older than `max_age` —
    /// staged uploads, and temporary files of atomic writes inside submissions. Submissions
    /// themselves are never touched: their `submission.json` is always whole.
    pub fn recover(
        &self,
        max_age: std::time::Duration,
        now: std::time::SystemTime,
    ) -> Result<usize, InboxError> {
        let mut removed = super::staging::clean_stale(&self.layout.staging_dir(), max_age, now)?;
        let (submissions, _) = self.list();
        for submission in submissions {
            let dir = self.layout.submission_dir(&submission.id);
            for sub_dir in [dir.clone(), dir.join("photos"), dir.join("previews")] {
                removed += super::staging::clean_stale_matching(&sub_dir, ".tmp-", max_age, now)?;
            }
        }
        let open = self.open_uploads();
        self.quota_book().set_open(open);
        Ok(removed)
    }

    /// Validates a received photo and adds it to a pending submission; returns its entry.
    /// The same bytes sent twice give the same entry, once.
    pub fn add_photo(
        &self,
        id: &str,
        upload: StagedUpload,
        details: PhotoDetails,
        now: DateTime<Utc>,
    ) -> Result<SubmittedPhoto, InboxError> {
        let submission = self.get(id)?;
        if !submission.proposal.takes_photos() {
            return Err(invalid(
                "photos",
                "a text correction has no photos",
                "add photos with the site's \"add photos\" button",
            ));
        }
        let (caption, author, license) = check_details(&details)?;
        if upload.is_empty() {
            return Err(InboxError::Empty);
        }
        let hash = upload.hash();
        let shown = display_name(&details.original_name);
        let known = submission.photos.iter().any(|p| p.hash == hash);
        if !known {
            self.quota_book().check_bytes(
                &self.quota_limits,
                &submission.submitter,
                upload.len(),
                now,
            )?;
        }
        // A full decode of a phone photo takes ~100 MB; fifty at once would take gigabytes. The
        // turn is taken before the file is read, so waiting uploads hold no bytes in memory.
        let turn = self.decoding.enter();
        let bytes = std::fs::read(upload.path()).map_err(|source| InboxError::Io {
            path: upload.path().to_path_buf(),
            source,
        })?;
        let named = Path::new(if shown.is_empty() { "photo" } else { &shown });

        if SourceFormat::sniff(&bytes) == Some(SourceFormat::Jpeg) && !jpeg_is_complete(&bytes) {
            return Err(InboxError::Photo(media::MediaError::Corrupt {
                path: named.to_path_buf(),
                format: "JPEG",
                detail: "the file ends before the picture does".to_owned(),
            }));
        }
        // Decode in full and keep the 1024 px JPEG as the preview.
        let render_dir = tempfile::Builder::new()
            .prefix("render-")
            .tempdir_in(self.layout.staging_dir())
            .map_err(|source| InboxError::Io {
                path: self.layout.staging_dir(),
                source,
            })?;
        let rendered =
            media::render_specs(&bytes, named, &self.limits, media::PREVIEW, |spec, _, _| {
                render_dir
                    .path()
                    .join(format!("{}.{}", spec.long_edge, spec.format.extension()))
            })?;
        drop(turn);
        let preview = rendered
            .derivatives
            .iter()
            .filter(|d| d.spec.format == Format::Jpeg && d.spec.long_edge <= 1024)
            .max_by_key(|d| d.spec.long_edge);

        let photo = SubmittedPhoto {
            stored: format!("{hash}.{}", extension(&bytes)),
            hash: hash.clone(),
            original_name: shown,
            bytes: upload.len(),
            width: rendered.width,
            height: rendered.height,
            caption,
            author,
            license: license.to_owned(),
            date_taken: rendered.exif.date_taken.clone(),
            gps: rendered
                .exif
                .gps
                .filter(|&(lat, lon)| (lat, lon) != (0.0, 0.0)),
            share_position: false,
            received: now,
        };
        let dir = self.layout.submission_dir(id);
        let max_photos = self.max_photos;
        let mut result = photo.clone();
        let bytes = photo.bytes;
        let mut added = false;
        self.update(id, |submission| {
            if let Some(existing) = submission.photos.iter().find(|p| p.hash == hash) {
                result = existing.clone();
                return Ok(());
            }
            if submission.photos.len() >= max_photos {
                return Err(InboxError::TooMany { limit: max_photos });
            }
            if let Some(preview) = preview {
                let target = ArchiveLayout::submission_preview(&dir, &hash);
                let bytes = std::fs::read(&preview.path).map_err(|source| InboxError::Io {
                    path: preview.path.clone(),
                    source,
                })?;
                write_atomic(&target, &bytes).map_err(|source| InboxError::Io {
                    path: target,
                    source,
                })?;
            }
            upload.commit(&ArchiveLayout::submission_photo(&dir, &photo.stored))?;
            submission.photos.push(photo);
            submission.updated = now;
            added = true;
            Ok(())
        })?;
        if added {
            self.quota_book().accept(&submission.submitter, bytes, now);
        }
        Ok(result)
    }
}

/// Whether a JPEG has its end-of-image marker after the start of its first scan.
///
/// The decoder shows a cut-off JPEG the way browsers do, grey below the cut; for an upload that
/// is the mark of a dropped connection, and the archive must not keep half a photo. Markers are
/// walked by their lengths so an EXIF thumbnail (a whole JPEG inside APP1) is skipped; inside
/// the scan data a `0xFF` byte is always escaped, so `FF D9` can only be the real end.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut pos = 2;
    while pos + 4 <= bytes.len() {
        if bytes[pos] != 0xFF {
            return false;
        }
        let marker = bytes[pos + 1];
        match marker {
            0xFF => pos += 1,
            0xDA => {
                return bytes[pos..].windows(2).any(|w| w == [0xFF, 0xD9]);
            }
            0x01 | 0xD0..=0xD7 => pos += 2,
            _ => {
                let len = usize::from(u16::from_be_bytes([bytes[pos + 2], bytes[pos + 3]]));
                pos += 2 + len;
            }
        }
    }
    false
}

/// The extension of the format the bytes really are (they decoded, so they are one of these).
fn extension(bytes: &[u8]) -> &'static str {
    match SourceFormat::sniff(bytes) {
        Some(SourceFormat::Png) => "png",
        Some(SourceFormat::Webp) => "webp",
        Some(SourceFormat::Jpeg) | None => "jpg",
    }
}

/// Caption (optional, NFC, bounded), author (required) and licence (from the list).
pub(super) fn check_details(
    details: &PhotoDetails,
) -> Result<(Option<String>, String, &'static str), InboxError> {
    // Invisible format characters (bidi overrides, zero-width spaces) would let a credit or a
    // caption display as something other than what it says.
    let author = crate::fold::visible(&crate::fold::nfc(details.author.trim()));
    if author.is_empty() {
        return Err(invalid(
            "author",
            "is missing",
            "say who took the photo, as it should be credited",
        ));
    }
    if author.chars().count() > 200 || author.chars().any(char::is_control) {
        return Err(invalid(
            "author",
            "is not a name",
            "give a name of at most 200 characters",
        ));
    }
    let license = licence(&details.license).ok_or_else(|| {
        invalid(
            "license",
            format!("`{}` is not offered", display_name(&details.license)),
            "choose CC-BY-SA-4.0, CC-BY-4.0 or CC0-1.0",
        )
    })?;
    let caption = details
        .caption
        .as_deref()
        .map(|c| crate::fold::visible(&crate::fold::nfc(c.trim())))
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    if caption.as_ref().is_some_and(|c| c.chars().count() > 1000) {
        return Err(invalid(
            "caption",
            "is over 1000 characters",
            "keep the caption short",
        ));
    }
    Ok((caption, author, license))
}
