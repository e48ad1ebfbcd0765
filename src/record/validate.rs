//! The rules one record must follow on its own. Each broken rule is a [`Problem`] naming the
//! field, what is wrong and a hint; all of them are reported, never just the first.

use std::fmt;

use super::{SCHEMA_VERSION, SiteRecord};
use crate::fold;

/// Whether a problem makes the archive invalid or is only worth a look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// One broken rule: `field: message — hint`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Problem {
    pub severity: Severity,
    /// The field, as a path into the record (`location.lat`, `photos[2].file`), or empty for the
    /// file as a whole.
    pub field: String,
    pub message: String,
    pub hint: String,
}

impl Problem {
    pub fn error(
        field: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Problem {
            severity: Severity::Error,
            field: field.into(),
            message: message.into(),
            hint: hint.into(),
        }
    }

    pub fn warning(
        field: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Problem {
            severity: Severity::Warning,
            field: field.into(),
            message: message.into(),
            hint: hint.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.severity == Severity::Warning {
            f.write_str("warning: ")?;
        }
        if !self.field.is_empty() {
            write!(f, "`{}` ", self.field)?;
        }
        f.write_str(&self.message)?;
        if !self.hint.is_empty() {
            write!(f, " — {}", self.hint)?;
        }
        Ok(())
    }
}

/// Vietnam's extent including the Hoàng Sa and Trường Sa archipelagos: (min lat, max lat, min
/// lon, max lon). A point outside is a typo, swapped coordinates or a 0/0 "no fix".
pub const VIETNAM_BOUNDS: (f64, f64, f64, f64) = (6.0, 23.5, 102.0, 118.0);

/// Whether a position lies within [`VIETNAM_BOUNDS`].
pub fn in_vietnam(lat: f64, lon: f64) -> bool {
    let (min_lat, max_lat, min_lon, max_lon) = VIETNAM_BOUNDS;
    (min_lat..=max_lat).contains(&lat) && (min_lon..=max_lon).contains(&lon)
}

/// Every problem of one record, in field order.
pub fn validate(record: &SiteRecord) -> Vec<Problem> {
    let mut problems = Vec::new();
    if record.schema_version != SCHEMA_VERSION {
        problems.push(Problem::error(
            "schema_version",
            format!(
                "is {}, this version of Disan reads {SCHEMA_VERSION}",
                record.schema_version
            ),
            "upgrade Disan or fix the number",
        ));
    }
    if !fold::is_slug(&record.id) {
        let suggestion = fold::slug(&record.id);
        problems.push(Problem::error(
            "id",
            format!(
                "`{}` is not a slug of a-z, 0-9 and single dashes",
                record.id
            ),
            if suggestion.is_empty() {
                "use the folded name, e.g. `chua-bai-dinh`".to_owned()
            } else {
                format!("did you mean `{suggestion}`?")
            },
        ));
    }
    for (i, former) in record.former_ids.iter().enumerate() {
        if !fold::is_slug(former) || former == &record.id {
            problems.push(Problem::error(
                format!("former_ids[{i}]"),
                format!("`{former}` is not a slug, or is the current id"),
                "list only earlier ids of this site, oldest first",
            ));
        }
    }
    if let Some(code) = &record.short_code
        && (code.is_empty()
            || code.len() > 16
            || !code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
    {
        problems.push(Problem::error(
            "short_code",
            format!("`{code}` is not 1–16 characters of a-z and 0-9"),
            "leave it out to use the derived code",
        ));
    }
    if record.name.trim().is_empty() {
        problems.push(Problem::error(
            "name",
            "is empty",
            "every site needs its Vietnamese name",
        ));
    }
    check_nfc(&mut problems, "name", &record.name);
    for (i, alt) in record.alt_names.iter().enumerate() {
        check_nfc(&mut problems, &format!("alt_names[{i}]"), alt);
    }
    validate_position(
        &mut problems,
        "location",
        record.location.lat,
        record.location.lon,
    );
    if record.location.lat.is_some() && record.location.accuracy.is_none() {
        problems.push(Problem::warning(
            "location.accuracy",
            "is missing",
            "say how the position was obtained: surveyed, map, photo_gps, commune_centroid, …",
        ));
    }
    if let Some(period) = &record.period
        && let (Some(start), Some(end)) = (period.start_year, period.end_year)
        && start > end
    {
        problems.push(Problem::error(
            "period",
            format!("start_year {start} is after end_year {end}"),
            "swap them, or put a single year in start_year",
        ));
    }
    if let Some(qid) = &record.wikidata
        && !is_wikidata_id(qid)
    {
        let digits: String = qid.chars().filter(char::is_ascii_digit).collect();
        problems.push(Problem::error(
            "wikidata",
            format!("`{qid}` is not a Wikidata item id"),
            if digits.is_empty() || digits.starts_with('0') {
                "write the item's Q number, as in `Q1234` (from its wikidata.org address)"
                    .to_owned()
            } else {
                format!("did you mean `Q{digits}`?")
            },
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, photo) in record.photos.iter().enumerate() {
        let field = format!("photos[{i}].file");
        if let Err(why) = check_photo_path(&photo.file) {
            problems.push(Problem::error(
                &field,
                format!("`{}` {why}", photo.file),
                "use a path inside the site folder such as `photos/cong.jpg`",
            ));
        }
        if !seen.insert(photo.file.as_str()) {
            problems.push(Problem::error(
                &field,
                format!("`{}` is listed twice", photo.file),
                "keep one entry per file",
            ));
        }
        validate_position(&mut problems, &format!("photos[{i}]"), photo.lat, photo.lon);
    }
    for (i, source) in record.sources.iter().enumerate() {
        if source.citation.is_none() && source.url.is_none() {
            problems.push(Problem::error(
                format!("sources[{i}]"),
                "has neither citation nor url",
                "remove it or fill one in",
            ));
        }
    }
    if let (Some(created), Some(updated)) = (record.created, record.updated)
        && updated < created
    {
        problems.push(Problem::warning(
            "updated",
            "is before `created`",
            "check the clock of the machine that wrote it",
        ));
    }
    problems
}

fn check_nfc(problems: &mut Vec<Problem>, field: &str, text: &str) {
    if fold::nfc(text) != text {
        problems.push(Problem::warning(
            field,
            "is in decomposed Unicode (NFD)",
            "`disan import` and the web forms normalise text; re-save this record in NFC",
        ));
    }
}

fn validate_position(
    problems: &mut Vec<Problem>,
    prefix: &str,
    lat: Option<f64>,
    lon: Option<f64>,
) {
    let (min_lat, max_lat, min_lon, max_lon) = VIETNAM_BOUNDS;
    match (lat, lon) {
        (None, None) => {}
        (Some(_), None) | (None, Some(_)) => problems.push(Problem::error(
            format!("{prefix}.lat/lon"),
            "only one of lat and lon is set",
            "give both or neither",
        )),
        (Some(lat), Some(lon)) => {
            if !in_vietnam(lat, lon) {
                let swapped = in_vietnam(lon, lat);
                problems.push(Problem::error(
                    format!("{prefix}.lat/lon"),
                    format!("{lat}, {lon} is outside Vietnam"),
                    if swapped {
                        "latitude and longitude look swapped".to_owned()
                    } else {
                        format!("Vietnam spans latitude {min_lat}–{max_lat}, longitude {min_lon}–{max_lon}")
                    },
                ));
            }
        }
    }
}

/// Whether `text` is a Wikidata item id: `Q` and a number without leading zeros (`Q1234`).
pub fn is_wikidata_id(text: &str) -> bool {
    text.strip_prefix('Q').is_some_and(|digits| {
        !digits.is_empty()
            && digits.len() <= 12
            && !digits.starts_with('0')
            && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

/// A photo path must stay inside its site folder: relative, `/`-separated, no `..`, no
/// characters that Windows or a URL would choke on.
pub fn check_photo_path(path: &str) -> Result<(), &'static str> {
    if path.is_empty() {
        return Err("is empty");
    }
    if path.starts_with('/') || path.contains('\\') || path.contains(':') {
        return Err("is not a relative path with `/` separators");
    }
    if path.chars().any(|c| c.is_control()) {
        return Err("contains control characters");
    }
    if path
        .split('/')
        .any(|part| part.is_empty() || part == "." || part == "..")
    {
        return Err("leaves the site folder or has empty parts");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn record() -> SiteRecord {
        SiteRecord::new("den-thai-vi", "Đền Thái Vi", Utc::now())
    }

    #[test]
    fn clean_record_has_no_problems() {
        assert_eq!(validate(&record()), vec![]);
    }

    #[test]
    fn reports_every_problem() {
        let mut r = record();
        r.id = "Đền Thái Vi".into();
        r.location.lat = Some(105.9);
        r.location.lon = Some(20.2);
        r.photos.push(super::super::Photo {
            file: "../secret.jpg".into(),
            caption: None,
            caption_en: None,
            author: None,
            license: None,
            date_taken: None,
            lat: None,
            lon: None,
        });
        let problems = validate(&r);
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert!(text[0].contains("did you mean `den-thai-vi`"), "{text:?}");
        assert!(text.iter().any(|t| t.contains("look swapped")), "{text:?}");
        assert!(
            text.iter().any(|t| t.contains("leaves the site folder")),
            "{text:?}"
        );
    }

    #[test]
    fn wikidata_ids() {
        for good in ["Q1", "Q1234", "Q123456789"] {
            assert!(is_wikidata_id(good), "{good}");
        }
        for bad in ["", "Q", "q1234", "Q0123", "1234", "Q12a", "P31", " Q1"] {
            assert!(!is_wikidata_id(bad), "{bad}");
        }
        let mut r = record();
        r.wikidata = Some("https://www.wikidata.org/wiki/Q1234".into());
        let problems = validate(&r);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].field, "wikidata");
        assert!(problems[0].hint.contains("`Q1234`"), "{}", problems[0]);
    }

    #[test]
    fn photo_paths() {
        assert!(check_photo_path("photos/a b (1).jpg").is_ok());
        for bad in [
            "",
            "/etc/passwd",
            "../x.jpg",
            "a//b.jpg",
            "C:\\x.jpg",
            "a/./b",
            "a\0b",
        ] {
            assert!(check_photo_path(bad).is_err(), "{bad:?}");
        }
    }
}
