//! The engine's own query parts score exactly what tantivy's plain queries would: remembered
//! postings like `TermQuery`, and a [`SiteQuery`] (with its boosts opened only where they can
//! match) like a `BooleanQuery` of the same clauses.

use std::collections::BTreeMap;

use tantivy::query::{
    BooleanQuery, BoostQuery, EnableScoring, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocSet, Score, Searcher, TERMINATED, Term};

use super::fixture;
use crate::search::SearchRequest;
use crate::search::query::{Match, QueryWords, text_query};
use crate::search::scoring::SiteQuery;
use crate::search::stats::TermStats;

/// Every matching (segment, site) with its score.
fn scores(
    searcher: &Searcher,
    stats: &TermStats,
    query: &dyn Query,
) -> BTreeMap<(usize, u32), Score> {
    let scoring = EnableScoring::enabled_from_statistics_provider(stats, searcher);
    let weight = query.weight(scoring).unwrap();
    let mut out = BTreeMap::new();
    for (segment, reader) in searcher.segment_readers().iter().enumerate() {
        let mut scorer = weight.scorer(reader, 1.0).unwrap();
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            out.insert((segment, doc), scorer.score());
            doc = scorer.advance();
        }
    }
    out
}

#[test]
fn remembered_postings_score_like_term_queries() {
    let index = fixture::index();
    let searcher = index.reader.searcher();
    let stats = index.term_stats.of(&searcher);
    let s = &index.schema;
    for (field, word) in [
        (s.name_fold, "den"),
        (s.name, "đền"),
        (s.summary_fold, "chua"),
        (s.place_fold, "ha"),
        (s.description_fold, "nam"),
        (s.name_fold, "khongcodau"),
    ] {
        let term = Term::from_field_text(field, word);
        let plain = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
        let expected = scores(&searcher, &stats, &plain);
        // Twice: read from the index, then from memory.
        for _ in 0..2 {
            let remembered = stats.term_query(term.clone());
            assert_eq!(scores(&searcher, &stats, &remembered), expected, "{word}");
        }
    }
}

#[test]
fn remembered_postings_score_frequencies_past_a_byte_like_term_queries() {
    use crate::record::Level;
    // A posting keeps its frequency in a byte unless it is 255 or more: sites on both sides
    // of that edge, interleaved, in one segment and in several.
    let counts = [1, 254, 255, 3, 256, 600, 2, 1_000, 254];
    let sites = || {
        counts.iter().enumerate().map(|(i, &n)| {
            let text = vec!["nam"; n].join(" ");
            fixture::site(&format!("s{i}"), "Đình", "", Level::Unranked, "Ninh Bình")
                .description(&format!("{text} cuối"))
        })
    };
    for per_segment in [100, 4] {
        let index = fixture::index_of(sites(), per_segment);
        let searcher = index.reader.searcher();
        let stats = index.term_stats.of(&searcher);
        let term = Term::from_field_text(index.schema.description_fold, "nam");
        let plain = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
        let expected = scores(&searcher, &stats, &plain);
        assert_eq!(expected.len(), counts.len());
        for _ in 0..2 {
            let remembered = stats.term_query(term.clone());
            assert_eq!(scores(&searcher, &stats, &remembered), expected);
        }
    }
}

/// The `BooleanQuery` a [`SiteQuery`] stands for: each word a union of its alternatives
/// (required or not), each boost optional.
fn as_boolean(site: &SiteQuery) -> BooleanQuery {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for word in &site.words {
        let any = word
            .alternatives
            .iter()
            .map(|c| {
                let q: Box<dyn Query> = Box::new(BoostQuery::new(c.query.box_clone(), c.boost));
                (Occur::Should, q)
            })
            .collect();
        let occur = if word.required {
            Occur::Must
        } else {
            Occur::Should
        };
        clauses.push((occur, Box::new(BooleanQuery::new(any))));
    }
    for c in &site.boosts {
        clauses.push((
            Occur::Should,
            Box::new(BoostQuery::new(c.query.box_clone(), c.boost)),
        ));
    }
    BooleanQuery::new(clauses)
}

#[test]
fn site_queries_score_like_the_boolean_query_of_their_clauses() {
    let index = fixture::index();
    let searcher = index.reader.searcher();
    let stats = index.term_stats.of(&searcher);
    let mut phrases_matched = 0;
    for text in [
        "đền thờ nguyễn trãi",
        "ho chi minh",
        "Hồ Chí Minh",
        "chua mot cot",
        "Hoàng thành Thăng Long",
        "lang co duong lam ha noi",
        "đình làng",
        "chùa ở hà nội",
        "di tích lịch sử quốc gia đặc biệt",
        "nam dinh tran",
    ] {
        let words = QueryWords::analyze(&index.analyzers, text);
        let query = text_query(&index.schema, &stats, &words, Match::Strict, true).unwrap();
        let site = query.downcast_ref::<SiteQuery>().expect("a site query");
        let ours = scores(&searcher, &stats, site);
        let boolean = scores(&searcher, &stats, &as_boolean(site));
        assert_eq!(
            ours.keys().collect::<Vec<_>>(),
            boolean.keys().collect::<Vec<_>>(),
            "{text}: the same sites"
        );
        for (doc, score) in &ours {
            let expected = boolean[doc];
            assert!(
                (score - expected).abs() <= 1e-4 * expected.abs().max(1.0),
                "{text}: {doc:?} scores {score}, the boolean query {expected}"
            );
        }
        // Some boost matched somewhere, or the comparison proves little.
        let without: BTreeMap<_, _> = {
            let mut bare = site.clone();
            bare.boosts.clear();
            scores(&searcher, &stats, &bare)
        };
        phrases_matched += ours.iter().filter(|(d, s)| **s > without[d] + 1e-3).count();
    }
    assert!(
        phrases_matched >= 10,
        "only {phrases_matched} boosted sites"
    );
}

/// Tantivy's own query for `words` together in `field`, within `slop`.
fn plain_phrase(field: Field, words: &[String], slop: u32) -> PhraseQuery {
    let terms = words
        .iter()
        .map(|w| Term::from_field_text(field, w))
        .collect();
    let mut plain = PhraseQuery::new(terms);
    plain.set_slop(slop);
    plain
}

#[test]
fn remembered_phrases_score_like_phrase_queries() {
    let index = fixture::index();
    let searcher = index.reader.searcher();
    let stats = index.term_stats.of(&searcher);
    let s = &index.schema;
    let folded = |text: &str| QueryWords::analyze(&index.analyzers, text).folded;
    let exact = |text: &str| QueryWords::analyze(&index.analyzers, text).exact;
    let mut matched = 0;
    for (field, words, slop) in [
        (s.name, exact("Hồ Chí Minh"), 0),
        (s.name_fold, folded("chua mot cot"), 1),
        (s.name_fold, folded("ha noi"), 0),
        (s.place_fold, folded("ha noi"), 0),
        (s.summary_fold, folded("nguyen trai"), 2),
        (s.description_fold, folded("thang long"), 2),
        (s.name_fold, folded("khong co dau"), 0),
    ] {
        let plain = plain_phrase(field, &words, slop);
        // Boosts are part of what is remembered: each factor gets tantivy's own scores.
        for boost in [1.0, 3.0, 0.3] {
            let expected = scores(
                &searcher,
                &stats,
                &BoostQuery::new(Box::new(plain.clone()), boost),
            );
            matched += expected.len();
            // Twice: read from the index, then from memory.
            for _ in 0..2 {
                let remembered = stats.phrase_query(field, &words, slop);
                let ours = scores(
                    &searcher,
                    &stats,
                    &BoostQuery::new(Box::new(remembered), boost),
                );
                assert_eq!(ours, expected, "{words:?} in {field:?}, boost {boost}");
            }
        }
    }
    assert!(matched >= 9, "only {matched} phrase matches compared");
}

#[test]
fn phrases_asked_site_by_site_score_like_phrase_queries_before_and_after_being_remembered() {
    use std::sync::Arc;

    use crate::search::phrases::PhraseMatches;
    use crate::search::site_scorer::Extra;
    use crate::search::walk::Walk;

    let index = fixture::index();
    let searcher = index.reader.searcher();
    let stats = index.term_stats.of(&searcher);
    let s = &index.schema;
    let folded = |text: &str| QueryWords::analyze(&index.analyzers, text).folded;
    let mut matched = 0;
    // Slops no other test uses, so that the first round is each phrase's first use.
    for (field, words, slop) in [
        (s.name_fold, folded("ha noi"), 7),
        (s.place_fold, folded("ha noi"), 7),
        (s.description_fold, folded("thang long"), 9),
        (s.name_fold, folded("khong co dau"), 7),
    ] {
        let plain = plain_phrase(field, &words, slop);
        let expected = scores(&searcher, &stats, &BoostQuery::new(Box::new(plain), 2.0));
        matched += expected.len();
        // Asked first by tantivy's scorer, then read whole, then from memory.
        for round in 0..3 {
            let scoring = EnableScoring::enabled_from_statistics_provider(&stats, &searcher);
            let weight = stats
                .phrase_query(field, &words, slop)
                .weight(scoring)
                .unwrap();
            let mut ours = BTreeMap::new();
            for (segment, reader) in searcher.segment_readers().iter().enumerate() {
                // Every site in turn, as a search asks a boost: the scorer opened at the first,
                // then asked the way the site scorer asks it.
                let (found, scorer) = weight.scorer_danger(reader, 0, 2.0).unwrap();
                let walks = scorer.downcast_ref::<Walk<Arc<PhraseMatches>>>().is_some();
                assert_eq!(walks, round > 0, "{words:?} in {field:?}, round {round}");
                let mut boost = Extra::after_danger(scorer, 0, found);
                for doc in 0..reader.max_doc() {
                    if let Some(score) = boost.score_at(doc) {
                        ours.insert((segment, doc), score);
                    }
                }
            }
            assert_eq!(ours, expected, "{words:?} in {field:?}, round {round}");
        }
    }
    assert!(matched >= 5, "only {matched} phrase matches compared");
}

/// A few thousand sites sharing type words, places and people, as a province's archive does:
/// broad searches match most of them, so the page's floor rises early and most sites are
/// skipped or bounded rather than scored.
fn crowded_index() -> crate::search::SearchIndex {
    use crate::record::Level;
    let kinds = ["Chùa", "Đình", "Đền", "Miếu", "Di tích", "Nhà thờ họ"];
    let places = [
        "Hà",
        "Đào Xá",
        "Sơn",
        "Tinh",
        "Phổ Thạnh",
        "An Quý",
        "Hòa Bình",
        "Yên",
        "Ninh",
        "Bình",
        "Gia",
        "Thanh",
    ];
    let people = [
        "Trần Hưng Đạo",
        "Lý Thường Kiệt",
        "Đinh Tiên Hoàng",
        "Hai Bà Trưng",
    ];
    let levels = [Level::National, Level::Provincial, Level::Unranked];
    // A fixed linear congruential sequence: the same archive on every run.
    let mut state = 7u64;
    let mut next = |n: usize| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize % n
    };
    let sites = (0..3_000).map(|i| {
        let name = format!(
            "{} {}",
            kinds[next(kinds.len())],
            places[next(places.len())]
        );
        let place = places[next(places.len())];
        let mut site = fixture::site(&format!("s{i:05}"), &name, "", levels[next(3)], "Ninh Bình");
        let words: Vec<&str> = (0..next(40) + 5)
            .map(|_| places[next(places.len())])
            .collect();
        site = site
            .summary(&format!(
                "Di tích lịch sử ở xã {place}, thờ {}.",
                people[next(4)]
            ))
            .description(&format!("Đình làng {}. Chùa {}.", words.join(" "), place));
        if next(3) == 0 {
            site = site.people(&[people[next(4)]]);
        }
        site
    });
    fixture::index_of(sites, 1_000)
}

#[test]
fn a_page_of_the_best_is_the_head_of_the_whole_ranking() {
    // Collecting every match keeps the page from filling before the last site, so nothing is
    // skipped: the pruned first page must be exactly its head, scores and facets included.
    let index = crowded_index();
    let searcher = index.reader.searcher();
    let queries = [
        "chùa hà",
        "chua ha",
        "di tích đào xá",
        "Di tich Dao Xa",
        "đình sơn tinh",
        "đền thờ",
        "nhà thờ họ yên",
        "trần hưng đạo",
        "chùa phổ thạnh ninh",
        "miếu an quý hòa bình",
        "dinh lang",
        "di tích lịch sử",
    ];
    for text in queries {
        let request = SearchRequest::text(text);
        let words = QueryWords::analyze(&index.analyzers, text);
        let collect = |n| index.collect(&searcher, &request, &words, n, true).unwrap();
        let (page, _) = collect(request.limit);
        assert!(page.total > 200, "{text}: only {} matches", page.total);
        let (whole, _) = collect(page.total as usize);
        assert_eq!(page.total, whole.total, "{text}");
        let head: Vec<_> = whole
            .top
            .iter()
            .take(request.limit)
            .map(|c| (c.doc, c.score))
            .collect();
        let got: Vec<_> = page.top.iter().map(|c| (c.doc, c.score)).collect();
        assert_eq!(got, head, "{text}");
        assert_eq!(page.facets, whole.facets, "{text}");
    }
}
