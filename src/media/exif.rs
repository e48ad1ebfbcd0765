//! The facts a camera wrote into a photo: when it was taken, with what, where, and which way up.
//!
//! Read with kamadak-exif (crate `exif`) in its forgiving mode, so a damaged or truncated file
//! still yields the fields that precede the damage. The location is what volunteers' phones
//! recorded where they stood: it is used to suggest a site's position and is never published in
//! a derivative (see [`super::encode`]).

use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::Path;

use exif::{Exif, In, Tag, Value};

use super::MediaError;

/// What a photo's EXIF says, reduced to what the archive uses.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct PhotoExif {
    /// Local date and time the picture was taken, `YYYY-MM-DDTHH:MM:SS`, followed by the UTC
    /// offset (`+07:00`) when the camera recorded one.
    pub date_taken: Option<String>,
    /// Camera make and model, e.g. `Apple iPhone 4` (the make is not repeated when the model
    /// already starts with it).
    pub camera: Option<String>,
    /// Latitude and longitude in decimal degrees, south and west negative.
    pub gps: Option<(f64, f64)>,
    /// EXIF orientation 1–8 (1 when absent or out of range).
    pub orientation: u16,
}

/// Reads the EXIF of the file at `path` without decoding any pixels.
///
/// A file without EXIF gives `Ok` with every field empty; a file whose EXIF block is so broken
/// that not one field can be recovered gives [`MediaError::Exif`].
pub fn read_exif(path: &Path) -> Result<PhotoExif, MediaError> {
    let io = |source| MediaError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(io)?;
    // The metadata of a JPEG sits before the first scan, nearly always in the first few KB.
    let mut head = Vec::new();
    (&mut file)
        .take(HEAD_BYTES)
        .read_to_end(&mut head)
        .map_err(io)?;
    if head.starts_with(&[0xFF, 0xD8]) && !matches!(jpeg_app1(&head), JpegExif::NeedMore) {
        return read_exif_from_bytes(&head, path);
    }
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    parse_container(&mut BufReader::new(file), path)
}

/// Same as [`read_exif`] for a file already in memory.
pub fn read_exif_from_bytes(bytes: &[u8], path: &Path) -> Result<PhotoExif, MediaError> {
    if bytes.starts_with(&[0xFF, 0xD8]) {
        return match jpeg_app1(bytes) {
            JpegExif::Found(payload) => parse_raw(payload.to_vec(), path),
            JpegExif::Absent | JpegExif::NeedMore => Ok(PhotoExif {
                orientation: 1,
                ..PhotoExif::default()
            }),
        };
    }
    parse_container(&mut Cursor::new(bytes), path)
}

const HEAD_BYTES: u64 = 256 * 1024;

enum JpegExif<'a> {
    /// The EXIF payload from its TIFF header on; cut short if the file is.
    Found(&'a [u8]),
    /// The first scan (or the end of the file) came before any EXIF segment.
    Absent,
    /// The bytes end inside the metadata segments.
    NeedMore,
}

/// Finds the EXIF APP1 segment by walking the JPEG marker segments up to the first scan. Done
/// here rather than by kamadak-exif's container reader, which on a file without EXIF scans the
/// whole image data and calls a truncated one broken.
fn jpeg_app1(bytes: &[u8]) -> JpegExif<'_> {
    let mut at = 2;
    loop {
        // Markers may be preceded by any number of 0xFF fill bytes.
        while bytes.get(at) == Some(&0xFF) && bytes.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        let (Some(&0xFF), Some(&marker)) = (bytes.get(at), bytes.get(at + 1)) else {
            return if at >= bytes.len() {
                JpegExif::NeedMore
            } else {
                JpegExif::Absent
            };
        };
        match marker {
            0xDA | 0xD9 => return JpegExif::Absent,
            0x01 | 0xD0..=0xD7 => {
                at += 2;
                continue;
            }
            _ => {}
        }
        let Some(len) = bytes
            .get(at + 2..at + 4)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
        else {
            return JpegExif::NeedMore;
        };
        let start = at + 4;
        let end = (at + 2 + len).min(bytes.len());
        if marker == 0xE1 && start <= end && bytes[start..end].starts_with(b"Exif\0\0") {
            return JpegExif::Found(&bytes[start + 6..end]);
        }
        if at + 2 + len > bytes.len() {
            return JpegExif::NeedMore;
        }
        at += 2 + len.max(2);
    }
}

fn parse_raw(payload: Vec<u8>, path: &Path) -> Result<PhotoExif, MediaError> {
    let mut exif_reader = exif::Reader::new();
    exif_reader.continue_on_error(true);
    finish(exif_reader.read_raw(payload), path)
}

fn parse_container<R: std::io::BufRead + std::io::Seek>(
    reader: &mut R,
    path: &Path,
) -> Result<PhotoExif, MediaError> {
    let mut exif_reader = exif::Reader::new();
    exif_reader.continue_on_error(true);
    finish(exif_reader.read_from_container(reader), path)
}

fn finish(result: Result<Exif, exif::Error>, path: &Path) -> Result<PhotoExif, MediaError> {
    match result {
        Ok(exif) => Ok(summarise(&exif)),
        // Fields read before the damage are still good; the damage itself is not the caller's
        // problem as long as something came out.
        Err(exif::Error::PartialResult(partial)) => {
            let (exif, _errors) = partial.into_inner();
            Ok(summarise(&exif))
        }
        Err(exif::Error::NotFound(_)) => Ok(PhotoExif {
            orientation: 1,
            ..PhotoExif::default()
        }),
        Err(source) => Err(MediaError::Exif {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn summarise(exif: &Exif) -> PhotoExif {
    PhotoExif {
        date_taken: date_taken(exif),
        camera: camera(exif),
        gps: gps(exif),
        orientation: orientation(exif),
    }
}

/// EXIF orientation (tag 0x0112) of the main image, 1 if missing or outside 1–8.
fn orientation(exif: &Exif) -> u16 {
    exif.get_field(Tag::Orientation, In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
        .and_then(|v| u16::try_from(v).ok())
        .filter(|v| (1..=8).contains(v))
        .unwrap_or(1)
}

fn ascii(exif: &Exif, tag: Tag) -> Option<String> {
    let field = exif
        .get_field(tag, In::PRIMARY)
        .or_else(|| exif.fields().find(|f| f.tag == tag))?;
    let Value::Ascii(ref parts) = field.value else {
        return None;
    };
    let raw = parts.first()?;
    // Cameras pad with NULs and spaces; some write Latin-1, so be lossy rather than drop it.
    let text = String::from_utf8_lossy(raw);
    let text = text.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    (!text.is_empty()).then(|| text.to_string())
}

fn camera(exif: &Exif) -> Option<String> {
    let make = ascii(exif, Tag::Make);
    let model = ascii(exif, Tag::Model);
    match (make, model) {
        (Some(make), Some(model)) => {
            // "Canon" + "Canon EOS 5D" or "NIKON CORPORATION" + "NIKON D70": say it once.
            let first_word = make.split_whitespace().next().unwrap_or(&make);
            if model.to_lowercase().starts_with(&first_word.to_lowercase()) {
                Some(model)
            } else {
                Some(format!("{make} {model}"))
            }
        }
        (make, model) => model.or(make),
    }
}

fn date_taken(exif: &Exif) -> Option<String> {
    let (tag, offset_tag) = [
        (Tag::DateTimeOriginal, Tag::OffsetTimeOriginal),
        (Tag::DateTimeDigitized, Tag::OffsetTimeDigitized),
        (Tag::DateTime, Tag::OffsetTime),
    ]
    .into_iter()
    .find(|(tag, _)| ascii(exif, *tag).is_some())?;
    let text = ascii(exif, tag)?;
    let mut dt = exif::DateTime::from_ascii(text.as_bytes()).ok()?;
    // "0000:00:00 00:00:00" is how cameras without a clock say "unknown".
    if dt.year == 0 || dt.month == 0 || dt.day == 0 || dt.month > 12 || dt.day > 31 {
        return None;
    }
    let mut out = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second
    );
    if let Some(offset) = ascii(exif, offset_tag)
        && dt.parse_offset(offset.as_bytes()).is_ok()
        && let Some(minutes) = dt.offset
    {
        let sign = if minutes < 0 { '-' } else { '+' };
        let m = minutes.unsigned_abs();
        out.push_str(&format!("{sign}{:02}:{:02}", m / 60, m % 60));
    }
    Some(out)
}

/// Degrees, minutes, seconds as written by the camera: three RATIONALs by the standard, three
/// SRATIONALs on some phones (HMD Nokia 8.3). A zero denominator means "no fix".
fn dms(exif: &Exif, tag: Tag) -> Option<f64> {
    let field = exif.get_field(tag, In::PRIMARY)?;
    let parts: Vec<(f64, f64)> = match &field.value {
        Value::Rational(v) => v
            .iter()
            .map(|r| (f64::from(r.num), f64::from(r.denom)))
            .collect(),
        Value::SRational(v) => v
            .iter()
            .map(|r| (f64::from(r.num), f64::from(r.denom)))
            .collect(),
        _ => return None,
    };
    if parts.is_empty() || parts.iter().any(|&(_, d)| d == 0.0) {
        return None;
    }
    let unit = [1.0, 60.0, 3600.0];
    let value = parts
        .iter()
        .zip(unit)
        .map(|(&(n, d), u)| n / d / u)
        .sum::<f64>();
    // The hemisphere comes from the reference tag; a signed value would count it twice.
    value.is_finite().then_some(value.abs())
}

/// The hemisphere letter (N/S/E/W) of a GPS reference tag.
fn reference(exif: &Exif, tag: Tag) -> Option<u8> {
    let field = exif.get_field(tag, In::PRIMARY)?;
    match &field.value {
        Value::Ascii(parts) => parts.first()?.first().map(u8::to_ascii_uppercase),
        _ => None,
    }
}

fn gps(exif: &Exif) -> Option<(f64, f64)> {
    let lat = dms(exif, Tag::GPSLatitude)?;
    let lon = dms(exif, Tag::GPSLongitude)?;
    let lat = match reference(exif, Tag::GPSLatitudeRef)? {
        b'N' => lat,
        b'S' => -lat,
        _ => return None,
    };
    let lon = match reference(exif, Tag::GPSLongitudeRef)? {
        b'E' => lon,
        b'W' => -lon,
        _ => return None,
    };
    // (0, 0) is what a phone writes before it has a fix: not the Gulf of Guinea.
    if (lat == 0.0 && lon == 0.0) || lat.abs() > 90.0 || lon.abs() > 180.0 {
        return None;
    }
    Some((lat, lon))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_exif_is_empty_not_an_error() {
        let got = read_exif_from_bytes(b"\xff\xd8\xff\xd9", Path::new("x.jpg")).unwrap();
        assert_eq!(got.orientation, 1);
        assert_eq!(got.gps, None);
    }

    #[test]
    fn text_is_an_error_not_a_panic() {
        assert!(read_exif_from_bytes(b"hello world", Path::new("x.jpg")).is_err());
    }

    #[test]
    fn exif_cut_short_is_not_a_panic() {
        // SOI, then an APP1 segment announcing 0x1000 bytes of which only a TIFF header is here.
        let mut bytes = b"\xff\xd8\xff\xe1\x10\x00Exif\0\0MM\0\x2a\0\0\0\x08\0\x05".to_vec();
        bytes.extend_from_slice(&[0x01, 0x12, 0x00]);
        let _ = read_exif_from_bytes(&bytes, Path::new("x.jpg"));
        for cut in 0..bytes.len() {
            let _ = read_exif_from_bytes(&bytes[..cut], Path::new("x.jpg"));
        }
    }
}
