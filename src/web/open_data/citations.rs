//! `/sites/{id}/cite.json` (CSL-JSON) and `/sites/{id}/cite.ris` (RIS): a site as a reference
//! that Zotero, Mendeley or EndNote import with one click.

use actix_web::http::header::{CONTENT_DISPOSITION, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::web::cite;
use crate::web::error::{InLang, PageError};
use crate::web::i18n::Chosen;
use crate::web::pages::{Found, find};
use crate::web::render::cached;
use crate::web::state::AppState;
use crate::web::views::site_url;

pub async fn csl_json(
    req: HttpRequest,
    state: web::Data<AppState>,
    chosen: Chosen,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    answer(&req, &state, chosen, &id, "cite.json")
}

pub async fn ris(
    req: HttpRequest,
    state: web::Data<AppState>,
    chosen: Chosen,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    answer(&req, &state, chosen, &id, "cite.ris")
}

fn answer(
    req: &HttpRequest,
    state: &AppState,
    chosen: Chosen,
    id: &str,
    file: &str,
) -> Result<HttpResponse, PageError> {
    let catalog = state.catalog();
    let site = match find(&catalog, id, chosen.lang, &format!("/{file}"))? {
        Found::Site(site) => site,
        Found::Redirect(answer) => return Ok(answer),
    };
    let record = catalog.record(site).in_lang(chosen.lang)?;
    let url = format!("{}{}", state.origin(req), site_url(&site.id, chosen.lang));
    let (body, content_type) = if file == "cite.ris" {
        (
            cite::ris(&record, &url).into_bytes(),
            "application/x-research-info-systems; charset=utf-8",
        )
    } else {
        (
            cite::csl_json(&record, &url).to_string().into_bytes(),
            "application/vnd.citationstyles.csl+json",
        )
    };
    let plain = Chosen {
        explicit: false,
        ..chosen
    };
    let mut response = cached(req, plain, body, content_type, site.updated());
    let extension = file.rsplit('.').next().unwrap_or("txt");
    response.headers_mut().insert(
        CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{}.{extension}\"", site.id))
            .expect("ids are ASCII slugs"),
    );
    response.headers_mut().insert(
        actix_web::http::header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    Ok(response)
}
