//! Photos new since the last publication: their derivatives, deep-zoom tiles and original, each
//! under a key derived from the photo's content, uploaded once.

use std::collections::HashSet;
use std::path::PathBuf;

use super::{Memory, Outcome, Publisher};
use crate::layout::ArchiveLayout;
use crate::snapshot::SiteRef;
use crate::storage::{Storage, keys};

impl Publisher {
    /// Derivatives, tiles and originals of photos not uploaded before. A photo that fails is
    /// tried again at the next publication.
    pub(super) fn photos(
        &self,
        memory: &mut Memory,
        sites: &[&SiteRef<'_>],
        outcome: &mut Outcome,
    ) {
        let mut todo: Vec<(String, Vec<(String, PathBuf)>)> = Vec::new();
        let mut seen = HashSet::new();
        for site in sites {
            let dir = self.archive.root().join(site.folder);
            for photo in &site.summary.photos {
                let hash = &photo.meta.hash;
                if memory.photos.contains(hash) || !seen.insert(hash.clone()) {
                    continue;
                }
                let mut files: Vec<(String, PathBuf)> = photo
                    .meta
                    .files
                    .iter()
                    .filter(|f| crate::record::validate::check_photo_path(&f.path).is_ok())
                    .map(|f| (keys::media(&f.path), self.index.media_root().join(&f.path)))
                    .collect();
                let tiles = self.index.iiif_dir(hash);
                if self.index.iiif_info(hash).is_file() {
                    let mut tile_files: Vec<(String, PathBuf)> = walkdir::WalkDir::new(&tiles)
                        .into_iter()
                        .filter_map(Result::ok)
                        .filter(|e| e.file_type().is_file())
                        .filter_map(|e| {
                            let rel = e.path().strip_prefix(self.index.media_root()).ok()?;
                            Some((keys::media(rel.to_str()?), e.into_path()))
                        })
                        .collect();
                    // info.json last: its presence means the set is complete, as on disk.
                    tile_files.sort_by_key(|(key, _)| key.ends_with("/info.json"));
                    files.extend(tile_files);
                }
                if let Some(original) = ArchiveLayout::photo(&dir, &photo.photo.file) {
                    files.push((keys::original(hash), original));
                }
                todo.push((hash.clone(), files));
            }
        }
        // Every file of every photo at once (a photo's tiles are a hundred small objects), the
        // tiles' `info.json` after the rest of its photo. With a memory of earlier
        // publications a photo not in it is new: its files are sent without asking first.
        let known_store = memory.last > 0;
        let failed = std::sync::Mutex::new(HashSet::new());
        let bytes = std::sync::Mutex::new(0u64);
        let send = |storage: &Storage, (hash, key, file): (String, String, PathBuf)| {
            let sent = if known_store {
                std::fs::read(&file)
                    .map_err(|source| crate::storage::StorageError::Local {
                        path: file.clone(),
                        source,
                    })
                    .and_then(|content| storage.put(&key, content))
                    .map(|()| true)
            } else {
                storage.put_file_new(&key, &file)
            };
            match sent {
                Ok(true) => {
                    *bytes
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner) +=
                        std::fs::metadata(&file).map_or(0, |m| m.len());
                    Ok(())
                }
                Ok(false) => Ok(()),
                Err(err) => {
                    failed
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .insert(hash);
                    Err(err)
                }
            }
        };
        let hashes: Vec<String> = todo.iter().map(|(hash, _)| hash.clone()).collect();
        let (last, first): (Vec<_>, Vec<_>) = todo
            .into_iter()
            .flat_map(|(hash, files)| files.into_iter().map(move |(k, f)| (hash.clone(), k, f)))
            .partition(|(_, key, _)| key.ends_with("/info.json"));
        let mut errors: Vec<crate::storage::StorageError> = self
            .storage
            .each_parallel(first, 16, send)
            .into_iter()
            .filter_map(Result::err)
            .collect();
        let broken = failed.lock().map(|f| f.clone()).unwrap_or_default();
        let last: Vec<_> = last
            .into_iter()
            .filter(|(h, _, _)| !broken.contains(h))
            .collect();
        errors.extend(
            self.storage
                .each_parallel(last, 16, send)
                .into_iter()
                .filter_map(Result::err),
        );
        if let Some(err) = errors.first() {
            tracing::warn!(
                "{} photo files not uploaded (tried again next time): {err}",
                errors.len()
            );
        }
        let failed = failed.into_inner().unwrap_or_default();
        outcome.photo_failures += failed.len();
        outcome.photos_uploaded += hashes.len() - failed.len();
        outcome.bytes_uploaded += bytes.into_inner().unwrap_or_default();
        let done: Vec<String> = hashes.into_iter().filter(|h| !failed.contains(h)).collect();
        memory.photos.extend(done);
    }
}
