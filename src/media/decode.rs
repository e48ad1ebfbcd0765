//! From a file's bytes to upright-ready RGB pixels, refusing what is not a photo or too big.
//!
//! The order matters for safety: recognise the format by its magic bytes, read the declared
//! size from the header, refuse anything over the pixel limit, and only then allocate pixels.
//! A JPEG at least twice the largest derivative goes through `jpeg-decoder`, whose DCT scaling
//! decodes a 24 MP photo straight to a quarter (or less) of its pixels: less work and a fraction
//! of the memory. Everything else — smaller JPEGs, PNG, WebP, and JPEGs the strict decoder
//! rejects — goes through the `image` crate (zune-jpeg for JPEG: faster at full size, and it
//! shows a truncated file as browsers do) under its allocation [`image::Limits`].

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use super::{Limits, MediaError};
use crate::media::error::printable_head;

/// The image formats accepted from contributors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    Jpeg,
    Png,
    Webp,
}

impl SourceFormat {
    /// Recognises the format by its first bytes, whatever the file is called.
    pub fn sniff(bytes: &[u8]) -> Option<SourceFormat> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(SourceFormat::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(SourceFormat::Png)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(SourceFormat::Webp)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SourceFormat::Jpeg => "JPEG",
            SourceFormat::Png => "PNG",
            SourceFormat::Webp => "WebP",
        }
    }
}

/// Decoded pixels, as stored (orientation not yet applied), packed RGB 8-bit.
pub struct Decoded {
    pub rgb: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// The size the file declares; `width`/`height` are smaller when DCT scaling was used.
    pub full_width: u32,
    pub full_height: u32,
}

/// Decodes `bytes` to RGB. For JPEG, the result may be scaled down by 2, 4 or 8 as long as its
/// long edge stays at least `min_long_edge` (pass `u32::MAX` for full size).
pub fn decode(
    bytes: &[u8],
    path: &Path,
    limits: &Limits,
    min_long_edge: u32,
) -> Result<Decoded, MediaError> {
    let Some(format) = SourceFormat::sniff(bytes) else {
        return Err(MediaError::NotAnImage {
            path: path.to_path_buf(),
            head: printable_head(bytes),
        });
    };
    // The decoders are fuzzed but not proven; a panic on hostile bytes must become an error
    // for that one file, not take the whole ingest down.
    let result = catch_unwind(AssertUnwindSafe(|| match format {
        SourceFormat::Jpeg => decode_jpeg(bytes, path, limits, min_long_edge),
        SourceFormat::Png => decode_png(bytes, path, limits, min_long_edge),
        SourceFormat::Webp => decode_other(bytes, format, path, limits),
    }));
    result.unwrap_or_else(|_| {
        Err(MediaError::Corrupt {
            path: path.to_path_buf(),
            format: format.name(),
            detail: "the decoder gave up on malformed data".to_string(),
        })
    })
}

fn check_pixels(path: &Path, limits: &Limits, width: u32, height: u32) -> Result<(), MediaError> {
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(MediaError::TooManyPixels {
            path: path.to_path_buf(),
            width,
            height,
            limit: limits.max_pixels,
        });
    }
    if width == 0 || height == 0 {
        return Err(MediaError::Corrupt {
            path: path.to_path_buf(),
            format: "image",
            detail: format!("declares an empty {width}×{height} picture"),
        });
    }
    Ok(())
}

fn jpeg_error(path: &Path, err: jpeg_decoder::Error) -> MediaError {
    match err {
        jpeg_decoder::Error::Unsupported(feature) => MediaError::Unsupported {
            path: path.to_path_buf(),
            what: match feature {
                jpeg_decoder::UnsupportedFeature::Hierarchical => "hierarchical JPEG",
                jpeg_decoder::UnsupportedFeature::ArithmeticEntropyCoding => {
                    "arithmetic-coded JPEG"
                }
                jpeg_decoder::UnsupportedFeature::SamplePrecision(_) => "12- or 16-bit JPEG",
                jpeg_decoder::UnsupportedFeature::ComponentCount(_) => {
                    "a JPEG with an unusual number of colour channels"
                }
                _ => "this JPEG variant",
            },
        },
        jpeg_decoder::Error::Io(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            MediaError::Corrupt {
                path: path.to_path_buf(),
                format: "JPEG",
                detail: "the file ends before the picture does, it was probably cut short \
                         while copying or uploading"
                    .to_string(),
            }
        }
        other => MediaError::Corrupt {
            path: path.to_path_buf(),
            format: "JPEG",
            detail: other.to_string(),
        },
    }
}

fn decode_jpeg(
    bytes: &[u8],
    path: &Path,
    limits: &Limits,
    min_long_edge: u32,
) -> Result<Decoded, MediaError> {
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder.read_info().map_err(|e| jpeg_error(path, e))?;
    let Some(info) = decoder.info() else {
        return Err(jpeg_error(
            path,
            jpeg_decoder::Error::Format("no frame header".into()),
        ));
    };
    let (full_w, full_h) = (u32::from(info.width), u32::from(info.height));
    check_pixels(path, limits, full_w, full_h)?;
    // Belt and braces: the decoder refuses any output buffer beyond the pixel limit too.
    decoder
        .set_max_decoding_buffer_size(usize::try_from(limits.max_pixels * 4).unwrap_or(usize::MAX));

    let long = full_w.max(full_h);
    if u64::from(min_long_edge) * 2 > u64::from(long) {
        // No DCT scaling possible: zune-jpeg (through `image`) decodes full size faster, and
        // renders truncated files the way browsers do instead of giving up.
        return decode_other(bytes, SourceFormat::Jpeg, path, limits);
    }
    // Ask for the smallest size whose both edges still cover the wanted derivative.
    let req = |edge: u32| {
        let v = (u64::from(edge) * u64::from(min_long_edge)).div_ceil(u64::from(long));
        u16::try_from(v.max(1)).unwrap_or(u16::MAX)
    };
    decoder
        .scale(req(full_w), req(full_h))
        .map_err(|e| jpeg_error(path, e))?;
    let pixels = match decoder.decode() {
        Ok(pixels) => pixels,
        // A damaged or cut-short file: the lenient full-size decoder may still show most of it.
        Err(scaled_error) => {
            return decode_other(bytes, SourceFormat::Jpeg, path, limits)
                .map_err(|_| jpeg_error(path, scaled_error));
        }
    };
    let Some(info) = decoder.info() else {
        return Err(jpeg_error(
            path,
            jpeg_decoder::Error::Format("no frame header".into()),
        ));
    };
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    let rgb = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => pixels,
        jpeg_decoder::PixelFormat::L8 => pixels.iter().flat_map(|&l| [l, l, l]).collect(),
        // jpeg-decoder hands out ink amounts (255 = full ink) with Adobe's inversion undone.
        // A naive conversion, without the press profile; good enough for a web preview.
        jpeg_decoder::PixelFormat::CMYK32 => pixels
            .chunks_exact(4)
            .flat_map(|p| {
                let k = 255 - u32::from(p[3]);
                let ch = |c: u8| ((255 - u32::from(c)) * k / 255) as u8;
                [ch(p[0]), ch(p[1]), ch(p[2])]
            })
            .collect(),
        jpeg_decoder::PixelFormat::L16 => {
            return Err(MediaError::Unsupported {
                path: path.to_path_buf(),
                what: "16-bit greyscale JPEG",
            });
        }
    };
    let expected = width as usize * height as usize * 3;
    if rgb.len() != expected {
        return Err(MediaError::Corrupt {
            path: path.to_path_buf(),
            format: "JPEG",
            detail: format!("decoded {} bytes for {width}×{height} pixels", rgb.len()),
        });
    }
    Ok(Decoded {
        rgb,
        width,
        height,
        full_width: full_w,
        full_height: full_h,
    })
}

/// A PNG much bigger than needed is decoded row by row to a reduced size
/// ([`super::reduce`]); others in full.
fn decode_png(
    bytes: &[u8],
    path: &Path,
    limits: &Limits,
    min_long_edge: u32,
) -> Result<Decoded, MediaError> {
    let (width, height) =
        image::ImageReader::with_format(Cursor::new(bytes), image::ImageFormat::Png)
            .into_dimensions()
            .map_err(|e| MediaError::Corrupt {
                path: path.to_path_buf(),
                format: "PNG",
                detail: e.to_string(),
            })?;
    check_pixels(path, limits, width, height)?;
    let factor = super::reduce::factor(width.max(height), min_long_edge);
    if factor < 2 {
        return decode_other(bytes, SourceFormat::Png, path, limits);
    }
    super::reduce::decode_png(bytes, path, width, height, factor)
}

fn decode_other(
    bytes: &[u8],
    format: SourceFormat,
    path: &Path,
    limits: &Limits,
) -> Result<Decoded, MediaError> {
    let image_format = match format {
        SourceFormat::Jpeg => image::ImageFormat::Jpeg,
        SourceFormat::Png => image::ImageFormat::Png,
        SourceFormat::Webp => image::ImageFormat::WebP,
    };
    let corrupt = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => MediaError::Unsupported {
            path: path.to_path_buf(),
            what: "an image needing more memory than the pixel limit allows",
        },
        other => MediaError::Corrupt {
            path: path.to_path_buf(),
            format: format.name(),
            detail: other.to_string(),
        },
    };
    let reader = || image::ImageReader::with_format(Cursor::new(bytes), image_format);
    let (full_w, full_h) = reader().into_dimensions().map_err(corrupt)?;
    check_pixels(path, limits, full_w, full_h)?;

    let mut image_limits = image::Limits::default();
    image_limits.max_image_width = Some(full_w);
    image_limits.max_image_height = Some(full_h);
    // RGBA16 is the widest layout a PNG decodes to: 8 bytes a pixel, plus the RGB copy.
    image_limits.max_alloc = Some(limits.max_pixels.saturating_mul(11));
    let mut reader = reader();
    reader.limits(image_limits);
    let image = reader.decode().map_err(corrupt)?;

    let (width, height) = (image.width(), image.height());
    let rgb = match image {
        image::DynamicImage::ImageRgb8(rgb) => rgb.into_raw(),
        // Transparent areas go on white: JPEG has no alpha, and white is what a page shows.
        other => other
            .into_rgba8()
            .pixels()
            .flat_map(|p| {
                let a = u32::from(p[3]);
                let over_white = |c: u8| ((u32::from(c) * a + 255 * (255 - a) + 127) / 255) as u8;
                [over_white(p[0]), over_white(p[1]), over_white(p[2])]
            })
            .collect(),
    };
    Ok(Decoded {
        rgb,
        width,
        height,
        full_width: full_w,
        full_height: full_h,
    })
}
