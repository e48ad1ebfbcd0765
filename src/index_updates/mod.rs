//! Live index updates: the one task that writes the search index while the site is served.
//!
//! tantivy allows one `IndexWriter` per index, and a request handler that wrote the index would
//! hold it across a slow commit. So an [`IndexUpdater`] owns the writer on a thread of its own;
//! handlers (and moderation) only [`send`](IndexUpdater::send) a [`SiteUpdate`] over a channel
//! and return. The thread takes every update waiting, applies them — a site is replaced by
//! deleting its id's term and adding its new document — commits once, and reloads the reader,
//! so an approved site is searchable about a commit later, without a re-ingest. The next
//! `disan ingest` sees the changed `site.json` and re-indexes it the usual way.
//!
//! [`site_extras`] makes the photo facts a document needs (rendering the derivatives of photos
//! never rendered), so that an approved site shows its thumbnail straight away.

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::thread::JoinHandle;

use tantivy::IndexWriter;

use crate::ingest::manifest::hash_file;
use crate::ingest::photos::{self, PhotoMeta};
use crate::layout::{ArchiveLayout, IndexLayout};
use crate::media::Limits;
use crate::record::SiteRecord;
use crate::search::{DocumentExtras, SearchError, SearchIndex};

/// A change to apply to the index.
#[derive(Debug, Clone)]
pub enum SiteUpdate {
    /// Index this version of a site, replacing the old one (and any under its former ids).
    Upsert {
        record: Box<SiteRecord>,
        extras: DocumentExtras,
    },
    /// Remove a site from the index.
    Remove { id: String },
}

/// Why an update could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error(
        "the index commit failed: {0} — the index keeps its previous state; run `disan ingest` to catch up"
    )]
    Commit(tantivy::TantivyError),
    #[error(
        "the index update task has stopped — restart the server; `disan ingest` brings the index up to date"
    )]
    Stopped,
}

enum Message {
    Update(SiteUpdate),
    /// Answered once every message sent before it is committed and visible.
    Flush(SyncSender<Result<(), String>>),
}

/// The handle of the update task. Dropping it finishes the pending updates and stops the task.
pub struct IndexUpdater {
    sender: Option<Sender<Message>>,
    thread: Option<JoinHandle<()>>,
}

impl IndexUpdater {
    /// Takes the index's writer (failing now, not later, if another process holds it) and starts
    /// the task. `memory_budget` is tantivy's, at least 15 MB.
    pub fn spawn(
        index: Arc<SearchIndex>,
        memory_budget: usize,
    ) -> Result<IndexUpdater, UpdateError> {
        let writer = index.writer(memory_budget)?;
        let (sender, receiver) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("index-updates".into())
            .spawn(move || run(&index, writer, &receiver))
            .map_err(|e| UpdateError::Commit(tantivy::TantivyError::SystemError(e.to_string())))?;
        Ok(IndexUpdater {
            sender: Some(sender),
            thread: Some(thread),
        })
    }

    /// Queues an update and returns at once.
    pub fn send(&self, update: SiteUpdate) -> Result<(), UpdateError> {
        self.sender
            .as_ref()
            .and_then(|s| s.send(Message::Update(update)).ok())
            .ok_or(UpdateError::Stopped)
    }

    /// Waits until every update sent before is committed and searchable.
    pub fn flush(&self) -> Result<(), UpdateError> {
        let (reply, answer) = mpsc::sync_channel(1);
        self.sender
            .as_ref()
            .and_then(|s| s.send(Message::Flush(reply)).ok())
            .ok_or(UpdateError::Stopped)?;
        match answer.recv() {
            Ok(Ok(())) => Ok(()),
            Ok(Err(message)) => Err(UpdateError::Commit(tantivy::TantivyError::SystemError(
                message,
            ))),
            Err(_) => Err(UpdateError::Stopped),
        }
    }
}

impl Drop for IndexUpdater {
    fn drop(&mut self) {
        self.sender.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The task: wait for a message, take all that are waiting, apply, commit once, reload.
fn run(index: &SearchIndex, mut writer: IndexWriter, receiver: &Receiver<Message>) {
    while let Ok(first) = receiver.recv() {
        let mut waiting = Vec::new();
        let mut changed = false;
        for message in std::iter::once(first).chain(receiver.try_iter()) {
            match message {
                Message::Update(update) => {
                    apply(index, &writer, update);
                    changed = true;
                }
                Message::Flush(reply) => waiting.push(reply),
            }
        }
        let outcome = if changed {
            commit(index, &mut writer)
        } else {
            Ok(())
        };
        if let Err(err) = &outcome {
            tracing::error!("{err}");
        }
        for reply in waiting {
            let _ = reply.send(outcome.as_ref().map(|_| ()).map_err(ToString::to_string));
        }
    }
}

fn apply(index: &SearchIndex, writer: &IndexWriter, update: SiteUpdate) {
    match update {
        SiteUpdate::Upsert { record, extras } => {
            for id in std::iter::once(&record.id).chain(&record.former_ids) {
                writer.delete_term(index.id_term(id));
            }
            if let Err(err) = writer.add_document(index.document(&record, &extras)) {
                tracing::error!("site {}: cannot be indexed: {err}", record.id);
            }
        }
        SiteUpdate::Remove { id } => {
            writer.delete_term(index.id_term(&id));
        }
    }
}

fn commit(index: &SearchIndex, writer: &mut IndexWriter) -> Result<(), UpdateError> {
    if let Err(err) = writer.commit() {
        // Drop the half-applied batch; the archive still has it and ingest will catch up.
        let _ = writer.rollback();
        return Err(UpdateError::Commit(err));
    }
    index.reload()?;
    Ok(())
}

/// The photo facts of a site's document: derivatives of photos never rendered are made now
/// (named by content hash, shared with ingest), and the first photo gives the thumbnail.
/// Photos that cannot be read or rendered are left out; `disan ingest` reports them.
pub fn site_extras(
    index: &IndexLayout,
    site_dir: &Path,
    record: &SiteRecord,
    limits: &Limits,
) -> DocumentExtras {
    let photos = site_photos(index, site_dir, record, limits);
    extras_of(photos.iter().flatten().map(|(_, meta)| meta))
}

/// Every photo of a record, in record order, with its content hash and rendered derivatives;
/// `None` for one that cannot be read or rendered. Photos never rendered are rendered now.
pub fn site_photos(
    index: &IndexLayout,
    site_dir: &Path,
    record: &SiteRecord,
    limits: &Limits,
) -> Vec<Option<(String, PhotoMeta)>> {
    let hashes: Vec<Option<(String, std::path::PathBuf)>> = record
        .photos
        .iter()
        .map(|p| {
            let path = ArchiveLayout::photo(site_dir, &p.file)?;
            Some((hash_file(&path, None).ok()?.hash, path))
        })
        .collect();
    let missing: Vec<(String, std::path::PathBuf)> = hashes
        .iter()
        .flatten()
        .filter(|(hash, _)| photos::load_meta(index, hash).is_none())
        .cloned()
        .collect();
    photos::render_all(index, &missing, limits, &|| {});
    let untiled: Vec<(String, std::path::PathBuf)> = hashes
        .iter()
        .flatten()
        .filter(|(hash, _)| {
            photos::load_meta(index, hash).is_some() && !photos::has_tiles(index, hash)
        })
        .cloned()
        .collect::<std::collections::BTreeMap<_, _>>()
        .into_iter()
        .collect();
    for (hash, result) in photos::tile_all(index, &untiled, limits, &|| {}) {
        if let Err(err) = result {
            tracing::warn!("photo {hash}: shown without deep zoom: {err}");
        }
    }
    hashes
        .into_iter()
        .map(|found| {
            let (hash, _) = found?;
            let meta = photos::load_meta(index, &hash)?;
            Some((hash, meta))
        })
        .collect()
}

/// The document facts of a site whose rendered photos are `metas`, in record order.
pub fn extras_of<'a>(metas: impl IntoIterator<Item = &'a PhotoMeta>) -> DocumentExtras {
    let metas: Vec<&PhotoMeta> = metas.into_iter().collect();
    let first = metas.first();
    DocumentExtras {
        photo_count: metas.len() as u32,
        thumbnail: first
            .and_then(|m| m.files.iter().find(|f| f.mime == "image/webp"))
            .map(|f| format!("/media/{}", f.path)),
        placeholder: first.map(|m| m.placeholder.clone()),
        extra_place_names: Vec::new(),
        folder: None,
    }
}

#[cfg(test)]
mod tests;
