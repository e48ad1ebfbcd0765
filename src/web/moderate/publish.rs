//! Making a moderated change live: what happens after [`crate::moderation`] has written the
//! archive, so the change is searchable and shown within seconds, without a re-ingest.
//!
//! The site's photos are rendered (only contents never rendered before), the index update task
//! is sent the new document and waited for ([`IndexUpdater::flush`]), a catalog with this one
//! site replaced is published, and the site's commune gets a new trip pack. The handler never
//! touches the index writer; the order — index first, pages second, trip packs last — means a
//! page never links to a search that cannot find it. Everything here blocks (file reads, image
//! work, a commit), so callers run it through `web::block`.

use std::time::Instant;

use crate::description;
use crate::index_updates::{self, IndexUpdater, SiteUpdate, UpdateError};
use crate::ingest::manifest::hash_bytes;
use crate::ingest::photos::PhotoMeta;
use crate::ingest::summary::SiteSummary;
use crate::layout::ArchiveLayout;
use crate::media::Limits;
use crate::moderation::Applied;
use crate::packs::{Place, SiteSource};
use crate::web::catalog::{self, Catalog, Site};
use crate::web::state::AppState;

/// What publishing did, for the moderator's confirmation and the log.
#[derive(Debug, Clone, Copy)]
pub struct Published {
    /// The search index has the change (false when this server does not write the index: the
    /// next `disan ingest` or restart brings it in).
    pub searchable: bool,
    /// Milliseconds spent rendering photos, indexing and publishing the catalog.
    pub millis: u128,
}

/// Publishes the site an approval or a revert has just written. The archive change is done
/// whatever happens here: an index that cannot take it is logged (the next ingest catches up)
/// and the pages still show it.
pub fn publish(state: &AppState, applied: &Applied) -> Published {
    let started = Instant::now();
    // A publication to storage never reads this change half made.
    let _whole = state
        .publishing
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let record = &applied.record;
    let limits = Limits::default();
    let photos =
        index_updates::site_photos(&state.index_layout, &applied.site_dir, record, &limits);
    let searchable = match state.updater() {
        Some(updater) => match index(updater, state, applied, &photos) {
            Ok(()) => true,
            Err(err) => {
                tracing::error!("site {}: saved, but not indexed: {err}", record.id);
                false
            }
        },
        None => {
            tracing::warn!(
                "site {}: saved, but this server does not write the index; run `disan ingest`",
                record.id
            );
            false
        }
    };
    let record_hash = record_hash(applied);
    let site = catalog_site(applied, &photos, &record_hash);
    // The description is rendered here, once, never on a page view.
    description::ensure(&state.index_layout, &site.record_hash, record);
    let written = std::sync::Arc::new(applied.record.clone());
    // Campaign figures follow the site as the catalog shows it (with its photos' GPS).
    let shown = site.summary.clone();
    let mut withdrawn = Vec::new();
    state.update_catalog(|current| {
        let next = current.replacing(site, Some(written));
        withdrawn = withdrawn_photos(current, &next, &record.id);
        next
    });
    // After the swap, so no page still links to them.
    for meta in withdrawn {
        withdraw(state, &meta);
    }
    // Trip packs last: a phone updating its packs finds the site its pages already show.
    let source = SiteSource {
        id: record.id.clone(),
        dir: state.archive.display(&applied.site_dir).to_string(),
        record_hash,
        photos: photos
            .iter()
            .map(|p| p.as_ref().map(|(hash, _)| hash.clone()))
            .collect(),
        place: Some(Place::of(record)),
    };
    state.packs.publish(
        &state.archive,
        &state.index_layout,
        source,
        record.former_ids.clone(),
    );
    state.open_data.refresh(&state.catalog().version);
    if let Err(err) = state
        .campaigns
        .site_changed(&record.id, &shown, chrono::Utc::now())
    {
        tracing::error!(
            "site {}: published, but campaign figures not updated: {err}",
            record.id
        );
    }
    state.request_publication(Some(&record.id));
    let millis = started.elapsed().as_millis();
    tracing::info!(site = %record.id, millis, "moderated change published");
    Published { searchable, millis }
}

/// Photos the site showed before this change and no published site shows after it.
fn withdrawn_photos(before: &Catalog, after: &Catalog, id: &str) -> Vec<PhotoMeta> {
    let Some(old) = before.get(id) else {
        return Vec::new();
    };
    let kept = |hash: &str, site: &Site| site.photos().iter().any(|p| p.meta.hash == hash);
    let mut gone: Vec<&PhotoMeta> = old
        .photos()
        .iter()
        .map(|p| &p.meta)
        .filter(|meta| after.get(id).is_none_or(|new| !kept(&meta.hash, new)))
        .collect();
    // Most changes withdraw nothing and never look further; a photo that left this site may
    // still be shown by another one.
    for site in after.sites() {
        if gone.is_empty() {
            break;
        }
        gone.retain(|meta| !kept(&meta.hash, site));
    }
    gone.into_iter().cloned().collect()
}

/// Deletes a withdrawn photo's derivatives and sidecar: its URLs answer 404 from now on.
fn withdraw(state: &AppState, meta: &PhotoMeta) {
    let media = &state.media_root;
    let files = meta
        .files
        .iter()
        .map(|f| media.join(&f.path))
        .chain(std::iter::once(state.index_layout.photo_meta(&meta.hash)));
    for file in files {
        if let Err(err) = std::fs::remove_file(&file)
            && err.kind() != std::io::ErrorKind::NotFound
        {
            tracing::error!(
                "{}: a withdrawn photo could not be deleted: {err}",
                file.display()
            );
        }
    }
}

fn index(
    updater: &IndexUpdater,
    state: &AppState,
    applied: &Applied,
    photos: &[Option<(String, crate::ingest::photos::PhotoMeta)>],
) -> Result<(), UpdateError> {
    let mut extras = index_updates::extras_of(photos.iter().flatten().map(|(_, meta)| meta));
    extras.folder = Some(state.archive.display(&applied.site_dir).to_string());
    updater.send(SiteUpdate::Upsert {
        record: Box::new(applied.record.clone()),
        extras,
    })?;
    updater.flush()
}

/// The hash of the `site.json` just written; if it cannot be read back the record's own JSON
/// stands in, which only changes the page's ETag and makes the next ingest redo its pack.
fn record_hash(applied: &Applied) -> String {
    let site_json = ArchiveLayout::site_file(&applied.site_dir);
    std::fs::read(&site_json)
        .map(|bytes| hash_bytes(&bytes))
        .unwrap_or_else(|_| hash_bytes(&serde_json::to_vec(&applied.record).unwrap_or_default()))
}

/// The catalog entry of the written site, as the next ingest will summarise it.
fn catalog_site(
    applied: &Applied,
    photos: &[Option<(String, crate::ingest::photos::PhotoMeta)>],
    record_hash: &str,
) -> Site {
    let record = &applied.record;
    let rendered: Vec<_> = photos
        .iter()
        .map(|p| p.as_ref().map(|(_, meta)| meta.clone()))
        .collect();
    let hashes = photos.iter().flatten().map(|(hash, _)| hash.as_str());
    let content_hash = catalog::content_hash(record_hash, hashes);
    let mut site = Site::new(
        record.id.clone(),
        applied.site_dir.clone(),
        content_hash,
        SiteSummary::of(record, &rendered),
    );
    site.record_hash = record_hash.to_owned();
    site
}
