//! The JSON API under `/api/v1/`: search, suggestions and one site, with the shapes defined by
//! the search module ([`crate::search::api`]) and documented in `openapi.json`. Errors are
//! `{"code", "message"}` with the status from [`super::error`]'s table.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::catalog::Lookup;
use super::error::{ApiError, WebError};
use super::i18n::{Chosen, Lang, form_urlencoded_pairs, url_param};
use super::page_cache::CachedPage;
use super::render::{cached, etag_of, validated};
use super::state::AppState;
use super::views::MEDIA_PREFIX;
use crate::ingest::photos::DerivativeFile;
use crate::record::SiteRecord;
use crate::search::SearchRequest;

type Answer = Result<HttpResponse, ApiError>;

/// Default number of suggestions.
const SUGGESTIONS: usize = 8;

/// The API never varies by the language cookie.
const PLAIN: Chosen = Chosen {
    lang: Lang::Vi,
    explicit: false,
};

fn json<T: Serialize>(req: &HttpRequest, value: &T) -> HttpResponse {
    let body = serde_json::to_vec(value).expect("API responses always serialise");
    cached(req, PLAIN, body, "application/json", None)
}

/// A search answer, from the cache of answers when the same search (whatever the order or
/// spelling of its parameters) was answered for the current catalog.
pub async fn search(req: HttpRequest, state: web::Data<AppState>) -> Answer {
    let request = SearchRequest::from_pairs(form_urlencoded_pairs(req.query_string()))?;
    let catalog = state.catalog();
    let key = format!(
        "{}|{}",
        catalog.version,
        serde_json::to_string(&request).unwrap_or_default()
    );
    let answer = match state.api_searches.get(&key) {
        Some(answer) => answer,
        None => {
            let index = state.index.clone();
            let (body, took) = state
                .searches
                .run(move || {
                    let started = std::time::Instant::now();
                    let answer = index.search(&request).map(|r| serde_json::to_vec(&r));
                    (answer, started.elapsed())
                })
                .await?;
            state.metrics.searched(took);
            let body = body?.expect("API responses always serialise");
            let answer = CachedPage {
                etag: etag_of(&body),
                body: body.into(),
            };
            state.api_searches.put(key, answer.clone());
            answer
        }
    };
    Ok(validated(
        &req,
        PLAIN,
        answer.body,
        &answer.etag,
        "application/json",
        None,
    ))
}

pub async fn suggest(req: HttpRequest, state: web::Data<AppState>) -> Answer {
    let q = url_param(req.query_string(), "q").unwrap_or_default();
    let limit = match url_param(req.query_string(), "limit") {
        None => SUGGESTIONS,
        Some(text) => text
            .trim()
            .parse()
            .map_err(|_| WebError::InvalidParameter {
                name: "limit",
                value: text.chars().take(40).collect(),
                expected: "a whole number from 0 to 20",
            })?,
    };
    let response = state.index.suggest(&q, limit)?;
    Ok(json(&req, &response))
}

/// One site: its record as archived, plus its public URLs and photo derivatives.
#[derive(Serialize)]
struct SiteResponse<'a> {
    id: &'a str,
    url: String,
    short_url: String,
    record: &'a SiteRecord,
    photos: Vec<PhotoResponse<'a>>,
}

#[derive(Serialize)]
struct PhotoResponse<'a> {
    caption: Option<&'a str>,
    caption_en: Option<&'a str>,
    author: Option<&'a str>,
    license: Option<&'a str>,
    width: u32,
    height: u32,
    placeholder: &'a str,
    files: Vec<FileResponse<'a>>,
}

#[derive(Serialize)]
struct FileResponse<'a> {
    url: String,
    mime: &'a str,
    width: u32,
    height: u32,
    bytes: u64,
}

fn file(f: &DerivativeFile) -> FileResponse<'_> {
    FileResponse {
        url: format!("{MEDIA_PREFIX}{}", f.path),
        mime: &f.mime,
        width: f.width,
        height: f.height,
        bytes: f.bytes,
    }
}

pub async fn site(req: HttpRequest, state: web::Data<AppState>, id: web::Path<String>) -> Answer {
    let catalog = state.catalog();
    let site = match catalog.lookup(&id) {
        Lookup::Found(site) => site,
        Lookup::Renamed(site) => {
            return Ok(HttpResponse::MovedPermanently()
                .insert_header(("Location", format!("/api/v1/sites/{}", site.id)))
                .finish());
        }
        Lookup::Missing => return Err(WebError::not_found(format!("site `{id}`")).into()),
    };
    let origin = state.origin(&req);
    let r = catalog.record(site).map_err(WebError::from)?;
    let body = SiteResponse {
        id: &site.id,
        url: format!("{origin}/sites/{}", site.id),
        short_url: format!("{origin}/s/{}", site.summary.short_code),
        record: &r,
        photos: site
            .photos()
            .iter()
            .map(|p| PhotoResponse {
                caption: p.photo.caption.as_deref(),
                caption_en: p.photo.caption_en.as_deref(),
                author: p.photo.author.as_deref(),
                license: p.photo.license.as_deref(),
                width: p.meta.width,
                height: p.meta.height,
                placeholder: &p.meta.placeholder,
                files: p.meta.files.iter().map(file).collect(),
            })
            .collect(),
    };
    Ok(json(&req, &body))
}

pub async fn openapi(req: HttpRequest) -> HttpResponse {
    let body = include_bytes!("openapi.json").to_vec();
    cached(&req, PLAIN, body, "application/json", None)
}

pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(serde_json::json!({
            "status": "ok",
            "sites": state.catalog().len(),
            "indexed": state.index.num_sites(),
            "generation": state.generation.load(std::sync::atomic::Ordering::SeqCst),
            "role": if state.replica.is_some() { "replica" } else { "primary" },
        }))
}
