//! Communes as teams and campaigns name them: today's units (since the 2025 reform), found from
//! whatever people type or records hold — a current name, a pre-2025 name with its district, or
//! a site's location — and remembered by their national code.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Serialize;

use crate::admin_units::{AddressQuery, Commune, units};
use crate::fold;
use crate::ingest::summary::SiteSummary;
use crate::record::SiteRecord;

/// A current commune, as pages show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommuneRef {
    /// The national code: how communes are stored.
    pub code: String,
    /// "Xã Gia Viễn".
    pub name: String,
    /// "Ninh Bình".
    pub province: String,
    pub lat: f64,
    pub lon: f64,
}

impl CommuneRef {
    fn of(commune: &Commune) -> CommuneRef {
        CommuneRef {
            code: commune.code.clone(),
            name: commune.name.clone(),
            province: units().province_of(commune).short.clone(),
            lat: commune.lat,
            lon: commune.lon,
        }
    }

    /// "Xã Gia Viễn, Ninh Bình".
    pub fn label(&self) -> String {
        format!("{}, {}", self.name, self.province)
    }
}

/// Every current commune by code, and by (province key, commune key).
struct Index {
    by_code: HashMap<&'static str, &'static Commune>,
    by_name: HashMap<(String, String), &'static Commune>,
}

static INDEX: LazyLock<Index> = LazyLock::new(|| {
    let all = units();
    let mut by_code = HashMap::new();
    let mut by_name = HashMap::new();
    for province in all.provinces() {
        for commune in all.communes_of(&province.short) {
            by_code.insert(commune.code.as_str(), commune);
            by_name.insert(
                (fold::key(&province.short), fold::key(&commune.name)),
                commune,
            );
        }
    }
    Index { by_code, by_name }
});

/// The current commune with this code.
pub fn by_code(code: &str) -> Option<CommuneRef> {
    INDEX.by_code.get(code).map(|c| CommuneRef::of(c))
}

/// Resolves what a person typed ("Gia Viễn", "xã Gia Hòa, huyện Gia Viễn", "Phường Hoa Lư,
/// Ninh Bình") to one current commune, with the resolver's explanation when it cannot.
/// `province` narrows the search when the text does not name one.
pub fn resolve(text: &str, province: Option<&str>) -> Result<CommuneRef, String> {
    let text = fold::nfc(text.trim());
    if text.is_empty() {
        return Err("is empty".into());
    }
    if let Some(commune) = by_code(&text) {
        return Ok(commune);
    }
    let found = units().resolve(&AddressQuery {
        address: Some(&text),
        province: province.filter(|p| !p.trim().is_empty()),
        ..Default::default()
    });
    match (&found.province, &found.commune) {
        (Some(province), Some(commune)) => named(province, commune).ok_or_else(|| {
            format!("resolved to {commune}, {province}, which is not a current commune")
        }),
        _ if found.notes.is_empty() => {
            Err("names no commune — write the commune's name, with its district if it is a pre-2025 name".into())
        }
        _ => Err(found.notes.join("; ")),
    }
}

/// The current commune of a province by its full name ("Xã Gia Viễn").
pub fn named(province: &str, commune: &str) -> Option<CommuneRef> {
    INDEX
        .by_name
        .get(&(fold::key(province), fold::key(commune)))
        .map(|c| CommuneRef::of(c))
}

/// The current commune a site lies in: its recorded commune, else what its pre-2025 units
/// became.
pub fn of_record(record: &SiteRecord) -> Option<CommuneRef> {
    let l = &record.location;
    of_place(&Place {
        province: l.province.as_deref(),
        commune: l.commune.as_deref(),
        legacy_province: l.legacy.province.as_deref(),
        legacy_district: l.legacy.district.as_deref(),
        legacy_commune: l.legacy.commune.as_deref(),
    })
}

/// The current commune of a site as its summary places it.
pub fn of_summary(summary: &SiteSummary) -> Option<CommuneRef> {
    of_place(&Place {
        province: summary.province.as_deref(),
        commune: summary.commune.as_deref(),
        legacy_province: summary.legacy_province.as_deref(),
        legacy_district: summary.legacy_district.as_deref(),
        legacy_commune: summary.legacy_commune.as_deref(),
    })
}

/// The units a site names, current and pre-2025.
struct Place<'a> {
    province: Option<&'a str>,
    commune: Option<&'a str>,
    legacy_province: Option<&'a str>,
    legacy_district: Option<&'a str>,
    legacy_commune: Option<&'a str>,
}

fn of_place(place: &Place) -> Option<CommuneRef> {
    if let (Some(province), Some(commune)) = (place.province, place.commune)
        && let Some(found) = named(province, commune)
    {
        return Some(found);
    }
    place.legacy_commune?;
    let found = units().resolve(&AddressQuery {
        commune: place.legacy_commune,
        district: place.legacy_district,
        province: place.legacy_province.or(place.province),
        address: None,
    });
    named(found.province.as_deref()?, found.commune.as_deref()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_and_legacy_names_resolve_to_one_current_commune() {
        let current = resolve("Phường Hoa Lư", Some("Ninh Bình")).unwrap();
        assert_eq!(current.province, "Ninh Bình");
        assert_eq!(by_code(&current.code).unwrap(), current);
        // A pre-2025 commune of the former Nam Định province, with its district.
        let legacy = resolve("Thị trấn Cổ Lễ, Huyện Trực Ninh, Nam Định", None).unwrap();
        assert_eq!(legacy.province, "Ninh Bình");
        assert!(resolve("", None).is_err());
        assert!(resolve("Nowhere at all", Some("Ninh Bình")).is_err());
    }

    #[test]
    fn a_record_without_a_current_commune_uses_its_legacy_units() {
        let mut record = SiteRecord::new("x", "x", chrono::Utc::now());
        record.location.legacy.province = Some("Nam Định".into());
        record.location.legacy.district = Some("Huyện Trực Ninh".into());
        record.location.legacy.commune = Some("Thị trấn Cổ Lễ".into());
        let commune = of_record(&record).unwrap();
        assert_eq!(commune.province, "Ninh Bình");
        record.location.province = Some("Ninh Bình".into());
        record.location.commune = Some(commune.name.clone());
        assert_eq!(of_record(&record).unwrap().code, commune.code);
    }
}
