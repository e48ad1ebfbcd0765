//! Derivative throughput, quality and memory, side by side with libvips' `vipsthumbnail`.
//!
//! Both pipelines make the full set — JPEG and WebP at 320, 1024 and 2048 px long edge, never
//! upscaling, no metadata — for every JPEG in `$DISAN_TESTDATA/photos/large`, on both cores:
//! ours with rayon over photos (and over the encodes of each photo); vipsthumbnail as two
//! processes at a time, each given half of the photos, with `VIPS_CONCURRENCY=1` so that neither
//! side gets more than two cores. vipsthumbnail makes one output per invocation, so it runs once
//! per (size, format) over its half of the photos, each run with shrink-on-load.
//!
//! Throughput: the best of five rounds, the two pipelines taking turns.
//!
//! Quality: PSNR of each pipeline's 1024 px JPEG against a reference made from the full decode,
//! Lanczos3-resized in f32 to the same dimensions. Memory: peak RSS (`/usr/bin/time -f %M`) of
//! one process rendering the largest photo (ours: all six files; vipsthumbnail: the worst of its
//! six runs).
//!
//! Run: `DISAN_TESTDATA=… cargo bench --bench derivatives` (or `benches/derivatives.sh`, which
//! installs vipsthumbnail first).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use disan::media::{self, Format, Limits};
use fast_image_resize::images::Image;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use rayon::prelude::*;

const ROUNDS: usize = 5;
const SIZES: [u32; 3] = [320, 1024, 2048];

fn main() {
    if let Some(one) = std::env::var_os("DISAN_BENCH_ONE") {
        // Child mode for the memory measurement: render one photo and leave.
        let out = tempfile::tempdir().expect("temporary directory");
        render_ours(Path::new(&one), out.path());
        return;
    }
    let Some(root) = std::env::var_os("DISAN_TESTDATA") else {
        eprintln!("derivatives bench: skipped, DISAN_TESTDATA is not set");
        return;
    };
    let dir = PathBuf::from(root).join("photos/large");
    let mut photos: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("jpg")))
        .collect();
    photos.sort();
    let megapixels: f64 = photos
        .iter()
        .map(|p| {
            let (w, h) = image::image_dimensions(p).expect("readable JPEG");
            f64::from(w) * f64::from(h) / 1e6
        })
        .sum();
    println!(
        "{} photos, {megapixels:.0} MP in all, {} threads; JPEG q{} 4:2:0, WebP q{} method {}",
        photos.len(),
        rayon::current_num_threads(),
        media::JPEG_QUALITY,
        media::WEBP_QUALITY,
        media::WEBP_METHOD
    );

    let ours_dir = tempfile::tempdir().expect("temporary directory");
    let vips_dir = tempfile::tempdir().expect("temporary directory");
    let have_vips = Command::new("vipsthumbnail")
        .arg("--vips-version")
        .output()
        .is_ok();

    // Warm the page cache and both programs once, then time the rounds, alternating the two
    // pipelines so that load from elsewhere on the machine hits both alike.
    let ours_round = || {
        photos
            .par_iter()
            .for_each(|p| render_ours(p, ours_dir.path()))
    };
    let vips_round = || run_vips(&photos, vips_dir.path());
    ours_round();
    if have_vips {
        vips_round();
    }
    let (mut ours, mut vips) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..ROUNDS {
        ours = ours.min(timed(ours_round));
        if have_vips {
            vips = vips.min(timed(vips_round));
        }
    }
    let ours_rate = photos.len() as f64 / ours;
    println!("disan media : {ours:6.2} s per round, {ours_rate:5.2} photos/s");
    if have_vips {
        let vips_rate = photos.len() as f64 / vips;
        println!("vipsthumbnail: {vips:6.2} s per round, {vips_rate:5.2} photos/s");
        println!(
            "ratio        : {:.2}× vipsthumbnail's throughput",
            ours_rate / vips_rate
        );
    } else {
        println!(
            "vipsthumbnail not found: apt-get install libvips-tools (or run benches/derivatives.sh)"
        );
    }

    quality(
        &photos,
        ours_dir.path(),
        have_vips.then_some(vips_dir.path()),
    );
    memory(&photos, vips_dir.path(), have_vips);
}

fn timed(round: impl FnOnce()) -> f64 {
    let start = Instant::now();
    round();
    start.elapsed().as_secs_f64()
}

fn stem(photo: &Path) -> String {
    photo
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn render_ours(photo: &Path, out: &Path) {
    let stem = stem(photo);
    media::render(photo, &Limits::default(), |spec, _, _| {
        out.join(format!(
            "{stem}_{}.{}",
            spec.long_edge,
            spec.format.extension()
        ))
    })
    .unwrap_or_else(|e| panic!("{e}"));
}

/// vipsthumbnail's output option for a size and format, settings matching ours.
fn vips_output(out: &Path, size: u32, format: Format) -> String {
    let options = match format {
        Format::Jpeg => format!("Q={},strip", media::JPEG_QUALITY),
        Format::Webp => format!(
            "Q={},effort={},strip",
            media::WEBP_QUALITY,
            media::WEBP_METHOD
        ),
    };
    format!(
        "{}/%s_{size}.{}[{options}]",
        out.display(),
        format.extension()
    )
}

fn vips_command(out: &Path, size: u32, format: Format) -> Command {
    let mut cmd = Command::new("vipsthumbnail");
    cmd.env("VIPS_CONCURRENCY", "1")
        // "WxH>" only ever shrinks, like our pipeline.
        .arg("--size")
        .arg(format!("{size}x{size}>"))
        .arg("-o")
        .arg(vips_output(out, size, format));
    cmd
}

/// Two worker processes at a time, each over half of the photos, one run per size and format.
fn run_vips(photos: &[PathBuf], out: &Path) {
    let halves: Vec<&[PathBuf]> = photos.chunks(photos.len().div_ceil(2)).collect();
    std::thread::scope(|scope| {
        for half in halves {
            scope.spawn(move || {
                for size in SIZES {
                    for format in [Format::Jpeg, Format::Webp] {
                        let status = vips_command(out, size, format)
                            .args(half)
                            .status()
                            .expect("vipsthumbnail runs");
                        assert!(status.success(), "vipsthumbnail failed");
                    }
                }
            });
        }
    });
}

fn decode(path: &Path) -> image::RgbImage {
    image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8()
}

/// The full decode resized in f32 with Lanczos3 to `width`×`height`: what a perfect pipeline
/// would show before JPEG compression.
fn reference(full: &image::RgbImage, width: u32, height: u32) -> Vec<f32> {
    let floats: Vec<u8> = full
        .as_raw()
        .iter()
        .flat_map(|&v| f32::from(v).to_ne_bytes())
        .collect();
    let src = Image::from_vec_u8(full.width(), full.height(), floats, PixelType::F32x3)
        .expect("f32 image");
    let mut dst = Image::new(width, height, PixelType::F32x3);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new()
        .resize(&src, &mut dst, &options)
        .expect("reference resize");
    dst.buffer()
        .chunks_exact(4)
        .map(|b| f32::from_ne_bytes([b[0], b[1], b[2], b[3]]).clamp(0.0, 255.0))
        .collect()
}

fn psnr(reference: &[f32], candidate: &image::RgbImage) -> f64 {
    let mse: f64 = reference
        .iter()
        .zip(candidate.as_raw())
        .map(|(&r, &c)| (f64::from(r) - f64::from(c)).powi(2))
        .sum::<f64>()
        / reference.len() as f64;
    10.0 * (255.0f64 * 255.0 / mse).log10()
}

/// PSNR (dB) and file size (bytes) of one 1024 px JPEG.
#[derive(Clone, Copy)]
struct Score {
    psnr: f64,
    bytes: u64,
}

fn quality(photos: &[PathBuf], ours: &Path, vips: Option<&Path>) {
    let rows: Vec<(Score, Option<Score>)> = photos
        .par_iter()
        .map(|photo| {
            let full = decode(photo);
            let score = |path: PathBuf| {
                let candidate = decode(&path);
                let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                let r = reference(&full, candidate.width(), candidate.height());
                Score {
                    psnr: psnr(&r, &candidate),
                    bytes,
                }
            };
            let name = format!("{}_1024.jpg", stem(photo));
            (score(ours.join(&name)), vips.map(|v| score(v.join(&name))))
        })
        .collect();
    let mean = |scores: Vec<Score>| {
        let n = scores.len().max(1) as f64;
        let psnr = scores.iter().map(|s| s.psnr).sum::<f64>() / n;
        let kb = scores.iter().map(|s| s.bytes).sum::<u64>() as f64 / n / 1024.0;
        (psnr, kb)
    };
    let (ours_psnr, ours_kb) = mean(rows.iter().map(|r| r.0).collect());
    println!("1024 px JPEG vs f32 Lanczos3 reference (mean over photos):");
    println!("  disan media : PSNR {ours_psnr:.2} dB, {ours_kb:.0} KB");
    if vips.is_some() {
        let (vips_psnr, vips_kb) = mean(rows.iter().filter_map(|r| r.1).collect());
        println!("  vipsthumbnail: PSNR {vips_psnr:.2} dB, {vips_kb:.0} KB");
    }
}

/// Peak RSS in MB of a command, via GNU time.
fn peak_rss_mb(cmd: Command) -> Option<f64> {
    let program = cmd.get_program().to_owned();
    let args: Vec<_> = cmd.get_args().map(|a| a.to_owned()).collect();
    let envs: Vec<_> = cmd
        .get_envs()
        .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned())))
        .collect();
    let output = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(program)
        .args(args)
        .envs(envs)
        .output()
        .ok()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let kb: f64 = stderr.lines().last()?.trim().parse().ok()?;
    Some(kb / 1024.0)
}

fn memory(photos: &[PathBuf], vips_out: &Path, have_vips: bool) {
    let Some(largest) = photos.iter().max_by_key(|p| {
        image::image_dimensions(p)
            .map(|(w, h)| u64::from(w) * u64::from(h))
            .unwrap_or(0)
    }) else {
        return;
    };
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let mut ours = Command::new(exe);
    ours.env("DISAN_BENCH_ONE", largest)
        .env("RAYON_NUM_THREADS", "2");
    let Some(ours_mb) = peak_rss_mb(ours) else {
        println!("peak memory: /usr/bin/time not found (apt-get install time)");
        return;
    };
    println!("peak RSS for {} (one process):", largest.display());
    println!("  disan media : {ours_mb:.0} MB for all six derivatives");
    if have_vips {
        let worst = SIZES
            .iter()
            .flat_map(|&s| [(s, Format::Jpeg), (s, Format::Webp)])
            .filter_map(|(size, format)| {
                let mut cmd = vips_command(vips_out, size, format);
                cmd.arg(largest);
                peak_rss_mb(cmd)
            })
            .fold(0.0, f64::max);
        println!("  vipsthumbnail: {worst:.0} MB for its largest single run");
    }
}
