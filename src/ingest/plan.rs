//! The plan of an ingest: which sites the archive holds now, and which of them changed since the
//! last run.
//!
//! A site folder whose `site.json` and listed photos still carry the stamps (size, modification
//! time) the manifest remembers, and whose photos' derivatives are still there, is unchanged:
//! its manifest entry — summary and problems included — is carried over without reading the
//! record. That makes the ingest a server runs at every start cost a `stat` per file rather than
//! reading and parsing the whole archive. Every other folder is read, validated and hashed, on
//! all cores. Folders are then settled in path order, so the first of two sites claiming the
//! same id wins, as in every earlier run.

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;

use super::IngestReport;
use super::manifest::{FileStamp, Manifest, SiteState, Stamp, hash_bytes, hash_file};
use super::photos::PhotoMeta;
use crate::archive::{self, SiteEntry};
use crate::layout::{ArchiveLayout, IndexLayout};
use crate::record::{Severity, SiteRecord, validate};

/// A site to (re)index: its record (possibly completed from photo GPS) and photos.
pub(super) struct PlannedSite {
    pub record: SiteRecord,
    pub state: SiteState,
    pub photos: Vec<Option<PhotoMeta>>,
}

/// What looking at one site folder found.
enum Look {
    /// Unchanged since the manifest: its entry and its photos' stamps, as they were.
    Same {
        id: String,
        state: Box<SiteState>,
        photos: Vec<(String, FileStamp)>,
    },
    /// Read from disk: changed, new, or not known to be unchanged.
    Read(Box<SiteEntry>, Option<Stamp>),
}

/// Finds the archive's sites, carries the unchanged ones over into `new` and returns the others
/// to be indexed. With `trust_stamps` false (a rebuild: every site must be indexed), every
/// record is read.
pub(super) fn plan_sites(
    archive: &ArchiveLayout,
    index: &IndexLayout,
    old: &Manifest,
    new: &mut Manifest,
    report: &mut IngestReport,
    trust_stamps: bool,
) -> Vec<PlannedSite> {
    let (dirs, walk_problems) = archive::site_dirs(archive);
    for (path, problem) in walk_problems {
        report
            .problems
            .push(format!("{}: {problem}", archive.display(&path)));
    }
    let old_by_dir: HashMap<&str, (&String, &SiteState)> = old
        .sites
        .iter()
        .map(|(id, s)| (s.dir.as_str(), (id, s)))
        .collect();
    let looks: Vec<Look> = dirs
        .into_par_iter()
        .map(|dir| {
            let rel_dir = archive.display(&dir).to_string();
            let stamp = std::fs::metadata(ArchiveLayout::site_file(&dir))
                .ok()
                .and_then(|m| Stamp::of(&m));
            match old_by_dir.get(rel_dir.as_str()) {
                Some((id, state)) if trust_stamps && stamp.is_some() && state.stamp == stamp => {
                    match unchanged_photos(archive, index, &dir, state, old) {
                        Some(photos) => Look::Same {
                            id: (*id).clone(),
                            state: Box::new((*state).clone()),
                            photos,
                        },
                        None => Look::Read(Box::new(archive::read_site(dir)), stamp),
                    }
                }
                _ => Look::Read(Box::new(archive::read_site(dir)), stamp),
            }
        })
        .collect();

    // By id, the `site.json` (as reported) of the first folder that claimed it.
    let mut first_file_of: HashMap<String, String> = HashMap::new();
    let mut planned = Vec::new();
    for look in looks {
        match look {
            Look::Same { id, state, photos } => {
                let file = archive
                    .display(&ArchiveLayout::site_file(&archive.root().join(&state.dir)))
                    .to_string();
                if let Some(first) = first_file_of.get(&id) {
                    report.problems.push(duplicate(&file, &id, first));
                    continue;
                }
                first_file_of.insert(id.clone(), file);
                report.problems.extend(state.problems.iter().cloned());
                report.unchanged += 1;
                // Rendered by an earlier run, as the check of their sidecars found.
                report.photos_reused += photos.len();
                new.files.extend(photos);
                new.sites.insert(id, *state);
            }
            Look::Read(entry, stamp) => {
                let known = old_by_dir.get(archive.display(&entry.dir).to_string().as_str());
                let read = Read {
                    entry: *entry,
                    stamp,
                    known: known.copied(),
                };
                if let Some(site) = plan_read(archive, read, old, new, report, &mut first_file_of) {
                    planned.push(site);
                }
            }
        }
    }
    planned
}

/// The stamps of an unread site's photos, when every one is as the manifest remembers it and
/// rendered; `None` sends the site to be read.
fn unchanged_photos(
    archive: &ArchiveLayout,
    index: &IndexLayout,
    dir: &Path,
    state: &SiteState,
    old: &Manifest,
) -> Option<Vec<(String, FileStamp)>> {
    // Without a summary (a manifest of an older version) or with a photo that failed, read it:
    // the record says what to report.
    state.summary.as_ref()?;
    if state.photo_files.len() != state.photos.len() {
        return None;
    }
    let mut stamps = Vec::with_capacity(state.photos.len());
    for (file, hash) in state.photo_files.iter().zip(&state.photos) {
        let hash = hash.as_deref()?;
        let path = ArchiveLayout::photo(dir, file)?;
        let key = archive.display(&path).to_string();
        let previous = old.files.get(&key)?;
        let meta = std::fs::metadata(&path).ok()?;
        let stamp = Stamp::of(&meta)?;
        if (stamp.size, stamp.modified_ns) != (previous.size, previous.modified_ns)
            || previous.hash != hash
            // Someone may have cleaned the media folder by hand.
            || !index.photo_meta(hash).is_file()
        {
            return None;
        }
        stamps.push((key, previous.clone()));
    }
    Some(stamps)
}

/// A site folder that was read, with what the manifest knew of it.
struct Read<'a> {
    entry: SiteEntry,
    stamp: Option<Stamp>,
    known: Option<(&'a String, &'a SiteState)>,
}

/// Validates and hashes a site that was read. A site whose `site.json` is broken keeps its
/// previous index entry (copied into `new`), so a typo never makes a site vanish — unless the
/// index is being rebuilt, when there is no previous entry to keep.
fn plan_read(
    archive: &ArchiveLayout,
    read: Read<'_>,
    old: &Manifest,
    new: &mut Manifest,
    report: &mut IngestReport,
    first_file_of: &mut HashMap<String, String>,
) -> Option<PlannedSite> {
    let Read {
        entry,
        stamp,
        known,
    } = read;
    let rel_dir = archive.display(&entry.dir).to_string();
    let file = archive.display(&entry.file()).to_string();
    let record = match entry.record {
        Ok(record) => record,
        Err(problem) => {
            let kept = known.filter(|_| !report.rebuilt);
            let note = if kept.is_some() {
                " (the previously indexed version stays searchable)"
            } else {
                ""
            };
            report.problems.push(format!("{file}: {problem}{note}"));
            if let Some((id, state)) = kept {
                new.sites.insert(id.clone(), state.clone());
            }
            return None;
        }
    };
    let errors: Vec<_> = validate(&record)
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .collect();
    let problems: Vec<String> = errors.iter().map(|p| format!("{file}: {p}")).collect();
    report.problems.extend(problems.iter().cloned());
    if errors.iter().any(|p| p.field == "id") {
        return None;
    }
    if let Some(first) = first_file_of.get(&record.id) {
        report.problems.push(duplicate(&file, &record.id, first));
        return None;
    }
    first_file_of.insert(record.id.clone(), file.clone());
    let photos = record
        .photos
        .iter()
        .map(|photo| photo_hash(archive, &entry.dir, &photo.file, old, new, report))
        .collect();
    let state = SiteState {
        dir: rel_dir,
        record_hash: hash_bytes(&entry.bytes),
        photos,
        stamp,
        photo_files: record.photos.iter().map(|p| p.file.clone()).collect(),
        problems,
        summary: None, // once its photos are rendered
    };
    Some(PlannedSite {
        record,
        state,
        photos: Vec::new(),
    })
}

fn duplicate(file: &str, id: &str, first: &str) -> String {
    format!("{file}: `id` `{id}` is also the id of {first} — only the first is indexed; rename one")
}

fn photo_hash(
    archive: &ArchiveLayout,
    dir: &Path,
    file: &str,
    old: &Manifest,
    new: &mut Manifest,
    report: &mut IngestReport,
) -> Option<String> {
    let Some(path) = ArchiveLayout::photo(dir, file) else {
        report.problems.push(format!(
            "{}: photo path `{file}` leaves the site folder — list files inside it",
            archive.display(&ArchiveLayout::site_file(dir))
        ));
        return None;
    };
    let key = archive.display(&path).to_string();
    match hash_file(&path, old.files.get(&key)) {
        Ok(stamp) => {
            let hash = stamp.hash.clone();
            new.files.insert(key, stamp);
            Some(hash)
        }
        Err(err) => {
            report.problems.push(format!(
                "{}: photo `{file}` listed in site.json cannot be read ({err}) — renamed or not copied?",
                archive.display(&ArchiveLayout::site_file(dir))
            ));
            None
        }
    }
}
