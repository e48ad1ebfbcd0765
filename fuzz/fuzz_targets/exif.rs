//! EXIF from a photo's bytes (JPEG APP1, or a PNG/WebP container), and the metadata
//! reduction an approval applies to a photo whose position is private.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = disan::media::read_exif_from_bytes(data, std::path::Path::new("fuzz.jpg"));
    if let Some(reduced) = disan::media::without_position(data) {
        if let Ok(exif) = disan::media::read_exif_from_bytes(&reduced, std::path::Path::new("r"))
        {
            assert_eq!(exif.gps, None, "a position survived the reduction");
        }
    }
});
