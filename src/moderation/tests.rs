//! Moderation tests on temporary archives: approve, reject, revert, and interrupted approvals.

use chrono::Utc;

use super::*;
use crate::archive::inbox::{PhotoDetails, Proposal};
use crate::record::Accuracy;

fn jpeg(w: u16, h: u16, seed: u8) -> Vec<u8> {
    let rgb: Vec<u8> = (0..u32::from(w) * u32::from(h))
        .flat_map(|i| [(i % 251) as u8, seed, (i / 97) as u8])
        .collect();
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90)
        .encode(&rgb, w, h, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    out
}

struct World {
    _dir: tempfile::TempDir,
    layout: ArchiveLayout,
    inbox: Inbox,
    moderation: Moderation,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let layout = ArchiveLayout::new(dir.path().join("archive"));
    std::fs::create_dir_all(layout.root()).unwrap();
    World {
        inbox: Inbox::new(&layout),
        moderation: Moderation::new(&layout),
        layout,
        _dir: dir,
    }
}

impl World {
    fn add_photo(&self, id: &str, name: &str, bytes: &[u8]) {
        let mut staged = self.inbox.stage().unwrap();
        staged.write(bytes).unwrap();
        let details = PhotoDetails {
            original_name: name.into(),
            caption: Some("Cổng đình".into()),
            author: "Lan".into(),
            license: "CC-BY-4.0".into(),
        };
        self.inbox
            .add_photo(id, staged, details, Utc::now())
            .unwrap();
    }

    /// A pending new-site proposal with two photos.
    fn proposal(&self) -> String {
        let mut record = SiteRecord::new("", "Đình Tức Mạc", Utc::now());
        record.location.province = Some("Ninh Bình".into());
        record.location.lat = Some(20.45);
        record.location.lon = Some(106.18);
        record.location.accuracy = Some(Accuracy::PhotoGps);
        let sub = self
            .inbox
            .submit("lan", Proposal::NewSite { record }, Utc::now())
            .unwrap();
        self.add_photo(&sub.id, "IMG_0001.JPG", &jpeg(64, 48, 1));
        self.add_photo(&sub.id, "../../IMG_0001.JPG", &jpeg(64, 48, 2));
        sub.id
    }

    fn files_in_public_archive(&self) -> Vec<String> {
        walkdir::WalkDir::new(self.layout.root())
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !self.layout.is_reserved(e.path()))
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| self.layout.display(e.path()).to_string())
            .collect()
    }
}

#[test]
fn approving_a_new_site_publishes_it_with_its_photos_and_history() {
    let w = world();
    let id = w.proposal();
    let preview = w.moderation.proposed_changes(&id).unwrap();
    assert!(preview.iter().any(|c| c.field == "photos"));
    let applied = w.moderation.approve(&id, "mai", None, Utc::now()).unwrap();
    assert_eq!(applied.record.id, "dinh-tuc-mac-ninh-binh");
    assert_eq!(
        applied.site_dir,
        w.layout.root().join("ninh-binh/dinh-tuc-mac-ninh-binh")
    );
    assert_eq!(applied.record.photos.len(), 2);
    for photo in &applied.record.photos {
        assert!(photo.file.starts_with("photos/img-0001-"), "{}", photo.file);
        assert!(applied.site_dir.join(&photo.file).is_file());
        assert_eq!(photo.license.as_deref(), Some("CC-BY-4.0"));
    }
    let log = history::read(&applied.site_dir).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0].submitted_by.as_deref(), log[0].approved_by.as_str()),
        (Some("lan"), "mai")
    );
    let sub = w.inbox.get(&id).unwrap();
    assert_eq!(sub.status, Status::Approved);
    assert_eq!(
        sub.review.unwrap().site_id.as_deref(),
        Some("dinh-tuc-mac-ninh-binh")
    );
    let report = crate::check::check(&w.layout);
    assert!(report.is_clean(), "{:?}", report.lines(&w.layout));
    assert!(matches!(
        w.moderation.approve(&id, "mai", None, Utc::now()),
        Err(ModerationError::Inbox(InboxError::NotPending { .. }))
    ));
    // The same name again gets its own id.
    let again = w.proposal();
    let second = w
        .moderation
        .approve(&again, "mai", None, Utc::now())
        .unwrap();
    assert_eq!(second.record.id, "dinh-tuc-mac-ninh-binh-2");
}

#[test]
fn corrections_photos_edits_and_reverts_are_logged() {
    let w = world();
    let site = w
        .moderation
        .approve(&w.proposal(), "mai", None, Utc::now())
        .unwrap();
    let site_id = site.record.id.clone();

    let mut corrected = site.record.clone();
    corrected.name = "Đình làng Tức Mạc".into();
    corrected.description = Some("Đình thờ Trần Hưng Đạo.".into());
    corrected.photos.clear(); // ignored: corrections are text
    let proposal = Proposal::Correction {
        site_id: site_id.clone(),
        record: corrected,
        note: None,
    };
    let sub = w.inbox.submit("lan", proposal, Utc::now()).unwrap();
    let changes = w.moderation.proposed_changes(&sub.id).unwrap();
    let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["description", "name"]);
    // The moderator fixes the wording before approving.
    let Proposal::Correction {
        record: mut edited_record,
        ..
    } = w.inbox.get(&sub.id).unwrap().proposal
    else {
        unreachable!("submitted as a correction")
    };
    edited_record.description = Some("Đình thờ Đức Thánh Trần.".into());
    let correction = w
        .moderation
        .approve(&sub.id, "mai", Some(edited_record), Utc::now())
        .unwrap();
    assert_eq!(correction.record.photos.len(), 2);
    assert_eq!(
        correction.record.description.as_deref(),
        Some("Đình thờ Đức Thánh Trần.")
    );

    let photos = w
        .inbox
        .submit(
            "an",
            Proposal::Photos {
                site_id: site_id.clone(),
            },
            Utc::now(),
        )
        .unwrap();
    w.add_photo(&photos.id, "cong.jpg", &jpeg(30, 20, 9));
    let added = w
        .moderation
        .approve(&photos.id, "mai", None, Utc::now())
        .unwrap();
    assert_eq!(added.record.photos.len(), 3);

    // Revert the correction: name and description come back, as a new logged change.
    let reverted = w
        .moderation
        .revert(&site_id, &correction.entry.change, "admin", Utc::now())
        .unwrap();
    assert_eq!(reverted.record.name, "Đình Tức Mạc");
    assert_eq!(reverted.record.description, None);
    assert_eq!(reverted.record.photos.len(), 3, "the later photos stay");
    let log = history::read(&site.site_dir).unwrap();
    let actions: Vec<Action> = log.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [
            Action::NewSite,
            Action::Correction,
            Action::Photos,
            Action::Revert
        ]
    );
    assert_eq!(
        log[3].reverts.as_deref(),
        Some(correction.entry.change.as_str())
    );
    assert!(matches!(
        w.moderation
            .revert(&site_id, &correction.entry.change, "admin", Utc::now()),
        Err(ModerationError::AlreadyReverted { .. })
    ));
    assert!(matches!(
        w.moderation
            .revert(&site_id, &site.entry.change, "admin", Utc::now()),
        Err(ModerationError::CannotRevertCreation { .. })
    ));
    assert!(matches!(
        w.moderation.revert(&site_id, "nope", "admin", Utc::now()),
        Err(ModerationError::NoSuchChange { .. })
    ));
}

#[test]
fn a_revert_never_undoes_a_later_change() {
    let w = world();
    let site = w
        .moderation
        .approve(&w.proposal(), "mai", None, Utc::now())
        .unwrap();
    let correct = |name: &str| {
        let mut record = site.record.clone();
        record.name = name.into();
        let proposal = Proposal::Correction {
            site_id: site.record.id.clone(),
            record,
            note: None,
        };
        let sub = w.inbox.submit("lan", proposal, Utc::now()).unwrap();
        w.moderation
            .approve(&sub.id, "mai", None, Utc::now())
            .unwrap()
    };
    let first = correct("Tên thứ hai");
    correct("Tên thứ ba");
    let err = w
        .moderation
        .revert(&site.record.id, &first.entry.change, "mai", Utc::now())
        .unwrap_err();
    assert!(
        err.to_string().starts_with("name changed again since"),
        "{err}"
    );
}

#[test]
fn rejections_need_a_reason_and_write_nothing_public() {
    let w = world();
    let id = w.proposal();
    assert!(matches!(
        w.moderation.reject(&id, "mai", "  ", Utc::now()),
        Err(ModerationError::ReasonRequired)
    ));
    let sub = w
        .moderation
        .reject(&id, "mai", "Ảnh bị mờ, chụp lại giúp", Utc::now())
        .unwrap();
    assert_eq!(sub.status, Status::Rejected);
    assert_eq!(
        sub.review.unwrap().reason.as_deref(),
        Some("Ảnh bị mờ, chụp lại giúp")
    );
    assert!(w.files_in_public_archive().is_empty());
}

#[test]
fn an_invalid_edit_is_refused_before_writing() {
    let w = world();
    let id = w.proposal();
    let mut bad = SiteRecord::new("", "Đình", Utc::now());
    bad.location.lat = Some(48.85);
    bad.location.lon = Some(2.35);
    let err = w
        .moderation
        .approve(&id, "mai", Some(bad), Utc::now())
        .unwrap_err();
    assert!(err.to_string().contains("outside Vietnam"), "{err}");
    assert!(w.files_in_public_archive().is_empty());
    assert_eq!(w.inbox.get(&id).unwrap().status, Status::Pending);
}

#[test]
fn an_interrupted_approval_leaves_no_partial_file_and_resumes_once() {
    let w = world();
    let id = w.proposal();
    let submission = w.inbox.get(&id).unwrap();
    // Killed after the photos were copied: photos are complete, there is no site.json, so the
    // walk sees no site, and no temporary file is left to look like a photo.
    let plan = plan::plan(&w.layout, &submission, None, Utc::now()).unwrap();
    for (source, target, private) in &plan.photo_copies {
        copy_photo(source, target, *private).unwrap();
    }
    assert!(crate::archive::walk(&w.layout).0.is_empty());
    for file in w.files_in_public_archive() {
        assert!(
            file.contains("/photos/img-0001-") && file.ends_with(".jpg"),
            "{file}"
        );
    }
    // Killed again, after the history line and before site.json.
    let entry = HistoryEntry {
        change: history::change_id(Utc::now()),
        at: Utc::now(),
        action: Action::NewSite,
        submission: Some(id.clone()),
        submitted_by: Some("lan".into()),
        approved_by: "mai".into(),
        self_approved: false,
        reverts: None,
        changes: plan.changes(),
    };
    history::append(&plan.site_dir, &entry).unwrap();
    // Approving again finishes the same site, logged once.
    let applied = w.moderation.approve(&id, "mai", None, Utc::now()).unwrap();
    assert_eq!(applied.site_dir, plan.site_dir);
    assert_eq!(applied.entry, entry);
    assert_eq!(history::read(&applied.site_dir).unwrap().len(), 1);
    assert_eq!(crate::archive::walk(&w.layout).0.len(), 1);
}
