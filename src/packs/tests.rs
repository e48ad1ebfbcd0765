use std::collections::BTreeMap;

use chrono::Utc;

use super::*;
use crate::archive::write_record;
use crate::ingest::{IngestOptions, ingest};

struct Fixture {
    _dir: tempfile::TempDir,
    archive: ArchiveLayout,
    index: IndexLayout,
}

fn site(id: &str, name: &str, province: Option<&str>, commune: Option<&str>) -> SiteRecord {
    let mut r = SiteRecord::new(id, name, Utc::now());
    r.location.province = province.map(str::to_owned);
    r.location.commune = commune.map(str::to_owned);
    r.location.lat = Some(20.25);
    r.location.lon = Some(105.97);
    r.people = vec!["Trần Hưng Đạo".into()];
    r
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let f = Fixture {
            archive: ArchiveLayout::new(dir.path().join("archive")),
            index: IndexLayout::new(dir.path().join("index")),
            _dir: dir,
        };
        f.put(site(
            "den-a",
            "Đền A",
            Some("Ninh Bình"),
            Some("Xã Gia Viễn"),
        ));
        f.put(site(
            "dinh-b",
            "Đình B",
            Some("Ninh Bình"),
            Some("Xã Gia Viễn"),
        ));
        f.put(site(
            "chua-c",
            "Chùa C",
            Some("Ninh Bình"),
            Some("Phường Hoa Lư"),
        ));
        f.put(site("mieu-d", "Miếu D", None, None));
        f
    }

    fn dir_of(&self, id: &str) -> std::path::PathBuf {
        self.archive.root().join("sites").join(id)
    }

    fn put(&self, record: SiteRecord) {
        write_record(&self.dir_of(&record.id), &record).unwrap();
    }

    fn ingest(&self) -> PackReport {
        let report = ingest(&self.archive, &self.index, &IngestOptions::default()).unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        report.packs
    }

    fn json(&self, path: &std::path::Path) -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    /// Commune key → pack hash, from the province tables of contents.
    fn chunks(&self) -> BTreeMap<String, String> {
        let index = self.json(&self.index.pack_index());
        let mut out = BTreeMap::new();
        for p in index["provinces"].as_array().unwrap() {
            let toc = self.json(&self.file_of(p["url"].as_str().unwrap()));
            for c in toc["communes"].as_array().unwrap() {
                let url = c["url"].as_str().unwrap();
                out.insert(c["key"].as_str().unwrap().to_owned(), url.to_owned());
            }
        }
        out
    }

    fn file_of(&self, url: &str) -> std::path::PathBuf {
        let rest = url.strip_prefix(URL_PREFIX).unwrap();
        let (folder, file) = rest.trim_start_matches('/').split_once('/').unwrap();
        let hash = file.strip_suffix(".json").unwrap();
        assert!(is_pack_hash(hash), "{hash}");
        self.index
            .pack_file(PackKind::from_folder(folder).unwrap(), hash, "json")
    }

    fn names_in(&self, key: &str) -> Vec<String> {
        let chunk = self.json(&self.file_of(&self.chunks()[key]));
        chunk["sites"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["n"].as_str().unwrap().to_owned())
            .collect()
    }
}

#[test]
fn sites_are_packed_by_commune_and_listed_by_province() {
    let f = Fixture::new();
    let report = f.ingest();
    assert_eq!(report.sites, 4);
    assert_eq!(report.communes_written, 3);
    let index = f.json(&f.index.pack_index());
    let provinces: Vec<(&str, u64)> = index["provinces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["slug"].as_str().unwrap(), p["sites"].as_u64().unwrap()))
        .collect();
    assert_eq!(provinces, [("-", 1), ("ninh-binh", 3)]);
    assert_eq!(index["types"]["den"][0], "Đền");
    let chunks = f.chunks();
    assert_eq!(
        chunks.keys().collect::<Vec<_>>(),
        ["-/-", "ninh-binh/phuong-hoa-lu", "ninh-binh/xa-gia-vien"]
    );
    assert_eq!(f.names_in("ninh-binh/xa-gia-vien"), ["Đền A", "Đình B"]);
    // Every file is stored compressed too, and the compressed one is what the sizes count.
    let url = &chunks["ninh-binh/xa-gia-vien"];
    let plain = f.file_of(url);
    let br = plain.with_extension("json.br");
    let mut unpacked = Vec::new();
    brotli::BrotliDecompress(&mut std::fs::File::open(&br).unwrap(), &mut unpacked).unwrap();
    assert_eq!(unpacked, std::fs::read(&plain).unwrap());
}

#[test]
fn only_the_communes_that_changed_are_written_again() {
    let f = Fixture::new();
    f.ingest();
    let before = f.chunks();
    assert_eq!(f.ingest().communes_written, 0, "nothing changed");
    assert_eq!(f.chunks(), before);

    let mut changed = site("den-a", "Đền A", Some("Ninh Bình"), Some("Xã Gia Viễn"));
    changed.summary = Some("Đền thờ Trần Hưng Đạo.".into());
    f.put(changed);
    let report = f.ingest();
    assert_eq!((report.communes_written, report.sites_read), (1, 1));
    let after = f.chunks();
    assert_ne!(
        after["ninh-binh/xa-gia-vien"],
        before["ninh-binh/xa-gia-vien"]
    );
    assert_eq!(
        after["ninh-binh/phuong-hoa-lu"],
        before["ninh-binh/phuong-hoa-lu"]
    );

    // A site moving to another commune changes both.
    f.put(site(
        "dinh-b",
        "Đình B",
        Some("Ninh Bình"),
        Some("Phường Hoa Lư"),
    ));
    assert_eq!(f.ingest().communes_written, 2);
    assert_eq!(f.names_in("ninh-binh/phuong-hoa-lu"), ["Chùa C", "Đình B"]);

    // A commune whose last site is gone disappears, and so does an empty province.
    std::fs::remove_dir_all(f.dir_of("mieu-d")).unwrap();
    let report = f.ingest();
    assert_eq!(report.communes_removed, 1);
    assert!(!f.chunks().contains_key("-/-"));
    let index = f.json(&f.index.pack_index());
    assert_eq!(index["provinces"].as_array().unwrap().len(), 1);
}

#[test]
fn a_lost_or_cut_pack_file_is_written_again() {
    let f = Fixture::new();
    f.ingest();
    let url = f.chunks()["ninh-binh/phuong-hoa-lu"].clone();
    std::fs::write(f.file_of(&url), b"{\"cut").unwrap();
    assert_eq!(f.ingest().communes_written, 1);
    assert_eq!(f.names_in("ninh-binh/phuong-hoa-lu"), ["Chùa C"]);
    std::fs::remove_dir_all(f.index.packs_root()).unwrap();
    assert_eq!(f.ingest().communes_written, 3);
}

#[test]
fn a_published_site_updates_its_commune_and_the_directory() {
    let f = Fixture::new();
    f.ingest();
    let mut record = site("den-e", "Đền E", Some("Ninh Bình"), Some("Xã Gia Viễn"));
    record.former_ids = vec!["den-a".into()];
    f.put(record.clone());
    std::fs::remove_dir_all(f.dir_of("den-a")).unwrap();
    let source = SiteSource {
        id: "den-e".into(),
        dir: "sites/den-e".into(),
        record_hash: "h1".into(),
        photos: Vec::new(),
        place: Some(Place::of(&record)),
    };
    let report = update(&f.archive, &f.index, vec![source], vec!["den-a".into()]).unwrap();
    assert_eq!(report.communes_written, 1);
    assert_eq!(f.names_in("ninh-binh/xa-gia-vien"), ["Đền E", "Đình B"]);
    let directory = Directory::load(&f.index).unwrap();
    assert_eq!(directory.len(), 4);
    assert!(directory.chunk_of("den-a").is_none());
    let chosen = directory.select(["den-e", "dinh-b", "chua-c", "nowhere"]);
    assert_eq!(chosen.ids, ["den-e", "dinh-b", "chua-c"]);
    assert_eq!(chosen.chunks.len(), 2, "{chosen:?}");
    assert_eq!(chosen.chunks[0].url, f.chunks()["ninh-binh/xa-gia-vien"]);
    assert_eq!(chosen.br, chosen.chunks.iter().map(|c| c.br).sum::<u64>());
}

#[test]
fn replaced_files_are_deleted_after_a_day() {
    let f = Fixture::new();
    f.ingest();
    let old = f.file_of(&f.chunks()["ninh-binh/phuong-hoa-lu"]);
    f.put(site(
        "chua-c",
        "Chùa C mới",
        Some("Ninh Bình"),
        Some("Phường Hoa Lư"),
    ));
    assert_eq!(f.ingest().files_deleted, 0);
    assert!(old.is_file(), "kept for phones half-way through an update");
    let state = build::State::load(&f.index).unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(2 * 24 * 3600);
    // The commune's old pack and its province's old table of contents, each plain and compressed.
    assert_eq!(build_sweep(&f.index, &state, later), 4);
    assert!(!old.is_file());
    assert_eq!(f.names_in("ninh-binh/phuong-hoa-lu"), ["Chùa C mới"]);
}

fn build_sweep(index: &IndexLayout, state: &build::State, now: std::time::SystemTime) -> usize {
    build::sweep(index, state, now)
}

#[test]
fn keys_and_hashes_are_safe_names() {
    let place = Place {
        province: Some("Hà Nội".into()),
        commune: Some("../Xã Đông Anh".into()),
    };
    assert_eq!(place.key(), "ha-noi/xa-dong-anh");
    assert_eq!(Place::default().key(), "-/-");
    assert!(is_pack_hash(&"a".repeat(32)));
    for bad in ["", "../../etc/passwd", &"A".repeat(32), &"a".repeat(31)] {
        assert!(!is_pack_hash(bad), "{bad}");
    }
}
