//! Open data on the web: the `/data` page and its downloads, a search's results as a file,
//! the OAI-PMH endpoint, IIIF manifests, collections and deep-zoom tiles, and citations in
//! the formats reference managers import. Each handler reads its request, makes one call into
//! [`crate::open_data`] and sends the answer; everything meant for other programs is served
//! with `Access-Control-Allow-Origin: *`, as IIIF viewers and harvesters on other sites need.
//!
//! [`OpenData`] is what the handlers share: the configured licence and contact, the current
//! downloads, and the task that makes them again after a publication (one run at a time; a
//! publication during a run asks for one more run, never for a pile of them).

pub mod citations;
pub mod data_page;
pub mod iiif;
pub mod oai;
pub mod search_export;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwapOption;

use crate::config::OpenDataSettings;
use crate::layout::{ArchiveLayout, IndexLayout};
use crate::open_data::downloads::{self, Downloads};
use crate::open_data::export::Context;
use crate::open_data::licence::Licence;

/// The header that lets pages on other sites (IIIF viewers, notebooks) read an answer.
pub const ANY_ORIGIN: (&str, &str) = ("Access-Control-Allow-Origin", "*");

/// Search downloads streaming at once, at most: each holds a thread reading the archive.
const MAX_EXPORTS: usize = 4;

/// What the open-data handlers share.
pub struct OpenData {
    inner: Arc<Inner>,
}

struct Inner {
    archive: ArchiveLayout,
    index: IndexLayout,
    settings: OpenDataSettings,
    /// The configured public origin, for links in the downloads (relative without one).
    public_url: Option<String>,
    current: ArcSwapOption<Downloads>,
    /// Whether a run is going, and the catalogue version a run asked for meanwhile.
    refresh: Mutex<(bool, Option<String>)>,
    exports: AtomicUsize,
}

/// A place among the streaming search downloads; given back when dropped.
pub struct ExportPermit {
    inner: Arc<Inner>,
}

impl Drop for ExportPermit {
    fn drop(&mut self) {
        self.inner.exports.fetch_sub(1, Ordering::SeqCst);
    }
}

impl OpenData {
    pub fn new(
        archive: &ArchiveLayout,
        index: &IndexLayout,
        settings: OpenDataSettings,
        public_url: Option<String>,
    ) -> OpenData {
        OpenData {
            inner: Arc::new(Inner {
                archive: archive.clone(),
                index: index.clone(),
                current: ArcSwapOption::from(downloads::load(index).map(Arc::new)),
                settings,
                public_url,
                refresh: Mutex::new((false, None)),
                exports: AtomicUsize::new(0),
            }),
        }
    }

    pub fn licence(&self) -> Licence {
        self.inner.settings.licence()
    }

    /// Who runs the archive: the configured address, else `webmaster@` the host of `origin`.
    pub fn contact_email(&self, origin: &str) -> String {
        if let Some(email) = &self.inner.settings.contact_email {
            return email.clone();
        }
        let host = origin
            .split_once("://")
            .map_or(origin, |(_, h)| h)
            .split([':', '/'])
            .next()
            .unwrap_or("localhost");
        format!("webmaster@{host}")
    }

    /// The downloads as last made.
    pub fn downloads(&self) -> Option<Arc<Downloads>> {
        self.inner.current.load_full()
    }

    /// Makes the downloads again in the background unless they already show `version` of the
    /// catalogue.
    pub fn refresh_if_stale(&self, version: &str) {
        let fresh = self
            .downloads()
            .is_some_and(|d| d.source_version == version);
        if !fresh {
            self.refresh(version);
        }
    }

    /// Makes the downloads again in the background (after a publication).
    pub fn refresh(&self, version: &str) {
        {
            let mut state = self
                .inner
                .refresh
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if state.0 {
                state.1 = Some(version.to_owned());
                return;
            }
            state.0 = true;
        }
        let inner = self.inner.clone();
        let mut version = version.to_owned();
        let spawned = std::thread::Builder::new()
            .name("open-data".into())
            .spawn(move || {
                super::background::yield_to_visitors();
                loop {
                    inner.make(&version);
                    let mut state = inner
                        .refresh
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    match state.1.take() {
                        Some(next) => version = next,
                        None => {
                            state.0 = false;
                            return;
                        }
                    }
                }
            });
        if let Err(err) = spawned {
            tracing::error!("the downloads cannot be made: no thread: {err}");
            self.inner
                .refresh
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0 = false;
        }
    }

    /// Makes the downloads now, on this thread (tests, and a server's first start).
    pub fn refresh_now(&self, version: &str) {
        self.inner.make(version);
    }

    /// A place for one more streaming search download, or `None` when all are taken.
    pub fn export_permit(&self) -> Option<ExportPermit> {
        let taken = self.inner.exports.fetch_add(1, Ordering::SeqCst);
        let permit = ExportPermit {
            inner: self.inner.clone(),
        };
        (taken < MAX_EXPORTS).then_some(permit)
    }
}

impl Inner {
    fn make(&self, version: &str) {
        let started = std::time::Instant::now();
        let context = Context {
            origin: self.public_url.clone().unwrap_or_default(),
            title: "Disan — di tích và địa chỉ đỏ Việt Nam".to_owned(),
            licence: self.settings.licence(),
            made: chrono::Utc::now(),
        };
        match downloads::make(&self.archive, &self.index, &context, version) {
            Ok(made) => {
                tracing::info!(
                    sites = made.sites(),
                    millis = started.elapsed().as_millis() as u64,
                    "open data downloads made"
                );
                for problem in &made.problems {
                    tracing::warn!("downloads: {problem}");
                }
                self.current.store(Some(Arc::new(made)));
            }
            Err(err) => tracing::error!("{err}"),
        }
    }
}
