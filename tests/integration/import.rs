//! `disan import`: rows become sites, bad rows are reported with their line, nothing is
//! duplicated on re-import, and a dry run writes nothing.

use std::path::Path;

use crate::relic_rows;
use crate::util::{disan, testdata};

const CSV: &str = "\
id,name,type,level,red_address,address,lat,lon,people,sources
,Chùa Cổ Lễ,Chùa,Di tích cấp Quốc gia,,\"Tỉnh Nam Định, huyện Trực Ninh, thị trấn Cổ Lễ\",,,Nguyễn Minh Không,https://vi.wikipedia.org/wiki/Chùa_Cổ_Lễ
den-thai-vi,Đền Thái Vi,Đền,Di tích cấp Quốc gia,no,\"xã Ninh Hải, huyện Hoa Lư, tỉnh Ninh Bình\",20.2146,105.9123,Trần Thái Tông; Trần Nhân Tông,
Bad Id,Đình X,Đình,,,,,,,
,,Chùa,,,,,,,
,Đình Y,Đình,,,Ninh Bình,abc,105.9,,
,Đình Z,Đình,,,Ninh Bình,105.9,20.1,,
,Chùa Cổ Lễ,,,,\"Tỉnh Nam Định, huyện Trực Ninh, thị trấn Cổ Lễ\",,,,Sách X
";

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = disan(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn csv_import_reports_each_row_and_keeps_the_good_ones() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "sites.csv", CSV);
    let (code, out, err) = run(dir.path(), &["import", file.to_str().unwrap()]);
    assert_eq!(code, 1, "rejected rows make the exit status 1\n{out}{err}");
    assert!(out.contains("line 2: create chua-co-le-nam-dinh-truc-ninh-co-le → ninh-binh/chua-co-le-nam-dinh-truc-ninh-co-le"), "{out}");
    assert!(
        out.contains("line 3: create den-thai-vi → ninh-binh/den-thai-vi"),
        "{out}"
    );
    assert!(
        out.contains("line 4: rejected: `id` `Bad Id` is not a slug"),
        "{out}"
    );
    assert!(out.contains("line 5: rejected: `name` is empty"), "{out}");
    assert!(
        out.contains("line 6: rejected: `lat` is `abc`, not a number"),
        "{out}"
    );
    assert!(
        out.contains("line 7: rejected: position 105.9, 20.1 is outside Vietnam"),
        "{out}"
    );
    assert!(
        out.contains("line 8: merged into line 2 (chua-co-le-nam-dinh-truc-ninh-co-le)"),
        "{out}"
    );
    assert!(
        out.contains("line 8: warning: same name and place as line 2: merged into that site"),
        "{out}"
    );
    assert!(
        err.contains("7 rows: 2 created, 0 updated, 0 unchanged, 1 merged, 4 rejected"),
        "{err}"
    );

    let record: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            dir.path()
                .join("archive/ninh-binh/chua-co-le-nam-dinh-truc-ninh-co-le/site.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(record["type"], "chua");
    assert_eq!(record["level"], "national");
    assert_eq!(record["location"]["province"], "Ninh Bình");
    assert_eq!(record["location"]["legacy"]["province"], "Nam Định");
    assert_eq!(record["location"]["accuracy"], "commune_centroid");
    // Line 8 is the same site again: its sources win, its empty cells keep line 2's values.
    assert_eq!(record["sources"][0]["citation"], "Sách X");
    assert_eq!(record["people"][0], "Nguyễn Minh Không");
    let (code, out, _) = run(dir.path(), &["check"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn reimport_changes_nothing_and_updates_keep_other_fields() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "sites.csv",
        &CSV.lines().take(3).collect::<Vec<_>>().join("\n"),
    );
    assert_eq!(run(dir.path(), &["import", file.to_str().unwrap()]).0, 0);
    let site = dir.path().join("archive/ninh-binh/den-thai-vi/site.json");
    let first = std::fs::read(&site).unwrap();

    let (code, out, err) = run(dir.path(), &["import", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains("2 rows: 0 created, 0 updated, 2 unchanged, 0 merged, 0 rejected"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&site).unwrap(),
        first,
        "an unchanged row must not rewrite the file"
    );

    // A volunteer adds a photo entry by hand; a later import with a new summary keeps it.
    let mut record: serde_json::Value = serde_json::from_slice(&first).unwrap();
    record["photos"] =
        serde_json::json!([{"file": "a.jpg", "author": "X", "license": "CC-BY-4.0"}]);
    std::fs::write(&site, serde_json::to_string_pretty(&record).unwrap()).unwrap();
    std::fs::write(dir.path().join("archive/ninh-binh/den-thai-vi/a.jpg"), b"x").unwrap();
    let file = write(
        dir.path(),
        "update.csv",
        "id,name,summary\nden-thai-vi,Đền Thái Vi,Đền thờ các vua Trần.\n",
    );
    let (code, out, _) = run(dir.path(), &["import", file.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.contains("line 2: update den-thai-vi"), "{out}");
    let updated: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&site).unwrap()).unwrap();
    assert_eq!(updated["summary"], "Đền thờ các vua Trần.");
    assert_eq!(updated["photos"][0]["file"], "a.jpg");
    assert_eq!(updated["people"][1], "Trần Nhân Tông");
    assert_eq!(updated["created"], record["created"]);
}

#[test]
fn dry_run_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "sites.csv", CSV);
    let (code, out, err) = run(dir.path(), &["import", "--dry-run", file.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.contains("line 3: create den-thai-vi"), "{out}");
    assert!(out.contains("line 5: rejected"), "{out}");
    assert!(err.starts_with("dry run, nothing written"), "{err}");
    assert!(!dir.path().join("archive").exists());
}

#[test]
fn json_import_with_lists_and_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "sites.json",
        r#"[
  {"name": "Nhà thờ đá Phát Diệm", "type": "Nhà thờ", "province": "Ninh Bình", "district": "Kim Sơn", "commune": "Phát Diệm", "tags": ["đá", "Công giáo"]},
  {"name": "Đình Z", "lat": "x", "lon": 1}
]"#,
    );
    let (code, out, _) = run(dir.path(), &["import", file.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        out.contains("line 2: create nha-tho-da-phat-diem-phat-diem-kim-son-ninh-binh"),
        "{out}"
    );
    assert!(out.contains("line 3: rejected: `lat` is `x`"), "{out}");
}

/// Needs real data: imports both crawled relic files (≈8,700 rows) through the converter in
/// `relic_rows.rs`, then `disan check` must accept the archive. Prints the resolution rates.
#[test]
fn real_relic_files_import_cleanly() {
    let Some(data) = testdata("real_relic_files_import_cleanly") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let relics = write(
        dir.path(),
        "relics.json",
        &serde_json::to_string(&relic_rows::relics(&data)).unwrap(),
    );
    let wiki = write(
        dir.path(),
        "wiki.json",
        &serde_json::to_string(&relic_rows::wiki_sites(&data)).unwrap(),
    );
    let mut totals = Vec::new();
    for file in [&relics, &wiki] {
        let (_, out, err) = run(dir.path(), &["import", "--quiet", file.to_str().unwrap()]);
        eprintln!("{}: {err}", file.display());
        let rejected: Vec<&str> = out.lines().filter(|l| l.contains("rejected")).collect();
        eprintln!(
            "rejected rows: {}\n{}",
            rejected.len(),
            rejected
                .iter()
                .take(20)
                .copied()
                .collect::<Vec<_>>()
                .join("\n")
        );
        totals.push(err);
    }
    let (code, out, err) = run(dir.path(), &["check"]);
    assert_eq!(
        code,
        0,
        "check must accept the imported archive:\n{}\n{err}",
        out.lines().take(30).collect::<Vec<_>>().join("\n")
    );
    for summary in totals {
        let pct = |label: &str| -> f64 {
            let before = summary.split(label).next().unwrap();
            before.rsplit(' ').nth(2).unwrap().parse().unwrap()
        };
        // Goals of the share of records that say where they are (a few hundred crawled records
        // have no address at all, and nothing can resolve those).
        let with_address = pct("have an address");
        assert!(
            pct("their current province") / with_address >= 0.97,
            "{summary}"
        );
        assert!(pct("their commune") / with_address >= 0.85, "{summary}");
    }
    // Importing the last file again changes nothing. (Re-importing the relic file would update
    // the sites the wiki file refined since, as it should.)
    let (_, _, err) = run(dir.path(), &["import", "--quiet", wiki.to_str().unwrap()]);
    assert!(err.contains(" 0 created, 0 updated, "), "{err}");
}
