//! One site as a pack carries it: what its offline page, the offline search and "near me" need,
//! in short keys, and nothing a phone cannot afford to store by the thousand.
//!
//! The description is cut to an excerpt of plain text (the full Markdown page needs a
//! connection); photos are only the smallest WebP derivative with their credits. Everything a
//! visitor searches by — names, other names, people, the current and pre-2025 places — is kept
//! whole, because the offline search must find what the server finds.

use serde::{Deserialize, Serialize};

use crate::ingest::photos::PhotoMeta;
use crate::record::{Level, SiteRecord, in_vietnam};

/// Longest description excerpt, in characters.
pub const EXCERPT_CHARS: usize = 300;

/// A site in a pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackSite {
    #[serde(rename = "i")]
    pub id: String,
    #[serde(rename = "n")]
    pub name: String,
    #[serde(rename = "ne", default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    #[serde(rename = "a", default, skip_serializing_if = "Vec::is_empty")]
    pub alt_names: Vec<String>,
    /// A type code, or the label of a type outside the vocabulary.
    #[serde(rename = "t", default, skip_serializing_if = "Option::is_none")]
    pub site_type: Option<String>,
    #[serde(rename = "l", default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    #[serde(rename = "r", default, skip_serializing_if = "std::ops::Not::not")]
    pub red_address: bool,
    #[serde(rename = "k", default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    #[serde(rename = "ad", default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(rename = "cm", default, skip_serializing_if = "Option::is_none")]
    pub commune: Option<String>,
    #[serde(rename = "pv", default, skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    /// The pre-2025 units: province, district, commune.
    #[serde(rename = "lp", default, skip_serializing_if = "Option::is_none")]
    pub legacy_province: Option<String>,
    #[serde(rename = "ld", default, skip_serializing_if = "Option::is_none")]
    pub legacy_district: Option<String>,
    #[serde(rename = "lc", default, skip_serializing_if = "Option::is_none")]
    pub legacy_commune: Option<String>,
    #[serde(rename = "la", default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    #[serde(rename = "lo", default, skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
    /// The position is an administrative unit's centre, not the site's.
    #[serde(rename = "ap", default, skip_serializing_if = "std::ops::Not::not")]
    pub approximate: bool,
    #[serde(rename = "pd", default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    #[serde(rename = "yr", default, skip_serializing_if = "Option::is_none")]
    pub year_recognized: Option<i32>,
    #[serde(rename = "pp", default, skip_serializing_if = "Vec::is_empty")]
    pub people: Vec<String>,
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(rename = "se", default, skip_serializing_if = "Option::is_none")]
    pub summary_en: Option<String>,
    /// The description as plain text, cut to [`EXCERPT_CHARS`].
    #[serde(rename = "d", default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(rename = "de", default, skip_serializing_if = "Option::is_none")]
    pub description_en: Option<String>,
    /// A description was cut: the rest is on the site's page online.
    #[serde(rename = "dm", default, skip_serializing_if = "std::ops::Not::not")]
    pub more: bool,
    #[serde(rename = "ph", default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<PackPhoto>,
    /// The day of the record's last change, `YYYY-MM-DD`.
    #[serde(rename = "up", default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
}

/// A photo in a pack: its smallest derivative and its credits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackPhoto {
    /// URL of the smallest WebP (`/media/…`): immutable, named by the photo's content hash.
    #[serde(rename = "u")]
    pub url: String,
    #[serde(rename = "w")]
    pub width: u32,
    #[serde(rename = "h")]
    pub height: u32,
    #[serde(rename = "b")]
    pub bytes: u64,
    #[serde(rename = "c", default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    #[serde(rename = "ce", default, skip_serializing_if = "Option::is_none")]
    pub caption_en: Option<String>,
    #[serde(rename = "au", default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(rename = "li", default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
}

impl PackSite {
    /// The pack form of `record`, whose listed photos rendered as `photos` (in record order,
    /// `None` for a photo without derivatives).
    pub fn of(record: &SiteRecord, photos: &[Option<PhotoMeta>]) -> PackSite {
        let l = &record.location;
        let (mut lat, mut lon, mut approximate) =
            (l.lat, l.lon, l.accuracy.is_some_and(|a| a.is_centroid()));
        // As ingest does: a site without a position takes its first photo's GPS in Vietnam.
        if lat.is_none()
            && let Some((la, lo)) = photos
                .iter()
                .flatten()
                .filter_map(|m| m.gps)
                .find(|&(la, lo)| in_vietnam(la, lo))
        {
            (lat, lon, approximate) = (Some(la), Some(lo), false);
        }
        let (description, cut) = excerpt(record.description.as_deref());
        let (description_en, cut_en) = excerpt(record.description_en.as_deref());
        let site = PackSite {
            id: record.id.clone(),
            name: record.name.clone(),
            name_en: record.name_en.clone(),
            alt_names: record.alt_names.clone(),
            site_type: record.site_type.as_ref().map(|t| t.code().to_owned()),
            level: (record.level != Level::Unknown).then(|| record.level.code().to_owned()),
            red_address: record.red_address,
            categories: record
                .category
                .iter()
                .map(|c| c.code().to_owned())
                .collect(),
            address: l.address.clone(),
            commune: l.commune.clone(),
            province: l.province.clone(),
            legacy_province: l.legacy.province.clone(),
            legacy_district: l.legacy.district.clone(),
            legacy_commune: l.legacy.commune.clone(),
            lat: lat.map(round5),
            lon: lon.map(round5),
            approximate,
            period: record.period.as_ref().and_then(|p| p.text.clone()),
            year_recognized: record.year_recognized,
            people: record.people.clone(),
            summary: record.summary.clone(),
            summary_en: record.summary_en.clone(),
            description,
            description_en,
            more: cut || cut_en,
            photos: record
                .photos
                .iter()
                .zip(photos)
                .filter_map(|(photo, meta)| {
                    let meta = meta.as_ref()?;
                    let smallest = meta
                        .files
                        .iter()
                        .filter(|f| f.mime == "image/webp")
                        .min_by_key(|f| f.width)?;
                    Some(PackPhoto {
                        url: format!("/media/{}", smallest.path),
                        width: smallest.width,
                        height: smallest.height,
                        bytes: smallest.bytes,
                        caption: photo.caption.clone(),
                        caption_en: photo.caption_en.clone(),
                        author: photo.author.clone(),
                        license: photo.license.clone(),
                    })
                })
                .collect(),
            updated: record
                .updated
                .or(record.created)
                .map(|t| t.format("%Y-%m-%d").to_string()),
        };
        site.in_nfc()
    }

    /// Every text in NFC, whatever the record held: the offline search compares it as it is.
    fn in_nfc(mut self) -> PackSite {
        let one = |s: &mut String| {
            if !unicode_normalization::is_nfc(s) {
                *s = crate::fold::nfc(s);
            }
        };
        let some = |s: &mut Option<String>| s.iter_mut().for_each(one);
        one(&mut self.name);
        self.alt_names.iter_mut().for_each(one);
        self.people.iter_mut().for_each(one);
        for text in [
            &mut self.name_en,
            &mut self.site_type,
            &mut self.address,
            &mut self.commune,
            &mut self.province,
            &mut self.legacy_province,
            &mut self.legacy_district,
            &mut self.legacy_commune,
            &mut self.period,
            &mut self.summary,
            &mut self.summary_en,
            &mut self.description,
            &mut self.description_en,
        ] {
            some(text);
        }
        for photo in &mut self.photos {
            for text in [&mut photo.caption, &mut photo.caption_en, &mut photo.author] {
                some(text);
            }
        }
        self
    }

    /// Bytes of the photos at their smallest size.
    pub fn photo_bytes(&self) -> u64 {
        self.photos.iter().map(|p| p.bytes).sum()
    }
}

/// ~1 m: more digits only cost bytes.
fn round5(x: f64) -> f64 {
    (x * 1e5).round() / 1e5
}

/// The plain text of a Markdown description, cut at a word boundary to [`EXCERPT_CHARS`];
/// `true` when something was cut.
fn excerpt(markdown: Option<&str>) -> (Option<String>, bool) {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let Some(markdown) = markdown.filter(|m| !m.trim().is_empty()) else {
        return (None, false);
    };
    let mut text = String::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => {
                text.push_str("\n\n")
            }
            Event::Start(Tag::Item) => text.push_str("• "),
            _ => {}
        }
        if text.chars().count() > EXCERPT_CHARS + 1 {
            break;
        }
    }
    let text = text.trim();
    if text.chars().count() <= EXCERPT_CHARS {
        return (Some(text.to_owned()), false);
    }
    let cut: String = text.chars().take(EXCERPT_CHARS).collect();
    let at = cut.rfind(char::is_whitespace).unwrap_or(cut.len());
    (Some(format!("{}…", cut[..at].trim_end())), true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_become_short_plain_text() {
        let (text, cut) = excerpt(Some(
            "# Lịch sử\n\nĐình **thờ** Thành hoàng.\n\n- Cổng\n- Sân",
        ));
        assert_eq!(
            text.as_deref(),
            Some("Lịch sử\n\nĐình thờ Thành hoàng.\n\n• Cổng\n\n• Sân")
        );
        assert!(!cut);
        let long = "chữ ".repeat(200);
        let (text, cut) = excerpt(Some(&long));
        let text = text.unwrap();
        assert!(cut);
        assert!(text.ends_with("chữ…"), "{text}");
        assert!(text.chars().count() <= EXCERPT_CHARS + 1);
        assert_eq!(excerpt(Some("  ")), (None, false));
    }

    #[test]
    fn every_text_is_nfc() {
        use unicode_normalization::UnicodeNormalization;
        let nfd: String = "Đình Tức Mạc".nfd().collect();
        let mut record = SiteRecord::new("a", nfd.clone(), chrono::Utc::now());
        record.people = vec![nfd.clone()];
        record.location.commune = Some(nfd);
        let site = PackSite::of(&record, &[]);
        assert_eq!(site.name, "Đình Tức Mạc");
        assert_eq!(site.people, ["Đình Tức Mạc"]);
        assert_eq!(site.commune.as_deref(), Some("Đình Tức Mạc"));
    }

    #[test]
    fn a_site_without_a_position_takes_its_photos_gps() {
        let mut record = SiteRecord::new("a", "Đình A", chrono::Utc::now());
        record.photos = vec![crate::record::Photo {
            file: "p.jpg".into(),
            caption: Some("Cổng".into()),
            caption_en: None,
            author: Some("Lan".into()),
            license: Some("CC0-1.0".into()),
            date_taken: None,
            lat: None,
            lon: None,
        }];
        let meta = PhotoMeta {
            hash: "ab".into(),
            width: 4000,
            height: 3000,
            placeholder: "#000000".into(),
            date_taken: None,
            camera: None,
            gps: Some((20.123456789, 105.9)),
            files: vec![
                crate::ingest::photos::DerivativeFile {
                    path: "ab/ab-1024.webp".into(),
                    mime: "image/webp".into(),
                    width: 1024,
                    height: 768,
                    bytes: 90_000,
                },
                crate::ingest::photos::DerivativeFile {
                    path: "ab/ab-320.webp".into(),
                    mime: "image/webp".into(),
                    width: 320,
                    height: 240,
                    bytes: 9_000,
                },
            ],
        };
        let site = PackSite::of(&record, &[Some(meta)]);
        assert_eq!((site.lat, site.lon), (Some(20.12346), Some(105.9)));
        assert_eq!(site.photos.len(), 1);
        assert_eq!(site.photos[0].url, "/media/ab/ab-320.webp");
        assert_eq!(site.photo_bytes(), 9_000);
        let json = serde_json::to_string(&site).unwrap();
        assert!(json.starts_with(r#"{"i":"a","n":"Đình A""#), "{json}");
    }
}
