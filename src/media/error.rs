//! What can go wrong when a contributor's photo is turned into web derivatives.
//!
//! Every message names the file and says what the contributor (or the archive keeper) can do
//! about it, because these errors end up in the ingest report and on the upload form.

use std::path::PathBuf;

use super::Format;

/// Why a photo could not be read, decoded, or published.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
    /// The file could not be opened or read.
    #[error("{}: cannot read the file: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The file is bigger than the configured byte limit; checked before reading it.
    #[error(
        "{}: the file is {} MB, over the {} MB limit — export a smaller JPEG before uploading",
        path.display(), bytes / 1_000_000, limit / 1_000_000
    )]
    FileTooLarge {
        path: PathBuf,
        bytes: u64,
        limit: u64,
    },

    /// The bytes do not start like any image format we accept.
    #[error(
        "{}: not a JPEG/PNG/WebP image (starts with \"{head}\") — was it renamed?",
        path.display()
    )]
    NotAnImage {
        path: PathBuf,
        /// The first bytes, printable characters kept and the rest escaped.
        head: String,
    },

    /// The header declares more pixels than allowed: a decompression bomb or a panorama far
    /// bigger than the web needs. Checked before any pixel buffer is allocated.
    #[error(
        "{}: declares {width}×{height} pixels, over the {}-megapixel limit — resize it before uploading",
        path.display(), limit / 1_000_000
    )]
    TooManyPixels {
        path: PathBuf,
        width: u32,
        height: u32,
        limit: u64,
    },

    /// The image data is damaged or cut short.
    #[error(
        "{}: the {format} data is damaged or cut short ({detail}) — upload the original file again",
        path.display()
    )]
    Corrupt {
        path: PathBuf,
        /// `JPEG`, `PNG` or `WebP`: the format the bytes claim to be.
        format: &'static str,
        detail: String,
    },

    /// A valid image in a variant this pipeline does not render (for example 16-bit lossless JPEG).
    #[error("{}: {what} is not supported — convert it to an ordinary 8-bit sRGB JPEG", path.display())]
    Unsupported { path: PathBuf, what: &'static str },

    /// The EXIF block exists but cannot be parsed at all.
    #[error("{}: the EXIF metadata cannot be read ({source}) — the picture itself may still be fine", path.display())]
    Exif {
        path: PathBuf,
        #[source]
        source: exif::Error,
    },

    /// Resizing failed: a bug in the sizes this module computed, reported rather than hidden.
    #[error("{}: could not resize the picture: {detail}", path.display())]
    Resize { path: PathBuf, detail: String },

    /// An encoder refused the pixels (should not happen for a decoded image; kept for honesty).
    #[error("{}: could not encode the {format} derivative: {detail}", path.display())]
    Encode {
        path: PathBuf,
        format: Format,
        detail: String,
    },

    /// Writing or renaming a derivative failed.
    #[error("{}: cannot write the derivative: {source} — check the disk space and permissions", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl MediaError {
    /// Whether the file itself is at fault (the sender can fix it), rather than the server.
    pub fn is_input_error(&self) -> bool {
        matches!(
            self,
            MediaError::FileTooLarge { .. }
                | MediaError::NotAnImage { .. }
                | MediaError::TooManyPixels { .. }
                | MediaError::Corrupt { .. }
                | MediaError::Unsupported { .. }
                | MediaError::Exif { .. }
        )
    }
}

/// Shows the start of a file the way a person would recognise it: the printable text up to the
/// first line break (at most 16 characters), or, for binary junk, its first bytes as `\xNN`.
pub(crate) fn printable_head(bytes: &[u8]) -> String {
    let text: String = bytes
        .iter()
        .take(16)
        .take_while(|b| (0x20..=0x7e).contains(*b))
        .map(|&b| char::from(b))
        .collect();
    if !text.trim().is_empty() {
        return text.replace('"', "'");
    }
    bytes
        .iter()
        .take(8)
        .map(|b| format!("\\x{b:02x}"))
        .collect()
}
