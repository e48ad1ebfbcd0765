//! The writer's side: publishing what the primary serves as a new generation.
//!
//! A publication looks at every file a generation names by its size and modification time and
//! at every catalog entry by its hash, groups them into buckets, and uploads only the bundles
//! whose bucket changed and the index files it has not uploaded before — so after an approval
//! it uploads a few bundles and a small segment, not the archive. Photos new since the last
//! publication have their derivatives, tiles and original uploaded (under content-derived keys,
//! once). The generation file goes last. What was uploaded is remembered in
//! `index/publish-state.json` so a restart does not upload anything again; a state that does not
//! match the store (another bucket, a wiped bucket) is forgotten and everything is checked.
//!
//! The caller holds whatever keeps the files still while a publication reads them (the server
//! holds the lock its approvals take); the index's files are read against the segment list of
//! one `meta.json`, and read again if a merge removed one meanwhile.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{
    FileRef, Generation, SMALL_FILE, SiteRef, SnapshotError, bucket_count, hash, io, paths,
    write_bundle,
};
use crate::layout::{ArchiveLayout, IndexLayout};
use crate::storage::{Storage, keys};
use entries::{Entries, Stamp, stamp_of};

mod entries;
mod photos;

/// What a publication did.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The generation now published (a new one, or the previous when nothing changed).
    pub number: u64,
    pub new_generation: bool,
    pub bundles_uploaded: usize,
    pub files_uploaded: usize,
    pub photos_uploaded: usize,
    pub bytes_uploaded: u64,
    pub photo_failures: usize,
}

/// What is remembered between publications (and across restarts).
#[derive(Debug, Default, Serialize, Deserialize)]
struct Memory {
    /// The store this memory is about.
    store: String,
    last: u64,
    bucket_count: usize,
    /// Per bucket: (signature of its files' stamps, bundle hash).
    buckets: Vec<Option<(String, String)>>,
    /// Large files: path → (stamp, hash).
    large: BTreeMap<String, (Stamp, String)>,
    /// Photos whose derivatives, tiles and original are in the store.
    photos: BTreeSet<String>,
}

/// The publishing side of one archive and index.
pub struct Publisher {
    storage: Arc<Storage>,
    archive: ArchiveLayout,
    index: IndexLayout,
    memory: Option<Memory>,
    /// Small files and catalog entries with their stamps, by bucket.
    entries: Entries,
    /// Which entries each site contributed.
    by_site: HashMap<String, Vec<String>>,
    /// Entries not of one site (deletions, packs, downloads).
    global: Vec<String>,
}

impl Publisher {
    pub fn new(storage: Arc<Storage>, archive: &ArchiveLayout, index: &IndexLayout) -> Publisher {
        Publisher {
            storage,
            archive: archive.clone(),
            index: index.clone(),
            memory: None,
            entries: Entries::default(),
            by_site: HashMap::new(),
            global: Vec::new(),
        }
    }

    /// The generation last published, if any.
    pub fn last(&self) -> u64 {
        self.memory.as_ref().map_or(0, |m| m.last)
    }

    /// Publishes `sites` (the catalog as served) and the files around them. `changed`: the
    /// sites changed since the last call (`None`: look at every site, as after a start or an
    /// ingest).
    pub fn publish(
        &mut self,
        sites: &[SiteRef<'_>],
        changed: Option<&HashSet<String>>,
    ) -> Result<Outcome, SnapshotError> {
        let mut memory = match self.memory.take() {
            Some(memory) => memory,
            None => self.recall()?,
        };
        let result = self.publish_with(&mut memory, sites, changed);
        self.memory = Some(memory);
        result
    }

    fn publish_with(
        &mut self,
        memory: &mut Memory,
        sites: &[SiteRef<'_>],
        changed: Option<&HashSet<String>>,
    ) -> Result<Outcome, SnapshotError> {
        let mut outcome = Outcome::default();
        let by_id: HashMap<&str, &SiteRef<'_>> = sites.iter().map(|s| (s.id, s)).collect();
        let redone = self.site_entries(sites, &by_id, changed)?;
        let big = self.global_entries()?;
        let large = self.index_files(memory, &big, &mut outcome)?;
        self.entries.regroup(bucket_count(self.entries.len));
        let buckets = self.bundles(memory, &by_id, &mut outcome)?;
        self.entries.dirty.clear();
        // Photos of the sites looked at: new ones are uploaded before the generation names them.
        let looked_at: Vec<&SiteRef<'_>> = redone
            .iter()
            .filter_map(|id| by_id.get(id.as_str()).copied())
            .collect();
        self.photos(memory, &looked_at, &mut outcome);

        let files: BTreeMap<String, FileRef> = large
            .iter()
            .map(|(path, (_, hash, size))| {
                (
                    path.clone(),
                    FileRef {
                        hash: hash.clone(),
                        size: *size,
                    },
                )
            })
            .collect();
        let same_bundles = memory.bucket_count == buckets.len()
            && memory
                .buckets
                .iter()
                .zip(&buckets)
                .all(|(a, b)| a.as_ref().map(|x| &x.1) == b.as_ref().map(|x| &x.1));
        let same_files = memory.large.len() == large.len()
            && memory
                .large
                .iter()
                .all(|(p, (_, h))| large.get(p).is_some_and(|(_, h2, _)| h == h2));
        memory.bucket_count = buckets.len();
        memory.buckets = buckets;
        memory.large = large
            .into_iter()
            .map(|(path, (stamp, hash, _))| (path, (stamp, hash)))
            .collect();
        if memory.last > 0 && same_bundles && same_files {
            outcome.number = memory.last;
            // The tick every few seconds usually lands here: the memory (every uploaded photo's
            // hash among it) is written again only when a photo went up.
            if outcome.photos_uploaded > 0 {
                self.remember(memory)?;
            }
            return Ok(outcome);
        }
        let generation = Generation {
            format: super::FORMAT,
            number: 0,
            published: chrono::Utc::now(),
            sites: sites.len(),
            buckets: memory
                .buckets
                .iter()
                .map(|b| b.as_ref().map(|(_, key)| key.clone()))
                .collect(),
            files,
        };
        outcome.number = self.write_generation(memory, generation)?;
        outcome.new_generation = true;
        self.remember(memory)?;
        Ok(outcome)
    }

    /// The memory of earlier publications, if it is about this store and its last generation
    /// is still there; else an empty one (everything is checked against the store).
    fn recall(&self) -> Result<Memory, SnapshotError> {
        let fresh = Memory {
            store: self.storage.name().to_owned(),
            ..Memory::default()
        };
        let Ok(bytes) = std::fs::read(self.index.publish_state()) else {
            return Ok(fresh);
        };
        let Ok(memory) = serde_json::from_slice::<Memory>(&bytes) else {
            return Ok(fresh);
        };
        let still_there = memory.store == self.storage.name()
            && memory.last > 0
            && self.storage.exists(&keys::generation(memory.last))?;
        Ok(if still_there { memory } else { fresh })
    }

    fn remember(&self, memory: &Memory) -> Result<(), SnapshotError> {
        let path = self.index.publish_state();
        let bytes =
            serde_json::to_vec(memory).map_err(|e| SnapshotError::Corrupt(e.to_string()))?;
        crate::archive::write::write_atomic(&path, &bytes).map_err(io(&path))
    }

    /// The catalog entry, record, history, description and photo sidecars of each site looked at.
    fn site_entries(
        &mut self,
        sites: &[SiteRef<'_>],
        by_id: &HashMap<&str, &SiteRef<'_>>,
        changed: Option<&HashSet<String>>,
    ) -> Result<Vec<String>, SnapshotError> {
        let redo: Vec<&SiteRef<'_>> = match changed {
            Some(ids) if !self.by_site.is_empty() => {
                let gone: Vec<String> = self
                    .by_site
                    .keys()
                    .filter(|id| !by_id.contains_key(id.as_str()))
                    .cloned()
                    .collect();
                for id in gone {
                    self.forget_site(&id);
                }
                sites
                    .iter()
                    .filter(|s| ids.contains(s.id) || !self.by_site.contains_key(s.id))
                    .collect()
            }
            _ => {
                self.by_site.clear();
                self.entries.retain(|path| !is_site_path(path));
                sites.iter().collect()
            }
        };
        let mut redone = Vec::with_capacity(redo.len());
        for site in redo {
            redone.push(site.id.to_owned());
            self.forget_site(site.id);
            let mut own = Vec::new();
            let entry =
                serde_json::to_vec(site).map_err(|e| SnapshotError::Corrupt(e.to_string()))?;
            let path = paths::site(site.id);
            self.entries
                .insert(path.clone(), Stamp::Entry { hash: hash(&entry) });
            own.push(path);
            let dir = self.archive.root().join(site.folder);
            let mut files = vec![
                ArchiveLayout::site_file(&dir),
                ArchiveLayout::history_file(&dir),
                self.index.description(site.record_hash),
            ];
            files.extend(
                site.summary
                    .photos
                    .iter()
                    .map(|p| self.index.photo_meta(&p.meta.hash)),
            );
            for file in files {
                if let Some((path, stamp)) = self.file_entry(&file)? {
                    self.entries.insert(path.clone(), stamp);
                    own.push(path);
                }
            }
            self.by_site.insert(site.id.to_owned(), own);
        }
        Ok(redone)
    }

    fn forget_site(&mut self, id: &str) {
        for path in self.by_site.remove(id).unwrap_or_default() {
            self.entries.remove(&path);
        }
    }

    /// The record of deletions and the trip packs, looked at every time (a few thousand files
    /// at most). The downloads (`/data`) are not published: made again after every publication
    /// and up to hundreds of megabytes at the country's scale, they are served by the primary.
    /// Returns the files too big for a bundle.
    fn global_entries(&mut self) -> Result<Vec<PathBuf>, SnapshotError> {
        for path in std::mem::take(&mut self.global) {
            self.entries.remove(&path);
        }
        let mut files = vec![self.archive.deletions_file()];
        for entry in walkdir::WalkDir::new(self.index.packs_root())
            .into_iter()
            .filter_map(Result::ok)
        {
            let name = entry.file_name().to_string_lossy();
            if entry.file_type().is_file() && !name.starts_with('.') {
                files.push(entry.into_path());
            }
        }
        let mut big = Vec::new();
        for file in files {
            if let Some((path, stamp)) = self.file_entry(&file)? {
                if matches!(stamp, Stamp::File { size, .. } if size > SMALL_FILE) {
                    big.push(file);
                    continue;
                }
                self.entries.insert(path.clone(), stamp);
                self.global.push(path);
            }
        }
        Ok(big)
    }

    /// A file's logical path and stamp; `None` when it does not exist.
    fn file_entry(&self, file: &Path) -> Result<Option<(String, Stamp)>, SnapshotError> {
        let meta = match std::fs::metadata(file) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(file)(e)),
        };
        let Some(path) = self.logical(file) else {
            return Ok(None);
        };
        Ok(Some((path, stamp_of(&meta))))
    }

    fn logical(&self, file: &Path) -> Option<String> {
        let (root, prefix) = if let Ok(rest) = file.strip_prefix(self.index.root()) {
            (rest, paths::INDEX)
        } else {
            (file.strip_prefix(self.archive.root()).ok()?, paths::ARCHIVE)
        };
        let rest = root.to_str()?.replace('\\', "/");
        let path = format!("{prefix}{rest}");
        paths::is_valid(&path).then_some(path)
    }

    fn physical(&self, path: &str) -> Option<PathBuf> {
        if let Some(rest) = path.strip_prefix(paths::INDEX) {
            Some(self.index.root().join(rest))
        } else {
            path.strip_prefix(paths::ARCHIVE)
                .map(|rest| self.archive.root().join(rest))
        }
    }

    /// The tantivy files of one `meta.json`, each uploaded once: path → (stamp, hash, size).
    #[allow(clippy::type_complexity)]
    fn index_files(
        &self,
        memory: &Memory,
        big: &[PathBuf],
        outcome: &mut Outcome,
    ) -> Result<BTreeMap<String, (Stamp, String, u64)>, SnapshotError> {
        let dir = self.index.tantivy();
        let mut attempts = 0;
        'again: loop {
            attempts += 1;
            let meta_path = dir.join("meta.json");
            let meta = std::fs::read(&meta_path).map_err(io(&meta_path))?;
            let segments = segment_ids(&meta)?;
            let mut files = vec![(meta_path.clone(), Some(meta))];
            files.extend(big.iter().map(|file| (file.clone(), None)));
            for entry in std::fs::read_dir(&dir).map_err(io(&dir))?.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let stem = name.split('.').next().unwrap_or_default();
                // Segment files of the listed segments; beside them, Disan's own files (the
                // layout version). Locks, tantivy's bookkeeping and other segments stay.
                let segment_like = stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit());
                let own = !name.starts_with('.') && !segment_like && name != "meta.json";
                if segments.contains(stem) || own {
                    files.push((entry.path(), None));
                }
            }
            let mut out = BTreeMap::new();
            for (file, read) in files {
                let Some(path) = self.logical(&file) else {
                    continue;
                };
                let bytes_or_stamp = match std::fs::metadata(&file) {
                    Ok(meta) => stamp_of(&meta),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound && attempts < 5 => {
                        continue 'again;
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(io(&file)(e)),
                };
                let known = memory
                    .large
                    .get(&path)
                    .filter(|(s, _)| *s == bytes_or_stamp);
                let size = match &bytes_or_stamp {
                    Stamp::File { size, .. } => *size,
                    Stamp::Entry { .. } => 0,
                };
                if let (Some((_, h)), None) = (known, &read) {
                    out.insert(path, (bytes_or_stamp, h.clone(), size));
                    continue;
                }
                let bytes = match read {
                    Some(bytes) => bytes,
                    None => match std::fs::read(&file) {
                        Ok(bytes) => bytes,
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound && attempts < 5 => {
                            continue 'again;
                        }
                        Err(e) => return Err(io(&file)(e)),
                    },
                };
                let h = hash(&bytes);
                let len = bytes.len() as u64;
                if self.storage.put_new(&keys::blob(&h), bytes)? {
                    outcome.files_uploaded += 1;
                    outcome.bytes_uploaded += len;
                }
                out.insert(path, (bytes_or_stamp, h, len));
            }
            return Ok(out);
        }
    }

    /// Every bucket's bundle, built and uploaded again only when a stamp in it changed.
    fn bundles(
        &self,
        memory: &Memory,
        by_id: &HashMap<&str, &SiteRef<'_>>,
        outcome: &mut Outcome,
    ) -> Result<Vec<Option<(String, String)>>, SnapshotError> {
        let count = self.entries.buckets.len();
        let same_count = memory.bucket_count == count;
        let mut result: Vec<Option<(String, String)>> = vec![None; count];
        let mut todo = Vec::new();
        for (b, files) in self.entries.buckets.iter().enumerate() {
            // A bucket nothing touched since the last publication keeps its bundle.
            if same_count && !self.entries.dirty.contains(&b) {
                result[b] = memory.buckets.get(b).cloned().flatten();
                continue;
            }
            let files: Vec<(&String, &Stamp)> = files.iter().collect();
            if files.is_empty() {
                continue;
            }
            let mut signature = blake3::Hasher::new();
            for (path, stamp) in &files {
                signature.update(path.as_bytes());
                signature.update(format!("{stamp:?}").as_bytes());
            }
            let signature = signature.finalize().to_hex().to_string();
            let previous = same_count
                .then(|| memory.buckets.get(b).cloned().flatten())
                .flatten()
                .filter(|(s, _)| *s == signature);
            match previous {
                Some(kept) => result[b] = Some(kept),
                None => todo.push((b, signature, files)),
            }
        }
        let built = std::sync::Mutex::new(Vec::new());
        let uploaded = std::sync::Mutex::new((0usize, 0u64));
        let errors = self
            .storage
            .each_parallel(todo, 8, |storage, (b, signature, files)| {
                let mut contents = Vec::with_capacity(files.len());
                for (path, _) in files {
                    if let Some(bytes) = self.bytes_of(path, by_id)? {
                        contents.push((path.clone(), bytes));
                    }
                }
                let bundle = write_bundle(&contents).map_err(|source| {
                    crate::storage::StorageError::Local {
                        path: PathBuf::from(format!("bundle {b}")),
                        source,
                    }
                })?;
                let key = hash(&bundle);
                let len = bundle.len() as u64;
                if storage.put_new(&keys::blob(&key), bundle)? {
                    let mut u = uploaded
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    u.0 += 1;
                    u.1 += len;
                }
                built
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push((b, signature, key));
                Ok(())
            });
        if let Some(err) = errors.into_iter().find_map(Result::err) {
            return Err(err.into());
        }
        for (b, signature, key) in built.into_inner().unwrap_or_default() {
            result[b] = Some((signature, key));
        }
        let (n, bytes) = uploaded.into_inner().unwrap_or_default();
        outcome.bundles_uploaded += n;
        outcome.bytes_uploaded += bytes;
        Ok(result)
    }

    /// The bytes of a small file or catalog entry; `None` for a file gone since it was seen.
    fn bytes_of(
        &self,
        path: &str,
        by_id: &HashMap<&str, &SiteRef<'_>>,
    ) -> Result<Option<Vec<u8>>, crate::storage::StorageError> {
        if let Some(id) = path
            .strip_prefix(paths::SITES)
            .and_then(|p| p.strip_suffix(".json"))
        {
            return Ok(by_id.get(id).and_then(|site| serde_json::to_vec(site).ok()));
        }
        let Some(file) = self.physical(path) else {
            return Ok(None);
        };
        match std::fs::read(&file) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(crate::storage::StorageError::Local { path: file, source }),
        }
    }

    /// Writes `generation` under the next free number (after both the remembered one and any
    /// in the store, so a primary restarted with an old state never reuses a number).
    fn write_generation(
        &self,
        memory: &mut Memory,
        mut generation: Generation,
    ) -> Result<u64, SnapshotError> {
        let newest = latest(&self.storage)?.unwrap_or(0);
        let mut number = memory.last.max(newest) + 1;
        loop {
            generation.number = number;
            let bytes = serde_json::to_vec(&generation)
                .map_err(|e| SnapshotError::Corrupt(e.to_string()))?;
            if self.storage.put_new(&keys::generation(number), bytes)? {
                memory.last = number;
                return Ok(number);
            }
            number += 1;
        }
    }
}

/// The newest generation in the store.
pub fn latest(storage: &Storage) -> Result<Option<u64>, SnapshotError> {
    Ok(storage
        .list(keys::GENERATIONS, None)?
        .iter()
        .filter_map(|o| keys::generation_number(&o.key))
        .max())
}

fn is_site_path(path: &str) -> bool {
    !(path.starts_with("index/packs/") || path == "archive/deleted.jsonl")
}

/// The segment ids a tantivy `meta.json` lists, as its files name them (no hyphens).
fn segment_ids(meta: &[u8]) -> Result<HashSet<String>, SnapshotError> {
    let value: serde_json::Value = serde_json::from_slice(meta)
        .map_err(|e| SnapshotError::Corrupt(format!("meta.json: {e}")))?;
    Ok(value["segments"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["segment_id"].as_str())
        .map(|id| id.replace('-', ""))
        .collect())
}
