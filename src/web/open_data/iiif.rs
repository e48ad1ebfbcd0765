//! IIIF on the web: a site's manifest, the collections by province and of the archive, and
//! each photo's level-0 image service (`info.json` and the static tiles made at ingest).
//!
//! Manifests name everything by absolute URL, so they are built per request from the public
//! origin. Tiles are files named by the photo's content hash: immutable, cached for a year.
//! The stored `info.json` names its service by path; it is served with the absolute one.

use actix_files::NamedFile;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue, LOCATION};
use actix_web::{HttpRequest, HttpResponse, web};

use super::ANY_ORIGIN;
use crate::admin_units::units;
use crate::fold;
use crate::ingest::photos::{self, image_service_path};
use crate::open_data::iiif::{self, Member, Picture, Urls};
use crate::open_data::oai::OaiFailure;
use crate::search::ListFilter;
use crate::web::assets::IMMUTABLE;
use crate::web::error::{ApiError, WebError};
use crate::web::i18n::Chosen;
use crate::web::pages::{Found, find};
use crate::web::state::AppState;

const PRESENTATION: &str =
    "application/ld+json;profile=\"http://iiif.io/api/presentation/3/context.json\"";
const IMAGE: &str = "application/ld+json;profile=\"http://iiif.io/api/image/3/context.json\"";

type Answer = Result<HttpResponse, ApiError>;

fn json(content_type: &'static str, value: &serde_json::Value) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, content_type))
        .insert_header((CACHE_CONTROL, "public, max-age=300"))
        .insert_header(ANY_ORIGIN)
        .body(value.to_string())
}

fn not_found(what: String) -> ApiError {
    ApiError(WebError::not_found(what))
}

/// `/iiif/{id}/manifest.json`
pub async fn manifest(
    req: HttpRequest,
    state: web::Data<AppState>,
    chosen: Chosen,
    id: web::Path<String>,
) -> Answer {
    let catalog = state.catalog();
    let site = match find(&catalog, &id, chosen.lang, "") {
        Ok(Found::Site(site)) => site,
        Ok(Found::Redirect(_)) => {
            let current = match catalog.lookup(&id) {
                crate::web::catalog::Lookup::Renamed(site) => site.id.clone(),
                _ => id.to_string(),
            };
            return Ok(HttpResponse::MovedPermanently()
                .insert_header((LOCATION, format!("/iiif/{current}/manifest.json")))
                .insert_header(ANY_ORIGIN)
                .finish());
        }
        Err(_) => return Err(not_found(format!("site `{id}`"))),
    };
    let urls = Urls {
        origin: state.origin(&req),
    };
    let record = catalog.record(site).map_err(|e| ApiError(e.into()))?;
    let pictures: Vec<Picture<'_>> = site
        .photos()
        .iter()
        .map(|p| Picture {
            photo: &p.photo,
            meta: &p.meta,
            tiled: photos::has_tiles(&state.index_layout, &p.meta.hash),
        })
        .collect();
    let province = site.summary.province.as_deref().map(fold::slug);
    let manifest = iiif::manifest(
        &record,
        &pictures,
        &urls,
        state.open_data.licence(),
        province.as_deref(),
    )
    .ok_or_else(|| not_found(format!("photos of site `{id}` (it has none yet)")))?;
    Ok(json(PRESENTATION, &manifest))
}

fn province_name(slug: &str) -> String {
    units()
        .provinces()
        .iter()
        .find(|p| fold::slug(&p.short) == slug)
        .map_or_else(|| slug.replace('-', " "), |p| p.short.clone())
}

/// `/iiif/collection.json`: one collection per province with photographed sites.
pub async fn archive_collection(req: HttpRequest, state: web::Data<AppState>) -> Answer {
    let urls = Urls {
        origin: state.origin(&req),
    };
    let licence = state.open_data.licence();
    let provinces = urls.clone();
    let members = web::block(move || -> Result<Vec<Member>, OaiFailure> {
        let mut members = Vec::new();
        for spec in state.index.set_specs_in_use()? {
            let Some(slug) = spec.strip_prefix("province:") else {
                continue;
            };
            let filter = ListFilter {
                set: Some(spec.clone()),
                with_photos: true,
                ..ListFilter::default()
            };
            let count = state.index.count_sites(&filter)?;
            if count > 0 {
                let name = province_name(slug);
                members.push(Member {
                    id: provinces.province_collection(slug),
                    is_collection: true,
                    label_vi: format!("{name} ({count} di tích có ảnh)"),
                    label_en: Some(format!("{name} ({count} sites with photos)")),
                });
            }
        }
        Ok(members)
    })
    .await
    .map_err(|_| ApiError(WebError::Unavailable))?
    .map_err(|e| ApiError(WebError::Harvest(e)))?;
    let value = iiif::collection(
        &urls.archive_collection(),
        (
            "Di sản — ảnh di tích theo tỉnh, thành phố",
            "Disan — photos of the sites by province",
        ),
        None,
        &members,
        licence,
        None,
    );
    Ok(json(PRESENTATION, &value))
}

/// `/iiif/province/{slug}/collection.json`: the manifests of a province's photographed sites.
pub async fn province_collection(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Answer {
    let slug = slug.into_inner();
    if !fold::is_slug(&slug) {
        return Err(not_found(format!("province `{slug}`")));
    }
    let urls = Urls {
        origin: state.origin(&req),
    };
    let licence = state.open_data.licence();
    let filter = ListFilter {
        set: Some(format!("province:{slug}")),
        with_photos: true,
        ..ListFilter::default()
    };
    let listed = web::block(move || state.index.list_sites(&filter, None, usize::MAX))
        .await
        .map_err(|_| ApiError(WebError::Unavailable))?
        .map_err(|e| ApiError(WebError::Harvest(e.into())))?;
    if listed.is_empty() {
        return Err(not_found(format!(
            "photographed sites in province `{slug}`"
        )));
    }
    let mut members: Vec<Member> = listed
        .into_iter()
        .map(|l| Member {
            id: urls.manifest(&l.id),
            is_collection: false,
            label_vi: l.name,
            label_en: None,
        })
        .collect();
    members.sort_by_key(|m| fold::key(&m.label_vi));
    let name = province_name(&slug);
    let value = iiif::collection(
        &urls.province_collection(&slug),
        (
            &format!("{name} — ảnh di tích"),
            &format!("{name} — photos of the sites"),
        ),
        None,
        &members,
        licence,
        Some(&urls.archive_collection()),
    );
    Ok(json(PRESENTATION, &value))
}

/// `/iiif/img/{hash}`: the image service's base URI sends viewers to its `info.json`.
pub async fn image_base(hash: web::Path<String>) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, format!("{}/info.json", image_service_path(&hash))))
        .insert_header(ANY_ORIGIN)
        .finish()
}

/// `/iiif/img/{hash}/info.json` and every tile below it.
pub async fn image_file(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Answer {
    let (hash, request) = path.into_inner();
    let missing = || not_found(format!("image `{hash}/{request}`"));
    let file = state
        .index_layout
        .iiif_file(&hash, &request)
        .ok_or_else(missing)?;
    if request == "info.json" {
        let bytes = std::fs::read(&file).map_err(|_| missing())?;
        let mut info: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| missing())?;
        info["id"] = serde_json::json!(format!(
            "{}{}",
            state.origin(&req),
            image_service_path(&hash)
        ));
        return Ok(json(IMAGE, &info));
    }
    let tile = NamedFile::open(file).map_err(|_| missing())?;
    let mut response = tile
        .set_content_type(actix_web::mime::IMAGE_JPEG)
        .into_response(&req);
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    headers.insert(
        actix_web::http::header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    Ok(response)
}
