//! The site record: everything the archive knows about one historic site or red address, as it
//! is stored in that site's `site.json`.
//!
//! This module is pure data and rules — no file system. [`SiteRecord`] is read with
//! `deny_unknown_fields` so a misspelt field is an error rather than silently lost data;
//! [`validate`] lists every problem of one record (the archive-wide ones — duplicate ids, missing
//! photo files — belong to [`crate::check`]). The format is documented for people in
//! `docs/ARCHIVE.md`; keep the two in step and bump [`SCHEMA_VERSION`] on breaking changes.

pub mod validate;
pub mod vocab;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use validate::{Problem, Severity, VIETNAM_BOUNDS, in_vietnam, is_wikidata_id, validate};
pub use vocab::{Accuracy, Category, KnownType, Level, SiteType};

/// The `schema_version` this code writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

/// One site, as stored in `site.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteRecord {
    pub schema_version: u32,
    /// Stable identifier, `[a-z0-9-]`, unique across the archive; part of every public URL.
    pub id: String,
    /// Ids this site had before it was renamed, oldest first. Their URLs redirect here, and the
    /// oldest one fixes the site's short code, so QR plaques printed before a rename still work.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub former_ids: Vec<String>,
    /// An explicit short code for `/s/{code}`, only needed to settle a clash between two
    /// derived codes; see [`SiteRecord::short_code`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_code: Option<String>,
    /// The Vietnamese name, as the site is known locally ("Chùa Bái Đính").
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    /// Other and historic names ("Chùa Một Cột" ← "Diên Hựu tự").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alt_names: Vec<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub site_type: Option<SiteType>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub category: Vec<Category>,
    #[serde(default)]
    pub level: Level,
    /// A "red address" (địa chỉ đỏ): a place of the revolution and the wars of resistance.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub red_address: bool,
    #[serde(default)]
    pub location: Location,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    /// The year of the ranking decision for [`SiteRecord::level`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year_recognized: Option<i32>,
    /// People worshipped or commemorated here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub people: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Markdown; sanitised before it is shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary_en: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_en: Option<String>,
    /// Dated events, mostly for red addresses, in the order they happened.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<Photo>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The site's Wikidata item (`Q1234`): links the record to the world's other data about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wikidata: Option<String>,
    /// When the record was first written; set by import and by moderation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<DateTime<Utc>>,
    /// When its content last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<DateTime<Utc>>,
}

/// Where a site is, in today's administrative units and in those it was recorded under.
///
/// The 1 July 2025 reform merged 63 provinces into 34 and abolished districts; most records,
/// signs and books still use the old names. Both are kept so that a site recorded under Nam Định
/// is found under Ninh Bình too.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// Free address as written by the source ("thôn Tức Mạc, thành phố Nam Định").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Current commune or ward, full name with its type ("Phường Hoa Lư").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commune: Option<String>,
    /// Current province, short name ("Ninh Bình").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    /// Units before the 2025 reform.
    #[serde(default, skip_serializing_if = "LegacyLocation::is_empty")]
    pub legacy: LegacyLocation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<Accuracy>,
}

/// The pre-2025 province / district / commune of a site.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegacyLocation {
    /// Short name ("Nam Định").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    /// Full name with its type ("Huyện Nam Trực").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// Full name with its type ("Xã Nam Giang").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commune: Option<String>,
}

impl LegacyLocation {
    pub fn is_empty(&self) -> bool {
        self.province.is_none() && self.district.is_none() && self.commune.is_none()
    }
}

/// When a site was built or the events it remembers happened.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// As the source words it ("thế kỷ XVII", "thời Lý").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_year: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_year: Option<i32>,
}

/// A dated event. `date` is free text so that "1941", "tháng 2/1941" and "1941-02-08" all fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub date: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_en: Option<String>,
}

/// A photo of the site, stored in the site's folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Photo {
    /// Path relative to the site folder, `/`-separated ("photos/cong-tam-quan.jpg").
    pub file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption_en: Option<String>,
    /// Who took it; shown as the credit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// An SPDX-style licence id ("CC-BY-SA-4.0") or a short text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// As read from EXIF or given by the contributor ("2024-03-18" or a full timestamp).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_taken: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
}

/// Where a fact comes from: a citation, a URL, or both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl Source {
    /// Reads one item of an import list: a URL when it looks like one, a citation otherwise.
    pub fn parse(text: &str) -> Option<Source> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let is_url = text.starts_with("http://") || text.starts_with("https://");
        Some(Source {
            citation: (!is_url).then(|| text.to_owned()),
            url: is_url.then(|| text.to_owned()),
        })
    }
}

impl SiteRecord {
    /// A new record with only the required fields set, created and updated `now`.
    pub fn new(id: impl Into<String>, name: impl Into<String>, now: DateTime<Utc>) -> Self {
        SiteRecord {
            schema_version: SCHEMA_VERSION,
            id: id.into(),
            former_ids: Vec::new(),
            short_code: None,
            name: name.into(),
            name_en: None,
            alt_names: Vec::new(),
            site_type: None,
            category: Vec::new(),
            level: Level::Unknown,
            red_address: false,
            location: Location::default(),
            period: None,
            year_recognized: None,
            people: Vec::new(),
            summary: None,
            description: None,
            summary_en: None,
            description_en: None,
            events: Vec::new(),
            photos: Vec::new(),
            sources: Vec::new(),
            tags: Vec::new(),
            wikidata: None,
            created: Some(now),
            updated: Some(now),
        }
    }

    /// Parses `site.json` text. Errors carry serde's line and column.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The canonical `site.json` text: pretty, stable field order, trailing newline, so that
    /// diffs and content hashes change only when the content does.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a record always serialises");
        text.push('\n');
        text
    }

    /// The permanent short code of the site's QR plaque URL (`/s/{code}`): the explicit
    /// `short_code`, else derived from the site's first id. Deriving it from the *first* id
    /// (the oldest of `former_ids`, or `id`) keeps it stable across renames without any state
    /// outside the record.
    pub fn short_code(&self) -> String {
        if let Some(code) = &self.short_code {
            return code.clone();
        }
        let first = self.former_ids.first().unwrap_or(&self.id);
        derive_short_code(first)
    }

    /// Whether two records say the same thing, ignoring when they were written.
    pub fn same_content(&self, other: &SiteRecord) -> bool {
        let mut a = self.clone();
        a.updated = other.updated;
        a.created = other.created;
        &a == other
    }
}

/// Seven characters of Crockford base32 (no I, L, O, U: nothing to misread on a plaque) from
/// the blake3 hash of an id: 35 bits, so clashes are rare and `disan check` reports them.
pub fn derive_short_code(id: &str) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let hash = blake3::hash(id.as_bytes());
    let mut bits = u64::from_be_bytes(hash.as_bytes()[..8].try_into().expect("8 bytes"));
    let mut code = String::with_capacity(7);
    for _ in 0..7 {
        code.push(ALPHABET[(bits >> 59) as usize] as char);
        bits <<= 5;
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_unknown_fields() {
        let now = Utc::now();
        let mut r = SiteRecord::new("chua-bai-dinh", "Chùa Bái Đính", now);
        r.site_type = SiteType::parse("chùa");
        r.category = vec![Category::History, Category::Architecture];
        r.location.province = Some("Ninh Bình".into());
        let text = r.to_json();
        assert_eq!(SiteRecord::from_json(&text).unwrap(), r);
        let bad = text.replacen("\"name\"", "\"nmae\"", 1);
        assert_eq!(r.short_code().len(), 7);
        let err = SiteRecord::from_json(&bad).unwrap_err().to_string();
        assert!(err.contains("unknown field `nmae`"), "{err}");
    }
}

#[cfg(test)]
mod short_code_tests {
    use super::*;

    #[test]
    fn short_code_survives_a_rename() {
        let now = Utc::now();
        let original = SiteRecord::new("chua-bai-dinh", "Chùa Bái Đính", now);
        let mut renamed = SiteRecord::new("chua-bai-dinh-gia-sinh", "Chùa Bái Đính", now);
        renamed.former_ids = vec!["chua-bai-dinh".into()];
        assert_eq!(original.short_code(), renamed.short_code());
        assert_ne!(
            original.short_code(),
            SiteRecord::new("den-thai-vi", "x", now).short_code()
        );
        renamed.short_code = Some("bd1".into());
        assert_eq!(renamed.short_code(), "bd1");
    }
}
