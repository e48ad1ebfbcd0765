//! Publishing and mirroring generations, against a local folder always and a real S3 server
//! when `DISAN_S3_ENDPOINT` is set (see `crate::storage::tests`).

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use super::mirror::Mirror;
use super::publish::Publisher;
use super::*;
use crate::layout::{ArchiveLayout, IndexLayout};
use crate::record::SiteRecord;

struct Primary {
    _dir: tempfile::TempDir,
    archive: ArchiveLayout,
    index: IndexLayout,
    /// id, folder, record hash, summary.
    sites: Vec<(String, String, String, SiteSummary)>,
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn segment(index: &IndexLayout, id: &str, bytes: &[u8]) {
    let meta = format!(r#"{{"segments":[{{"segment_id":"{id}"}}],"opstamp":1}}"#);
    let stem = id.replace('-', "");
    for ext in ["idx", "store"] {
        let content = [bytes, ext.as_bytes()].concat();
        write(&index.tantivy().join(format!("{stem}.{ext}")), &content);
    }
    write(&index.tantivy().join("meta.json"), meta.as_bytes());
}

const SEGMENT_A: &str = "0123456789abcdef-0123456789abcdef";
const SEGMENT_B: &str = "fedcba9876543210-fedcba9876543210";

impl Primary {
    fn new(n: usize) -> Primary {
        let dir = tempfile::tempdir().unwrap();
        let archive = ArchiveLayout::new(dir.path().join("archive"));
        let index = IndexLayout::new(dir.path().join("index"));
        let mut primary = Primary {
            _dir: dir,
            archive,
            index,
            sites: Vec::new(),
        };
        for i in 0..n {
            primary.put_site(&format!("site-{i:03}"), &format!("Đình số {i}"));
        }
        segment(&primary.index, SEGMENT_A, b"segment a");
        write(&primary.index.tantivy().join("disan-index-version"), b"2");
        write(&primary.index.tantivy().join(".tantivy-writer.lock"), b"");
        write(&primary.index.pack_index(), b"{\"provinces\":[]}");
        // Bigger than a bundle takes: stored one object.
        write(&primary.index.pack_state(), &vec![b'x'; 300_000]);
        write(&primary.archive.deletions_file(), b"{\"id\":\"old\"}\n");
        primary
    }

    fn put_site(&mut self, id: &str, name: &str) {
        let record = SiteRecord::new(id, name, chrono::Utc::now());
        let folder = format!("ninh-binh/{id}");
        let dir = self.archive.root().join(&folder);
        let json = serde_json::to_vec_pretty(&record).unwrap();
        write(&ArchiveLayout::site_file(&dir), &json);
        write(&ArchiveLayout::history_file(&dir), b"{}\n");
        let record_hash = hash(&json);
        write(&self.index.description(&record_hash), name.as_bytes());
        // The description of the version replaced is no longer published, nor on the primary.
        for (_, _, old, _) in self.sites.iter().filter(|(i, ..)| i == id) {
            std::fs::remove_file(self.index.description(old)).unwrap();
        }
        self.sites.retain(|(i, ..)| i != id);
        self.sites.push((
            id.to_owned(),
            folder,
            record_hash,
            SiteSummary::of(&record, &[]),
        ));
    }

    fn refs(&self) -> Vec<SiteRef<'_>> {
        self.sites
            .iter()
            .map(|(id, folder, record_hash, summary)| SiteRef {
                id,
                folder,
                content_hash: id,
                record_hash,
                summary,
            })
            .collect()
    }
}

/// The published files of `root` (what a replica must hold), by path relative to it.
fn files(root: &Path, skip_hidden: bool) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| !(skip_hidden && e.file_name().to_string_lossy().starts_with('.')))
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, hash(&std::fs::read(e.path()).unwrap()))
        })
        .filter(|(rel, _)| rel != "publish-state.json" && !rel.starts_with("data/"))
        .collect();
    out.sort();
    out
}

fn same_files(primary: &Primary, archive: &ArchiveLayout, index: &IndexLayout) {
    for (mine, theirs) in [
        (archive.root(), primary.archive.root()),
        (index.root(), primary.index.root()),
    ] {
        let (a, b) = (files(mine, true), files(theirs, true));
        let only_replica: Vec<_> = a.iter().filter(|f| !b.contains(f)).collect();
        let only_primary: Vec<_> = b.iter().filter(|f| !a.contains(f)).collect();
        assert!(
            only_replica.is_empty() && only_primary.is_empty(),
            "only on the replica: {only_replica:?}; only on the primary: {only_primary:?}"
        );
    }
}

#[test]
fn a_replica_holds_exactly_what_was_published_and_follows_changes() {
    for (storage, _keep) in crate::storage::tests::stores("follow") {
        let storage = Arc::new(storage);
        let mut primary = Primary::new(40);
        let mut publisher = Publisher::new(storage.clone(), &primary.archive, &primary.index);
        let first = publisher.publish(&primary.refs(), None).unwrap();
        assert!(first.new_generation);
        assert!(first.bundles_uploaded >= 16, "{first:?}");
        // Nothing changed: no new generation, nothing uploaded.
        let again = publisher
            .publish(&primary.refs(), Some(&HashSet::new()))
            .unwrap();
        assert!(!again.new_generation);
        assert_eq!(again.number, first.number);
        assert_eq!(again.bytes_uploaded, 0);

        let replica = tempfile::tempdir().unwrap();
        let (archive, index) = (
            ArchiveLayout::new(replica.path().join("a")),
            IndexLayout::new(replica.path().join("i")),
        );
        let mut mirror = Mirror::open(storage.clone(), &archive, &index).unwrap();
        let newest = mirror.newer().unwrap().expect("a generation");
        let mut applied = mirror.apply(newest).unwrap();
        assert!(applied.full);
        assert_eq!(applied.changed.len(), 40);
        mirror.remove_stale(&mut applied);
        same_files(&primary, &archive, &index);
        assert_eq!(mirror.site("site-007").unwrap().summary.name, "Đình số 7");

        // An approval: one site changed, one added, one removed, and a new segment replacing
        // the old one (a merge).
        primary.put_site("site-007", "Đình Kim Liên");
        primary.put_site("site-new", "Chùa Mới");
        let gone = primary
            .sites
            .iter()
            .find(|(id, ..)| id == "site-010")
            .unwrap()
            .2
            .clone();
        std::fs::remove_file(primary.index.description(&gone)).unwrap();
        primary.sites.retain(|(id, ..)| id != "site-010");
        std::fs::remove_dir_all(primary.archive.root().join("ninh-binh/site-010")).unwrap();
        for ext in ["idx", "store"] {
            std::fs::remove_file(
                primary
                    .index
                    .tantivy()
                    .join(format!("{}.{ext}", SEGMENT_A.replace('-', ""))),
            )
            .unwrap();
        }
        segment(&primary.index, SEGMENT_B, b"segment b");
        let changed: HashSet<String> = ["site-007".to_owned()].into();
        let second = publisher.publish(&primary.refs(), Some(&changed)).unwrap();
        assert!(second.new_generation);
        assert_eq!(second.number, first.number + 1);
        // Only the touched buckets and the new segment's files went up.
        assert!(second.bundles_uploaded <= 12, "{second:?}");
        assert_eq!(
            second.files_uploaded, 3,
            "two segment files and meta.json: {second:?}"
        );

        let mut applied = mirror.apply(mirror.newer().unwrap().unwrap()).unwrap();
        assert!(!applied.full);
        assert!(applied.changed.contains(&"site-007".to_owned()));
        assert!(applied.changed.contains(&"site-new".to_owned()));
        // Other sites in the changed buckets are not reparsed, nor their files rewritten.
        assert_eq!(applied.changed.len(), 2, "{:?}", applied.changed);
        assert_eq!(applied.removed, ["site-010"]);
        assert!(applied.objects_fetched < 20, "{applied:?}");
        mirror.remove_stale(&mut applied);
        same_files(&primary, &archive, &index);
        assert_eq!(
            mirror.site("site-007").unwrap().summary.name,
            "Đình Kim Liên"
        );
        assert!(mirror.site("site-010").is_none());
        assert_eq!(mirror.newer().unwrap(), None);
    }
}

#[test]
fn a_restarted_primary_uploads_nothing_again_and_never_reuses_a_number() {
    for (storage, _keep) in crate::storage::tests::stores("restart") {
        let storage = Arc::new(storage);
        let primary = Primary::new(10);
        let first = Publisher::new(storage.clone(), &primary.archive, &primary.index)
            .publish(&primary.refs(), None)
            .unwrap();
        let after_restart = Publisher::new(storage.clone(), &primary.archive, &primary.index)
            .publish(&primary.refs(), None)
            .unwrap();
        assert!(!after_restart.new_generation);
        assert_eq!(after_restart.bytes_uploaded, 0);
        // Its memory lost: everything is checked against the store, nothing uploaded twice,
        // and the next number follows the store's newest.
        std::fs::remove_file(primary.index.publish_state()).unwrap();
        let forgetful = Publisher::new(storage.clone(), &primary.archive, &primary.index)
            .publish(&primary.refs(), None)
            .unwrap();
        assert_eq!(
            forgetful.bundles_uploaded + forgetful.files_uploaded,
            0,
            "{forgetful:?}"
        );
        assert_eq!(forgetful.number, first.number + 1);
    }
}

#[test]
fn old_generations_are_collected_and_the_newest_stays_whole() {
    for (storage, _keep) in crate::storage::tests::stores("gc") {
        let storage = Arc::new(storage);
        let mut primary = Primary::new(30);
        let mut publisher = Publisher::new(storage.clone(), &primary.archive, &primary.index);
        for round in 0..3 {
            primary.put_site("site-001", &format!("Tên {round}"));
            let changed: HashSet<String> = ["site-001".to_owned()].into();
            publisher.publish(&primary.refs(), Some(&changed)).unwrap();
        }
        let collected =
            gc::collect(&storage, 1, std::time::Duration::ZERO, chrono::Utc::now()).unwrap();
        assert_eq!(collected.generations_kept, 1);
        assert_eq!(collected.generations_removed, 2);
        assert!(collected.blobs_removed >= 2, "{collected:?}");
        let replica = tempfile::tempdir().unwrap();
        let (archive, index) = (
            ArchiveLayout::new(replica.path().join("a")),
            IndexLayout::new(replica.path().join("i")),
        );
        let mut mirror = Mirror::open(storage.clone(), &archive, &index).unwrap();
        let mut applied = mirror.apply(mirror.newer().unwrap().unwrap()).unwrap();
        mirror.remove_stale(&mut applied);
        same_files(&primary, &archive, &index);
        assert_eq!(mirror.site("site-001").unwrap().summary.name, "Tên 2");
    }
}

#[test]
fn a_replica_never_empties_a_folder_that_is_not_its_own() {
    let primary = Primary::new(2);
    let (storage, _keep) = crate::storage::tests::stores("refuse").remove(0);
    let err = Mirror::open(
        Arc::new(storage),
        &primary.archive,
        &IndexLayout::new(primary.index.root()),
    )
    .err()
    .expect("refused");
    assert!(matches!(err, SnapshotError::NotAMirror(_)), "{err}");
    assert!(
        primary
            .archive
            .root()
            .join("ninh-binh/site-001/site.json")
            .is_file()
    );
}

#[test]
fn bundles_are_deterministic_and_refuse_paths_outside_the_roots() {
    let files = vec![
        ("archive/x/site.json".to_owned(), b"{}".to_vec()),
        ("sites/x.json".to_owned(), b"{}".to_vec()),
    ];
    let a = write_bundle(&files).unwrap();
    assert_eq!(a, write_bundle(&files).unwrap());
    assert_eq!(read_bundle(&a).unwrap(), files);
    let evil = write_bundle(&[("archive/../../etc/x".to_owned(), b"!".to_vec())]);
    // tar itself refuses `..`; a bundle made elsewhere with it is refused on reading.
    if let Ok(bytes) = evil {
        assert!(read_bundle(&bytes).is_err());
    }
    assert!(!paths::is_valid("other/x"));
    assert!(paths::is_valid("index/tantivy/meta.json"));
}
