//! `disan import`: bring sites from a spreadsheet or another system into the archive.
//!
//! Plan, then apply. Planning reads the file ([`rows`]), converts each row ([`convert`]) and
//! compares it with the archive: a row whose id exists updates that site (keeping what the
//! import does not speak of — photos, events, `created`), a new id creates a site, and a row
//! whose merge changes nothing is left alone, so importing the same file twice writes nothing.
//! Empty cells never erase what the archive already has. `--dry-run` stops after planning.
//! Applying writes each record atomically; a row that fails is reported with its line and the
//! rest go on.

pub mod convert;
pub mod rows;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rayon::prelude::*;

use crate::archive;
use crate::layout::ArchiveLayout;
use crate::record::{Level, SiteRecord};
use convert::RowData;
pub use rows::FileError;

/// What will happen (or happened) to one row.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Create {
        dir: PathBuf,
    },
    Update {
        dir: PathBuf,
    },
    Unchanged,
    /// The row describes the same site as an earlier row of the file and was merged into it.
    Merged {
        into_line: usize,
    },
    Reject {
        reason: String,
    },
}

/// One row's fate, for the report.
#[derive(Debug, Clone)]
pub struct RowOutcome {
    pub line: usize,
    pub id: Option<String>,
    pub name: Option<String>,
    pub action: Action,
    pub warnings: Vec<String>,
    record: Option<SiteRecord>,
}

/// Counts over all rows.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct ImportStats {
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub merged: usize,
    pub rejected: usize,
    /// Accepted rows whose current province / commune is known, and that have coordinates.
    pub province_resolved: usize,
    /// Accepted rows that say anything about where the site is (address or unit columns).
    pub with_address: usize,
    pub commune_resolved: usize,
    pub with_coordinates: usize,
}

/// The plan or result of an import.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub outcomes: Vec<RowOutcome>,
    pub stats: ImportStats,
    /// Errors while writing (the row's outcome says what was planned).
    pub write_errors: Vec<String>,
}

/// Plans the import of `file` into the archive; writes nothing.
pub fn plan(
    layout: &ArchiveLayout,
    file: &Path,
    now: DateTime<Utc>,
) -> Result<ImportReport, FileError> {
    let (rows, bad_rows) = rows::read(file)?;
    let (sites, _) = archive::walk(layout);
    let existing: HashMap<String, (PathBuf, SiteRecord)> = sites
        .into_iter()
        .filter_map(|site| site.record.ok().map(|r| (r.id.clone(), (site.dir, r))))
        .collect();
    let mut report = ImportReport::default();
    for bad in bad_rows {
        report.outcomes.push(RowOutcome {
            line: bad.line,
            id: None,
            name: None,
            action: Action::Reject { reason: bad.reason },
            warnings: Vec::new(),
            record: None,
        });
    }
    // Where each id of this file was planned: its index in `outcomes`.
    let mut taken: HashMap<String, usize> = HashMap::new();
    for row in &rows {
        let data = match convert::convert(row, now) {
            Ok(data) => data,
            Err(reason) => {
                report.outcomes.push(RowOutcome {
                    line: row.line,
                    id: row.text("id").map(str::to_owned),
                    name: row.text("name").map(str::to_owned),
                    action: Action::Reject { reason },
                    warnings: Vec::new(),
                    record: None,
                });
                continue;
            }
        };
        let outcome = match taken.get(&data.id) {
            // The same name at the same place twice in one file is one site listed twice
            // (sources are often merged from several lists): merge the rows.
            Some(&first) if data.id_generated => merge_into(
                layout,
                &mut report.outcomes[first],
                data,
                &existing,
                row.line,
                now,
            ),
            Some(&first) => RowOutcome {
                line: row.line,
                id: Some(data.id.clone()),
                name: Some(data.record.name.clone()),
                action: Action::Reject {
                    reason: format!(
                        "`id` `{}` is already used on line {} of this file",
                        data.id, report.outcomes[first].line
                    ),
                },
                warnings: data.warnings,
                record: None,
            },
            None => {
                taken.insert(data.id.clone(), report.outcomes.len());
                let (action, record) = decide(layout, &data.id, data.record, &existing, now);
                RowOutcome {
                    line: row.line,
                    id: Some(data.id),
                    name: Some(record.name.clone()),
                    action,
                    warnings: data.warnings,
                    record: Some(record),
                }
            }
        };
        report.outcomes.push(outcome);
    }
    report.outcomes.sort_by_key(|o| o.line);
    report.stats = stats(&report.outcomes);
    Ok(report)
}

/// Whether a planned record creates a site, updates one, or changes nothing.
fn decide(
    layout: &ArchiveLayout,
    id: &str,
    record: SiteRecord,
    existing: &HashMap<String, (PathBuf, SiteRecord)>,
    now: DateTime<Utc>,
) -> (Action, SiteRecord) {
    match existing.get(id) {
        None => {
            let dir = layout.new_site_dir(record.location.province.as_deref(), id);
            (Action::Create { dir }, record)
        }
        Some((dir, old)) => {
            let mut merged = merge(old, record);
            if merged.same_content(old) {
                (Action::Unchanged, old.clone())
            } else {
                // Changed now, whatever `updated` the row carried from elsewhere.
                merged.updated = Some(now);
                (Action::Update { dir: dir.clone() }, merged)
            }
        }
    }
}

/// Folds a later row into the site an earlier row of the same file planned.
fn merge_into(
    layout: &ArchiveLayout,
    first: &mut RowOutcome,
    data: RowData,
    existing: &HashMap<String, (PathBuf, SiteRecord)>,
    line: usize,
    now: DateTime<Utc>,
) -> RowOutcome {
    if let Some(planned) = first.record.take() {
        let merged = merge(&planned, data.record);
        let (action, record) = decide(layout, &data.id, merged, existing, now);
        // A site this file creates stays "created", whatever the merge decides.
        if !matches!(first.action, Action::Create { .. }) {
            first.action = action;
        }
        first.record = Some(record);
    }
    let mut warnings = data.warnings;
    warnings.push(format!(
        "same name and place as line {}: merged into that site",
        first.line
    ));
    RowOutcome {
        line,
        id: Some(data.id),
        name: first.name.clone(),
        action: Action::Merged {
            into_line: first.line,
        },
        warnings,
        record: None,
    }
}

/// The existing record with every field the row fills replaced. Fields the row leaves empty,
/// and those an import never carries (photos, events, created), are kept.
fn merge(old: &SiteRecord, new: SiteRecord) -> SiteRecord {
    fn keep<T>(old: &Option<T>, new: Option<T>) -> Option<T>
    where
        T: Clone,
    {
        new.or_else(|| old.clone())
    }
    fn keep_list<T: Clone>(old: &[T], new: Vec<T>) -> Vec<T> {
        if new.is_empty() { old.to_vec() } else { new }
    }
    let mut merged = old.clone();
    merged.name = new.name;
    merged.name_en = keep(&old.name_en, new.name_en);
    merged.alt_names = keep_list(&old.alt_names, new.alt_names);
    merged.site_type = keep(&old.site_type, new.site_type);
    merged.category = keep_list(&old.category, new.category);
    if new.level != Level::Unknown {
        merged.level = new.level;
    }
    merged.red_address |= new.red_address;
    let (l, n) = (&mut merged.location, new.location);
    l.address = keep(&l.address, n.address);
    l.commune = keep(&l.commune, n.commune);
    l.province = keep(&l.province, n.province);
    if !n.legacy.is_empty() {
        l.legacy = n.legacy;
    }
    // A centroid never replaces a better position someone placed by hand.
    let better_kept = l.lat.is_some()
        && n.accuracy.is_some_and(|a| a.is_centroid())
        && !l.accuracy.is_some_and(|a| a.is_centroid());
    if n.lat.is_some() && !better_kept {
        (l.lat, l.lon, l.accuracy) = (n.lat, n.lon, n.accuracy);
    }
    merged.period = keep(&old.period, new.period);
    merged.year_recognized = keep(&old.year_recognized, new.year_recognized);
    merged.people = keep_list(&old.people, new.people);
    merged.summary = keep(&old.summary, new.summary);
    merged.description = keep(&old.description, new.description);
    merged.summary_en = keep(&old.summary_en, new.summary_en);
    merged.description_en = keep(&old.description_en, new.description_en);
    merged.sources = keep_list(&old.sources, new.sources);
    merged.tags = keep_list(&old.tags, new.tags);
    merged.short_code = keep(&old.short_code, new.short_code);
    merged.former_ids = keep_list(&old.former_ids, new.former_ids);
    merged.wikidata = keep(&old.wikidata, new.wikidata);
    merged.updated = new.updated;
    merged
}

fn stats(outcomes: &[RowOutcome]) -> ImportStats {
    let mut s = ImportStats {
        rows: outcomes.len(),
        ..ImportStats::default()
    };
    for o in outcomes {
        match o.action {
            Action::Create { .. } => s.created += 1,
            Action::Update { .. } => s.updated += 1,
            Action::Unchanged => s.unchanged += 1,
            Action::Merged { .. } => s.merged += 1,
            Action::Reject { .. } => s.rejected += 1,
        }
        if let Some(r) = &o.record {
            s.province_resolved += usize::from(r.location.province.is_some());
            s.with_address += usize::from(r.location.address.is_some());
            s.commune_resolved += usize::from(r.location.commune.is_some());
            s.with_coordinates += usize::from(r.location.lat.is_some());
        }
    }
    s
}

/// Writes every created and updated record. A failed write is reported; the others go on.
///
/// Each write is flushed to disk before its rename (see [`archive::write_atomic`]), so the
/// time goes into waiting for the disk, not the CPU: many writes in flight at once let the
/// file system commit them together, which makes a 10,000-row import several times faster
/// than one write after another.
pub fn apply(report: &mut ImportReport) {
    let writes: Vec<(usize, &PathBuf, &SiteRecord)> = report
        .outcomes
        .iter()
        .filter_map(|o| match (&o.action, &o.record) {
            (Action::Create { dir } | Action::Update { dir }, Some(record)) => {
                Some((o.line, dir, record))
            }
            _ => None,
        })
        .collect();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(WRITERS).build();
    let write = |&(line, dir, record): &(usize, &PathBuf, &SiteRecord)| {
        archive::write_record(dir, record).err().map(|err| {
            format!(
                "line {line}: {}: cannot write: {err}",
                ArchiveLayout::site_file(dir).display()
            )
        })
    };
    let errors: Vec<String> = match pool {
        Ok(pool) => pool.install(|| writes.par_iter().filter_map(write).collect()),
        Err(_) => writes.iter().filter_map(write).collect(),
    };
    report.write_errors.extend(errors);
}

/// Writes in flight at once during [`apply`].
const WRITERS: usize = 32;

impl RowOutcome {
    /// One report line: `line 12: create chua-a → bac-ninh/chua-a`.
    pub fn describe(&self, layout: &ArchiveLayout) -> String {
        let id = self.id.as_deref().unwrap_or("-");
        match &self.action {
            Action::Create { dir } => {
                format!("line {}: create {id} → {}", self.line, layout.display(dir))
            }
            Action::Update { dir } => {
                format!("line {}: update {id} ({})", self.line, layout.display(dir))
            }
            Action::Unchanged => format!("line {}: unchanged {id}", self.line),
            Action::Merged { into_line } => {
                format!("line {}: merged into line {into_line} ({id})", self.line)
            }
            Action::Reject { reason } => format!("line {}: rejected: {reason}", self.line),
        }
    }
}

impl ImportStats {
    /// The closing summary line.
    pub fn summary(&self) -> String {
        let accepted = (self.rows - self.rejected - self.merged).max(1) as f64;
        let pct = |n: usize| 100.0 * n as f64 / accepted;
        format!(
            "{} rows: {} created, {} updated, {} unchanged, {} merged, {} rejected; of the sites {:.1} % have an address, {:.1} % their current province, {:.1} % their commune, {:.1} % coordinates",
            self.rows,
            self.created,
            self.updated,
            self.unchanged,
            self.merged,
            self.rejected,
            pct(self.with_address),
            pct(self.province_resolved),
            pct(self.commune_resolved),
            pct(self.with_coordinates)
        )
    }
}
