//! The page of one site: everything the record says, in the visitor's language, with its
//! photos, position, neighbours and the ways to cite, download and print it.

use serde::Serialize;

use super::catalog::{Catalog, Site};
use super::cite;
use super::i18n::Lang;
use super::views::{Card, Picture, alt_text, site_url};
use super::{assets, map};
use crate::description::Rendered;
use crate::record::SiteRecord;

#[derive(Debug, Serialize)]
pub struct SitePage {
    pub id: String,
    pub name: String,
    pub name_other: Option<String>,
    pub alt_names: Vec<String>,
    pub type_label: Option<String>,
    pub level_label: Option<String>,
    pub categories: Vec<String>,
    pub red_address: bool,
    pub summary: Option<String>,
    /// `vi` when an English page shows the Vietnamese summary (for screen readers' voices).
    pub summary_lang: Option<&'static str>,
    /// Sanitised HTML.
    pub description_html: Option<String>,
    /// An English page showing the Vietnamese description.
    pub vietnamese_only: bool,
    /// For `<meta name="description">`.
    pub description_meta: String,
    pub facts: Vec<Fact>,
    pub events: Vec<EventView>,
    pub sources: Vec<SourceView>,
    pub photos: Vec<PhotoView>,
    pub location: Option<LocationView>,
    pub nearby: Vec<Card>,
    pub cite_apa: String,
    pub cite_bibtex: String,
    pub cite_json_url: String,
    pub cite_ris_url: String,
    /// The IIIF manifest of the site's photos, when it has some.
    pub manifest_url: Option<String>,
    /// The site's Wikidata item, as a link, and its id.
    pub wikidata_url: Option<String>,
    pub wikidata: Option<String>,
    pub json_url: String,
    pub plaque_url: String,
    pub short_url: String,
    pub updated: Option<String>,
    pub updated_iso: Option<String>,
    /// The page of every approved change of the site.
    pub history_url: String,
    /// The deep-zoom script, fetched by the photo viewer when a photo is opened.
    pub zoom_js: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Fact {
    pub label: &'static str,
    pub value: String,
}

#[derive(Debug, Serialize)]
pub struct EventView {
    pub date: String,
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct SourceView {
    pub citation: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct PhotoView {
    pub picture: Picture,
    /// The photo's IIIF image service (`info.json`), which the viewer zooms into.
    pub zoom: String,
    pub caption: Option<String>,
    pub author: Option<String>,
    pub license: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct LocationView {
    pub lat: f64,
    pub lon: f64,
    pub coordinates: String,
    pub approximate: bool,
    pub geo_uri: String,
    pub osm_url: String,
    pub map_width: u32,
    pub map_height: u32,
    pub x: f64,
    pub y: f64,
    pub silhouette: &'static str,
}

/// The page of `site`, whose whole record is `r`; `description` is its stored rendering
/// ([`crate::description`]).
pub fn build(
    site: &Site,
    r: &SiteRecord,
    catalog: &Catalog,
    description: &Rendered,
    lang: Lang,
    origin: &str,
) -> SitePage {
    let t = lang.labels();
    let pick = |vi: &str, en: &str| match lang {
        Lang::Vi => vi.to_owned(),
        Lang::En => en.to_owned(),
    };
    let summary = r
        .summary
        .as_deref()
        .map(|s| lang.pick(s, r.summary_en.as_deref()).to_owned());
    let description_html = match (lang, &description.vi, &description.en) {
        (_, None, _) => None,
        (Lang::En, Some(_), Some(en)) => Some(en.clone()),
        (_, Some(vi), _) => Some(vi.clone()),
    };
    let vietnamese_only = lang == Lang::En
        && r.description.is_some()
        && r.description_en
            .as_deref()
            .is_none_or(|d| d.trim().is_empty());
    let mut facts = Vec::new();
    if let Some(period) = r
        .period
        .as_ref()
        .and_then(|p| p.text.clone().or_else(|| years(p.start_year, p.end_year)))
    {
        facts.push(Fact {
            label: t.period,
            value: period,
        });
    }
    if let Some(year) = r.year_recognized {
        facts.push(Fact {
            label: t.year_recognized,
            value: year.to_string(),
        });
    }
    if !r.people.is_empty() {
        facts.push(Fact {
            label: t.people,
            value: r.people.join(", "),
        });
    }
    let l = &r.location;
    let now: Vec<&str> = [l.commune.as_deref(), l.province.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if !now.is_empty() {
        facts.push(Fact {
            label: t.now_in,
            value: now.join(", "),
        });
    }
    let before: Vec<&str> = [
        l.legacy.commune.as_deref(),
        l.legacy.district.as_deref(),
        l.legacy.province.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !before.is_empty() {
        facts.push(Fact {
            label: t.formerly_in,
            value: before.join(", "),
        });
    }
    if let Some(address) = &l.address {
        facts.push(Fact {
            label: t.address,
            value: address.clone(),
        });
    }
    // Where the summary places it: the record's position, else its photos' GPS.
    let location = site.position().map(|(lat, lon)| {
        let (map_width, map_height) = map::size();
        let (x, y) = map::project(lat, lon);
        LocationView {
            lat,
            lon,
            coordinates: format!("{lat:.5}, {lon:.5}"),
            approximate: site.summary.accuracy.is_some_and(|a| a.is_centroid()),
            geo_uri: format!("geo:{lat:.6},{lon:.6}"),
            osm_url: format!("https://www.openstreetmap.org/?mlat={lat:.6}&mlon={lon:.6}#map=16/{lat:.6}/{lon:.6}"),
            map_width,
            map_height,
            x: (x * 10.0).round() / 10.0,
            y: (y * 10.0).round() / 10.0,
            silhouette: assets::url("vietnam.svg"),
        }
    });
    let photos = site
        .photos()
        .iter()
        .filter_map(|p| {
            Some(PhotoView {
                picture: Picture::of(p, alt_text(p, &r.name, lang))?,
                zoom: format!(
                    "{}/info.json",
                    crate::ingest::photos::image_service_path(&p.meta.hash)
                ),
                caption: p
                    .photo
                    .caption
                    .as_deref()
                    .map(|c| lang.pick(c, p.photo.caption_en.as_deref()).to_owned()),
                author: p.photo.author.clone(),
                license: p.photo.license.clone(),
            })
        })
        .collect();
    let page_url = format!("{origin}{}", site_url(&r.id, lang));
    let updated = site.updated();
    SitePage {
        id: r.id.clone(),
        name: r.name.clone(),
        name_other: match lang {
            Lang::En => r.name_en.clone(),
            Lang::Vi => None,
        },
        alt_names: r.alt_names.clone(),
        type_label: r
            .site_type
            .as_ref()
            .map(|ty| pick(ty.label_vi(), ty.label_en())),
        level_label: (r.level != crate::record::Level::Unknown)
            .then(|| pick(r.level.label_vi(), r.level.label_en())),
        categories: r
            .category
            .iter()
            .map(|c| pick(c.label_vi(), c.label_en()))
            .collect(),
        red_address: r.red_address,
        summary_lang: (lang == Lang::En
            && r.summary.is_some()
            && r.summary_en.as_deref().is_none_or(|s| s.trim().is_empty()))
        .then_some("vi"),
        description_meta: summary
            .clone()
            .unwrap_or_else(|| format!("{} — {}", r.name, t.tagline)),
        summary,
        description_html,
        vietnamese_only,
        facts,
        events: r
            .events
            .iter()
            .map(|e| EventView {
                date: e.date.clone(),
                text: lang.pick(&e.text, e.text_en.as_deref()).to_owned(),
            })
            .collect(),
        sources: r
            .sources
            .iter()
            .map(|s| SourceView {
                citation: s.citation.clone(),
                // Only web links become links: a `javascript:` URL in a record is shown as text.
                url: s
                    .url
                    .clone()
                    .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
            })
            .collect(),
        photos,
        location,
        nearby: catalog
            .nearby(site)
            .map(|(near, km)| Card::of_site(near, lang, Some(km)))
            .collect(),
        cite_apa: cite::apa(r, &page_url, lang),
        cite_bibtex: cite::bibtex(r, &page_url),
        cite_json_url: format!("/sites/{}/cite.json", r.id),
        cite_ris_url: format!("/sites/{}/cite.ris", r.id),
        manifest_url: (!site.photos().is_empty()).then(|| format!("/iiif/{}/manifest.json", r.id)),
        wikidata_url: r
            .wikidata
            .as_ref()
            .map(|q| format!("https://www.wikidata.org/wiki/{q}")),
        wikidata: r.wikidata.clone(),
        json_url: format!("/sites/{}/site.json", r.id),
        plaque_url: super::render::with_param(
            &format!("/sites/{}/plaque", r.id),
            lang.link_param(),
        ),
        short_url: format!("{origin}/s/{}", site.summary.short_code),
        updated: updated.map(|d| d.format("%d/%m/%Y").to_string()),
        updated_iso: updated.map(|d| d.format("%Y-%m-%d").to_string()),
        history_url: super::render::with_param(
            &format!("/sites/{}/history", r.id),
            lang.link_param(),
        ),
        zoom_js: assets::url("zoom.js"),
    }
}

fn years(start: Option<i32>, end: Option<i32>) -> Option<String> {
    match (start, end) {
        (Some(s), Some(e)) if s != e => Some(format!("{s}–{e}")),
        (Some(s), _) => Some(s.to_string()),
        (None, Some(e)) => Some(e.to_string()),
        (None, None) => None,
    }
}
