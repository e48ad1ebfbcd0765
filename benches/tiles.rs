//! Deep-zoom tiling, side by side with libvips' `vips dzsave --layout iiif3`.
//!
//! Both cut every JPEG of `$DISAN_TESTDATA/photos/large` into a static IIIF Image API 3.0
//! level-0 pyramid: 512-pixel tiles without overlap, down to the level that fits one tile,
//! JPEG quality 82 with 4:2:0 chroma and no metadata. Ours is `media::tiles::make_tiles`, rayon
//! over photos (and over each level's tiles) on both cores; vips runs as two processes at a
//! time, each over half of the photos, with `VIPS_CONCURRENCY=1`, so neither side gets more
//! than two cores. Every round starts from empty output folders; the two take turns, five
//! rounds each after a warm-up, and the median round of each is reported with the ratio.
//!
//! Also compared: what each leaves on disk (files, bytes, and the disk blocks they take, as
//! `du` counts them), which tile paths they share, and the peak RSS (`/usr/bin/time -f %M`) of
//! one process tiling the largest photo.
//!
//! Run: `DISAN_TESTDATA=… cargo bench --bench tiles` (or `benches/tiles.sh`, which installs
//! libvips-tools first).

use std::collections::BTreeSet;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use disan::media::tiles::{self, TILE_SIZE};
use disan::media::{JPEG_QUALITY, Limits};
use rayon::prelude::*;

const ROUNDS: usize = 5;

fn main() {
    if let Some(one) = std::env::var_os("DISAN_BENCH_ONE") {
        // Child mode for the memory measurement: tile one photo and leave.
        let out = tempfile::tempdir().expect("temporary directory");
        tiles::make_tiles(Path::new(&one), &Limits::default(), out.path())
            .unwrap_or_else(|e| panic!("{e}"));
        return;
    }
    let Some(root) = std::env::var_os("DISAN_TESTDATA") else {
        eprintln!("tiles bench: skipped, DISAN_TESTDATA is not set");
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
        "{} photos, {megapixels:.0} MP in all, {} threads; {TILE_SIZE} px tiles, JPEG q{JPEG_QUALITY} 4:2:0",
        photos.len(),
        rayon::current_num_threads(),
    );
    let have_vips = Command::new("vips").arg("--version").output().is_ok();
    let ours_dir = tempfile::tempdir().expect("temporary directory");
    let vips_dir = tempfile::tempdir().expect("temporary directory");

    let ours_round = || {
        fresh(ours_dir.path());
        photos.par_iter().for_each(|p| {
            let out = ours_dir.path().join(stem(p));
            std::fs::create_dir_all(&out).expect("output folder");
            tiles::make_tiles(p, &Limits::default(), &out).unwrap_or_else(|e| panic!("{e}"));
        });
    };
    let vips_round = || {
        fresh(vips_dir.path());
        run_vips(&photos, vips_dir.path());
    };
    ours_round();
    if have_vips {
        vips_round();
    }
    let (mut ours, mut vips) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        ours.push(timed(ours_round));
        if have_vips {
            vips.push(timed(vips_round));
        }
    }
    let rate = |seconds: f64| megapixels / seconds;
    let ours_median = median(&mut ours);
    println!(
        "disan tiles      : median {ours_median:.2} s a round ({:.2}–{:.2}), {:.1} MP/s",
        ours[0],
        ours[ROUNDS - 1],
        rate(ours_median)
    );
    let ours_disk = disk(ours_dir.path());
    println!("  on disk: {ours_disk}");
    if !have_vips {
        println!("vips not found: apt-get install libvips-tools (or run benches/tiles.sh)");
        return;
    }
    let vips_median = median(&mut vips);
    println!(
        "vips dzsave iiif3: median {vips_median:.2} s a round ({:.2}–{:.2}), {:.1} MP/s",
        vips[0],
        vips[ROUNDS - 1],
        rate(vips_median)
    );
    let vips_disk = disk(vips_dir.path());
    println!("  on disk: {vips_disk}");
    println!(
        "ratio            : {:.2}× vips's throughput; {:.2}× its bytes",
        vips_median / ours_median,
        ours_disk.bytes as f64 / vips_disk.bytes as f64
    );
    let (ours_paths, vips_paths) = (tile_paths(ours_dir.path()), tile_paths(vips_dir.path()));
    println!(
        "tile paths       : {} shared, {} only ours, {} only vips's",
        ours_paths.intersection(&vips_paths).count(),
        ours_paths.difference(&vips_paths).count(),
        vips_paths.difference(&ours_paths).count()
    );
    memory(&photos, vips_dir.path());
}

fn fresh(dir: &Path) {
    for entry in std::fs::read_dir(dir).expect("output folder").flatten() {
        std::fs::remove_dir_all(entry.path()).expect("an old round's output");
    }
}

fn timed(round: impl FnOnce()) -> f64 {
    let start = Instant::now();
    round();
    start.elapsed().as_secs_f64()
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn stem(photo: &Path) -> String {
    photo
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn vips_command(photo: &Path, out: &Path) -> Command {
    let mut cmd = Command::new("vips");
    cmd.env("VIPS_CONCURRENCY", "1")
        .arg("dzsave")
        .arg(photo)
        .arg(out.join(stem(photo)))
        .args(["--layout", "iiif3", "--overlap", "0", "--depth", "onetile"])
        .arg("--tile-size")
        .arg(TILE_SIZE.to_string())
        .arg("--suffix")
        .arg(format!(".jpg[Q={JPEG_QUALITY},strip]"));
    cmd
}

/// Two worker processes at a time, each over half of the photos.
fn run_vips(photos: &[PathBuf], out: &Path) {
    let halves: Vec<&[PathBuf]> = photos.chunks(photos.len().div_ceil(2)).collect();
    std::thread::scope(|scope| {
        for half in halves {
            scope.spawn(move || {
                for photo in half {
                    let status = vips_command(photo, out).status().expect("vips runs");
                    assert!(
                        status.success(),
                        "vips dzsave failed on {}",
                        photo.display()
                    );
                }
            });
        }
    });
}

struct Disk {
    files: usize,
    bytes: u64,
    blocks: u64,
}

impl std::fmt::Display for Disk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} files, {:.1} MB of tiles, {:.1} MB of disk blocks",
            self.files,
            self.bytes as f64 / 1e6,
            self.blocks as f64 / 1e6
        )
    }
}

/// The JPEG tiles under `dir`: how many, their bytes, and the disk blocks they occupy.
fn disk(dir: &Path) -> Disk {
    let mut d = Disk {
        files: 0,
        bytes: 0,
        blocks: 0,
    };
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == "jpg") {
            let meta = entry.metadata().expect("tile metadata");
            d.files += 1;
            d.bytes += meta.len();
            d.blocks += meta.blocks() * 512;
        }
    }
    d
}

/// Every tile's path below its image's folder, prefixed by the photo's name.
fn tile_paths(dir: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "jpg"))
        .filter_map(|e| {
            e.path()
                .strip_prefix(dir)
                .ok()
                .map(|p| p.to_string_lossy().into_owned())
        })
        .collect()
}

/// Peak RSS of one process tiling the largest photo, ours and vips's.
fn memory(photos: &[PathBuf], vips_out: &Path) {
    let largest = photos
        .iter()
        .max_by_key(|p| {
            let (w, h) = image::image_dimensions(p).expect("readable JPEG");
            u64::from(w) * u64::from(h)
        })
        .expect("photos");
    let peak = |cmd: Command| -> Option<u64> {
        let mut timed = Command::new("/usr/bin/time");
        timed.arg("-f").arg("%M").arg(cmd.get_program());
        timed.args(cmd.get_args());
        for (k, v) in cmd.get_envs() {
            if let Some(v) = v {
                timed.env(k, v);
            }
        }
        let out = timed.output().ok()?;
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .last()?
            .trim()
            .parse()
            .ok()
    };
    let mut ours = Command::new(std::env::current_exe().expect("this benchmark"));
    ours.env("DISAN_BENCH_ONE", largest)
        .env("RAYON_NUM_THREADS", "1");
    let vips_dir = vips_out.join("memory");
    let _ = std::fs::create_dir_all(&vips_dir);
    let vips = vips_command(largest, &vips_dir);
    let (w, h) = image::image_dimensions(largest).expect("readable JPEG");
    match (peak(ours), peak(vips)) {
        (Some(ours), Some(vips)) => println!(
            "peak RSS, {w}×{h} photo: disan {} MB, vips dzsave {} MB (one thread each)",
            ours / 1024,
            vips / 1024
        ),
        _ => println!("peak RSS: /usr/bin/time is missing (apt-get install time)"),
    }
}
