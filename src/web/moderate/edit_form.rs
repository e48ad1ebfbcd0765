//! The moderator's edit form: the text fields of a proposed record, prefilled, and back.
//!
//! Only what a moderator corrects by hand is on the form — names, type, rank, address, position,
//! period, people, summary, description, sources; everything else of the proposal (events,
//! categories, photos) is kept as proposed. Reading the form checks each field (numbers are
//! numbers, a type or rank is one of the vocabulary) and then the whole record with
//! [`crate::record::validate`], and every problem is attached to the field it concerns, so the
//! page can show it beside the field with what was typed still in it.

use serde::Serialize;

use crate::record::{Accuracy, Level, Period, Severity, SiteRecord, SiteType, Source};
use crate::web::auth::Fields;
use crate::web::i18n::{Labels, Lang};

/// One field of the form as the template draws it.
#[derive(Debug, Clone, Serialize)]
pub struct FormField {
    pub name: &'static str,
    pub label: &'static str,
    pub value: String,
    /// `text`, `textarea` or `select`.
    pub kind: &'static str,
    pub hint: Option<&'static str>,
    /// (value, label, selected) for a select.
    pub options: Vec<(String, String, bool)>,
    pub error: Option<String>,
}

/// The form's field names, in order, with the record field each one writes.
const FIELDS: &[(&str, &str)] = &[
    ("name", "name"),
    ("name_en", "name_en"),
    ("alt_names", "alt_names"),
    ("type", "type"),
    ("level", "level"),
    ("address", "location.address"),
    ("commune", "location.commune"),
    ("province", "location.province"),
    ("lat", "location.lat"),
    ("lon", "location.lon"),
    ("period", "period"),
    ("people", "people"),
    ("summary", "summary"),
    ("description", "description"),
    ("sources", "sources"),
];

/// The form's values for a record.
pub fn values_of(record: &SiteRecord) -> Fields {
    let lines = |items: &[String]| items.join("\n");
    let number = |n: Option<f64>| n.map(|n| n.to_string()).unwrap_or_default();
    let text = |t: &Option<String>| t.clone().unwrap_or_default();
    let location = &record.location;
    let values = [
        record.name.clone(),
        text(&record.name_en),
        lines(&record.alt_names),
        record
            .site_type
            .as_ref()
            .map(|t| t.code().to_owned())
            .unwrap_or_default(),
        record.level.code().to_owned(),
        text(&location.address),
        text(&location.commune),
        text(&location.province),
        number(location.lat),
        number(location.lon),
        record
            .period
            .as_ref()
            .and_then(|p| p.text.clone())
            .unwrap_or_default(),
        lines(&record.people),
        text(&record.summary),
        text(&record.description),
        record
            .sources
            .iter()
            .filter_map(|s| s.url.clone().or_else(|| s.citation.clone()))
            .collect::<Vec<_>>()
            .join("\n"),
    ];
    Fields(
        FIELDS
            .iter()
            .zip(values)
            .map(|(&(name, _), value)| (name.to_owned(), value))
            .collect(),
    )
}

/// The form drawn with `values` and the errors found in them (field name → message).
pub fn form(values: &Fields, errors: &[(&'static str, String)], lang: Lang) -> Vec<FormField> {
    let t = lang.labels();
    FIELDS
        .iter()
        .map(|&(name, _)| {
            let value = values
                .0
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let (label, kind, hint) = describe(name, t);
            let options = if name == "level" {
                Level::ALL
                    .iter()
                    .map(|l| {
                        let label = lang.pick(l.label_vi(), Some(l.label_en())).to_owned();
                        (l.code().to_owned(), label, l.code() == value)
                    })
                    .collect()
            } else {
                Vec::new()
            };
            FormField {
                name,
                label,
                value,
                kind,
                hint,
                options,
                error: errors
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, e)| e.clone()),
            }
        })
        .collect()
}

fn describe(name: &str, t: &'static Labels) -> (&'static str, &'static str, Option<&'static str>) {
    match name {
        "name" => (t.f_name, "text", None),
        "name_en" => (t.f_name_en, "text", None),
        "alt_names" => (t.other_names, "textarea", Some(t.one_per_line)),
        "type" => (t.type_, "text", None),
        "level" => (t.level, "select", None),
        "address" => (t.address, "text", None),
        "commune" => (t.f_commune, "text", None),
        "province" => (t.province, "text", None),
        "lat" => (t.f_lat, "text", Some(t.f_decimal_hint)),
        "lon" => (t.f_lon, "text", Some(t.f_decimal_hint)),
        "period" => (t.period, "text", None),
        "people" => (t.people, "textarea", Some(t.one_per_line)),
        "summary" => (t.f_summary, "textarea", None),
        "description" => (t.f_description, "textarea", None),
        _ => (t.sources, "textarea", Some(t.one_per_line)),
    }
}

/// The record the form describes, built on `base` (the proposal); or every problem, by field.
pub fn parse(
    fields: &Fields,
    base: &SiteRecord,
) -> Result<SiteRecord, Vec<(&'static str, String)>> {
    let mut errors = Vec::new();
    let mut record = base.clone();
    let text = |name: &str| fields.get(name).map(str::to_owned);
    let lines = |name: &str| -> Vec<String> {
        fields
            .get(name)
            .map(|v| {
                v.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    record.name = text("name").unwrap_or_default();
    record.name_en = text("name_en");
    record.alt_names = lines("alt_names");
    record.site_type = fields.get("type").and_then(SiteType::parse);
    record.level = match fields.get("level") {
        None => Level::Unknown,
        Some(code) => Level::parse(code).unwrap_or_else(|| {
            errors.push(("level", format!("`{code}` is not a rank")));
            Level::Unknown
        }),
    };
    let location = &mut record.location;
    location.address = text("address");
    location.commune = text("commune");
    location.province = text("province");
    let mut number = |name: &'static str| {
        let value = fields.get(name)?;
        match value.replace(',', ".").parse::<f64>() {
            Ok(n) if n.is_finite() => Some(n),
            _ => {
                errors.push((name, format!("`{value}` is not a decimal number")));
                None
            }
        }
    };
    let (lat, lon) = (number("lat"), number("lon"));
    if lat.is_some() != lon.is_some() {
        errors.push((
            "lon",
            "give both latitude and longitude, or neither".to_owned(),
        ));
    }
    let moved = (lat, lon) != (location.lat, location.lon);
    (location.lat, location.lon) = (lat, lon);
    if lat.is_none() {
        location.accuracy = None;
    } else if moved {
        // Typed in by a moderator: read off a map, not surveyed.
        location.accuracy = Some(Accuracy::Map);
    }
    record.period = match (text("period"), base.period.clone()) {
        (None, Some(p)) if p.start_year.is_some() || p.end_year.is_some() => {
            Some(Period { text: None, ..p })
        }
        (None, _) => None,
        (Some(t), p) => Some(Period {
            text: Some(t),
            ..p.unwrap_or_default()
        }),
    };
    record.people = lines("people");
    record.summary = text("summary");
    record.description = text("description");
    record.sources = lines("sources")
        .iter()
        .filter_map(|l| Source::parse(l))
        .collect();

    for problem in crate::record::validate(&record) {
        if problem.severity != Severity::Error {
            continue;
        }
        // Ids, dates and photos are moderation's to set; approving reports any problem there.
        let Some(name) = field_of(&problem.field) else {
            continue;
        };
        if !errors.iter().any(|(n, _)| *n == name) {
            errors.push((name, format!("{} — {}", problem.message, problem.hint)));
        }
    }
    if errors.is_empty() {
        Ok(record)
    } else {
        Err(errors)
    }
}

/// The form field a record problem belongs to, if the form has it.
pub fn field_of(record_field: &str) -> Option<&'static str> {
    // Position problems name both coordinates (`location.lat/lon`): shown at the latitude.
    let record_field = record_field.strip_suffix("/lon").unwrap_or(record_field);
    FIELDS
        .iter()
        .find(|(_, path)| {
            record_field == *path
                || record_field
                    .strip_prefix(path)
                    .is_some_and(|rest| rest.starts_with('[') || rest.starts_with('.'))
        })
        .map(|(name, _)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn a_record_goes_through_the_form_unchanged() {
        let mut record = SiteRecord::new("den-x", "Đền X", Utc::now());
        record.alt_names = vec!["A".into(), "B".into()];
        record.location.lat = Some(20.25);
        record.location.lon = Some(105.97);
        record.location.accuracy = Some(Accuracy::Surveyed);
        record.sources = vec![Source::parse("https://example.org/x").unwrap()];
        let back = parse(&values_of(&record), &record).unwrap();
        assert_eq!(back, record);
    }

    #[test]
    fn problems_stay_beside_their_fields() {
        let record = SiteRecord::new("den-x", "Đền X", Utc::now());
        let mut values = values_of(&record);
        for (k, v) in &mut values.0 {
            match k.as_str() {
                "name" => v.clear(),
                "lat" => *v = "north".into(),
                "level" => *v = "galactic".into(),
                _ => {}
            }
        }
        let errors = parse(&values, &record).unwrap_err();
        let named: Vec<&str> = errors.iter().map(|(n, _)| *n).collect();
        assert!(
            named.contains(&"name") && named.contains(&"lat") && named.contains(&"level"),
            "{errors:?}"
        );
        let drawn = form(&values, &errors, Lang::Vi);
        let lat = drawn.iter().find(|f| f.name == "lat").unwrap();
        assert_eq!(lat.value, "north");
        assert!(lat.error.is_some());
    }
}
