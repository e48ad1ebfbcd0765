//! "Needs help": the sites a volunteer in the field could improve — no photos, no position (or
//! only the centre of the commune or province), no description — near them first.
//!
//! It works on [`HelpSite`]s — the few facts it needs, which a record and a site's summary both
//! give — so the web site runs it over the summaries it holds in memory and
//! [`needs_help_in`] over the records of an archive (for the command line and tests).

use serde::Serialize;

use crate::fold;
use crate::ingest::summary::SiteSummary;
use crate::layout::ArchiveLayout;
use crate::record::{Accuracy, SiteRecord};
use crate::search::geo::haversine_km;

/// What "needs help" looks at of one site.
#[derive(Debug, Clone, Copy)]
pub struct HelpSite<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub province: Option<&'a str>,
    pub legacy_province: Option<&'a str>,
    pub position: Option<(f64, f64)>,
    pub accuracy: Option<Accuracy>,
    pub has_photos: bool,
    pub has_description: bool,
}

impl<'a> From<&'a SiteRecord> for HelpSite<'a> {
    fn from(r: &'a SiteRecord) -> Self {
        let l = &r.location;
        HelpSite {
            id: &r.id,
            name: &r.name,
            province: l.province.as_deref(),
            legacy_province: l.legacy.province.as_deref(),
            position: l.lat.zip(l.lon),
            accuracy: l.accuracy,
            has_photos: !r.photos.is_empty(),
            has_description: r
                .description
                .as_deref()
                .is_some_and(|d| !d.trim().is_empty()),
        }
    }
}

impl<'a> HelpSite<'a> {
    /// The site `id` as its summary describes it.
    pub fn of_summary(id: &'a str, s: &'a SiteSummary) -> Self {
        HelpSite {
            id,
            name: &s.name,
            province: s.province.as_deref(),
            legacy_province: s.legacy_province.as_deref(),
            position: s.position,
            accuracy: s.accuracy,
            has_photos: s.listed_photos > 0,
            has_description: s.has_description,
        }
    }
}

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

/// What one site lacks.
pub fn needs(site: &HelpSite<'_>) -> Vec<Need> {
    let mut needs = Vec::new();
    if !site.has_photos {
        needs.push(Need::Photos);
    }
    match site.position {
        Some(_) if site.accuracy.is_some_and(|a| a.is_centroid()) => {
            needs.push(Need::PrecisePosition)
        }
        Some(_) => {}
        None => needs.push(Need::Position),
    }
    if !site.has_description {
        needs.push(Need::Description);
    }
    needs
}

/// The sites among `sites` that match `query`, nearest first (or by id without a position).
pub fn needs_help<'a>(
    sites: impl IntoIterator<Item = HelpSite<'a>>,
    query: &HelpQuery,
) -> Vec<HelpItem> {
    let province = query.province.as_deref().map(fold::key);
    let mut items: Vec<HelpItem> = sites
        .into_iter()
        .filter(|s| {
            let Some(wanted) = &province else { return true };
            [s.province, s.legacy_province]
                .into_iter()
                .flatten()
                .any(|p| &fold::key(p) == wanted)
        })
        .filter_map(|s| {
            let needs = needs(&s);
            let wanted = match query.need {
                Some(need) => needs.contains(&need),
                None => !needs.is_empty(),
            };
            wanted.then(|| HelpItem {
                id: s.id.to_owned(),
                name: s.name.to_owned(),
                province: s.province.map(str::to_owned),
                distance_km: query
                    .near
                    .zip(s.position)
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
    needs_help(records.iter().map(HelpSite::from), query)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Photo;
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
        let records = [
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
        let help = || records.iter().map(HelpSite::from);
        let items = needs_help(help(), &query);
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
        let ids: Vec<String> = needs_help(help(), &precise)
            .into_iter()
            .map(|i| i.id)
            .collect();
        assert_eq!(ids, ["near"]);
        let one = HelpQuery {
            limit: 1,
            ..Default::default()
        };
        assert_eq!(needs_help(help(), &one).len(), 1);
    }
}
