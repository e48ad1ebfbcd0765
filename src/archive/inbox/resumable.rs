//! Resumable uploads: a photo sent in pieces over a connection that keeps dropping.
//!
//! A volunteer's phone first **declares** the photo (its size, a key it can compute again —
//! a content hash or its name, size and date — and the photo's author, licence and caption).
//! The upload's id is derived from the submission, the volunteer, the key and the size, so a
//! retry after a lost answer, a reload or a server restart finds the same upload instead of
//! starting a new one. The bytes then arrive in chunks, each saying at which **offset** it
//! starts; a chunk that does not start where the received bytes end is refused with the offset
//! to resume from. When the last byte is in, the file is handed to [`Inbox::add_photo`], which
//! validates it and deduplicates it by content hash.
//!
//! Everything lives in the private staging folder, so half a photo survives a crash and never
//! reaches a submission, let alone the public archive: `resume-<id>.part` (the bytes, whose
//! length *is* the offset — appends only, so a write cut short still leaves a true prefix) and
//! `resume-<id>.json` (the ticket: what was declared and, once whole, the photo it became).
//! Both are swept by [`Inbox::recover`] a day after their last use.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::photos::check_details;
use super::{
    Inbox, InboxError, PhotoDetails, StagedUpload, Status, SubmittedPhoto, display_name, invalid,
};
use crate::archive::write_atomic;

/// Upload ids are this many lowercase hex digits.
pub const UPLOAD_ID_LEN: usize = 32;

/// Whether `id` can name an upload: exactly [`UPLOAD_ID_LEN`] lowercase hex digits, so it can
/// be joined to the staging folder without any chance of leaving it.
pub fn is_valid_upload_id(id: &str) -> bool {
    id.len() == UPLOAD_ID_LEN && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// What a client says about a photo before sending it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Declared {
    /// Exact size in bytes.
    pub size: u64,
    /// Anything the client can compute again for the same photo (a hash, or name + size +
    /// modification time): a retry with the same key resumes the same upload.
    pub key: String,
    pub details: PhotoDetails,
}

/// The ticket of one resumable upload, as stored beside its bytes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Ticket {
    submission: String,
    submitter: String,
    size: u64,
    original_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    caption: Option<String>,
    author: String,
    license: String,
    created: DateTime<Utc>,
    /// The volunteer agreed to publish where the photo was taken.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    share_position: bool,
    /// Set once the photo is in its submission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    photo: Option<SubmittedPhoto>,
}

impl Ticket {
    fn details(&self) -> PhotoDetails {
        PhotoDetails {
            original_name: self.original_name.clone(),
            caption: self.caption.clone(),
            author: self.author.clone(),
            license: self.license.clone(),
        }
    }
}

/// Where an upload stands: what the client needs to carry on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UploadStatus {
    pub upload: String,
    /// Bytes received so far: where the next chunk must start.
    pub offset: u64,
    pub size: u64,
    pub complete: bool,
    /// The photo, once it is in the submission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photo: Option<SubmittedPhoto>,
}

/// An upload open for appending, held by one request at a time.
#[derive(Debug)]
pub struct ResumedUpload {
    id: String,
    ticket: Ticket,
    file: File,
    offset: u64,
    busy: Busy,
}

impl ResumedUpload {
    /// Bytes received so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Appends a chunk. Bytes beyond the declared size are refused before they are written.
    pub fn write(&mut self, chunk: &[u8]) -> Result<(), InboxError> {
        let end = self.offset + chunk.len() as u64;
        if end > self.ticket.size {
            return Err(invalid(
                "upload",
                format!("goes past the declared {} bytes", self.ticket.size),
                "declare the photo again with its real size",
            ));
        }
        let path = self.busy.inbox.layout.resumable_data(&self.id);
        self.file
            .write_all(chunk)
            .map_err(|source| InboxError::Io { path, source })?;
        self.offset = end;
        Ok(())
    }
}

/// Marks an upload as receiving; unmarks it when dropped (the request ended, however).
#[derive(Debug)]
struct Busy {
    inbox: Inbox,
    id: String,
}

impl Drop for Busy {
    fn drop(&mut self) {
        if let Ok(mut busy) = self.inbox.busy.lock() {
            busy.remove(&self.id);
        }
    }
}

impl Inbox {
    /// Starts an upload, or finds the one a previous attempt started: same submission,
    /// volunteer, key and size give the same id and the bytes already received.
    pub fn declare_upload(
        &self,
        submission_id: &str,
        submitter: &str,
        declared: Declared,
        now: DateTime<Utc>,
    ) -> Result<UploadStatus, InboxError> {
        let submission = self.get(submission_id)?;
        if submission.submitter != submitter {
            // Someone else's submission is not shown to exist.
            return Err(InboxError::NotFound {
                id: submission_id.to_owned(),
            });
        }
        if submission.status != Status::Pending {
            return Err(InboxError::NotPending {
                id: submission.id,
                status: submission.status,
            });
        }
        if !submission.proposal.takes_photos() {
            return Err(invalid(
                "photos",
                "a text correction has no photos",
                "add photos with the site's \"add photos\" button",
            ));
        }
        let key = declared.key.trim();
        if key.is_empty() || key.len() > 200 || key.chars().any(char::is_control) {
            return Err(invalid(
                "key",
                "is missing or not a short text",
                "send the photo's hash, or its name, size and date",
            ));
        }
        if declared.size == 0 {
            return Err(InboxError::Empty);
        }
        if declared.size > self.limits.max_file_bytes {
            return Err(InboxError::TooLarge {
                limit: self.limits.max_file_bytes,
            });
        }
        let (caption, author, license) = check_details(&declared.details)?;
        let id = upload_id(submission_id, submitter, key, declared.size);
        if let Ok(status) = self.upload_status(submission_id, submitter, &id) {
            return Ok(status);
        }
        if submission.photos.len() >= self.max_photos {
            return Err(InboxError::TooMany {
                limit: self.max_photos,
            });
        }
        self.quota_book()
            .open_upload(&self.quota_limits, submitter, &id, declared.size, now)?;
        let opened = self.open_files(
            &id,
            &ticket_for(
                submission_id,
                submitter,
                &declared,
                caption,
                author,
                license,
                now,
            ),
        );
        if opened.is_err() {
            self.quota_book().close_upload(&id);
        }
        opened?;
        self.upload_status(submission_id, submitter, &id)
    }

    /// Creates the data file and the ticket of a new upload.
    fn open_files(&self, id: &str, ticket: &Ticket) -> Result<(), InboxError> {
        let data = self.layout.resumable_data(id);
        let io = |path: &PathBuf, source| InboxError::Io {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(self.layout.staging_dir())
            .map_err(|e| io(&self.layout.staging_dir(), e))?;
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(&data)
            .map_err(|e| io(&data, e))?;
        self.save_ticket(id, ticket)
    }

    /// Records whether the volunteer agreed to publish where the photo of an upload was taken
    /// (asked with the declaration; applied to the photo when it is whole).
    pub fn set_upload_position_shared(
        &self,
        submission_id: &str,
        submitter: &str,
        upload: &str,
        shared: bool,
    ) -> Result<(), InboxError> {
        let mut ticket = self.ticket(submission_id, submitter, upload)?;
        if ticket.share_position == shared {
            return Ok(());
        }
        ticket.share_position = shared;
        if let Some(photo) = &mut ticket.photo {
            photo.share_position = shared;
            self.set_position_shared(submission_id, &photo.hash, shared)?;
        }
        self.save_ticket(upload, &ticket)
    }

    /// Every unfinished resumable upload in the staging folder: (id, volunteer, declared size).
    pub fn open_uploads(&self) -> Vec<(String, String, u64)> {
        let Ok(entries) = std::fs::read_dir(self.layout.staging_dir()) else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter_map(|entry| {
                let name = entry.file_name().into_string().ok()?;
                let id = name.strip_prefix("resume-")?.strip_suffix(".json")?;
                if !is_valid_upload_id(id) {
                    return None;
                }
                let ticket: Ticket =
                    serde_json::from_slice(&std::fs::read(entry.path()).ok()?).ok()?;
                ticket
                    .photo
                    .is_none()
                    .then(|| (id.to_owned(), ticket.submitter, ticket.size))
            })
            .collect()
    }

    /// Where an upload stands. Only its volunteer sees it; to anyone else it does not exist.
    pub fn upload_status(
        &self,
        submission_id: &str,
        submitter: &str,
        upload: &str,
    ) -> Result<UploadStatus, InboxError> {
        let ticket = self.ticket(submission_id, submitter, upload)?;
        let offset = match &ticket.photo {
            Some(_) => ticket.size,
            None => self.received(upload)?,
        };
        Ok(UploadStatus {
            upload: upload.to_owned(),
            offset,
            size: ticket.size,
            complete: ticket.photo.is_some(),
            photo: ticket.photo,
        })
    }

    /// Opens an upload to append bytes at `offset`, which must be where the received bytes
    /// end. Refused while another request is appending to it.
    pub fn resume_upload(
        &self,
        submission_id: &str,
        submitter: &str,
        upload: &str,
        offset: u64,
    ) -> Result<ResumedUpload, InboxError> {
        let ticket = self.ticket(submission_id, submitter, upload)?;
        {
            let mut busy = self.busy.lock().map_err(|_| InboxError::UploadBusy)?;
            if !busy.insert(upload.to_owned()) {
                return Err(InboxError::UploadBusy);
            }
        }
        let busy = Busy {
            inbox: self.clone(),
            id: upload.to_owned(),
        };
        let expected = match &ticket.photo {
            Some(_) => ticket.size,
            None => self.received(upload)?,
        };
        if offset != expected {
            return Err(InboxError::WrongOffset {
                expected,
                given: offset,
            });
        }
        let path = self.layout.resumable_data(upload);
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|source| InboxError::Io {
                path: path.clone(),
                source,
            })?;
        // Keep the ticket as fresh as the bytes, so the stale sweep takes both or neither.
        let ticket_path = self.layout.resumable_ticket(upload);
        if let Ok(f) = File::options().append(true).open(&ticket_path) {
            let _ = f.set_modified(std::time::SystemTime::now());
        }
        Ok(ResumedUpload {
            id: upload.to_owned(),
            ticket,
            file,
            offset,
            busy,
        })
    }

    /// Ends a request's appending. Once every declared byte is in, the photo is validated
    /// and added to its submission (a photo it already has is answered with its entry); a
    /// photo that fails validation is deleted with its ticket, since sending it again cannot
    /// help.
    pub fn finish_upload(
        &self,
        upload: ResumedUpload,
        now: DateTime<Utc>,
    ) -> Result<UploadStatus, InboxError> {
        let ResumedUpload {
            id,
            mut ticket,
            file,
            offset,
            busy,
        } = upload;
        let status = |ticket: &Ticket, offset| UploadStatus {
            upload: id.clone(),
            offset,
            size: ticket.size,
            complete: ticket.photo.is_some(),
            photo: ticket.photo.clone(),
        };
        if ticket.photo.is_some() || offset < ticket.size {
            return Ok(status(&ticket, offset));
        }
        drop(file);
        // Whole: from now on its bytes count as a photo sent, not as an upload in flight.
        self.quota_book().close_upload(&id);
        let data = self.layout.resumable_data(&id);
        let result = StagedUpload::adopt(data, self.limits.max_file_bytes)
            .and_then(|staged| self.add_photo(&ticket.submission, staged, ticket.details(), now));
        match result {
            Ok(mut photo) => {
                if ticket.share_position && !photo.share_position {
                    self.set_position_shared(&ticket.submission, &photo.hash, true)?;
                    photo.share_position = true;
                }
                ticket.photo = Some(photo);
                self.save_ticket(&id, &ticket)?;
                drop(busy);
                Ok(status(&ticket, ticket.size))
            }
            Err(err) => {
                let _ = std::fs::remove_file(self.layout.resumable_data(&id));
                let _ = std::fs::remove_file(self.layout.resumable_ticket(&id));
                Err(err)
            }
        }
    }

    fn ticket(
        &self,
        submission_id: &str,
        submitter: &str,
        upload: &str,
    ) -> Result<Ticket, InboxError> {
        let not_found = || InboxError::UploadNotFound {
            upload: display_name(upload),
        };
        if !is_valid_upload_id(upload) {
            return Err(not_found());
        }
        let path = self.layout.resumable_ticket(upload);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(not_found()),
            Err(source) => return Err(InboxError::Io { path, source }),
        };
        let ticket: Ticket = serde_json::from_slice(&bytes)
            .map_err(|source| InboxError::Corrupt { path, source })?;
        if ticket.submission != submission_id || ticket.submitter != submitter {
            return Err(not_found());
        }
        Ok(ticket)
    }

    /// Bytes received: the length of the data file (none yet if a crash lost it).
    fn received(&self, upload: &str) -> Result<u64, InboxError> {
        let path = self.layout.resumable_data(upload);
        match std::fs::metadata(&path) {
            Ok(meta) => Ok(meta.len()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
            Err(source) => Err(InboxError::Io { path, source }),
        }
    }

    fn save_ticket(&self, id: &str, ticket: &Ticket) -> Result<(), InboxError> {
        let path = self.layout.resumable_ticket(id);
        let text = serde_json::to_vec_pretty(ticket).expect("a ticket always serialises");
        write_atomic(&path, &text).map_err(|source| InboxError::Io { path, source })
    }
}

/// The ticket of a new upload.
fn ticket_for(
    submission_id: &str,
    submitter: &str,
    declared: &Declared,
    caption: Option<String>,
    author: String,
    license: &str,
    now: DateTime<Utc>,
) -> Ticket {
    Ticket {
        submission: submission_id.to_owned(),
        submitter: submitter.to_owned(),
        size: declared.size,
        original_name: display_name(&declared.details.original_name),
        caption,
        author,
        license: license.to_owned(),
        created: now,
        share_position: false,
        photo: None,
    }
}

/// The id of an upload: a hash of who sends what where, so retries agree on it and nobody
/// can guess another volunteer's.
fn upload_id(submission: &str, submitter: &str, key: &str, size: u64) -> String {
    let mut hasher = blake3::Hasher::new();
    for part in [
        b"disan-upload-v1".as_slice(),
        submission.as_bytes(),
        submitter.as_bytes(),
        key.as_bytes(),
    ] {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher.update(&size.to_le_bytes());
    hasher.finalize().to_hex()[..UPLOAD_ID_LEN].to_owned()
}

#[cfg(test)]
mod tests {
    use super::super::tests::jpeg;
    use super::super::{Proposal, Submission};
    use super::*;
    use crate::layout::ArchiveLayout;
    use crate::record::SiteRecord;

    fn setup() -> (tempfile::TempDir, Inbox, Submission) {
        let dir = tempfile::tempdir().unwrap();
        let inbox = Inbox::new(&ArchiveLayout::new(dir.path().join("archive")));
        let record = SiteRecord::new("", "Đình Tức Mạc", Utc::now());
        let sub = inbox
            .submit("lan", Proposal::NewSite { record }, Utc::now())
            .unwrap();
        (dir, inbox, sub)
    }

    fn declared(bytes: &[u8], key: &str) -> Declared {
        Declared {
            size: bytes.len() as u64,
            key: key.into(),
            details: PhotoDetails {
                original_name: "IMG_1.jpg".into(),
                caption: None,
                author: "Lan".into(),
                license: "CC0-1.0".into(),
            },
        }
    }

    #[test]
    fn an_upload_resumes_where_it_stopped_and_lands_once() {
        let (_dir, inbox, sub) = setup();
        let bytes = jpeg(64, 48, 1);
        let now = Utc::now();
        let first = inbox
            .declare_upload(&sub.id, "lan", declared(&bytes, "k"), now)
            .unwrap();
        assert!(is_valid_upload_id(&first.upload));
        assert_eq!(first.offset, 0);
        let half = bytes.len() / 2;
        let mut up = inbox
            .resume_upload(&sub.id, "lan", &first.upload, 0)
            .unwrap();
        // A second request while the first still appends is told to wait.
        assert!(matches!(
            inbox.resume_upload(&sub.id, "lan", &first.upload, 0),
            Err(InboxError::UploadBusy)
        ));
        up.write(&bytes[..half]).unwrap();
        let status = inbox.finish_upload(up, now).unwrap();
        assert_eq!((status.offset, status.complete), (half as u64, false));
        // The same declaration finds the same upload and its bytes.
        let again = inbox
            .declare_upload(&sub.id, "lan", declared(&bytes, "k"), now)
            .unwrap();
        assert_eq!(
            (again.upload.as_str(), again.offset),
            (first.upload.as_str(), half as u64)
        );
        assert!(matches!(
            inbox.resume_upload(&sub.id, "lan", &first.upload, 0),
            Err(InboxError::WrongOffset { expected, given: 0 }) if expected == half as u64
        ));
        let mut up = inbox
            .resume_upload(&sub.id, "lan", &first.upload, half as u64)
            .unwrap();
        assert!(
            up.write(&[bytes.clone(), vec![0]].concat()[half..])
                .is_err()
        );
        up.write(&bytes[half..]).unwrap();
        let done = inbox.finish_upload(up, now).unwrap();
        assert!(done.complete);
        let photo = done.photo.unwrap();
        assert_eq!(photo.hash, blake3::hash(&bytes).to_hex().to_string());
        // A retry of the finished upload answers the same photo; nothing is added twice.
        let status = inbox.upload_status(&sub.id, "lan", &first.upload).unwrap();
        assert!(status.complete);
        assert_eq!(inbox.get(&sub.id).unwrap().photos.len(), 1);
        // Another volunteer cannot see it.
        assert!(matches!(
            inbox.upload_status(&sub.id, "mai", &first.upload),
            Err(InboxError::UploadNotFound { .. })
        ));
    }

    #[test]
    fn bad_declarations_and_ids_are_refused() {
        let (_dir, inbox, sub) = setup();
        let bytes = jpeg(16, 16, 2);
        let now = Utc::now();
        let mut d = declared(&bytes, "k");
        d.details.author = " ".into();
        assert!(inbox.declare_upload(&sub.id, "lan", d, now).is_err());
        let mut d = declared(&bytes, "k");
        d.size = 0;
        assert!(matches!(
            inbox.declare_upload(&sub.id, "lan", d, now),
            Err(InboxError::Empty)
        ));
        let mut d = declared(&bytes, "k");
        d.size = u64::MAX;
        assert!(matches!(
            inbox.declare_upload(&sub.id, "lan", d, now),
            Err(InboxError::TooLarge { .. })
        ));
        assert!(
            inbox
                .declare_upload(&sub.id, "mai", declared(&bytes, "k"), now)
                .is_err()
        );
        for bad in ["../../etc/passwd", "", "ABCDEF0123456789ABCDEF0123456789"] {
            assert!(!is_valid_upload_id(bad), "{bad}");
            assert!(inbox.upload_status(&sub.id, "lan", bad).is_err());
        }
        let unknown = "a".repeat(UPLOAD_ID_LEN);
        assert!(is_valid_upload_id(&unknown));
        assert!(matches!(
            inbox.upload_status(&sub.id, "lan", &unknown),
            Err(InboxError::UploadNotFound { .. })
        ));
    }

    #[test]
    fn a_corrupt_photo_is_dropped_with_its_ticket() {
        let (_dir, inbox, sub) = setup();
        let bytes = b"not a photo at all".to_vec();
        let now = Utc::now();
        let status = inbox
            .declare_upload(&sub.id, "lan", declared(&bytes, "x"), now)
            .unwrap();
        let mut up = inbox
            .resume_upload(&sub.id, "lan", &status.upload, 0)
            .unwrap();
        up.write(&bytes).unwrap();
        assert!(inbox.finish_upload(up, now).is_err());
        assert!(matches!(
            inbox.upload_status(&sub.id, "lan", &status.upload),
            Err(InboxError::UploadNotFound { .. })
        ));
        assert!(inbox.get(&sub.id).unwrap().photos.is_empty());
    }
}
