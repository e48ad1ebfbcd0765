//! Answering a search request: choose how strictly to match, collect one page with its total
//! and facet counts, then read the page's sites and cut their excerpts.
//!
//! Only the page's sites are read from the document store; everything else (ranking, counts,
//! distances) comes from postings and fast columns.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::sync::OnceLock;

use tantivy::query::{EnableScoring, Query};
use tantivy::schema::Value;
use tantivy::{DocSet, Searcher, TERMINATED, TantivyDocument};

use super::SearchIndex;
use super::api::{FacetValue, Facets, Hit, Label, SITE_URL_PREFIX, SearchResponse};
use super::browse::BrowseCache;
use super::collector::{Candidate, Collected, Order, SiteCollector};
use super::error::QueryError;
use super::query::{FacetKind, Filters, Match, QueryWords, match_all_or_nothing, text_query};
use super::request::{SearchRequest, Sort};
use super::schema::SiteSchema;
use super::snippet::Highlighter;
use crate::record::{Category, KnownType, Level};

/// Strict matches fewer than this many bring in typo-tolerant ones ([`Match::StrictFuzzy`]).
const TYPO_RETRY_BELOW: u64 = 10;

/// How many sites `query` matches (deleted ones aside), counting no further than `limit`.
fn count_up_to(searcher: &Searcher, query: &dyn Query, limit: u64) -> tantivy::Result<u64> {
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let mut n = 0;
    for reader in searcher.segment_readers() {
        let mut scorer = weight.scorer(reader, 1.0)?;
        let alive = reader.alive_bitset();
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                n += 1;
                if n >= limit {
                    return Ok(n);
                }
            }
            doc = scorer.advance();
        }
    }
    Ok(n)
}

impl SearchIndex {
    /// One page of results for `request`, with its total and facet counts.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse, QueryError> {
        request.validate()?;
        let searcher = self.reader.searcher();
        let generation = searcher.generation().generation_id();
        let browse_key = BrowseCache::key(request);
        if let Some(key) = &browse_key
            && let Some(response) = self.browse.get(generation, key)
        {
            return Ok(response);
        }
        let response = self.answer(&searcher, request)?;
        if let Some(key) = browse_key {
            self.browse.put(generation, key, &response);
        }
        Ok(response)
    }

    fn answer(
        &self,
        searcher: &Searcher,
        request: &SearchRequest,
    ) -> Result<SearchResponse, QueryError> {
        let s = &self.schema;
        let words = QueryWords::analyze(&self.analyzers, &request.q);
        let stats = self.term_stats.of(searcher);
        let filters = Filters::of(s, searcher, request);
        let collector = |top, facets| SiteCollector {
            cache: &self.facet_values,
            top,
            order: match request.effective_sort() {
                Sort::Relevance => Order::Relevance,
                Sort::Distance => Order::Distance,
            },
            near: request.near,
            radius_km: request.radius_km,
            facets,
            floor: Default::default(),
        };
        let unfiltered: Vec<FacetKind> = FacetKind::ALL
            .into_iter()
            .filter(|&k| !filters.has(k))
            .collect();
        let page_end = request.offset + request.limit;

        // Strict first. When that finds only a few sites for several words, typo-tolerant too:
        // a typo can make another real word ("Hưng" for "Hương"), and the exact matches still
        // rank first. The threshold does not depend on the page, so every page has the same
        // total. Any-word only when nothing has every word.
        let may_be_mistyped =
            words.folded.len() >= 2 && words.folded.iter().any(|w| w.chars().count() >= 3);
        // Each mode's query is built once and serves both to count and to score: without
        // scores, a site query leaves its boosts out by itself.
        let built: [OnceCell<Box<dyn Query>>; 3] = Default::default();
        let text_of = |mode: Match| -> Result<&dyn Query, QueryError> {
            let slot = &built[mode as usize];
            if slot.get().is_none() {
                let text = if words.is_empty() {
                    match_all_or_nothing(&request.q)
                } else {
                    text_query(s, &stats, &words, mode, true)?
                };
                let _ = slot.set(text);
            }
            Ok(&**slot.get().expect("just set"))
        };
        let run = |mode| -> Result<_, QueryError> {
            let query = filters.apply(text_of(mode)?, None);
            let collector = collector(page_end, unfiltered.clone());
            let collected =
                searcher.search_with_statistics_provider(&*query, &collector, &stats)?;
            Ok((collected, mode))
        };
        // How many sites match in `mode`, counting no further than `limit`.
        let count = |mode, limit| -> Result<u64, QueryError> {
            let query = filters.apply(text_of(mode)?, None);
            Ok(count_up_to(searcher, &*query, limit)?)
        };
        let (mut collected, mut mode);
        if may_be_mistyped && request.radius_km.is_none() {
            // Which of the passes below wins is decided by counts alone, so only the winner is
            // scored, collected and counted by facet. (The exact radius test happens in the
            // collector, so "near me" with a radius takes the long way.)
            let strict = count(Match::Strict, TYPO_RETRY_BELOW)?;
            let chosen = if strict >= TYPO_RETRY_BELOW {
                Match::Strict
            } else if count(Match::StrictFuzzy, strict + 1)? > strict {
                Match::StrictFuzzy
            } else if strict == 0 {
                Match::Loose
            } else {
                Match::Strict
            };
            (collected, mode) = run(chosen)?;
        } else {
            (collected, mode) = run(Match::Strict)?;
            if may_be_mistyped && collected.total < TYPO_RETRY_BELOW {
                let fuzzy = run(Match::StrictFuzzy)?;
                if fuzzy.0.total > collected.total {
                    (collected, mode) = fuzzy;
                }
            }
        }
        if !words.is_empty()
            && collected.total == 0
            && words.folded.len() >= 2
            && mode != Match::Loose
        {
            (collected, mode) = run(Match::Loose)?;
        }
        let loose_match = mode == Match::Loose && collected.total > 0;

        // A filtered facet is counted without its own filter, so its other values stay visible.
        for kind in FacetKind::ALL.into_iter().filter(|&k| filters.has(k)) {
            let counted = searcher.search(
                &*filters.apply(text_of(mode)?, Some(kind)),
                &collector(0, vec![kind]),
            )?;
            collected.facets.extend(counted.facets);
        }

        let highlighter = Highlighter::new(&words);
        let mut hits = Vec::with_capacity(request.limit);
        for candidate in collected.top.iter().skip(request.offset) {
            let doc = self.stored.get(searcher, candidate.doc)?;
            hits.push(read_hit(&doc, s, &highlighter, candidate));
        }
        Ok(SearchResponse {
            total: collected.total,
            offset: request.offset,
            limit: request.limit,
            loose_match,
            hits,
            facets: facets(&collected),
        })
    }
}

fn text(doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

fn number(doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<f64> {
    doc.get_first(field).and_then(|v| v.as_f64())
}

fn read_hit(
    doc: &TantivyDocument,
    s: &SiteSchema,
    highlighter: &Highlighter,
    candidate: &Candidate,
) -> Hit {
    let id = text(doc, s.id).unwrap_or_default();
    let site_type = text(doc, s.site_type).map(|code| Label {
        vi: text(doc, s.type_label).unwrap_or_else(|| code.clone()),
        en: text(doc, s.type_label_en).unwrap_or_else(|| code.clone()),
        code,
    });
    let level = text(doc, s.level)
        .and_then(|c| level_by_code(&c))
        .unwrap_or(Level::Unknown);
    let summary = text(doc, s.summary);
    let description = text(doc, s.description_start);
    Hit {
        url: format!("{SITE_URL_PREFIX}{id}"),
        id,
        name: text(doc, s.name).unwrap_or_default(),
        name_en: text(doc, s.name_en),
        site_type,
        level: Label {
            code: level.code().into(),
            vi: level.label_vi().into(),
            en: level.label_en().into(),
        },
        province: text(doc, s.province),
        province_legacy: text(doc, s.province_legacy),
        lat: number(doc, s.lat),
        lon: number(doc, s.lon),
        // Metre precision is plenty and keeps the JSON short.
        distance_km: candidate.distance_km.map(|d| (d * 1000.0).round() / 1000.0),
        snippet: highlighter.excerpt(summary.as_deref(), description.as_deref()),
        thumbnail: text(doc, s.thumbnail),
        placeholder: text(doc, s.placeholder),
        score: candidate.score,
    }
}

/// Facet counts with their labels.
fn facets(collected: &Collected) -> Facets {
    let mut out = Facets::default();
    for (kind, values) in &collected.facets {
        let labelled = values.iter().map(|(value, count)| {
            let (label, label_en) = label(*kind, value);
            FacetValue {
                value: value.clone(),
                label,
                label_en,
                count: *count,
            }
        });
        let slot = match kind {
            FacetKind::Province => &mut out.province,
            FacetKind::Type => &mut out.site_type,
            FacetKind::Level => &mut out.level,
            FacetKind::Category => &mut out.category,
        };
        *slot = labelled.collect();
    }
    out
}

/// (facet, code) → (Vietnamese label, English label).
type LabelTable = HashMap<(FacetKind, &'static str), (&'static str, &'static str)>;

/// Vietnamese and English labels of every type, level and category code, built once: a
/// result page labels every facet value, and the vocabularies look codes up by scanning.
fn labels() -> &'static LabelTable {
    static LABELS: OnceLock<LabelTable> = OnceLock::new();
    LABELS.get_or_init(|| {
        let mut map = HashMap::new();
        for t in KnownType::ALL {
            map.insert((FacetKind::Type, t.code()), (t.label_vi(), t.label_en()));
        }
        for l in Level::ALL {
            map.insert((FacetKind::Level, l.code()), (l.label_vi(), l.label_en()));
        }
        for c in Category::ALL {
            map.insert(
                (FacetKind::Category, c.code()),
                (c.label_vi(), c.label_en()),
            );
        }
        map
    })
}

fn label(kind: FacetKind, value: &str) -> (String, String) {
    match labels().get(&(kind, value)) {
        Some((vi, en)) => ((*vi).to_owned(), (*en).to_owned()),
        None => (value.to_owned(), value.to_owned()),
    }
}

/// The level stored in the index, by its exact code: the index holds codes only, so the
/// accent-folding [`Level::parse`] (which folds every label of the table) is not needed here.
fn level_by_code(code: &str) -> Option<Level> {
    Level::ALL.iter().copied().find(|l| l.code() == code)
}
