//! `/oai`: the OAI-PMH endpoint, by GET (query) or POST (form), as the protocol requires.
//! The answer is built on the blocking pool (it reads the index and up to a page of records
//! from the archive) and is always XML; protocol errors are in it, with status 200.

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};

use super::ANY_ORIGIN;
use crate::open_data::oai::Repository;
use crate::web::error::{ApiError, WebError};
use crate::web::i18n::form_urlencoded_pairs;
use crate::web::state::AppState;

/// Largest POST form read: a request is a handful of short arguments.
const MAX_FORM: usize = 8 * 1024;

pub async fn get(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let args: Vec<(String, String)> = form_urlencoded_pairs(req.query_string()).collect();
    answer(&req, state, args).await
}

pub async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    if body.len() > MAX_FORM {
        return Err(ApiError(WebError::TooLarge {
            what: "OAI-PMH request",
            limit_bytes: MAX_FORM as u64,
        }));
    }
    let text = String::from_utf8_lossy(&body);
    let args: Vec<(String, String)> = form_urlencoded_pairs(&text).collect();
    answer(&req, state, args).await
}

async fn answer(
    req: &HttpRequest,
    state: web::Data<AppState>,
    args: Vec<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let origin = state.origin(req);
    let xml = web::block(move || {
        let contact = state.open_data.contact_email(&origin);
        let repository = Repository {
            index: &state.index,
            archive: &state.archive,
            origin: &origin,
            contact_email: &contact,
            licence: state.open_data.licence(),
        };
        repository.respond(&args, chrono::Utc::now())
    })
    .await
    .map_err(|_| ApiError(WebError::Unavailable))?
    .map_err(|e| ApiError(WebError::Harvest(e)))?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/xml; charset=utf-8"))
        .insert_header((CACHE_CONTROL, "no-cache"))
        .insert_header(ANY_ORIGIN)
        .body(xml))
}
