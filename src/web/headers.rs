//! What every request and response goes through at the door, whatever its route.
//!
//! - A request line longer than [`MAX_URI_BYTES`] is refused before routing with `414` and the
//!   site's own error shape (JSON under `/api/`, a page elsewhere), not an empty answer.
//! - `HEAD` is answered as `GET` is, without the body (the HTTP layer drops it), so monitors
//!   and crawlers that check a page with `HEAD` do not get a 404.
//! - `Vary` is one header listing each request header the response depends on once, however
//!   many layers added to it (the pages name `Cookie`; compression adds `Accept-Encoding`).
//! - With an `https://` public URL, `Strict-Transport-Security` tells browsers to keep to TLS.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{HeaderValue, STRICT_TRANSPORT_SECURITY, VARY};
use actix_web::middleware::Next;
use actix_web::{ResponseError, web};

use super::error::{ApiError, PageError, WebError};
use super::i18n::Chosen;
use super::state::AppState;

/// Longest path and query accepted. Every link of the site is far shorter; search queries
/// are cut at a few hundred characters anyway.
pub const MAX_URI_BYTES: usize = 4096;

/// One year, the usual HSTS lifetime.
const HSTS: &str = "max-age=31536000";

/// The middleware (see the module's description).
pub async fn at_the_door(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let uri_bytes = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if uri_bytes > MAX_URI_BYTES {
        let error = WebError::UriTooLong {
            limit_bytes: MAX_URI_BYTES,
        };
        let response = if req.path().starts_with("/api/") {
            ApiError(error).error_response()
        } else {
            PageError {
                error,
                lang: Chosen::of(req.request()).lang,
            }
            .error_response()
        };
        return Ok(req.into_response(response));
    }
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    let https_site = req
        .app_data::<web::Data<AppState>>()
        .and_then(|state| state.public_url().map(|url| url.starts_with("https://")))
        .unwrap_or(false);
    let mut response = next.call(req).await?.map_into_boxed_body();
    merge_vary(response.headers_mut());
    if https_site {
        response
            .headers_mut()
            .insert(STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    Ok(response)
}

/// Folds every `Vary` header into one, each name once (case-insensitively), in first-seen order.
fn merge_vary(headers: &mut actix_web::http::header::HeaderMap) {
    let mut names: Vec<String> = Vec::new();
    for value in headers.get_all(VARY) {
        for name in value.to_str().unwrap_or_default().split(',') {
            let name = name.trim();
            if !name.is_empty() && !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                names.push(name.to_owned());
            }
        }
    }
    if names.is_empty() {
        return;
    }
    if let Ok(value) = HeaderValue::from_str(&names.join(", ")) {
        headers.insert(VARY, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderMap;

    #[test]
    fn vary_names_each_header_once() {
        let mut headers = HeaderMap::new();
        headers.append(VARY, HeaderValue::from_static("Cookie, Accept-Encoding"));
        headers.append(VARY, HeaderValue::from_static("accept-encoding"));
        merge_vary(&mut headers);
        let all: Vec<_> = headers.get_all(VARY).collect();
        assert_eq!(all, [HeaderValue::from_static("Cookie, Accept-Encoding")]);
    }
}
