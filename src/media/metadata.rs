//! A photo's metadata reduced to what displaying it needs, for publishing a contributor's
//! original without where they stood or which camera they carry.
//!
//! The pixels are untouched (no re-encoding): the file's EXIF block is replaced by a new one
//! holding only the orientation (without it a phone photo shows on its side) and the time it
//! was taken (a fact about the site). GPS, camera make, model and serial numbers, and every
//! other tag are dropped. JPEG, PNG and WebP containers are edited with `img-parts`; the new
//! EXIF is written by `kamadak-exif`.

use img_parts::{Bytes, DynImage, ImageEXIF};

use exif::{In, Tag};

/// `bytes` with their EXIF reduced to orientation and capture time. `None` when the container
/// cannot be read (the caller decides what to do with a photo it cannot clean).
pub fn without_position(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut image = DynImage::from_bytes(Bytes::copy_from_slice(bytes)).ok()??;
    let Some(old) = image.exif() else {
        return Some(bytes.to_vec());
    };
    image.set_exif(minimal_exif(&old));
    Some(image.encoder().bytes().to_vec())
}

/// The kept tags as a new TIFF block, or nothing when there is nothing to keep (or the old
/// block cannot be parsed: then nothing of it is kept).
fn minimal_exif(old: &[u8]) -> Option<Bytes> {
    let parsed = exif::Reader::new().read_raw(old.to_vec()).ok()?;
    let kept: Vec<&exif::Field> = parsed
        .fields()
        .filter(|f| {
            (f.ifd_num == In::PRIMARY && f.tag == Tag::Orientation)
                || f.tag == Tag::DateTimeOriginal
        })
        .collect();
    if kept.is_empty() {
        return None;
    }
    let mut writer = exif::experimental::Writer::new();
    for field in &kept {
        writer.push_field(field);
    }
    let mut out = std::io::Cursor::new(Vec::new());
    writer.write(&mut out, parsed.little_endian()).ok()?;
    Some(Bytes::from(out.into_inner()))
}
