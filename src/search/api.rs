//! What a search answers, as the JSON API returns it and the HTML pages render it. Field names
//! are part of the public API: add fields, do not rename them.

use serde::{Deserialize, Serialize};

/// Where a site's page lives; the site id is appended.
pub const SITE_URL_PREFIX: &str = "/sites/";

/// One page of results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResponse {
    /// How many sites match in all (not only on this page).
    pub total: u64,
    pub offset: usize,
    pub limit: usize,
    /// No site had every word, so these are sites with any of them
    /// ("showing results for any of the words").
    pub loose_match: bool,
    pub hits: Vec<Hit>,
    pub facets: Facets,
}

/// One site in a result list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub id: String,
    pub name: String,
    pub name_en: Option<String>,
    #[serde(rename = "type")]
    pub site_type: Option<Label>,
    pub level: Label,
    pub province: Option<String>,
    /// The pre-2025 province, when the record has one.
    pub province_legacy: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// Kilometres from `near`, when it was given and the site has a position.
    pub distance_km: Option<f64>,
    /// HTML: an excerpt of the summary or description, escaped, matches in `<mark>`.
    pub snippet: Option<String>,
    pub url: String,
    /// URL of the thumbnail, when the site has photos.
    pub thumbnail: Option<String>,
    /// A CSS colour to show while the thumbnail loads or when there is none.
    pub placeholder: Option<String>,
    /// How well the site matches the text (BM25 with the engine's boosts; 1 without text).
    /// Comparable within one response only.
    pub score: f32,
}

/// A vocabulary term with its labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    pub code: String,
    pub vi: String,
    pub en: String,
}

/// Counts of matching sites per value of each facet. Each facet is counted under the text
/// query and all *other* filters, so picking one province still shows how many sites the
/// other provinces have.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facets {
    pub province: Vec<FacetValue>,
    #[serde(rename = "type")]
    pub site_type: Vec<FacetValue>,
    pub level: Vec<FacetValue>,
    pub category: Vec<FacetValue>,
}

/// One facet value: `value` is what to send back as the filter parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetValue {
    pub value: String,
    /// Vietnamese label.
    pub label: String,
    pub label_en: String,
    pub count: u64,
}

/// Completions for a search box.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SuggestResponse {
    pub suggestions: Vec<Suggestion>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub id: String,
    pub name: String,
    pub province: Option<String>,
}
