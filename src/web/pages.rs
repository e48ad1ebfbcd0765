//! The HTML pages. Each handler extracts its inputs, makes one call into the catalog or the
//! search engine, fills a typed context and renders it; the shapes of the contexts are the
//! contract with `templates/`.

use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::catalog::{Catalog, Count, Lookup, Site};
use super::error::{InLang, PageError, WebError};
use super::i18n::{Chosen, Lang, form_urlencoded_pairs};
use super::page_cache::CachedPage;
use super::render::{Frame, etag_of, html, page, validated, with_param};
use super::search_page::{self, Params, SearchPage};
use super::site_page::{self, SitePage};
use super::state::AppState;
use super::views::{Card, site_url};
use super::{assets, map, seo};
use crate::admin_units;
use crate::description;
use crate::fold;
use crate::record::SiteRecord;
use crate::search::{SearchRequest, SuggestResponse};

type Page = Result<HttpResponse, PageError>;
type State = web::Data<AppState>;

/// How many recently added sites the home page lists.
const RECENT: usize = 6;

#[derive(Serialize)]
struct HomePage {
    total: usize,
    provinces: Vec<Count>,
    types: Vec<Count>,
    levels: Vec<Count>,
    red_addresses: usize,
    recent: Vec<Card>,
}

pub async fn home(req: HttpRequest, state: State, chosen: Chosen) -> Page {
    let lang = chosen.lang;
    let catalog = state.catalog();
    let t = lang.labels();
    let mut frame = Frame::new(
        &req,
        &state,
        lang,
        format!("{} — {}", t.site_name, t.tagline),
    );
    frame.nav = "home";
    frame.json_ld = Some(seo::website_json_ld(&state.origin(&req), lang));
    let body = HomePage {
        total: catalog.len(),
        provinces: catalog.provinces.clone(),
        types: catalog.types.iter().take(12).cloned().collect(),
        levels: catalog.levels.clone(),
        red_addresses: catalog.red_addresses,
        recent: catalog
            .recent(RECENT)
            .map(|s| Card::of_site(s, lang, None))
            .collect(),
    };
    let text = page("home.html", &frame, &body).in_lang(lang)?;
    Ok(html(&req, chosen, text, Some(catalog.updated)))
}

pub async fn search(req: HttpRequest, state: State, chosen: Chosen) -> Page {
    let lang = chosen.lang;
    let catalog = state.catalog();
    let key = format!(
        "{}|{}|{}|{}",
        catalog.version,
        lang.code(),
        state.origin(&req),
        req.query_string()
    );
    let page = match state.search_pages.get(&key) {
        Some(page) => page,
        None => {
            let body = render_search(&req, &state, &catalog, lang)?;
            let page = CachedPage {
                etag: etag_of(body.as_bytes()),
                body: body.into(),
            };
            state.search_pages.put(key, page.clone());
            page
        }
    };
    let html = "text/html; charset=utf-8";
    Ok(validated(
        &req,
        chosen,
        page.body,
        &page.etag,
        html,
        Some(catalog.updated),
    ))
}

fn render_search(
    req: &HttpRequest,
    state: &AppState,
    catalog: &Catalog,
    lang: Lang,
) -> Result<String, PageError> {
    let pairs: Vec<(String, String)> = form_urlencoded_pairs(req.query_string()).collect();
    let request = SearchRequest::from_pairs(pairs.iter().cloned()).in_lang(lang)?;
    let started = std::time::Instant::now();
    let response = state.index.search(&request).in_lang(lang)?;
    state.metrics.searched(started.elapsed());
    // With nothing found, offer names that start like the first word typed.
    let suggestions: Option<SuggestResponse> = (response.total == 0)
        .then(|| {
            let first = request.q.split_whitespace().next()?;
            let prefix: String = first.chars().take(3).collect();
            state.index.suggest(&prefix, 5).ok()
        })
        .flatten();
    let params = Params::new(&pairs, lang);
    let mut body: SearchPage =
        search_page::build(&request, &response, suggestions, &params, catalog);
    if response.total > 0 {
        let url = format!("{}{}", state.origin(req), params.canonical());
        body.cite_apa = Some(super::cite::search_apa(
            &body.heading,
            &url,
            catalog.updated,
            lang,
        ));
    }
    let t = lang.labels();
    let mut frame = Frame::new(
        req,
        state,
        lang,
        format!("{} · {}", body.heading, t.site_name),
    );
    frame.nav = "search";
    // Result pages for a place or a name are useful landing pages and may be indexed; a page
    // around someone's position is personal.
    frame.noindex = request.near.is_some();
    page("search.html", &frame, &body).in_lang(lang)
}

/// What a site path resolves to.
pub(super) enum Found<'a> {
    Site(&'a Site),
    /// A renamed site: the redirect to its current URL.
    Redirect(HttpResponse),
}

/// The site a path names: found, or a redirect for a renamed site, or a 404.
pub(super) fn find<'a>(
    catalog: &'a Catalog,
    id: &str,
    lang: Lang,
    suffix: &str,
) -> Result<Found<'a>, PageError> {
    match catalog.lookup(id) {
        Lookup::Found(site) => Ok(Found::Site(site)),
        Lookup::Renamed(site) => {
            let url = with_param(&format!("/sites/{}{suffix}", site.id), lang.link_param());
            Ok(Found::Redirect(
                HttpResponse::MovedPermanently()
                    .insert_header((LOCATION, url))
                    .finish(),
            ))
        }
        Lookup::Missing => Err(PageError {
            error: WebError::not_found(format!("site `{id}`")),
            lang,
        }),
    }
}

/// `/sites/{id}`. Rendered pages are kept per catalog version (like search pages), so a
/// repeated view or a revalidation costs a lookup; the description comes rendered from
/// publication, read off the request threads.
pub async fn site(req: HttpRequest, state: State, chosen: Chosen, id: web::Path<String>) -> Page {
    let lang = chosen.lang;
    let catalog = state.catalog();
    let site = match find(&catalog, &id, lang, "")? {
        Found::Site(site) => site,
        Found::Redirect(answer) => return Ok(answer),
    };
    let origin = state.origin(&req);
    let key = format!(
        "site|{}|{}|{origin}|{}",
        catalog.version,
        lang.code(),
        req.uri()
    );
    let page = match state.site_pages.get(&key) {
        Some(page) => page,
        None => {
            let record = catalog.record(site).in_lang(lang)?;
            let (index, hash, read) = (
                state.index_layout.clone(),
                site.record_hash.clone(),
                record.clone(),
            );
            let description = web::block(move || description::ensure(&index, &hash, &read))
                .await
                .map_err(|_| WebError::Unavailable)
                .in_lang(lang)?;
            let text = render_site(&req, &state, &catalog, site, &record, &description, lang)?;
            let page = CachedPage {
                etag: etag_of(text.as_bytes()),
                body: text.into(),
            };
            state.site_pages.put(key, page.clone());
            page
        }
    };
    Ok(validated(
        &req,
        chosen,
        page.body,
        &page.etag,
        "text/html; charset=utf-8",
        site.updated(),
    ))
}

fn render_site(
    req: &HttpRequest,
    state: &AppState,
    catalog: &Catalog,
    site: &Site,
    record: &SiteRecord,
    description: &description::Rendered,
    lang: Lang,
) -> Result<String, PageError> {
    let origin = state.origin(req);
    let body: SitePage = site_page::build(site, record, catalog, description, lang, &origin);
    let mut frame = Frame::new(
        req,
        state,
        lang,
        format!("{} · {}", body.name, lang.labels().site_name),
    );
    frame.description = body.description_meta.clone();
    frame.og_type = "article";
    frame.og_image = body
        .photos
        .first()
        .map(|p| format!("{origin}{}", p.picture.large));
    frame.json_ld = Some(seo::site_json_ld(site, record, &origin, lang));
    page("site.html", &frame, &body).in_lang(lang)
}

/// `/sites/{id}/site.json`: the record exactly as the archive holds it.
pub async fn site_json(
    req: HttpRequest,
    state: State,
    chosen: Chosen,
    id: web::Path<String>,
) -> Page {
    let catalog = state.catalog();
    let site = match find(&catalog, &id, chosen.lang, "/site.json")? {
        Found::Site(site) => site,
        Found::Redirect(answer) => return Ok(answer),
    };
    let record = catalog.record(site).in_lang(chosen.lang)?;
    let mut response = super::render::cached(
        &req,
        Chosen {
            explicit: false,
            ..chosen
        },
        record.to_json().into_bytes(),
        "application/json",
        site.updated(),
    );
    response.headers_mut().insert(
        actix_web::http::header::CONTENT_DISPOSITION,
        actix_web::http::header::HeaderValue::from_str(&format!(
            "inline; filename=\"{}.json\"",
            site.id
        ))
        .expect("ids are ASCII slugs"),
    );
    Ok(response)
}

#[derive(Serialize)]
struct PlaquePage {
    name: String,
    type_label: Option<String>,
    summary: Option<String>,
    qr_url: String,
    short_url: String,
    site_url: String,
    print_css: &'static str,
}

pub async fn plaque(req: HttpRequest, state: State, chosen: Chosen, id: web::Path<String>) -> Page {
    let lang = chosen.lang;
    let catalog = state.catalog();
    let site = match find(&catalog, &id, lang, "/plaque")? {
        Found::Site(site) => site,
        Found::Redirect(answer) => return Ok(answer),
    };
    let r = &site.summary;
    let origin = state.origin(&req);
    let body = PlaquePage {
        name: r.name.clone(),
        type_label: r.site_type.as_ref().map(|t| match lang {
            Lang::Vi => t.label_vi().to_owned(),
            Lang::En => t.label_en().to_owned(),
        }),
        summary: r
            .summary
            .as_deref()
            .map(|s| lang.pick(s, r.summary_en.as_deref()).to_owned()),
        qr_url: format!("/sites/{}/qr.svg", site.id),
        short_url: format!("{origin}/s/{}", r.short_code),
        site_url: site_url(&site.id, lang),
        print_css: assets::url("print.css"),
    };
    let t = lang.labels();
    let mut frame = Frame::new(&req, &state, lang, format!("{} · {}", t.qr_plaque, r.name));
    frame.noindex = true;
    let text = page("plaque.html", &frame, &body).in_lang(lang)?;
    Ok(html(&req, chosen, text, site.updated()))
}

/// `/s/{code}`: a QR plaque's permanent short URL.
pub async fn short_code(state: State, chosen: Chosen, code: web::Path<String>) -> Page {
    match state.catalog().by_short_code(&code) {
        Some(site) => Ok(HttpResponse::MovedPermanently()
            .insert_header((LOCATION, site_url(&site.id, chosen.lang)))
            .finish()),
        None => Err(PageError {
            error: WebError::not_found(format!("short code `{code}`")),
            lang: chosen.lang,
        }),
    }
}

#[derive(Serialize)]
struct BrowsePage {
    heading: &'static str,
    intro: Option<&'static str>,
    groups: Vec<BrowseGroup>,
}

#[derive(Serialize)]
struct BrowseGroup {
    title: Option<&'static str>,
    entries: Vec<BrowseEntry>,
}

#[derive(Serialize)]
struct BrowseEntry {
    label: String,
    count: usize,
    url: String,
}

fn entries(counts: &[Count], param: &str, lang: Lang) -> Vec<BrowseEntry> {
    counts
        .iter()
        .map(|c| BrowseEntry {
            label: match lang {
                Lang::Vi => c.label.clone(),
                Lang::En => c.label_en.clone(),
            },
            count: c.count,
            url: with_param(
                &format!(
                    "/search?{}",
                    serde_urlencoded::to_string([(param, &c.value)]).unwrap_or_default()
                ),
                lang.link_param(),
            ),
        })
        .collect()
}

/// Every current province, with its number of sites (provinces without any are listed too,
/// so the page also shows where the archive has gaps).
pub async fn provinces(req: HttpRequest, state: State, chosen: Chosen) -> Page {
    let lang = chosen.lang;
    let catalog = state.catalog();
    let mut counts: Vec<Count> = admin_units::units()
        .provinces()
        .iter()
        .map(|p| Count {
            value: p.short.clone(),
            label: p.short.clone(),
            label_en: p.short.clone(),
            count: catalog
                .provinces
                .iter()
                .find(|c| c.value == p.short)
                .map_or(0, |c| c.count),
        })
        .collect();
    counts.sort_by_key(|c| fold::key(&c.label));
    let t = lang.labels();
    let body = BrowsePage {
        heading: t.provinces_title,
        intro: Some(t.provinces_intro),
        groups: vec![BrowseGroup {
            title: None,
            entries: entries(&counts, "province", lang),
        }],
    };
    let mut frame = Frame::new(
        &req,
        &state,
        lang,
        format!("{} · {}", t.provinces_title, t.site_name),
    );
    frame.nav = "provinces";
    let text = page("browse.html", &frame, &body).in_lang(lang)?;
    Ok(html(&req, chosen, text, Some(catalog.updated)))
}

pub async fn types(req: HttpRequest, state: State, chosen: Chosen) -> Page {
    let lang = chosen.lang;
    let catalog = state.catalog();
    let t = lang.labels();
    let body = BrowsePage {
        heading: t.types_title,
        intro: None,
        groups: vec![
            BrowseGroup {
                title: Some(t.type_),
                entries: entries(&catalog.types, "type", lang),
            },
            BrowseGroup {
                title: Some(t.levels_title),
                entries: entries(&catalog.levels, "level", lang),
            },
        ],
    };
    let mut frame = Frame::new(
        &req,
        &state,
        lang,
        format!("{} · {}", t.types_title, t.site_name),
    );
    frame.nav = "types";
    let text = page("browse.html", &frame, &body).in_lang(lang)?;
    Ok(html(&req, chosen, text, Some(catalog.updated)))
}

#[derive(Serialize)]
struct MapPage {
    width: u32,
    height: u32,
    silhouette: &'static str,
    dots: String,
    placed: usize,
    unplaced: usize,
    provinces: Vec<BrowseEntry>,
}

pub async fn map_page(req: HttpRequest, state: State, chosen: Chosen) -> Page {
    let lang = chosen.lang;
    let catalog = state.catalog();
    let positions: Vec<(f64, f64)> = catalog.sites().filter_map(|s| s.position()).collect();
    let (width, height) = map::size();
    let body = MapPage {
        width,
        height,
        silhouette: assets::url("vietnam.svg"),
        dots: map::dots_path(positions.iter().copied()),
        placed: positions.len(),
        unplaced: catalog.len() - positions.len(),
        provinces: entries(&catalog.provinces, "province", lang),
    };
    let t = lang.labels();
    let mut frame = Frame::new(
        &req,
        &state,
        lang,
        format!("{} · {}", t.map_title, t.site_name),
    );
    frame.nav = "map";
    let text = page("map.html", &frame, &body).in_lang(lang)?;
    Ok(html(&req, chosen, text, Some(catalog.updated)))
}

/// Anything no route matched: a 404 page, or a JSON 404 under `/api/`.
pub async fn not_found(req: HttpRequest, chosen: Chosen) -> HttpResponse {
    use actix_web::ResponseError;
    let error = WebError::not_found(format!("no page at {}", req.path()));
    if req.path().starts_with("/api/") {
        return super::error::ApiError(error).error_response();
    }
    PageError {
        error,
        lang: chosen.lang,
    }
    .error_response()
}
