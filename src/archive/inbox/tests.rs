//! Inbox tests: submissions, photo validation and deduplication, crash leftovers.

use super::*;
use crate::record::SiteRecord;

/// A real little JPEG (gradient), `w`×`h`.
pub(crate) fn jpeg(w: u16, h: u16, seed: u8) -> Vec<u8> {
    let rgb: Vec<u8> = (0..u32::from(w) * u32::from(h))
        .flat_map(|i| [(i % 251) as u8, seed, (i / 97) as u8])
        .collect();
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90)
        .encode(&rgb, w, h, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    out
}

fn setup() -> (tempfile::TempDir, Inbox) {
    let dir = tempfile::tempdir().unwrap();
    // Quotas are tested in `quota.rs`; these tests send more than a volunteer's hour allows.
    let inbox = Inbox::new(&ArchiveLayout::new(dir.path().join("archive"))).with_quotas(
        super::quota::QuotaLimits {
            submissions_per_hour: 1_000,
            ..Default::default()
        },
    );
    (dir, inbox)
}

fn new_site(inbox: &Inbox) -> Submission {
    let record = SiteRecord::new("", "Đình làng Tức Mạc", Utc::now());
    inbox
        .submit("lan", Proposal::NewSite { record }, Utc::now())
        .unwrap()
}

fn details() -> PhotoDetails {
    PhotoDetails {
        original_name: "../../IMG_0001.JPG".into(),
        caption: Some("Cổng tam quan".into()),
        author: "Nguyễn Thị Lan".into(),
        license: "cc-by-sa-4.0".into(),
    }
}

fn upload(inbox: &Inbox, bytes: &[u8]) -> StagedUpload {
    let mut staged = inbox.stage().unwrap();
    for chunk in bytes.chunks(1000) {
        staged.write(chunk).unwrap();
    }
    staged
}

fn staging_is_empty(inbox: &Inbox) -> bool {
    std::fs::read_dir(inbox.layout.staging_dir()).map_or(true, |mut d| d.next().is_none())
}

#[test]
fn a_submission_round_trips_and_lists() {
    let (_dir, inbox) = setup();
    let sub = new_site(&inbox);
    assert!(is_valid_id(&sub.id));
    assert_eq!(inbox.get(&sub.id).unwrap(), sub);
    let other = inbox
        .submit(
            "mai",
            Proposal::Photos {
                site_id: "den-hung".into(),
            },
            Utc::now(),
        )
        .unwrap();
    assert_eq!(inbox.pending().0.len(), 2);
    assert_eq!(inbox.by_submitter("lan").0, vec![sub.clone()]);
    let review = Review {
        moderator: "mod".into(),
        at: Utc::now(),
        reason: Some("ảnh trùng".into()),
        site_id: None,
    };
    let rejected = inbox
        .decide(&other.id, Status::Rejected, review.clone())
        .unwrap();
    assert_eq!(rejected.status, Status::Rejected);
    assert!(matches!(
        inbox.decide(&other.id, Status::Approved, review),
        Err(InboxError::NotPending { .. })
    ));
    assert_eq!(inbox.pending().0, vec![sub]);
    for bad in ["../x", "", ".disan", "A"] {
        assert!(
            matches!(inbox.get(bad), Err(InboxError::NotFound { .. })),
            "{bad}"
        );
    }
}

#[test]
fn bad_proposals_are_refused() {
    let (_dir, inbox) = setup();
    let empty = SiteRecord::new("", "  ", Utc::now());
    let err = inbox
        .submit("lan", Proposal::NewSite { record: empty }, Utc::now())
        .unwrap_err();
    assert!(err.to_string().starts_with("name: is empty"), "{err}");
    let mut huge = SiteRecord::new("", "Chùa", Utc::now());
    huge.description = Some("x".repeat(MAX_PROPOSAL_BYTES + 1));
    assert!(
        inbox
            .submit("lan", Proposal::NewSite { record: huge }, Utc::now())
            .is_err()
    );
    let traversal = Proposal::Photos {
        site_id: "../../etc".into(),
    };
    assert!(inbox.submit("lan", traversal, Utc::now()).is_err());
    assert!(!inbox.layout.inbox().exists());
}

#[test]
fn a_photo_is_validated_stored_once_and_previewed() {
    let (_dir, inbox) = setup();
    let sub = new_site(&inbox);
    let bytes = jpeg(64, 48, 1);
    let first = inbox
        .add_photo(&sub.id, upload(&inbox, &bytes), details(), Utc::now())
        .unwrap();
    assert_eq!(first.original_name, "IMG_0001.JPG");
    assert_eq!((first.width, first.height), (64, 48));
    assert_eq!(first.license, "CC-BY-SA-4.0");
    // A retry of the same bytes (lost response) gives the same entry, not a second photo.
    let again = inbox
        .add_photo(&sub.id, upload(&inbox, &bytes), details(), Utc::now())
        .unwrap();
    assert_eq!(again, first);
    let sub = inbox.get(&sub.id).unwrap();
    assert_eq!(sub.photos.len(), 1);
    assert_eq!(
        std::fs::read(inbox.photo_path(&sub, &first)).unwrap(),
        bytes
    );
    assert!(inbox.preview_path(&sub, &first).is_file());
    assert!(staging_is_empty(&inbox));
}

#[test]
fn bad_photos_are_refused_and_leave_nothing() {
    let (_dir, inbox) = setup();
    let sub = new_site(&inbox);
    let good = jpeg(64, 48, 2);
    let mut bomb = good.clone();
    let sof = bomb.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    bomb[sof + 5..sof + 9].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "text",
            b"<html>not a photo</html>".to_vec(),
            "not a JPEG/PNG/WebP",
        ),
        (
            "truncated",
            good[..good.len() / 3].to_vec(),
            "damaged or cut short",
        ),
        ("bomb", bomb, "megapixel limit"),
        ("empty", Vec::new(), "empty"),
    ];
    for (what, bytes, expected) in cases {
        let err = inbox
            .add_photo(&sub.id, upload(&inbox, &bytes), details(), Utc::now())
            .unwrap_err()
            .to_string();
        assert!(err.contains(expected), "{what}: {err}");
    }
    let no_author = PhotoDetails {
        author: " ".into(),
        ..details()
    };
    let err = inbox
        .add_photo(&sub.id, upload(&inbox, &good), no_author, Utc::now())
        .unwrap_err();
    assert!(err.to_string().starts_with("author: is missing"), "{err}");
    let bad_licence = PhotoDetails {
        license: "All rights reserved".into(),
        ..details()
    };
    let err = inbox
        .add_photo(&sub.id, upload(&inbox, &good), bad_licence, Utc::now())
        .unwrap_err();
    assert!(err.to_string().contains("choose CC-BY-SA-4.0"), "{err}");
    assert!(inbox.get(&sub.id).unwrap().photos.is_empty());
    assert!(staging_is_empty(&inbox));
    assert!(!inbox.layout.submission_dir(&sub.id).join("photos").exists());
}

#[test]
fn oversized_uploads_stop_at_the_limit() {
    let (_dir, inbox) = setup();
    let inbox = inbox.with_limits(crate::media::Limits {
        max_pixels: 1_000_000,
        max_file_bytes: 2000,
    });
    let mut staged = inbox.stage().unwrap();
    assert!(matches!(
        staged.write(&[0u8; 3000]),
        Err(InboxError::TooLarge { limit: 2000 })
    ));
    drop(staged);
    assert!(staging_is_empty(&inbox));
}

#[test]
fn corrections_take_no_photos() {
    let (_dir, inbox) = setup();
    let record = SiteRecord::new("den-hung", "Đền Hùng", Utc::now());
    let proposal = Proposal::Correction {
        site_id: "den-hung".into(),
        record,
        note: None,
    };
    let sub = inbox.submit("lan", proposal, Utc::now()).unwrap();
    let err = inbox
        .add_photo(
            &sub.id,
            upload(&inbox, &jpeg(8, 8, 0)),
            details(),
            Utc::now(),
        )
        .unwrap_err();
    assert!(err.to_string().contains("no photos"), "{err}");
}

#[test]
fn concurrent_retries_of_one_photo_store_it_once() {
    let (_dir, inbox) = setup();
    let sub = new_site(&inbox);
    let bytes = jpeg(40, 30, 3);
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (inbox, id, bytes) = (inbox.clone(), sub.id.clone(), bytes.clone());
            std::thread::spawn(move || {
                inbox
                    .add_photo(&id, upload(&inbox, &bytes), details(), Utc::now())
                    .unwrap()
            })
        })
        .collect();
    let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(results.windows(2).all(|w| w[0] == w[1]));
    let sub = inbox.get(&sub.id).unwrap();
    assert_eq!(sub.photos.len(), 1);
    let stored = std::fs::read_dir(inbox.layout.submission_dir(&sub.id).join("photos"))
        .unwrap()
        .count();
    assert_eq!(stored, 1);
}

#[test]
fn a_jpeg_cut_anywhere_is_refused() {
    let (_dir, inbox) = setup();
    let sub = new_site(&inbox);
    let good = jpeg(64, 48, 4);
    for cut in [good.len() - 2, good.len() - 40, good.len() / 2, 200, 3] {
        let err = inbox
            .add_photo(&sub.id, upload(&inbox, &good[..cut]), details(), Utc::now())
            .unwrap_err();
        assert!(matches!(err, InboxError::Photo(_)), "cut at {cut}: {err}");
    }
    inbox
        .add_photo(&sub.id, upload(&inbox, &good), details(), Utc::now())
        .unwrap();
}

#[test]
fn real_phone_photos_keep_their_gps() {
    let Some(data) = std::env::var_os("DISAN_TESTDATA") else {
        eprintln!("skipping real_phone_photos_keep_their_gps: set DISAN_TESTDATA");
        return;
    };
    let file = std::path::Path::new(&data).join("photos/gps/DSCN0010.jpg");
    let bytes = std::fs::read(&file).expect("DISAN_TESTDATA holds photos/gps/DSCN0010.jpg");
    let (_dir, inbox) = setup();
    let sub = new_site(&inbox);
    let photo = inbox
        .add_photo(&sub.id, upload(&inbox, &bytes), details(), Utc::now())
        .unwrap();
    let (lat, lon) = photo.gps.expect("the photo has GPS");
    assert!(
        (lat - 43.47).abs() < 0.1 && (lon - 11.88).abs() < 0.1,
        "{lat},{lon}"
    );
    assert!(photo.date_taken.is_some());
}

#[test]
fn recovery_sweeps_leftovers_but_keeps_submissions() {
    let (_dir, inbox) = setup();
    let sub = new_site(&inbox);
    inbox
        .add_photo(
            &sub.id,
            upload(&inbox, &jpeg(20, 20, 5)),
            details(),
            Utc::now(),
        )
        .unwrap();
    // A killed process: a half upload and a temporary file of an atomic write.
    std::mem::forget(upload(&inbox, b"half a pho"));
    let tmp = inbox.layout.submission_dir(&sub.id).join(".tmp-abc123");
    std::fs::write(&tmp, b"partial json").unwrap();
    let now = std::time::SystemTime::now();
    let hour = std::time::Duration::from_secs(3600);
    assert_eq!(
        inbox.recover(hour, now).unwrap(),
        0,
        "fresh files may still be in use"
    );
    assert_eq!(inbox.recover(hour, now + 2 * hour).unwrap(), 2);
    assert!(!tmp.exists() && staging_is_empty(&inbox));
    assert_eq!(inbox.get(&sub.id).unwrap().photos.len(), 1);
    let photo = &inbox.get(&sub.id).unwrap().photos[0];
    assert!(inbox.photo_path(&sub, photo).is_file());
}

#[test]
fn fifty_volunteers_at_once_each_photo_stored_once_byte_identical() {
    let (_dir, inbox) = setup();
    let threads: Vec<_> = (0..50u8)
        .map(|i| {
            let inbox = inbox.clone();
            std::thread::spawn(move || {
                let sub = new_site(&inbox);
                let bytes = jpeg(32, 24, i);
                // Every volunteer's connection retries once.
                for _ in 0..2 {
                    inbox
                        .add_photo(&sub.id, upload(&inbox, &bytes), details(), Utc::now())
                        .unwrap();
                }
                (sub.id, bytes)
            })
        })
        .collect();
    for thread in threads {
        let (id, bytes) = thread.join().unwrap();
        let sub = inbox.get(&id).unwrap();
        assert_eq!(sub.photos.len(), 1);
        assert_eq!(
            std::fs::read(inbox.photo_path(&sub, &sub.photos[0])).unwrap(),
            bytes
        );
    }
    assert_eq!(inbox.pending().0.len(), 50);
    assert!(staging_is_empty(&inbox));
}
