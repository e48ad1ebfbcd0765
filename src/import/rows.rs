//! Reading an import file — CSV or a JSON array of objects — into rows of named cells, each
//! remembering the line it came from so that every rejection can point at it.
//!
//! Both formats share the column names of [`COLUMNS`]. Text is NFC-normalised on the way in:
//! spreadsheets exported on a Mac are often NFD, which would otherwise give the same site two
//! different ids.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::value::RawValue;

use crate::fold;

/// The columns an import file may have. Only `name` is required. The columns after the first
/// two dozen carry what an export of an archive holds beyond a spreadsheet's usual columns
/// (units already resolved, years, the Wikidata id, dates), so that `disan export --format
/// csv` imported into an empty archive gives back the same records.
pub const COLUMNS: &[&str] = &[
    "id",
    "short_code",
    "former_ids",
    "name",
    "name_en",
    "alt_names",
    "type",
    "category",
    "level",
    "red_address",
    "address",
    "commune",
    "district",
    "province",
    "legacy_province",
    "legacy_district",
    "legacy_commune",
    "lat",
    "lon",
    "accuracy",
    "period",
    "period_start",
    "period_end",
    "year_recognized",
    "people",
    "summary",
    "description",
    "summary_en",
    "description_en",
    "sources",
    "tags",
    "wikidata",
    "created",
    "updated",
];

/// Columns whose cells are lists, `;`-separated in CSV (or JSON arrays). A CSV cell may also
/// hold a JSON array of text (`["a; b", "c"]`), for items that contain a `;` themselves.
pub const LIST_COLUMNS: &[&str] = &[
    "former_ids",
    "alt_names",
    "category",
    "people",
    "sources",
    "tags",
];

/// Columns that say a file's units are already resolved, as an export writes them: its
/// `commune` and `province` are today's units as stored, never looked up again.
pub const RESOLVED_COLUMNS: &[&str] = &["legacy_province", "legacy_district", "legacy_commune"];

/// One cell of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    List(Vec<String>),
}

/// One data row: its line in the file and its non-empty cells by column.
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub line: usize,
    pub cells: BTreeMap<&'static str, Cell>,
    /// The row comes with resolved units ([`RESOLVED_COLUMNS`]): keep them as written.
    pub resolved: bool,
}

impl Row {
    /// A text cell, trimmed; `None` when absent or blank.
    pub fn text(&self, column: &str) -> Option<&str> {
        match self.cells.get(column)? {
            Cell::Text(t) => Some(t.trim()).filter(|t| !t.is_empty()),
            Cell::List(items) => items.first().map(|s| s.trim()).filter(|t| !t.is_empty()),
        }
    }

    /// A list cell: JSON arrays as they are, text split on `;` (or read as a JSON array when
    /// it is one). Blank items are dropped.
    pub fn list(&self, column: &str) -> Vec<String> {
        let json: Vec<String>;
        let items: Vec<&str> = match self.cells.get(column) {
            None => return Vec::new(),
            Some(Cell::Text(t)) if t.trim_start().starts_with('[') => {
                match serde_json::from_str::<Vec<String>>(t) {
                    Ok(list) => {
                        json = list;
                        json.iter().map(String::as_str).collect()
                    }
                    Err(_) => t.split(';').collect(),
                }
            }
            Some(Cell::Text(t)) => t.split(';').collect(),
            Some(Cell::List(items)) => items.iter().map(String::as_str).collect(),
        };
        items
            .into_iter()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

/// A row that could not even be read; it is reported and skipped, the rest go on.
#[derive(Debug, Clone)]
pub struct BadRow {
    pub line: usize,
    pub reason: String,
}

/// Problems with the file as a whole: nothing is imported.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{path}: cannot be read: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: is not UTF-8 — export it from the spreadsheet as \"CSV UTF-8\"")]
    NotUtf8 { path: PathBuf },
    #[error("{path}: unknown extension — name the file .csv or .json")]
    Extension { path: PathBuf },
    #[error("{path}: unknown column `{column}` — {hint}")]
    UnknownColumn {
        path: PathBuf,
        column: String,
        hint: String,
    },
    #[error("{path}: no `name` column — it is the one column every import needs")]
    NoName { path: PathBuf },
    #[error(
        "{path}: {message} — a JSON import is an array of objects: [{{\"name\": \"Chùa …\"}}, …]"
    )]
    Json { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    Csv { path: PathBuf, message: String },
}

/// Reads every row of `path`; rows that cannot be read are returned apart, with their line.
pub fn read(path: &Path) -> Result<(Vec<Row>, Vec<BadRow>), FileError> {
    let bytes = std::fs::read(path).map_err(|source| FileError::Io {
        path: path.into(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|_| FileError::NotUtf8 { path: path.into() })?;
    let text = fold::nfc(text.strip_prefix('\u{feff}').unwrap_or(&text));
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv") => read_csv(path, &text),
        Some("json") => read_json(path, &text),
        _ => Err(FileError::Extension { path: path.into() }),
    }
}

fn column(path: &Path, name: &str) -> Result<&'static str, FileError> {
    let name = name.trim();
    COLUMNS
        .iter()
        .find(|c| c.eq_ignore_ascii_case(name))
        .copied()
        .ok_or_else(|| {
            let best = COLUMNS
                .iter()
                .map(|c| (strsim::levenshtein(&name.to_lowercase(), c), *c))
                .min();
            let hint = match best {
                Some((d, c)) if d <= 2 => format!("did you mean `{c}`?"),
                _ => format!("the columns are: {}", COLUMNS.join(", ")),
            };
            FileError::UnknownColumn {
                path: path.into(),
                column: name.to_owned(),
                hint,
            }
        })
}

fn read_csv(path: &Path, text: &str) -> Result<(Vec<Row>, Vec<BadRow>), FileError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| FileError::Csv {
            path: path.into(),
            message: e.to_string(),
        })?
        .clone();
    let columns = headers
        .iter()
        .map(|h| column(path, h))
        .collect::<Result<Vec<_>, _>>()?;
    if !columns.contains(&"name") {
        return Err(FileError::NoName { path: path.into() });
    }
    let resolved = columns.iter().any(|c| RESOLVED_COLUMNS.contains(c));
    let mut rows = Vec::new();
    let mut bad = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line() as usize);
                let mut row = Row {
                    line,
                    cells: BTreeMap::new(),
                    resolved,
                };
                for (column, value) in columns.iter().zip(record.iter()) {
                    if !value.trim().is_empty() {
                        row.cells.insert(column, Cell::Text(value.to_owned()));
                    }
                }
                rows.push(row);
            }
            Err(err) => {
                let line = err.position().map_or(0, |p| p.line() as usize);
                let reason = match err.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => format!(
                        "has {len} fields, the header has {expected_len} — a value with a comma needs \"quotes\""
                    ),
                    _ => format!("{err}"),
                };
                bad.push(BadRow { line, reason });
            }
        }
    }
    Ok((rows, bad))
}

fn read_json(path: &Path, text: &str) -> Result<(Vec<Row>, Vec<BadRow>), FileError> {
    let items: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| FileError::Json {
        path: path.into(),
        message: e.to_string(),
    })?;
    let mut rows = Vec::new();
    let mut bad = Vec::new();
    let mut seen_name = items.is_empty();
    // Each raw value borrows from `text`, so its offset gives the line it starts on; lines are
    // counted incrementally from the previous item.
    let (mut counted_to, mut line) = (0, 1);
    for raw in items {
        let offset = raw.get().as_ptr() as usize - text.as_ptr() as usize;
        line += text.as_bytes()[counted_to..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        counted_to = offset;
        let object: serde_json::Map<String, serde_json::Value> =
            match serde_json::from_str(raw.get()) {
                Ok(object) => object,
                Err(_) => {
                    bad.push(BadRow {
                        line,
                        reason: "is not a JSON object".into(),
                    });
                    continue;
                }
            };
        let mut row = Row {
            line,
            cells: BTreeMap::new(),
            resolved: false,
        };
        let mut problem = None;
        for (key, value) in object {
            let column = column(path, &key)?;
            seen_name |= column == "name";
            row.resolved |= RESOLVED_COLUMNS.contains(&column);
            match json_cell(value) {
                Ok(Some(cell)) => {
                    row.cells.insert(column, cell);
                }
                Ok(None) => {}
                Err(kind) => {
                    problem = Some(format!(
                        "`{column}` is {kind}; use text, a number or a list of text"
                    ))
                }
            }
        }
        match problem {
            Some(reason) => bad.push(BadRow { line, reason }),
            None => rows.push(row),
        }
    }
    if !seen_name {
        return Err(FileError::NoName { path: path.into() });
    }
    Ok((rows, bad))
}

fn json_cell(value: serde_json::Value) -> Result<Option<Cell>, &'static str> {
    use serde_json::Value;
    Ok(match value {
        Value::Null => None,
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(Cell::Text(s)),
        Value::Number(n) => Some(Cell::Text(n.to_string())),
        Value::Bool(b) => Some(Cell::Text(b.to_string())),
        Value::Array(items) => {
            let mut list = Vec::new();
            for item in items {
                match item {
                    Value::String(s) => list.push(s),
                    Value::Number(n) => list.push(n.to_string()),
                    Value::Null => {}
                    _ => return Err("a list holding objects or lists"),
                }
            }
            Some(Cell::List(list))
        }
        Value::Object(_) => return Err("an object"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn csv_rows_keep_their_lines_and_bad_rows_are_reported() {
        let (_d, path) = file(
            "a.csv",
            "\u{feff}name,people,lat\nChùa A,Phật; Mẫu,20.1\n\"Đền\nB\",,\nC,x,1,extra\n",
        );
        let (rows, bad) = read(&path).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].list("people"), ["Phật", "Mẫu"]);
        assert_eq!(rows[1].line, 3);
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].line, 5);
        assert!(bad[0].reason.contains("needs \"quotes\""));
    }

    #[test]
    fn list_cells_may_be_json_arrays() {
        let (_d, path) = file(
            "a.csv",
            "name,people,tags,legacy_province\nA,\"[\"\"Mẫu; Thượng\"\", \"\"Trần\"\"]\",[không phải JSON,\n",
        );
        let (rows, _) = read(&path).unwrap();
        assert_eq!(rows[0].list("people"), ["Mẫu; Thượng", "Trần"]);
        assert_eq!(rows[0].list("tags"), ["[không phải JSON"]);
        assert!(rows[0].resolved);
    }

    #[test]
    fn json_rows_know_their_line() {
        let (_d, path) = file(
            "a.json",
            "[\n  {\"name\": \"A\", \"people\": [\"x\", \"y\"]},\n  {\"name\": \"B\", \"lat\": 20.5},\n  {\"name\": {}}\n]",
        );
        let (rows, bad) = read(&path).unwrap();
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(rows[1].text("lat"), Some("20.5"));
        assert_eq!(bad[0].line, 4);
    }

    #[test]
    fn unknown_columns_stop_the_file_with_a_suggestion() {
        let (_d, path) = file("a.csv", "name,provnce\nA,B\n");
        let err = read(&path).unwrap_err().to_string();
        assert!(
            err.contains("unknown column `provnce` — did you mean `province`?"),
            "{err}"
        );
        let (_d, path) = file("a.csv", "id\nx\n");
        assert!(
            read(&path)
                .unwrap_err()
                .to_string()
                .contains("no `name` column")
        );
    }
}
