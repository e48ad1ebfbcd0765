//! Deep zoom without an image server: a photo cut once into the static tiles of the IIIF Image
//! API 3.0 at compliance level 0.
//!
//! A level-0 image service is a folder of ready-made files whose paths are the URLs an IIIF
//! viewer (OpenSeadragon, Mirador, Universal Viewer, Tify) asks for:
//! `{region}/{size}/0/default.jpg`, plus an `info.json` describing the pyramid. The pyramid
//! halves the photo until it fits one tile; each level is cut into [`TILE_SIZE`]-pixel squares
//! whose region is given in full-resolution pixels (`1024,512,512,512`) and whose size is the
//! tile's own (`512,512`, less at the right and bottom edges, each `ceil(region / scale)` as
//! the specification's level-0 notes compute it). A level that fits in one tile is the whole
//! image (`full/{w},{h}`; `full/max` at full size). Those are exactly the paths
//! OpenSeadragon's IIIF tile source derives, so what is on disk is what gets requested.
//!
//! Memory is bounded by the photo: the full-size decode and the level below it (a quarter),
//! each level made from the one above with a 2×2 box filter and dropped once cut. Orientation
//! is applied first, like every derivative, and nothing of the file's metadata is kept.

use std::path::Path;

use rayon::prelude::*;
use serde_json::json;

use super::encode::{self, Pixels};
use super::{Format, Limits, MediaError, decode, orient, read_bounded, read_exif_from_bytes};

/// The edge of a tile, in pixels.
pub const TILE_SIZE: u32 = 512;

/// The pyramid made for one photo.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TileSet {
    /// Upright size of the original.
    pub width: u32,
    pub height: u32,
    pub tile: u32,
    /// 1, 2, 4, … up to the level that fits in one tile.
    pub scale_factors: Vec<u32>,
    /// Files written and their bytes.
    pub files: usize,
    pub bytes: u64,
}

/// One file of the pyramid: where it goes and which pixels of which level it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TileFile {
    /// `{region}/{size}/0/default.jpg`, relative to the image's folder.
    pub path: String,
    pub scale: u32,
    /// The tile's rectangle in the level's own pixels: x, y, width, height.
    pub level_rect: (u32, u32, u32, u32),
}

/// The size of the level at `scale` (rounded up, as viewers compute it).
fn level_size(width: u32, height: u32, scale: u32) -> (u32, u32) {
    (width.div_ceil(scale), height.div_ceil(scale))
}

/// Scale factors from full size until the whole image fits in one tile.
pub fn scale_factors(width: u32, height: u32, tile: u32) -> Vec<u32> {
    let mut factors = vec![1];
    let mut scale = 1u32;
    loop {
        let (w, h) = level_size(width, height, scale);
        if (w <= tile && h <= tile) || scale >= 1 << 20 {
            return factors;
        }
        scale *= 2;
        factors.push(scale);
    }
}

/// Every file of the pyramid of an upright `width`×`height` image, level by level.
pub fn plan(width: u32, height: u32, tile: u32) -> Vec<TileFile> {
    let mut files = Vec::new();
    for scale in scale_factors(width, height, tile) {
        let (lw, lh) = level_size(width, height, scale);
        if lw <= tile && lh <= tile {
            let size = if scale == 1 {
                "max".to_owned()
            } else {
                format!("{lw},{lh}")
            };
            files.push(TileFile {
                path: format!("full/{size}/0/default.jpg"),
                scale,
                level_rect: (0, 0, lw, lh),
            });
            continue;
        }
        for ty in 0..lh.div_ceil(tile) {
            for tx in 0..lw.div_ceil(tile) {
                let (x, y) = (tx * tile, ty * tile);
                let (sw, sh) = (tile.min(lw - x), tile.min(lh - y));
                let (rx, ry) = (x * scale, y * scale);
                let (rw, rh) = (
                    (tile * scale).min(width - rx),
                    (tile * scale).min(height - ry),
                );
                files.push(TileFile {
                    path: format!("{rx},{ry},{rw},{rh}/{sw},{sh}/0/default.jpg"),
                    scale,
                    level_rect: (x, y, sw, sh),
                });
            }
        }
    }
    files
}

/// The `info.json` of a tile set, with `id` the image service's URL (no trailing slash).
pub fn info_json(set: &TileSet, id: &str) -> serde_json::Value {
    let sizes: Vec<serde_json::Value> = set
        .scale_factors
        .iter()
        .map(|&s| level_size(set.width, set.height, s))
        .filter(|&(w, h)| w <= set.tile && h <= set.tile)
        .map(|(w, h)| json!({"width": w, "height": h}))
        .collect();
    json!({
        "@context": "http://iiif.io/api/image/3/context.json",
        "id": id,
        "type": "ImageService3",
        "protocol": "http://iiif.io/api/image",
        "profile": "level0",
        "width": set.width,
        "height": set.height,
        "sizes": sizes,
        "tiles": [{"width": set.tile, "height": set.tile, "scaleFactors": set.scale_factors}],
        "preferredFormats": ["jpg"],
    })
}

/// Cuts the photo at `source` into the tiles of [`plan`], written under `dest` (which must
/// exist and be empty). On error some tiles may be written: make `dest` a temporary folder and
/// rename it once this returns.
pub fn make_tiles(source: &Path, limits: &Limits, dest: &Path) -> Result<TileSet, MediaError> {
    let bytes = read_bounded(source, limits)?;
    let exif = read_exif_from_bytes(&bytes, source).unwrap_or_default();
    let decoded = decode::decode(&bytes, source, limits, u32::MAX)?;
    drop(bytes);
    let (rgb, width, height) =
        orient::apply(exif.orientation, decoded.rgb, decoded.width, decoded.height);
    let plan = plan(width, height, TILE_SIZE);
    let mut level = Pixels { rgb, width, height };
    let mut scale = 1;
    let mut written = Vec::with_capacity(plan.len());
    loop {
        let files: Vec<&TileFile> = plan.iter().filter(|f| f.scale == scale).collect();
        let done: Vec<Result<u64, MediaError>> = files
            .par_iter()
            .map(|file| {
                let pixels = crop(&level, file.level_rect);
                let path = dest.join(&file.path);
                let encoded = encode::encode(&pixels, Format::Jpeg, &path)?;
                encode::write_atomically(&path, &encoded)?;
                Ok(encoded.len() as u64)
            })
            .collect();
        for result in done {
            written.push(result?);
        }
        if !plan.iter().any(|f| f.scale > scale) {
            break;
        }
        scale *= 2;
        let (w, h) = level_size(width, height, scale);
        level = encode::shrink(&level, w, h, source)?;
    }
    Ok(TileSet {
        width,
        height,
        tile: TILE_SIZE,
        scale_factors: scale_factors(width, height, TILE_SIZE),
        files: written.len(),
        bytes: written.iter().sum(),
    })
}

/// The pixels of `rect` (x, y, width, height) of `level`.
fn crop(level: &Pixels, (x, y, w, h): (u32, u32, u32, u32)) -> Pixels {
    let stride = level.width as usize * 3;
    let mut rgb = Vec::with_capacity(w as usize * h as usize * 3);
    for row in y..y + h {
        let start = row as usize * stride + x as usize * 3;
        rgb.extend_from_slice(&level.rgb[start..start + w as usize * 3]);
    }
    Pixels {
        rgb,
        width: w,
        height: h,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pyramid_is_what_viewers_ask_for() {
        // 1300×700: two levels of tiles, then the whole image at a quarter.
        assert_eq!(scale_factors(1300, 700, 512), vec![1, 2, 4]);
        let files = plan(1300, 700, 512);
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "0,0,512,512/512,512/0/default.jpg",
                "512,0,512,512/512,512/0/default.jpg",
                "1024,0,276,512/276,512/0/default.jpg",
                "0,512,512,188/512,188/0/default.jpg",
                "512,512,512,188/512,188/0/default.jpg",
                "1024,512,276,188/276,188/0/default.jpg",
                "0,0,1024,700/512,350/0/default.jpg",
                "1024,0,276,700/138,350/0/default.jpg",
                "full/325,175/0/default.jpg",
            ]
        );
        // A small photo is one file at full size.
        assert_eq!(
            plan(400, 300, 512),
            vec![TileFile {
                path: "full/max/0/default.jpg".into(),
                scale: 1,
                level_rect: (0, 0, 400, 300)
            }]
        );
        // Odd sizes round up at every level, and the last column is never empty.
        for (w, h) in [(6028, 3391), (5000, 1), (513, 2049)] {
            for f in plan(w, h, 512) {
                let (_, _, tw, th) = f.level_rect;
                assert!(tw > 0 && th > 0 && tw <= 512 && th <= 512, "{f:?}");
            }
        }
    }

    #[test]
    fn info_lists_the_scale_factors_and_the_whole_image_sizes() {
        let set = TileSet {
            width: 1300,
            height: 700,
            tile: 512,
            scale_factors: vec![1, 2, 4],
            files: 9,
            bytes: 0,
        };
        let info = info_json(&set, "https://x/iiif/img/ab");
        assert_eq!(info["profile"], "level0");
        assert_eq!(info["tiles"][0]["scaleFactors"], json!([1, 2, 4]));
        assert_eq!(info["sizes"], json!([{"width": 325, "height": 175}]));
    }
}
