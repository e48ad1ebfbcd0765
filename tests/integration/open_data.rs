//! Open data from the command line and the archive: `disan export` in every format, the CSV
//! round trip of the real relic records (export → import into an empty archive → the same
//! records), and the record of deletions that harvesters are told about.

use std::collections::BTreeMap;
use std::path::Path;

use disan::archive;
use disan::layout::ArchiveLayout;
use disan::record::SiteRecord;

use crate::relic_rows;
use crate::util::{copy_of, disan, repo, testdata};

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = disan(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Every record of an archive by id, with its folder relative to the root and its bytes.
fn records(root: &Path) -> BTreeMap<String, (String, SiteRecord, Vec<u8>)> {
    let layout = ArchiveLayout::new(root);
    let (sites, problems) = archive::walk(&layout);
    assert!(problems.is_empty(), "{problems:?}");
    sites
        .into_iter()
        .map(|site| {
            let record = site.record.expect("every imported record parses");
            let folder = layout.display(&site.dir).to_string();
            (record.id.clone(), (folder, record, site.bytes))
        })
        .collect()
}

/// Acceptance: the CSV export of the imported real relic records, imported into an empty
/// archive, gives back exactly the same records, in the same folders, byte for byte.
#[test]
fn csv_export_of_the_real_relics_imports_back_into_the_same_records() {
    let Some(data) = testdata("csv_export_of_the_real_relics_imports_back_into_the_same_records")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let rows = dir.path().join("relics.json");
    std::fs::write(
        &rows,
        serde_json::to_string(&relic_rows::import_rows(&data)).unwrap(),
    )
    .unwrap();
    // Some crawled rows have no name and are rejected: that is the import's business.
    run(
        dir.path(),
        &["--archive", "first", "import", "--quiet", "relics.json"],
    );
    let first = records(&dir.path().join("first"));
    assert!(first.len() > 4_000, "{} sites imported", first.len());

    let (code, out, err) = run(
        dir.path(),
        &[
            "--archive",
            "first",
            "export",
            "--format",
            "csv",
            "-o",
            "sites.csv",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.is_empty(), "written to the file, not standard output");
    assert!(
        err.contains(&format!("{} sites exported as CSV", first.len())),
        "{err}"
    );

    let (code, out, err) = run(
        dir.path(),
        &["--archive", "second", "import", "--quiet", "sites.csv"],
    );
    assert_eq!(code, 0, "every exported row imports:\n{out}{err}");
    assert!(
        err.contains(&format!(
            "{} rows: {} created, 0 updated, 0 unchanged, 0 merged, 0 rejected",
            first.len(),
            first.len()
        )),
        "{err}"
    );
    assert!(
        !out.contains("warning"),
        "{}",
        out.lines().take(10).collect::<Vec<_>>().join("\n")
    );
    let second = records(&dir.path().join("second"));
    assert_eq!(second.len(), first.len());
    let mut different = Vec::new();
    for (id, (folder, record, bytes)) in &first {
        let Some((folder2, record2, bytes2)) = second.get(id) else {
            different.push(format!("{id}: missing"));
            continue;
        };
        if folder != folder2 || record != record2 || bytes != bytes2 {
            different.push(format!(
                "{id}: {folder} → {folder2}\n{record:?}\n{record2:?}"
            ));
        }
    }
    assert!(
        different.is_empty(),
        "{} records differ, the first:\n{}",
        different.len(),
        different
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );

    // Importing the export again into the first archive changes nothing either.
    let (_, _, err) = run(
        dir.path(),
        &["--archive", "first", "import", "--quiet", "sites.csv"],
    );
    assert!(err.contains(" 0 created, 0 updated, "), "{err}");
}

/// The whole bundled archive in each format, from the archive alone (no index needed).
#[test]
fn exports_of_the_whole_archive_in_every_format() {
    let dir = copy_of(&repo().join("archive"));
    let all = records(&dir.path().join("archive"));
    let positioned = all
        .values()
        .filter(|(_, r, _)| r.location.lat.is_some())
        .count();
    let count = |format: &str, text: &str| match format {
        // Descriptions hold line breaks, so CSV rows are counted by a CSV reader.
        "csv" => csv::Reader::from_reader(text.as_bytes()).records().count(),
        "jsonl" => text.lines().count(),
        "geojson" => text.matches("\"type\":\"Feature\"").count(),
        "gpx" => text.matches("<wpt ").count(),
        _ => text.matches("<Placemark ").count(),
    };
    for format in ["csv", "jsonl", "geojson", "gpx", "kml"] {
        let (code, out, err) = run(dir.path(), &["export", "--format", format]);
        assert_eq!(code, 0, "{format}: {err}");
        let want = if matches!(format, "gpx" | "kml") {
            positioned
        } else {
            all.len()
        };
        assert_eq!(count(format, &out), want, "{format}");
        assert!(
            err.contains(&format!("{} sites exported", want)),
            "{format}: {err}"
        );
    }
    let (code, out, _) = run(dir.path(), &["export", "--format", "jsonl"]);
    assert_eq!(code, 0);
    for line in out.lines() {
        let record: SiteRecord = serde_json::from_str(line).unwrap();
        assert_eq!(
            &record, &all[&record.id].1,
            "JSON Lines carries whole records"
        );
    }
    let (code, _, err) = run(dir.path(), &["export", "--format", "xls"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("`xls` is not a format; use csv, jsonl, geojson, gpx or kml"),
        "{err}"
    );
}

/// A search's sites, in its order, need the index.
#[test]
fn exports_of_a_search() {
    let dir = copy_of(&repo().join("archive"));
    let (code, _, err) = run(
        dir.path(),
        &["export", "--format", "csv", "--query", "chùa"],
    );
    assert_ne!(code, 0);
    assert!(err.contains("run `disan ingest` first"), "{err}");
    assert_eq!(run(dir.path(), &["ingest"]).0, 0);
    let (code, out, err) = run(
        dir.path(),
        &[
            "export",
            "--format",
            "jsonl",
            "--province",
            "nam dinh",
            "--type",
            "chua",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let ids: Vec<String> = out
        .lines()
        .map(|l| serde_json::from_str::<SiteRecord>(l).unwrap().id)
        .collect();
    assert!(!ids.is_empty());
    for line in out.lines() {
        let r: SiteRecord = serde_json::from_str(line).unwrap();
        assert_eq!(r.site_type.unwrap().code(), "chua", "{}", r.id);
        assert_eq!(
            r.location.legacy.province.as_deref(),
            Some("Nam Định"),
            "{}",
            r.id
        );
    }
    let (code, _, err) = run(
        dir.path(),
        &["export", "--format", "csv", "--near", "91,200"],
    );
    assert_eq!(code, 2, "a bad filter is a usage error");
    assert!(err.contains("near"), "{err}");
}

/// A site folder removed from the archive is remembered as deleted, with its sets; a renamed
/// site needs no line (its record keeps the old id).
#[test]
fn ingest_records_the_sites_that_left_the_archive() {
    let dir = copy_of(&repo().join("archive"));
    let root = dir.path().join("archive");
    assert_eq!(run(dir.path(), &["ingest"]).0, 0);
    let gone = root.join("ninh-binh/chua-bai-dinh");
    std::fs::remove_dir_all(&gone).unwrap();
    let renamed = root.join("ninh-binh/den-thai-vi/site.json");
    let mut record = SiteRecord::from_json(&std::fs::read_to_string(&renamed).unwrap()).unwrap();
    record.former_ids = vec![record.id.clone()];
    record.id = "den-thai-vi-tam-coc".into();
    std::fs::write(&renamed, record.to_json()).unwrap();
    let (code, _, err) = run(dir.path(), &["ingest"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("2 removed"), "{err}");
    let (deletions, problems) = archive::deletions::read(&ArchiveLayout::new(&root));
    assert!(problems.is_empty());
    assert_eq!(deletions.len(), 1, "{deletions:?}");
    assert_eq!(deletions[0].id, "chua-bai-dinh");
    assert!(
        deletions[0].sets.contains(&"province:ninh-binh".to_owned()),
        "{deletions:?}"
    );
    // The file belongs to the archive: `check` reads it and finds nothing wrong.
    assert_eq!(run(dir.path(), &["check"]).0, 0);
    // Nothing changed: nothing more is recorded.
    assert_eq!(run(dir.path(), &["ingest"]).0, 0);
    assert_eq!(
        archive::deletions::read(&ArchiveLayout::new(&root)).0.len(),
        1
    );
}
