//! Province names older than the 63 provinces of 1997–2025 that records and people still use.
//!
//! Between 1965 and 1997 provinces were merged and split several times; books, decisions and
//! inscriptions keep those names ("Hà Tây", "Hà Nam Ninh", "Hà Bắc"). Each entry lists the
//! pre-2025 provinces it covered; its current province is *computed* from them, so an entry
//! whose parts went into different provinces in 2025 (Hải Hưng → Hải Phòng and Hưng Yên) is
//! ambiguous and resolves to nothing rather than to a guess. Sources: the National Assembly
//! resolutions that created and dissolved each province (dates in `years`).

use super::LegacyProvince;
use super::table::TableError;
use crate::fold;

/// One historic province name.
#[derive(Debug, Clone)]
pub struct HistoricProvince {
    pub name: &'static str,
    /// When the name was official ("1965–1975, 1991–2008").
    pub years: &'static str,
    /// Other spellings ("Quảng Nam - Đà Nẵng" is also written "Quảng Đà").
    pub aliases: &'static [&'static str],
    /// The pre-2025 provinces (short names) it covered.
    pub parts: &'static [&'static str],
    pub(crate) legacy: Vec<u32>,
    /// Its current province when all its parts went into one in 2025.
    pub(crate) current: Option<u32>,
}

impl HistoricProvince {
    pub(crate) fn keys(&self) -> impl Iterator<Item = String> + '_ {
        std::iter::once(self.name)
            .chain(self.aliases.iter().copied())
            .map(fold::key)
    }

    /// Whether the name maps to a single current province.
    pub fn is_ambiguous(&self) -> bool {
        self.current.is_none()
    }
}

type Row = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

/// Name, years, other spellings, pre-2025 provinces covered.
const TABLE: &[Row] = &[
    ("Hà Tây", "1965–1975, 1991–2008", &[], &["Hà Nội"]),
    ("Hà Sơn Bình", "1976–1991", &[], &["Hà Nội", "Hòa Bình"]),
    (
        "Hà Nam Ninh",
        "1975–1991",
        &[],
        &["Hà Nam", "Nam Định", "Ninh Bình"],
    ),
    (
        "Nam Hà",
        "1965–1975, 1991–1996",
        &[],
        &["Hà Nam", "Nam Định"],
    ),
    ("Hà Bắc", "1962–1996", &[], &["Bắc Ninh", "Bắc Giang"]),
    ("Vĩnh Phú", "1968–1996", &[], &["Vĩnh Phúc", "Phú Thọ"]),
    ("Hải Hưng", "1968–1996", &[], &["Hải Dương", "Hưng Yên"]),
    ("Bắc Thái", "1965–1996", &[], &["Bắc Kạn", "Thái Nguyên"]),
    ("Hà Tuyên", "1976–1991", &[], &["Hà Giang", "Tuyên Quang"]),
    ("Hoàng Liên Sơn", "1971–1991", &[], &["Lào Cai", "Yên Bái"]),
    ("Cao Lạng", "1976–1978", &[], &["Cao Bằng", "Lạng Sơn"]),
    ("Nghệ Tĩnh", "1976–1991", &[], &["Nghệ An", "Hà Tĩnh"]),
    (
        "Bình Trị Thiên",
        "1976–1989",
        &[],
        &["Quảng Bình", "Quảng Trị", "Huế"],
    ),
    (
        "Thừa Thiên Huế",
        "1989–2025",
        &["Thừa Thiên", "Thừa Thiên - Huế"],
        &["Huế"],
    ),
    (
        "Quảng Nam - Đà Nẵng",
        "1976–1996",
        &["Quảng Đà"],
        &["Quảng Nam", "Đà Nẵng"],
    ),
    ("Nghĩa Bình", "1976–1989", &[], &["Quảng Ngãi", "Bình Định"]),
    ("Phú Khánh", "1976–1989", &[], &["Phú Yên", "Khánh Hòa"]),
    ("Thuận Hải", "1976–1992", &[], &["Ninh Thuận", "Bình Thuận"]),
    (
        "Gia Lai - Kon Tum",
        "1975–1991",
        &[],
        &["Gia Lai", "Kon Tum"],
    ),
    (
        "Đắc Lắc",
        "spelling before 2005",
        &["Daklak", "Đắk Lắc"],
        &["Đắk Lắk"],
    ),
    ("Sông Bé", "1976–1997", &[], &["Bình Dương", "Bình Phước"]),
    (
        "Sài Gòn",
        "before 1976; still in use",
        &["Sài Gòn - Gia Định", "Gia Định"],
        &["Hồ Chí Minh"],
    ),
    ("Cửu Long", "1976–1992", &[], &["Vĩnh Long", "Trà Vinh"]),
    ("Minh Hải", "1976–1996", &[], &["Cà Mau", "Bạc Liêu"]),
];

/// Districts renamed or split since the records were written, with the pre-2025 districts
/// that replaced them: (province, old name, successors). A name here stands for all of its
/// successors, so a commune named with it is looked for in each.
pub(crate) const FORMER_DISTRICTS: &[(&str, &str, &[&str])] = &[
    // Split by Resolution 132/NQ-CP (2013).
    (
        "Hà Nội",
        "Từ Liêm",
        &["Quận Bắc Từ Liêm", "Quận Nam Từ Liêm"],
    ),
    // Became the town of Quảng Yên by Resolution 100/NQ-CP (2011).
    ("Quảng Ninh", "Yên Hưng", &["Thị xã Quảng Yên"]),
];

pub(crate) fn build(legacy: &[LegacyProvince]) -> Result<Vec<HistoricProvince>, TableError> {
    TABLE
        .iter()
        .map(|&(name, years, aliases, parts)| {
            let ids = parts
                .iter()
                .map(|part| {
                    legacy
                        .iter()
                        .position(|l| l.short == *part)
                        .map(|i| i as u32)
                        .ok_or(TableError::HistoricPart { name, part })
                })
                .collect::<Result<Vec<u32>, _>>()?;
            let first = legacy[ids[0] as usize].current;
            let single = ids.iter().all(|&l| legacy[l as usize].current == first);
            Ok(HistoricProvince {
                name,
                years,
                aliases,
                parts,
                legacy: ids,
                current: single.then_some(first),
            })
        })
        .collect()
}
