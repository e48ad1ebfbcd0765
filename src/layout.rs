//! Every path Disan reads or writes, computed in one place.
//!
//! Two trees exist on disk. The **archive** is the source of truth, edited by people and by
//! moderation: one folder per site anywhere below the root, recognised by its `site.json`, with
//! its photos beside it. A few names at the archive root are reserved: `inbox/` holds
//! contributions waiting for review and `.disan/` holds private state (accounts, sessions) that is
//! backed up with the archive but never served or published. The **index** is derived: the
//! tantivy index, the photo derivatives and the manifest that makes ingest incremental. It can be
//! deleted at any time and rebuilt from the archive.

use std::path::{Path, PathBuf};

use crate::fold;
use crate::record::validate::check_photo_path;

/// The file that makes a folder a site.
pub const SITE_FILE: &str = "site.json";

/// Folder names at the archive root that never hold published sites.
pub const RESERVED_ROOT_NAMES: &[&str] = &["inbox", ".disan"];

/// Paths inside an archive.
#[derive(Debug, Clone)]
pub struct ArchiveLayout {
    root: PathBuf,
}

impl ArchiveLayout {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        ArchiveLayout { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The record file of the site in `site_dir`.
    pub fn site_file(site_dir: &Path) -> PathBuf {
        site_dir.join(SITE_FILE)
    }

    /// Where a site that does not exist yet is created: grouped by the slug of its current
    /// province so that the tree stays browsable by hand (`ninh-binh/chua-bai-dinh`).
    pub fn new_site_dir(&self, province: Option<&str>, id: &str) -> PathBuf {
        let group = province.map(fold::slug).filter(|s| !s.is_empty());
        self.root
            .join(group.as_deref().unwrap_or("unsorted"))
            .join(id)
    }

    /// A photo of a site. `file` comes from a record, so it is checked to stay inside the
    /// site folder; `None` means the record's path is unsafe and must not be opened.
    pub fn photo(site_dir: &Path, file: &str) -> Option<PathBuf> {
        check_photo_path(file).ok()?;
        Some(site_dir.join(file))
    }

    /// A site folder named by a path relative to the root (`ninh-binh/den-thai-vi`), as the
    /// index stores it. `None` when the path would leave the archive or is not plain.
    pub fn site_dir(&self, folder: &str) -> Option<PathBuf> {
        check_photo_path(folder).ok()?;
        Some(self.root.join(folder))
    }

    /// Contributions waiting for review.
    pub fn inbox(&self) -> PathBuf {
        self.root.join("inbox")
    }

    /// Private state: accounts and sessions. Never served, exported or published.
    pub fn private_dir(&self) -> PathBuf {
        self.root.join(".disan")
    }

    /// A submission waiting in the inbox. `id` must already be checked by the inbox
    /// (`[a-z0-9-]`), so it can never climb out of the inbox folder.
    pub fn submission_dir(&self, id: &str) -> PathBuf {
        self.inbox().join(id)
    }

    /// The record of a submission: what was proposed, by whom, and where it stands.
    pub fn submission_file(submission_dir: &Path) -> PathBuf {
        submission_dir.join("submission.json")
    }

    /// A submitted photo, named by its content hash (`<hash>.<ext>`) inside the submission.
    pub fn submission_photo(submission_dir: &Path, stored_name: &str) -> PathBuf {
        submission_dir.join("photos").join(stored_name)
    }

    /// A small EXIF-free preview of a submitted photo for the moderator's queue.
    pub fn submission_preview(submission_dir: &Path, hash: &str) -> PathBuf {
        submission_dir.join("previews").join(format!("{hash}.jpg"))
    }

    /// Serialises changes to one submission's `submission.json` between processes.
    pub fn submission_lock(submission_dir: &Path) -> PathBuf {
        submission_dir.join(".lock")
    }

    /// Half-received uploads. Private (never served) and on the same file system as the inbox,
    /// so a finished upload is moved into its submission by a rename.
    pub fn staging_dir(&self) -> PathBuf {
        self.private_dir().join("staging")
    }

    /// The bytes received so far of a resumable upload. `upload` must already be checked by
    /// the inbox (32 hex digits), so it can never climb out of the staging folder.
    pub fn resumable_data(&self, upload: &str) -> PathBuf {
        self.staging_dir().join(format!("resume-{upload}.part"))
    }

    /// What a resumable upload is (its submission, size and photo details) and, once whole,
    /// the photo it became: the answer to a retry whose first response was lost.
    pub fn resumable_ticket(&self, upload: &str) -> PathBuf {
        self.staging_dir().join(format!("resume-{upload}.json"))
    }

    /// What became of a volunteer's offline draft: the submission it created, found again
    /// when the same draft is sent twice. `receipt` must already be a hex digest made by the
    /// inbox, so it can never climb out of the folder.
    pub fn draft_receipt(&self, receipt: &str) -> PathBuf {
        self.private_dir()
            .join("drafts")
            .join(format!("{receipt}.json"))
    }

    /// Serialises the check-then-create of draft receipts between requests and processes.
    pub fn drafts_lock(&self) -> PathBuf {
        self.private_dir().join("drafts.lock")
    }

    /// The accounts: one JSON file of users with their password hashes.
    pub fn users_file(&self) -> PathBuf {
        self.private_dir().join("users.json")
    }

    /// Open sessions as older versions stored them (one JSON file), imported once.
    pub fn sessions_file(&self) -> PathBuf {
        self.private_dir().join("sessions.json")
    }

    /// Teams, invitations, campaigns and their tasks, claims, credits and daily snapshots: one
    /// SQLite database (with its `-wal` and `-shm` companions beside it).
    pub fn private_db(&self) -> PathBuf {
        self.private_dir().join("campaigns.sqlite")
    }

    /// Open sessions, stored by the hash of their token: a journal of sessions opened and
    /// closed, one JSON object a line.
    pub fn sessions_journal(&self) -> PathBuf {
        self.private_dir().join("sessions.jsonl")
    }

    /// The lock file guarding the read-modify-write of `state_file` (`users.json.lock`).
    pub fn lock_for(state_file: &Path) -> PathBuf {
        let mut name = state_file.file_name().unwrap_or_default().to_os_string();
        name.push(".lock");
        state_file.with_file_name(name)
    }

    /// Serialises approvals, rejections and reverts across processes.
    pub fn moderation_lock(&self) -> PathBuf {
        self.private_dir().join("moderation.lock")
    }

    /// The record of sites removed from the archive, one JSON object a line: what harvesters
    /// are told was deleted. Part of the archive (it is history, not derived data).
    pub fn deletions_file(&self) -> PathBuf {
        self.root.join("deleted.jsonl")
    }

    /// Serialises additions to [`Self::deletions_file`] between processes.
    pub fn deletions_lock(&self) -> PathBuf {
        self.private_dir().join("deletions.lock")
    }

    /// The append-only log of approved changes of the site in `site_dir`.
    pub fn history_file(site_dir: &Path) -> PathBuf {
        site_dir.join("history.jsonl")
    }

    /// Whether the walk of published sites skips `dir` (a direct child of the root, or any
    /// hidden folder such as `.git`).
    pub fn is_reserved(&self, dir: &Path) -> bool {
        let hidden = dir
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        let reserved_root = dir.parent() == Some(self.root.as_path())
            && dir
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| RESERVED_ROOT_NAMES.contains(&n));
        hidden || reserved_root
    }

    /// `path` relative to the archive root, for messages (`ninh-binh/chua-bai-dinh/site.json`).
    pub fn display<'a>(&self, path: &'a Path) -> std::path::Display<'a> {
        path.strip_prefix(&self.root).unwrap_or(path).display()
    }
}

/// Paths inside the derived index folder.
#[derive(Debug, Clone)]
pub struct IndexLayout {
    root: PathBuf,
}

impl IndexLayout {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        IndexLayout { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The tantivy index.
    pub fn tantivy(&self) -> PathBuf {
        self.root.join("tantivy")
    }

    /// What the last completed ingest saw: content hashes of every record and photo.
    pub fn manifest(&self) -> PathBuf {
        self.root.join("manifest.json")
    }

    /// The derivatives of one source photo, named by the source's content hash so that a photo
    /// moved or renamed in the archive is not rendered again.
    pub fn derivative(&self, content_hash: &str, long_edge: u32, extension: &str) -> PathBuf {
        let shard = &content_hash[..2.min(content_hash.len())];
        self.media_root()
            .join(shard)
            .join(format!("{content_hash}-{long_edge}.{extension}"))
    }

    /// What ingest learnt about a rendered photo (size, placeholder, EXIF, its files). Kept
    /// outside the served media folder: it holds where the camera was.
    pub fn photo_meta(&self, content_hash: &str) -> PathBuf {
        let shard = &content_hash[..2.min(content_hash.len())];
        self.root
            .join("photo-info")
            .join(shard)
            .join(format!("{content_hash}.json"))
    }

    /// Where indexes made before the move kept [`Self::photo_meta`]: beside the derivatives,
    /// where it was served. Moved out on first read.
    pub fn legacy_photo_meta(&self, content_hash: &str) -> PathBuf {
        let shard = &content_hash[..2.min(content_hash.len())];
        self.media_root()
            .join(shard)
            .join(format!("{content_hash}.json"))
    }

    /// The deep-zoom tiles of one source photo: an IIIF level-0 image service, its
    /// `info.json` written last (its presence means the set is complete).
    pub fn iiif_dir(&self, content_hash: &str) -> PathBuf {
        let shard = &content_hash[..2.min(content_hash.len())];
        self.media_root()
            .join(shard)
            .join(format!("{content_hash}-iiif"))
    }

    /// The `info.json` of [`Self::iiif_dir`].
    pub fn iiif_info(&self, content_hash: &str) -> PathBuf {
        self.iiif_dir(content_hash).join("info.json")
    }

    /// The file an IIIF image request names, from a URL: `hash` must be a content hash (hex)
    /// and `request` `info.json` or exactly `{region}/{size}/0/default.jpg` with a region of
    /// `full` or four numbers and a size of `max` or two; anything else is `None` and never
    /// touches the disk.
    pub fn iiif_file(&self, hash: &str, request: &str) -> Option<PathBuf> {
        let hex = !hash.is_empty()
            && hash.len() <= 64
            && hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        let numbers = |text: &str, n: usize| {
            let parts: Vec<&str> = text.split(',').collect();
            parts.len() == n
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && p.len() <= 9 && p.bytes().all(|b| b.is_ascii_digit()))
        };
        let parts: Vec<&str> = request.split('/').collect();
        let tile = parts.len() == 4
            && (parts[0] == "full" || numbers(parts[0], 4))
            && (parts[1] == "max" || numbers(parts[1], 2))
            && parts[2] == "0"
            && parts[3] == "default.jpg";
        let valid = hex && (tile || request == "info.json");
        valid.then(|| self.iiif_dir(hash).join(request))
    }

    /// The whole archive as downloads (`/data`), each file named by its content.
    pub fn data_dir(&self) -> PathBuf {
        self.root.join("data")
    }

    /// A download file; `name` comes from [`Self::downloads_manifest`], written by Disan, and
    /// must be a plain file name.
    pub fn data_file(&self, name: &str) -> Option<PathBuf> {
        let plain = !name.is_empty()
            && !name.starts_with('.')
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
        plain.then(|| self.data_dir().join(name))
    }

    /// What the downloads are: their formats, files, sizes, checksums and date.
    pub fn downloads_manifest(&self) -> PathBuf {
        self.data_dir().join("downloads.json")
    }

    /// The sanitised HTML of a record's descriptions, named by the hash of its `site.json`
    /// bytes (see [`crate::description`]). Never served as a file: pages embed it.
    pub fn description(&self, record_hash: &str) -> PathBuf {
        let shard = &record_hash[..2.min(record_hash.len())];
        self.root
            .join("descriptions")
            .join(shard)
            .join(format!("{record_hash}.json"))
    }

    /// What the last publication to object storage uploaded (see [`crate::snapshot::publish`]).
    pub fn publish_state(&self) -> PathBuf {
        self.root.join("publish-state.json")
    }

    /// Marks a folder as a read replica's copy, which it may empty and fill again; a folder
    /// without it that holds files is never touched by a replica.
    pub fn replica_marker(root: &Path) -> PathBuf {
        root.join(".disan-replica")
    }

    /// All derivatives; served under `/media/`.
    pub fn media_root(&self) -> PathBuf {
        self.root.join("media")
    }

    /// Trip packs: what visitors save to read and search offline (see [`crate::packs`]).
    pub fn packs_root(&self) -> PathBuf {
        self.root.join("packs")
    }

    /// What the last pack build saw of every site and wrote for every commune.
    pub fn pack_state(&self) -> PathBuf {
        self.packs_root().join("state.json")
    }

    /// The list of provinces with their packs; the one pack file whose URL does not change.
    pub fn pack_index(&self) -> PathBuf {
        self.packs_root().join("index.json")
    }

    /// A pack file by kind (`c` for a commune's sites, `p` for a province's table of contents)
    /// and content hash, plain (`json`) or brotli-compressed (`json.br`). `hash` must already
    /// be checked ([`crate::packs::is_pack_hash`]), so it can never leave the packs folder.
    pub fn pack_file(&self, kind: crate::packs::PackKind, hash: &str, extension: &str) -> PathBuf {
        self.packs_root()
            .join(kind.folder())
            .join(format!("{hash}.{extension}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photo_paths_stay_inside_the_site() {
        let site = Path::new("archive/ninh-binh/chua-bai-dinh");
        assert_eq!(
            ArchiveLayout::photo(site, "photos/a.jpg").unwrap(),
            site.join("photos/a.jpg")
        );
        assert!(ArchiveLayout::photo(site, "../../etc/passwd").is_none());
        assert!(ArchiveLayout::photo(site, "/etc/passwd").is_none());
    }

    #[test]
    fn reserved_folders() {
        let a = ArchiveLayout::new("archive");
        assert!(a.is_reserved(Path::new("archive/inbox")));
        assert!(a.is_reserved(Path::new("archive/.disan")));
        assert!(a.is_reserved(Path::new("archive/x/.git")));
        assert!(!a.is_reserved(Path::new("archive/ninh-binh/inbox")));
        assert_eq!(
            a.new_site_dir(Some("Ninh Bình"), "den-thai-vi"),
            Path::new("archive/ninh-binh/den-thai-vi")
        );
        assert_eq!(a.new_site_dir(None, "x"), Path::new("archive/unsorted/x"));
    }

    #[test]
    fn iiif_requests_are_checked_before_they_become_paths() {
        let i = IndexLayout::new("index");
        assert_eq!(
            i.iiif_file("ab12", "0,0,512,512/512,512/0/default.jpg")
                .unwrap(),
            Path::new("index/media/ab/ab12-iiif/0,0,512,512/512,512/0/default.jpg")
        );
        assert!(i.iiif_file("ab12", "full/max/0/default.jpg").is_some());
        assert!(i.iiif_file("ab12", "info.json").is_some());
        for bad in [
            "../../../etc/passwd",
            "full/max/0/../../x",
            "full/max/0/default.png",
            "full/max/90/default.jpg",
            "0,0,512/512,512/0/default.jpg",
            "full/512,/0/default.jpg",
            "full/max/0/default.jpg/x",
        ] {
            assert!(i.iiif_file("ab12", bad).is_none(), "{bad}");
        }
        assert!(i.iiif_file("../ab", "full/max/0/default.jpg").is_none());
        assert!(i.iiif_file("AB12", "full/max/0/default.jpg").is_none());
    }

    #[test]
    fn derivative_names_use_the_content_hash() {
        let i = IndexLayout::new("index");
        assert_eq!(
            i.derivative("ab12cd", 320, "webp"),
            Path::new("index/media/ab/ab12cd-320.webp")
        );
    }
}
