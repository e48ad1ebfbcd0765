//! `disan serve --replica`: a read replica, holding nothing of its own.
//!
//! It fills its folders from the newest generation in storage ([`Mirror`]), serves every public
//! page, the JSON API, trip packs, harvesting and IIIF exactly as the primary renders them, and
//! looks for a newer generation every `poll_ms`: only the changed bundles and index files are
//! fetched, placed beside the served ones, and then the server switches — the index reader is
//! reloaded and the catalog swapped, the order the primary itself uses after an approval — and
//! only then are the previous generation's leftovers deleted.
//!
//! Photos are fetched from storage the first time one is asked for and kept (their names derive
//! from their content, so a kept copy never goes stale), then served with the same headers as
//! on the primary. Serving them through the replica rather than redirecting to the bucket keeps
//! one origin (the pages' Content-Security-Policy allows images from the site only), keeps the
//! bucket private, and lets the phones' service worker cache them as it does on one server.
//! A photo no published site shows (withdrawn by a revert) is not served, even if kept.
//!
//! Writes and private pages are the primary's: a replica that receives one (the load balancer
//! sends them to the primary; someone reached a replica directly) answers `307` to the same
//! path on the primary, which keeps the method and body of a form.

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};
use arc_swap::ArcSwap;

use super::ServeError;
use super::catalog::{Catalog, Site};
use super::state::AppState;
use crate::config::Config;
use crate::layout::{ArchiveLayout, IndexLayout};
use crate::snapshot::mirror::{Applied, Mirror};
use crate::storage::Storage;

/// Paths whose pages are private or write: the primary's.
pub const PRIMARY_PATHS: &[&str] = &[
    "/login",
    "/logout",
    "/account",
    "/contribute",
    "/moderate",
    "/teams",
    "/campaigns",
    "/join",
    "/my-tasks",
    "/data",
];

/// What a replica's requests need to know.
pub struct ReplicaRole {
    pub primary_url: Option<String>,
    pub storage: Arc<Storage>,
    /// Content hashes of the photos published sites show.
    live_photos: ArcSwap<HashSet<String>>,
}

impl ReplicaRole {
    pub fn new(
        primary_url: Option<String>,
        storage: Arc<Storage>,
        catalog: &Catalog,
    ) -> ReplicaRole {
        ReplicaRole {
            primary_url: primary_url.map(|u| u.trim_end_matches('/').to_owned()),
            storage,
            live_photos: ArcSwap::from_pointee(live_photos(catalog)),
        }
    }

    fn shows(&self, hash: &str) -> bool {
        self.live_photos.load().contains(hash)
    }
}

/// Whether a request is the primary's to answer.
pub fn is_primary_route(method: &Method, path: &str) -> bool {
    let write = !matches!(*method, Method::GET | Method::HEAD);
    write
        || PRIMARY_PATHS.iter().any(|p| {
            path.strip_prefix(p)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
}

/// Middleware of a replica: writes and private pages go to the primary; photos are fetched
/// from storage on first use.
pub async fn at_the_replica(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let Some(role) = state.replica.as_ref() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let path = req.path().to_owned();
    if is_primary_route(req.method(), &path) {
        let response = match &role.primary_url {
            Some(primary) => {
                let target = match req.query_string() {
                    "" => format!("{primary}{path}"),
                    query => format!("{primary}{path}?{query}"),
                };
                HttpResponse::TemporaryRedirect()
                    .insert_header(("Location", target))
                    .insert_header(("Cache-Control", "no-store"))
                    .finish()
            }
            None => HttpResponse::ServiceUnavailable()
                .insert_header(("Cache-Control", "no-store"))
                .body("This is a read replica: writes and private pages are on the primary."),
        };
        return Ok(req.into_response(response));
    }
    if let Some((relative, hash)) = media_file(&state.index_layout, &path) {
        if !role.shows(&hash) {
            let response = HttpResponse::NotFound()
                .insert_header(("Cache-Control", "no-store"))
                .finish();
            return Ok(req.into_response(response));
        }
        let storage = role.storage.clone();
        let index = state.index_layout.clone();
        let fetched = web::block(move || Mirror::fetch_media(&storage, &index, &relative)).await;
        if let Ok(Err(err)) = fetched {
            tracing::warn!("replica: a photo could not be fetched from storage: {err}");
        }
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

/// The file below `index/media/` a `/media/…` or IIIF URL names, and the content hash of the
/// photo it comes from; `None` for any other URL, or one that is not valid.
fn media_file(index: &IndexLayout, path: &str) -> Option<(String, String)> {
    if let Some(rest) = path.strip_prefix("/media/") {
        let plain = crate::record::validate::check_photo_path(rest).is_ok()
            && super::assets::is_derivative(std::path::Path::new(rest));
        // `<shard>/<hash>-<long edge>.<extension>`
        let hash = rest
            .rsplit('/')
            .next()?
            .split(['-', '.'])
            .next()?
            .to_owned();
        return plain.then(|| (rest.to_owned(), hash));
    }
    let rest = path.strip_prefix("/iiif/img/")?;
    let (hash, request) = rest.split_once('/')?;
    let file = index.iiif_file(hash, request)?;
    let relative = file
        .strip_prefix(index.media_root())
        .ok()?
        .to_str()?
        .to_owned();
    Some((relative, hash.to_owned()))
}

/// The catalog of what the mirror holds.
pub fn catalog_of(mirror: &Mirror, archive: &ArchiveLayout) -> Catalog {
    Catalog::from_sites(mirror.sites().map(|s| site_of(s, archive)).collect())
}

fn site_of(site: &crate::snapshot::PublishedSite, archive: &ArchiveLayout) -> Site {
    let mut out = Site::new(
        site.id.clone(),
        archive.root().join(&site.folder),
        site.content_hash.clone(),
        site.summary.clone(),
    );
    out.record_hash = site.record_hash.clone();
    out
}

fn live_photos(catalog: &Catalog) -> HashSet<String> {
    catalog
        .sites()
        .flat_map(|s| s.photos().iter().map(|p| p.meta.hash.clone()))
        .collect()
}

/// Switches the server to what `applied` placed, then removes the leftovers.
pub fn switch(state: &AppState, mirror: &Mirror, mut applied: Applied) {
    if let Err(err) = state.index.reload() {
        tracing::error!(
            "replica: the index of generation {} cannot be read: {err}",
            applied.number
        );
    }
    // A few changed sites are swapped into the current catalog (neighbours recomputed only
    // where they can change); anything more is a new catalog.
    let few = applied.removed.is_empty() && applied.changed.len() <= 64 && !applied.full;
    let catalog = if few {
        let mut next: Option<Catalog> = None;
        for id in &applied.changed {
            let Some(site) = mirror.site(id) else {
                continue;
            };
            let base = match &next {
                Some(c) => c.replacing(site_of(site, &state.archive), None),
                None => state
                    .catalog()
                    .replacing(site_of(site, &state.archive), None),
            };
            next = Some(base);
        }
        next
    } else {
        Some(catalog_of(mirror, &state.archive))
    };
    if let Some(catalog) = catalog {
        if let Some(role) = &state.replica {
            role.live_photos.store(Arc::new(live_photos(&catalog)));
        }
        state.replace_catalog(catalog);
    }
    state.packs.reload(&state.index_layout);
    state.generation.store(applied.number, Ordering::SeqCst);
    mirror.remove_stale(&mut applied);
}

/// `disan serve --replica`.
pub fn serve_replica(config: &Config) -> Result<(), ServeError> {
    let settings = config.storage.as_ref().ok_or_else(|| {
        ServeError::Config(
            "a replica needs a [storage] table to read the primary's generations".into(),
        )
    })?;
    let storage = Arc::new(Storage::open(settings).map_err(|e| ServeError::Config(e.to_string()))?);
    let archive = ArchiveLayout::new(&config.archive);
    let index = IndexLayout::new(&config.index);
    let mut mirror = Mirror::open(storage.clone(), &archive, &index)
        .map_err(|e| ServeError::Config(e.to_string()))?;
    let poll = Duration::from_millis(config.replica.poll_ms.max(50));
    let started = std::time::Instant::now();
    let first = loop {
        match mirror.newer() {
            Ok(Some(number)) => match mirror.apply(number) {
                Ok(applied) => break applied,
                Err(err) => {
                    eprintln!("generation {number} could not be fetched ({err}); trying again")
                }
            },
            Ok(None) => eprintln!(
                "waiting for the primary's first publication in {}…",
                storage.name()
            ),
            Err(err) => eprintln!(
                "storage {} cannot be read ({err}); trying again",
                storage.name()
            ),
        }
        std::thread::sleep(poll.max(Duration::from_millis(500)));
    };
    eprintln!(
        "generation {}: {} sites, {} objects ({:.1} MB) fetched in {:.1} s",
        first.number,
        mirror.sites().len(),
        first.objects_fetched,
        first.bytes_fetched as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    let catalog = catalog_of(&mirror, &archive);
    let role = ReplicaRole::new(
        config.replica.primary_url.clone(),
        storage.clone(),
        &catalog,
    );
    let (trusted, metrics_from) = super::network_settings(config)?;
    let state = AppState::open_as(
        &archive,
        &index,
        config.public_url.clone(),
        catalog,
        Some(role),
    )?
    .with_limits(config.contribute)
    .with_open_data(config.open_data.clone())
    .with_network(&config.bind, trusted, metrics_from)
    .with_page_caches(config.page_cache_mb);
    state.generation.store(first.number, Ordering::SeqCst);
    let state = web::Data::new(state);
    let mut first = first;
    mirror.remove_stale(&mut first);
    follow(mirror, state.clone(), poll);
    super::run_until_stopped(config, state, "Replica serving")
}

/// The thread that follows the primary's publications.
fn follow(mirror: Mirror, state: web::Data<AppState>, poll: Duration) {
    let mirror = Mutex::new(mirror);
    let spawned = std::thread::Builder::new()
        .name("replica-follow".into())
        .spawn(move || {
            loop {
                std::thread::sleep(poll);
                let mut mirror = mirror.lock().unwrap_or_else(PoisonError::into_inner);
                let newer = match mirror.newer() {
                    Ok(newer) => newer,
                    Err(err) => {
                        tracing::warn!("replica: storage cannot be read: {err}");
                        continue;
                    }
                };
                let Some(number) = newer else { continue };
                let started = std::time::Instant::now();
                match mirror.apply(number) {
                    Ok(applied) => {
                        let (objects, bytes) = (applied.objects_fetched, applied.bytes_fetched);
                        switch(&state, &mirror, applied);
                        tracing::info!(
                            generation = number,
                            objects,
                            kb = bytes / 1000,
                            millis = started.elapsed().as_millis() as u64,
                            "replica switched"
                        );
                    }
                    Err(err) => {
                        // Half-placed files are unused (the segment list is placed last, the
                        // catalog not switched); the next attempt fetches everything again.
                        tracing::warn!("replica: generation {number} not applied: {err}");
                        mirror.forget();
                    }
                }
            }
        });
    if let Err(err) = spawned {
        tracing::error!("replica: cannot follow the primary ({err})");
    }
}
