//! Likely duplicates of a site being proposed: the published sites within 500 m of where the
//! volunteer stands, and those of the same commune whose name is close to the proposed one —
//! so that the same đình is not entered twice by two teams, or once under its village name
//! and once under its formal one.
//!
//! Names are compared folded (no marks, `đ` → `d`): equal, one's words all inside the
//! other's ("Đình Đông Xuyên" and "Đình làng Đông Xuyên"), or within a fifth of their letters
//! by edit distance. A position that is only a commune's or province's centre is no position
//! here, on either side. It compares the proposed record with the published sites' summaries,
//! which the web site already holds.

use std::collections::HashSet;

use serde::Serialize;

use crate::fold;
use crate::ingest::summary::SiteSummary;
use crate::record::{Accuracy, SiteRecord};
use crate::search::geo::haversine_km;

/// How near a published site must be to be shown as a possible duplicate.
pub const NEAR_KM: f64 = 0.5;

/// A published site that may be the one being proposed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Duplicate {
    pub id: String,
    pub name: String,
    /// From the proposed position, when both are precise.
    pub distance_km: Option<f64>,
    /// Within [`NEAR_KM`].
    pub near: bool,
    /// A similar name in the same commune.
    pub similar_name: bool,
}

fn precise(position: Option<(f64, f64)>, accuracy: Option<Accuracy>) -> Option<(f64, f64)> {
    if accuracy.is_some_and(|a| a.is_centroid()) {
        return None;
    }
    position
}

fn commune_key(province: Option<&str>, commune: Option<&str>) -> Option<(String, String)> {
    Some((fold::key(province?), fold::key(commune?)))
}

/// Whether two site names are likely the same site's.
pub fn similar_names(a: &str, b: &str) -> bool {
    let (wa, wb) = (fold::words(a), fold::words(b));
    if wa.is_empty() || wb.is_empty() {
        return false;
    }
    if wa == wb {
        return true;
    }
    let (small, big): (HashSet<&str>, HashSet<&str>) = if wa.len() <= wb.len() {
        (
            wa.iter().map(String::as_str).collect(),
            wb.iter().map(String::as_str).collect(),
        )
    } else {
        (
            wb.iter().map(String::as_str).collect(),
            wa.iter().map(String::as_str).collect(),
        )
    };
    if small.len() >= 2 && small.is_subset(&big) {
        return true;
    }
    strsim::normalized_levenshtein(&wa.join(" "), &wb.join(" ")) >= 0.8
}

/// The published sites (id and summary) among `published` that may be `proposed`, nearest
/// first, at most `limit`.
pub fn likely_duplicates<'a>(
    published: impl IntoIterator<Item = (&'a str, &'a SiteSummary)>,
    proposed: &SiteRecord,
    limit: usize,
) -> Vec<Duplicate> {
    let l = &proposed.location;
    let here = precise(l.lat.zip(l.lon), l.accuracy);
    let commune = commune_key(l.province.as_deref(), l.commune.as_deref());
    let mut found: Vec<Duplicate> = published
        .into_iter()
        .filter_map(|(id, s)| {
            let there = precise(s.position, s.accuracy);
            let distance_km = here.zip(there).map(|(a, b)| haversine_km(a, b));
            let near = distance_km.is_some_and(|d| d <= NEAR_KM);
            let same_commune = commune.is_some()
                && commune == commune_key(s.province.as_deref(), s.commune.as_deref());
            let similar_name = same_commune && similar_names(&proposed.name, &s.name);
            (near || similar_name).then(|| Duplicate {
                id: id.to_owned(),
                name: s.name.clone(),
                distance_km,
                near,
                similar_name,
            })
        })
        .collect();
    found.sort_by(|a, b| {
        let d = |x: &Duplicate| x.distance_km.unwrap_or(f64::INFINITY);
        (!a.similar_name, d(a))
            .partial_cmp(&(!b.similar_name, d(b)))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.id.cmp(&b.id))
    });
    found.truncate(limit);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(id: &str, name: &str, commune: &str, at: (f64, f64), accuracy: Accuracy) -> SiteRecord {
        let mut r = SiteRecord::new(id, name, chrono::Utc::now());
        r.location.province = Some("Ninh Bình".into());
        r.location.commune = Some(commune.into());
        (r.location.lat, r.location.lon) = (Some(at.0), Some(at.1));
        r.location.accuracy = Some(accuracy);
        r
    }

    #[test]
    fn names() {
        assert!(similar_names("Đình làng Đông Xuyên", "Đình Đông Xuyên"));
        assert!(similar_names("Đình Đông Xuyên", "dinh dong xuyen"));
        assert!(similar_names("Chùa Bái Đính", "Chùa Bái Đinh cổ"));
        assert!(!similar_names("Chùa Đông Xuyên", "Đình Đông Xuyên"));
        assert!(!similar_names("Đền Trần", "Đình Vĩnh Trị"));
        assert!(!similar_names("", "Đình"));
    }

    #[test]
    fn near_or_similar_in_the_same_commune() {
        let here = (20.25, 105.97);
        let proposed = site("", "Đình làng Đông Xuyên", "Xã A", here, Accuracy::Surveyed);
        let records = [
            // 300 m away, another name: near.
            site("near", "Miếu Cô", "Xã B", (20.2527, 105.97), Accuracy::Map),
            // 2 km away, similar name, same commune.
            site(
                "same",
                "Đình Đông Xuyên",
                "Xã A",
                (20.268, 105.97),
                Accuracy::Map,
            ),
            // Similar name in another commune: not flagged.
            site(
                "other",
                "Đình Đông Xuyên",
                "Xã C",
                (21.0, 105.0),
                Accuracy::Map,
            ),
            // At the commune's centre, 100 m away: a centre is no position.
            site(
                "centre",
                "Chùa Hưng",
                "Xã D",
                (20.2509, 105.97),
                Accuracy::CommuneCentroid,
            ),
            site("far", "Chùa Xa", "Xã A", (20.5, 105.5), Accuracy::Map),
        ];
        let summaries: Vec<SiteSummary> = records.iter().map(|r| SiteSummary::of(r, &[])).collect();
        let published = || records.iter().map(|r| r.id.as_str()).zip(&summaries);
        let found = likely_duplicates(published(), &proposed, 10);
        let ids: Vec<&str> = found.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["same", "near"]);
        assert!(found[1].near && !found[1].similar_name);
        assert!((found[1].distance_km.unwrap() - 0.3).abs() < 0.01);
        // A proposal placed only at its commune's centre is compared by name alone.
        let vague = site(
            "",
            "Đình Đông Xuyên",
            "Xã A",
            here,
            Accuracy::CommuneCentroid,
        );
        let ids: Vec<String> = likely_duplicates(published(), &vague, 10)
            .into_iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(ids, ["same"]);
    }
}
