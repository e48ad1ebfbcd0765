//! The catalog: every published site held in memory as its summary — names, kind, place,
//! position, photos, the short code and former ids that redirect to it — with each site's
//! nearest neighbours and the counts of the browse pages.
//!
//! "Published" means indexed by the last ingest: the catalog is read from the ingest manifest
//! alone, which keeps a [`SiteSummary`] per site, so a server starts without reading the
//! archive. Whole records (description, events, sources) are read from the archive only when a
//! page needs one, through [`records::RecordCache`]. A catalog never changes once built; the
//! server swaps in a new one when the archive changes (see
//! [`super::state::AppState::replace_catalog`]).

pub mod nearby;
pub mod records;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::ingest::manifest::Manifest;
pub use crate::ingest::summary::{SitePhoto, SiteSummary};
use crate::layout::{ArchiveLayout, IndexLayout};
use crate::record::{Level, SiteRecord};
use crate::search::geo::haversine_km;
pub use nearby::{NEARBY, Neighbour};
use records::{RecordCache, UnreadableRecord};

/// One published site.
#[derive(Debug, Clone)]
pub struct Site {
    pub id: String,
    /// The site's folder in the archive (where its record and history log live).
    pub dir: PathBuf,
    /// blake3 of `site.json` and of its photos: changes exactly when the page may change.
    pub content_hash: String,
    /// blake3 of `site.json` alone: names the rendered description ([`crate::description`]).
    pub record_hash: String,
    pub summary: SiteSummary,
}

impl Site {
    pub fn new(id: String, dir: PathBuf, content_hash: String, summary: SiteSummary) -> Site {
        Site {
            id,
            dir,
            content_hash,
            record_hash: String::new(),
            summary,
        }
    }

    /// Last change of the record, for `Last-Modified` and the page footer.
    pub fn updated(&self) -> Option<DateTime<Utc>> {
        self.summary.changed()
    }

    pub fn name(&self) -> &str {
        &self.summary.name
    }

    pub fn photos(&self) -> &[SitePhoto] {
        &self.summary.photos
    }

    pub fn position(&self) -> Option<(f64, f64)> {
        self.summary.position
    }
}

/// A browse entry: a province, type or level with how many sites it has.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Count {
    /// What to send as the search filter.
    pub value: String,
    pub label: String,
    pub label_en: String,
    pub count: usize,
}

/// Every published site, indexed every way a URL can name one.
#[derive(Debug, Default)]
pub struct Catalog {
    /// Sorted by id.
    sites: Vec<Arc<Site>>,
    /// Each site's nearest neighbours, by index into `sites`.
    nearby: Vec<Vec<Neighbour>>,
    by_id: HashMap<String, usize>,
    by_former_id: HashMap<String, usize>,
    by_code: HashMap<String, usize>,
    pub provinces: Vec<Count>,
    pub types: Vec<Count>,
    pub levels: Vec<Count>,
    pub red_addresses: usize,
    /// Sites by when they were added, newest first.
    recent: Vec<usize>,
    /// Identifies this catalog's content in ETags.
    pub version: String,
    /// The newest record change, for `Last-Modified` of pages built from many sites.
    pub updated: DateTime<Utc>,
    /// Whole records read so far; shared by every later version of the catalog.
    records: Arc<RecordCache>,
}

/// How a URL's site id resolved.
pub enum Lookup<'a> {
    Found(&'a Site),
    /// The id is a former id of this site: redirect.
    Renamed(&'a Site),
    Missing,
}

impl Catalog {
    /// The published sites, as the ingest manifest describes them.
    pub fn load(archive: &ArchiveLayout, index: &IndexLayout) -> Catalog {
        Catalog::of_manifest(archive, Manifest::load(&index.manifest()))
    }

    /// The published sites of a manifest (sites without a summary, from a manifest older than
    /// summaries, are left out until the next ingest summarises them).
    pub fn of_manifest(archive: &ArchiveLayout, manifest: Manifest) -> Catalog {
        let sites = manifest
            .sites
            .into_iter()
            .filter_map(|(id, state)| {
                let photo_hashes = state.photos.iter().flatten().map(String::as_str);
                let content_hash = content_hash(&state.record_hash, photo_hashes);
                let dir = archive.root().join(&state.dir);
                let mut site = Site::new(id, dir, content_hash, state.summary?);
                site.record_hash = state.record_hash;
                Some(site)
            })
            .collect();
        Catalog::from_sites(sites)
    }

    /// This catalog with `site` added, or replacing the site of the same id (or of one of its
    /// former ids): how a moderated change is published without reading the archive again.
    /// `record` is the site's record, just written, remembered for its first page view.
    /// Neighbours are recomputed only for the sites the change can affect — those that listed
    /// the replaced version, and those the new one is nearer to than their farthest neighbour —
    /// so this costs a few linear passes, not the whole country's neighbour search.
    pub fn replacing(&self, site: Site, record: Option<Arc<SiteRecord>>) -> Catalog {
        if let Some(record) = record {
            self.records.put(&site.id, &site.content_hash, record);
        }
        let replaced = |s: &Site| s.id == site.id || site.summary.former_ids.contains(&s.id);
        let gone: Vec<bool> = self.sites.iter().map(|s| replaced(s)).collect();
        let mut sites: Vec<Arc<Site>> = Vec::with_capacity(self.sites.len() + 1);
        // By old index, the new one; the kept sites stay in id order.
        let mut moved = vec![usize::MAX; self.sites.len()];
        for (i, s) in self.sites.iter().enumerate().filter(|(i, _)| !gone[*i]) {
            moved[i] = sites.len();
            sites.push(s.clone());
        }
        let added = sites.partition_point(|s| s.id < site.id);
        sites.insert(added, Arc::new(site));
        for slot in moved
            .iter_mut()
            .filter(|m| **m != usize::MAX && **m >= added)
        {
            *slot += 1;
        }
        let positions: Vec<Option<(f64, f64)>> = sites.iter().map(|s| s.position()).collect();
        let at = positions[added];
        let mut nearby: Vec<Vec<Neighbour>> = vec![Vec::new(); sites.len()];
        let mut redo = vec![added];
        for (old, near) in self.nearby.iter().enumerate() {
            let new = moved[old];
            if new == usize::MAX {
                continue;
            }
            if near.iter().any(|&(n, _)| gone[n]) {
                redo.push(new);
                continue;
            }
            let mut near: Vec<Neighbour> = near.iter().map(|&(n, km)| (moved[n], km)).collect();
            if let (Some(here), Some(there)) = (positions[new], at) {
                let km = haversine_km(here, there);
                let nearer = near.last().is_none_or(|&(n, far)| (km, added) < (far, n));
                if near.len() < NEARBY || nearer {
                    let slot = near.partition_point(|n| (n.1, n.0) <= (km, added));
                    near.insert(slot, (added, km));
                    near.truncate(NEARBY);
                    near.shrink_to_fit();
                }
            }
            nearby[new] = near;
        }
        for i in redo {
            nearby[i] = nearby::nearest_to(&positions, i);
        }
        Catalog::assemble(sites, nearby, self.records.clone())
    }

    /// Indexes a list of sites (sorted by id for a stable order).
    pub fn from_sites(mut sites: Vec<Site>) -> Catalog {
        sites.sort_by(|a, b| a.id.cmp(&b.id));
        let positions: Vec<Option<(f64, f64)>> = sites.iter().map(Site::position).collect();
        let nearby = nearby::nearest_neighbours(&positions);
        let sites = sites.into_iter().map(Arc::new).collect();
        Catalog::assemble(sites, nearby, Arc::default())
    }

    /// The lookups and counts of sites already sorted by id, with their neighbours.
    fn assemble(
        sites: Vec<Arc<Site>>,
        nearby: Vec<Vec<Neighbour>>,
        records: Arc<RecordCache>,
    ) -> Catalog {
        let mut catalog = Catalog {
            records,
            ..Catalog::default()
        };
        let mut version = blake3::Hasher::new();
        catalog.by_id.reserve(sites.len());
        for (i, site) in sites.iter().enumerate() {
            version.update(site.content_hash.as_bytes());
            catalog.by_id.insert(site.id.clone(), i);
            catalog
                .by_code
                .entry(site.summary.short_code.clone())
                .or_insert(i);
            for former in &site.summary.former_ids {
                catalog.by_former_id.entry(former.clone()).or_insert(i);
            }
        }
        catalog.version = version.finalize().to_hex()[..16].to_owned();
        catalog.updated = sites
            .iter()
            .filter_map(|s| s.updated())
            .max()
            .unwrap_or(DateTime::UNIX_EPOCH);
        catalog.recent = (0..sites.len()).collect();
        catalog.recent.sort_by_key(|&i| {
            std::cmp::Reverse(sites[i].summary.created.unwrap_or(DateTime::UNIX_EPOCH))
        });
        catalog.count(&sites);
        catalog.sites = sites;
        catalog.nearby = nearby;
        catalog
    }

    fn count(&mut self, sites: &[Arc<Site>]) {
        let mut provinces: BTreeMap<String, usize> = BTreeMap::new();
        let mut types: HashMap<String, (String, String, usize)> = HashMap::new();
        let mut levels: BTreeMap<Level, usize> = BTreeMap::new();
        for site in sites {
            let s = &site.summary;
            if let Some(p) = &s.province {
                *provinces.entry(p.clone()).or_default() += 1;
            }
            if let Some(t) = &s.site_type {
                let e = types
                    .entry(t.code().to_owned())
                    .or_insert_with(|| (t.label_vi().to_owned(), t.label_en().to_owned(), 0));
                e.2 += 1;
            }
            *levels.entry(s.level).or_default() += 1;
            self.red_addresses += usize::from(s.red_address);
        }
        self.provinces = provinces
            .into_iter()
            .map(|(name, count)| Count {
                value: name.clone(),
                label_en: name.clone(),
                label: name,
                count,
            })
            .collect();
        self.types = types
            .into_iter()
            .map(|(code, (vi, en, count))| Count {
                value: code,
                label: vi,
                label_en: en,
                count,
            })
            .collect();
        self.types
            .sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
        self.levels = levels
            .into_iter()
            .filter(|(level, _)| *level != Level::Unknown)
            .map(|(level, count)| Count {
                value: level.code().to_owned(),
                label: level.label_vi().to_owned(),
                label_en: level.label_en().to_owned(),
                count,
            })
            .collect();
    }

    pub fn len(&self) -> usize {
        self.sites.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sites.is_empty()
    }

    /// Every site, by id.
    pub fn sites(&self) -> impl ExactSizeIterator<Item = &Site> {
        self.sites.iter().map(|s| &**s)
    }

    /// The nearest other sites of `site`, with their distance in km.
    pub fn nearby(&self, site: &Site) -> impl Iterator<Item = (&Site, f64)> {
        let near = self
            .by_id
            .get(&site.id)
            .map_or(&[][..], |&i| &self.nearby[i]);
        near.iter().map(|&(j, km)| (&*self.sites[j], km))
    }

    /// The whole record of a site as the archive holds it, read (or remembered) for a page that
    /// needs more than the summary. Where the site is shown is the summary's business: a record
    /// without a position may be placed by its photos.
    pub fn record(&self, site: &Site) -> Result<Arc<SiteRecord>, UnreadableRecord> {
        self.records.get(&site.id, &site.content_hash, &site.dir)
    }

    /// A site by its current id, or by a former id (to redirect).
    pub fn lookup(&self, id: &str) -> Lookup<'_> {
        if let Some(&i) = self.by_id.get(id) {
            Lookup::Found(&self.sites[i])
        } else if let Some(&i) = self.by_former_id.get(id) {
            Lookup::Renamed(&self.sites[i])
        } else {
            Lookup::Missing
        }
    }

    pub fn get(&self, id: &str) -> Option<&Site> {
        self.by_id.get(id).map(|&i| &*self.sites[i])
    }

    /// A published site by id, or the 404 for a page that needs it.
    pub fn require(&self, id: &str) -> Result<&Site, super::error::WebError> {
        self.get(id)
            .ok_or_else(|| super::error::WebError::not_found(format!("site `{id}`")))
    }

    /// The site a QR short code stands for.
    pub fn by_short_code(&self, code: &str) -> Option<&Site> {
        self.by_code
            .get(&code.to_ascii_lowercase())
            .map(|&i| &*self.sites[i])
    }

    /// The `n` most recently added sites.
    pub fn recent(&self, n: usize) -> impl Iterator<Item = &Site> {
        self.recent.iter().take(n).map(|&i| &*self.sites[i])
    }
}

/// What identifies the version of a site's page: the hash of its `site.json` bytes and of its
/// photos' contents.
pub fn content_hash<'a>(
    record_hash: &str,
    photo_hashes: impl IntoIterator<Item = &'a str>,
) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(record_hash.as_bytes());
    for hash in photo_hashes {
        hasher.update(hash.as_bytes());
    }
    hasher.finalize().to_hex()[..16].to_owned()
}

/// A catalog shared by request handlers.
pub type SharedCatalog = Arc<Catalog>;

#[cfg(test)]
mod tests {
    use super::*;

    fn site(id: &str, at: Option<(f64, f64)>) -> Site {
        let mut record = SiteRecord::new(id, id, Utc::now());
        (record.location.lat, record.location.lon) = (at.map(|p| p.0), at.map(|p| p.1));
        let summary = SiteSummary::of(&record, &[]);
        Site::new(id.into(), PathBuf::from(id), id.to_owned(), summary)
    }

    /// Each site's neighbours, by id and distance.
    fn neighbours(catalog: &Catalog) -> Vec<(String, Vec<(String, String)>)> {
        catalog
            .sites()
            .map(|s| {
                let near = catalog
                    .nearby(s)
                    .map(|(n, km)| (n.id.clone(), format!("{km:.9}")))
                    .collect();
                (s.id.clone(), near)
            })
            .collect()
    }

    #[test]
    fn replacing_one_site_gives_the_neighbours_a_full_rebuild_gives() {
        let mut rng = fastrand::Rng::with_seed(7);
        // Many sites share a commune's centre, as imported ones do.
        let centres = [(20.2, 105.9), (20.5, 106.1), (20.9, 105.3)];
        let sites: Vec<Site> = (0..400)
            .map(|i| {
                let at = match i % 9 {
                    0 => None,
                    1..=3 => Some(centres[i % 3]),
                    _ => Some((20.0 + rng.f64() * 1.5, 105.0 + rng.f64() * 1.5)),
                };
                site(&format!("s{i:03}"), at)
            })
            .collect();
        let before = Catalog::from_sites(sites.clone());
        // Moved, added, one that loses its position, one moved onto a shared centre.
        for changed in [
            site("s010", Some((20.7, 105.7))),
            site("zz-new", Some((20.71, 105.71))),
            site("s011", None),
            site("s015", Some(centres[1])),
            site("a-first", Some(centres[0])),
        ] {
            let replaced = before.replacing(changed.clone(), None);
            let mut expected: Vec<Site> = sites
                .iter()
                .filter(|s| s.id != changed.id)
                .cloned()
                .collect();
            expected.push(changed.clone());
            let rebuilt = Catalog::from_sites(expected);
            assert_eq!(
                neighbours(&replaced),
                neighbours(&rebuilt),
                "{}",
                changed.id
            );
            assert_eq!(replaced.version, rebuilt.version);
        }
    }
}
