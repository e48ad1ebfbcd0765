//! Drafts written offline land exactly once.
//!
//! A volunteer's phone keeps a contribution as a draft while there is no network and sends it
//! when there is — possibly twice: the answer to the first attempt was lost, two tabs sent it
//! at once, the page was closed half-way. Each draft carries a key of its own (a random UUID
//! made on the phone). The first time a volunteer sends a key, a **receipt** naming the new
//! submission is written *before* the submission itself; any later send of the same key by the
//! same volunteer finds the receipt and answers that submission. A crash between the receipt
//! and the submission leaves a receipt whose submission does not exist yet: the next send
//! creates it under the id the receipt names. Photos follow through the resumable protocol,
//! whose upload ids and content hashes already make them land once.
//!
//! Receipts live in the private folder (`.disan/drafts/`), named by a hash of the volunteer
//! and the key, so a key cannot be guessed into another volunteer's submission.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Inbox, InboxError, Proposal, Submission, invalid, is_valid_id, new_id};
use crate::archive::{lock_exclusive, write_atomic};

/// A draft's key: what the phone made up for it.
pub fn is_valid_draft_key(key: &str) -> bool {
    (8..=64).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What a receipt records.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Receipt {
    submission: String,
    submitter: String,
    received: DateTime<Utc>,
}

impl Inbox {
    /// Records a draft's proposal once: the first send creates a pending submission (answered
    /// with `true`), every later send of the same key by the same volunteer answers the same
    /// submission (with `false`), whatever its status by then.
    pub fn submit_once(
        &self,
        submitter: &str,
        key: &str,
        proposal: Proposal,
        now: DateTime<Utc>,
    ) -> Result<(Submission, bool), InboxError> {
        if !is_valid_draft_key(key) {
            return Err(invalid(
                "key",
                "is not a draft key",
                "send the draft again from the phone that wrote it",
            ));
        }
        let io = |path: &std::path::Path, source| InboxError::Io {
            path: path.to_owned(),
            source,
        };
        let lock = self.layout.drafts_lock();
        let _held = lock_exclusive(&lock).map_err(|e| io(&lock, e))?;
        let path = self.layout.draft_receipt(&receipt_name(submitter, key));
        let receipt = match std::fs::read(&path) {
            Ok(bytes) => Some(serde_json::from_slice::<Receipt>(&bytes).map_err(|source| {
                InboxError::Corrupt {
                    path: path.clone(),
                    source,
                }
            })?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(io(&path, e)),
        };
        if let Some(receipt) = receipt.filter(|r| is_valid_id(&r.submission)) {
            return match self.get(&receipt.submission) {
                Ok(submission) => Ok((submission, false)),
                // The receipt was written, the submission not: finish the first send.
                Err(InboxError::NotFound { .. }) => self
                    .submit_as(&receipt.submission, submitter, proposal, now)
                    .map(|s| (s, true)),
                Err(other) => Err(other),
            };
        }
        let id = new_id(now)?;
        let receipt = Receipt {
            submission: id.clone(),
            submitter: submitter.to_owned(),
            received: now,
        };
        let text = serde_json::to_vec_pretty(&receipt).expect("a receipt serialises");
        write_atomic(&path, &text).map_err(|e| io(&path, e))?;
        self.submit_as(&id, submitter, proposal, now)
            .map(|s| (s, true))
    }
}

/// The receipt's file name: who sent which key, hashed.
fn receipt_name(submitter: &str, key: &str) -> String {
    let mut hasher = blake3::Hasher::new();
    for part in [
        b"disan-draft-v1".as_slice(),
        submitter.as_bytes(),
        key.as_bytes(),
    ] {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher.finalize().to_hex()[..32].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::ArchiveLayout;
    use crate::record::SiteRecord;

    fn proposal(name: &str) -> Proposal {
        Proposal::NewSite {
            record: SiteRecord::new("", name, Utc::now()),
        }
    }

    #[test]
    fn a_draft_sent_again_lands_once() {
        let dir = tempfile::tempdir().unwrap();
        let inbox = Inbox::new(&ArchiveLayout::new(dir.path().join("archive")));
        let key = "3f1c9a7e-2b4d-4e8f-9a1b-7c6d5e4f3a2b";
        let (first, created) = inbox
            .submit_once("lan", key, proposal("Đình Tức Mạc"), Utc::now())
            .unwrap();
        assert!(created);
        let (again, created) = inbox
            .submit_once("lan", key, proposal("Đình Tức Mạc"), Utc::now())
            .unwrap();
        assert!(!created);
        assert_eq!(again.id, first.id);
        // The same key from another volunteer is another draft.
        let (theirs, created) = inbox
            .submit_once("mai", key, proposal("Đình Tức Mạc"), Utc::now())
            .unwrap();
        assert!(created);
        assert_ne!(theirs.id, first.id);
        assert_eq!(inbox.list().0.len(), 2);
        assert!(
            inbox
                .submit_once("lan", "../../x", proposal("A"), Utc::now())
                .is_err()
        );
    }

    #[test]
    fn two_sends_at_once_make_one_submission() {
        let dir = tempfile::tempdir().unwrap();
        let inbox = Inbox::new(&ArchiveLayout::new(dir.path().join("archive")));
        let ids: Vec<String> = std::thread::scope(|scope| {
            let sends: Vec<_> = (0..6)
                .map(|_| {
                    scope.spawn(|| {
                        inbox
                            .submit_once("lan", "key-two-tabs", proposal("Chùa Keo"), Utc::now())
                            .unwrap()
                            .0
                            .id
                    })
                })
                .collect();
            sends.into_iter().map(|s| s.join().unwrap()).collect()
        });
        assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
        assert_eq!(inbox.list().0.len(), 1);
    }

    #[test]
    fn a_send_cut_after_its_receipt_is_finished_by_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let layout = ArchiveLayout::new(dir.path().join("archive"));
        let inbox = Inbox::new(&layout);
        let (first, _) = inbox
            .submit_once("lan", "key-crash-1", proposal("Đền Cao Sơn"), Utc::now())
            .unwrap();
        // As if the server died after the receipt and before the submission.
        std::fs::remove_dir_all(layout.submission_dir(&first.id)).unwrap();
        let (again, created) = inbox
            .submit_once("lan", "key-crash-1", proposal("Đền Cao Sơn"), Utc::now())
            .unwrap();
        assert!(created);
        assert_eq!(again.id, first.id);
        assert_eq!(inbox.list().0.len(), 1);
    }
}
