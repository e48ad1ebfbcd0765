//! Static files compiled into the binary, served under fingerprinted URLs.
//!
//! Each asset's URL carries a hash of its bytes (`/static/site.3f9a1c2b.css`), so a browser
//! may keep it for a year: a changed file gets a new URL. Templates ask [`url`] for the current
//! one; a request for an old fingerprint is a 404 rather than stale content under a new name.
//! The binary needs no files beside it, so `disan serve` works from any folder.
//!
//! Photo derivatives, the other files the server sends, are read from the media folder by
//! `actix_files`; this module says which paths are derivatives, how long they may be kept, and
//! sends the small ones in one piece ([`in_one_piece`]).

use std::collections::HashMap;
use std::sync::LazyLock;

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};

use super::map;

/// One year, the longest lifetime browsers honour.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Photo derivatives: named by content, but a moderator's revert must be able to withdraw
/// one, so caches keep them a day and then revalidate (a `304` by ETag) instead of a year.
pub const MEDIA: &str = "public, max-age=86400";

/// Whether a path under `/media/` names a photo derivative (`ab/<hash>-<edge>.jpg|webp`);
/// nothing else in the media folder is served.
pub fn is_derivative(path: &std::path::Path) -> bool {
    let mut parts = path.components();
    let (Some(shard), Some(file), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let (shard, file) = (
        shard.as_os_str().to_string_lossy(),
        file.as_os_str().to_string_lossy(),
    );
    let Some((stem, ext)) = file.rsplit_once('.') else {
        return false;
    };
    let Some((hash, edge)) = stem.split_once('-') else {
        return false;
    };
    shard.len() == 2
        && hash.starts_with(shard.as_ref())
        && hash.bytes().all(|b| b.is_ascii_hexdigit())
        && !edge.is_empty()
        && edge.bytes().all(|b| b.is_ascii_digit())
        && matches!(ext, "jpg" | "webp")
}

pub struct Asset {
    /// The name templates use: `site.css`.
    pub name: &'static str,
    /// The fingerprinted URL: `/static/site.3f9a1c2b.css`.
    pub url: String,
    pub mime: &'static str,
    pub bytes: Bytes,
    hash: String,
}

fn asset(name: &'static str, mime: &'static str, bytes: Bytes) -> Asset {
    let hash = blake3::hash(&bytes).to_hex()[..10].to_owned();
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    Asset {
        url: format!("/static/{stem}.{hash}.{ext}"),
        name,
        mime,
        bytes,
        hash,
    }
}

static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    vec![
        asset(
            "site.css",
            "text/css; charset=utf-8",
            Bytes::from_static(include_bytes!("../../static/site.css")),
        ),
        asset(
            "site.js",
            "text/javascript; charset=utf-8",
            Bytes::from_static(include_bytes!("../../static/site.js")),
        ),
        asset(
            "contribute.css",
            "text/css; charset=utf-8",
            Bytes::from_static(include_bytes!("../../static/contribute.css")),
        ),
        asset(
            "contribute.js",
            "text/javascript; charset=utf-8",
            Bytes::from_static(include_bytes!("../../static/contribute.js")),
        ),
        // Deep zoom: OpenSeadragon (BSD-3-Clause, `static/vendor/`) followed by the viewer's
        // glue, one file fetched only when a visitor opens a photo.
        asset(
            "zoom.js",
            "text/javascript; charset=utf-8",
            Bytes::from(
                [
                    &include_bytes!("../../static/vendor/openseadragon.min.js")[..],
                    b"\n",
                    &include_bytes!("../../static/zoom.js")[..],
                ]
                .concat(),
            ),
        ),
        asset(
            "campaign.css",
            "text/css; charset=utf-8",
            Bytes::from_static(include_bytes!("../../static/campaign.css")),
        ),
        asset(
            "print.css",
            "text/css; charset=utf-8",
            Bytes::from_static(include_bytes!("../../static/print.css")),
        ),
        asset(
            "icon.svg",
            "image/svg+xml",
            Bytes::from_static(include_bytes!("../../static/icon.svg")),
        ),
        asset(
            "offline.js",
            "text/javascript; charset=utf-8",
            Bytes::from_static(include_bytes!("../../static/offline.js")),
        ),
        // The offline search is part of the service worker; served alone too, for measuring it.
        asset(
            "offline-search.js",
            "text/javascript; charset=utf-8",
            Bytes::from_static(include_bytes!("../../static/offline-search.js")),
        ),
        asset(
            "icon-192.png",
            "image/png",
            Bytes::from_static(include_bytes!("../../static/icon-192.png")),
        ),
        asset(
            "icon-512.png",
            "image/png",
            Bytes::from_static(include_bytes!("../../static/icon-512.png")),
        ),
        asset(
            "icon-maskable-192.png",
            "image/png",
            Bytes::from_static(include_bytes!("../../static/icon-maskable-192.png")),
        ),
        asset(
            "icon-maskable-512.png",
            "image/png",
            Bytes::from_static(include_bytes!("../../static/icon-maskable-512.png")),
        ),
        asset(
            "vietnam.svg",
            "image/svg+xml",
            Bytes::from(map::silhouette_svg()),
        ),
    ]
});

static BY_URL: LazyLock<HashMap<&'static str, &'static Asset>> =
    LazyLock::new(|| ASSETS.iter().map(|a| (a.url.as_str(), a)).collect());

/// The fingerprinted URL of an asset by name; panics on a name that is not in the list, which
/// the page tests would catch at once.
pub fn url(name: &str) -> &'static str {
    ASSETS
        .iter()
        .find(|a| a.name == name)
        .map(|a| a.url.as_str())
        .unwrap_or_else(|| panic!("no embedded asset named {name}"))
}

/// Derivatives up to this size are read whole before their response starts: the 320 and 640
/// px ones a page shows are tens of kilobytes.
const ONE_PIECE_MAX: u64 = 512 * 1024;

/// Middleware for `/media`: a small derivative's headers and bytes leave together.
///
/// `actix_files` sends the headers as soon as the file is open and the bytes once a worker
/// thread has read them. A server killed in between (a replica whose machine goes down) leaves
/// the proxy in front with half a response, which it can no longer retry on another replica,
/// and the visitor with a broken photo. Read first, the response has either not started or is
/// whole in the socket when the process dies. Larger files (and ranges, and `304`s) are passed
/// on as they are.
pub async fn in_one_piece(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let get = req.method() == Method::GET;
    let response = next.call(req).await?;
    let small =
        matches!(response.response().body().size(), BodySize::Sized(n) if n <= ONE_PIECE_MAX);
    if !(get && small && response.status() == StatusCode::OK) {
        return Ok(response.map_into_boxed_body());
    }
    let (req, response) = response.into_parts();
    let (response, body) = response.into_parts();
    let bytes = actix_web::body::to_bytes(body)
        .await
        .map_err(|e| actix_web::error::ErrorInternalServerError(e.into()))?;
    Ok(ServiceResponse::new(
        req,
        response.set_body(bytes).map_into_boxed_body(),
    ))
}

/// Every asset (for tests and the page-weight budget).
pub fn all() -> &'static [Asset] {
    &ASSETS
}

/// `GET /static/{file}`.
pub async fn serve(req: HttpRequest, file: web::Path<String>) -> HttpResponse {
    let path = format!("/static/{}", file.into_inner());
    let Some(asset) = BY_URL.get(path.as_str()) else {
        return HttpResponse::NotFound()
            .insert_header((CACHE_CONTROL, "no-store"))
            .content_type("text/plain; charset=utf-8")
            .body("no such file; asset URLs change when the file does — reload the page");
    };
    let etag = format!("\"{}\"", asset.hash);
    let fresh = req
        .headers()
        .get(actix_web::http::header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == etag)
        });
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((CONTENT_TYPE, asset.mime))
        .insert_header((CACHE_CONTROL, IMMUTABLE))
        .insert_header((ETAG, etag));
    if fresh {
        response.finish()
    } else {
        response.body(asset.bytes.clone())
    }
}
