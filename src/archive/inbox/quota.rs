//! Quotas: how much one volunteer may have in flight and send, so that no account — careless
//! or stolen — can fill the server's disk.
//!
//! Three limits, each per volunteer: **open uploads** (resumable uploads declared and not yet
//! finished: each may hold up to the photo limit in the staging folder), **bytes a day** (photos
//! accepted in the last 24 hours plus the declared size of open uploads) and **submissions an
//! hour**. The book is kept in memory and rebuilt from the inbox and the staging folder when the
//! server starts ([`QuotaBook::rebuild`]), so a restart forgives nothing; every decision about a
//! volunteer is taken under one lock, so parallel requests cannot overrun a limit together.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Duration, Utc};

use super::InboxError;

/// The limits, from the `[contribute]` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaLimits {
    pub open_uploads: usize,
    pub bytes_per_day: u64,
    pub submissions_per_hour: usize,
}

impl Default for QuotaLimits {
    fn default() -> Self {
        QuotaLimits {
            open_uploads: 10,
            bytes_per_day: 2_000 * 1024 * 1024,
            submissions_per_hour: 20,
        }
    }
}

/// What a volunteer has in flight and has sent lately.
#[derive(Debug, Default)]
pub struct QuotaBook {
    /// Open resumable uploads: id → (volunteer, declared size).
    open: HashMap<String, (String, u64)>,
    /// Photos accepted, per volunteer: (when, bytes), oldest first.
    accepted: HashMap<String, VecDeque<(DateTime<Utc>, u64)>>,
    /// Submissions made, per volunteer, oldest first.
    submitted: HashMap<String, VecDeque<DateTime<Utc>>>,
    /// Requests refused by a quota since the server started.
    pub refusals: u64,
}

/// What the book is rebuilt from.
pub struct Seen<'a> {
    pub open_uploads: Vec<(String, String, u64)>,
    pub submissions: Vec<(&'a str, DateTime<Utc>)>,
    pub photos: Vec<(&'a str, DateTime<Utc>, u64)>,
}

impl QuotaBook {
    /// The book as the inbox and the staging folder show it at `now`.
    pub fn rebuild(seen: Seen<'_>, now: DateTime<Utc>) -> QuotaBook {
        let mut book = QuotaBook::default();
        book.set_open(seen.open_uploads);
        for (who, at) in seen.submissions {
            if now - at < Duration::hours(1) {
                book.submitted
                    .entry(who.to_owned())
                    .or_default()
                    .push_back(at);
            }
        }
        for (who, at, bytes) in seen.photos {
            if now - at < Duration::days(1) {
                book.accepted
                    .entry(who.to_owned())
                    .or_default()
                    .push_back((at, bytes));
            }
        }
        for list in book.submitted.values_mut() {
            list.make_contiguous().sort();
        }
        for list in book.accepted.values_mut() {
            list.make_contiguous().sort_by_key(|e| e.0);
        }
        book
    }

    /// Replaces the open uploads (after a sweep of the staging folder).
    pub fn set_open(&mut self, open: Vec<(String, String, u64)>) {
        self.open = open
            .into_iter()
            .map(|(id, who, size)| (id, (who, size)))
            .collect();
    }

    /// Counts a new submission, or refuses it.
    pub fn submit(
        &mut self,
        limits: &QuotaLimits,
        who: &str,
        now: DateTime<Utc>,
    ) -> Result<(), InboxError> {
        let list = self.submitted.entry(who.to_owned()).or_default();
        while list
            .front()
            .is_some_and(|&at| now - at >= Duration::hours(1))
        {
            list.pop_front();
        }
        if list.len() >= limits.submissions_per_hour {
            let wait = list
                .front()
                .map_or(Duration::hours(1), |&at| at + Duration::hours(1) - now);
            self.refusals += 1;
            return Err(InboxError::Quota {
                what: "submissions an hour",
                limit: limits.submissions_per_hour.to_string(),
                retry_minutes: minutes(wait),
            });
        }
        list.push_back(now);
        Ok(())
    }

    /// Opens an upload of `size` bytes, or refuses it. Declaring an upload that is already
    /// open (a retry) is always allowed.
    pub fn open_upload(
        &mut self,
        limits: &QuotaLimits,
        who: &str,
        upload: &str,
        size: u64,
        now: DateTime<Utc>,
    ) -> Result<(), InboxError> {
        if self.open.contains_key(upload) {
            return Ok(());
        }
        let open = self.open.values().filter(|(w, _)| w == who).count();
        if open >= limits.open_uploads {
            self.refusals += 1;
            return Err(InboxError::Quota {
                what: "photos being sent at once",
                limit: limits.open_uploads.to_string(),
                retry_minutes: 0,
            });
        }
        self.check_bytes(limits, who, size, now)?;
        self.open.insert(upload.to_owned(), (who.to_owned(), size));
        Ok(())
    }

    /// Closes an upload (finished, failed or swept).
    pub fn close_upload(&mut self, upload: &str) {
        self.open.remove(upload);
    }

    /// Whether `size` more bytes fit in the volunteer's day, counting open uploads.
    pub fn check_bytes(
        &mut self,
        limits: &QuotaLimits,
        who: &str,
        size: u64,
        now: DateTime<Utc>,
    ) -> Result<(), InboxError> {
        let used = self.used_bytes(who, now);
        if used.saturating_add(size) > limits.bytes_per_day {
            let oldest = self.accepted.get(who).and_then(|l| l.front()).map(|e| e.0);
            let wait = oldest.map_or(Duration::zero(), |at| at + Duration::days(1) - now);
            self.refusals += 1;
            return Err(InboxError::Quota {
                what: "MB of photos a day",
                limit: (limits.bytes_per_day / (1024 * 1024)).to_string(),
                retry_minutes: minutes(wait),
            });
        }
        Ok(())
    }

    /// Bytes the volunteer may still send today.
    pub fn room(&mut self, limits: &QuotaLimits, who: &str, now: DateTime<Utc>) -> u64 {
        limits
            .bytes_per_day
            .saturating_sub(self.used_bytes(who, now))
    }

    /// Counts an accepted photo.
    pub fn accept(&mut self, who: &str, bytes: u64, now: DateTime<Utc>) {
        self.accepted
            .entry(who.to_owned())
            .or_default()
            .push_back((now, bytes));
    }

    /// Open uploads of everyone (for monitoring).
    pub fn open_uploads(&self) -> usize {
        self.open.len()
    }

    fn used_bytes(&mut self, who: &str, now: DateTime<Utc>) -> u64 {
        let list = self.accepted.entry(who.to_owned()).or_default();
        while list.front().is_some_and(|e| now - e.0 >= Duration::days(1)) {
            list.pop_front();
        }
        let accepted: u64 = list.iter().map(|e| e.1).sum();
        let open: u64 = self
            .open
            .values()
            .filter(|(w, _)| w == who)
            .map(|(_, size)| size)
            .sum();
        accepted + open
    }
}

fn minutes(wait: Duration) -> u64 {
    u64::try_from(wait.num_seconds().max(0))
        .unwrap_or(0)
        .div_ceil(60)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: u64 = 1024 * 1024;

    fn limits() -> QuotaLimits {
        QuotaLimits {
            open_uploads: 2,
            bytes_per_day: 100 * MB,
            submissions_per_hour: 3,
        }
    }

    #[test]
    fn open_uploads_bytes_and_submissions_are_bounded() {
        let mut book = QuotaBook::default();
        let now = Utc::now();
        book.open_upload(&limits(), "lan", "u1", 40 * MB, now)
            .unwrap();
        book.open_upload(&limits(), "lan", "u1", 40 * MB, now)
            .unwrap(); // a retry
        book.open_upload(&limits(), "lan", "u2", 40 * MB, now)
            .unwrap();
        let err = book
            .open_upload(&limits(), "lan", "u3", MB, now)
            .unwrap_err();
        assert!(
            err.to_string().contains("2 photos being sent at once"),
            "{err}"
        );
        book.open_upload(&limits(), "mai", "m1", 90 * MB, now)
            .unwrap();
        // 80 open + 30 > 100.
        book.close_upload("u2");
        book.accept("lan", 40 * MB, now);
        let err = book
            .open_upload(&limits(), "lan", "u4", 30 * MB, now)
            .unwrap_err();
        assert!(err.to_string().contains("100 MB of photos a day"), "{err}");
        assert_eq!(book.room(&limits(), "lan", now), 20 * MB);
        // A day later the accepted bytes no longer count.
        let tomorrow = now + Duration::hours(25);
        book.close_upload("u1");
        book.open_upload(&limits(), "lan", "u4", 90 * MB, tomorrow)
            .unwrap();
        for _ in 0..3 {
            book.submit(&limits(), "lan", now).unwrap();
        }
        let err = book.submit(&limits(), "lan", now).unwrap_err();
        assert!(err.to_string().contains("60 minutes"), "{err}");
        book.submit(&limits(), "lan", now + Duration::minutes(61))
            .unwrap();
        assert_eq!(book.refusals, 3);
    }
}
