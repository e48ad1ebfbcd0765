//! Filters, facet counts, "near me" and pages.

use std::collections::BTreeSet;

use super::fixture::sites;
use super::{ids, q, search};
use crate::search::{FacetValue, SearchRequest, Sort};

const HOAN_KIEM: (f64, f64) = (21.0287, 105.8524);

fn with(f: impl FnOnce(&mut SearchRequest)) -> SearchRequest {
    let mut request = SearchRequest {
        limit: 100,
        ..SearchRequest::default()
    };
    f(&mut request);
    request
}

fn count(values: &[FacetValue], value: &str) -> u64 {
    values
        .iter()
        .find(|v| v.value == value)
        .map_or(0, |v| v.count)
}

#[test]
fn province_filter_matches_current_or_legacy_name() {
    let nam_dinh = search(&with(|r| r.province = vec!["nam dinh".into()]));
    let found: BTreeSet<&str> = ids(&nam_dinh).into_iter().collect();
    assert_eq!(
        found,
        BTreeSet::from(["chua-pho-minh", "den-tran-nam-dinh", "phu-day"])
    );
    let ninh_binh = search(&with(|r| r.province = vec!["Ninh Bình".into()]));
    assert!(ids(&ninh_binh).contains(&"phu-day") && ids(&ninh_binh).contains(&"chua-bai-dinh"));
    // Historic names from the caller count too, and several values are alternatives.
    let son_tay = search(&with(|r| {
        r.province = vec!["Sơn Tây".into(), "Cao Bằng".into()]
    }));
    assert_eq!(
        BTreeSet::from_iter(ids(&son_tay)),
        BTreeSet::from(["lang-co-duong-lam", "pac-bo"])
    );
    // A name older than the index's provinces means the province that holds it today.
    let ninh_binh_ids = BTreeSet::from_iter(ids(&ninh_binh));
    for historic in ["Hà Nam Ninh", "ha nam ninh", "Nam Hà"] {
        let found = search(&with(|r| r.province = vec![historic.into()]));
        let found: BTreeSet<&str> = ids(&found).into_iter().collect();
        assert_eq!(found, ninh_binh_ids, "{historic}");
    }
    // One that went to two provinces in 2025 names neither: no guess.
    assert_eq!(
        search(&with(|r| r.province = vec!["Hải Hưng".into()])).total,
        0
    );
    // Searching the old name as text finds the same sites.
    let text = q("Nam Định");
    for id in found {
        assert!(ids(&text).contains(&id), "{id}");
    }
}

#[test]
fn other_filters() {
    let red = search(&with(|r| r.red_address = Some(true)));
    assert_eq!(red.total, 6);
    assert!(red.hits.iter().all(|h| h.id != "chua-mot-cot"));
    let photos = search(&with(|r| r.has_photos = Some(true)));
    assert_eq!(photos.total, 5);
    assert!(photos.hits.iter().all(|h| h.thumbnail.is_some()));
    let pagodas = search(&with(|r| {
        r.type_ = vec!["Chùa".into()];
        r.level = vec!["national".into()];
    }));
    assert_eq!(
        BTreeSet::from_iter(ids(&pagodas)),
        BTreeSet::from(["chua-bai-dinh", "chua-pho-minh", "chua-thien-mu"])
    );
    let landscape = search(&with(|r| r.category = vec!["danh thắng".into()]));
    assert_eq!(ids(&landscape), ["chua-huong"]);
}

#[test]
fn facet_counts_follow_the_query_and_the_other_filters() {
    let all = search(&with(|_| {}));
    assert_eq!(count(&all.facets.site_type, "chua"), 5);
    assert_eq!(count(&all.facets.province, "Hà Nội"), 12);
    let hanoi_label = all
        .facets
        .province
        .iter()
        .find(|v| v.value == "Hà Nội")
        .unwrap();
    assert_eq!(hanoi_label.label, "Hà Nội");
    let chua_label = all
        .facets
        .site_type
        .iter()
        .find(|v| v.value == "chua")
        .unwrap();
    assert_eq!(
        (chua_label.label.as_str(), chua_label.label_en.as_str()),
        ("Chùa", "Pagoda")
    );

    let pagodas = search(&with(|r| r.q = "chùa".into()));
    assert_eq!(count(&pagodas.facets.site_type, "chua"), 5);
    // "chùa" also appears in the summary of a church in Ninh Bình.
    assert_eq!(count(&pagodas.facets.province, "Ninh Bình"), 3);
    assert_eq!(count(&pagodas.facets.site_type, "nha_tho"), 1);
    assert_eq!(count(&pagodas.facets.province, "Phú Thọ"), 0);

    // Filtering by type keeps the other types' counts (for the query) visible…
    let filtered = search(&with(|r| r.type_ = vec!["den".into()]));
    assert_eq!(count(&filtered.facets.site_type, "chua"), 5);
    assert_eq!(count(&filtered.facets.site_type, "den"), 7);
    // …while the other facets count only temples.
    assert_eq!(count(&filtered.facets.province, "Hà Nội"), 1);
    assert_eq!(count(&filtered.facets.province, "Ninh Bình"), 2);
    assert_eq!(filtered.total, 7);
    let levels: u64 = filtered.facets.level.iter().map(|v| v.count).sum();
    assert_eq!(levels, 7);
    // Most frequent first.
    assert!(
        all.facets
            .province
            .windows(2)
            .all(|w| w[0].count >= w[1].count)
    );
}

#[test]
fn near_me_sorts_by_distance_and_limits_by_radius() {
    let near = search(&with(|r| r.near = Some(HOAN_KIEM)));
    assert_eq!(near.total as usize, sites().len());
    assert_eq!(near.hits[0].id, "den-ngoc-son");
    let distances: Vec<f64> = near.hits.iter().map_while(|h| h.distance_km).collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    // Sites without a position come last.
    assert_eq!(near.hits.last().unwrap().distance_km, None);

    let within = search(&with(|r| {
        r.near = Some(HOAN_KIEM);
        r.radius_km = Some(3.0);
    }));
    assert_eq!(
        BTreeSet::from_iter(ids(&within)),
        BTreeSet::from([
            "chua-mot-cot",
            "den-ngoc-son",
            "hoang-thanh-thang-long",
            "lang-chu-tich",
            "nha-tu-hoa-lo",
            "van-mieu-quoc-tu-giam"
        ])
    );
    assert!(within.hits.iter().all(|h| h.distance_km.unwrap() <= 3.0));
    assert_eq!(count(&within.facets.province, "Hà Nội"), 6);

    // With text, relevance decides unless distance is asked for; distances are given anyway.
    let temples = search(&with(|r| {
        r.q = "đền".into();
        r.near = Some(HOAN_KIEM);
        r.sort = Some(Sort::Distance);
    }));
    assert_eq!(temples.hits[0].id, "den-ngoc-son");
    let distances: Vec<f64> = temples.hits.iter().map_while(|h| h.distance_km).collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    let relevance = search(&with(|r| {
        r.q = "đền".into();
        r.near = Some(HOAN_KIEM);
    }));
    assert!(relevance.hits.iter().any(|h| h.distance_km.is_some()));
}

#[test]
fn pages_are_stable_and_complete() {
    for text in ["", "ha noi", "chua"] {
        let all = search(&with(|r| r.q = text.into()));
        let mut paged = Vec::new();
        for offset in (0..all.total as usize + 3).step_by(4) {
            let page = search(&with(|r| {
                r.q = text.into();
                r.offset = offset;
                r.limit = 4;
            }));
            assert_eq!(page.total, all.total);
            paged.extend(page.hits.into_iter().map(|h| h.id));
        }
        assert_eq!(paged, ids(&all), "{text}");
    }
    // Equal scores are ordered by prominence (level, photos), then id.
    let all = search(&with(|_| {}));
    assert_eq!(
        ids(&all)[..3],
        [
            "hoang-thanh-thang-long",
            "chua-mot-cot",
            "den-tran-nam-dinh"
        ]
    );
}

#[test]
fn hits_carry_what_the_list_shows() {
    let response = search(&with(|r| {
        r.q = "Đền Trần".into();
        r.near = Some(HOAN_KIEM);
    }));
    let hit = &response.hits[0];
    assert_eq!(hit.name, "Đền Trần");
    assert_eq!(hit.url, "/sites/den-tran-nam-dinh");
    assert_eq!(hit.province.as_deref(), Some("Ninh Bình"));
    assert_eq!(hit.province_legacy.as_deref(), Some("Nam Định"));
    assert_eq!(hit.level.code, "special_national");
    assert_eq!(hit.site_type.as_ref().unwrap().vi, "Đền");
    assert_eq!((hit.lat, hit.lon), (Some(20.4337), Some(106.1772)));
    assert!(
        (hit.distance_km.unwrap() - 72.0).abs() < 5.0,
        "{:?}",
        hit.distance_km
    );
    assert_eq!(hit.placeholder.as_deref(), Some("#8a6d4b"));
    let json = serde_json::to_value(&response).unwrap();
    assert!(json["hits"][0]["type"]["code"] == "den");
    assert!(json["facets"]["type"].is_array());
}
