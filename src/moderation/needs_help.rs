//! "Needs help": the sites a volunteer in the field could improve — no photos, no position (or
//! only the centre of the commune or province), no description — near them first.
//!
//! It works on records, so the web site can run it over the records it already holds;
//! [`needs_help_in`] walks an archive for the command line and tests.

use serde::Serialize;

use crate::fold;
use crate::layout::ArchiveLayout;
use crate::record::SiteRecord;
use crate::search::geo::haversine_km;

/// Something a site lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    Photos,
    /// No position at all.
    Position,
    /// Only the centre of its administrative unit: someone on site should place it.
    PrecisePosition,
    Description,
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct HelpQuery {
    /// Only sites in this province (current or pre-2025 name, accents optional).
    pub province: Option<String>,
    /// Only sites lacking this; any need when `None`.
    pub need: Option<Need>,
    /// The volunteer's position: nearest first. Sites without a position come last.
    pub near: Option<(f64, f64)>,
    /// At most this many; all when 0.
    pub limit: usize,
}

/// One site that needs help.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HelpItem {
    pub id: String,
    pub name: String,
    pub province: Option<String>,
    pub needs: Vec<Need>,
    /// From [`HelpQuery::near`], when both positions are known.
    pub distance_km: Option<f64>,
}

/// What one record lacks.
pub fn needs(record: &SiteRecord) -> Vec<Need> {
    let mut needs = Vec::new();
    if record.photos.is_empty() {
        needs.push(Need::Photos);
    }
    match (record.location.lat, record.location.lon) {
        (Some(_), Some(_)) if record.location.accuracy.is_some_and(|a| a.is_centroid()) => {
            needs.push(Need::PrecisePosition)
        }
        (Some(_), Some(_)) => {}
        _ => needs.push(Need::Position),
    }
    if record
        .description
        .as_deref()
        .is_none_or(|d| d.trim().is_empty())
    {
        needs.push(Need::Description);
    }
    needs
}

/// The sites among `records` that match `query`, nearest first (or by id without a position).
pub fn needs_help<'a>(
    records: impl IntoIterator<Item = &'a SiteRecord>,
    query: &HelpQuery,
) -> Vec<HelpItem> {
    let province = query.province.as_deref().map(fold::key);
    let mut items: Vec<HelpItem> = records
        .into_iter()
        .filter(|r| {
            let Some(wanted) = &province else { return true };
            let location = &r.location;
            [&location.province, &location.legacy.province]
                .into_iter()
                .flatten()
                .any(|p| &fold::key(p) == wanted)
        })
        .filter_map(|r| {
            let needs = needs(r);
            let wanted = match query.need {
                Some(need) => needs.contains(&need),
                None => !needs.is_empty(),
            };
            wanted.then(|| HelpItem {
                id: r.id.clone(),
                name: r.name.clone(),
                province: r.location.province.clone(),
                distance_km: query
                    .near
                    .zip(r.location.lat.zip(r.location.lon))
                    .map(|(from, to)| haversine_km(from, to)),
                needs,
            })
        })
        .collect();
    items.sort_by(|a, b| {
        let far = |d: Option<f64>| d.unwrap_or(f64::INFINITY);
        far(a.distance_km)
            .total_cmp(&far(b.distance_km))
            .then_with(|| a.id.cmp(&b.id))
    });
    if query.limit > 0 {
        items.truncate(query.limit);
    }
    items
}

/// [`needs_help`] over every readable record of an archive.
pub fn needs_help_in(layout: &ArchiveLayout, query: &HelpQuery) -> Vec<HelpItem> {
    let (entries, _) = crate::archive::walk(layout);
    let records: Vec<SiteRecord> = entries.into_iter().filter_map(|e| e.record.ok()).collect();
    needs_help(&records, query)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Accuracy, Photo};
    use chrono::Utc;

    fn site(id: &str, province: &str, at: Option<(f64, f64)>, accuracy: Accuracy) -> SiteRecord {
        let mut r = SiteRecord::new(id, id, Utc::now());
        r.location.province = Some(province.into());
        (r.location.lat, r.location.lon) = (at.map(|p| p.0), at.map(|p| p.1));
        r.location.accuracy = at.map(|_| accuracy);
        r
    }

    #[test]
    fn lists_what_is_missing_nearest_first() {
        let hanoi = (21.03, 105.85);
        let mut complete = site("complete", "Hà Nội", Some(hanoi), Accuracy::Surveyed);
        complete.description = Some("Có mô tả".into());
        complete.photos.push(Photo {
            file: "a.jpg".into(),
            caption: None,
            caption_en: None,
            author: None,
            license: None,
            date_taken: None,
            lat: None,
            lon: None,
        });
        let records = vec![
            complete,
            site("far", "Hà Nội", Some((21.5, 105.5)), Accuracy::Map),
            site(
                "near",
                "Hà Nội",
                Some((21.04, 105.85)),
                Accuracy::CommuneCentroid,
            ),
            site("nowhere", "Hà Nội", None, Accuracy::Map),
            site("hue", "Huế", Some((16.46, 107.59)), Accuracy::Map),
        ];
        let query = HelpQuery {
            province: Some("ha noi".into()),
            near: Some(hanoi),
            ..Default::default()
        };
        let items = needs_help(&records, &query);
        let ids: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["near", "far", "nowhere"]);
        assert_eq!(
            items[0].needs,
            [Need::Photos, Need::PrecisePosition, Need::Description]
        );
        assert!(items[0].distance_km.unwrap() < 2.0);
        let precise = HelpQuery {
            need: Some(Need::PrecisePosition),
            ..Default::default()
        };
        let ids: Vec<String> = needs_help(&records, &precise)
            .into_iter()
            .map(|i| i.id)
            .collect();
        assert_eq!(ids, ["near"]);
        let one = HelpQuery {
            limit: 1,
            ..Default::default()
        };
        assert_eq!(needs_help(&records, &one).len(), 1);
    }
}
