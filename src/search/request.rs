//! A search request as the site and the JSON API receive it: the text, the filters, the
//! position for "near me", the order and the page, with the limits that keep one request cheap.
//!
//! [`SearchRequest::from_pairs`] reads URL query pairs (`?q=đền&province=Nam Định&near=20.4,106.1`);
//! every malformed value is a [`QueryError`] naming the parameter and what was expected, never a
//! silently ignored filter. Empty values (an HTML form's unset `<select>`) mean "not given".

use serde::{Deserialize, Serialize};

use super::error::QueryError;
use crate::record::{Category, Level};

/// Longest accepted search text, in characters. Real queries are a few words; a longer text is
/// almost certainly pasted by mistake.
pub const MAX_QUERY_CHARS: usize = 500;
/// Words beyond this many are ignored.
pub const MAX_QUERY_WORDS: usize = 12;
/// Largest page.
pub const MAX_LIMIT: usize = 100;
/// Deepest page start: deeper pages cost more and nobody reads them.
pub const MAX_OFFSET: usize = 10_000;
pub const DEFAULT_LIMIT: usize = 20;
/// Half the circumference of the Earth: any larger radius is everything.
pub const MAX_RADIUS_KM: f64 = 20_000.0;

/// The order of results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best match first (the default with a text query).
    Relevance,
    /// Nearest first (the default with `near` and no text); needs `near`.
    Distance,
}

/// One search. Filters of one kind are alternatives (`type=chua&type=den` is either); filters
/// of different kinds must all hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchRequest {
    pub q: String,
    /// Current or pre-2025 province, any accents and case ("nam dinh" finds Nam Định).
    pub province: Vec<String>,
    /// Type code or label (`chua`, `Chùa`, `pagoda`).
    #[serde(rename = "type")]
    pub type_: Vec<String>,
    pub category: Vec<String>,
    pub level: Vec<String>,
    pub red_address: Option<bool>,
    pub has_photos: Option<bool>,
    /// `(lat, lon)` in degrees.
    pub near: Option<(f64, f64)>,
    pub radius_km: Option<f64>,
    pub sort: Option<Sort>,
    pub offset: usize,
    pub limit: usize,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            q: String::new(),
            province: Vec::new(),
            type_: Vec::new(),
            category: Vec::new(),
            level: Vec::new(),
            red_address: None,
            has_photos: None,
            near: None,
            radius_km: None,
            sort: None,
            offset: 0,
            limit: DEFAULT_LIMIT,
        }
    }
}

impl SearchRequest {
    /// A request for `q` with everything else at its default.
    pub fn text(q: impl Into<String>) -> Self {
        SearchRequest {
            q: q.into(),
            ..SearchRequest::default()
        }
    }

    /// Reads decoded URL query pairs. Unknown names are ignored (links carry tracking
    /// parameters); known names with bad values are errors.
    pub fn from_pairs<I, K, V>(pairs: I) -> Result<Self, QueryError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut request = SearchRequest::default();
        for (name, value) in pairs {
            let value = value.as_ref().trim();
            if value.is_empty() {
                continue;
            }
            match name.as_ref() {
                "q" => request.q = value.to_owned(),
                "province" => request.province.push(value.to_owned()),
                "type" => request.type_.push(value.to_owned()),
                "category" => request.category.push(value.to_owned()),
                "level" => request.level.push(value.to_owned()),
                "red_address" => request.red_address = Some(parse_bool("red_address", value)?),
                "has_photos" => request.has_photos = Some(parse_bool("has_photos", value)?),
                "near" => request.near = Some(parse_near(value)?),
                "radius_km" => request.radius_km = Some(parse_radius(value)?),
                "sort" => request.sort = Some(parse_sort(value)?),
                "offset" => request.offset = parse_count("offset", value, MAX_OFFSET)?,
                "limit" => request.limit = parse_count("limit", value, MAX_LIMIT)?,
                _ => {}
            }
        }
        request.validate()?;
        Ok(request)
    }

    /// Checks the limits and combinations; [`super::SearchIndex::search`] calls it too, for
    /// requests built in code.
    pub fn validate(&self) -> Result<(), QueryError> {
        let chars = self.q.chars().count();
        if chars > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong {
                chars,
                max: MAX_QUERY_CHARS,
            });
        }
        if self.limit > MAX_LIMIT {
            return Err(QueryError::invalid(
                "limit",
                &self.limit.to_string(),
                limit_hint(),
            ));
        }
        if self.offset > MAX_OFFSET {
            return Err(QueryError::invalid(
                "offset",
                &self.offset.to_string(),
                offset_hint(),
            ));
        }
        if let Some((lat, lon)) = self.near {
            check_position(lat, lon, &format!("{lat},{lon}"))?;
        }
        if let Some(radius) = self.radius_km {
            parse_radius(&radius.to_string())?;
            if self.near.is_none() {
                return Err(QueryError::NearRequired { name: "radius_km" });
            }
        }
        if self.sort == Some(Sort::Distance) && self.near.is_none() {
            return Err(QueryError::NearRequired {
                name: "sort=distance",
            });
        }
        for level in &self.level {
            Level::parse(level).ok_or_else(|| {
                QueryError::invalid("level", level, codes(Level::ALL.iter().map(|l| l.code())))
            })?;
        }
        for category in &self.category {
            Category::parse(category).ok_or_else(|| {
                QueryError::invalid(
                    "category",
                    category,
                    codes(Category::ALL.iter().map(|c| c.code())),
                )
            })?;
        }
        Ok(())
    }

    /// The order actually used: distance when a position is given without text.
    pub fn effective_sort(&self) -> Sort {
        match (self.sort, self.near) {
            (Some(sort), _) => sort,
            (None, Some(_)) if self.q.trim().is_empty() => Sort::Distance,
            (None, _) => Sort::Relevance,
        }
    }
}

fn codes<'a>(codes: impl Iterator<Item = &'a str>) -> String {
    format!("one of {}", codes.collect::<Vec<_>>().join(", "))
}

fn limit_hint() -> String {
    format!("a whole number from 0 to {MAX_LIMIT}")
}

fn offset_hint() -> String {
    format!("a whole number from 0 to {MAX_OFFSET}")
}

fn parse_bool(name: &'static str, value: &str) -> Result<bool, QueryError> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(QueryError::invalid(name, value, "true or false")),
    }
}

fn parse_count(name: &'static str, value: &str, max: usize) -> Result<usize, QueryError> {
    let hint = || format!("a whole number from 0 to {max}");
    let n: usize = value
        .parse()
        .map_err(|_| QueryError::invalid(name, value, hint()))?;
    if n > max {
        return Err(QueryError::invalid(name, value, hint()));
    }
    Ok(n)
}

fn parse_sort(value: &str) -> Result<Sort, QueryError> {
    match value.to_ascii_lowercase().as_str() {
        "relevance" => Ok(Sort::Relevance),
        "distance" => Ok(Sort::Distance),
        _ => Err(QueryError::invalid(
            "sort",
            value,
            "`relevance` or `distance`",
        )),
    }
}

fn parse_radius(value: &str) -> Result<f64, QueryError> {
    let hint = || format!("a distance in kilometres above 0 and at most {MAX_RADIUS_KM}");
    let radius: f64 = value
        .parse()
        .map_err(|_| QueryError::invalid("radius_km", value, hint()))?;
    if !(radius.is_finite() && radius > 0.0 && radius <= MAX_RADIUS_KM) {
        return Err(QueryError::invalid("radius_km", value, hint()));
    }
    Ok(radius)
}

const NEAR_HINT: &str =
    "latitude and longitude in degrees as \"lat,lon\", e.g. \"21.0285,105.8542\"";

fn parse_near(value: &str) -> Result<(f64, f64), QueryError> {
    let invalid = || QueryError::invalid("near", value, NEAR_HINT);
    let (lat, lon) = value.split_once(',').ok_or_else(invalid)?;
    let lat: f64 = lat.trim().parse().map_err(|_| invalid())?;
    let lon: f64 = lon.trim().parse().map_err(|_| invalid())?;
    check_position(lat, lon, value)?;
    Ok((lat, lon))
}

fn check_position(lat: f64, lon: f64, shown: &str) -> Result<(), QueryError> {
    let ok = lat.is_finite()
        && lon.is_finite()
        && (-90.0..=90.0).contains(&lat)
        && (-180.0..=180.0).contains(&lon);
    if ok {
        Ok(())
    } else {
        Err(QueryError::invalid("near", shown, NEAR_HINT))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &[(&str, &str)]) -> Result<SearchRequest, QueryError> {
        SearchRequest::from_pairs(query.iter().copied())
    }

    #[test]
    fn reads_every_parameter() {
        let r = parse(&[
            ("q", " đền "),
            ("province", "Nam Định"),
            ("province", ""),
            ("type", "chua"),
            ("type", "den"),
            ("level", "national"),
            ("category", "history"),
            ("red_address", "on"),
            ("has_photos", "false"),
            ("near", "20.42, 106.17"),
            ("radius_km", "12.5"),
            ("sort", "Distance"),
            ("offset", "40"),
            ("limit", "10"),
            ("utm_source", "x"),
        ])
        .unwrap();
        assert_eq!(r.q, "đền");
        assert_eq!(r.province, ["Nam Định"]);
        assert_eq!(r.type_, ["chua", "den"]);
        assert_eq!((r.red_address, r.has_photos), (Some(true), Some(false)));
        assert_eq!(r.near, Some((20.42, 106.17)));
        assert_eq!((r.radius_km, r.sort), (Some(12.5), Some(Sort::Distance)));
        assert_eq!((r.offset, r.limit), (40, 10));
    }

    #[test]
    fn bad_values_are_400s_that_name_the_parameter() {
        for (name, value) in [
            ("near", "abc"),
            ("near", "91,0"),
            ("near", "NaN,1"),
            ("limit", "-1"),
            ("limit", "101"),
            ("offset", "10001"),
            ("radius_km", "0"),
            ("radius_km", "inf"),
            ("sort", "best"),
            ("has_photos", "maybe"),
            ("level", "gold"),
            ("category", "x"),
        ] {
            let err = parse(&[(name, value)]).unwrap_err();
            assert!(err.is_client_error());
            assert!(err.to_string().contains(name), "{err}");
        }
        let err = parse(&[("sort", "distance")]).unwrap_err();
        assert!(matches!(err, QueryError::NearRequired { .. }), "{err}");
        let err = parse(&[("radius_km", "5")]).unwrap_err();
        assert!(matches!(err, QueryError::NearRequired { .. }), "{err}");
        let long = "a".repeat(MAX_QUERY_CHARS + 1);
        assert!(matches!(
            parse(&[("q", &long)]),
            Err(QueryError::TooLong { .. })
        ));
    }

    #[test]
    fn distance_is_the_default_order_without_text() {
        let mut r = SearchRequest {
            near: Some((21.0, 105.8)),
            ..SearchRequest::default()
        };
        assert_eq!(r.effective_sort(), Sort::Distance);
        r.q = "chùa".into();
        assert_eq!(r.effective_sort(), Sort::Relevance);
    }
}
