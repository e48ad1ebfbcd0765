//! Photo derivatives and EXIF against real photos.
//!
//! Real photos come from the directory named by `DISAN_TESTDATA` (its `photos/` folder); each
//! such test says it is skipped when the variable is unset, and fails when it is set but the
//! files are missing. Crafted inputs (a decompression bomb, a renamed text file, a PNG, a tiny
//! JPEG) are made in the test itself.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::{Path, PathBuf};

use disan::media::{self, DerivativeSpec, Format, Limits, MediaError, RenderedPhoto};

// ---------------------------------------------------------------------------------------------
// Helpers

/// Records the largest single allocation made by the current thread while `TRACK` is on, so a
/// test can prove a bomb is refused before any pixel buffer exists.
struct LargestAllocation;

thread_local! {
    static TRACK: Cell<bool> = const { Cell::new(false) };
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for LargestAllocation {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = TRACK.try_with(|t| {
            if t.get() {
                let _ = LARGEST.try_with(|l| l.set(l.get().max(layout.size())));
            }
        });
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: LargestAllocation = LargestAllocation;

fn largest_allocation_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    LARGEST.with(|l| l.set(0));
    TRACK.with(|t| t.set(true));
    let out = f();
    TRACK.with(|t| t.set(false));
    (out, LARGEST.with(Cell::get))
}

/// The `photos/` test data folder, or `None` (test skipped) when `DISAN_TESTDATA` is unset.
fn photos(test: &str) -> Option<PathBuf> {
    let Some(root) = std::env::var_os("DISAN_TESTDATA") else {
        eprintln!("{test}: skipped, DISAN_TESTDATA is not set");
        return None;
    };
    let dir = PathBuf::from(root).join("photos");
    assert!(
        dir.is_dir(),
        "DISAN_TESTDATA is set but {} is missing",
        dir.display()
    );
    Some(dir)
}

/// Renders into `out` with the file name `<stem>-<edge>.<ext>`.
fn render_into(source: &Path, out: &Path) -> Result<RenderedPhoto, MediaError> {
    let stem = source.file_stem().unwrap().to_string_lossy().into_owned();
    media::render(
        source,
        &Limits::default(),
        |spec: &DerivativeSpec, _w, _h| {
            out.join(format!(
                "{stem}-{}.{}",
                spec.long_edge,
                spec.format.extension()
            ))
        },
    )
}

fn decode_rgb(path: &Path) -> image::RgbImage {
    image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8()
}

fn mean_abs_diff(a: &image::RgbImage, b: &image::RgbImage) -> f64 {
    mean_abs_diff_where(a, b, |_, _| true)
}

/// Mean absolute difference per channel over the pixels `keep` accepts.
fn mean_abs_diff_where(
    a: &image::RgbImage,
    b: &image::RgbImage,
    keep: impl Fn(u32, u32) -> bool,
) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let (mut total, mut count) = (0u64, 0u64);
    for (x, y, pa) in a.enumerate_pixels() {
        if keep(x, y) {
            let pb = b.get_pixel(x, y);
            total +=
                pa.0.iter()
                    .zip(pb.0)
                    .map(|(&p, q)| u64::from(p.abs_diff(q)))
                    .sum::<u64>();
            count += 3;
        }
    }
    total as f64 / count.max(1) as f64
}

fn derivative(photo: &RenderedPhoto, edge: u32, format: Format) -> &media::Derivative {
    photo
        .derivatives
        .iter()
        .find(|d| d.spec.long_edge == edge && d.spec.format == format)
        .unwrap_or_else(|| panic!("no {edge} {format} derivative in {photo:?}"))
}

/// A small real JPEG made by the test: a colour gradient of `width`×`height`.
fn gradient_jpeg(width: u16, height: u16) -> Vec<u8> {
    let rgb: Vec<u8> = (0..u32::from(height))
        .flat_map(|y| (0..u32::from(width)).flat_map(move |x| [(x * 7) as u8, (y * 5) as u8, 90]))
        .collect();
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90)
        .encode(&rgb, width, height, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    out
}

// ---------------------------------------------------------------------------------------------
// 1. Orientation

#[test]
fn all_sixteen_orientation_files_come_out_upright() {
    let Some(photos) = photos("all_sixteen_orientation_files_come_out_upright") else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    for series in ["landscape", "portrait"] {
        let reference = render_into(
            &photos.join(format!("orientation/{series}_1.jpg")),
            out.path(),
        )
        .unwrap();
        let reference_img = decode_rgb(&derivative(&reference, 320, Format::Jpeg).path);
        // Each file shows its orientation number big in the middle: compare around it.
        let (w, h) = reference_img.dimensions();
        let outside_number =
            |x: u32, y: u32| !(x > w * 2 / 5 && x < w * 3 / 5 && y > h / 4 && y < h * 3 / 4);
        // What a wrong turn would look like: the reference mirrored, and upside down.
        let mirrored = mean_abs_diff_where(
            &reference_img,
            &image::imageops::flip_horizontal(&reference_img),
            outside_number,
        );
        let upside_down = mean_abs_diff_where(
            &reference_img,
            &image::imageops::rotate180(&reference_img),
            outside_number,
        );
        for orientation in 2..=8 {
            let file = photos.join(format!("orientation/{series}_{orientation}.jpg"));
            let photo = render_into(&file, out.path()).unwrap();
            assert_eq!(photo.exif.orientation, orientation);
            assert_eq!(
                (photo.width, photo.height),
                (reference.width, reference.height),
                "{series}_{orientation}"
            );
            let img = decode_rgb(&derivative(&photo, 320, Format::Jpeg).path);
            let diff = mean_abs_diff_where(&reference_img, &img, outside_number);
            // Measured: 13–16 when upright (the eight source files were encoded separately and
            // differ that much themselves), 38–49 mirrored, 50–66 upside down.
            assert!(
                diff < 20.0 && diff * 2.0 < mirrored && diff * 2.5 < upside_down,
                "{series}_{orientation}: differs from orientation 1 by {diff:.1} \
                 (mirrored: {mirrored:.1}, upside down: {upside_down:.1})"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 2. EXIF

/// Latitude and longitude as printed by `exiftool -n -GPSLatitude -GPSLongitude`.
const EXIFTOOL_GPS: &[(&str, f64, f64)] = &[
    ("gps/DSCN0010.jpg", 43.4674483333333, 11.8851266666639),
    ("gps/DSCN0012.jpg", 43.4671566666639, 11.8853949999972),
    ("gps/DSCN0021.jpg", 43.4670816666639, 11.8845383333306),
    ("gps/DSCN0025.jpg", 43.468365, 11.8816349999722),
    ("gps/DSCN0027.jpg", 43.4684416666667, 11.881515),
    ("gps/DSCN0029.jpg", 43.4682433333306, 11.8801716666389),
    ("gps/DSCN0038.jpg", 43.4672549999972, 11.8792133333333),
    ("gps/DSCN0040.jpg", 43.4660116666389, 11.8791116666389),
    ("gps/DSCN0042.jpg", 43.464455, 11.8814783333333),
    ("phones/Apple iPhone 4.jpg", 41.853, 12.4888333333333),
    ("phones/HTC Desire.jpg", 45.5006666666667, 9.11033333333333),
    ("phones/Nexus 4.jpg", 51.5624656666667, -0.0773321944444444),
    ("phones/Nokia Lumia 800.jpg", 53.359465, -6.25823138888889),
    (
        "phones/Panasonic DMC-LX3 (Lumix).jpg",
        41.8954010009778,
        12.4827108383167,
    ),
    (
        "phones/Samsung SM-G935L (Galaxy S7 Edge).jpg",
        48.8925,
        2.23638888888889,
    ),
    ("phones/Sony DSC-HX5V (2).jpg", 51.778615, 8.36563805555556),
    ("edge/ultrahdr.jpg", 30.62765, 119.738766666667),
];

/// Files exiftool finds no GPS position in.
const NO_GPS: &[&str] = &[
    "phones/jolla.jpg",
    "edge/hopper_orientation_6.jpg",
    "edge/pil_sample_cmyk.jpg",
    "edge/truncated_jpeg.jpg",
    "orientation/landscape_1.jpg",
];

#[test]
fn gps_matches_exiftool() {
    let Some(photos) = photos("gps_matches_exiftool") else {
        return;
    };
    for &(file, lat, lon) in EXIFTOOL_GPS {
        let exif = media::read_exif(&photos.join(file)).unwrap();
        let (got_lat, got_lon) = exif.gps.unwrap_or_else(|| panic!("{file}: no GPS read"));
        assert!(
            (got_lat - lat).abs() < 1e-5 && (got_lon - lon).abs() < 1e-5,
            "{file}: {got_lat}, {got_lon} vs {lat}, {lon}"
        );
    }
    for file in NO_GPS {
        assert_eq!(
            media::read_exif(&photos.join(file)).unwrap().gps,
            None,
            "{file}"
        );
    }
}

#[test]
fn date_and_camera() {
    let Some(photos) = photos("date_and_camera") else {
        return;
    };
    let cases = [
        (
            "gps/DSCN0010.jpg",
            "2008-10-22T16:28:39",
            "NIKON COOLPIX P6000",
        ),
        ("phones/HTC Desire.jpg", "2011-05-06T09:59:48", "HTC Desire"),
        ("phones/jolla.jpg", "2014-09-21T16:00:56", "Jolla"),
        (
            "edge/ultrahdr.jpg",
            "2024-05-07T09:33:04+08:00",
            "Google Pixel 6",
        ),
    ];
    for (file, date, camera) in cases {
        let exif = media::read_exif(&photos.join(file)).unwrap();
        assert_eq!(exif.date_taken.as_deref(), Some(date), "{file}");
        assert_eq!(exif.camera.as_deref(), Some(camera), "{file}");
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Nothing of the EXIF is published

/// JPEG marker segments before the scan: `(marker, payload)`.
fn jpeg_segments(bytes: &[u8]) -> Vec<(u8, &[u8])> {
    assert_eq!(&bytes[..2], b"\xff\xd8");
    let mut out = Vec::new();
    let mut at = 2;
    while at + 4 <= bytes.len() && bytes[at] == 0xFF {
        let marker = bytes[at + 1];
        let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        out.push((marker, &bytes[at + 4..at + 2 + len]));
        if marker == 0xDA {
            break;
        }
        at += 2 + len;
    }
    out
}

/// WebP RIFF chunk names.
fn webp_chunks(bytes: &[u8]) -> Vec<[u8; 4]> {
    assert!(bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP");
    let mut out = Vec::new();
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let name: [u8; 4] = bytes[at..at + 4].try_into().unwrap();
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        out.push(name);
        at += 8 + len + (len & 1);
    }
    out
}

#[test]
fn derivatives_carry_no_metadata() {
    let Some(photos) = photos("derivatives_carry_no_metadata") else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    for file in [
        "phones/Apple iPhone 4.jpg",
        "gps/DSCN0010.jpg",
        "edge/ultrahdr.jpg",
    ] {
        let photo = render_into(&photos.join(file), out.path()).unwrap();
        assert!(
            photo.exif.gps.is_some(),
            "{file}: the source should have GPS"
        );
        assert!(photo.derivatives.len() >= 4, "{file}: {photo:?}");
        for d in &photo.derivatives {
            let bytes = std::fs::read(&d.path).unwrap();
            assert_eq!(bytes.len() as u64, d.bytes);
            match d.spec.format {
                Format::Jpeg => {
                    for (marker, payload) in jpeg_segments(&bytes) {
                        assert_ne!(
                            marker,
                            0xE1,
                            "{}: APP1 (EXIF/XMP) published",
                            d.path.display()
                        );
                        assert!(!payload.starts_with(b"Exif"), "{}", d.path.display());
                    }
                }
                Format::Webp => {
                    let chunks = webp_chunks(&bytes);
                    assert!(
                        !chunks.contains(b"EXIF") && !chunks.contains(b"XMP "),
                        "{}: {chunks:?}",
                        d.path.display()
                    );
                }
            }
            let exif = media::read_exif(&d.path).unwrap();
            assert_eq!(exif.gps, None, "{}", d.path.display());
            assert_eq!(exif.camera, None, "{}", d.path.display());
            let img = decode_rgb(&d.path);
            assert_eq!(img.dimensions(), (d.width, d.height));
        }
    }
}

#[test]
fn derivatives_look_like_the_source() {
    let Some(photos) = photos("derivatives_look_like_the_source") else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    // A 640 px camera photo (full-size decode) and a 12 MP phone photo (DCT-scaled decode).
    for file in [
        "gps/DSCN0010.jpg",
        "phones/Samsung SM-G935L (Galaxy S7 Edge).jpg",
    ] {
        let source = photos.join(file);
        let photo = render_into(&source, out.path()).unwrap();
        let full = decode_rgb(&source);
        for d in photo.derivatives.iter().filter(|d| d.spec.long_edge == 320) {
            let expected = image::imageops::resize(
                &full,
                d.width,
                d.height,
                image::imageops::FilterType::Lanczos3,
            );
            let got = decode_rgb(&d.path);
            let diff = mean_abs_diff(&expected, &got);
            let wrong = mean_abs_diff(&expected, &image::imageops::flip_vertical(&got));
            // Measured: 5–7 (Lanczos and 82 % JPEG/WebP on a detailed 320 px picture); a broken
            // encoder gave 91.
            assert!(
                diff < 9.0 && diff * 3.0 < wrong,
                "{}: differs from the source by {diff:.1}",
                d.path.display()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Awkward and hostile files

#[test]
fn edge_files_render_or_explain() {
    let Some(photos) = photos("edge_files_render_or_explain") else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    for file in [
        "edge/truncated_jpeg.jpg",
        "edge/pil_sample_cmyk.jpg",
        "edge/ultrahdr.jpg",
        "edge/hopper_orientation_6.jpg",
    ] {
        match render_into(&photos.join(file), out.path()) {
            Ok(photo) => assert!(!photo.derivatives.is_empty(), "{file}"),
            Err(e) => {
                let message = e.to_string();
                assert!(
                    message.contains(file.rsplit('/').next().unwrap()) && message.contains(" — "),
                    "{file}: {message}"
                );
            }
        }
    }
    // The base image of an Ultra HDR photo is an ordinary JPEG and must come out.
    let hdr = render_into(&photos.join("edge/ultrahdr.jpg"), out.path()).unwrap();
    assert_eq!((hdr.width, hdr.height), (1512, 2688));
    // CMYK: the sample is the word "RED" in red on black; a wrong inversion gives pale pink.
    let cmyk = render_into(&photos.join("edge/pil_sample_cmyk.jpg"), out.path()).unwrap();
    let avg = u32::from_str_radix(&cmyk.placeholder[1..], 16).unwrap();
    let (r, g, b) = (avg >> 16, (avg >> 8) & 0xff, avg & 0xff);
    assert!(
        r > 2 * g && r > 2 * b && r < 100,
        "CMYK colours are off: {}",
        cmyk.placeholder
    );
}

#[test]
fn declared_bomb_is_refused_before_allocating() {
    let mut jpeg = gradient_jpeg(16, 16);
    // Patch the SOF0 frame header: FF C0, length (2), precision (1), height (2), width (2).
    let sof = jpeg
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("baseline JPEG has SOF0");
    jpeg[sof + 5..sof + 7].copy_from_slice(&30000u16.to_be_bytes());
    jpeg[sof + 7..sof + 9].copy_from_slice(&30000u16.to_be_bytes());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.jpg");
    std::fs::write(&path, &jpeg).unwrap();

    let (result, largest) = largest_allocation_during(|| render_into(&path, dir.path()));
    let err = result.unwrap_err();
    assert!(
        matches!(
            err,
            MediaError::TooManyPixels {
                width: 30000,
                height: 30000,
                ..
            }
        ),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains(
            "declares 30000×30000 pixels, over the 100-megapixel limit — resize it before uploading"
        ),
        "{message}"
    );
    assert!(
        largest < 1 << 20,
        "allocated {largest} bytes at once before refusing"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "nothing written"
    );
}

#[test]
fn renamed_text_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.jpg");
    std::fs::write(&path, "hello\nthis is not a photo\n").unwrap();
    let err = render_into(&path, dir.path()).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, MediaError::NotAnImage { .. }), "{err:?}");
    assert!(
        message.ends_with(
            "notes.jpg: not a JPEG/PNG/WebP image (starts with \"hello\") — was it renamed?"
        ),
        "{message}"
    );
    // An empty file too.
    std::fs::write(&path, "").unwrap();
    assert!(matches!(
        render_into(&path, dir.path()),
        Err(MediaError::NotAnImage { .. })
    ));
}

#[test]
fn garbage_after_a_jpeg_header_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junk.jpg");
    let mut jpeg = gradient_jpeg(64, 48);
    let half = jpeg.len() / 2;
    for (i, b) in jpeg[half..].iter_mut().enumerate() {
        *b = (i * 37 % 251) as u8;
    }
    std::fs::write(&path, &jpeg).unwrap();
    // Either a picture with a damaged lower half or a clear error; never a panic.
    if let Err(e) = render_into(&path, dir.path()) {
        assert!(e.to_string().contains("junk.jpg"), "{e}");
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Other formats and small photos

#[test]
fn png_input_works() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.png");
    let img = image::RgbaImage::from_fn(500, 300, |x, y| image::Rgba([x as u8, y as u8, 200, 255]));
    img.save(&path).unwrap();
    let photo = render_into(&path, dir.path()).unwrap();
    assert_eq!((photo.width, photo.height), (500, 300));
    let sizes: Vec<(u32, u32, u32)> = photo
        .derivatives
        .iter()
        .map(|d| (d.spec.long_edge, d.width, d.height))
        .collect();
    assert_eq!(
        sizes,
        [
            (320, 320, 192),
            (320, 320, 192),
            (1024, 500, 300),
            (1024, 500, 300)
        ]
    );
    for d in &photo.derivatives {
        assert_eq!(decode_rgb(&d.path).dimensions(), (d.width, d.height));
    }
}

#[test]
fn small_photo_is_not_upscaled() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiny.jpg");
    std::fs::write(&path, gradient_jpeg(200, 150)).unwrap();
    let photo = render_into(&path, dir.path()).unwrap();
    assert_eq!(
        photo.derivatives.len(),
        2,
        "one size, two formats: {photo:?}"
    );
    for d in &photo.derivatives {
        assert_eq!((d.spec.long_edge, d.width, d.height), (320, 200, 150));
        assert_eq!(decode_rgb(&d.path).dimensions(), (200, 150));
    }
    assert!(photo.placeholder.starts_with('#') && photo.placeholder.len() == 7);
}

// ---------------------------------------------------------------------------------------------
// Checking an upload: the preview alone

#[test]
fn the_preview_alone_is_one_file_and_needs_less_memory_than_the_full_set() {
    let bytes = gradient_jpeg(2400, 1800);
    let dir = tempfile::tempdir().unwrap();
    let source = Path::new("upload.jpg");
    let limits = Limits::default();
    let out = |spec: &media::DerivativeSpec, _: u32, _: u32| {
        dir.path()
            .join(format!("{}.{}", spec.long_edge, spec.format.extension()))
    };
    let (preview, preview_peak) = largest_allocation_during(|| {
        media::render_specs(&bytes, source, &limits, media::PREVIEW, out).unwrap()
    });
    assert_eq!(preview.derivatives.len(), 1);
    let only = &preview.derivatives[0];
    assert_eq!(
        (only.spec.format, only.width, only.height),
        (Format::Jpeg, 1024, 768)
    );
    assert_eq!((preview.width, preview.height), (2400, 1800));
    let (full, full_peak) =
        largest_allocation_during(|| media::render_bytes(&bytes, source, &limits, out).unwrap());
    assert_eq!(full.derivatives.len(), media::DERIVATIVES.len());
    assert!(
        preview_peak < full_peak,
        "largest allocation {preview_peak} B for the preview, {full_peak} B for every size"
    );
}

/// Finding 5 (pixel budget): a small PNG that declares 100 megapixels used to be decoded whole
/// to validate it (~800 MB, seconds). Now it is read row by row into the reduced size the
/// preview needs: every byte is still checked, and no buffer comes near the full picture.
#[test]
fn a_hundred_megapixel_png_is_checked_in_little_memory() {
    let (width, height) = (10_000u32, 10_000u32);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bomb.png");
    {
        let out = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
        let mut encoder = png::Encoder::new(out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Fastest);
        let mut writer = encoder
            .write_header()
            .unwrap()
            .into_stream_writer()
            .unwrap();
        let row = vec![200u8; width as usize * 3];
        for _ in 0..height {
            std::io::Write::write_all(&mut writer, &row).unwrap();
        }
        writer.finish().unwrap();
    }
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.len() < 2_000_000, "{} bytes", bytes.len());
    let (rendered, largest) = largest_allocation_during(|| {
        media::render_specs(
            &bytes,
            Path::new("bomb.png"),
            &Limits::default(),
            media::PREVIEW,
            |spec, _, _| dir.path().join(format!("{}.jpg", spec.long_edge)),
        )
    });
    let rendered = rendered.unwrap();
    assert_eq!((rendered.width, rendered.height), (width, height));
    assert_eq!(rendered.derivatives[0].width, 1024);
    assert!(
        largest < 64 * 1024 * 1024,
        "largest allocation {largest} bytes"
    );
}
