//! The photo half of ingest: derivatives for every photo not rendered before.
//!
//! Derivatives are named by the source's content hash, so a photo renamed, moved or listed by
//! two sites is rendered once. Each rendered photo gets a small sidecar (`<hash>.json`) written
//! after its files: the sidecar's presence is what "already rendered" means, so a run killed
//! half-way leaves at most some orphan files that the next run overwrites.
//!
//! Deep-zoom tiles ([`tile_all`]) are made the same way, once per content hash: cut into a
//! hidden temporary folder beside their final place, `info.json` last, then renamed into place,
//! so a set is either complete or absent. The stored `info.json` names the service by its path
//! (`/iiif/img/<hash>`); the server gives it its absolute address when it serves it.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::archive::write_atomic;
use crate::layout::IndexLayout;
use crate::media::tiles::{self, TileSet};
use crate::media::{self, Limits, MediaError};

/// What the web needs to show one rendered photo, kept beside its derivatives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhotoMeta {
    pub hash: String,
    /// Upright size of the original.
    pub width: u32,
    pub height: u32,
    /// `#rrggbb` shown while the image loads.
    pub placeholder: String,
    pub date_taken: Option<String>,
    pub camera: Option<String>,
    /// Where the camera was, from EXIF. Never published with the photo itself.
    pub gps: Option<(f64, f64)>,
    pub files: Vec<DerivativeFile>,
}

/// One published file, by its path relative to the index's media folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DerivativeFile {
    pub path: String,
    pub mime: String,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
}

/// Reads the sidecar of a photo rendered by an earlier run.
pub fn load_meta(index: &IndexLayout, hash: &str) -> Option<PhotoMeta> {
    let bytes = match std::fs::read(index.photo_meta(hash)) {
        Ok(bytes) => bytes,
        Err(_) => move_legacy_meta(index, hash)?,
    };
    let meta: PhotoMeta = serde_json::from_slice(&bytes).ok()?;
    // Someone may have cleaned the media folder by hand: only trust complete sets.
    let root = index.media_root();
    meta.files
        .iter()
        .all(|f| root.join(&f.path).is_file())
        .then_some(meta)
}

/// Moves a sidecar an older version wrote into the served media folder to its private place.
fn move_legacy_meta(index: &IndexLayout, hash: &str) -> Option<Vec<u8>> {
    let legacy = index.legacy_photo_meta(hash);
    let bytes = std::fs::read(&legacy).ok()?;
    write_atomic(&index.photo_meta(hash), &bytes).ok()?;
    let _ = std::fs::remove_file(&legacy);
    Some(bytes)
}

/// Renders each `(hash, source)` on all cores; `on_done` is called after each photo (progress).
pub fn render_all(
    index: &IndexLayout,
    jobs: &[(String, PathBuf)],
    limits: &Limits,
    on_done: &(dyn Fn() + Sync),
) -> Vec<(String, Result<PhotoMeta, MediaError>)> {
    jobs.par_iter()
        .map(|(hash, source)| {
            let result = render_one(index, hash, source, limits);
            on_done();
            (hash.clone(), result)
        })
        .collect()
}

fn render_one(
    index: &IndexLayout,
    hash: &str,
    source: &Path,
    limits: &Limits,
) -> Result<PhotoMeta, MediaError> {
    let rendered = media::render(source, limits, |spec, _w, _h| {
        index.derivative(hash, spec.long_edge, spec.format.extension())
    })?;
    let root = index.media_root();
    let files = rendered
        .derivatives
        .iter()
        .map(|d| DerivativeFile {
            path: d
                .path
                .strip_prefix(&root)
                .unwrap_or(&d.path)
                .to_string_lossy()
                .replace('\\', "/"),
            mime: d.spec.format.mime_type().to_owned(),
            width: d.width,
            height: d.height,
            bytes: d.bytes,
        })
        .collect();
    let meta = PhotoMeta {
        hash: hash.to_owned(),
        width: rendered.width,
        height: rendered.height,
        placeholder: rendered.placeholder,
        date_taken: rendered.exif.date_taken,
        camera: rendered.exif.camera,
        gps: rendered.exif.gps,
        files,
    };
    let sidecar = index.photo_meta(hash);
    write_atomic(
        &sidecar,
        &serde_json::to_vec(&meta).expect("photo metadata serialises"),
    )
    .map_err(|source| MediaError::Write {
        path: sidecar,
        source,
    })?;
    Ok(meta)
}

/// The path part of a photo's IIIF image service URL; `info.json` and the manifests use it.
pub fn image_service_path(hash: &str) -> String {
    format!("/iiif/img/{hash}")
}

/// Whether the photo's deep-zoom tiles are complete.
pub fn has_tiles(index: &IndexLayout, hash: &str) -> bool {
    index.iiif_info(hash).is_file()
}

/// Makes the deep-zoom tiles of each `(hash, source)`, on all cores; `on_done` after each.
pub fn tile_all(
    index: &IndexLayout,
    jobs: &[(String, PathBuf)],
    limits: &Limits,
    on_done: &(dyn Fn() + Sync),
) -> Vec<(String, Result<TileSet, MediaError>)> {
    jobs.par_iter()
        .map(|(hash, source)| {
            let result = tile_one(index, hash, source, limits);
            on_done();
            (hash.clone(), result)
        })
        .collect()
}

/// Temporary tile folders older than this are left from a killed run and removed.
const STALE_TILES: std::time::Duration = std::time::Duration::from_secs(3600);

fn tile_one(
    index: &IndexLayout,
    hash: &str,
    source: &Path,
    limits: &Limits,
) -> Result<TileSet, MediaError> {
    let done = index.iiif_dir(hash);
    let parent = done.parent().unwrap_or(index.root()).to_path_buf();
    let write_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| MediaError::Write { path, source }
    };
    std::fs::create_dir_all(&parent).map_err(write_error(&parent))?;
    remove_stale_tiles(&parent);
    let tmp = tempfile::Builder::new()
        .prefix(".tiles-")
        .tempdir_in(&parent)
        .map_err(write_error(&parent))?;
    let set = tiles::make_tiles(source, limits, tmp.path())?;
    let info = tiles::info_json(&set, &image_service_path(hash));
    let info_path = tmp.path().join("info.json");
    write_atomic(
        &info_path,
        &serde_json::to_vec_pretty(&info).expect("an info.json serialises"),
    )
    .map_err(write_error(&info_path))?;
    if done.exists() {
        // An earlier set without its info.json: incomplete, replaced whole.
        std::fs::remove_dir_all(&done).map_err(write_error(&done))?;
    }
    std::fs::rename(tmp.path(), &done).map_err(write_error(&done))?;
    let _ = tmp.keep();
    Ok(set)
}

fn remove_stale_tiles(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry.file_name().to_string_lossy().starts_with(".tiles-")
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > STALE_TILES);
        if stale {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
