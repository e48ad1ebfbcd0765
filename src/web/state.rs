//! What every request handler shares: the search index (read only), the catalog of published
//! sites, and the stores behind contributions (accounts, inbox, moderation, the index updater)
//! and volunteer campaigns (teams, campaigns, in the private database).
//!
//! The catalog is swappable: [`AppState::replace_catalog`] publishes a new one atomically, and
//! requests already running keep the one they started with. The search index reloads itself
//! after each commit. So the one task that owns the index writer (moderation, a re-ingest) can
//! update the live site without stopping it; handlers only ever read.

use std::sync::Arc;

use actix_web::HttpRequest;
use arc_swap::ArcSwap;

use super::catalog::Catalog;
use super::client::{Client, TrustedProxies};
use super::offline::PackShelf;
use super::page_cache::PageCache;
use super::search_pool::SearchPool;
use crate::accounts::{LimiterConfig, LoginLimiter, SessionStore, UserStore};
use crate::archive::inbox::Inbox;
use crate::campaigns::Campaigns;
use crate::config::{ContributeLimits, OpenDataSettings};
use crate::index_updates::{IndexUpdater, UpdateError};
use crate::layout::{ArchiveLayout, IndexLayout};
use crate::media::Limits;
use crate::moderation::Moderation;
use crate::private_db::{DbError, PrivateDb};
use crate::search::{SearchError, SearchIndex};
use crate::teams::Teams;

/// Accounts as the web site uses them.
pub struct Accounts {
    pub users: UserStore,
    pub sessions: SessionStore,
    pub limiter: LoginLimiter,
}

pub struct AppState {
    pub index: Arc<SearchIndex>,
    catalog: ArcSwap<Catalog>,
    /// The configured public origin, without a trailing slash.
    public_url: Option<String>,
    /// The origin of absolute links without a public URL: where the server listens.
    listen_origin: String,
    /// Proxies whose forwarding headers are believed.
    pub trusted: TrustedProxies,
    /// Who may read `/metrics`.
    pub metrics_from: TrustedProxies,
    /// Counters and timings for `/metrics`.
    pub metrics: super::metrics::Metrics,
    pub media_root: std::path::PathBuf,
    /// Rendered search pages of the current catalog.
    pub search_pages: PageCache,
    /// JSON search answers of the current catalog.
    pub api_searches: PageCache,
    /// Rendered campaign pages, kept by each campaign's figures version.
    pub campaign_pages: PageCache,
    /// Rendered site pages of the current catalog.
    pub site_pages: PageCache,
    /// The threads searches run on.
    pub searches: SearchPool,
    pub archive: ArchiveLayout,
    pub index_layout: IndexLayout,
    pub accounts: Accounts,
    pub inbox: Inbox,
    pub moderation: Moderation,
    pub teams: Teams,
    pub campaigns: Campaigns,
    pub limits: ContributeLimits,
    /// The trip packs served for offline use.
    pub packs: PackShelf,
    /// Downloads, harvesting, IIIF: what the open-data handlers share.
    pub open_data: super::open_data::OpenData,
    /// The one writer of the live index; absent until [`AppState::start_updates`] (read-only
    /// servers and most tests never write).
    updater: std::sync::OnceLock<IndexUpdater>,
    /// Serialises read-modify-write changes of the catalog, so two approvals at once never
    /// publish a catalog that lacks the other's site.
    catalog_changes: std::sync::Mutex<()>,
    /// Held while a moderated change is made live and while a publication to storage reads the
    /// files, so a generation never holds half an approval.
    pub publishing: std::sync::Mutex<()>,
    /// The published generation this server serves (0: none, or no storage configured).
    pub generation: std::sync::atomic::AtomicU64,
    /// The primary's publisher, when a `[storage]` is configured.
    publication: std::sync::OnceLock<super::publisher::Publication>,
    /// Set on a read replica: where writes go.
    pub replica: Option<super::replica::ReplicaRole>,
}

/// tantivy's indexing memory for live updates: the minimum is plenty for one site at a time.
const UPDATER_MEMORY: usize = 15_000_000;

/// Why the server's shared state could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error(transparent)]
    Private(#[from] DbError),
    #[error("bringing the campaigns in step with the published sites failed: {0}")]
    Campaigns(#[from] crate::campaigns::CampaignError),
}

impl AppState {
    /// Opens the index and reads the catalog of what it holds; opens the private database and
    /// brings the campaigns' site summaries in step with the catalog.
    pub fn open(
        archive: &ArchiveLayout,
        index: &IndexLayout,
        public_url: Option<String>,
    ) -> Result<AppState, OpenError> {
        let catalog = Catalog::load(archive, index);
        AppState::open_with(archive, index, public_url, catalog)
    }

    /// Opens the index, serving `catalog` (built from the manifest of the ingest just run),
    /// and brings the campaigns in step with it.
    pub fn open_with(
        archive: &ArchiveLayout,
        index: &IndexLayout,
        public_url: Option<String>,
        catalog: Catalog,
    ) -> Result<AppState, OpenError> {
        AppState::open_as(archive, index, public_url, catalog, None)
    }

    /// Opens the state of a server in `role`: a read replica (`Some`) keeps no campaigns of its
    /// own (their pages are the primary's), so it does not bring them in step with its catalog.
    pub fn open_as(
        archive: &ArchiveLayout,
        index: &IndexLayout,
        public_url: Option<String>,
        catalog: Catalog,
        replica: Option<super::replica::ReplicaRole>,
    ) -> Result<AppState, OpenError> {
        let search = SearchIndex::open(&index.tantivy())?;
        // The media folder exists even before the first photo, so its route always works.
        let media_root = index.media_root();
        std::fs::create_dir_all(&media_root).map_err(|source| SearchError::Io {
            path: media_root.clone(),
            source,
        })?;
        let limits = ContributeLimits::default();
        let db = std::sync::Arc::new(PrivateDb::open(archive)?);
        let campaigns = Campaigns::new(db.clone());
        let now = chrono::Utc::now();
        let synced = if replica.is_none() {
            campaigns.sync_sites(catalog.sites().map(|s| (s.id.as_str(), &s.summary)), now)?
        } else {
            Default::default()
        };
        if synced.removed > 0 {
            tracing::info!(
                "campaigns: {} sites left the archive ({} tasks moved, {} closed)",
                synced.removed,
                synced.tasks_moved,
                synced.tasks_gone
            );
        }
        let inbox = Inbox::new(archive);
        let settled = if replica.is_none() {
            campaigns.reconcile(&inbox, |id| catalog.get(id).map(|s| s.summary.clone()))?
        } else {
            0
        };
        if settled > 0 {
            tracing::info!("campaigns: {settled} decisions settled after a restart");
        }
        Ok(AppState {
            index: Arc::new(search),
            catalog: ArcSwap::from_pointee(catalog),
            public_url: public_url.clone(),
            listen_origin: listen_origin("127.0.0.1:8080"),
            trusted: TrustedProxies::default(),
            metrics_from: TrustedProxies::parse(&["127.0.0.0/8".into(), "::1".into()])
                .expect("loopback parses"),
            metrics: Default::default(),
            media_root,
            search_pages: PageCache::default(),
            api_searches: PageCache::default(),
            site_pages: PageCache::default(),
            campaign_pages: PageCache::default(),
            searches: SearchPool::default(),
            archive: archive.clone(),
            index_layout: index.clone(),
            accounts: Accounts {
                users: UserStore::new(archive),
                sessions: SessionStore::new(archive, session_lifetime(&limits)),
                limiter: LoginLimiter::new(LimiterConfig::default()),
            },
            inbox: {
                let inbox = Inbox::new(archive)
                    .with_limits(media_limits(&limits))
                    .with_max_photos(limits.max_photos_per_submission)
                    .with_quotas(limits.quotas());
                inbox.load_quotas(chrono::Utc::now());
                inbox
            },
            moderation: Moderation::new(archive),
            open_data: super::open_data::OpenData::new(
                archive,
                index,
                OpenDataSettings::default(),
                public_url.clone(),
            ),
            teams: Teams::new(db),
            campaigns,
            limits,
            packs: PackShelf::load(index),
            updater: std::sync::OnceLock::new(),
            catalog_changes: std::sync::Mutex::new(()),
            publishing: std::sync::Mutex::new(()),
            generation: std::sync::atomic::AtomicU64::new(0),
            publication: std::sync::OnceLock::new(),
            replica,
        })
    }

    /// Starts publishing to storage: a first publication now, then one after every change.
    pub fn start_publication(&self, publication: super::publisher::Publication) {
        let _ = self.publication.set(publication);
    }

    /// Asks for a publication of the change of site `id` (`None`: of files not of one site),
    /// when this server publishes; it happens shortly after, in the background.
    pub fn request_publication(&self, id: Option<&str>) {
        if let Some(publication) = self.publication.get() {
            publication.request(id);
        }
    }

    /// Applies the configured contribution limits.
    pub fn with_limits(mut self, limits: ContributeLimits) -> AppState {
        self.accounts.sessions = SessionStore::new(&self.archive, session_lifetime(&limits))
            .with_idle(chrono::Duration::days(i64::from(
                limits.session_idle_days.max(1),
            )));
        self.inbox = Inbox::new(&self.archive)
            .with_limits(media_limits(&limits))
            .with_max_photos(limits.max_photos_per_submission)
            .with_quotas(limits.quotas());
        self.inbox.load_quotas(chrono::Utc::now());
        self.limits = limits;
        self
    }

    /// Applies the configured licence and contact of the open data.
    pub fn with_open_data(mut self, settings: OpenDataSettings) -> AppState {
        self.open_data = super::open_data::OpenData::new(
            &self.archive,
            &self.index_layout,
            settings,
            self.public_url.clone(),
        );
        self
    }

    /// Applies the network settings: where the server listens (the origin of absolute links
    /// when no public URL is set), the trusted proxies and who may read `/metrics`.
    pub fn with_network(
        mut self,
        bind: &str,
        trusted: TrustedProxies,
        metrics_from: TrustedProxies,
    ) -> AppState {
        self.listen_origin = listen_origin(bind);
        self.trusted = trusted;
        self.metrics_from = metrics_from;
        self
    }

    /// Bounds each page cache at `mb` MiB (0: no page is kept).
    pub fn with_page_caches(mut self, mb: u64) -> AppState {
        let bytes = mb.saturating_mul(1024 * 1024);
        self.search_pages = PageCache::with_max_bytes(bytes);
        self.api_searches = PageCache::with_max_bytes(bytes);
        self.site_pages = PageCache::with_max_bytes(bytes);
        self.campaign_pages = PageCache::with_max_bytes(bytes);
        self
    }

    /// The configured public URL, if any.
    pub fn public_url(&self) -> Option<&str> {
        self.public_url.as_deref()
    }

    /// Who sent a request: its address and whether it came over TLS, from the forwarding
    /// headers only when a trusted proxy passed it on.
    pub fn client(&self, req: &HttpRequest) -> Client {
        Client::of(req, &self.trusted)
    }

    /// Takes the index writer for live updates (approvals become searchable without a
    /// re-ingest). Fails when another process, such as a running `disan ingest`, holds it.
    pub fn start_updates(&self) -> Result<(), UpdateError> {
        if self.updater.get().is_none() {
            let updater = IndexUpdater::spawn(self.index.clone(), UPDATER_MEMORY)?;
            let _ = self.updater.set(updater);
        }
        Ok(())
    }

    /// The live index writer's handle, when this server writes the index.
    pub fn updater(&self) -> Option<&IndexUpdater> {
        self.updater.get()
    }

    /// The page caches, by the name `/metrics` gives them.
    pub fn page_caches(&self) -> [(&'static str, &PageCache); 4] {
        [
            ("search", &self.search_pages),
            ("api", &self.api_searches),
            ("site", &self.site_pages),
            ("campaign", &self.campaign_pages),
        ]
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
        self.site_pages.clear();
    }

    /// Publishes the catalog `change` makes of the current one. Changes are applied one at a
    /// time; readers are never blocked.
    pub fn update_catalog(&self, change: impl FnOnce(&Catalog) -> Catalog) {
        let _one_at_a_time = self
            .catalog_changes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let next = change(&self.catalog());
        self.replace_catalog(next);
    }

    /// Whether cookies must be `Secure`: the site is public over TLS, or this request came
    /// over TLS (directly or through a trusted proxy that says so).
    pub fn is_tls(&self, req: &HttpRequest) -> bool {
        match &self.public_url {
            Some(url) => url.starts_with("https://"),
            None => self.client(req).https,
        }
    }

    /// `https://host` for absolute links (QR codes, canonical URLs, the sitemap): the configured
    /// public URL, else the address the server listens on. Never the request's `Host` or
    /// forwarding headers: pages are cached publicly, and a forged header must not rewrite
    /// their links for everyone.
    pub fn origin(&self, _req: &HttpRequest) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| self.listen_origin.clone())
    }
}

/// `http://` and the listening address, with an unspecified address (`0.0.0.0`, `[::]`) shown
/// as loopback, as the start-up message does.
fn listen_origin(bind: &str) -> String {
    let shown = bind
        .replacen("0.0.0.0", "127.0.0.1", 1)
        .replacen("[::]", "[::1]", 1);
    format!("http://{shown}")
}

fn session_lifetime(limits: &ContributeLimits) -> chrono::Duration {
    chrono::Duration::days(i64::from(limits.session_days.max(1)))
}

fn media_limits(limits: &ContributeLimits) -> Limits {
    Limits {
        max_file_bytes: limits.max_photo_bytes(),
        max_pixels: limits.max_megapixels * 1_000_000,
    }
}
