//! What templates receive: sites, search hits and photos reduced to display-ready text in the
//! visitor's language. Every struct here is a template context (or part of one); building them
//! is the only place where records meet labels, so templates stay free of logic.

use serde::Serialize;

use super::catalog::{Site, SitePhoto};
use super::i18n::Lang;
use super::render::with_param;
use crate::ingest::summary::CARD_SUMMARY_CHARS;
use crate::record::Level;
use crate::search::Hit;
use crate::search::api::SITE_URL_PREFIX;

/// Media derivatives are served under this prefix (paths are relative to the media folder).
pub const MEDIA_PREFIX: &str = "/media/";

/// A responsive image: WebP and JPEG `srcset`s for `<picture>`, the placeholder colour shown
/// while it loads, and its intrinsic size so the layout does not jump.
#[derive(Debug, Serialize)]
pub struct Picture {
    pub webp_srcset: String,
    pub jpeg_srcset: String,
    /// The smallest JPEG, for browsers without `srcset`.
    pub src: String,
    /// The largest JPEG, what "enlarge" opens without JavaScript.
    pub large: String,
    /// The largest WebP, what the photo viewer shows.
    pub large_webp: String,
    pub width: u32,
    pub height: u32,
    pub placeholder: String,
    pub alt: String,
}

impl Picture {
    pub fn of(photo: &SitePhoto, alt: String) -> Option<Picture> {
        let files = &photo.meta.files;
        let set = |mime: &str| {
            let mut list: Vec<_> = files.iter().filter(|f| f.mime == mime).collect();
            list.sort_by_key(|f| f.width);
            list
        };
        let jpeg = set("image/jpeg");
        let webp = set("image/webp");
        let srcset = |list: &[&crate::ingest::photos::DerivativeFile]| {
            list.iter()
                .map(|f| format!("{MEDIA_PREFIX}{} {}w", f.path, f.width))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let smallest = jpeg.first()?;
        let largest = jpeg.last()?;
        Some(Picture {
            webp_srcset: srcset(&webp),
            jpeg_srcset: srcset(&jpeg),
            src: format!("{MEDIA_PREFIX}{}", smallest.path),
            large: format!("{MEDIA_PREFIX}{}", largest.path),
            large_webp: webp
                .last()
                .map(|f| format!("{MEDIA_PREFIX}{}", f.path))
                .unwrap_or_else(|| format!("{MEDIA_PREFIX}{}", largest.path)),
            width: smallest.width,
            height: smallest.height,
            placeholder: photo.meta.placeholder.clone(),
            alt,
        })
    }
}

/// The text describing a photo to people who cannot see it: its caption, else the site name.
pub fn alt_text(photo: &SitePhoto, site_name: &str, lang: Lang) -> String {
    match &photo.photo.caption {
        Some(caption) => lang
            .pick(caption, photo.photo.caption_en.as_deref())
            .to_owned(),
        None => site_name.to_owned(),
    }
}

/// One site in a list (results, recent, nearby).
#[derive(Debug, Serialize)]
pub struct Card {
    pub id: String,
    pub url: String,
    pub name: String,
    /// The English name on English pages, when there is one.
    pub name_other: Option<String>,
    pub type_label: Option<String>,
    pub level_label: Option<String>,
    pub place: Option<String>,
    pub red_address: bool,
    pub distance: Option<String>,
    /// Highlighted excerpt (already-escaped HTML with `<mark>`), or the summary as text.
    pub snippet: Option<String>,
    pub summary: Option<String>,
    pub picture: Option<Picture>,
    pub placeholder: String,
}

fn level_label(level: Level, lang: Lang) -> Option<String> {
    (level != Level::Unknown).then(|| pick_label(lang, level.label_vi(), level.label_en()))
}

fn pick_label(lang: Lang, vi: &str, en: &str) -> String {
    match lang {
        Lang::Vi => vi.to_owned(),
        Lang::En => en.to_owned(),
    }
}

/// "Ninh Bình (formerly Nam Định)": where a site is, as a list shows it.
fn place(province: Option<&str>, legacy: Option<&str>) -> Option<String> {
    match (province, legacy) {
        (Some(p), Some(l)) if l != p => Some(format!("{p} ({l})")),
        (Some(p), _) => Some(p.to_owned()),
        (None, Some(l)) => Some(l.to_owned()),
        (None, None) => None,
    }
}

pub fn distance_text(km: f64) -> String {
    if km < 1.0 {
        format!("{:.0} m", (km * 1000.0).round())
    } else if km < 10.0 {
        format!("{km:.1} km")
    } else {
        format!("{km:.0} km")
    }
}

pub fn site_url(id: &str, lang: Lang) -> String {
    with_param(&format!("{SITE_URL_PREFIX}{id}"), lang.link_param())
}

impl Card {
    pub fn of_site(site: &Site, lang: Lang, distance_km: Option<f64>) -> Card {
        let s = &site.summary;
        Card {
            id: site.id.clone(),
            url: site_url(&site.id, lang),
            name: s.name.clone(),
            name_other: other_name(lang, s.name_en.as_deref()),
            type_label: s
                .site_type
                .as_ref()
                .map(|t| pick_label(lang, t.label_vi(), t.label_en())),
            level_label: level_label(s.level, lang),
            place: place(s.province.as_deref(), s.legacy_province.as_deref()),
            red_address: s.red_address,
            distance: distance_km.map(distance_text),
            snippet: None,
            summary: s
                .summary
                .as_deref()
                .map(|t| shorten(lang.pick(t, s.summary_en.as_deref()), CARD_SUMMARY_CHARS)),
            picture: site
                .photos()
                .first()
                .and_then(|p| Picture::of(p, alt_text(p, &s.name, lang))),
            placeholder: site
                .photos()
                .first()
                .map_or_else(|| "#e8e2d6".to_owned(), |p| p.meta.placeholder.clone()),
        }
    }

    /// A search hit, completed from the catalog (photos, red address) when it knows the site.
    pub fn of_hit(hit: &Hit, site: Option<&Site>, lang: Lang) -> Card {
        let mut card = match site {
            Some(site) => Card::of_site(site, lang, None),
            None => Card {
                id: hit.id.clone(),
                url: site_url(&hit.id, lang),
                name: hit.name.clone(),
                name_other: other_name(lang, hit.name_en.as_deref()),
                type_label: None,
                level_label: None,
                place: None,
                red_address: false,
                distance: None,
                snippet: None,
                summary: None,
                picture: None,
                placeholder: hit.placeholder.clone().unwrap_or_else(|| "#e8e2d6".into()),
            },
        };
        card.type_label = hit
            .site_type
            .as_ref()
            .map(|t| pick_label(lang, &t.vi, &t.en));
        card.level_label = (hit.level.code != Level::Unknown.code())
            .then(|| pick_label(lang, &hit.level.vi, &hit.level.en));
        card.place = place(hit.province.as_deref(), hit.province_legacy.as_deref());
        card.distance = hit.distance_km.map(distance_text);
        // The excerpt is Vietnamese text; on English pages the English summary reads better.
        if lang == Lang::Vi || card.summary.is_none() {
            card.snippet = hit.snippet.clone();
        }
        card
    }
}

/// `text` cut at a word boundary to at most about `max` characters, with an ellipsis.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let end = cut.rfind(' ').unwrap_or(cut.len());
    format!("{}…", cut[..end].trim_end_matches([',', ';', ':', ' ']))
}

fn other_name(lang: Lang, name_en: Option<&str>) -> Option<String> {
    match lang {
        Lang::En => name_en.map(str::to_owned),
        Lang::Vi => None,
    }
}

/// A date and time as people in Vietnam read it: their time zone (UTC+7), day first.
/// `text` as one segment of a URL path: every byte but `A–Z a–z 0–9 . _ - ~` percent-encoded
/// (user names may hold Vietnamese letters).
pub fn path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn local_time(at: chrono::DateTime<chrono::Utc>) -> String {
    let vietnam = chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset");
    at.with_timezone(&vietnam)
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_read_naturally() {
        assert_eq!(distance_text(0.25), "250 m");
        assert_eq!(distance_text(3.456), "3.5 km");
        assert_eq!(distance_text(123.4), "123 km");
        assert_eq!(
            place(Some("Ninh Bình"), Some("Nam Định")).as_deref(),
            Some("Ninh Bình (Nam Định)")
        );
    }
}
