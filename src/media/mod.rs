//! Photo derivatives: from a contributor's photo to the few files the web site serves.
//!
//! A photo arrives in any size and orientation, carrying the camera's EXIF (including where the
//! volunteer stood). What is published is a small fixed set of upright, metadata-free
//! derivatives — [`DERIVATIVES`]: 320 px for lists on phones, 1024 px for the site page, 2048 px
//! for zoom, each as JPEG (4:2:0) and lossy WebP — plus the facts a page needs to lay out before
//! the pixels arrive ([`RenderedPhoto`]). EXIF is read separately ([`read_exif`]) for the record.
//!
//! The pipeline for one photo, in [`render`]: read the file (bounded), recognise it by its
//! bytes, check the declared size against [`Limits`], decode (DCT-scaled for JPEG, see
//! [`decode`]), resize the largest size from the decode and each smaller one from the previous
//! (Lanczos3), turn upright ([`orient`]), then encode and write all derivatives in parallel
//! ([`encode`]). The caller decides every output path; this module never invents a layout.
//!
//! For deep zoom, [`tiles`] cuts a photo at full resolution into the static tiles of an IIIF
//! level-0 image service, so any IIIF viewer can zoom into it with no image server.

mod decode;
mod encode;
mod error;
mod exif;
mod metadata;
mod orient;
mod reduce;
pub mod tiles;

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use self::decode::SourceFormat;
use self::encode::Pixels;
pub use self::error::MediaError;
pub use self::exif::{PhotoExif, read_exif, read_exif_from_bytes};
pub use self::metadata::without_position;

/// A published file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Format {
    Jpeg,
    Webp,
}

impl Format {
    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Webp => "webp",
        }
    }

    pub fn mime_type(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Webp => "image/webp",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Jpeg => "JPEG",
            Format::Webp => "WebP",
        })
    }
}

/// One kind of published file: a size bound on the long edge and a format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct DerivativeSpec {
    pub long_edge: u32,
    pub format: Format,
}

/// Everything published for a photo, smallest first. A photo smaller than a size gets that size
/// at its own dimensions, or not at all when a smaller size is nearly as big (see [`plan`]).
pub const DERIVATIVES: &[DerivativeSpec] = &[
    DerivativeSpec {
        long_edge: 320,
        format: Format::Jpeg,
    },
    DerivativeSpec {
        long_edge: 320,
        format: Format::Webp,
    },
    DerivativeSpec {
        long_edge: 1024,
        format: Format::Jpeg,
    },
    DerivativeSpec {
        long_edge: 1024,
        format: Format::Webp,
    },
    DerivativeSpec {
        long_edge: 2048,
        format: Format::Jpeg,
    },
    DerivativeSpec {
        long_edge: 2048,
        format: Format::Webp,
    },
];

/// JPEG quality (libjpeg scale). 82 with 4:2:0 is where artefacts stop showing on phone screens.
pub const JPEG_QUALITY: u8 = 82;
/// Lossy WebP quality; at 80 it matches the JPEG's look at about two thirds of its bytes.
pub const WEBP_QUALITY: f32 = 80.0;
/// libwebp effort 0–6. Measured on a 2048 px photo: 2 encodes in ~0.37× the time of 3 and 4
/// (the default) for ~5 % more bytes; below 2 files grow fast.
pub const WEBP_METHOD: i32 = 2;

/// What an upload may be, checked before decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Declared width × height above which a file is refused (decompression bombs).
    pub max_pixels: u64,
    /// File size above which a file is refused unread.
    pub max_file_bytes: u64,
}

impl Default for Limits {
    /// 100 megapixels (a 12,000 × 8,000 frame; the largest phone sensors give ~50 MP at full
    /// resolution) and 64 MB.
    fn default() -> Self {
        Limits {
            max_pixels: 100_000_000,
            max_file_bytes: 64 * 1024 * 1024,
        }
    }
}

/// One published file.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Derivative {
    pub spec: DerivativeSpec,
    pub path: PathBuf,
    pub width: u32,
    pub height: u32,
    /// Size of the written file in bytes.
    pub bytes: u64,
}

/// The outcome of [`render`]: what a page needs to show the photo.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RenderedPhoto {
    /// Upright dimensions of the original.
    pub width: u32,
    pub height: u32,
    /// Average colour, `#rrggbb`, to paint the box while the image loads.
    pub placeholder: String,
    pub exif: PhotoExif,
    /// Smallest first; fewer than [`DERIVATIVES`] for small photos.
    pub derivatives: Vec<Derivative>,
}

/// The derivative sizes for an upright `width`×`height` original: `(spec long edge, width,
/// height)`, smallest first. Never upscales: a size bigger than the original is made at the
/// original's size, unless a smaller size is within 25 % of it (a 1100 px photo gets 320 and
/// 1024, not also an almost identical 1100).
pub fn plan(width: u32, height: u32) -> Vec<(u32, u32, u32)> {
    plan_for(width, height, DERIVATIVES)
}

/// [`plan`] for a chosen set of derivatives.
fn plan_for(width: u32, height: u32, specs: &[DerivativeSpec]) -> Vec<(u32, u32, u32)> {
    let long = width.max(height);
    let mut edges: Vec<u32> = specs.iter().map(|d| d.long_edge).collect();
    edges.sort_unstable();
    edges.dedup();
    let mut out: Vec<(u32, u32, u32)> = Vec::new();
    for edge in edges {
        let target = edge.min(long);
        let previous = out.last().map(|&(_, w, h)| w.max(h));
        if previous == Some(target) {
            continue;
        }
        if target < edge && previous.is_some_and(|p| u64::from(long) * 4 < u64::from(p) * 5) {
            continue;
        }
        let scale = |v: u32| {
            let scaled = (u64::from(v) * u64::from(target) + u64::from(long) / 2) / u64::from(long);
            u32::try_from(scaled).unwrap_or(u32::MAX).max(1)
        };
        out.push((edge, scale(width), scale(height)));
    }
    out
}

/// Makes every derivative of the photo at `source` and writes each one to the path `dest`
/// returns for its spec and pixel size. On error nothing of this call is left on disk.
pub fn render(
    source: &Path,
    limits: &Limits,
    dest: impl Fn(&DerivativeSpec, u32, u32) -> PathBuf,
) -> Result<RenderedPhoto, MediaError> {
    let bytes = read_bounded(source, limits)?;
    render_bytes(&bytes, source, limits, dest)
}

/// [`render`] for a photo already in memory (an upload); `source` only names it in errors.
pub fn render_bytes(
    bytes: &[u8],
    source: &Path,
    limits: &Limits,
    dest: impl Fn(&DerivativeSpec, u32, u32) -> PathBuf,
) -> Result<RenderedPhoto, MediaError> {
    render_specs(bytes, source, limits, DERIVATIVES, dest)
}

/// The 1024 px JPEG alone: what checking an upload needs (the whole file is still decoded, so
/// damage anywhere is found) at a fraction of the work and memory of every derivative.
pub const PREVIEW: &[DerivativeSpec] = &[DerivativeSpec {
    long_edge: 1024,
    format: Format::Jpeg,
}];

/// [`render_bytes`] for a chosen set of derivatives (such as [`PREVIEW`]).
pub fn render_specs(
    bytes: &[u8],
    source: &Path,
    limits: &Limits,
    specs: &[DerivativeSpec],
    dest: impl Fn(&DerivativeSpec, u32, u32) -> PathBuf,
) -> Result<RenderedPhoto, MediaError> {
    // A photo whose EXIF is unreadable is still shown, as browsers would: upright as stored.
    let exif = read_exif_from_bytes(bytes, source).unwrap_or_else(|_| PhotoExif {
        orientation: 1,
        ..PhotoExif::default()
    });
    let largest = specs.iter().map(|d| d.long_edge).max().unwrap_or(2048);
    let decoded = decode::decode(bytes, source, limits, largest)?;
    let (width, height) =
        orient::upright_size(exif.orientation, decoded.full_width, decoded.full_height);
    let sizes = plan_for(width, height, specs);

    // Largest first: the largest size comes from the decode (then turned upright), each
    // smaller one from the size above it.
    let mut made: Vec<(u32, Pixels)> = Vec::with_capacity(sizes.len());
    let mut descending = sizes.iter().rev();
    if let Some(&(edge, w, h)) = descending.next() {
        let full = Pixels {
            rgb: decoded.rgb,
            width: decoded.width,
            height: decoded.height,
        };
        let (sw, sh) = orient::upright_size(exif.orientation, w, h);
        let resized = if (full.width, full.height) == (sw, sh) {
            full
        } else {
            encode::resize(&full, sw, sh, source)?
        };
        let (rgb, width, height) = orient::apply(exif.orientation, resized.rgb, sw, sh);
        made.push((edge, Pixels { rgb, width, height }));
    }
    for &(edge, w, h) in descending {
        if let Some((_, previous)) = made.last() {
            let pixels = encode::resize(previous, w, h, source)?;
            made.push((edge, pixels));
        }
    }
    made.reverse();
    let placeholder = made
        .first()
        .map(|(_, p)| encode::average_colour(p))
        .unwrap_or_else(|| "#808080".to_string());

    let jobs: Vec<(DerivativeSpec, &Pixels, PathBuf)> = specs
        .iter()
        .filter_map(|spec| {
            let (_, pixels) = made.iter().find(|(edge, _)| *edge == spec.long_edge)?;
            Some((*spec, pixels, dest(spec, pixels.width, pixels.height)))
        })
        .collect();
    let results: Vec<Result<Derivative, MediaError>> = jobs
        .par_iter()
        .map(|(spec, pixels, path)| {
            let encoded = encode::encode(pixels, spec.format, path)?;
            encode::write_atomically(path, &encoded)?;
            Ok(Derivative {
                spec: *spec,
                path: path.clone(),
                width: pixels.width,
                height: pixels.height,
                bytes: encoded.len() as u64,
            })
        })
        .collect();
    let mut derivatives = Vec::with_capacity(results.len());
    let mut first_error = None;
    for result in results {
        match result {
            Ok(derivative) => derivatives.push(derivative),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    if let Some(error) = first_error {
        // Half a set is worse than none: the next ingest would think the photo done.
        for done in &derivatives {
            let _ = std::fs::remove_file(&done.path);
        }
        return Err(error);
    }
    Ok(RenderedPhoto {
        width,
        height,
        placeholder,
        exif,
        derivatives,
    })
}

/// Reads the whole file, refusing it unread when it is over the byte limit.
fn read_bounded(path: &Path, limits: &Limits) -> Result<Vec<u8>, MediaError> {
    let io = |source| MediaError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > limits.max_file_bytes {
        return Err(MediaError::FileTooLarge {
            path: path.to_path_buf(),
            bytes: size,
            limit: limits.max_file_bytes,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // `take` guards against a file that grows while being read.
    file.take(limits.max_file_bytes)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_never_upscales_and_dedups() {
        assert_eq!(
            plan(6000, 4000),
            vec![(320, 320, 213), (1024, 1024, 683), (2048, 2048, 1365)]
        );
        assert_eq!(plan(200, 100), vec![(320, 200, 100)]);
        assert_eq!(
            plan(1100, 2000),
            vec![(320, 176, 320), (1024, 563, 1024), (2048, 1100, 2000)]
        );
        assert_eq!(plan(1100, 700), vec![(320, 320, 204), (1024, 1024, 652)]);
        assert_eq!(plan(1024, 1024), vec![(320, 320, 320), (1024, 1024, 1024)]);
    }
}
