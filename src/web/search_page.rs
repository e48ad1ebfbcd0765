//! The search results page: a [`SearchResponse`] turned into facet links, filter chips,
//! result cards, pagination and help when nothing matched.
//!
//! Every link on the page is the current query with one change (a filter added or removed,
//! another page, another order), so the page works without JavaScript and each state has a
//! URL that can be shared.

use serde::Serialize;

use super::catalog::Catalog;
use super::i18n::{Labels, Lang};
use super::render::with_param;
use super::views::Card;
use crate::search::{FacetValue, SearchRequest, SearchResponse, Sort, SuggestResponse};

/// The query pairs of the page, without `lang` and `offset` (which links set themselves).
#[derive(Debug, Clone)]
pub struct Params {
    pairs: Vec<(String, String)>,
    lang: Lang,
}

impl Params {
    pub fn new(pairs: &[(String, String)], lang: Lang) -> Params {
        Params {
            pairs: pairs
                .iter()
                .filter(|(k, v)| k != "lang" && k != "offset" && !v.trim().is_empty())
                .cloned()
                .collect(),
            lang,
        }
    }

    fn url(&self, pairs: &[(String, String)]) -> String {
        let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
        let url = if query.is_empty() {
            "/search".to_owned()
        } else {
            format!("/search?{query}")
        };
        with_param(&url, self.lang.link_param())
    }

    fn has(&self, name: &str, value: &str) -> bool {
        self.pairs.iter().any(|(k, v)| k == name && v == value)
    }

    fn with(&self, name: &str, value: &str) -> String {
        let mut pairs: Vec<_> = self
            .pairs
            .iter()
            .filter(|(k, _)| k != name)
            .cloned()
            .collect();
        pairs.push((name.to_owned(), value.to_owned()));
        self.url(&pairs)
    }

    fn without(&self, name: &str, value: Option<&str>) -> String {
        let pairs: Vec<_> = self
            .pairs
            .iter()
            .filter(|(k, v)| !(k == name && value.is_none_or(|value| v == value)))
            .cloned()
            .collect();
        self.url(&pairs)
    }

    fn at_offset(&self, offset: usize) -> String {
        let mut pairs = self.pairs.clone();
        if offset > 0 {
            pairs.push(("offset".into(), offset.to_string()));
        }
        self.url(&pairs)
    }

    /// The offline page, ready to save these results (the same search, every page of it).
    fn save_offline(&self) -> String {
        let mut pairs = vec![("save".to_owned(), "search".to_owned())];
        pairs.extend(self.pairs.iter().filter(|(k, _)| k != "sort").cloned());
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        with_param(&format!("/offline?{query}"), self.lang.link_param())
    }

    /// The download of every result in `format` (`csv`, …).
    fn download(&self, format: &str) -> String {
        let query = serde_urlencoded::to_string(&self.pairs).unwrap_or_default();
        if query.is_empty() {
            format!("/search/download/{format}")
        } else {
            format!("/search/download/{format}?{query}")
        }
    }

    /// This search's address, without its page: what "cite this search" names.
    pub fn canonical(&self) -> String {
        let query = serde_urlencoded::to_string(&self.pairs).unwrap_or_default();
        if query.is_empty() {
            "/search".to_owned()
        } else {
            format!("/search?{query}")
        }
    }

    /// Only the text: what "search again without filters" links to.
    fn text_only(&self) -> String {
        let pairs: Vec<_> = self
            .pairs
            .iter()
            .filter(|(k, _)| k == "q")
            .cloned()
            .collect();
        self.url(&pairs)
    }
}

#[derive(Debug, Serialize)]
pub struct SearchPage {
    pub q: String,
    pub heading: String,
    pub total: u64,
    pub loose_match: bool,
    pub cards: Vec<Card>,
    pub chips: Vec<Chip>,
    pub facets: Vec<FacetGroup>,
    pub sorts: Vec<Link>,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
    pub page: usize,
    pub pages: usize,
    pub suggestions: Vec<Link>,
    pub without_filters_url: Option<String>,
    /// Where these results are saved for offline use.
    pub save_offline_url: String,
    /// Hidden inputs that keep the filters when the search box is submitted again.
    pub kept: Vec<(String, String)>,
    /// Every result of this search as a file, one link per format.
    pub downloads: Vec<Link>,
    /// "Cite this search" (APA), filled in by the handler, which knows the public origin.
    pub cite_apa: Option<String>,
}

/// An active filter and the link that removes it.
#[derive(Debug, Serialize)]
pub struct Chip {
    pub label: String,
    pub remove_url: String,
}

#[derive(Debug, Serialize)]
pub struct FacetGroup {
    pub title: &'static str,
    pub values: Vec<FacetLink>,
}

#[derive(Debug, Serialize)]
pub struct FacetLink {
    pub label: String,
    pub count: u64,
    pub url: String,
    pub active: bool,
}

#[derive(Debug, Serialize)]
pub struct Link {
    pub label: String,
    pub url: String,
    pub active: bool,
}

/// Builds the page from the engine's answer.
pub fn build(
    request: &SearchRequest,
    response: &SearchResponse,
    suggestions: Option<SuggestResponse>,
    params: &Params,
    catalog: &Catalog,
) -> SearchPage {
    let lang = params.lang;
    let t = lang.labels();
    let cards = response
        .hits
        .iter()
        .map(|hit| Card::of_hit(hit, catalog.get(&hit.id), lang))
        .collect();
    let facet = |title, name: &'static str, values: &[FacetValue]| FacetGroup {
        title,
        values: values
            .iter()
            .map(|v| {
                let active = params.has(name, &v.value);
                FacetLink {
                    label: pick(lang, &v.label, &v.label_en),
                    count: v.count,
                    url: if active {
                        params.without(name, Some(&v.value))
                    } else {
                        params.with(name, &v.value)
                    },
                    active,
                }
            })
            .collect(),
    };
    let f = &response.facets;
    let facets: Vec<FacetGroup> = [
        facet(t.province, "province", &f.province),
        facet(t.type_, "type", &f.site_type),
        facet(t.level, "level", &f.level),
        facet(t.category, "category", &f.category),
    ]
    .into_iter()
    .filter(|g| g.values.len() > 1 || g.values.iter().any(|v| v.active))
    .collect();
    let chips = chips(params, response, t);
    let limit = request.limit.max(1);
    let pages = (response.total as usize).div_ceil(limit).max(1);
    let page = request.offset / limit + 1;
    let sorts = match request.near {
        Some(_) => [
            (Sort::Relevance, t.sort_relevance),
            (Sort::Distance, t.sort_distance),
        ]
        .into_iter()
        .map(|(sort, label)| Link {
            label: label.to_owned(),
            url: params.with(
                "sort",
                if sort == Sort::Distance {
                    "distance"
                } else {
                    "relevance"
                },
            ),
            active: request.effective_sort() == sort,
        })
        .collect(),
        None => Vec::new(),
    };
    let heading = if request.q.trim().is_empty() {
        t.all_sites.to_owned()
    } else {
        format!("{} “{}”", t.results_for, request.q.trim())
    };
    SearchPage {
        q: request.q.clone(),
        heading,
        total: response.total,
        loose_match: response.loose_match,
        cards,
        facets,
        sorts,
        prev_url: (request.offset > 0)
            .then(|| params.at_offset(request.offset.saturating_sub(limit))),
        next_url: (request.offset + limit < response.total as usize)
            .then(|| params.at_offset(request.offset + limit)),
        page,
        pages,
        suggestions: suggestions
            .map(|s| {
                s.suggestions
                    .into_iter()
                    .map(|s| Link {
                        url: params.with("q", &s.name),
                        label: s.name,
                        active: false,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        without_filters_url: (response.total == 0 && !chips.is_empty()).then(|| params.text_only()),
        save_offline_url: params.save_offline(),
        chips,
        kept: params
            .pairs
            .iter()
            .filter(|(k, _)| k != "q")
            .cloned()
            .collect(),
        downloads: if response.total > 0 {
            crate::open_data::export::Format::ALL
                .iter()
                .map(|f| Link {
                    label: f.title().to_owned(),
                    url: params.download(f.code()),
                    active: false,
                })
                .collect()
        } else {
            Vec::new()
        },
        cite_apa: None,
    }
}

/// Filters in force, labelled like the facets that set them.
fn chips(params: &Params, response: &SearchResponse, t: &Labels) -> Vec<Chip> {
    let lang = params.lang;
    let f = &response.facets;
    params
        .pairs
        .iter()
        .filter(|(k, _)| k != "q" && k != "sort")
        .map(|(name, value)| {
            let values: &[FacetValue] = match name.as_str() {
                "province" => &f.province,
                "type" => &f.site_type,
                "level" => &f.level,
                "category" => &f.category,
                _ => &[],
            };
            let shown = values
                .iter()
                .find(|v| &v.value == value)
                .map(|v| pick(lang, &v.label, &v.label_en))
                .unwrap_or_else(|| value.clone());
            let label = match name.as_str() {
                "province" => format!("{}: {shown}", t.province),
                "type" => format!("{}: {shown}", t.type_),
                "level" => format!("{}: {shown}", t.level),
                "category" => format!("{}: {shown}", t.category),
                "red_address" => t.red_addresses.to_owned(),
                "near" => format!("{}: {value}", t.near),
                other => format!("{other}: {value}"),
            };
            Chip {
                label,
                remove_url: params.without(name, Some(value)),
            }
        })
        .collect()
}

fn pick(lang: Lang, vi: &str, en: &str) -> String {
    match lang {
        Lang::Vi => vi.to_owned(),
        Lang::En => en.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_change_one_thing() {
        let pairs = vec![
            ("q".to_owned(), "đền".to_owned()),
            ("province".to_owned(), "Ninh Bình".to_owned()),
            ("offset".to_owned(), "20".to_owned()),
            ("lang".to_owned(), "en".to_owned()),
        ];
        let p = Params::new(&pairs, Lang::En);
        assert_eq!(
            p.without("province", None),
            "/search?q=%C4%91%E1%BB%81n&lang=en"
        );
        assert_eq!(
            p.at_offset(40),
            "/search?q=%C4%91%E1%BB%81n&province=Ninh+B%C3%ACnh&offset=40&lang=en"
        );
        assert!(p.with("type", "den").contains("type=den"));
    }
}
