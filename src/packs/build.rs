//! Building packs, incrementally: only the communes whose sites changed are written again.
//!
//! The builder keeps a state file beside the packs: for every site its folder, its commune's
//! key and a stamp of its record and photo hashes; for every commune the pack file it wrote.
//! A build compares the sites it is given with that state, reads only the records whose stamp
//! changed (to learn where they are now), and rewrites only the communes that gained, lost or
//! changed a site — one commune's records in memory at a time. Pack files are named by their
//! content, so a commune that did not change keeps its URL and no phone downloads it twice.
//! The province tables of contents and the index follow; the state is written last, so a build
//! cut short is finished by the next one. Files no state refers to any more are deleted a day
//! after they were replaced (a phone half-way through an update may still ask for them).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::site::PackSite;
use super::{FORMAT, PackError, PackKind, Place, SiteSource, URL_PREFIX, pack_url};
use crate::archive::{write_atomic, write_derived};
use crate::ingest::photos::{self, PhotoMeta};
use crate::layout::{ArchiveLayout, IndexLayout};
use crate::record::{Category, KnownType, Level, SiteRecord};

/// How long a replaced pack file is still served.
const GRACE: std::time::Duration = std::time::Duration::from_secs(24 * 3600);
/// Brotli quality of the stored packs: 11 is ~4 % smaller and several times slower to make;
/// at 100,000 sites a full build compresses ~40 MB.
const BROTLI_QUALITY: u32 = 10;

/// What a build did.
#[derive(Debug, Default, Clone, Serialize)]
pub struct PackReport {
    /// Sites in the packs.
    pub sites: usize,
    /// Records read because they changed.
    pub sites_read: usize,
    pub communes_written: usize,
    pub communes_removed: usize,
    pub provinces_written: usize,
    /// Replaced files deleted.
    pub files_deleted: usize,
    /// `path: what is wrong — hint`: sites left out or kept at their previous version.
    pub problems: Vec<String>,
}

/// The builder's memory, `index/packs/state.json`.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct State {
    pub format: u32,
    pub sites: BTreeMap<String, SiteEntry>,
    /// By commune key (`province-slug/commune-slug`).
    pub chunks: BTreeMap<String, ChunkEntry>,
    /// By province slug.
    pub provinces: BTreeMap<String, ProvinceEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct SiteEntry {
    pub dir: String,
    pub key: String,
    pub stamp: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<Option<String>>,
    /// Bytes of its photos at their smallest size (known once its commune was written).
    #[serde(default)]
    pub photo_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct ChunkEntry {
    pub hash: String,
    /// The commune's name, when the sites have one.
    pub name: Option<String>,
    pub province: Option<String>,
    pub sites: usize,
    pub bytes: u64,
    pub br: u64,
    pub photo_bytes: u64,
    pub photos: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct ProvinceEntry {
    pub name: Option<String>,
    pub hash: String,
    pub sites: usize,
    pub br: u64,
    pub photo_bytes: u64,
}

impl State {
    pub fn load(index: &IndexLayout) -> Result<State, PackError> {
        let path = index.pack_state();
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(State::fresh()),
            Err(source) => return Err(PackError::Io { path, source }),
        };
        // A damaged or older state only costs a full build.
        Ok(serde_json::from_slice::<State>(&bytes)
            .ok()
            .filter(|s| s.format == FORMAT)
            .unwrap_or_else(State::fresh))
    }

    fn fresh() -> State {
        State {
            format: FORMAT,
            ..State::default()
        }
    }
}

/// The change a build applies.
pub(super) enum Change {
    /// Every published site: the ones not listed are gone.
    All(Vec<SiteSource>),
    /// These sites were added or changed; `removed` ids are gone.
    Some {
        upserts: Vec<SiteSource>,
        removed: Vec<String>,
    },
}

pub(super) fn apply(
    archive: &ArchiveLayout,
    index: &IndexLayout,
    change: Change,
) -> Result<PackReport, PackError> {
    let mut state = State::load(index)?;
    let mut report = PackReport::default();
    let mut dirty: BTreeSet<String> = BTreeSet::new();
    match change {
        Change::All(sources) => {
            let seen: HashSet<String> = sources.iter().map(|s| s.id.clone()).collect();
            for source in sources {
                upsert(archive, &mut state, source, &mut dirty, &mut report);
            }
            let gone: Vec<String> = state
                .sites
                .keys()
                .filter(|id| !seen.contains(*id))
                .cloned()
                .collect();
            for id in gone {
                remove(&mut state, &id, &mut dirty);
            }
        }
        Change::Some { upserts, removed } => {
            for id in removed {
                remove(&mut state, &id, &mut dirty);
            }
            for source in upserts {
                upsert(archive, &mut state, source, &mut dirty, &mut report);
            }
        }
    }
    // A pack file deleted or cut short since it was written is written again.
    for (key, chunk) in &state.chunks {
        let path = index.pack_file(PackKind::Commune, &chunk.hash, "json");
        if std::fs::metadata(&path).map(|m| m.len()).ok() != Some(chunk.bytes) {
            dirty.insert(key.clone());
        }
    }
    let mut members: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (id, site) in &state.sites {
        if dirty.contains(&site.key) {
            members
                .entry(site.key.clone())
                .or_default()
                .push(id.clone());
        }
    }
    let mut provinces_dirty: BTreeSet<String> = BTreeSet::new();
    for key in &dirty {
        provinces_dirty.insert(province_of_key(key).to_owned());
        match members.get(key) {
            Some(ids) => {
                let chunk = write_chunk(archive, index, &mut state, key, ids, &mut report)?;
                state.chunks.insert(key.clone(), chunk);
                report.communes_written += 1;
            }
            None => {
                if state.chunks.remove(key).is_some() {
                    report.communes_removed += 1;
                }
            }
        }
    }
    for slug in &state.provinces {
        let path = index.pack_file(PackKind::Province, &slug.1.hash, "json");
        if !path.is_file() {
            provinces_dirty.insert(slug.0.clone());
        }
    }
    for slug in &provinces_dirty {
        match write_toc(index, &state, slug)? {
            Some(entry) => {
                state.provinces.insert(slug.clone(), entry);
                report.provinces_written += 1;
            }
            None => {
                state.provinces.remove(slug);
            }
        }
    }
    if !provinces_dirty.is_empty() || !index.pack_index().is_file() {
        write_index(index, &state)?;
    }
    if report.sites_read > 0 || !dirty.is_empty() || !provinces_dirty.is_empty() {
        let text = serde_json::to_vec(&state).expect("the pack state serialises");
        write_atomic(&index.pack_state(), &text).map_err(|source| PackError::Io {
            path: index.pack_state(),
            source,
        })?;
    }
    report.sites = state.sites.len();
    report.files_deleted = sweep(index, &state, std::time::SystemTime::now());
    Ok(report)
}

/// What a pack says of a site, as this code writes it: change it whenever [`PackSite`] or
/// the way it is made from a record changes, so that every pack is written again.
const CONTENT_VERSION: &str = "pack-content-2";

/// The stamp of a site's sources: changes exactly when its pack entry may change.
fn stamp(source: &SiteSource) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(CONTENT_VERSION.as_bytes());
    hasher.update(source.record_hash.as_bytes());
    for photo in &source.photos {
        hasher.update(b"|");
        hasher.update(photo.as_deref().unwrap_or("-").as_bytes());
    }
    hasher.finalize().to_hex()[..24].to_owned()
}

fn upsert(
    archive: &ArchiveLayout,
    state: &mut State,
    source: SiteSource,
    dirty: &mut BTreeSet<String>,
    report: &mut PackReport,
) {
    let stamp = stamp(&source);
    let old = state.sites.get(&source.id);
    if old.is_some_and(|o| o.stamp == stamp && o.dir == source.dir) {
        return;
    }
    let place = match source.place {
        Some(place) => place,
        None => match read_record(archive, &source.dir) {
            Ok(record) => Place::of(&record),
            Err(problem) => {
                // Keep what the packs had of it: a typo never makes a site vanish offline.
                report.problems.push(problem);
                return;
            }
        },
    };
    report.sites_read += 1;
    let key = place.key();
    if let Some(old) = old
        && old.key != key
    {
        dirty.insert(old.key.clone());
    }
    dirty.insert(key.clone());
    state.sites.insert(
        source.id,
        SiteEntry {
            dir: source.dir,
            key,
            stamp,
            photos: source.photos,
            photo_bytes: 0,
        },
    );
}

fn remove(state: &mut State, id: &str, dirty: &mut BTreeSet<String>) {
    if let Some(old) = state.sites.remove(id) {
        dirty.insert(old.key);
    }
}

fn read_record(archive: &ArchiveLayout, dir: &str) -> Result<SiteRecord, String> {
    let entry = crate::archive::walk::read_site(archive.root().join(dir));
    let shown = archive.display(&entry.file()).to_string();
    entry
        .record
        .map_err(|problem| format!("{shown}: {problem} (the trip packs keep its previous version)"))
}

/// The province part of a commune key.
fn province_of_key(key: &str) -> &str {
    key.split_once('/').map_or(key, |(p, _)| p)
}

/// Writes one commune's pack from its members' records (read again from the archive, so only
/// this commune is in memory) and returns its entry.
fn write_chunk(
    archive: &ArchiveLayout,
    index: &IndexLayout,
    state: &mut State,
    key: &str,
    ids: &[String],
    report: &mut PackReport,
) -> Result<ChunkEntry, PackError> {
    #[derive(Serialize)]
    struct Chunk<'a> {
        format: u32,
        key: &'a str,
        sites: Vec<PackSite>,
    }
    let mut sites = Vec::with_capacity(ids.len());
    for id in ids {
        let entry = &state.sites[id];
        let record = match read_record(archive, &entry.dir) {
            Ok(record) if record.id == *id => record,
            Ok(_) => {
                report.problems.push(format!(
                    "{}: its id changed since the last ingest — run ingest again",
                    entry.dir
                ));
                continue;
            }
            Err(problem) => {
                report.problems.push(problem);
                continue;
            }
        };
        let metas: Vec<Option<PhotoMeta>> = entry
            .photos
            .iter()
            .map(|hash| photos::load_meta(index, hash.as_deref()?))
            .collect();
        sites.push(PackSite::of(&record, &metas));
    }
    for site in &sites {
        if let Some(entry) = state.sites.get_mut(&site.id) {
            entry.photo_bytes = site.photo_bytes();
        }
    }
    let entry_of = |sites: &[PackSite], hash: String, bytes: u64, br: u64| ChunkEntry {
        hash,
        name: sites.iter().find_map(|s| s.commune.clone()),
        province: sites.iter().find_map(|s| s.province.clone()),
        sites: sites.len(),
        bytes,
        br,
        photo_bytes: sites.iter().map(PackSite::photo_bytes).sum(),
        photos: sites.iter().map(|s| s.photos.len()).sum(),
    };
    let chunk = Chunk {
        format: FORMAT,
        key,
        sites,
    };
    let json = serde_json::to_vec(&chunk).expect("a pack serialises");
    let (hash, br) = store(index, PackKind::Commune, &json)?;
    Ok(entry_of(&chunk.sites, hash, json.len() as u64, br))
}

/// Writes a pack file under its content hash (plain and brotli) unless it exists; returns the
/// hash and the compressed size.
fn store(index: &IndexLayout, kind: PackKind, json: &[u8]) -> Result<(String, u64), PackError> {
    let hash = blake3::hash(json).to_hex()[..32].to_owned();
    let plain = index.pack_file(kind, &hash, "json");
    let compressed = index.pack_file(kind, &hash, "json.br");
    let io = |path: &Path, source| PackError::Io {
        path: path.to_owned(),
        source,
    };
    let existing = std::fs::metadata(&compressed).ok().map(|m| m.len());
    let plain_ok = std::fs::metadata(&plain).is_ok_and(|m| m.len() == json.len() as u64);
    if let (Some(br), true) = (existing.filter(|&n| n > 0), plain_ok) {
        return Ok((hash, br));
    }
    let br = brotli(json);
    write_derived(&compressed, &br).map_err(|e| io(&compressed, e))?;
    write_derived(&plain, json).map_err(|e| io(&plain, e))?;
    Ok((hash, br.len() as u64))
}

pub(super) fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() / 4);
    {
        // A window no larger than the file: the encoder's tables grow with it, and most
        // packs are a few kilobytes.
        let window = (usize::BITS - bytes.len().max(1 << 10).leading_zeros()).clamp(10, 22);
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, BROTLI_QUALITY, window);
        writer
            .write_all(bytes)
            .expect("writing to memory cannot fail");
    }
    out
}

/// A province's table of contents: its communes with their pack URLs and sizes. `None` when
/// the province has no site left.
fn write_toc(
    index: &IndexLayout,
    state: &State,
    slug: &str,
) -> Result<Option<ProvinceEntry>, PackError> {
    #[derive(Serialize)]
    struct Toc<'a> {
        format: u32,
        slug: &'a str,
        province: Option<&'a str>,
        sites: usize,
        br: u64,
        photo_bytes: u64,
        communes: Vec<CommuneRef<'a>>,
    }
    #[derive(Serialize)]
    struct CommuneRef<'a> {
        key: &'a str,
        name: Option<&'a str>,
        sites: usize,
        url: String,
        br: u64,
        photo_bytes: u64,
        photos: usize,
    }
    let prefix = format!("{slug}/");
    let chunks: Vec<(&String, &ChunkEntry)> = state
        .chunks
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .collect();
    if chunks.is_empty() {
        return Ok(None);
    }
    let mut communes: Vec<CommuneRef> = chunks
        .iter()
        .map(|(key, c)| CommuneRef {
            key,
            name: c.name.as_deref(),
            sites: c.sites,
            url: pack_url(PackKind::Commune, &c.hash),
            br: c.br,
            photo_bytes: c.photo_bytes,
            photos: c.photos,
        })
        .collect();
    communes.sort_by(|a, b| {
        let name = |c: &CommuneRef| c.name.map(crate::fold::key).unwrap_or_default();
        name(a).cmp(&name(b)).then(a.key.cmp(b.key))
    });
    let toc = Toc {
        format: FORMAT,
        slug,
        province: chunks.iter().find_map(|(_, c)| c.province.as_deref()),
        sites: chunks.iter().map(|(_, c)| c.sites).sum(),
        br: chunks.iter().map(|(_, c)| c.br).sum(),
        photo_bytes: chunks.iter().map(|(_, c)| c.photo_bytes).sum(),
        communes,
    };
    let json = serde_json::to_vec(&toc).expect("a table of contents serialises");
    let (hash, _) = store(index, PackKind::Province, &json)?;
    Ok(Some(ProvinceEntry {
        name: toc.province.map(str::to_owned),
        hash,
        sites: toc.sites,
        br: toc.br,
        photo_bytes: toc.photo_bytes,
    }))
}

/// The index of packs: every province with its table of contents, and the vocabulary labels
/// the offline pages show.
fn write_index(index: &IndexLayout, state: &State) -> Result<(), PackError> {
    #[derive(Serialize)]
    struct Index<'a> {
        format: u32,
        url_prefix: &'static str,
        sites: usize,
        provinces: Vec<ProvinceRef<'a>>,
        types: BTreeMap<&'static str, [&'static str; 2]>,
        levels: BTreeMap<&'static str, [&'static str; 2]>,
        categories: BTreeMap<&'static str, [&'static str; 2]>,
    }
    #[derive(Serialize)]
    struct ProvinceRef<'a> {
        slug: &'a str,
        name: Option<&'a str>,
        sites: usize,
        br: u64,
        photo_bytes: u64,
        url: String,
    }
    let mut provinces: Vec<ProvinceRef> = state
        .provinces
        .iter()
        .map(|(slug, p)| ProvinceRef {
            slug,
            name: p.name.as_deref(),
            sites: p.sites,
            br: p.br,
            photo_bytes: p.photo_bytes,
            url: pack_url(PackKind::Province, &p.hash),
        })
        .collect();
    provinces.sort_by_key(|p| p.name.map(crate::fold::key).unwrap_or_default());
    let index_json = Index {
        format: FORMAT,
        url_prefix: URL_PREFIX,
        sites: state.sites.len(),
        provinces,
        types: KnownType::ALL
            .iter()
            .map(|t| (t.code(), [t.label_vi(), t.label_en()]))
            .collect(),
        levels: Level::ALL
            .iter()
            .map(|l| (l.code(), [l.label_vi(), l.label_en()]))
            .collect(),
        categories: Category::ALL
            .iter()
            .map(|c| (c.code(), [c.label_vi(), c.label_en()]))
            .collect(),
    };
    let json = serde_json::to_vec(&index_json).expect("the pack index serialises");
    let path = index.pack_index();
    write_atomic(&path, &json).map_err(|source| PackError::Io { path, source })
}

/// Deletes pack files no state refers to, once they are older than [`GRACE`].
pub(super) fn sweep(index: &IndexLayout, state: &State, now: std::time::SystemTime) -> usize {
    let mut keep: HashSet<&str> = state.chunks.values().map(|c| c.hash.as_str()).collect();
    keep.extend(state.provinces.values().map(|p| p.hash.as_str()));
    let mut deleted = 0;
    for kind in [PackKind::Commune, PackKind::Province] {
        let dir = index.packs_root().join(kind.folder());
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let hash = name.split('.').next().unwrap_or_default();
            if keep.contains(hash) {
                continue;
            }
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| now.duration_since(t).ok())
                .is_some_and(|age| age > GRACE);
            if old && std::fs::remove_file(entry.path()).is_ok() {
                deleted += 1;
            }
        }
    }
    deleted
}
