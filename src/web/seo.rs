//! What search engines and link previews read: `robots.txt`, `sitemap.xml` and schema.org
//! JSON-LD. (Open Graph and Twitter tags are in `templates/base.html`, filled from the page's
//! frame.)

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::catalog::{Catalog, Site};
use super::error::{InLang, PageError, WebError};
use super::i18n::{Chosen, Lang};
use super::render::cached;
use super::state::AppState;
use super::views::{MEDIA_PREFIX, site_url};
use crate::record::SiteRecord;

pub async fn robots(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let origin = state.origin(&req);
    let text =
        format!("User-agent: *\nAllow: /\nDisallow: /api/\n\nSitemap: {origin}/sitemap.xml\n");
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(text)
}

/// Sites per sitemap file: each is listed in two languages, and the protocol allows 50,000
/// URLs (and 50 MB) per file.
pub const SITES_PER_SITEMAP: usize = 20_000;

/// Every site page in both languages, plus the browse pages — or, for an archive too big for
/// one file (the whole country), a sitemap index naming `/sitemap-{n}.xml`.
pub async fn sitemap(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let origin = state.origin(&req);
    let catalog = state.catalog();
    let parts = sitemap_parts(catalog.len());
    let xml = if parts <= 1 {
        urlset(&origin, &catalog, 0)
    } else {
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        let lastmod = catalog.updated.format("%Y-%m-%d");
        for n in 1..=parts {
            let loc = escape_xml(&format!("{origin}/sitemap-{n}.xml"));
            xml.push_str(&format!(
                "<sitemap><loc>{loc}</loc><lastmod>{lastmod}</lastmod></sitemap>\n"
            ));
        }
        xml.push_str("</sitemapindex>\n");
        xml
    };
    sitemap_response(&req, xml, catalog.updated)
}

/// One part of a sitemap index: `/sitemap-{n}.xml`, counting from 1.
pub async fn sitemap_part(
    req: HttpRequest,
    state: web::Data<AppState>,
    chosen: Chosen,
    part: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let catalog = state.catalog();
    let n = part
        .strip_suffix(".xml")
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|&n| n >= 1 && n <= sitemap_parts(catalog.len()))
        .ok_or_else(|| WebError::not_found("sitemap part"))
        .in_lang(chosen.lang)?;
    let xml = urlset(&state.origin(&req), &catalog, n - 1);
    Ok(sitemap_response(&req, xml, catalog.updated))
}

/// How many files the sitemap of `sites` sites takes.
fn sitemap_parts(sites: usize) -> usize {
    sites.div_ceil(SITES_PER_SITEMAP).max(1)
}

fn sitemap_response(
    req: &HttpRequest,
    xml: String,
    updated: chrono::DateTime<chrono::Utc>,
) -> HttpResponse {
    let chosen = Chosen {
        lang: Lang::Vi,
        explicit: false,
    };
    cached(
        req,
        chosen,
        xml.into_bytes(),
        "application/xml; charset=utf-8",
        Some(updated),
    )
}

/// The `<urlset>` of part `part` (from 0) of the catalog's sites; the first part also lists
/// the browse pages.
fn urlset(origin: &str, catalog: &Catalog, part: usize) -> String {
    let mut xml = String::with_capacity(200 + catalog.len().min(SITES_PER_SITEMAP) * 400);
    xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n");
    let mut entry = |path: &str, lastmod: Option<String>| {
        for lang in [Lang::Vi, Lang::En] {
            let loc = super::render::with_param(path, lang.link_param());
            xml.push_str(&format!(
                "<url><loc>{}</loc>",
                escape_xml(&format!("{origin}{loc}"))
            ));
            if let Some(d) = &lastmod {
                xml.push_str(&format!("<lastmod>{d}</lastmod>"));
            }
            for alt in [Lang::Vi, Lang::En] {
                let href = super::render::with_param(path, alt.link_param());
                xml.push_str(&format!(
                    "<xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>",
                    alt.code(),
                    escape_xml(&format!("{origin}{href}"))
                ));
            }
            xml.push_str("</url>\n");
        }
    };
    if part == 0 {
        for path in ["/", "/provinces", "/types", "/map"] {
            entry(path, None);
        }
    }
    let sites = catalog
        .sites()
        .skip(part * SITES_PER_SITEMAP)
        .take(SITES_PER_SITEMAP);
    for site in sites {
        let lastmod = site.updated().map(|d| d.format("%Y-%m-%d").to_string());
        entry(&format!("/sites/{}", site.id), lastmod);
    }
    xml.push_str("</urlset>\n");
    xml
}

fn escape_xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// JSON made safe to sit inside `<script type="application/ld+json">`: `<` is escaped so no
/// text in a record can close the element.
fn script_json(value: &serde_json::Value) -> String {
    value.to_string().replace('<', "\\u003c")
}

/// The home page: the site and its search box (for a search engine's sitelinks box).
pub fn website_json_ld(origin: &str, lang: Lang) -> String {
    script_json(&json!({
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": lang.labels().site_name,
        "url": format!("{origin}/"),
        "inLanguage": lang.code(),
        "potentialAction": {
            "@type": "SearchAction",
            "target": format!("{origin}/search?q={{q}}"),
            "query-input": "required name=q"
        }
    }))
}

/// A site as a `LandmarksOrHistoricalBuildings` and `TouristAttraction`, with its position
/// and photos.
pub fn site_json_ld(site: &Site, r: &SiteRecord, origin: &str, lang: Lang) -> String {
    let mut value = json!({
        "@context": "https://schema.org",
        "@type": ["LandmarksOrHistoricalBuildings", "TouristAttraction"],
        "name": r.name,
        "url": format!("{origin}{}", site_url(&r.id, lang)),
        "inLanguage": lang.code(),
    });
    let obj = value.as_object_mut().expect("a JSON object");
    if let Some(en) = &r.name_en {
        obj.insert(
            "alternateName".into(),
            json!(std::iter::once(en).chain(&r.alt_names).collect::<Vec<_>>()),
        );
    } else if !r.alt_names.is_empty() {
        obj.insert("alternateName".into(), json!(r.alt_names));
    }
    if let Some(summary) = &r.summary {
        obj.insert(
            "description".into(),
            json!(lang.pick(summary, r.summary_en.as_deref())),
        );
    }
    if let Some((lat, lon)) = site.position() {
        obj.insert(
            "geo".into(),
            json!({"@type": "GeoCoordinates", "latitude": lat, "longitude": lon}),
        );
    }
    let l = &r.location;
    if l.province.is_some() || l.commune.is_some() {
        obj.insert(
            "address".into(),
            json!({"@type": "PostalAddress", "addressCountry": "VN",
                   "addressRegion": l.province, "addressLocality": l.commune}),
        );
    }
    let images: Vec<String> = site
        .photos()
        .iter()
        .filter_map(|p| {
            p.meta
                .files
                .iter()
                .filter(|f| f.mime == "image/jpeg")
                .max_by_key(|f| f.width)
        })
        .map(|f| format!("{origin}{MEDIA_PREFIX}{}", f.path))
        .collect();
    if !images.is_empty() {
        obj.insert("image".into(), json!(images));
    }
    if let Some(updated) = site.updated() {
        obj.insert("dateModified".into(), json!(updated.to_rfc3339()));
    }
    if let Some(qid) = &r.wikidata {
        obj.insert(
            "sameAs".into(),
            json!(format!("https://www.wikidata.org/wiki/{qid}")),
        );
    }
    script_json(&value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::summary::SiteSummary;
    use std::path::PathBuf;

    #[test]
    fn a_country_sized_sitemap_is_split_into_parts_within_the_protocol_limits() {
        let now = chrono::Utc::now();
        let sites = (0..45_000)
            .map(|i| {
                let id = format!("site-{i:05}");
                let record = SiteRecord::new(&id, "Đình", now);
                Site::new(
                    id.clone(),
                    PathBuf::from(&id),
                    id,
                    SiteSummary::of(&record, &[]),
                )
            })
            .collect();
        let catalog = Catalog::from_sites(sites);
        assert_eq!(sitemap_parts(catalog.len()), 3);
        assert_eq!(sitemap_parts(0), 1);
        assert_eq!(sitemap_parts(SITES_PER_SITEMAP), 1);
        let mut seen = std::collections::HashSet::new();
        for part in 0..3 {
            let xml = urlset("https://disan.example.org", &catalog, part);
            let urls = xml.matches("<url>").count();
            assert!(urls <= 50_000, "part {part} lists {urls} URLs");
            assert!(xml.len() < 50_000_000);
            assert_eq!(xml.contains("/provinces?lang=en"), part == 0);
            for loc in xml.split("<loc>").skip(1) {
                let loc = &loc[..loc.find("</loc>").expect("closed")];
                if loc.contains("/sites/") && !loc.ends_with("lang=en") {
                    assert!(seen.insert(loc.to_owned()), "{loc} twice");
                }
            }
        }
        assert_eq!(seen.len(), 45_000, "every site once, in one part");
    }
}
