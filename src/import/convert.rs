//! One import row → the fields of a site record.
//!
//! A row is rejected only when what it says cannot be kept faithfully (no name, an id that is
//! not a slug, a latitude that is not a number, a position outside Vietnam). Everything else is
//! kept and, where it could not be understood, reported as a warning: an unknown level stays
//! `unknown`, an unresolvable address stays in `location.address` for a person to fix.

use crate::admin_units::{AddressQuery, units};
use crate::fold;
use crate::import::rows::Row;
use crate::record::{
    Accuracy, Category, Level, Location, Period, SiteRecord, SiteType, Source, in_vietnam,
};

/// What a row says, ready to be merged into a new or existing record.
#[derive(Debug, Clone)]
pub struct RowData {
    /// The id given in the row, or one generated from its name and place.
    pub id: String,
    pub id_generated: bool,
    pub record: SiteRecord,
    pub warnings: Vec<String>,
    pub province_resolved: bool,
    pub commune_resolved: bool,
}

/// Converts a row, or says why it is rejected.
pub fn convert(row: &Row, now: chrono::DateTime<chrono::Utc>) -> Result<RowData, String> {
    let name = row
        .text("name")
        .ok_or("`name` is empty — every site needs its Vietnamese name")?;
    let mut warnings = Vec::new();
    let (id, id_generated) = match row.text("id") {
        Some(id) if fold::is_slug(id) => (id.to_owned(), false),
        Some(id) => {
            return Err(format!(
                "`id` `{id}` is not a slug of a-z, 0-9 and dashes — did you mean `{}`? (or leave it empty to generate one)",
                fold::slug(id)
            ));
        }
        None => (generated_id(row, name)?, true),
    };
    let mut record = SiteRecord::new(id.clone(), name, now);
    record.name_en = row.text("name_en").map(str::to_owned);
    record.alt_names = row.list("alt_names");
    record.site_type = row.text("type").and_then(SiteType::parse);
    for label in row.list("category") {
        match Category::parse(&label)
            .or_else(|| find_contained(Category::ALL, &label, Category::label_vi))
        {
            Some(c) if !record.category.contains(&c) => record.category.push(c),
            Some(_) => {}
            None => warnings.push(format!(
                "`category` `{label}` is not a known classification; left out"
            )),
        }
    }
    if let Some(text) = row.text("level") {
        match Level::parse(text).or_else(|| find_contained(Level::ALL, text, Level::label_vi)) {
            Some(level) => record.level = level,
            None => warnings.push(format!(
                "`level` `{text}` is not a known rank; kept as unknown"
            )),
        }
    }
    if let Some(text) = row.text("red_address") {
        record.red_address = parse_bool(text)
            .ok_or_else(|| format!("`red_address` is `{text}` — use yes/no, true/false or 1/0"))?;
    }
    record.location = location(row, &mut warnings)?;
    let province_resolved = record.location.province.is_some();
    let commune_resolved = record.location.commune.is_some();
    if let Some(text) = row.text("period") {
        record.period = Some(Period {
            text: Some(text.to_owned()),
            ..Period::default()
        });
    }
    if let Some(text) = row.text("year_recognized") {
        let year = text
            .parse::<i32>()
            .ok()
            .filter(|y| (1900..=2100).contains(y));
        record.year_recognized =
            Some(year.ok_or_else(|| {
                format!("`year_recognized` is `{text}` — use a year such as 1962")
            })?);
    }
    record.people = row.list("people");
    record.summary = row.text("summary").map(str::to_owned);
    record.description = row.text("description").map(str::to_owned);
    record.summary_en = row.text("summary_en").map(str::to_owned);
    record.description_en = row.text("description_en").map(str::to_owned);
    record.sources = row
        .list("sources")
        .iter()
        .filter_map(|s| Source::parse(s))
        .collect();
    record.tags = row.list("tags");
    Ok(RowData {
        id,
        id_generated,
        record,
        warnings,
        province_resolved,
        commune_resolved,
    })
}

/// Resolves the address columns against Vietnam's administrative units and fills coordinates:
/// given ones when present (checked to be in Vietnam), else the best centroid.
fn location(row: &Row, warnings: &mut Vec<String>) -> Result<Location, String> {
    let query = AddressQuery {
        address: row.text("address"),
        commune: row.text("commune"),
        district: row.text("district"),
        province: row.text("province"),
    };
    let resolved = units().resolve(&query);
    warnings.extend(resolved.notes.iter().cloned());
    let mut location = Location {
        address: address_text(row),
        commune: resolved.commune,
        province: resolved.province,
        legacy: resolved.legacy,
        ..Location::default()
    };
    match (row.text("lat"), row.text("lon")) {
        (Some(lat), Some(lon)) => {
            let lat = parse_degrees("lat", lat)?;
            let lon = parse_degrees("lon", lon)?;
            if !in_vietnam(lat, lon) {
                return Err(format!(
                    "position {lat}, {lon} is outside Vietnam — are lat and lon swapped?"
                ));
            }
            location.lat = Some(lat);
            location.lon = Some(lon);
            location.accuracy = match row.text("accuracy") {
                Some(text) => Some(Accuracy::parse(text).ok_or_else(|| {
                    format!("`accuracy` `{text}` is unknown — use surveyed, map, photo_gps or commune_centroid")
                })?),
                None => None,
            };
        }
        (None, None) => {
            if let Some((lat, lon, accuracy)) = resolved.centroid {
                location.lat = Some(lat);
                location.lon = Some(lon);
                location.accuracy = Some(accuracy);
            }
        }
        _ => return Err("only one of `lat` and `lon` is given — give both or neither".into()),
    }
    Ok(location)
}

/// The free address as the source wrote it: the `address` column, or the unit columns joined.
fn address_text(row: &Row) -> Option<String> {
    if let Some(address) = row.text("address") {
        return Some(address.to_owned());
    }
    let parts: Vec<&str> = ["commune", "district", "province"]
        .iter()
        .filter_map(|c| row.text(c))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn parse_degrees(column: &str, text: &str) -> Result<f64, String> {
    text.replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| {
            format!("`{column}` is `{text}`, not a number — use decimal degrees such as 20.2506")
        })
}

fn parse_bool(text: &str) -> Option<bool> {
    match fold::key(text).as_str() {
        "1" | "true" | "yes" | "y" | "x" | "co" | "dung" => Some(true),
        "0" | "false" | "no" | "n" | "khong" | "sai" => Some(false),
        _ => None,
    }
}

/// Real data glues a label to other text ("Di tích cấp TỉnhQuyết định xếp hạng: …"): find the
/// longest known label contained in it.
fn find_contained<T: Copy>(all: &[T], text: &str, label: impl Fn(T) -> &'static str) -> Option<T> {
    let key = fold::key(text);
    all.iter()
        .copied()
        .filter(|t| key.contains(&fold::key(label(*t))))
        .max_by_key(|t| label(*t).len())
}

/// Administrative words that carry no identity in a generated id.
const UNIT_WORDS: &[&str] = &[
    "tinh", "tp", "thanh", "pho", "quan", "huyen", "thi", "xa", "tx", "phuong", "tran", "tt",
];

/// A stable id from what the row says (never from how it resolved, which may improve between
/// versions and must not change ids): the name, then the place words without unit prefixes.
fn generated_id(row: &Row, name: &str) -> Result<String, String> {
    let place = row.text("address").map(str::to_owned).unwrap_or_else(|| {
        ["commune", "district", "province"]
            .iter()
            .filter_map(|c| row.text(c))
            .collect::<Vec<_>>()
            .join(" ")
    });
    let place_words: Vec<String> = fold::words(&place)
        .into_iter()
        .filter(|w| !UNIT_WORDS.contains(&w.as_str()))
        .collect();
    let mut id = fold::slug(name);
    if id.is_empty() {
        return Err(format!(
            "cannot make an id from the name `{name}` — give an `id` of a-z, 0-9 and dashes"
        ));
    }
    for word in place_words {
        if id.len() + word.len() + 1 > 80 {
            break;
        }
        id.push('-');
        id.push_str(&word);
    }
    Ok(id)
}
