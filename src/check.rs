//! `disan check`: is the archive valid? Every problem, in one run, without writing anything.
//!
//! Record-level rules live in [`crate::record::validate`]; this module adds the rules that need
//! the whole archive or the file system: ids unique across folders, listed photos present, photos
//! present but not listed (a warning: probably forgotten in `site.json`), and the record of
//! deletions readable line by line.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::archive::{self, SiteEntry};
use crate::layout::ArchiveLayout;
use crate::record::{Problem, Severity, SiteRecord, validate};

/// One problem and the file it is about.
#[derive(Debug, Clone)]
pub struct Finding {
    pub path: PathBuf,
    pub problem: Problem,
}

/// What `check` found.
#[derive(Debug, Default)]
pub struct CheckReport {
    pub sites: usize,
    pub findings: Vec<Finding>,
}

impl CheckReport {
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.problem.severity == Severity::Error)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.findings.len() - self.errors()
    }

    /// Clean means no errors; warnings alone do not fail a check.
    pub fn is_clean(&self) -> bool {
        self.errors() == 0
    }

    /// The report lines, `path: what is wrong — hint`, paths relative to the archive root.
    pub fn lines(&self, layout: &ArchiveLayout) -> Vec<String> {
        self.findings
            .iter()
            .map(|f| format!("{}: {}", layout.display(&f.path), f.problem))
            .collect()
    }
}

/// Checks every site of the archive.
pub fn check(layout: &ArchiveLayout) -> CheckReport {
    let (sites, walk_problems) = archive::walk(layout);
    let mut report = CheckReport {
        sites: sites.len(),
        findings: Vec::new(),
    };
    for (path, problem) in walk_problems {
        report.findings.push(Finding { path, problem });
    }
    for problem in archive::deletions::read(layout).1 {
        report.findings.push(Finding {
            path: layout.deletions_file(),
            problem,
        });
    }
    let mut first_folder_of: HashMap<&str, &SiteEntry> = HashMap::new();
    let mut code_owner: HashMap<String, &SiteEntry> = HashMap::new();
    let mut former_owner: HashMap<&str, &SiteEntry> = HashMap::new();
    for site in &sites {
        let file = site.file();
        let record = match &site.record {
            Ok(record) => record,
            Err(problem) => {
                report.findings.push(Finding {
                    path: file,
                    problem: problem.clone(),
                });
                continue;
            }
        };
        for problem in validate(record) {
            report.findings.push(Finding {
                path: file.clone(),
                problem,
            });
        }
        if let Some(first) = first_folder_of.get(record.id.as_str()) {
            report.findings.push(Finding {
                path: file.clone(),
                problem: Problem::error(
                    "id",
                    format!(
                        "`{}` is also the id of {}",
                        record.id,
                        layout.display(&first.file())
                    ),
                    "ids are public URLs and must be unique: rename one of them",
                ),
            });
        } else {
            first_folder_of.insert(&record.id, site);
        }
        let code = record.short_code();
        // Two sites with one id share a derived code too; the id clash is the one to report.
        let same_id = |other: &SiteEntry| other.record.as_ref().is_ok_and(|r| r.id == record.id);
        if let Some(other) = code_owner.get(&code)
            && !same_id(other)
        {
            report.findings.push(Finding {
                path: file.clone(),
                problem: Problem::error(
                    "short_code",
                    format!("`{code}` is also the short code of {}", layout.display(&other.file())),
                    "set an explicit `short_code` on the newer site (never change one already printed)",
                ),
            });
        } else {
            code_owner.insert(code, site);
        }
        for former in &record.former_ids {
            if let Some(other) = former_owner.insert(former, site) {
                report.findings.push(Finding {
                    path: file.clone(),
                    problem: Problem::error(
                        "former_ids",
                        format!(
                            "`{former}` is also a former id of {}",
                            layout.display(&other.file())
                        ),
                        "an old URL can redirect to one site only",
                    ),
                });
            }
        }
        check_photos(site, record, &mut report);
    }
    // A former id that is some site's current id would make its old URL ambiguous.
    for (former, owner) in &former_owner {
        if let Some(current) = first_folder_of.get(former) {
            report.findings.push(Finding {
                path: owner.file(),
                problem: Problem::error(
                    "former_ids",
                    format!(
                        "`{former}` is the current id of {}",
                        layout.display(&current.file())
                    ),
                    "remove it from former_ids, or rename that site",
                ),
            });
        }
    }
    report.findings.sort_by(|a, b| a.path.cmp(&b.path));
    report
}

fn check_photos(site: &SiteEntry, record: &SiteRecord, report: &mut CheckReport) {
    let present = archive::photo_files(&site.dir);
    for (i, photo) in record.photos.iter().enumerate() {
        let Some(path) = ArchiveLayout::photo(&site.dir, &photo.file) else {
            continue; // unsafe path, already reported by validate()
        };
        if path.is_file() {
            continue;
        }
        let lower = photo.file.to_lowercase();
        let near = present
            .iter()
            .find(|p| p.to_lowercase() == lower)
            .or_else(|| {
                present
                    .iter()
                    .find(|p| strsim::levenshtein(p, &photo.file) <= 2)
            });
        let hint = match near {
            Some(other) => format!("did you mean `{other}`?"),
            None => "renamed or not copied? put the file in the site folder or remove the entry"
                .to_owned(),
        };
        report.findings.push(Finding {
            path: site.file(),
            problem: Problem::error(
                format!("photos[{i}].file"),
                format!("photo `{}` listed in site.json is missing", photo.file),
                hint,
            ),
        });
    }
    for file in present {
        if !record.photos.iter().any(|p| p.file == file) {
            report.findings.push(Finding {
                path: site.dir.join(&file),
                problem: Problem::warning(
                    "",
                    "is in the site folder but not listed in site.json",
                    "add it to `photos` with its author and licence, or move it out",
                ),
            });
        }
    }
}
