//! Trip packs on the web: `GET /packs/v1/index.json` (the provinces and their sizes; checked at
//! every visit), `GET /packs/v1/{c|p}/{hash}.json` (a commune's sites or a province's table
//! of contents: named by content, cached for a year, stored brotli-compressed at build time)
//! and `GET /packs/v1/select?…` (the packs holding a search's results, the sites within a
//! radius, or given sites: what "save these for offline" downloads).

use actix_web::http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY,
};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use crate::packs::{PackKind, Selection, is_pack_hash};
use crate::search::SearchRequest;
use crate::search::request::MAX_LIMIT;
use crate::web::assets::IMMUTABLE;
use crate::web::error::{ApiError, WebError};
use crate::web::i18n::form_urlencoded_pairs;
use crate::web::state::AppState;

/// Most sites one selection saves: a search that matches more is cut (and says so).
pub const MAX_SELECTION: usize = 2_000;
/// Widest radius offered for "the sites around here".
pub const MAX_RADIUS_KM: f64 = 100.0;

type Answer = Result<HttpResponse, ApiError>;

/// `GET /packs/v1/index.json`.
pub async fn index(req: HttpRequest, state: web::Data<AppState>) -> Answer {
    let directory = state.packs.directory();
    let Some((bytes, etag)) = directory.index_json() else {
        return Err(WebError::not_found("trip packs (run `disan ingest`)").into());
    };
    let fresh = matches_etag(&req, etag);
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((CACHE_CONTROL, "no-cache"))
        .insert_header((ETAG, etag.to_owned()))
        .insert_header((CONTENT_TYPE, "application/json"));
    Ok(if fresh {
        response.finish()
    } else {
        response.body(bytes.to_vec())
    })
}

/// `GET /packs/v1/{kind}/{file}`: served as stored, compressed when the client takes brotli.
pub async fn file(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Answer {
    let (kind, file) = path.into_inner();
    let not_found = || ApiError(WebError::not_found(format!("pack {kind}/{file}")));
    let kind = PackKind::from_folder(&kind).ok_or_else(not_found)?;
    let hash = file
        .strip_suffix(".json")
        .filter(|h| is_pack_hash(h))
        .ok_or_else(not_found)?
        .to_owned();
    let etag = format!("\"{hash}\"");
    let mut response = HttpResponse::Ok();
    response
        .insert_header((CACHE_CONTROL, IMMUTABLE))
        .insert_header((ETAG, etag.clone()))
        .insert_header((VARY, "Accept-Encoding"))
        .insert_header((CONTENT_TYPE, "application/json"));
    if matches_etag(&req, &etag) {
        return Ok(HttpResponse::NotModified()
            .insert_header((CACHE_CONTROL, IMMUTABLE))
            .insert_header((ETAG, etag))
            .finish());
    }
    let brotli = req
        .headers()
        .get(ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("br")));
    let extension = if brotli { "json.br" } else { "json" };
    let path = state.index_layout.pack_file(kind, &hash, extension);
    let bytes = web::block(move || std::fs::read(path))
        .await
        .map_err(|_| ApiError(WebError::Unavailable))?
        .map_err(|_| not_found())?;
    if brotli {
        response.insert_header((CONTENT_ENCODING, "br"));
    }
    Ok(response.body(bytes))
}

fn matches_etag(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == etag)
        })
}

/// What `select` answers.
#[derive(Serialize)]
struct SelectAnswer {
    #[serde(flatten)]
    selection: Selection,
    /// Sites the search matched (more than were selected when `truncated`).
    total: u64,
    truncated: bool,
}

/// `GET /packs/v1/select?id=…&id=…` or `?q=…&province=…&near=lat,lon&radius_km=…` (any
/// search parameters): the packs holding those sites.
pub async fn select(req: HttpRequest, state: web::Data<AppState>) -> Answer {
    let pairs: Vec<(String, String)> = form_urlencoded_pairs(req.query_string()).collect();
    let ids: Vec<String> = pairs
        .iter()
        .filter(|(k, v)| k == "id" && crate::fold::is_slug(v))
        .map(|(_, v)| v.clone())
        .take(MAX_SELECTION)
        .collect();
    let directory = state.packs.directory();
    if !ids.is_empty() {
        let selection = directory.select(ids.iter().map(String::as_str));
        let total = selection.ids.len() as u64;
        return Ok(answer(SelectAnswer {
            selection,
            total,
            truncated: false,
        }));
    }
    let mut request = SearchRequest::from_pairs(pairs.iter().cloned())?;
    if request.q.trim().is_empty()
        && request.near.is_none()
        && request.province.is_empty()
        && request.type_.is_empty()
    {
        return Err(WebError::InvalidParameter {
            name: "select",
            value: String::new(),
            expected: "site ids (`id`), or a search: `q`, `province`, `type` or `near` with `radius_km`",
        }
        .into());
    }
    if request.near.is_some() {
        let radius = request.radius_km.unwrap_or(10.0);
        if radius > MAX_RADIUS_KM {
            return Err(WebError::InvalidParameter {
                name: "radius_km",
                value: radius.to_string(),
                expected: "at most 100 km",
            }
            .into());
        }
        request.radius_km = Some(radius);
    }
    request.limit = MAX_LIMIT;
    let index = state.index.clone();
    // Page through the results on the search threads: a selection is rare and bounded.
    let (found, total) = state
        .searches
        .run(move || {
            let mut found = Vec::new();
            let mut total = 0;
            request.offset = 0;
            while found.len() < MAX_SELECTION {
                let page = index.search(&request)?;
                total = page.total;
                let n = page.hits.len();
                found.extend(page.hits.into_iter().map(|h| h.id));
                if n < request.limit {
                    break;
                }
                request.offset += n;
            }
            found.truncate(MAX_SELECTION);
            Ok::<_, crate::search::QueryError>((found, total))
        })
        .await??;
    let selection = directory.select(found.iter().map(String::as_str));
    Ok(answer(SelectAnswer {
        truncated: (total as usize) > found.len(),
        total,
        selection,
    }))
}

fn answer(body: SelectAnswer) -> HttpResponse {
    // The answer changes with the catalog: the worker asks again when it updates a pack.
    HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-cache"))
        .json(body)
}
