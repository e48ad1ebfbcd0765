//! From what a person typed to a tantivy query, without tantivy's query syntax: user text is
//! only ever analyzed into words, so quotes, colons, `^`, `*` or `-` cannot break a search.
//!
//! Ranking, strongest first:
//! 1. the whole query is a site's name, accents and all; then the same without accents;
//! 2. the words form a phrase in the name (place names are several syllables); two words are a
//!    person or a place named in full ("Lê Lợi"); in longer queries, neighbouring words stay
//!    together in one field ("Bắc Ninh", "quốc gia"); in a description, each pair of
//!    neighbouring words that stays together there. Pairs of words
//!    are indexed as terms of their own ([`super::analyzer::VI_PAIRS`]), so asking for one
//!    costs a short list rather than a walk through the positions of two common words;
//! 3. per word, a match in a stronger field: name > other names > people, type > place >
//!    summary > description and the rest; the accented form adds to the folded one, so `đường`
//!    ranks Đường above Dương while `duong` finds both;
//! 4. BM25 within each field, and a small prominence prior (level, photos) between equals.
//!
//! Every word is required ([`Match::Strict`]) except connectives ("thờ", "ở", "của"). A word
//! that appears nowhere in the index gets typo-tolerant alternatives (Levenshtein distance 1
//! from 4 letters, 2 from 8, on the folded form), scored below any exact match. When that does
//! not fill the page, the engine retries allowing every word of 3 letters or more a typo in the
//! names ([`Match::StrictFuzzy`]: "Hưng" may be a mistyped "Hương", "cha" a "chùa"), and when
//! nothing has every word, with any word ([`Match::Loose`]).

use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, EmptyQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use super::analyzer::{Analyzers, first_tokens, pair_text};
use super::geo::BoundingBox;
use super::request::{MAX_QUERY_WORDS, SearchRequest};
use super::schema::SiteSchema;
use super::scoring::{Clause, SiteQuery, Word};
use super::stats::TermStats;
use crate::fold;
use crate::record::{Category, Level, SiteType};

/// The words of a query in the three analyzed forms, position by position.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct QueryWords {
    pub exact: Vec<String>,
    pub folded: Vec<String>,
    pub english: Vec<String>,
}

impl QueryWords {
    /// At most [`MAX_QUERY_WORDS`] words of `q`.
    pub fn analyze(analyzers: &Analyzers, q: &str) -> QueryWords {
        let mut exact = first_tokens(&mut analyzers.exact.clone(), q, MAX_QUERY_WORDS);
        let mut folded = first_tokens(&mut analyzers.folded.clone(), q, MAX_QUERY_WORDS);
        let mut english = first_tokens(&mut analyzers.english.clone(), q, MAX_QUERY_WORDS);
        // The three analyzers split text identically; guard the zip anyway.
        let n = exact.len().min(folded.len()).min(english.len());
        exact.truncate(n);
        folded.truncate(n);
        english.truncate(n);
        QueryWords {
            exact,
            folded,
            english,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.folded.is_empty()
    }

    /// Whether word `i` was typed with accents (or `đ`): only then is the exact form a signal.
    fn accented(&self, i: usize) -> bool {
        self.exact[i] != self.folded[i]
    }
}

/// How strictly the words must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Match {
    /// Every word; typo tolerance only for words absent from the index.
    Strict,
    /// Every word, each allowed a typo.
    StrictFuzzy,
    /// Any word.
    Loose,
}

/// A facet whose filter is left out when counting that same facet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum FacetKind {
    Province,
    Type,
    Level,
    Category,
}

impl FacetKind {
    pub const ALL: [FacetKind; 4] = [
        FacetKind::Province,
        FacetKind::Type,
        FacetKind::Level,
        FacetKind::Category,
    ];
}

/// Field weights for one word: (exact field, folded field, weight of the exact form, weight of
/// the folded form).
fn word_fields(s: &SiteSchema) -> [(Field, Field, f32, f32); 8] {
    [
        (s.name, s.name_fold, 3.0, 2.0),
        (s.alt_names, s.alt_names_fold, 2.0, 1.5),
        (s.people, s.people_fold, 1.5, 1.2),
        (s.type_text, s.type_text_fold, 1.5, 1.2),
        (s.place, s.place_fold, 1.2, 1.0),
        (s.summary, s.summary_fold, 1.0, 0.8),
        (s.description, s.description_fold, 0.5, 0.4),
        (s.other, s.other_fold, 0.5, 0.4),
    ]
}

/// Weight of each pair of neighbouring words found together in a description. Twice the old
/// description phrase's 0.3: on the real records that lifts passages copied from descriptions
/// without moving another form; at 1.0 passages rise further, but at 100,000 sites topic
/// searches start to lose their sites to descriptions that mention the same words
/// (`disan eval-search`, benches/README).
const DESCRIPTION_PAIR_WEIGHT: f32 = 0.6;

/// Weights of a pair of neighbouring words of a longer search found together in the name,
/// other names, people, place and other short texts ([`SiteSchema::short_pairs`]' order).
/// Twice the weights of the phrases they replaced: a pair's own frequency makes a rarer,
/// lower score than the phrase's two words did, and at these weights "đình thờ Cao Sơn"
/// finds the đình of Cao Sơn first far more often (`disan eval-search`, benches/README).
const SHORT_PAIR_WEIGHTS: [f32; 5] = [3.0, 2.0, 3.0, 3.0, 3.0];

/// Weight of a typo-tolerant match: constant-scored, below any real BM25 match.
const FUZZY_WEIGHT: f32 = 0.3;

fn phrase(stats: &TermStats, field: Field, words: &[String], slop: u32, boost: f32) -> Clause {
    Clause::new(stats.phrase_query(field, words, slop), boost)
}

/// Adds `term(…)` unless the field never holds the word (such a clause can never match).
fn push_term(out: &mut Vec<Clause>, stats: &TermStats, field: Field, text: &str, boost: f32) {
    let term = Term::from_field_text(field, text);
    if stats.occurs(&term) {
        let mut clause = Clause::new(stats.term_query(term.clone()), boost);
        clause.term = Some(term);
        out.push(clause);
    }
}

/// [`push_term`] of an accented word in an exact field. The folded twin of that field holds
/// the same text through the same analyzer plus accent folding, so every site with the word
/// holds `folded` there too.
fn push_accented_term(
    out: &mut Vec<Clause>,
    stats: &TermStats,
    (field, text): (Field, &str),
    (folded_field, folded): (Field, &str),
    boost: f32,
) {
    let before = out.len();
    push_term(out, stats, field, text, boost);
    if let Some(clause) = out.get_mut(before) {
        clause.implies = Some(Term::from_field_text(folded_field, folded));
    }
}

/// Adds `phrase(…)` unless one of its words never occurs in the field. A site can only match
/// it when it holds every word of `folded` in `folded_field` (the phrase's own field when
/// that is a folded one), which the word alternatives tell before the phrase is opened.
fn push_phrase(
    out: &mut Vec<Clause>,
    stats: &TermStats,
    (field, words): (Field, &[String]),
    (folded_field, folded): (Field, &[String]),
    slop: u32,
    boost: f32,
) {
    if words
        .iter()
        .all(|w| stats.occurs(&Term::from_field_text(field, w)))
    {
        let mut clause = phrase(stats, field, words, slop, boost);
        clause.requires = folded
            .iter()
            .map(|w| Term::from_field_text(folded_field, w))
            .collect();
        out.push(clause);
    }
}

/// Adds the boost of two neighbouring words in a pairs field, which can only match a site
/// holding both words in its folded twin.
fn push_pair(
    out: &mut Vec<Clause>,
    stats: &TermStats,
    (pairs, folded): (Field, Field),
    pair: &[String],
    boost: f32,
) {
    let before = out.len();
    push_term(out, stats, pairs, &pair_text(&pair[0], &pair[1]), boost);
    if let Some(clause) = out.get_mut(before) {
        clause.requires = pair
            .iter()
            .map(|w| Term::from_field_text(folded, w))
            .collect();
    }
}

/// [`push_phrase`] in a folded field.
fn push_folded_phrase(
    out: &mut Vec<Clause>,
    stats: &TermStats,
    (field, words): (Field, &[String]),
    slop: u32,
    boost: f32,
) {
    push_phrase(out, stats, (field, words), (field, words), slop, boost);
}

fn fuzzy(stats: &TermStats, field: Field, text: &str, distance: u8) -> Clause {
    Clause::new(stats.typo_query(field, text, distance), FUZZY_WEIGHT)
}

/// Typo distance for a folded word, by its length in letters.
fn typo_distance(word: &str) -> Option<u8> {
    match word.chars().count() {
        0..=3 => None,
        4..=7 => Some(1),
        _ => Some(2),
    }
}

/// Typo distance when every word may be mistyped ([`Match::StrictFuzzy`]): then a 3-letter
/// word may also be a 4-letter syllable missing a letter ("cha" for "chùa"). Only names are
/// searched that way: a short word has too many neighbours in long texts.
fn fallback_typo_distance(word: &str) -> Option<u8> {
    typo_distance(word).or((word.chars().count() == 3).then_some(1))
}

/// Folded words that join the others rather than name anything: "đình *thờ* Cao Sơn",
/// "chùa *ở* Bắc Ninh". They score where they occur but are not required, so a question
/// phrased as people ask it still finds the sites that have its other words.
const CONNECTIVES: &[&str] = &["tho", "o", "tai", "cua", "va", "cac", "nhung"];

fn is_connective(folded: &str) -> bool {
    CONNECTIVES.contains(&folded)
}

/// Whether the folded word occurs in any searchable field of the index.
fn is_known(
    s: &SiteSchema,
    stats: &TermStats,
    folded: &str,
    english: &str,
) -> tantivy::Result<bool> {
    for (_, field, _, _) in word_fields(s) {
        if stats.doc_freq(&Term::from_field_text(field, folded))? > 0 {
            return Ok(true);
        }
    }
    for field in [s.name_en, s.text_en] {
        if stats.doc_freq(&Term::from_field_text(field, english))? > 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Everything that can match word `i`.
fn word_alternatives(
    s: &SiteSchema,
    stats: &TermStats,
    words: &QueryWords,
    i: usize,
    mode: Match,
) -> tantivy::Result<Vec<Clause>> {
    let (exact, folded, english) = (&words.exact[i], &words.folded[i], &words.english[i]);
    let mut clauses = Vec::with_capacity(24);
    for (exact_field, folded_field, exact_weight, folded_weight) in word_fields(s) {
        if words.accented(i) {
            push_accented_term(
                &mut clauses,
                stats,
                (exact_field, exact),
                (folded_field, folded),
                exact_weight,
            );
        }
        push_term(&mut clauses, stats, folded_field, folded, folded_weight);
    }
    push_term(&mut clauses, stats, s.name_en, english, 1.5);
    push_term(&mut clauses, stats, s.text_en, english, 0.5);
    // A word the index does not know is surely mistyped: look for it everywhere. A known
    // word may be a typo of another (only when the page would not be full otherwise): in names.
    if let Some(distance) = typo_distance(folded)
        && !is_known(s, stats, folded, english)?
    {
        for field in [s.name_fold, s.alt_names_fold, s.people_fold, s.place_fold] {
            clauses.push(fuzzy(stats, field, folded, distance));
        }
        clauses.push(fuzzy(stats, s.text_en, english, distance));
    } else if mode == Match::StrictFuzzy
        && let Some(distance) = fallback_typo_distance(folded)
    {
        for field in [s.name_fold, s.alt_names_fold] {
            clauses.push(fuzzy(stats, field, folded, distance));
        }
    }
    Ok(clauses)
}

/// The scored part of a search: the words, with phrase and whole-name boosts unless `boosts`
/// is false (for counting which sites match: boosts never change that).
pub(crate) fn text_query(
    s: &SiteSchema,
    stats: &TermStats,
    words: &QueryWords,
    mode: Match,
    boosts: bool,
) -> tantivy::Result<Box<dyn Query>> {
    if words.is_empty() {
        return Ok(Box::new(EmptyQuery));
    }
    let n = words.folded.len();
    // Connectives are optional while some other word is required.
    let optional = |i: usize| {
        is_connective(&words.folded[i]) && (0..n).any(|j| !is_connective(&words.folded[j]))
    };
    let mut per_word = Vec::with_capacity(n);
    for i in 0..n {
        let exact = if words.accented(i) {
            &words.exact[i]
        } else {
            ""
        };
        let key = format!(
            "word {} {mode:?} {exact} {} {}",
            stats.generation(),
            words.folded[i],
            words.english[i]
        );
        let alternatives = stats
            .words()
            .alternatives(&key, || word_alternatives(s, stats, words, i, mode))?;
        per_word.push(Word {
            alternatives,
            required: !optional(i),
            key: Some(key),
        });
    }
    if !boosts {
        return Ok(Box::new(SiteQuery {
            words: per_word,
            any_word: mode == Match::Loose,
            boosts: Vec::new(),
            lists: Some(stats.lists()),
            word_cache: Some(stats.words()),
            met: Default::default(),
        }));
    }
    let mut boosts = Vec::with_capacity(8 + 5 * n);
    push_term(
        &mut boosts,
        stats,
        s.name_whole,
        &words.exact.join(" "),
        10.0,
    );
    push_term(
        &mut boosts,
        stats,
        s.name_whole_fold,
        &words.folded.join(" "),
        5.0,
    );
    if n >= 2 {
        if (0..n).any(|i| words.accented(i)) {
            let folded = (s.name_fold, words.folded.as_slice());
            push_phrase(&mut boosts, stats, (s.name, &words.exact), folded, 0, 4.0);
        }
        push_folded_phrase(&mut boosts, stats, (s.name_fold, &words.folded), 1, 3.0);
        push_folded_phrase(
            &mut boosts,
            stats,
            (s.alt_names_fold, &words.folded),
            1,
            2.0,
        );
        // Descriptions are long: each pair of neighbouring words is a term of its own there.
        // A summary has no boost of its own for words together: it is a sentence or two, where
        // words found at all are mostly found together, and its phrase (slop 2) moved none of
        // the judged searches at 100,000 sites, a third of them with a summary, while costing
        // a positional read.
        for pair in words.folded.windows(2) {
            let fields = (s.description_pairs, s.description_fold);
            push_pair(&mut boosts, stats, fields, pair, DESCRIPTION_PAIR_WEIGHT);
        }
    }
    // A two-word search is one pair: a person ("Lê Lợi") or a place ("Hà Nam") named in full.
    if n == 2 {
        let pair = words.folded.as_slice();
        push_pair(
            &mut boosts,
            stats,
            (s.people_pairs, s.people_fold),
            pair,
            1.5,
        );
        push_pair(&mut boosts, stats, (s.place_pairs, s.place_fold), pair, 1.0);
    }
    // In longer queries, each pair of neighbouring words that stays together in one field:
    // "chùa Bắc Ninh quốc gia" is a type, a province and a rank, and a site whose province is
    // Bắc Ninh and whose rank is "quốc gia" beats one with "Quốc" in its name and "Ninh" and
    // "Gia" in different place names.
    if n >= 3 {
        for pair in words.folded.windows(2) {
            if pair.iter().any(|w| is_connective(w)) {
                continue;
            }
            for ((folded, pairs), weight) in s.short_pairs().into_iter().zip(SHORT_PAIR_WEIGHTS) {
                push_pair(&mut boosts, stats, (pairs, folded), pair, weight);
            }
        }
    }
    Ok(Box::new(SiteQuery {
        words: per_word,
        any_word: mode == Match::Loose,
        boosts,
        lists: Some(stats.lists()),
        word_cache: Some(stats.words()),
        met: Default::default(),
    }))
}

/// The request's filters, each kept apart so that facet counts can leave one out.
pub(crate) struct Filters {
    facets: Vec<(FacetKind, Box<dyn Query>)>,
    others: Vec<Box<dyn Query>>,
}

impl Filters {
    /// Filters of a request that has passed [`SearchRequest::validate`].
    pub fn of(s: &SiteSchema, searcher: &Searcher, request: &SearchRequest) -> Filters {
        let mut facets = Vec::new();
        let mut add = |kind, field: Field, values: Vec<String>| {
            if !values.is_empty() {
                // A union of term queries: for a handful of values much cheaper to set up than
                // a `TermSetQuery`, which builds an FST on every search.
                let any = values
                    .iter()
                    .map(|v| {
                        let term = Term::from_field_text(field, v);
                        let query = TermQuery::new(term, IndexRecordOption::Basic);
                        (Occur::Should, Box::new(query) as Box<dyn Query>)
                    })
                    .collect();
                facets.push((kind, Box::new(BooleanQuery::new(any)) as Box<dyn Query>));
            }
        };
        let provinces = request
            .province
            .iter()
            .map(|p| province_filter_key(s, searcher, p))
            .collect();
        add(FacetKind::Province, s.province_key, provinces);
        let types = request
            .type_
            .iter()
            .filter_map(|t| SiteType::parse(t))
            .map(|t| t.code().to_owned());
        add(FacetKind::Type, s.site_type, types.collect());
        let levels = request
            .level
            .iter()
            .filter_map(|l| Level::parse(l))
            .map(|l| l.code().to_owned());
        add(FacetKind::Level, s.level, levels.collect());
        let categories = request.category.iter().filter_map(|c| Category::parse(c));
        add(
            FacetKind::Category,
            s.category,
            categories.map(|c| c.code().to_owned()).collect(),
        );

        let mut others: Vec<Box<dyn Query>> = Vec::new();
        for (field, value) in [
            (s.red_address, request.red_address),
            (s.has_photos, request.has_photos),
        ] {
            if let Some(value) = value {
                let term = Term::from_field_bool(field, value);
                others.push(Box::new(TermQuery::new(term, IndexRecordOption::Basic)));
            }
        }
        if let (Some(center), Some(radius)) = (request.near, request.radius_km) {
            others.extend(bounding_box(s, &BoundingBox::around(center, radius)));
        }
        Filters { facets, others }
    }

    /// Whether the request filters on `kind`.
    pub fn has(&self, kind: FacetKind) -> bool {
        self.facets.iter().any(|(k, _)| *k == kind)
    }

    /// `text` restricted by every filter except the one on `except`. Filters do not score.
    pub fn apply<'q>(&self, text: &'q dyn Query, except: Option<FacetKind>) -> Filtered<'q> {
        let facets = self
            .facets
            .iter()
            .filter(|(k, _)| Some(*k) != except)
            .map(|(_, q)| q);
        let filters: Vec<_> = facets.chain(&self.others).collect();
        if filters.is_empty() {
            return Filtered::Bare(text);
        }
        let mut clauses = vec![(Occur::Must, text.box_clone())];
        for filter in filters {
            clauses.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(filter.box_clone(), 0.0)),
            ));
        }
        Filtered::Wrapped(Box::new(BooleanQuery::new(clauses)))
    }
}

/// A text query with the filters of a request: the text itself when there are none (cloning
/// a search's few hundred clauses just to run them was a fortieth of a search).
pub(crate) enum Filtered<'q> {
    Bare(&'q dyn Query),
    Wrapped(Box<dyn Query>),
}

impl std::ops::Deref for Filtered<'_> {
    type Target = dyn Query;

    fn deref(&self) -> &(dyn Query + 'static) {
        match self {
            Filtered::Bare(q) => *q,
            Filtered::Wrapped(q) => &**q,
        }
    }
}

/// The province key to filter on for what was asked: the name itself when some site is stored
/// under it (a current or pre-2025 province), else the current province it names today
/// ("Hà Tây" → Hà Nội, "Hà Nam Ninh" → Ninh Bình, a one-letter typo), else the name itself
/// (matching nothing, rather than silently dropping the filter).
fn province_filter_key(s: &SiteSchema, searcher: &Searcher, asked: &str) -> String {
    let key = province_key(asked);
    let stored = searcher
        .doc_freq(&Term::from_field_text(s.province_key, &key))
        .is_ok_and(|n| n > 0);
    if stored {
        return key;
    }
    crate::admin_units::units()
        .current_province(asked)
        .map(province_key)
        .unwrap_or(key)
}

/// Range queries on the coordinate columns for a box; sites without a position never match.
fn bounding_box(s: &SiteSchema, b: &BoundingBox) -> Vec<Box<dyn Query>> {
    let range = |field, (low, high): (f64, f64)| -> Box<dyn Query> {
        Box::new(RangeQuery::new(
            std::ops::Bound::Included(Term::from_field_f64(field, low)),
            std::ops::Bound::Included(Term::from_field_f64(field, high)),
        ))
    };
    let mut out = vec![range(s.lat, b.lat)];
    match b.lon.as_slice() {
        [] => out.push(range(s.lon, (-180.0, 180.0))),
        [one] => out.push(range(s.lon, *one)),
        several => {
            let any = several
                .iter()
                .map(|r| (Occur::Should, range(s.lon, *r)))
                .collect();
            out.push(Box::new(BooleanQuery::new(any)));
        }
    }
    out
}

/// Everything (an empty search), or nothing (text with no searchable words, such as "🏯").
pub(crate) fn match_all_or_nothing(q: &str) -> Box<dyn Query> {
    if q.trim().is_empty() {
        Box::new(AllQuery)
    } else {
        Box::new(EmptyQuery)
    }
}

/// The comparison form of a province name: folded, without "tỉnh"/"thành phố"/"TP." in front,
/// letters and digits only. `"Tỉnh Nam Định"`, `"nam dinh"` and `"NAM ĐỊNH"` are all `namdinh`.
pub fn province_key(name: &str) -> String {
    let words = fold::words(name);
    let rest = match words.as_slice() {
        [first, rest @ ..] if (first == "tinh" || first == "tp") && !rest.is_empty() => rest,
        [first, second, rest @ ..] if first == "thanh" && second == "pho" && !rest.is_empty() => {
            rest
        }
        all => all,
    };
    rest.concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn province_keys_ignore_accents_case_and_unit_words() {
        for name in [
            "Nam Định",
            "nam dinh",
            "NAM ĐỊNH",
            "Tỉnh Nam Định",
            " nam  định ",
        ] {
            assert_eq!(province_key(name), "namdinh", "{name}");
        }
        assert_eq!(province_key("Thành phố Hồ Chí Minh"), "hochiminh");
        assert_eq!(province_key("TP. Hà Nội"), "hanoi");
        assert_eq!(province_key("Hà Tĩnh"), "hatinh");
        assert_eq!(province_key("Tĩnh"), "tinh");
        assert_eq!(province_key("🏯"), "");
    }

    #[test]
    fn words_are_capped_and_aligned() {
        let a = Analyzers::default();
        let w = QueryWords::analyze(&a, "Đền \"Trần\" (Nam:Định)^2 *-");
        assert_eq!(w.exact, ["đền", "trần", "nam", "định", "2"]);
        assert_eq!(w.folded, ["den", "tran", "nam", "dinh", "2"]);
        assert!(w.accented(0) && !w.accented(2));
        let many = "a ".repeat(100);
        assert_eq!(QueryWords::analyze(&a, &many).folded.len(), MAX_QUERY_WORDS);
        assert!(QueryWords::analyze(&a, "\"():^*- 🏯").is_empty());
    }

    #[test]
    fn typo_distance_grows_with_length() {
        assert_eq!(typo_distance("ha"), None);
        assert_eq!(typo_distance("chua"), Some(1));
        assert_eq!(typo_distance("nghieng"), Some(1));
        assert_eq!(typo_distance("mausoleum"), Some(2));
        assert_eq!(fallback_typo_distance("cha"), Some(1));
        assert_eq!(fallback_typo_distance("ha"), None);
    }
}
