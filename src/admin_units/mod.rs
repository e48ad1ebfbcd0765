//! Vietnam's administrative units before and after the 1 July 2025 reform, and the resolver
//! that places a messy free-text address in them.
//!
//! The reform merged 63 provinces into 34 and abolished the district level: a site recorded as
//! "Tỉnh Nam Định, huyện Nam Trực, xã Nam Giang" now lies in Xã Nam Trực, Ninh Bình. Records,
//! signs and people still use the old names (and a few names older still, such as Hà Tây), so
//! [`AdminUnits`] holds both layers and the mapping between them:
//!
//! - *current*: [`Province`] (34) and [`Commune`] (3,321 communes, wards and special zones);
//! - *legacy*: [`LegacyProvince`] (63), [`LegacyDistrict`] (696), [`LegacyCommune`] (10,035),
//!   each legacy commune pointing at the current commune that absorbed it;
//! - *historic*: province names from before 1997 ([`historic`]).
//!
//! The facts are embedded from `data/*.tsv` (derived from the MIT-licensed `vietnamadminunits`
//! package, see `data/NOTICE`) and parsed once by [`units`]. Names are compared by
//! [`crate::fold::key`], so accents, case, spacing and punctuation never matter.

mod address;
pub mod historic;
mod resolve;
mod table;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::fold;
pub use resolve::{AddressQuery, Resolved};
pub use table::TableError;

/// The kind of an administrative unit, as written before its name ("Huyện Nam Trực").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnitKind {
    /// Tỉnh.
    Province,
    /// Thành phố: a centrally-run city (province level) or a provincial city (district level).
    City,
    /// Huyện: a rural district.
    District,
    /// Quận: an urban district.
    UrbanDistrict,
    /// Thị xã: a town (district level).
    Town,
    /// Xã: a rural commune.
    Commune,
    /// Phường: a ward.
    Ward,
    /// Thị trấn: a township (commune level, abolished in 2025).
    Township,
    /// Đặc khu: a special zone (commune level, islands, since 2025).
    SpecialZone,
}

impl UnitKind {
    /// Every kind with its Vietnamese label, longest labels first so prefixes match greedily.
    const LABELS: &'static [(UnitKind, &'static str)] = &[
        (UnitKind::City, "Thành phố"),
        (UnitKind::Town, "Thị xã"),
        (UnitKind::Township, "Thị trấn"),
        (UnitKind::SpecialZone, "Đặc khu"),
        (UnitKind::Ward, "Phường"),
        (UnitKind::District, "Huyện"),
        (UnitKind::UrbanDistrict, "Quận"),
        (UnitKind::Province, "Tỉnh"),
        (UnitKind::Commune, "Xã"),
    ];

    /// The Vietnamese label ("Thị trấn").
    pub fn label(self) -> &'static str {
        Self::LABELS
            .iter()
            .find(|(k, _)| *k == self)
            .map(|(_, l)| *l)
            .unwrap_or("")
    }

    /// Splits a full name into its kind and short name: "Xã Nam Giang" → (Commune, "Nam Giang").
    pub fn split(full: &str) -> Option<(UnitKind, &str)> {
        Self::LABELS.iter().find_map(|(kind, label)| {
            let rest = full.strip_prefix(label)?.strip_prefix(' ')?;
            (!rest.is_empty()).then_some((*kind, rest))
        })
    }

    /// The administrative level this kind belongs to; a city can be at two.
    pub(crate) fn levels(self) -> &'static [Level] {
        match self {
            UnitKind::Province => &[Level::Province],
            UnitKind::City => &[Level::Province, Level::District],
            UnitKind::District | UnitKind::UrbanDistrict | UnitKind::Town => &[Level::District],
            UnitKind::Commune | UnitKind::Ward | UnitKind::Township | UnitKind::SpecialZone => {
                &[Level::Commune]
            }
        }
    }
}

/// The three levels of the pre-2025 hierarchy (the current one has no districts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Level {
    Province,
    District,
    Commune,
}

impl Level {
    pub(crate) fn word(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::District => "district",
            Level::Commune => "commune",
        }
    }
}

/// A current (post-2025) province or centrally-run city.
#[derive(Debug, Clone)]
pub struct Province {
    /// The national code ("37").
    pub code: String,
    /// Full name with its kind ("Tỉnh Ninh Bình").
    pub name: String,
    /// Short name ("Ninh Bình").
    pub short: String,
    pub kind: UnitKind,
    pub lat: f64,
    pub lon: f64,
    pub(crate) keys: Vec<String>,
    pub(crate) communes: Vec<u32>,
    pub(crate) legacy: Vec<u32>,
}

/// A current (post-2025) commune, ward or special zone.
#[derive(Debug, Clone)]
pub struct Commune {
    pub code: String,
    /// Full name with its kind ("Phường Hoa Lư").
    pub name: String,
    pub short: String,
    pub kind: UnitKind,
    pub lat: f64,
    pub lon: f64,
    pub(crate) province: u32,
    pub(crate) keys: Vec<String>,
    /// The legacy province and district all its predecessors shared, when they did.
    pub(crate) legacy_province: Option<u32>,
    pub(crate) legacy_district: Option<u32>,
}

/// A pre-2025 province.
#[derive(Debug, Clone)]
pub struct LegacyProvince {
    pub code: String,
    pub name: String,
    pub short: String,
    pub kind: UnitKind,
    pub lat: f64,
    pub lon: f64,
    pub(crate) current: u32,
    pub(crate) keys: Vec<String>,
    pub(crate) districts: Vec<u32>,
}

/// A pre-2025 district (huyện, quận, thị xã, provincial thành phố).
#[derive(Debug, Clone)]
pub struct LegacyDistrict {
    pub code: String,
    pub name: String,
    pub short: String,
    pub kind: UnitKind,
    pub lat: f64,
    pub lon: f64,
    pub(crate) province: u32,
    pub(crate) keys: Vec<String>,
    pub(crate) communes: Vec<u32>,
    /// The current commune when all of the district went into one (island districts).
    pub(crate) current_commune: Option<u32>,
    /// How far its farthest commune centroid lies from its own centroid, in km.
    pub(crate) reach_km: f64,
}

/// A pre-2025 commune, ward or township.
#[derive(Debug, Clone)]
pub struct LegacyCommune {
    pub code: String,
    pub name: String,
    pub short: String,
    pub kind: UnitKind,
    pub lat: f64,
    pub lon: f64,
    pub(crate) district: u32,
    pub(crate) keys: Vec<String>,
    /// The current commune that took it whole, or the part holding its centroid if it was split.
    pub(crate) current: u32,
    /// For a split commune, the other current communes that received a part.
    pub(crate) split_also: Vec<u32>,
}

/// What a province name can refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProvinceRef {
    Current(u32),
    Legacy(u32),
    Historic(u32),
}

/// Both layers of units and the indexes the resolver uses. Obtain it with [`units`].
#[derive(Debug)]
pub struct AdminUnits {
    pub(crate) provinces: Vec<Province>,
    pub(crate) communes: Vec<Commune>,
    pub(crate) legacy_provinces: Vec<LegacyProvince>,
    pub(crate) districts: Vec<LegacyDistrict>,
    pub(crate) legacy_communes: Vec<LegacyCommune>,
    pub(crate) historic: Vec<historic::HistoricProvince>,
    /// Folded key → every province (current, legacy, historic) known by it.
    pub(crate) province_keys: HashMap<String, Vec<ProvinceRef>>,
    /// The same keys by length, for the one-letter-typo scan (about 160 keys in all).
    pub(crate) province_keys_by_len: Vec<Vec<(String, ProvinceRef)>>,
    pub(crate) district_keys: HashMap<String, Vec<u32>>,
    pub(crate) legacy_commune_keys: HashMap<String, Vec<u32>>,
    pub(crate) commune_keys: HashMap<String, Vec<u32>>,
}

static UNITS: LazyLock<AdminUnits> = LazyLock::new(|| {
    // The tables are compiled in and checked by the tests: failing here is a build defect.
    AdminUnits::from_embedded().unwrap_or_else(|e| panic!("embedded administrative units: {e}"))
});

/// Vietnam's administrative units, parsed once on first use.
pub fn units() -> &'static AdminUnits {
    &UNITS
}

impl AdminUnits {
    /// The 34 current provinces, in the order of their codes.
    pub fn provinces(&self) -> &[Province] {
        &self.provinces
    }

    /// The 63 provinces before the 2025 reform.
    pub fn legacy_province_list(&self) -> &[LegacyProvince] {
        &self.legacy_provinces
    }

    /// The current province named `name` in any way: its current, pre-2025 or historic name,
    /// with or without accents, kind prefix ("Tỉnh", "TP.") or a one-letter typo.
    /// `"Hà Tây"` → `"Hà Nội"`, `"nam dinh"` → `"Ninh Bình"`, `"Tp.HCM"` → `"Hồ Chí Minh"`.
    /// `None` when the name is unknown or names several current provinces (Hải Hưng).
    pub fn current_province(&self, name: &str) -> Option<&str> {
        let segment = address::Segment::parse(name, None)?;
        let mut found: Option<u32> = None;
        for (r, _) in self.province_matches(&segment) {
            let current = self.current_of(r)?;
            if found.is_some_and(|f| f != current) {
                return None;
            }
            found = Some(current);
        }
        found.map(|p| self.provinces[p as usize].short.as_str())
    }

    /// The pre-2025 and historic province names that today's `current` covers:
    /// `"Ninh Bình"` → `["Hà Nam", "Nam Định", "Ninh Bình", "Hà Nam Ninh", "Nam Hà"]`.
    pub fn legacy_provinces_of(&self, current: &str) -> Vec<&str> {
        let Some(p) = self.find_current_province(current) else {
            return Vec::new();
        };
        let mut names: Vec<&str> = self.provinces[p as usize]
            .legacy
            .iter()
            .map(|&l| self.legacy_provinces[l as usize].short.as_str())
            .collect();
        names.sort_by_key(|n| fold::fold(n));
        names.extend(
            self.historic
                .iter()
                .filter(|h| h.current == Some(p))
                .map(|h| h.name),
        );
        names
    }

    /// The current communes of a province named in any way [`Self::current_province`] accepts.
    pub fn communes_of(&self, province: &str) -> Vec<&Commune> {
        match self.find_current_province(province) {
            Some(p) => self.provinces[p as usize]
                .communes
                .iter()
                .map(|&c| &self.communes[c as usize])
                .collect(),
            None => Vec::new(),
        }
    }

    /// The 10,035 communes before the 2025 reform.
    pub fn legacy_communes(&self) -> &[LegacyCommune] {
        &self.legacy_communes
    }

    /// The pre-2025 district a pre-2025 commune belonged to.
    pub fn legacy_district_of(&self, commune: &LegacyCommune) -> &LegacyDistrict {
        &self.districts[commune.district as usize]
    }

    /// The pre-2025 province a pre-2025 district belonged to.
    pub fn legacy_province_of(&self, district: &LegacyDistrict) -> &LegacyProvince {
        &self.legacy_provinces[district.province as usize]
    }

    /// The current commune a pre-2025 commune went into (for a split one, the part that kept
    /// its name or lies nearest), and the other parts of a split one.
    pub fn successor_of(&self, commune: &LegacyCommune) -> (&Commune, Vec<&Commune>) {
        let others = commune
            .split_also
            .iter()
            .map(|&c| &self.communes[c as usize])
            .collect();
        (&self.communes[commune.current as usize], others)
    }

    /// The current province a commune lies in.
    pub fn province_of(&self, commune: &Commune) -> &Province {
        &self.provinces[commune.province as usize]
    }

    fn find_current_province(&self, name: &str) -> Option<u32> {
        let short = self.current_province(name)?;
        self.provinces
            .iter()
            .position(|p| p.short == short)
            .map(|i| i as u32)
    }

    /// The current province a province reference stands for, if it is one.
    pub(crate) fn current_of(&self, r: ProvinceRef) -> Option<u32> {
        match r {
            ProvinceRef::Current(p) => Some(p),
            ProvinceRef::Legacy(l) => Some(self.legacy_provinces[l as usize].current),
            ProvinceRef::Historic(h) => self.historic[h as usize].current,
        }
    }

    /// Every province `segment` names, with a score adjustment (0 exact, negative for a typo).
    pub(crate) fn province_matches(&self, segment: &address::Segment) -> Vec<(ProvinceRef, i32)> {
        for key in segment.keys() {
            if let Some(refs) = self.province_keys.get(key) {
                return refs.iter().map(|&r| (r, 0)).collect();
            }
        }
        let key = &segment.key;
        if key.chars().count() < 4 {
            return Vec::new();
        }
        let mut hits: Vec<(ProvinceRef, i32)> = Vec::new();
        let lengths = key.len().saturating_sub(1)..=key.len() + 1;
        for bucket in lengths.filter_map(|n| self.province_keys_by_len.get(n)) {
            for (k, r) in bucket {
                if address::within_one_edit(key, k) && !hits.iter().any(|(h, _)| h == r) {
                    hits.push((*r, resolve::TYPO));
                }
            }
        }
        // One-letter tolerance is only safe when it lands on a single place.
        let mut currents: Vec<Option<u32>> =
            hits.iter().map(|(r, _)| self.current_of(*r)).collect();
        currents.sort_unstable();
        currents.dedup();
        if currents.len() == 1 {
            hits
        } else {
            Vec::new()
        }
    }
}
