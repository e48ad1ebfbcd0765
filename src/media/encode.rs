//! What gets published: resized pixels encoded as JPEG and WebP, written atomically.
//!
//! Both encoders start from bare pixels, so a derivative carries no EXIF, XMP, ICC or maker
//! notes: nothing of where a volunteer stood (GPS) or which phone they own. The JPEG is 4:2:0
//! with box-averaged chroma (what libjpeg does), the WebP lossy; settings are the constants in
//! [`super`]. Files appear under their final name only when complete: written to a temporary
//! file in the destination folder, then renamed over it.

use std::io::Write;
use std::path::Path;

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};

use super::{Format, MediaError};

/// Packed RGB pixels with their size.
pub struct Pixels {
    pub rgb: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Lanczos3 resize of packed RGB. The filter's support widens with the ratio, so one step of
/// 2–3× from the previous derivative loses nothing against a step from the full image.
/// `path` only names the photo in errors.
pub fn resize(src: &Pixels, width: u32, height: u32, path: &Path) -> Result<Pixels, MediaError> {
    convolve(src, width, height, FilterType::Lanczos3, path)
}

/// Halves (or nearly) `src` to `width`×`height` by averaging each source box: the cheap,
/// alias-free filter for the levels of a deep-zoom pyramid, where every level is seen only
/// until the next sharper one arrives.
pub fn shrink(src: &Pixels, width: u32, height: u32, path: &Path) -> Result<Pixels, MediaError> {
    convolve(src, width, height, FilterType::Box, path)
}

fn convolve(
    src: &Pixels,
    width: u32,
    height: u32,
    filter: FilterType,
    path: &Path,
) -> Result<Pixels, MediaError> {
    let mut dst = Image::new(width, height, PixelType::U8x3);
    ImageRef::new(src.width, src.height, &src.rgb, PixelType::U8x3)
        .map_err(|e| e.to_string())
        .and_then(|view| {
            let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(filter));
            Resizer::new()
                .resize(&view, &mut dst, &options)
                .map_err(|e| e.to_string())
        })
        .map_err(|detail| MediaError::Resize {
            path: path.to_path_buf(),
            detail,
        })?;
    Ok(Pixels {
        rgb: dst.into_vec(),
        width,
        height,
    })
}

/// Encodes `pixels` in `format`; `path` only names the file in errors.
pub fn encode(pixels: &Pixels, format: Format, path: &Path) -> Result<Vec<u8>, MediaError> {
    let fail = |detail: String| MediaError::Encode {
        path: path.to_path_buf(),
        format,
        detail,
    };
    match format {
        Format::Jpeg => {
            let (w, h) = (
                u16::try_from(pixels.width).map_err(|_| fail("too wide for JPEG".into()))?,
                u16::try_from(pixels.height).map_err(|_| fail("too tall for JPEG".into()))?,
            );
            let mut out = Vec::with_capacity(pixels.rgb.len() / 8);
            let mut encoder = jpeg_encoder::Encoder::new(&mut out, super::JPEG_QUALITY);
            encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_0);
            encoder.set_chroma_subsampling_method(jpeg_encoder::ChromaSubsamplingMethod::Average);
            // Optimised Huffman tables would save ~2 % but produce corrupt colour in
            // jpeg-encoder 0.7.1 (checked: mean error 91 instead of 5); keep the standard ones.
            encoder
                .encode(&pixels.rgb, w, h, jpeg_encoder::ColorType::Rgb)
                .map_err(|e| fail(e.to_string()))?;
            Ok(out)
        }
        Format::Webp => {
            let mut config = webp::WebPConfig::new()
                .map_err(|()| fail("libwebp refused its defaults".into()))?;
            config.quality = super::WEBP_QUALITY;
            config.method = super::WEBP_METHOD;
            let encoder = webp::Encoder::from_rgb(&pixels.rgb, pixels.width, pixels.height);
            let memory = encoder
                .encode_advanced(&config)
                .map_err(|e| fail(format!("{e:?}")))?;
            Ok(memory.to_vec())
        }
    }
}

/// Writes `bytes` to `dest` so that readers see either the old file or the whole new one.
pub fn write_atomically(dest: &Path, bytes: &[u8]) -> Result<(), MediaError> {
    let fail = |source| MediaError::Write {
        path: dest.to_path_buf(),
        source,
    };
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    // No fsync: derivatives are rebuilt from the archive after a crash, and syncing every file
    // would cost more than the encoding on slow disks.
    tmp.persist(dest).map_err(|e| fail(e.error))?;
    Ok(())
}

/// The page's stand-in while the photo loads: the average colour as `#rrggbb`.
pub fn average_colour(pixels: &Pixels) -> String {
    let mut sum = [0u64; 3];
    for px in pixels.rgb.chunks_exact(3) {
        for (s, &c) in sum.iter_mut().zip(px) {
            *s += u64::from(c);
        }
    }
    let n = (pixels.rgb.len() / 3).max(1) as u64;
    format!(
        "#{:02x}{:02x}{:02x}",
        (sum[0] + n / 2) / n,
        (sum[1] + n / 2) / n,
        (sum[2] + n / 2) / n
    )
}
