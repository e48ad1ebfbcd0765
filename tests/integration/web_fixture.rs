//! The archive the web tests serve: the bundled sample archive, plus photos on one site and a
//! rename on another, ingested for real into a temporary index. Built once per test binary.

use std::path::Path;
use std::sync::LazyLock;

use actix_web::web;
use disan::ingest::{IngestOptions, ingest};
use disan::layout::{ArchiveLayout, IndexLayout};
use disan::record::{Photo, SiteRecord};
use disan::web::AppState;

use crate::util;

/// The site with photos.
pub const PHOTO_SITE: &str = "den-thai-vi";
/// A site renamed from [`OLD_ID`].
pub const RENAMED_SITE: &str = "chua-long-doi-son";
pub const OLD_ID: &str = "chua-doi-son";
/// The Wikidata id the renamed site carries.
pub const WIKIDATA: &str = "Q4115189";

pub struct Fixture {
    _dir: tempfile::TempDir,
    pub state: web::Data<AppState>,
    /// Whether the photos are real ones from `DISAN_TESTDATA`.
    pub real_photos: bool,
}

pub static FIXTURE: LazyLock<Fixture> = LazyLock::new(build);

fn build() -> Fixture {
    let dir = util::copy_of(&util::repo().join("archive"));
    let archive = ArchiveLayout::new(dir.path().join("archive"));
    let site_dir = archive.root().join("ninh-binh").join(PHOTO_SITE);
    let real = real_photos();
    let mut files = Vec::new();
    std::fs::create_dir_all(site_dir.join("photos")).unwrap();
    match &real {
        Some(sources) => {
            for (i, source) in sources.iter().enumerate() {
                let name = format!("photos/real-{i}.jpg");
                std::fs::copy(source, site_dir.join(&name)).unwrap();
                files.push(name);
            }
        }
        None => {
            for i in 0..2 {
                let name = format!("photos/made-{i}.jpg");
                std::fs::write(site_dir.join(&name), photo_like_jpeg(2000, 1500, i)).unwrap();
                files.push(name);
            }
        }
    }
    edit(&site_dir, |r| {
        r.photos = files
            .iter()
            .enumerate()
            .map(|(i, file)| Photo {
                file: file.clone(),
                caption: Some(format!("Cổng đền, ảnh {}", i + 1)),
                caption_en: Some(format!("The temple gate, photo {}", i + 1)),
                author: Some("Nguyễn Văn A".into()),
                license: Some("CC-BY-SA-4.0".into()),
                date_taken: None,
                lat: None,
                lon: None,
            })
            .collect();
    });
    edit(&archive.root().join("ninh-binh").join(RENAMED_SITE), |r| {
        r.former_ids = vec![OLD_ID.into()];
        // Wikidata's own sandbox item: a real id that claims nothing about the site.
        r.wikidata = Some(WIKIDATA.into());
    });
    let index = IndexLayout::new(dir.path().join("index"));
    let report = ingest(&archive, &index, &IngestOptions::default()).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let state = AppState::open(&archive, &index, Some("https://disan.example.org".into())).unwrap();
    Fixture {
        _dir: dir,
        state: web::Data::new(state),
        real_photos: real.is_some(),
    }
}

fn edit(site_dir: &Path, change: impl FnOnce(&mut SiteRecord)) {
    let file = site_dir.join("site.json");
    let mut record = SiteRecord::from_json(&std::fs::read_to_string(&file).unwrap()).unwrap();
    change(&mut record);
    std::fs::write(&file, record.to_json()).unwrap();
}

/// Two real phone photos, when the test data is available.
fn real_photos() -> Option<Vec<std::path::PathBuf>> {
    let data = std::env::var_os("DISAN_TESTDATA")?;
    let dir = Path::new(&data).join("photos/gps");
    let mut photos: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!(
                "DISAN_TESTDATA is set but {} cannot be read: {e}",
                dir.display()
            )
        })
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("jpg")))
        .collect();
    photos.sort();
    photos.truncate(2);
    assert!(!photos.is_empty(), "no JPEG in {}", dir.display());
    Some(photos)
}

/// A JPEG with the detail of a photo (gradients, texture, edges), so its derivatives weigh
/// what real ones do rather than what a flat test card does.
pub fn photo_like_jpeg(width: u32, height: u32, seed: u64) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (x as f32 / width as f32, y as f32 / height as f32);
        let stripes = ((x / 40 + y / 55) % 2) as f32 * 30.0;
        let grain = rng.f32() * 24.0;
        let sky = if fy < 0.4 { 90.0 } else { 0.0 };
        image::Rgb([
            (80.0 + 120.0 * fx + stripes + grain) as u8,
            (70.0 + 90.0 * fy + sky + grain) as u8,
            (60.0 + 60.0 * (1.0 - fx) + sky * 1.5 + grain).min(255.0) as u8,
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}
