//! The primary's publications to object storage, in the background.
//!
//! With a `[storage]` table, the server that writes (the primary) publishes a generation of what
//! it serves ([`crate::snapshot`]) once at start and then after every change made live — an
//! approval, a revert — plus, every few seconds, whatever changed on its own (a merge of index
//! segments, rebuilt trip packs). Requests arriving while a publication runs are gathered into
//! the next one, so a burst of approvals costs a few publications, not one each. A failed
//! publication (storage unreachable) is logged and tried again; nothing is lost, since the
//! archive and index on disk are the truth and a generation only copies them.

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use actix_web::web;

use super::state::AppState;
use crate::snapshot::publish::Publisher;
use crate::snapshot::{SiteRef, gc};
use crate::storage::Storage;

/// Changes arriving this close together go into one publication.
const GATHER: Duration = Duration::from_millis(100);
/// How often files that change on their own are looked at.
const TICK: Duration = Duration::from_secs(5);
/// After a failure, the wait before trying again.
const RETRY: Duration = Duration::from_secs(2);
/// Garbage collection: how often, how many generations are kept, and how long anything stays.
const COLLECT_EVERY: Duration = Duration::from_secs(600);
const KEEP: usize = 5;
const GRACE: Duration = Duration::from_secs(900);

#[derive(Default)]
struct Pending {
    /// Look at every site (start, or after an error).
    all: bool,
    sites: HashSet<String>,
    asked: bool,
}

/// The handle the server keeps: asking for a publication never waits.
pub struct Publication {
    pending: Arc<(Mutex<Pending>, Condvar)>,
}

impl Publication {
    /// Starts the publishing thread, which publishes everything first.
    pub fn start(storage: Arc<Storage>, state: web::Data<AppState>) -> Publication {
        let pending = Arc::new((
            Mutex::new(Pending {
                all: true,
                asked: true,
                ..Pending::default()
            }),
            Condvar::new(),
        ));
        let shared = pending.clone();
        let spawned = std::thread::Builder::new()
            .name("publisher".into())
            .spawn(move || run(storage, state, shared));
        if let Err(err) = spawned {
            tracing::error!("the publisher did not start ({err}): replicas will not be updated");
        }
        Publication { pending }
    }

    pub fn request(&self, site: Option<&str>) {
        let (lock, wake) = &*self.pending;
        let mut pending = lock.lock().unwrap_or_else(PoisonError::into_inner);
        pending.asked = true;
        if let Some(id) = site {
            pending.sites.insert(id.to_owned());
        }
        wake.notify_one();
    }
}

/// `disan publish`: one publication of the archive and index as the last ingest left them.
pub fn publish_once(
    config: &crate::config::Config,
) -> Result<crate::snapshot::publish::Outcome, super::ServeError> {
    let settings = config
        .storage
        .as_ref()
        .ok_or_else(|| super::ServeError::Config("no [storage] table to publish to".into()))?;
    let storage =
        Arc::new(Storage::open(settings).map_err(|e| super::ServeError::Config(e.to_string()))?);
    let archive = crate::layout::ArchiveLayout::new(&config.archive);
    let index = crate::layout::IndexLayout::new(&config.index);
    let catalog = super::catalog::Catalog::load(&archive, &index);
    let folders: Vec<String> = catalog
        .sites()
        .map(|s| archive.display(&s.dir).to_string())
        .collect();
    let sites = site_refs(&catalog, &folders);
    Publisher::new(storage, &archive, &index)
        .publish(&sites, None)
        .map_err(|e| super::ServeError::Config(e.to_string()))
}

/// One publication of what `state` serves, holding the lock approvals take while they make a
/// change live. `changed`: the sites changed since the last one (`None`: every site).
pub fn publish_now(
    state: &AppState,
    publisher: &mut Publisher,
    changed: Option<&HashSet<String>>,
) -> Result<crate::snapshot::publish::Outcome, crate::snapshot::SnapshotError> {
    let _still = state
        .publishing
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let catalog = state.catalog();
    let folders: Vec<String> = catalog
        .sites()
        .map(|s| state.archive.display(&s.dir).to_string())
        .collect();
    publisher.publish(&site_refs(&catalog, &folders), changed)
}

fn site_refs<'a>(catalog: &'a super::catalog::Catalog, folders: &'a [String]) -> Vec<SiteRef<'a>> {
    catalog
        .sites()
        .zip(folders)
        .map(|(s, folder)| SiteRef {
            id: &s.id,
            folder,
            content_hash: &s.content_hash,
            record_hash: &s.record_hash,
            summary: &s.summary,
        })
        .collect()
}

fn run(storage: Arc<Storage>, state: web::Data<AppState>, pending: Arc<(Mutex<Pending>, Condvar)>) {
    let mut publisher = Publisher::new(storage.clone(), &state.archive, &state.index_layout);
    let mut collected = Instant::now();
    let (lock, wake) = &*pending;
    loop {
        let work = {
            let mut guard = lock.lock().unwrap_or_else(PoisonError::into_inner);
            if !guard.asked {
                guard = wake
                    .wait_timeout(guard, TICK)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            let asked = guard.asked;
            drop(guard);
            if asked {
                std::thread::sleep(GATHER);
            }
            let mut guard = lock.lock().unwrap_or_else(PoisonError::into_inner);
            std::mem::take(&mut *guard)
        };
        let started = Instant::now();
        let changed = (!work.all).then_some(&work.sites);
        let result = publish_now(&state, &mut publisher, changed);
        match result {
            Ok(outcome) => {
                state.generation.store(outcome.number, Ordering::SeqCst);
                if outcome.new_generation {
                    tracing::info!(
                        generation = outcome.number,
                        bundles = outcome.bundles_uploaded,
                        files = outcome.files_uploaded,
                        photos = outcome.photos_uploaded,
                        mb = outcome.bytes_uploaded as f64 / 1e6,
                        millis = started.elapsed().as_millis() as u64,
                        "published"
                    );
                }
                if outcome.photo_failures > 0 {
                    // Photos not uploaded are tried again with every site at the next round.
                    let mut guard = lock.lock().unwrap_or_else(PoisonError::into_inner);
                    guard.all = true;
                }
            }
            Err(err) => {
                tracing::error!(
                    "publication to {} failed (tried again): {err}",
                    storage.name()
                );
                let mut guard = lock.lock().unwrap_or_else(PoisonError::into_inner);
                guard.all |= work.all;
                guard.sites.extend(work.sites);
                guard.asked = true;
                drop(guard);
                std::thread::sleep(RETRY);
                continue;
            }
        }
        if collected.elapsed() >= COLLECT_EVERY {
            collected = Instant::now();
            match gc::collect(&storage, KEEP, GRACE, chrono::Utc::now()) {
                Ok(c) => tracing::info!(
                    generations_removed = c.generations_removed,
                    blobs_removed = c.blobs_removed,
                    "old generations collected"
                ),
                Err(err) => tracing::warn!("collecting old generations failed: {err}"),
            }
        }
    }
}
