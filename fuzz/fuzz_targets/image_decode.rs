//! Photo validation as an upload gets it: decode under the limits (here 4 megapixels and
//! 8 MB, so the fuzzer meets the refusals) down to the 1024 px preview.
#![no_main]
use std::sync::LazyLock;

use disan::media::{self, Limits};
use libfuzzer_sys::fuzz_target;

static OUT: LazyLock<tempfile::TempDir> =
    LazyLock::new(|| tempfile::tempdir().expect("a temporary folder"));

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_pixels: 4_000_000,
        max_file_bytes: 8 * 1024 * 1024,
    };
    let _ = media::render_specs(
        data,
        std::path::Path::new("fuzz.jpg"),
        &limits,
        media::PREVIEW,
        |spec, _, _| OUT.path().join(format!("{}.jpg", spec.long_edge)),
    );
});
