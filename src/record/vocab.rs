//! The controlled vocabularies of a site record: what a site is (`type`), how the law
//! classifies it (`category`), the rank it was given (`level`) and how its position was obtained
//! (`accuracy`).
//!
//! Each term has a stable ASCII code (what `site.json` stores), a Vietnamese and an English label,
//! and the spellings found in real data that mean it. Parsing is accent- and case-insensitive
//! ([`crate::fold::key`]), so `"Đình làng"`, `"dinh"` and `"communal house"` all read as
//! [`SiteType::Dinh`]. A type nobody listed is kept as its original label ([`SiteType::Other`]),
//! never dropped: the vocabulary grows from what volunteers actually write.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::fold;

/// One term: its code, labels and extra spellings (folded with [`fold::key`] before comparing).
struct Term<T> {
    value: T,
    code: &'static str,
    vi: &'static str,
    en: &'static str,
    aliases: &'static [&'static str],
}

/// Every spelling of every term, folded with [`fold::key`], mapped to its term. Built once per
/// vocabulary: parsing runs for every imported row, so it must not re-fold the table each time.
fn spellings<T: Copy>(table: &[Term<T>]) -> HashMap<String, T> {
    let mut map = HashMap::new();
    for t in table {
        for spelling in [t.code, t.vi, t.en].iter().chain(t.aliases) {
            // The first term to claim a spelling keeps it, as a linear scan would.
            map.entry(fold::key(spelling)).or_insert(t.value);
        }
    }
    map
}

fn term<T: PartialEq>(table: &'static [Term<T>], value: &T) -> &'static Term<T> {
    table
        .iter()
        .find(|t| &t.value == value)
        .expect("every vocabulary value has a row in its table")
}

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $table:ident { $($variant:ident => $code:literal, $vi:literal, $en:literal, [$($alias:literal),*];)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        static $table: &[Term<$name>] = &[
            $(Term { value: $name::$variant, code: $code, vi: $vi, en: $en, aliases: &[$($alias),*] }),+
        ];

        impl $name {
            /// Every term, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The code stored in `site.json`.
            pub fn code(self) -> &'static str { term($table, &self).code }
            /// The Vietnamese label.
            pub fn label_vi(self) -> &'static str { term($table, &self).vi }
            /// The English label.
            pub fn label_en(self) -> &'static str { term($table, &self).en }
            /// Reads a code, a label in either language or a known variant spelling.
            pub fn parse(text: &str) -> Option<Self> {
                static SPELLINGS: LazyLock<HashMap<String, $name>> = LazyLock::new(|| spellings($table));
                SPELLINGS.get(&fold::key(text)).copied()
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> { s.serialize_str(self.code()) }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                $name::parse(&text).ok_or_else(|| {
                    let codes: Vec<&str> = $table.iter().map(|t| t.code).collect();
                    serde::de::Error::custom(format!("unknown {} `{}`, expected one of: {}", stringify!($name), text, codes.join(", ")))
                })
            }
        }
    };
}

vocabulary! {
    /// A known kind of site; see [`SiteType`] for the open set stored in records.
    KnownType, TYPES {
        Dinh => "dinh", "Đình", "Communal house", ["đình làng", "đình, đền, chùa"];
        Chua => "chua", "Chùa", "Pagoda", ["buddhist temple", "tự", "thiền viện"];
        Den => "den", "Đền", "Temple", ["đền thờ"];
        Mieu => "mieu", "Miếu", "Shrine", ["nghè", "điếm", "am"];
        Phu => "phu", "Phủ", "Mother Goddess palace", ["điện", "đền phủ"];
        Quan => "quan", "Quán", "Taoist temple", ["đạo quán"];
        VanMieu => "van_mieu", "Văn miếu", "Temple of Literature", ["văn chỉ", "từ chỉ"];
        TuDuong => "tu_duong", "Từ đường", "Ancestral hall", ["nhà thờ họ"];
        NhaTho => "nha_tho", "Nhà thờ", "Church", ["giáo đường", "nhà thờ công giáo", "thánh đường"];
        Lang => "lang", "Lăng mộ", "Mausoleum or tomb", ["lăng", "mộ", "tomb", "mausoleum"];
        Thap => "thap", "Tháp", "Tower", ["tháp chàm", "tower"];
        Citadel => "citadel", "Thành cổ", "Citadel", ["thành", "kinh thành", "cung điện", "palace"];
        House => "house", "Nhà cổ", "Historic house", ["nhà", "làng cổ", "phố cổ", "phố"];
        Bridge => "bridge", "Cầu", "Bridge", ["cầu cổ", "cầu ngói"];
        Cave => "cave", "Hang động", "Cave", ["hang", "động"];
        Landscape => "landscape", "Danh thắng", "Scenic landscape", ["danh lam thắng cảnh", "núi", "hồ"];
        Archaeological => "archaeological", "Di chỉ khảo cổ", "Archaeological site", ["di chỉ", "khảo cổ"];
        Battlefield => "battlefield", "Địa điểm chiến thắng", "Battlefield", ["chiến trường", "trận địa", "địa đạo"];
        MemorialHouse => "memorial_house", "Nhà lưu niệm", "Memorial house", ["khu lưu niệm"];
        Prison => "prison", "Nhà tù", "Prison", ["nhà lao", "nhà ngục"];
        Monument => "monument", "Đài tưởng niệm", "Monument", ["tượng đài", "bia tưởng niệm", "memorial"];
        Cemetery => "cemetery", "Nghĩa trang", "Cemetery", ["nghĩa trang liệt sĩ"];
        HistoricPlace => "historic_place", "Địa điểm lịch sử", "Historic place", ["địa điểm", "di tích lịch sử", "khu di tích"];
        Museum => "museum", "Bảo tàng", "Museum", ["nhà trưng bày"];
    }
}

/// What a site is. Known types are stored by code (`"chua"`); anything else keeps its original
/// label (`"Cổng làng"`) so that nothing a source said is lost.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SiteType {
    Known(KnownType),
    Other(String),
}

impl SiteType {
    /// Reads any label: known terms by code, label or alias; the rest kept as written (trimmed).
    pub fn parse(text: &str) -> Option<Self> {
        let text = fold::nfc(text.trim());
        if text.is_empty() || fold::key(&text) == "unknown" {
            return None;
        }
        Some(match KnownType::parse(&text) {
            Some(known) => SiteType::Known(known),
            None => SiteType::Other(text),
        })
    }

    pub fn code(&self) -> &str {
        match self {
            SiteType::Known(k) => k.code(),
            SiteType::Other(label) => label,
        }
    }

    pub fn label_vi(&self) -> &str {
        match self {
            SiteType::Known(k) => k.label_vi(),
            SiteType::Other(label) => label,
        }
    }

    pub fn label_en(&self) -> &str {
        match self {
            SiteType::Known(k) => k.label_en(),
            SiteType::Other(label) => label,
        }
    }
}

impl Serialize for SiteType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for SiteType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        SiteType::parse(&text)
            .ok_or_else(|| serde::de::Error::custom("`type` is empty; leave it out when unknown"))
    }
}

vocabulary! {
    /// The legal classification of a relic (Luật Di sản văn hóa): a site may have several.
    Category, CATEGORIES {
        History => "history", "Lịch sử", "Historical", ["di tích lịch sử", "lịch sử văn hóa", "di tích lịch sử văn hóa", "di tích lịch sử – văn hóa", "văn hóa lịch sử", "di sản văn hóa"];
        Revolutionary => "revolutionary", "Lịch sử cách mạng", "Revolutionary history", ["di tích lịch sử cách mạng", "cách mạng"];
        Architecture => "architecture", "Kiến trúc nghệ thuật", "Architecture and art", ["di tích kiến trúc nghệ thuật", "kiến trúc"];
        Archaeology => "archaeology", "Khảo cổ", "Archaeological", ["di tích khảo cổ", "kiến trúc khảo cổ học", "khảo cổ học"];
        Landscape => "landscape", "Danh lam thắng cảnh", "Scenic landscape", ["danh thắng", "thắng cảnh"];
    }
}

vocabulary! {
    /// The rank a site was given by the state (or UNESCO).
    Level, LEVELS {
        WorldHeritage => "world_heritage", "Di sản thế giới", "World Heritage", ["unesco"];
        SpecialNational => "special_national", "Di tích quốc gia đặc biệt", "Special national relic", ["quốc gia đặc biệt", "di tích cấp quốc gia đặc biệt"];
        National => "national", "Di tích cấp quốc gia", "National relic", ["quốc gia", "cấp quốc gia", "di tích quốc gia", "cấp bộ"];
        Provincial => "provincial", "Di tích cấp tỉnh", "Provincial relic", ["cấp tỉnh", "tỉnh", "cấp thành phố"];
        Unranked => "unranked", "Chưa xếp hạng", "Not ranked", ["không xếp hạng", "chưa được xếp hạng"];
        Unknown => "unknown", "Chưa rõ", "Unknown", ["không rõ"];
    }
}

// `vocabulary!` generates the enum, so `#[derive(Default)]` cannot mark the variant.
#[allow(clippy::derivable_impls)]
impl Default for Level {
    fn default() -> Self {
        Level::Unknown
    }
}

vocabulary! {
    /// How a site's latitude/longitude were obtained, from best to worst. Search ranks and the
    /// "needs help" list use it: a centroid is a placeholder, not a position.
    Accuracy, ACCURACIES {
        Surveyed => "surveyed", "Đo đạc tại chỗ", "Surveyed on site", ["gps", "đo đạc"];
        Map => "map", "Xác định trên bản đồ", "Placed on a map", ["bản đồ"];
        PhotoGps => "photo_gps", "Từ GPS của ảnh", "From photo GPS", ["from photo gps", "exif"];
        CommuneCentroid => "commune_centroid", "Tâm xã/phường", "Commune centroid", ["ward centroid"];
        DistrictCentroid => "district_centroid", "Tâm huyện (cũ)", "District centroid", [];
        ProvinceCentroid => "province_centroid", "Tâm tỉnh", "Province centroid", [];
    }
}

impl Accuracy {
    /// A centroid is where the administrative unit is, not where the site is.
    pub fn is_centroid(self) -> bool {
        matches!(
            self,
            Accuracy::CommuneCentroid | Accuracy::DistrictCentroid | Accuracy::ProvinceCentroid
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_labels_parse() {
        assert_eq!(
            SiteType::parse("Đình làng"),
            Some(SiteType::Known(KnownType::Dinh))
        );
        assert_eq!(
            SiteType::parse("Từ Đường"),
            Some(SiteType::Known(KnownType::TuDuong))
        );
        assert_eq!(
            SiteType::parse("Lăng Mộ"),
            Some(SiteType::Known(KnownType::Lang))
        );
        assert_eq!(SiteType::parse("Unknown"), None);
        assert_eq!(
            SiteType::parse("Cổng làng"),
            Some(SiteType::Other("Cổng làng".into()))
        );
        assert_eq!(Level::parse("Di tích cấp Quốc gia"), Some(Level::National));
        assert_eq!(
            Level::parse("Di tích Quốc gia đặc biệt"),
            Some(Level::SpecialNational)
        );
        assert_eq!(
            Category::parse("Di tích lịch sử – văn hóa"),
            Some(Category::History)
        );
    }

    #[test]
    fn codes_round_trip_through_json() {
        for t in KnownType::ALL {
            let json = serde_json::to_string(&SiteType::Known(*t)).unwrap();
            assert_eq!(
                serde_json::from_str::<SiteType>(&json).unwrap(),
                SiteType::Known(*t)
            );
        }
        for l in Level::ALL {
            assert_eq!(Level::parse(l.code()), Some(*l));
        }
        let other: SiteType = serde_json::from_str("\"Cổng làng\"").unwrap();
        assert_eq!(serde_json::to_string(&other).unwrap(), "\"Cổng làng\"");
        assert!(serde_json::from_str::<Level>("\"gold\"").is_err());
    }
}
