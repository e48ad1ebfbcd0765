//! Disan without a signal: what the phone needs to keep working offline, served to visitors and
//! volunteers alike.
//!
//! - [`worker`] — the service worker (`/sw.js`, at the root scope, never cached by HTTP) with
//!   the offline search it carries, and the web app manifest with its icons;
//! - [`packs`] — trip packs: the index, the immutable commune and province files, and a
//!   selection (a search's results, a radius, one site) as the packs that hold it;
//! - [`pages`] — `/offline` (what is saved, and saving more) and `/offline/draft` (the form a
//!   volunteer fills with no network; drafts go through
//!   [`super::contribute::drafts`] once online).
//!
//! The caching strategy per kind of response is in ARCHITECTURE.md; the worker applies it.
//! Every public page and API answer says which catalog it was made from
//! ([`catalog_header`]), so the worker can drop the lists an approval made stale.

pub mod packs;
pub mod pages;
pub mod worker;

use std::sync::{Arc, Mutex, PoisonError};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;
use arc_swap::ArcSwap;

use super::state::AppState;
use crate::layout::{ArchiveLayout, IndexLayout};
use crate::packs::{Directory, PackReport, SiteSource};

/// The header naming the catalog version a response was made from.
pub const CATALOG_HEADER: &str = "x-disan-catalog";

/// The packs the server answers from, swapped after each publication.
pub struct PackShelf {
    directory: ArcSwap<Directory>,
    /// One pack update at a time (two approvals may touch the same commune).
    updates: Mutex<()>,
}

impl PackShelf {
    /// What the last build wrote; an unreadable state is logged and serves no packs.
    pub fn load(index: &IndexLayout) -> PackShelf {
        let directory = Directory::load(index).unwrap_or_else(|err| {
            tracing::error!("trip packs cannot be read: {err}");
            Directory::default()
        });
        PackShelf {
            directory: ArcSwap::from_pointee(directory),
            updates: Mutex::new(()),
        }
    }

    /// Reads the packs again (a replica, after placing a new generation's files).
    pub fn reload(&self, index: &IndexLayout) {
        match Directory::load(index) {
            Ok(directory) => self.directory.store(Arc::new(directory)),
            Err(err) => tracing::error!("trip packs cannot be read again: {err}"),
        }
    }

    pub fn directory(&self) -> Arc<Directory> {
        self.directory.load_full()
    }

    /// Rewrites the packs of a published site (and drops its former ids), then serves them.
    /// Blocks: file reads and writes.
    pub fn publish(
        &self,
        archive: &ArchiveLayout,
        index: &IndexLayout,
        site: SiteSource,
        removed: Vec<String>,
    ) -> Option<PackReport> {
        let _one_at_a_time = self.updates.lock().unwrap_or_else(PoisonError::into_inner);
        let id = site.id.clone();
        match crate::packs::update(archive, index, vec![site], removed) {
            Ok(report) => {
                for problem in &report.problems {
                    tracing::warn!("trip packs: {problem}");
                }
                match Directory::load(index) {
                    Ok(directory) => self.directory.store(Arc::new(directory)),
                    Err(err) => tracing::error!("trip packs cannot be read again: {err}"),
                }
                Some(report)
            }
            Err(err) => {
                tracing::error!("site {id}: published, but its trip pack was not updated: {err}");
                None
            }
        }
    }
}

/// Middleware: a public page or API answer carries the version of the catalog it was made
/// from, so the worker knows when its saved lists went stale.
pub async fn catalog_header(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let read = matches!(*req.method(), Method::GET | Method::HEAD);
    let version = req
        .app_data::<web::Data<AppState>>()
        .map(|state| state.catalog().version.clone());
    let mut response = next.call(req).await?;
    let made_from_catalog = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html") || t.starts_with("application/json"));
    if read
        && made_from_catalog
        && let Some(version) = version
        && let Ok(value) = HeaderValue::from_str(&version)
    {
        response
            .headers_mut()
            .insert(HeaderName::from_static(CATALOG_HEADER), value);
    }
    Ok(response)
}
