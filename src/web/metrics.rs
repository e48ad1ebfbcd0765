//! What the server tells its operators: `/metrics` in the Prometheus (OpenMetrics) text format,
//! and one structured log line per request, with a request id.
//!
//! Counted as they happen: requests by route pattern, method and status, their latency per
//! route, search time, failed logins. Read when scraped: the index's generation, size and sites,
//! pending submissions, open uploads, quota refusals, open sessions, and each page cache's hits,
//! misses and bytes (a page from the cache costs no search, so the search-time count alone
//! understates the traffic when hits are many). `/metrics` answers only
//! clients in `[serve] metrics_from` (loopback by default; the client address comes from a
//! trusted proxy only, so a proxy in front does not open it to everyone) and 404 to others.
//! Each response carries `X-Request-Id`, also in its log line (`disan::request`, at `info`).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use super::state::AppState;

/// The response header naming a request in the logs.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheLabels {
    cache: String,
}

fn latency_histogram() -> Histogram {
    // 0.25 ms to ~8 s.
    Histogram::new(exponential_buckets(0.000_25, 2.0, 16))
}

/// The server's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    search: Histogram,
    login_failures: Counter,
    quota_refusals: Counter,
    quota_seen: Mutex<u64>,
    index_generation: Gauge,
    index_bytes: Gauge,
    index_sites: Gauge,
    inbox_pending: Gauge,
    uploads_open: Gauge,
    sessions_open: Gauge,
    page_hits: Family<CacheLabels, Counter>,
    page_misses: Family<CacheLabels, Counter>,
    page_bytes: Family<CacheLabels, Gauge>,
    /// Held while the page-cache counters catch up, so two scrapes at once count once.
    catching_up: Mutex<()>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("disan");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: Family<RouteLabels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(latency_histogram);
        let search = Histogram::new(exponential_buckets(0.000_1, 2.0, 16));
        let m = Metrics {
            requests,
            latency,
            search,
            login_failures: Counter::default(),
            quota_refusals: Counter::default(),
            quota_seen: Mutex::new(0),
            index_generation: Gauge::default(),
            index_bytes: Gauge::default(),
            index_sites: Gauge::default(),
            inbox_pending: Gauge::default(),
            uploads_open: Gauge::default(),
            sessions_open: Gauge::default(),
            page_hits: Family::default(),
            page_misses: Family::default(),
            page_bytes: Family::default(),
            catching_up: Mutex::new(()),
            registry: Registry::default(),
        };
        registry.register(
            "http_requests",
            "HTTP requests by route, method and status",
            m.requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer, by route",
            m.latency.clone(),
        );
        registry.register(
            "search_duration_seconds",
            "Time the search engine took per search",
            m.search.clone(),
        );
        registry.register(
            "login_failures",
            "Wrong passwords and unknown names at the login form",
            m.login_failures.clone(),
        );
        registry.register(
            "quota_refusals",
            "Requests refused by a volunteer's quota",
            m.quota_refusals.clone(),
        );
        registry.register(
            "index_generation",
            "Generation of the searched index (changes at each commit)",
            m.index_generation.clone(),
        );
        registry.register(
            "index_size_bytes",
            "Size of the search index on disk",
            m.index_bytes.clone(),
        );
        registry.register(
            "index_sites",
            "Sites in the search index",
            m.index_sites.clone(),
        );
        registry.register(
            "inbox_pending_submissions",
            "Submissions waiting for a moderator",
            m.inbox_pending.clone(),
        );
        registry.register(
            "uploads_open",
            "Resumable uploads declared and not finished",
            m.uploads_open.clone(),
        );
        registry.register(
            "sessions_open",
            "Open login sessions",
            m.sessions_open.clone(),
        );
        registry.register(
            "page_cache_hits",
            "Pages and API answers served from a page cache, by cache",
            m.page_hits.clone(),
        );
        registry.register(
            "page_cache_misses",
            "Pages and API answers not in a page cache (made for the request), by cache",
            m.page_misses.clone(),
        );
        registry.register(
            "page_cache_bytes",
            "Bytes held by a page cache",
            m.page_bytes.clone(),
        );
        Metrics { registry, ..m }
    }
}

impl Metrics {
    /// One search's engine time.
    pub fn searched(&self, took: Duration) {
        self.search.observe(took.as_secs_f64());
    }

    pub fn login_failed(&self) {
        self.login_failures.inc();
    }

    fn request(&self, route: &str, method: &str, status: u16, took: Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_owned(),
                method: method.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_owned(),
            })
            .observe(took.as_secs_f64());
    }

    /// The text exposition, with the values read now.
    fn render(&self, state: &AppState) -> String {
        self.index_generation
            .set(i64::try_from(state.index.generation()).unwrap_or(i64::MAX));
        self.index_sites
            .set(i64::try_from(state.index.num_sites()).unwrap_or(i64::MAX));
        self.index_bytes
            .set(i64::try_from(dir_size(&state.index_layout.tantivy())).unwrap_or(i64::MAX));
        self.inbox_pending
            .set(i64::try_from(state.inbox.pending_count()).unwrap_or(i64::MAX));
        let (open, refusals) = {
            let book = state.inbox.quota_book();
            (book.open_uploads(), book.refusals)
        };
        self.uploads_open
            .set(i64::try_from(open).unwrap_or(i64::MAX));
        if let Ok(mut seen) = self.quota_seen.lock() {
            self.quota_refusals.inc_by(refusals.saturating_sub(*seen));
            *seen = refusals.max(*seen);
        }
        self.sessions_open
            .set(i64::try_from(state.accounts.sessions.open_count()).unwrap_or(i64::MAX));
        let caught_up = self.catching_up.lock();
        for (name, cache) in state.page_caches() {
            let labels = CacheLabels { cache: name.into() };
            let (hits, misses) = cache.hits_and_misses();
            // The caches count for themselves; the counters catch up to them.
            let hit_counter = self.page_hits.get_or_create(&labels);
            hit_counter.inc_by(hits.saturating_sub(hit_counter.get()));
            let miss_counter = self.page_misses.get_or_create(&labels);
            miss_counter.inc_by(misses.saturating_sub(miss_counter.get()));
            self.page_bytes
                .get_or_create(&labels)
                .set(i64::try_from(cache.weight()).unwrap_or(i64::MAX));
        }
        drop(caught_up);
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .expect("writing into a String cannot fail");
        text
    }
}

fn dir_size(dir: &std::path::Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

/// `GET /metrics`, for the configured addresses only.
pub async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let client = state.client(&req).address;
    if !state.metrics_from.contains(client) {
        let chosen = super::i18n::Chosen::of(&req);
        return super::pages::not_found(req, chosen).await;
    }
    let worker = state.clone();
    let Ok(text) = web::block(move || worker.metrics.render(&worker)).await else {
        return HttpResponse::ServiceUnavailable().finish();
    };
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(text)
}

/// Middleware: counts and times every request by its route pattern, gives it an id, and logs
/// one line when it is answered.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let id = request_id();
    let method = req.method().to_string();
    let path = req.path().to_owned();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let client = state
        .as_ref()
        .map(|s| s.client(req.request()).address.to_string())
        .unwrap_or_default();
    let mut response = next.call(req).await?.map_into_boxed_body();
    let took = started.elapsed();
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let status = response.status().as_u16();
    if let Some(state) = &state {
        state.metrics.request(&route, &method, status, took);
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    tracing::info!(
        target: "disan::request",
        request_id = %id,
        method = %method,
        route = %route,
        path = %path,
        status,
        millis = took.as_secs_f64() * 1000.0,
        client = %client,
        "answered"
    );
    Ok(response)
}

/// 16 random hex digits (from the OS; a counter would do, but ids then leak traffic volume).
fn request_id() -> String {
    let mut bytes = [0u8; 8];
    let _ = getrandom::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
