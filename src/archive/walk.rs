//! Finding the sites of an archive and reading their records.
//!
//! The walk never stops at a bad file: a `site.json` that does not parse becomes an entry whose
//! record is a [`Problem`] saying where and why, so `check` can list every mistake in one run
//! and `ingest` can index every good site.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::layout::{ArchiveLayout, SITE_FILE};
use crate::record::{Problem, SiteRecord};

/// One site folder and what its `site.json` said.
#[derive(Debug)]
pub struct SiteEntry {
    /// The site folder.
    pub dir: PathBuf,
    /// The raw bytes of `site.json`, for content hashing (empty when unreadable).
    pub bytes: Vec<u8>,
    pub record: Result<SiteRecord, Problem>,
}

impl SiteEntry {
    pub fn file(&self) -> PathBuf {
        ArchiveLayout::site_file(&self.dir)
    }
}

/// Every site below the archive root, sorted by folder so runs are reproducible, plus problems
/// met while walking (unreadable folders). Reserved folders (`inbox/`, hidden ones) are skipped.
pub fn walk(layout: &ArchiveLayout) -> (Vec<SiteEntry>, Vec<(PathBuf, Problem)>) {
    let (dirs, problems) = site_dirs(layout);
    (dirs.into_iter().map(read_site).collect(), problems)
}

/// The site folders below the archive root (those holding a `site.json`), sorted, without
/// reading any record; plus problems met while walking. The top-level folders (provinces, in
/// the layout `import` writes) are walked in parallel: listing 100,000 folders is most of what
/// a server's start-up ingest does.
pub fn site_dirs(layout: &ArchiveLayout) -> (Vec<PathBuf>, Vec<(PathBuf, Problem)>) {
    if !layout.root().is_dir() {
        let problem = Problem::error(
            "",
            "archive folder not found",
            "pass --archive DIR or set DISAN_ARCHIVE",
        );
        return (Vec::new(), vec![(layout.root().to_path_buf(), problem)]);
    }
    // The root itself (not descending), then each top-level folder as a walk of its own.
    let (root_site, mut problems) = walk_below(layout, layout.root(), Some(1));
    let tops: Vec<PathBuf> = match std::fs::read_dir(layout.root()) {
        Ok(read) => {
            let mut tops: Vec<PathBuf> = read
                .flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .map(|e| e.path())
                .filter(|p| !layout.is_reserved(p))
                .collect();
            tops.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
            tops
        }
        Err(_) => Vec::new(), // reported by the walk of the root above
    };
    use rayon::prelude::*;
    let below: Vec<_> = tops
        .par_iter()
        .map(|top| walk_below(layout, top, None))
        .collect();
    // In the order of one walk sorted by name: the root's own `site.json` among its folders.
    let mut dirs = Vec::new();
    let mut root_site = Some(root_site);
    for (top, (more_dirs, more_problems)) in tops.iter().zip(below) {
        if top.file_name() > Some(std::ffi::OsStr::new(SITE_FILE)) {
            dirs.extend(root_site.take().into_iter().flatten());
        }
        dirs.extend(more_dirs);
        problems.extend(more_problems);
    }
    dirs.extend(root_site.into_iter().flatten());
    (dirs, problems)
}

/// Site folders at and below `start`, sorted by file name at each level.
fn walk_below(
    layout: &ArchiveLayout,
    start: &Path,
    max_depth: Option<usize>,
) -> (Vec<PathBuf>, Vec<(PathBuf, Problem)>) {
    let mut dirs = Vec::new();
    let mut problems = Vec::new();
    let mut walker = WalkDir::new(start).follow_links(false).sort_by_file_name();
    if let Some(depth) = max_depth {
        walker = walker.max_depth(depth);
    }
    let walker = walker.into_iter().filter_entry(|e| {
        !(e.file_type().is_dir() && e.path() != layout.root() && layout.is_reserved(e.path()))
    });
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let path = err.path().map(Path::to_path_buf).unwrap_or_default();
                problems.push((
                    path,
                    Problem::error(
                        "",
                        format!("cannot be read: {err}"),
                        "check its permissions",
                    ),
                ));
                continue;
            }
        };
        if entry.file_type().is_file() && entry.file_name() == SITE_FILE {
            dirs.push(entry.path().parent().unwrap_or(layout.root()).to_path_buf());
        }
    }
    (dirs, problems)
}

/// Reads one site folder's record.
pub fn read_site(dir: PathBuf) -> SiteEntry {
    let file = ArchiveLayout::site_file(&dir);
    let bytes = match std::fs::read(&file) {
        Ok(bytes) => bytes,
        Err(err) => {
            let problem = Problem::error(
                "",
                format!("cannot be read: {err}"),
                "check its permissions",
            );
            return SiteEntry {
                dir,
                bytes: Vec::new(),
                record: Err(problem),
            };
        }
    };
    let record = parse_record(&bytes);
    SiteEntry { dir, bytes, record }
}

/// Parses `site.json` bytes, explaining serde's errors in the archive's own words.
pub fn parse_record(bytes: &[u8]) -> Result<SiteRecord, Problem> {
    let text = std::str::from_utf8(bytes).map_err(|err| {
        Problem::error(
            "",
            format!("is not UTF-8 (byte {})", err.valid_up_to()),
            "save it as UTF-8",
        )
    })?;
    SiteRecord::from_json(text).map_err(|err| explain_json_error(&err))
}

fn explain_json_error(err: &serde_json::Error) -> Problem {
    let at = format!("line {}, column {}", err.line(), err.column());
    let full = err.to_string();
    // serde appends " at line L column C"; we say it our way.
    let message = full.split(" at line ").next().unwrap_or(&full).to_owned();
    if err.is_syntax() || err.is_eof() {
        return Problem::error(
            "",
            format!("invalid JSON at {at}: {message}"),
            "look for a missing comma, quote or bracket just before that point",
        );
    }
    if let Some(field) = between(&message, "unknown field `", "`") {
        let expected = message.split("expected one of ").nth(1).unwrap_or("");
        let known: Vec<&str> = expected.split(", ").map(|s| s.trim_matches('`')).collect();
        let hint = match closest(field, &known) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!("allowed here: {expected}"),
        };
        return Problem::error(field, format!("unknown field at {at}"), hint);
    }
    if let Some(field) = between(&message, "missing field `", "`") {
        return Problem::error(
            field,
            "is missing",
            "every site.json needs `schema_version` (1), `id` and `name`",
        );
    }
    Problem::error(
        "",
        format!("{message} at {at}"),
        "see docs/ARCHIVE.md for the format",
    )
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = &text[text.find(start)? + start.len()..];
    Some(&rest[..rest.find(end)?])
}

/// The known name nearest to a misspelt one, if it is close enough to be the intended one.
fn closest<'a>(wrong: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(wrong, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min()
        .map(|(_, k)| k)
}

/// Image files inside a site folder (relative, `/`-separated), not descending into folders that
/// are sites of their own. Used to warn about photos present but not listed.
pub fn photo_files(site_dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let walker = WalkDir::new(site_dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || !(e.file_type().is_dir() && e.path().join(SITE_FILE).exists())
        });
    for entry in walker.flatten() {
        if !entry.file_type().is_file() || !is_image_name(entry.path()) {
            continue;
        }
        if let Ok(rel) = entry.path().strip_prefix(site_dir) {
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            files.push(parts.join("/"));
        }
    }
    files
}

/// Whether a file name looks like a photo a site could list.
pub fn is_image_name(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "jpg" | "jpeg" | "png" | "webp" | "heic" | "tif" | "tiff"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explains_json_mistakes() {
        let p =
            parse_record(b"{\"schema_version\": 1, \"id\": \"a\" \"name\": \"b\"}").unwrap_err();
        assert!(
            p.message
                .contains("invalid JSON at line 1, column 33: expected `,` or `}`"),
            "{p}"
        );
        let p = parse_record(br#"{"schema_version": 1, "id": "a", "nmae": "b"}"#).unwrap_err();
        assert_eq!(p.field, "nmae");
        assert!(p.hint.contains("did you mean `name`"), "{p}");
        let p = parse_record(br#"{"schema_version": 1, "name": "b"}"#).unwrap_err();
        assert_eq!(
            p.to_string(),
            "`id` is missing — every site.json needs `schema_version` (1), `id` and `name`"
        );
    }
}
