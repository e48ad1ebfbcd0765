//! `disan ingest`: incremental (only what changed is redone), crash-safe (a killed run leaves
//! the previous index usable), and never stopped by bad input.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::Utc;
use disan::record::{Photo, SiteRecord};
use disan::search::{self, SearchRequest};
use serde_json::Value;

use crate::util::disan;

/// A photo with real content (a gradient with a seed-dependent tint), `w`×`h` pixels.
fn jpeg(path: &Path, w: u32, h: u32, seed: u8) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([
            (x * 255 / w) as u8,
            (y * 255 / h) as u8,
            seed.wrapping_mul(37),
        ])
    });
    img.save_with_format(path, image::ImageFormat::Jpeg)
        .unwrap();
}

/// Writes a site whose photos are `photos/<name>` (created by the caller).
fn site(archive: &Path, id: &str, name: &str, photos: &[&str]) -> PathBuf {
    let dir = archive.join("ninh-binh").join(id);
    let mut record = SiteRecord::new(id, name, Utc::now());
    record.photos = photos
        .iter()
        .map(|file| Photo {
            file: format!("photos/{file}"),
            caption: None,
            caption_en: None,
            author: Some("Nhóm tình nguyện".into()),
            license: Some("CC-BY-4.0".into()),
            date_taken: None,
            lat: None,
            lon: None,
        })
        .collect();
    disan::archive::write_record(&dir, &record).unwrap();
    dir
}

fn edit(dir: &Path, change: impl FnOnce(&mut SiteRecord)) {
    let file = dir.join("site.json");
    let mut record = SiteRecord::from_json(&std::fs::read_to_string(&file).unwrap()).unwrap();
    change(&mut record);
    disan::archive::write_record(dir, &record).unwrap();
}

/// Runs `disan ingest --json`; returns the exit code and the report.
fn ingest(work: &Path) -> (i32, Value) {
    let out = disan(work).args(["ingest", "--json"]).output().unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), report)
}

/// Sites that have every word of `q` (a looser "any word" fallback counts as none).
fn ids_for(work: &Path, q: &str) -> Vec<String> {
    let index = search::open(work.join("index/tantivy")).unwrap();
    let response = index.search(&SearchRequest::text(q)).unwrap();
    if response.loose_match {
        return Vec::new();
    }
    response.hits.into_iter().map(|h| h.id).collect()
}

#[test]
fn only_what_changed_is_redone() {
    let work = tempfile::tempdir().unwrap();
    let archive = work.path().join("archive");
    let a = site(&archive, "chua-a", "Chùa Á Châu", &["cong.jpg", "san.jpg"]);
    let b = site(&archive, "den-b", "Đền Bảo Lộc", &["mai.jpg"]);
    let c = site(&archive, "dinh-c", "Đình Cầu Muống", &[]);
    jpeg(&a.join("photos/cong.jpg"), 900, 600, 1);
    jpeg(&a.join("photos/san.jpg"), 600, 900, 2);
    jpeg(&b.join("photos/mai.jpg"), 700, 500, 3);

    let (code, r) = ingest(work.path());
    assert_eq!(code, 0, "{r}");
    assert_eq!(
        (r["indexed"].as_u64(), r["photos_rendered"].as_u64()),
        (Some(3), Some(3)),
        "{r}"
    );

    let (_, r) = ingest(work.path());
    assert_eq!(
        (r["indexed"].as_u64(), r["unchanged"].as_u64()),
        (Some(0), Some(3)),
        "{r}"
    );
    assert_eq!(
        (r["photos_rendered"].as_u64(), r["photos_reused"].as_u64()),
        (Some(0), Some(3)),
        "{r}"
    );
    let meta_before = std::fs::read(work.path().join("index/tantivy/meta.json")).unwrap();
    assert_eq!(
        std::fs::read(work.path().join("index/tantivy/meta.json")).unwrap(),
        meta_before,
        "no commit when nothing changed"
    );

    edit(&b, |r| {
        r.summary = Some("Đền thờ Thánh Gióng bên sông.".into())
    });
    let (_, r) = ingest(work.path());
    assert_eq!(
        (r["indexed"].as_u64(), r["photos_rendered"].as_u64()),
        (Some(1), Some(0)),
        "{r}"
    );
    assert_eq!(ids_for(work.path(), "thanh giong"), ["den-b"]);

    // A photo renamed on disk and in the record is the same content: re-indexed, not re-rendered.
    std::fs::rename(
        a.join("photos/cong.jpg"),
        a.join("photos/cong-tam-quan.jpg"),
    )
    .unwrap();
    edit(&a, |r| r.photos[0].file = "photos/cong-tam-quan.jpg".into());
    let (_, r) = ingest(work.path());
    assert_eq!(
        (r["indexed"].as_u64(), r["photos_rendered"].as_u64()),
        (Some(1), Some(0)),
        "{r}"
    );

    std::fs::remove_dir_all(&c).unwrap();
    assert_eq!(ids_for(work.path(), "cau muong"), ["dinh-c"]);
    let (_, r) = ingest(work.path());
    assert_eq!(r["deleted"].as_u64(), Some(1), "{r}");
    assert!(ids_for(work.path(), "cau muong").is_empty());

    // Deleting the index and ingesting again recreates it, reusing the derivatives.
    std::fs::remove_dir_all(work.path().join("index/tantivy")).unwrap();
    let (code, r) = ingest(work.path());
    assert_eq!(
        (code, r["indexed"].as_u64(), r["rebuilt"].as_bool()),
        (0, Some(2), Some(true)),
        "{r}"
    );
    assert_eq!(ids_for(work.path(), "bao loc"), ["den-b"]);
}

/// Summaries kept in the manifest by an older Disan are made again from the records, since
/// a field added since then would otherwise stay empty until the record changes.
#[test]
fn summaries_of_another_version_are_made_again() {
    let work = tempfile::tempdir().unwrap();
    site(&work.path().join("archive"), "den-b", "Đền Bảo Lộc", &[]);
    assert_eq!(ingest(work.path()).0, 0);
    let path = work.path().join("index/manifest.json");
    let mut manifest: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    manifest["summary_version"] = 1.into();
    manifest["sites"]["den-b"]["summary"]["name"] = "left by an older version".into();
    std::fs::write(&path, serde_json::to_vec(&manifest).unwrap()).unwrap();

    let (code, r) = ingest(work.path());
    assert_eq!((code, r["indexed"].as_u64()), (0, Some(0)), "{r}");
    let manifest: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(manifest["sites"]["den-b"]["summary"]["name"], "Đền Bảo Lộc");
    assert_eq!(
        manifest["summary_version"],
        disan::ingest::summary::SUMMARY_VERSION
    );
}

#[test]
fn bad_input_is_reported_and_good_sites_still_indexed() {
    let work = tempfile::tempdir().unwrap();
    let archive = work.path().join("archive");
    let good = site(&archive, "den-tot", "Đền Tốt", &["a.jpg"]);
    jpeg(&good.join("photos/a.jpg"), 640, 480, 4);
    // A truncated JPEG may be rendered (decoders fill the missing part) or reported; either is
    // fine as long as nothing stops.
    let bad = site(
        &archive,
        "chua-hong",
        "Chùa Hỏng",
        &["text.jpg", "cut.jpg", "gone.jpg"],
    );
    std::fs::create_dir_all(bad.join("photos")).unwrap();
    std::fs::write(bad.join("photos/text.jpg"), "hello, I am not a photo").unwrap();
    jpeg(&bad.join("photos/full.jpg"), 800, 600, 5);
    let full = std::fs::read(bad.join("photos/full.jpg")).unwrap();
    std::fs::write(bad.join("photos/cut.jpg"), &full[..full.len() / 3]).unwrap();
    std::fs::remove_file(bad.join("photos/full.jpg")).unwrap();
    let later_broken = site(&archive, "dinh-sau", "Đình Sau Này", &[]);

    let (code, r) = ingest(work.path());
    assert_eq!(code, 1, "{r}");
    let problems: Vec<&str> = r["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    let has = |needle: &str| problems.iter().any(|p| p.contains(needle));
    assert!(
        has(
            "text.jpg: not a JPEG/PNG/WebP image (starts with \"hello, I am not \") — was it renamed?"
        ),
        "{problems:#?}"
    );
    assert!(
        has(
            "ninh-binh/chua-hong/site.json: photo `photos/gone.jpg` listed in site.json cannot be read"
        ),
        "{problems:#?}"
    );
    assert!(
        has("ninh-binh/chua-hong/photos/text.jpg: not a JPEG"),
        "paths are relative to the archive: {problems:#?}"
    );
    assert!(
        problems
            .iter()
            .all(|p| p.contains(": ") && p.contains(" — ")),
        "every line is `path: problem — hint`: {problems:#?}"
    );
    assert_eq!(ids_for(work.path(), "den tot"), ["den-tot"]);
    assert_eq!(
        ids_for(work.path(), "chua hong"),
        ["chua-hong"],
        "a site with bad photos is still indexed"
    );

    // A record broken after it was indexed stays searchable in its last good version.
    std::fs::write(
        later_broken.join("site.json"),
        "{\"schema_version\": 1, \"id\": ",
    )
    .unwrap();
    let (code, r) = ingest(work.path());
    assert_eq!(code, 1);
    let text = r["problems"].to_string();
    assert!(
        text.contains("dinh-sau/site.json: invalid JSON at line 1"),
        "{text}"
    );
    assert!(
        text.contains("the previously indexed version stays searchable"),
        "{text}"
    );
    assert_eq!(ids_for(work.path(), "dinh sau nay"), ["dinh-sau"]);
    assert_eq!(
        r["photos_rendered"].as_u64(),
        Some(0),
        "known-bad photos are not decoded again: {r}"
    );
}

/// An index written with another schema version is rebuilt automatically, reusing derivatives.
#[test]
fn a_schema_change_rebuilds_the_index() {
    let work = tempfile::tempdir().unwrap();
    let dir = site(
        &work.path().join("archive"),
        "den-a",
        "Đền Âm Hồn",
        &["a.jpg"],
    );
    jpeg(&dir.join("photos/a.jpg"), 640, 480, 9);
    assert_eq!(ingest(work.path()).0, 0);
    // What an older Disan would have left behind.
    std::fs::write(work.path().join("index/tantivy/disan-index-version"), "0\n").unwrap();
    assert!(
        search::open(work.path().join("index/tantivy")).is_err(),
        "the old index is refused"
    );
    let (code, r) = ingest(work.path());
    assert_eq!(
        (code, r["rebuilt"].as_bool(), r["indexed"].as_u64()),
        (0, Some(true), Some(1)),
        "{r}"
    );
    assert_eq!(
        (r["photos_rendered"].as_u64(), r["photos_reused"].as_u64()),
        (Some(0), Some(1)),
        "{r}"
    );
    assert_eq!(ids_for(work.path(), "am hon"), ["den-a"]);
}

/// Kills `disan ingest` while it renders photos, then shows the old index still answers and the
/// next run finishes the job, reusing what the killed run rendered.
#[test]
fn killed_ingest_leaves_the_old_index_usable() {
    let work = tempfile::tempdir().unwrap();
    let archive = work.path().join("archive");
    let old = site(&archive, "den-cu", "Đền Tên Cũ", &[]);
    assert_eq!(ingest(work.path()).0, 0);
    let manifest_before = std::fs::read(work.path().join("index/manifest.json")).unwrap();

    edit(&old, |r| r.name = "Đền Tên Mới".into());
    for i in 0..24u8 {
        let dir = site(
            &archive,
            &format!("chua-so-{i}"),
            &format!("Chùa Số {i}"),
            &["lon.jpg"],
        );
        jpeg(&dir.join("photos/lon.jpg"), 2000, 1400, i);
    }
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("disan"))
        .current_dir(work.path())
        .args(["ingest", "--json"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Sidecars are written after each photo's derivatives, in the private photo-info folder.
    let media = work.path().join("index/photo-info");
    let started = Instant::now();
    while sidecars(&media) < 1 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "ingest finished before it could be killed"
        );
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no photo rendered in 2 minutes"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "ingest finished before it could be killed"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    let rendered_before_kill = sidecars(&media);
    assert!(rendered_before_kill < 24, "killed mid-run");

    assert_eq!(
        std::fs::read(work.path().join("index/manifest.json")).unwrap(),
        manifest_before
    );
    assert_eq!(
        ids_for(work.path(), "den ten cu"),
        ["den-cu"],
        "the old index still answers"
    );
    assert!(ids_for(work.path(), "den ten moi").is_empty());

    let (code, r) = ingest(work.path());
    assert_eq!(code, 0, "{r}");
    assert_eq!(
        r["photos_reused"].as_u64(),
        Some(rendered_before_kill as u64),
        "{r}"
    );
    assert_eq!(
        r["photos_rendered"].as_u64(),
        Some(24 - rendered_before_kill as u64),
        "{r}"
    );
    assert_eq!(ids_for(work.path(), "den ten moi"), ["den-cu"]);
    assert_eq!(ids_for(work.path(), "chua so 23"), ["chua-so-23"]);
}

fn sidecars(media: &Path) -> usize {
    walkdir::WalkDir::new(media)
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .count()
}

/// Needs real photos: a real camera photo is rendered and gets a thumbnail; its GPS position
/// (Arezzo, Italy) is outside Vietnam, so it must not become the site's position.
#[test]
fn real_photo_gps_outside_vietnam_is_not_a_position() {
    let Some(data) = crate::util::testdata("real_photo_gps_outside_vietnam_is_not_a_position")
    else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let dir = site(
        &work.path().join("archive"),
        "pho-co",
        "Phố Cổ Arezzo",
        &["DSCN0010.jpg"],
    );
    std::fs::create_dir_all(dir.join("photos")).unwrap();
    std::fs::copy(
        data.join("photos/gps/DSCN0010.jpg"),
        dir.join("photos/DSCN0010.jpg"),
    )
    .unwrap();
    let (_, r) = ingest(work.path());
    assert_eq!(r["photos_rendered"].as_u64(), Some(1), "{r}");
    let index = search::open(work.path().join("index/tantivy")).unwrap();
    let hit = index
        .search(&SearchRequest::text("arezzo"))
        .unwrap()
        .hits
        .remove(0);
    assert_eq!((hit.lat, hit.lon), (None, None), "{hit:?}");
    assert!(hit.thumbnail.is_some(), "{hit:?}");
}
