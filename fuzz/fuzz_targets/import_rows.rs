//! `disan import`: a CSV or JSON file read into rows, each converted (vocabularies, address
//! resolution, centroids) and planned against an empty archive. Nothing is written.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temporary folder");
    let name = if first % 2 == 0 { "rows.csv" } else { "rows.json" };
    let file = dir.path().join(name);
    std::fs::write(&file, rest).expect("written");
    let archive = disan::layout::ArchiveLayout::new(dir.path().join("archive"));
    let _ = disan::import::plan(&archive, &file, chrono::Utc::now());
});
