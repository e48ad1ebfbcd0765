//! A site's summary: what lists, maps, cards and redirects need to know of an indexed site
//! without reading its record — names, kind, rank, place, position, dates, former ids and its
//! rendered photos.
//!
//! Ingest keeps one per site in the [`super::manifest`], so a server starts from one file instead
//! of reading and parsing every `site.json` of the archive (at 100,000 sites that was most of a
//! minute), and holds summaries rather than whole records: descriptions, events and sources are
//! read from the archive when a site's own page asks for them. A summary is a function of the
//! record and its photos' metadata, nothing else, so it is rebuilt exactly when they change.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::photos::PhotoMeta;
use crate::record::{Accuracy, Level, Photo, SiteRecord, SiteType};

/// How many characters of a summary a card can show; longer ones are kept one character
/// longer so that the card still knows to cut them.
pub const CARD_SUMMARY_CHARS: usize = 160;

/// A photo as a site shows it: what the record says plus what ingest rendered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SitePhoto {
    pub photo: Photo,
    pub meta: PhotoMeta,
}

/// Changes whenever [`SiteSummary`] gains or changes a field: summaries kept in a manifest of
/// another version are made again from the records.
pub const SUMMARY_VERSION: u32 = 2;

/// What pages other than the site's own need to know of it; see the module documentation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteSummary {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub site_type: Option<SiteType>,
    #[serde(default)]
    pub level: Level,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub red_address: bool,
    /// Current province, short name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    /// The pre-2025 province.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy_province: Option<String>,
    /// Current commune, full name with its type ("Xã Gia Sinh").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commune: Option<String>,
    /// The pre-2025 district and commune, full names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy_district: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy_commune: Option<String>,
    /// The position the site is shown at: the record's, else its first photo's GPS in Vietnam.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<(f64, f64)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<Accuracy>,
    /// The start of the Vietnamese and English summaries, as much as a card shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary_en: Option<String>,
    /// Whether the record has a (non-blank) Vietnamese description.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub has_description: bool,
    /// How many photos the record lists (rendered or not).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub listed_photos: usize,
    /// How many sources the record cites.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub sources: usize,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub former_ids: Vec<String>,
    pub short_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<DateTime<Utc>>,
    /// Photos that have derivatives, in record order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<SitePhoto>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl SiteSummary {
    /// The summary of `record` whose listed photos rendered as `rendered` (in record order,
    /// `None` for a photo without derivatives). A record without a position is shown at its
    /// first photo's GPS, as ingest indexes it.
    pub fn of(record: &SiteRecord, rendered: &[Option<PhotoMeta>]) -> SiteSummary {
        let photos: Vec<SitePhoto> = record
            .photos
            .iter()
            .zip(rendered)
            .filter_map(|(photo, meta)| {
                Some(SitePhoto {
                    photo: photo.clone(),
                    meta: meta.clone()?,
                })
            })
            .collect();
        let l = &record.location;
        let (position, accuracy) = match l.lat.zip(l.lon) {
            Some(at) => (Some(at), l.accuracy),
            None => match photos
                .iter()
                .filter_map(|p| p.meta.gps)
                .find(|&(lat, lon)| crate::record::in_vietnam(lat, lon))
            {
                Some(at) => (Some(at), Some(Accuracy::PhotoGps)),
                None => (None, l.accuracy),
            },
        };
        let card_text = |text: &Option<String>| {
            text.as_deref()
                .map(|t| t.chars().take(CARD_SUMMARY_CHARS + 1).collect())
        };
        SiteSummary {
            name: record.name.clone(),
            name_en: record.name_en.clone(),
            site_type: record.site_type.clone(),
            level: record.level,
            red_address: record.red_address,
            province: l.province.clone(),
            legacy_province: l.legacy.province.clone(),
            commune: l.commune.clone(),
            legacy_district: l.legacy.district.clone(),
            legacy_commune: l.legacy.commune.clone(),
            position,
            accuracy,
            summary: card_text(&record.summary),
            summary_en: card_text(&record.summary_en),
            has_description: record
                .description
                .as_deref()
                .is_some_and(|d| !d.trim().is_empty()),
            listed_photos: record.photos.len(),
            sources: record.sources.len(),
            former_ids: record.former_ids.clone(),
            short_code: record.short_code(),
            created: record.created,
            updated: record.updated,
            photos,
        }
    }

    /// Last change of the record, for `Last-Modified` and page footers.
    pub fn changed(&self) -> Option<DateTime<Utc>> {
        self.updated.or(self.created)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(gps: Option<(f64, f64)>) -> PhotoMeta {
        PhotoMeta {
            hash: "h".into(),
            width: 1,
            height: 1,
            placeholder: "#000000".into(),
            date_taken: None,
            camera: None,
            gps,
            files: Vec::new(),
        }
    }

    fn photo(file: &str) -> Photo {
        serde_json::from_value(serde_json::json!({ "file": file })).expect("a photo")
    }

    #[test]
    fn a_site_without_a_position_is_shown_at_its_first_photo_in_vietnam() {
        let mut record = SiteRecord::new("a", "A", Utc::now());
        record.photos = vec![photo("a.jpg"), photo("b.jpg"), photo("c.jpg")];
        let rendered = [
            Some(meta(Some((43.46, 11.88)))), // Arezzo: a wrong photo, not the site
            None,
            Some(meta(Some((20.25, 105.97)))),
        ];
        let summary = SiteSummary::of(&record, &rendered);
        assert_eq!(summary.position, Some((20.25, 105.97)));
        assert_eq!(summary.accuracy, Some(Accuracy::PhotoGps));
        assert_eq!(summary.listed_photos, 3);
        let shown: Vec<&str> = summary.photos.iter().map(|p| &*p.photo.file).collect();
        assert_eq!(shown, ["a.jpg", "c.jpg"]);
    }

    #[test]
    fn cards_keep_just_enough_of_the_summary_to_cut_it() {
        let mut record = SiteRecord::new("a", "A", Utc::now());
        record.summary = Some("chữ ".repeat(100));
        record.summary_en = Some("short".into());
        record.description = Some("  \n".into());
        let summary = SiteSummary::of(&record, &[]);
        assert_eq!(
            summary.summary.as_deref().map(|s| s.chars().count()),
            Some(CARD_SUMMARY_CHARS + 1)
        );
        assert_eq!(summary.summary_en.as_deref(), Some("short"));
        assert!(!summary.has_description, "a blank description is none");
        let back: SiteSummary =
            serde_json::from_str(&serde_json::to_string(&summary).expect("serialises"))
                .expect("parses");
        assert_eq!(back, summary);
    }
}
