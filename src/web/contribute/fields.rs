//! The fields of the site forms and the record they make.
//!
//! What a volunteer typed is kept as typed ([`SiteFields`]) so that a form sent back with an
//! error shows every value again; only a form without errors becomes a [`SiteRecord`]. The
//! address is placed in today's administrative units by the resolver, and what it resolved
//! to is shown. The record rules ([`crate::record::validate`]) decide what is an error; their
//! field paths are mapped back to the form field that shows the message.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::admin_units::{AddressQuery, units};
use crate::record::{Accuracy, KnownType, Severity, SiteRecord, SiteType, Source};
use crate::web::auth::Fields;
use crate::web::i18n::Lang;

/// Every field of the new-site and correction forms, as text.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SiteFields {
    pub name: String,
    pub name_en: String,
    /// One per line.
    pub alt_names: String,
    /// A [`KnownType`] code, or empty.
    pub site_type: String,
    /// A type that is not on the list, as written.
    pub type_other: String,
    pub address: String,
    pub province: String,
    pub commune: String,
    pub lat: String,
    pub lon: String,
    /// An [`Accuracy`] code: how the position was obtained.
    pub accuracy: String,
    pub summary: String,
    pub description: String,
    /// One per line.
    pub people: String,
    /// One per line: a URL or a citation.
    pub sources: String,
    /// A correction's note to the moderator.
    pub note: String,
}

/// Messages by form field (`name`, `position`, `commune`, `sources`, `form`…).
pub type FieldErrors = BTreeMap<&'static str, String>;

/// Where the address was placed, shown under the address fields.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ResolvedView {
    pub commune: Option<String>,
    pub province: Option<String>,
    /// The pre-2025 units, "Xã Nam Giang, Huyện Nam Trực, Nam Định".
    pub formerly: Option<String>,
    pub notes: Vec<String>,
}

impl SiteFields {
    pub fn from_form(fields: &Fields) -> SiteFields {
        // Keep multi-line text as typed (only trimmed as a whole): the form shows it back.
        let text = |name: &str| fields.get(name).unwrap_or_default().to_owned();
        SiteFields {
            name: text("name"),
            name_en: text("name_en"),
            alt_names: text("alt_names"),
            site_type: text("type"),
            type_other: text("type_other"),
            address: text("address"),
            province: text("province"),
            commune: text("commune"),
            lat: text("lat"),
            lon: text("lon"),
            accuracy: text("accuracy"),
            summary: text("summary"),
            description: text("description"),
            people: text("people"),
            sources: text("sources"),
            note: text("note"),
        }
    }

    /// Replaces the fields `fields` names (even with an empty value: a field cleared), and
    /// keeps the others: how a correction drafted offline says only what it changes.
    pub fn overlay(&mut self, fields: &Fields) {
        for (name, value) in &fields.0 {
            let slot = match name.as_str() {
                "name" => &mut self.name,
                "name_en" => &mut self.name_en,
                "alt_names" => &mut self.alt_names,
                "type" => &mut self.site_type,
                "type_other" => &mut self.type_other,
                "summary" => &mut self.summary,
                "description" => &mut self.description,
                "people" => &mut self.people,
                "sources" => &mut self.sources,
                "note" => &mut self.note,
                _ => continue,
            };
            *slot = value.trim().to_owned();
        }
    }

    /// The text fields of an existing record, for the correction form.
    pub fn from_record(record: &SiteRecord) -> SiteFields {
        let (site_type, type_other) = match &record.site_type {
            Some(SiteType::Known(k)) => (k.code().to_owned(), String::new()),
            Some(SiteType::Other(label)) => (String::new(), label.clone()),
            None => (String::new(), String::new()),
        };
        let sources = record.sources.iter().map(|s| match (&s.citation, &s.url) {
            (Some(c), Some(u)) => format!("{c} {u}"),
            (Some(c), None) => c.clone(),
            (None, Some(u)) => u.clone(),
            (None, None) => String::new(),
        });
        SiteFields {
            name: record.name.clone(),
            name_en: record.name_en.clone().unwrap_or_default(),
            alt_names: record.alt_names.join("\n"),
            site_type,
            type_other,
            summary: record.summary.clone().unwrap_or_default(),
            description: record.description.clone().unwrap_or_default(),
            people: record.people.join("\n"),
            sources: sources.collect::<Vec<_>>().join("\n"),
            ..SiteFields::default()
        }
    }

    /// Applies the text fields to `record` (name, names, type, summary, description, people,
    /// sources): what both forms edit.
    pub fn apply_text(&self, record: &mut SiteRecord) {
        record.name = self.name.trim().to_owned();
        record.name_en = non_empty(&self.name_en);
        record.alt_names = lines(&self.alt_names);
        record.site_type = if self.site_type.is_empty() {
            SiteType::parse(&self.type_other)
        } else {
            KnownType::parse(&self.site_type).map(SiteType::Known)
        };
        record.summary = non_empty(&self.summary);
        record.description = non_empty(&self.description);
        record.people = lines(&self.people);
        record.sources = lines(&self.sources)
            .iter()
            .filter_map(|s| Source::parse(s))
            .collect();
    }

    /// Places the address and the position in `record`; errors go into `errors`.
    pub fn apply_location(
        &self,
        record: &mut SiteRecord,
        errors: &mut FieldErrors,
        lang: Lang,
    ) -> Option<ResolvedView> {
        let t = lang.labels();
        let location = &mut record.location;
        location.address = non_empty(&self.address);
        let resolved = self.resolve();
        if let Some(r) = &resolved {
            location.province = r.province.clone();
            location.commune = r.commune.clone();
            location.legacy = r.legacy.clone();
            if !self.commune.trim().is_empty() && r.commune.is_none() {
                errors.insert("commune", t.commune_not_found.to_owned());
            }
        }
        match (parse_coordinate(&self.lat), parse_coordinate(&self.lon)) {
            (Ok(None), Ok(None)) => {
                // No position given: the commune's centre stands in, marked as such.
                if let Some((lat, lon, accuracy)) = resolved.as_ref().and_then(|r| r.centroid) {
                    location.lat = Some(round6(lat));
                    location.lon = Some(round6(lon));
                    location.accuracy = Some(accuracy);
                }
            }
            (Ok(lat), Ok(lon)) => {
                location.lat = lat;
                location.lon = lon;
                location.accuracy = Some(Accuracy::parse(&self.accuracy).unwrap_or(Accuracy::Map));
            }
            _ => {
                errors.insert("position", t.position_not_number.to_owned());
            }
        }
        resolved.map(|r| ResolvedView {
            formerly: {
                let l = &r.legacy;
                let parts: Vec<&str> = [&l.commune, &l.district, &l.province]
                    .into_iter()
                    .flatten()
                    .map(String::as_str)
                    .collect();
                (!parts.is_empty()).then(|| parts.join(", "))
            },
            commune: r.commune,
            province: r.province,
            notes: r.notes,
        })
    }

    fn resolve(&self) -> Option<crate::admin_units::Resolved> {
        fn given(s: &str) -> Option<&str> {
            Some(s.trim()).filter(|s| !s.is_empty())
        }
        let query = AddressQuery {
            address: given(&self.address),
            commune: given(&self.commune),
            district: None,
            province: given(&self.province),
        };
        if query.address.is_none() && query.commune.is_none() && query.province.is_none() {
            return None;
        }
        Some(units().resolve(&query))
    }
}

/// The record rules' errors, by the form field that shows them.
pub fn check_record(record: &SiteRecord, errors: &mut FieldErrors) {
    for problem in crate::record::validate(record) {
        if problem.severity != Severity::Error {
            continue;
        }
        let field = match problem.field.as_str() {
            "name" => "name",
            f if f.starts_with("location") => "position",
            f if f.starts_with("sources") => "sources",
            f if f.starts_with("alt_names") => "alt_names",
            // The id is made from the name.
            "id" => "name",
            _ => "form",
        };
        let message = format!("{} — {}", problem.message, problem.hint);
        errors
            .entry(field)
            .and_modify(|m| {
                m.push_str("; ");
                m.push_str(&message);
            })
            .or_insert(message);
    }
}

/// Where an inbox refusal of a proposal belongs on the form.
pub fn field_of(inbox_field: &str) -> &'static str {
    match inbox_field {
        "name" => "name",
        "site_id" => "form",
        _ => "description",
    }
}

/// A coordinate as typed: `20.25`, `20,25` (a comma keyboard), or empty.
fn parse_coordinate(text: &str) -> Result<Option<f64>, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let value: f64 = text.replace(',', ".").parse().map_err(|_| ())?;
    if value.is_finite() {
        Ok(Some(value))
    } else {
        Err(())
    }
}

/// Six decimals: about 10 cm, more than any phone knows.
fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn non_empty(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|s| !s.is_empty())
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_becomes_a_record_with_its_commune_resolved() {
        let fields = SiteFields {
            name: "Đình Tức Mạc".into(),
            site_type: "dinh".into(),
            province: "Ninh Bình".into(),
            commune: "Phường Nam Định".into(),
            sources: "https://example.org/a\nSách địa chí Nam Định, tr. 12\n".into(),
            ..Default::default()
        };
        let mut record = SiteRecord::new("dinh-tuc-mac", "", chrono::Utc::now());
        fields.apply_text(&mut record);
        let mut errors = FieldErrors::new();
        let resolved = fields.apply_location(&mut record, &mut errors, Lang::En);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(record.location.province.as_deref(), Some("Ninh Bình"));
        assert!(resolved.unwrap().commune.is_some());
        assert_eq!(record.location.accuracy, Some(Accuracy::CommuneCentroid));
        assert_eq!(record.sources.len(), 2);
        check_record(&record, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn bad_positions_are_reported_on_their_field() {
        let fields = SiteFields {
            name: "X".into(),
            lat: "105.9".into(),
            lon: "20,2".into(),
            ..Default::default()
        };
        let mut record = SiteRecord::new("x", "", chrono::Utc::now());
        fields.apply_text(&mut record);
        let mut errors = FieldErrors::new();
        fields.apply_location(&mut record, &mut errors, Lang::Vi);
        check_record(&record, &mut errors);
        assert!(errors["position"].contains("swapped"), "{errors:?}");
        let fields = SiteFields {
            lat: "north".into(),
            ..fields
        };
        let mut errors = FieldErrors::new();
        fields.apply_location(&mut record, &mut errors, Lang::Vi);
        assert!(errors.contains_key("position"));
    }
}
