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
    Accuracy, Category, LegacyLocation, Level, Location, Period, SiteRecord, SiteType, Source,
    in_vietnam, is_wikidata_id,
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
    if let Some(code) = row.text("short_code") {
        if code.len() > 16
            || !code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            return Err(format!(
                "`short_code` `{code}` is not 1–16 characters of a-z and 0-9 — leave it empty to use the derived code"
            ));
        }
        record.short_code = Some(code.to_owned());
    }
    for former in row.list("former_ids") {
        if !fold::is_slug(&former) || former == id {
            return Err(format!(
                "`former_ids` `{former}` is not an earlier id of this site — list slugs of a-z, 0-9 and dashes, oldest first"
            ));
        }
        record.former_ids.push(former);
    }
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
    record.location = if row.resolved {
        resolved_location(row, &mut warnings)?
    } else {
        location(row, &mut warnings)?
    };
    let province_resolved = record.location.province.is_some();
    let commune_resolved = record.location.commune.is_some();
    let period = Period {
        text: row.text("period").map(str::to_owned),
        start_year: year(row, "period_start")?,
        end_year: year(row, "period_end")?,
    };
    if period != Period::default() {
        record.period = Some(period);
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
    if let Some(qid) = row.text("wikidata") {
        if !is_wikidata_id(qid) {
            return Err(format!(
                "`wikidata` `{qid}` is not a Wikidata item id — write its Q number, as in Q1234"
            ));
        }
        record.wikidata = Some(qid.to_owned());
    }
    if let Some(text) = row.text("created") {
        record.created = Some(time(text, "created")?);
    }
    if let Some(text) = row.text("updated") {
        record.updated = Some(time(text, "updated")?);
    }
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

/// The location of a row whose units are already resolved (an export of an archive): every
/// unit kept as written, the position as given, nothing looked up. A unit the table does not
/// know is kept too, with a warning, since the archive it came from accepted it.
fn resolved_location(row: &Row, warnings: &mut Vec<String>) -> Result<Location, String> {
    let text = |column: &str| row.text(column).map(str::to_owned);
    let mut location = Location {
        address: text("address"),
        commune: text("commune"),
        province: text("province"),
        legacy: LegacyLocation {
            province: text("legacy_province"),
            district: text("legacy_district"),
            commune: text("legacy_commune"),
        },
        ..Location::default()
    };
    let table = units();
    if let Some(province) = &location.province
        && !table.provinces().iter().any(|p| &p.short == province)
    {
        warnings.push(format!(
            "`province` `{province}` is not one of today's 34 provinces; kept as written"
        ));
    } else if let (Some(commune), Some(province)) = (&location.commune, &location.province)
        && !table
            .communes_of(province)
            .iter()
            .any(|c| &c.name == commune)
    {
        warnings.push(format!(
            "`commune` `{commune}` is not a commune of {province} today; kept as written"
        ));
    }
    if let Some(province) = &location.legacy.province
        && !table
            .legacy_province_list()
            .iter()
            .any(|p| &p.short == province)
    {
        warnings.push(format!(
            "`legacy_province` `{province}` is not one of the 63 provinces before 2025; kept as written"
        ));
    }
    if row.text("district").is_some() {
        warnings.push(
            "`district` is ignored in a file with resolved units — put the pre-2025 district in `legacy_district`"
                .into(),
        );
    }
    match (row.text("lat"), row.text("lon")) {
        (Some(lat), Some(lon)) => {
            let (lat, lon) = (parse_degrees("lat", lat)?, parse_degrees("lon", lon)?);
            if !in_vietnam(lat, lon) {
                return Err(format!(
                    "position {lat}, {lon} is outside Vietnam — are lat and lon swapped?"
                ));
            }
            location.lat = Some(lat);
            location.lon = Some(lon);
        }
        (None, None) => {}
        _ => return Err("only one of `lat` and `lon` is given — give both or neither".into()),
    }
    if let Some(text) = row.text("accuracy") {
        location.accuracy = Some(Accuracy::parse(text).ok_or_else(|| {
            format!(
                "`accuracy` `{text}` is unknown — use surveyed, map, photo_gps or commune_centroid"
            )
        })?);
    }
    Ok(location)
}

fn year(row: &Row, column: &str) -> Result<Option<i32>, String> {
    row.text(column)
        .map(|text| {
            text.parse::<i32>()
                .map_err(|_| format!("`{column}` is `{text}` — use a year such as 1428"))
        })
        .transpose()
}

fn time(text: &str, column: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| {
            format!("`{column}` is `{text}` — use an RFC 3339 time such as 2026-03-01T08:00:00Z")
        })
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
