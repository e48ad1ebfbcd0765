//! The replica's side: keeping local folders equal to the newest published generation.
//!
//! A replica owns two folders laid out like the primary's archive and index (so every page is
//! rendered by the same code from the same files) and fills them from storage: at start all of
//! a generation, later only the bundles and index files whose keys changed. Every file is placed
//! by a rename, the index's segment list (`meta.json`) last, and nothing of the previous
//! generation is deleted until the server has switched ([`Mirror::remove_stale`]): a request
//! that started on the old generation finishes on it. These folders are a cache — a replica
//! that restarts empties them and fetches everything again — so nothing is synced to disk.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use super::{Generation, PublishedSite, SnapshotError, io, paths, publish::latest, read_bundle};
use crate::layout::{ArchiveLayout, IndexLayout};
use crate::storage::{Storage, StorageError, keys};

/// The files of one bundle: path and bytes.
type BundleFiles = Vec<(String, Vec<u8>)>;

/// What one [`Mirror::apply`] changed.
#[derive(Debug, Default)]
pub struct Applied {
    pub number: u64,
    /// Everything was fetched (the first generation, or a new bucket count).
    pub full: bool,
    /// Sites added or changed, and sites gone.
    pub changed: Vec<String>,
    pub removed: Vec<String>,
    pub objects_fetched: usize,
    pub bytes_fetched: u64,
    /// Files of the previous generation that this one no longer has.
    stale: Vec<PathBuf>,
}

pub struct Mirror {
    storage: Arc<Storage>,
    archive: ArchiveLayout,
    index: IndexLayout,
    current: Option<Generation>,
    /// The files in each bucket's bundle as of `current`, with a digest of their content: a
    /// changed bundle rewrites only the files that changed in it.
    bucket_paths: Vec<HashMap<String, u64>>,
    sites: HashMap<String, PublishedSite>,
}

impl Mirror {
    /// Takes the replica's two folders, emptying what an earlier run left there (except the
    /// photos fetched so far: named by content, they stay valid). A folder that holds files and
    /// was never a replica's is refused, so a mistaken path never deletes an archive.
    pub fn open(
        storage: Arc<Storage>,
        archive: &ArchiveLayout,
        index: &IndexLayout,
    ) -> Result<Mirror, SnapshotError> {
        for root in [archive.root(), index.root()] {
            let marker = IndexLayout::replica_marker(root);
            let holds_files = std::fs::read_dir(root).is_ok_and(|mut d| d.next().is_some());
            if holds_files && !marker.is_file() {
                return Err(SnapshotError::NotAMirror(root.to_owned()));
            }
            std::fs::create_dir_all(root).map_err(io(root))?;
            for entry in std::fs::read_dir(root).map_err(io(root))?.flatten() {
                let path = entry.path();
                if path == marker || path == index.media_root() {
                    continue;
                }
                let removed = if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    std::fs::remove_dir_all(&path)
                } else {
                    std::fs::remove_file(&path)
                };
                removed.map_err(io(&path))?;
            }
            std::fs::write(
                &marker,
                b"a read replica's copy: emptied and filled again at start\n",
            )
            .map_err(io(&marker))?;
        }
        std::fs::create_dir_all(index.media_root()).map_err(io(&index.media_root()))?;
        Ok(Mirror {
            storage,
            archive: archive.clone(),
            index: index.clone(),
            current: None,
            bucket_paths: Vec::new(),
            sites: HashMap::new(),
        })
    }

    /// The generation the folders hold (0: none yet).
    pub fn number(&self) -> u64 {
        self.current.as_ref().map_or(0, |g| g.number)
    }

    pub fn sites(&self) -> impl ExactSizeIterator<Item = &PublishedSite> {
        self.sites.values()
    }

    pub fn site(&self, id: &str) -> Option<&PublishedSite> {
        self.sites.get(id)
    }

    /// The newest published generation, when it is newer than the one held.
    pub fn newer(&self) -> Result<Option<u64>, SnapshotError> {
        Ok(latest(&self.storage)?.filter(|n| *n > self.number()))
    }

    /// Brings the folders to generation `number`. The server switches to it afterwards, then
    /// calls [`Self::remove_stale`].
    pub fn apply(&mut self, number: u64) -> Result<Applied, SnapshotError> {
        let key = keys::generation(number);
        let bytes = self
            .storage
            .get(&key)?
            .ok_or_else(|| SnapshotError::Corrupt(format!("`{key}` is gone")))?;
        let generation: Generation = serde_json::from_slice(&bytes)
            .map_err(|e| SnapshotError::Corrupt(format!("`{key}`: {e}")))?;
        if generation.format != super::FORMAT {
            return Err(SnapshotError::Format {
                number,
                format: generation.format,
            });
        }
        if let Some(bad) = generation.files.keys().find(|p| !paths::is_valid(p)) {
            return Err(SnapshotError::Corrupt(format!("`{key}` names `{bad}`")));
        }
        let old = self.current.take();
        let same_count = old
            .as_ref()
            .is_some_and(|o| o.buckets.len() == generation.buckets.len());
        let mut applied = Applied {
            number,
            full: !same_count,
            ..Applied::default()
        };
        let changed: Vec<usize> = (0..generation.buckets.len())
            .filter(|&b| {
                !same_count
                    || old.as_ref().and_then(|o| o.buckets.get(b)) != Some(&generation.buckets[b])
            })
            .collect();
        // The bundles first, all of them in memory only as long as their files are placed.
        let fetched = self.fetch_bundles(&generation, &changed, &mut applied)?;
        // What the changed buckets held; what is left of it at the end is gone.
        let forgotten = self.bucket_paths.is_empty();
        let mut gone: HashMap<String, u64> = HashMap::new();
        if same_count {
            for &b in &changed {
                gone.extend(self.bucket_paths[b].drain());
            }
        } else {
            gone.extend(self.bucket_paths.drain(..).flatten());
            self.bucket_paths = vec![HashMap::new(); generation.buckets.len()];
        }
        let mut seen = HashSet::new();
        for (b, files) in fetched {
            for (path, bytes) in files {
                let digest = digest(&bytes);
                let unchanged = gone.remove(&path) == Some(digest);
                self.bucket_paths[b].insert(path.clone(), digest);
                if let Some(id) = path
                    .strip_prefix(paths::SITES)
                    .and_then(|p| p.strip_suffix(".json"))
                {
                    if forgotten {
                        seen.insert(id.to_owned());
                    }
                    if unchanged {
                        continue;
                    }
                    let site: PublishedSite = serde_json::from_slice(&bytes)
                        .map_err(|e| SnapshotError::Corrupt(format!("`{path}`: {e}")))?;
                    if site.id != id
                        || crate::record::validate::check_photo_path(&site.folder).is_err()
                    {
                        return Err(SnapshotError::Corrupt(format!(
                            "`{path}` is not site `{id}`"
                        )));
                    }
                    applied.changed.push(site.id.clone());
                    self.sites.insert(site.id.clone(), site);
                } else if !unchanged && let Some(file) = self.physical(&path) {
                    place(&file, &bytes)?;
                }
            }
        }
        for path in gone.into_keys() {
            if let Some(id) = path
                .strip_prefix(paths::SITES)
                .and_then(|p| p.strip_suffix(".json"))
            {
                self.sites.remove(id);
                applied.removed.push(id.to_owned());
            } else if let Some(file) = self.physical(&path) {
                applied.stale.push(file);
            }
        }
        if forgotten {
            // Sites held before the mirror forgot what its buckets held, and not seen again.
            let left: Vec<String> = self
                .sites
                .keys()
                .filter(|id| !seen.contains(*id))
                .cloned()
                .collect();
            for id in left {
                self.sites.remove(&id);
                applied.removed.push(id);
            }
        }
        self.fetch_files(old.as_ref(), &generation, &mut applied)?;
        self.current = Some(generation);
        Ok(applied)
    }

    /// Forgets what the folders hold, after a failed [`Self::apply`]: the next one fetches
    /// everything again.
    pub fn forget(&mut self) {
        self.current = None;
        self.bucket_paths.clear();
    }

    fn fetch_bundles(
        &self,
        generation: &Generation,
        changed: &[usize],
        applied: &mut Applied,
    ) -> Result<Vec<(usize, BundleFiles)>, SnapshotError> {
        let wanted: Vec<(usize, String)> = changed
            .iter()
            .filter_map(|&b| generation.buckets[b].clone().map(|key| (b, key)))
            .collect();
        let got = Mutex::new(Vec::with_capacity(wanted.len()));
        let bytes = Mutex::new(0u64);
        let results = self
            .storage
            .each_parallel(wanted, 16, |storage, (b, hash)| {
                let key = keys::blob(&hash);
                let bundle = storage.get(&key)?.ok_or_else(|| missing(&key))?;
                *bytes.lock().unwrap_or_else(PoisonError::into_inner) += bundle.len() as u64;
                let files = read_bundle(&bundle).map_err(|e| corrupt(&key, e))?;
                got.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push((b, files));
                Ok(())
            });
        if let Some(err) = results.into_iter().find_map(Result::err) {
            return Err(err.into());
        }
        let got = got.into_inner().unwrap_or_default();
        applied.objects_fetched += got.len();
        applied.bytes_fetched += bytes.into_inner().unwrap_or_default();
        Ok(got)
    }

    /// The files stored one object each whose content changed; the segment list last.
    fn fetch_files(
        &self,
        old: Option<&Generation>,
        generation: &Generation,
        applied: &mut Applied,
    ) -> Result<(), SnapshotError> {
        let unchanged = |path: &String| {
            old.and_then(|o| o.files.get(path)) == generation.files.get(path)
                && self.physical(path).is_some_and(|f| f.is_file())
        };
        let mut wanted: Vec<(PathBuf, String)> = generation
            .files
            .iter()
            .filter(|(path, _)| !unchanged(path))
            .filter_map(|(path, file)| Some((self.physical(path)?, file.hash.clone())))
            .collect();
        let meta = self.index.root().join(
            paths::TANTIVY_META
                .strip_prefix(paths::INDEX)
                .unwrap_or_default(),
        );
        let meta_item = wanted
            .iter()
            .position(|(file, _)| *file == meta)
            .map(|i| wanted.remove(i));
        let bytes = Mutex::new((0usize, 0u64));
        let fetch = |storage: &Storage, (file, hash): (PathBuf, String)| {
            let key = keys::blob(&hash);
            let content = storage.get(&key)?.ok_or_else(|| missing(&key))?;
            let mut b = bytes.lock().unwrap_or_else(PoisonError::into_inner);
            b.0 += 1;
            b.1 += content.len() as u64;
            drop(b);
            place(&file, &content).map_err(|e| StorageError::Local {
                path: file.clone(),
                source: std::io::Error::other(e.to_string()),
            })
        };
        let results = self.storage.each_parallel(wanted, 8, fetch);
        if let Some(err) = results.into_iter().find_map(Result::err) {
            return Err(err.into());
        }
        if let Some(item) = meta_item {
            fetch(&self.storage, item)?;
        }
        let (n, b) = bytes.into_inner().unwrap_or_default();
        applied.objects_fetched += n;
        applied.bytes_fetched += b;
        if let Some(old) = old {
            for path in old
                .files
                .keys()
                .filter(|p| !generation.files.contains_key(*p))
            {
                applied.stale.extend(self.physical(path));
            }
        }
        Ok(())
    }

    /// Deletes the files the previous generation had and this one has not; called once the
    /// server serves the new one.
    pub fn remove_stale(&self, applied: &mut Applied) {
        for file in applied.stale.drain(..) {
            if let Err(err) = std::fs::remove_file(&file)
                && err.kind() != std::io::ErrorKind::NotFound
            {
                tracing::warn!("replica: {} not removed: {err}", file.display());
            }
        }
    }

    /// A photo derivative or tile not fetched yet: from storage into the media folder.
    /// `relative` must already be checked (it comes from a validated URL). Returns whether it
    /// exists now.
    pub fn fetch_media(
        storage: &Storage,
        index: &IndexLayout,
        relative: &str,
    ) -> Result<bool, SnapshotError> {
        let file = index.media_root().join(relative);
        if file.is_file() {
            return Ok(true);
        }
        match storage.get(&keys::media(relative))? {
            Some(bytes) => {
                place(&file, &bytes)?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    fn physical(&self, path: &str) -> Option<PathBuf> {
        if let Some(rest) = path.strip_prefix(paths::INDEX) {
            Some(self.index.root().join(rest))
        } else {
            path.strip_prefix(paths::ARCHIVE)
                .map(|rest| self.archive.root().join(rest))
        }
    }
}

/// A digest of a file's content, to tell a changed file from an unchanged one.
fn digest(bytes: &[u8]) -> u64 {
    let hash = blake3::hash(bytes);
    let mut first = [0u8; 8];
    first.copy_from_slice(&hash.as_bytes()[..8]);
    u64::from_le_bytes(first)
}

/// Writes `bytes` at `file` by a rename from a temporary file beside it (no sync: a cache).
fn place(file: &std::path::Path, bytes: &[u8]) -> Result<(), SnapshotError> {
    let dir = file.parent().unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempfile_in(dir)
        .map_err(io(dir))?;
    std::io::Write::write_all(&mut tmp, bytes).map_err(io(file))?;
    tmp.persist(file).map_err(|e| io(file)(e.error))?;
    Ok(())
}

fn missing(key: &str) -> StorageError {
    StorageError::Local {
        path: PathBuf::from(key),
        source: std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "named by the generation but not in storage (collected too early?)",
        ),
    }
}

fn corrupt(key: &str, err: SnapshotError) -> StorageError {
    StorageError::Local {
        path: PathBuf::from(key),
        source: std::io::Error::other(err.to_string()),
    }
}
