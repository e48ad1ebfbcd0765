//! `disan ingest`: the archive becomes what the web serves — photo derivatives and the search
//! index — redoing only what changed since the last run.
//!
//! The pipeline on one screen ([`ingest`]): **plan** (walk the archive, hash records and
//! photos, compare with the [`manifest`]), **render** the photos never rendered ([`photos`], on
//! all cores), **index** the sites whose record or photos changed and delete the vanished ones
//! (one tantivy commit), then **record** the new manifest, and bring the trip packs
//! ([`crate::packs`]) up to date. Bad input never stops the run: each broken record or photo is
//! a line in the report and every good site is still indexed.
//!
//! Crash safety comes from the order of those steps. Derivatives are written atomically and
//! named by content hash; the index changes only at its commit, which is atomic; the manifest is
//! replaced only after the commit. Killed at any moment, the previous index stays usable and the
//! next run finds the work still to do. A schema change (or `--rebuild`) builds a whole new index
//! beside the old one and swaps it in at the end.

pub mod manifest;
pub mod photos;
mod plan;
pub mod summary;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::archive::deletions::{self, Deletion};
use crate::layout::{ArchiveLayout, IndexLayout};
use crate::media::Limits;
use crate::packs::{self, PackReport, Place, SiteSource};
use crate::record::{Accuracy, in_vietnam};
use crate::search::{DocumentExtras, INDEX_SCHEMA_VERSION, SearchError, SearchIndex};
use manifest::Manifest;
use photos::PhotoMeta;
use plan::PlannedSite;
use summary::SiteSummary;

/// How to run an ingest.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Build a new index from scratch even if the current one is up to date.
    pub rebuild: bool,
    /// Show a progress bar (on a terminal).
    pub progress: bool,
    pub limits: Limits,
}

/// What an ingest did, for people (`summary`) and machines (`--json`).
#[derive(Debug, Default, Serialize)]
pub struct IngestReport {
    pub sites: usize,
    pub indexed: usize,
    pub deleted: usize,
    pub unchanged: usize,
    pub photos_rendered: usize,
    pub photos_reused: usize,
    pub photos_failed: usize,
    /// Photos cut into deep-zoom tiles in this run.
    pub photos_tiled: usize,
    pub rebuilt: bool,
    /// What the trip packs' build did.
    pub packs: PackReport,
    /// `path: what is wrong — hint`, one per problem.
    pub problems: Vec<String>,
    pub seconds: f64,
}

/// Failures that stop an ingest: the index itself cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error("{path}: {source} — check the disk space and permissions of the index folder")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path}: the index commit failed: {source} — the previous index is intact; run ingest again"
    )]
    Commit {
        path: PathBuf,
        source: tantivy::TantivyError,
    },
}

/// Runs the pipeline.
pub fn ingest(
    archive: &ArchiveLayout,
    index: &IndexLayout,
    options: &IngestOptions,
) -> Result<IngestReport, IngestError> {
    ingest_keeping_manifest(archive, index, options).map(|(report, _)| report)
}

/// [`ingest`], also handing back the manifest it wrote: a server builds its catalog from it
/// rather than reading it back from disk.
pub fn ingest_keeping_manifest(
    archive: &ArchiveLayout,
    index: &IndexLayout,
    options: &IngestOptions,
) -> Result<(IngestReport, Manifest), IngestError> {
    let started = Instant::now();
    let mut report = IngestReport::default();
    let old = Manifest::load(&index.manifest());
    let tantivy_dir = index.tantivy();
    let existing = match SearchIndex::open(&tantivy_dir) {
        Ok(existing) if !options.rebuild && old.index_schema_version == INDEX_SCHEMA_VERSION => {
            Some(existing)
        }
        _ => None,
    };
    report.rebuilt = existing.is_none();

    // Plan: what is in the archive now, and what changed.
    let mut new = Manifest {
        index_schema_version: INDEX_SCHEMA_VERSION,
        summary_version: summary::SUMMARY_VERSION,
        failed_photos: old.failed_photos.clone(),
        ..Manifest::default()
    };
    // A summary of another version may lack a field: such sites are read again.
    let trust_stamps = !report.rebuilt && old.summary_version == summary::SUMMARY_VERSION;
    let mut sites = plan::plan_sites(archive, index, &old, &mut new, &mut report, trust_stamps);
    report.sites = sites.len() + new.sites.len();

    // Render: each photo content once, only if no earlier run did.
    let metas = render_photos(index, archive, &sites, &mut new, options, &mut report);
    for site in &mut sites {
        fill_photos(site, &metas);
        site.state.summary = Some(SiteSummary::of(&site.record, &site.photos));
    }
    // Describe: each record version's Markdown rendered once, never on a page view.
    write_descriptions(index, &sites, &mut report);

    // Index: one commit for every change.
    let target = if report.rebuilt {
        index.root().join("tantivy.new")
    } else {
        tantivy_dir.clone()
    };
    let search = match existing {
        Some(existing) => existing,
        None => {
            remove_dir(&target)?;
            SearchIndex::create(&target)?
        }
    };
    let seen: HashSet<String> = sites
        .iter()
        .map(|s| s.record.id.clone())
        .chain(new.sites.keys().cloned())
        .collect();
    let mut writer = search.writer(100_000_000)?;
    for site in &sites {
        let same = old.sites.get(&site.record.id);
        if !report.rebuilt && same.is_some_and(|s| s.same_content(&site.state)) {
            report.unchanged += 1;
            continue;
        }
        writer.delete_term(search.id_term(&site.record.id));
        writer
            .add_document(search.document(&site.record, &extras(site)))
            .map_err(|source| IngestError::Commit {
                path: target.clone(),
                source,
            })?;
        report.indexed += 1;
    }
    // A vanished id is a deletion to remember, unless a site now carries it as a former id
    // (a rename or a merge, which the surviving record itself says).
    let renamed: HashSet<&str> = sites
        .iter()
        .flat_map(|s| s.record.former_ids.iter().map(String::as_str))
        .chain(
            new.sites
                .values()
                .filter_map(|s| s.summary.as_ref())
                .flat_map(|s| s.former_ids.iter().map(String::as_str)),
        )
        .collect();
    let mut deletions = Vec::new();
    for id in old.sites.keys().filter(|id| !seen.contains(*id)) {
        if !renamed.contains(id.as_str()) {
            let sets = search.listed(id).ok().flatten().map(|l| l.sets);
            deletions.push(Deletion {
                id: id.clone(),
                at: chrono::Utc::now(),
                sets: sets.unwrap_or_default(),
                note: None,
            });
        }
        writer.delete_term(search.id_term(id));
        report.deleted += 1;
    }
    if report.indexed + report.deleted > 0 || report.rebuilt {
        writer.commit().map_err(|source| IngestError::Commit {
            path: target.clone(),
            source,
        })?;
    }
    if report.rebuilt {
        // Nothing searches a rebuilt index yet: the cheapest moment to leave one segment. The
        // index is whole without the merge, only slower to search, so a failure is reported.
        if let Err(err) = search.merge_into_one_segment(writer) {
            report.problems.push(format!(
                "{err} — the new index could not be merged into one segment; it is complete and searchable, only slower: free some disk space, then run `disan ingest --rebuild`"
            ));
        }
    } else {
        drop(writer);
    }
    drop(search);
    if report.rebuilt {
        swap_in(&target, &tantivy_dir)?;
    }

    // Deletions are remembered before the manifest forgets the ids: killed in between, the
    // next run notices them again and adds a line the readers take as the same deletion.
    if let Err(err) = deletions::append(archive, &deletions) {
        report.problems.push(format!(
            "{}: the removal of {} sites could not be recorded ({err}) — harvesters will not hear of it; check the archive's permissions",
            archive.display(&archive.deletions_file()),
            deletions.len()
        ));
    }

    // Record: only now does the manifest describe the new index.
    for site in sites {
        new.sites.insert(site.record.id.clone(), site.state);
    }
    let pack_sources: Vec<SiteSource> = new
        .sites
        .iter()
        .map(|(id, state)| pack_source(id, state))
        .collect();
    // Nothing changed (the run every server start makes): the manifest on disk says it all.
    if new != old {
        new.save(&index.manifest())
            .map_err(|source| IngestError::Io {
                path: index.manifest(),
                source,
            })?;
    }

    // Trip packs follow the index; failing to write them leaves the previous ones served.
    match packs::rebuild(archive, index, pack_sources) {
        Ok(packs) => {
            report.problems.extend(packs.problems.iter().cloned());
            report.packs = packs;
        }
        Err(err) => report.problems.push(err.to_string()),
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok((report, new))
}

/// Renders every photo content not rendered before, in parallel. Returns the metadata of all
/// photos of the planned sites that have usable derivatives.
fn render_photos(
    index: &IndexLayout,
    archive: &ArchiveLayout,
    sites: &[PlannedSite],
    new: &mut Manifest,
    options: &IngestOptions,
    report: &mut IngestReport,
) -> HashMap<String, PhotoMeta> {
    let mut metas = HashMap::new();
    let mut jobs: BTreeMap<String, PathBuf> = BTreeMap::new();
    for site in sites {
        for (hash, photo) in site.state.photos.iter().zip(&site.record.photos) {
            let Some(hash) = hash else { continue };
            if metas.contains_key(hash) || jobs.contains_key(hash) {
                continue;
            }
            let source = ArchiveLayout::photo(
                Path::new(&archive.root().join(&site.state.dir)),
                &photo.file,
            )
            .unwrap_or_default();
            if let Some(reason) = new.failed_photos.get(hash) {
                report.problems.push(reason.clone());
                report.photos_failed += 1;
            } else if let Some(meta) = photos::load_meta(index, hash) {
                metas.insert(hash.clone(), meta);
                report.photos_reused += 1;
            } else {
                jobs.insert(hash.clone(), source);
            }
        }
    }
    let jobs: Vec<(String, PathBuf)> = jobs.into_iter().collect();
    let bar = progress_bar(options.progress, jobs.len());
    for (hash, result) in photos::render_all(index, &jobs, &options.limits, &|| bar.inc(1)) {
        match result {
            Ok(meta) => {
                metas.insert(hash, meta);
                report.photos_rendered += 1;
            }
            Err(err) => {
                // Media errors name the file as opened; the report names it from the archive root.
                let source = jobs
                    .iter()
                    .find(|(h, _)| *h == hash)
                    .map(|(_, p)| p.as_path())
                    .unwrap_or(Path::new(""));
                let line = format!("{err}").replacen(
                    &source.display().to_string(),
                    &archive.display(source).to_string(),
                    1,
                );
                report.problems.push(line.clone());
                new.failed_photos.insert(hash, line);
                report.photos_failed += 1;
            }
        }
    }
    bar.finish_and_clear();
    tile_photos(index, archive, sites, &metas, options, report);
    metas
}

/// Cuts every rendered photo that has no deep-zoom tiles yet. A photo that cannot be tiled is
/// reported and still shown (without zoom).
fn tile_photos(
    index: &IndexLayout,
    archive: &ArchiveLayout,
    sites: &[PlannedSite],
    metas: &HashMap<String, PhotoMeta>,
    options: &IngestOptions,
    report: &mut IngestReport,
) {
    let mut jobs: BTreeMap<String, PathBuf> = BTreeMap::new();
    for site in sites {
        for (hash, photo) in site.state.photos.iter().zip(&site.record.photos) {
            let Some(hash) = hash.as_ref().filter(|h| metas.contains_key(*h)) else {
                continue;
            };
            if jobs.contains_key(hash) || photos::has_tiles(index, hash) {
                continue;
            }
            let site_dir = archive.root().join(&site.state.dir);
            if let Some(source) = ArchiveLayout::photo(&site_dir, &photo.file) {
                jobs.insert(hash.clone(), source);
            }
        }
    }
    let jobs: Vec<(String, PathBuf)> = jobs.into_iter().collect();
    let bar = progress_bar(options.progress, jobs.len());
    bar.set_message("tiling");
    for (hash, result) in photos::tile_all(index, &jobs, &options.limits, &|| bar.inc(1)) {
        match result {
            Ok(_) => report.photos_tiled += 1,
            Err(err) => {
                let source = jobs.iter().find(|(h, _)| *h == hash).map(|(_, p)| p);
                let shown = source.map_or_else(String::new, |p| p.display().to_string());
                let named = source.map_or(shown.clone(), |p| archive.display(p).to_string());
                report.problems.push(format!(
                    "{} (deep zoom only: the photo is shown without it)",
                    format!("{err}").replacen(&shown, &named, 1)
                ));
            }
        }
    }
    bar.finish_and_clear();
}

/// Renders and stores the description of every site whose record version has none yet
/// (see [`crate::description`]); a file that cannot be written is a problem in the report.
fn write_descriptions(index: &IndexLayout, sites: &[PlannedSite], report: &mut IngestReport) {
    use rayon::prelude::*;
    let failures: Vec<String> = sites
        .par_iter()
        .filter(|site| !index.description(&site.state.record_hash).is_file())
        .filter_map(|site| {
            let rendered = crate::description::Rendered::of(&site.record);
            crate::description::write(index, &site.state.record_hash, &rendered)
                .err()
                .map(|err| {
                    format!(
                        "{}: the rendered description cannot be written: {err} — check the disk space of the index folder",
                        index.description(&site.state.record_hash).display()
                    )
                })
        })
        .collect();
    report.problems.extend(failures);
}

fn progress_bar(enabled: bool, len: usize) -> indicatif::ProgressBar {
    if !enabled || len == 0 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} photos, {eta} left")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message("rendering");
    bar
}

/// Attaches rendered photos to a site, and fills a missing position from the first photo GPS.
fn fill_photos(site: &mut PlannedSite, metas: &HashMap<String, PhotoMeta>) {
    site.photos = site
        .state
        .photos
        .iter()
        .map(|h| h.as_ref().and_then(|h| metas.get(h)).cloned())
        .collect();
    // A failed photo must re-index the site once it is fixed: it is `None` in the state.
    for (hash, meta) in site.state.photos.iter_mut().zip(&site.photos) {
        if meta.is_none() {
            *hash = None;
        }
    }
    // A position outside Vietnam is a wrong photo or a camera clock-and-GPS mix-up, not the site.
    let location = &mut site.record.location;
    if location.lat.is_none()
        && let Some((lat, lon)) = site
            .photos
            .iter()
            .flatten()
            .filter_map(|m| m.gps)
            .find(|&(lat, lon)| in_vietnam(lat, lon))
    {
        (location.lat, location.lon, location.accuracy) =
            (Some(lat), Some(lon), Some(Accuracy::PhotoGps));
    }
}

/// A site as the trip packs are given it: its place from its summary, so that no record is
/// read again here (the builder reads one only for a site without a summary).
fn pack_source(id: &str, state: &manifest::SiteState) -> SiteSource {
    SiteSource {
        id: id.to_owned(),
        dir: state.dir.clone(),
        record_hash: state.record_hash.clone(),
        photos: state.photos.clone(),
        place: state.summary.as_ref().map(|summary| Place {
            province: summary.province.clone(),
            commune: summary.commune.clone(),
        }),
    }
}

fn extras(site: &PlannedSite) -> DocumentExtras {
    let first = site.photos.iter().flatten().next();
    DocumentExtras {
        photo_count: site.photos.iter().flatten().count() as u32,
        thumbnail: first
            .and_then(|m| m.files.iter().find(|f| f.mime == "image/webp"))
            .map(|f| format!("/media/{}", f.path)),
        placeholder: first.map(|m| m.placeholder.clone()),
        extra_place_names: Vec::new(),
        folder: Some(site.state.dir.clone()),
    }
}

fn remove_dir(path: &Path) -> Result<(), IngestError> {
    match std::fs::remove_dir_all(path) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(IngestError::Io {
            path: path.into(),
            source: err,
        }),
        _ => Ok(()),
    }
}

/// Replaces the live index folder with the freshly built one.
fn swap_in(built: &Path, live: &Path) -> Result<(), IngestError> {
    let old = live.with_extension("old");
    remove_dir(&old)?;
    if live.exists() {
        std::fs::rename(live, &old).map_err(|source| IngestError::Io {
            path: live.into(),
            source,
        })?;
    }
    std::fs::rename(built, live).map_err(|source| IngestError::Io {
        path: built.into(),
        source,
    })?;
    remove_dir(&old)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::SiteRecord;

    fn meta(gps: Option<(f64, f64)>) -> PhotoMeta {
        PhotoMeta {
            hash: "h".into(),
            width: 1,
            height: 1,
            placeholder: "#000000".into(),
            date_taken: None,
            camera: None,
            gps,
            files: Vec::new(),
        }
    }

    fn planned(photos: usize) -> PlannedSite {
        let record = SiteRecord::new("a", "A", chrono::Utc::now());
        let state = manifest::SiteState {
            dir: "a".into(),
            record_hash: String::new(),
            photos: (0..photos).map(|i| Some(format!("h{i}"))).collect(),
            stamp: None,
            photo_files: Vec::new(),
            problems: Vec::new(),
            summary: None,
        };
        PlannedSite {
            record,
            state,
            photos: Vec::new(),
        }
    }

    #[test]
    fn photo_gps_in_vietnam_fills_a_missing_position() {
        let mut site = planned(2);
        let metas = HashMap::from([
            ("h0".to_owned(), meta(Some((43.46, 11.88)))),
            ("h1".to_owned(), meta(Some((20.25, 105.97)))),
        ]);
        fill_photos(&mut site, &metas);
        let l = &site.record.location;
        assert_eq!(
            (l.lat, l.lon, l.accuracy),
            (Some(20.25), Some(105.97), Some(Accuracy::PhotoGps))
        );
    }

    #[test]
    fn a_failed_photo_is_none_in_the_state() {
        let mut site = planned(2);
        fill_photos(&mut site, &HashMap::from([("h1".to_owned(), meta(None))]));
        assert_eq!(site.state.photos, [None, Some("h1".to_owned())]);
        assert_eq!(site.record.location.lat, None);
    }
}
