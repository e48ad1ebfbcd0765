//! What every request handler shares: the search index (read only) and the catalog of
//! published sites.
//!
//! The catalog is swappable: [`AppState::replace_catalog`] publishes a new one atomically, and
//! requests already running keep the one they started with. The search index reloads itself
//! after each commit. So the one task that owns the index writer (moderation, a re-ingest) can
//! update the live site without stopping it; handlers only ever read.

use std::sync::Arc;

use actix_web::HttpRequest;
use arc_swap::ArcSwap;

use super::catalog::Catalog;
use super::page_cache::PageCache;
use crate::layout::{ArchiveLayout, IndexLayout};
use crate::search::{SearchError, SearchIndex};

pub struct AppState {
    pub index: SearchIndex,
    catalog: ArcSwap<Catalog>,
    /// The configured public origin, without a trailing slash.
    public_url: Option<String>,
    pub media_root: std::path::PathBuf,
    /// Rendered search pages of the current catalog.
    pub search_pages: PageCache,
    /// JSON search answers of the current catalog.
    pub api_searches: PageCache,
}

impl AppState {
    /// Opens the index and reads the catalog of what it holds.
    pub fn open(
        archive: &ArchiveLayout,
        index: &IndexLayout,
        public_url: Option<String>,
    ) -> Result<AppState, SearchError> {
        let search = SearchIndex::open(&index.tantivy())?;
        // The media folder exists even before the first photo, so its route always works.
        let media_root = index.media_root();
        std::fs::create_dir_all(&media_root).map_err(|source| SearchError::Io {
            path: media_root.clone(),
            source,
        })?;
        let catalog = Catalog::load(archive, index);
        Ok(AppState {
            index: search,
            catalog: ArcSwap::from_pointee(catalog),
            public_url,
            media_root,
            search_pages: PageCache::default(),
            api_searches: PageCache::default(),
        })
    }

    /// The catalog as of now; hold it for the whole request so one page sees one version.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.catalog.load_full()
    }

    /// Publishes a new catalog to every later request.
    pub fn replace_catalog(&self, catalog: Catalog) {
        self.catalog.store(Arc::new(catalog));
        self.search_pages.clear();
        self.api_searches.clear();
    }

    /// `https://host` for absolute links (QR codes, canonical URLs, the sitemap): the configured
    /// public URL, else what the request says it asked for.
    pub fn origin(&self, req: &HttpRequest) -> String {
        match &self.public_url {
            Some(url) => url.clone(),
            None => {
                let info = req.connection_info();
                format!("{}://{}", info.scheme(), info.host())
            }
        }
    }
}
