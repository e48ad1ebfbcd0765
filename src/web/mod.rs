//! The public web site and JSON API (`disan serve`): what tourists, students and volunteers
//! see, built for cheap phones on slow networks.
//!
//! Server-rendered HTML that works without JavaScript, in Vietnamese and English; a little
//! progressive JavaScript for suggestions, "near me" and photo swiping; no third-party
//! requests. Handlers only read: the search index (which ingest writes) and the [`catalog`] of
//! published sites.
//!
//! - [`routes`] — the URL map; [`pages`], [`site_page`], [`search_page`] — the HTML pages;
//!   [`api`] — JSON; [`qr`], [`seo`], [`cite`] — plaques, crawlers, references;
//! - [`auth`] and [`login`] — sessions, roles and CSRF; [`contribute`] — volunteers' forms and
//!   photo uploads (plain multipart, or resumable chunks from the page's script);
//! - [`render`] and [`views`] — templates and their typed contexts; [`i18n`] — the two
//!   languages; [`assets`] and [`map`] — embedded static files and the tile-free map;
//! - [`moderate`] — the moderators' queue and decisions, site histories and reverts, the
//!   "needs help" list;
//! - [`offline`] — the service worker, the app manifest, trip packs and the offline pages;
//! - [`open_data`] — the `/data` downloads, a search's results as a file, OAI-PMH, IIIF
//!   manifests and deep-zoom tiles, citations for reference managers;
//! - [`teams`] — leaders' pages, invitations and joining, public team pages; [`campaigns`] —
//!   campaign progress pages, task lists and claims, a volunteer's own page, reports;
//!   [`account`] — choosing one's password;
//! - [`error`] — the one table from failure to code and HTTP status;
//! - [`state`] and [`catalog`] — what requests share;
//! - [`publisher`] — the primary's publications to object storage; [`replica`] — a read
//!   replica's mirror of them, and where it sends writes.

pub mod account;
pub mod api;
pub mod assets;
pub mod auth;
pub mod background;
pub mod campaigns;
pub mod catalog;
pub mod cite;
pub mod client;
pub mod contribute;
pub mod error;
pub mod headers;
pub mod i18n;
pub mod login;
pub mod map;
pub mod metrics;
pub mod moderate;
pub mod offline;
pub mod open_data;
pub mod page_cache;
pub mod pages;
pub mod publisher;
pub mod qr;
pub mod render;
pub mod replica;
pub mod routes;
pub mod search_page;
pub mod search_pool;
pub mod seo;
pub mod site_page;
pub mod state;
pub mod teams;
pub mod views;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Compress, DefaultHeaders};
use actix_web::{App, HttpServer, web};

use crate::config::Config;
use crate::ingest::{self, IngestError, IngestOptions};
use crate::layout::{ArchiveLayout, IndexLayout};
use crate::search::SearchError;
pub use state::AppState;

/// Content-Security-Policy: scripts and styles only from this origin (no inline script);
/// inline `style` attributes carry placeholder colours and map positions. No frames, no
/// plugins, no form posts elsewhere.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("bringing the index up to date failed")]
    Ingest(#[from] IngestError),
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error(transparent)]
    Open(#[from] state::OpenError),
    #[error(
        "cannot listen on {bind}: {source} — is another server using it? pick another with --bind"
    )]
    Bind {
        bind: String,
        source: std::io::Error,
    },
    #[error(
        "cannot take the index for live updates: {0} — is `disan ingest` or another server running on this index?"
    )]
    Updates(#[from] crate::index_updates::UpdateError),
    #[error("{0} — see the [serve] table in README.md")]
    Config(String),
    #[error("the server stopped: {0}")]
    Io(#[from] std::io::Error),
}

/// The application with its middleware: security headers on every response, then
/// compression. Used by [`serve`] and by the tests, so they test exactly what runs.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let media_root = state.media_root.clone();
    App::new()
        .app_data(state)
        .app_data(
            web::QueryConfig::default()
                .error_handler(|err, _req| actix_web::error::ErrorBadRequest(err)),
        )
        .configure(move |cfg| routes::configure(cfg, &media_root))
        .wrap(actix_web::middleware::from_fn(replica::at_the_replica))
        .wrap(actix_web::middleware::from_fn(offline::catalog_header))
        .wrap(actix_web::middleware::from_fn(auth::same_origin_writes))
        .wrap(Compress::default())
        .wrap(security_headers())
        .wrap(actix_web::middleware::from_fn(headers::at_the_door))
        .wrap(actix_web::middleware::from_fn(metrics::observe))
}

/// The security headers, in one place.
pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("Content-Security-Policy", CSP))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "strict-origin-when-cross-origin"))
        .add(("X-Frame-Options", "DENY"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(self)",
        ))
}

/// Runs blocking work (the private database, files) off the request threads; its error is a
/// [`error::WebError`].
pub async fn blocking<T, E>(
    work: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, error::WebError>
where
    T: Send + 'static,
    E: Into<error::WebError> + Send + 'static,
{
    match web::block(work).await {
        Ok(result) => result.map_err(Into::into),
        Err(_) => Err(error::WebError::Unavailable),
    }
}

/// What the campaigns need done by the clock: a minute after a claim's time is up it is
/// released (every claim is also checked whenever its task is touched), and each new day gets
/// a snapshot of every campaign's figures, so the progress chart has a point even on a day
/// without changes.
fn campaign_clock(state: web::Data<AppState>) {
    let spawned = std::thread::Builder::new()
        .name("campaign-clock".into())
        .spawn(move || {
            let mut day = None;
            loop {
                let now = chrono::Utc::now();
                if let Err(err) = state.campaigns.expire_claims(now) {
                    tracing::error!("releasing expired claims failed: {err}");
                }
                let today = crate::private_db::day_of(now);
                if day != Some(today) {
                    match state.campaigns.snapshot_all(now) {
                        Ok(()) => day = Some(today),
                        Err(err) => tracing::error!("daily campaign snapshots failed: {err}"),
                    }
                }
                std::thread::sleep(std::time::Duration::from_secs(60));
            }
        });
    if let Err(err) = spawned {
        tracing::error!("campaign clock not started ({err}); claims expire when touched");
    }
}

/// Staged uploads are given up a day after their last byte, while the server runs (not only
/// at its next start).
fn sweep_every_hour(inbox: crate::archive::inbox::Inbox) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
            match inbox.recover(STALE_UPLOADS, std::time::SystemTime::now()) {
                Ok(0) => {}
                Ok(n) => tracing::info!(removed = n, "swept unfinished uploads"),
                Err(err) => tracing::warn!("could not sweep unfinished uploads: {err}"),
            }
        }
    });
}

fn is_loopback(bind: &str) -> bool {
    bind.parse::<std::net::SocketAddr>()
        .is_ok_and(|a| a.ip().is_loopback())
        || bind.starts_with("localhost:")
}

/// Staged uploads untouched this long are given up (a volunteer resumes within a day).
const STALE_UPLOADS: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// `disan serve`: brings the index up to date (an incremental ingest, which does nothing when
/// the archive has not changed), prints the URL and serves on every core until interrupted.
pub fn serve(config: &Config) -> Result<(), ServeError> {
    use std::io::IsTerminal;
    let archive = ArchiveLayout::new(&config.archive);
    let index = IndexLayout::new(&config.index);
    eprintln!(
        "Bringing the index in {} up to date…",
        config.index.display()
    );
    let options = IngestOptions {
        progress: std::io::stderr().is_terminal(),
        ..Default::default()
    };
    let (report, manifest) = ingest::ingest_keeping_manifest(&archive, &index, &options)?;
    eprintln!(
        "{} sites: {} indexed, {} unchanged; {} photos rendered; {} problems (run `disan ingest` to list them); {:.1} s",
        report.sites,
        report.indexed,
        report.unchanged,
        report.photos_rendered,
        report.problems.len(),
        report.seconds
    );
    let (trusted, metrics_from) = network_settings(config)?;
    if config.public_url.is_none() && !is_loopback(&config.bind) {
        eprintln!(
            "warning: no public URL is set, so QR codes and links say http://{}; set --public-url",
            config.bind.replace("0.0.0.0", "127.0.0.1")
        );
    }
    let catalog = catalog::Catalog::of_manifest(&archive, manifest);
    let state = AppState::open_with(&archive, &index, config.public_url.clone(), catalog)?
        .with_limits(config.contribute)
        .with_open_data(config.open_data.clone())
        .with_network(&config.bind, trusted, metrics_from)
        .with_page_caches(config.page_cache_mb);
    // Uploads cut off by the last shutdown or crash: stale staged files and temporaries go,
    // submissions stay as they are.
    match state
        .inbox
        .recover(STALE_UPLOADS, std::time::SystemTime::now())
    {
        Ok(0) => {}
        Ok(n) => eprintln!("Cleaned up {n} unfinished uploads from the last run."),
        Err(err) => eprintln!("warning: could not clean up unfinished uploads: {err}"),
    }
    state.start_updates()?;
    // The downloads follow the archive: made again in the background when it has changed.
    state.open_data.refresh_if_stale(&state.catalog().version);
    sweep_every_hour(state.inbox.clone());
    let state = web::Data::new(state);
    if let Some(settings) = &config.storage {
        let storage = crate::storage::Storage::open(settings)
            .map_err(|e| ServeError::Config(e.to_string()))?;
        eprintln!("Publishing to {} after every change.", storage.name());
        let publication =
            publisher::Publication::start(std::sync::Arc::new(storage), state.clone());
        state.start_publication(publication);
    }
    campaign_clock(state.clone());
    run_until_stopped(config, state, "Serving")
}

/// The proxies whose forwarding headers are believed, and who may read `/metrics`.
fn network_settings(
    config: &Config,
) -> Result<(client::TrustedProxies, client::TrustedProxies), ServeError> {
    let trusted = client::TrustedProxies::parse(&config.trusted_proxies)
        .map_err(|e| ServeError::Config(format!("trusted_proxies: {e}")))?;
    let metrics_from = client::TrustedProxies::parse(&config.metrics_from)
        .map_err(|e| ServeError::Config(format!("metrics_from: {e}")))?;
    Ok((trusted, metrics_from))
}

/// Listens on the configured address and serves `state` on every core until interrupted;
/// `what` begins the start-up line ("Serving", "Replica serving").
fn run_until_stopped(
    config: &Config,
    state: web::Data<AppState>,
    what: &str,
) -> Result<(), ServeError> {
    let sites = state.catalog().len();
    let server = HttpServer::new(move || app(state.clone()))
        .bind(&config.bind)
        .map_err(|source| ServeError::Bind {
            bind: config.bind.clone(),
            source,
        })?;
    let shown = config.bind.replace("0.0.0.0", "127.0.0.1");
    println!("{what} {sites} sites at http://{shown}/  (Ctrl-C to stop)");
    actix_web::rt::System::new().block_on(server.run())?;
    Ok(())
}
