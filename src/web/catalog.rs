//! The catalog: every published site held in memory, with what its pages need beyond the
//! record — rendered photos, the short code and former ids that redirect to it, its nearest
//! neighbours — and the counts of the browse pages.
//!
//! "Published" means indexed by the last ingest: a site is in the catalog when the ingest
//! manifest lists it from the folder it was read from. Photo metadata comes from the sidecars
//! ingest wrote beside the derivatives, found through the manifest's per-site photo hashes.
//! A catalog never changes once built; the server swaps in a new one when the archive changes
//! (see [`super::state::AppState::replace_catalog`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::archive;
use crate::ingest::manifest::Manifest;
use crate::ingest::photos::{self, PhotoMeta};
use crate::layout::{ArchiveLayout, IndexLayout};
use crate::record::{Accuracy, Level, Photo, SiteRecord};
use crate::search::geo::haversine_km;

/// How many neighbours a site page lists.
pub const NEARBY: usize = 6;

/// One published site.
#[derive(Debug, Clone)]
pub struct Site {
    pub record: SiteRecord,
    /// The site's folder in the archive (where its history log lives).
    pub dir: std::path::PathBuf,
    /// Photos that have derivatives, in record order.
    pub photos: Vec<SitePhoto>,
    /// The permanent code of `/s/{code}`.
    pub short_code: String,
    /// blake3 of `site.json` and of its photos: changes exactly when the page may change.
    pub content_hash: String,
    /// blake3 of `site.json` alone: names the rendered description ([`crate::description`]).
    pub record_hash: String,
    /// Nearest other sites with a position, with the distance in kilometres.
    pub nearby: Vec<(usize, f64)>,
}

/// A photo as the site shows it: what the record says plus what ingest rendered.
#[derive(Debug, Clone)]
pub struct SitePhoto {
    pub photo: Photo,
    pub meta: PhotoMeta,
}

impl Site {
    /// A site as its pages show it. `content_hash` is from [`content_hash`].
    pub fn new(
        mut record: SiteRecord,
        dir: std::path::PathBuf,
        photos: Vec<SitePhoto>,
        content_hash: String,
    ) -> Site {
        // As ingest does: a site without a position takes its first photo's GPS.
        if record.location.lat.is_none()
            && let Some((lat, lon)) = photos.iter().find_map(|p| p.meta.gps)
        {
            record.location.lat = Some(lat);
            record.location.lon = Some(lon);
            record.location.accuracy = Some(Accuracy::PhotoGps);
        }
        Site {
            short_code: record.short_code(),
            content_hash,
            record_hash: String::new(),
            record,
            dir,
            photos,
            nearby: Vec::new(),
        }
    }

    /// Last change of the record, for `Last-Modified` and the page footer.
    pub fn updated(&self) -> Option<DateTime<Utc>> {
        self.record.updated.or(self.record.created)
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
    sites: Vec<Site>,
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
}

/// How a URL's site id resolved.
pub enum Lookup<'a> {
    Found(&'a Site),
    /// The id is a former id of this site: redirect.
    Renamed(&'a Site),
    Missing,
}

impl Catalog {
    /// Reads the published sites: the archive's records, restricted to what the ingest manifest
    /// says was indexed, with their rendered photos.
    pub fn load(archive: &ArchiveLayout, index: &IndexLayout) -> Catalog {
        let manifest = Manifest::load(&index.manifest());
        let (entries, _problems) = archive::walk(archive); // ingest reports them
        let mut sites = Vec::with_capacity(manifest.sites.len());
        for entry in entries {
            let Ok(record) = entry.record else { continue };
            let Some(state) = manifest.sites.get(&record.id) else {
                continue;
            };
            if state.dir != archive.display(&entry.dir).to_string() {
                continue; // a duplicate id in another folder: not the indexed one
            }
            let photos: Vec<SitePhoto> = record
                .photos
                .iter()
                .zip(&state.photos)
                .filter_map(|(photo, hash)| {
                    let meta = photos::load_meta(index, hash.as_deref()?)?;
                    Some(SitePhoto {
                        photo: photo.clone(),
                        meta,
                    })
                })
                .collect();
            let photo_hashes = state.photos.iter().flatten().map(String::as_str);
            let content_hash = content_hash(&state.record_hash, photo_hashes);
            let mut site = Site::new(record, entry.dir, photos, content_hash);
            site.record_hash = state.record_hash.clone();
            sites.push(site);
        }
        Catalog::from_sites(sites)
    }

    /// This catalog with `site` added, or replacing the site of the same id (or of one of its
    /// former ids): how a moderated change is published without reading the archive again.
    /// Neighbours are recomputed only for the sites the change can affect — those that listed
    /// the replaced version, and those the new one is nearer to than their farthest neighbour —
    /// so this costs a few linear passes, not the whole country's neighbour search.
    pub fn replacing(&self, site: Site) -> Catalog {
        let replaced = |s: &Site| {
            s.record.id == site.record.id || site.record.former_ids.contains(&s.record.id)
        };
        let gone: Vec<bool> = self.sites.iter().map(replaced).collect();
        // Kept sites with their old index; the new one has none.
        let mut entries: Vec<(Option<usize>, Site)> = self
            .sites
            .iter()
            .enumerate()
            .filter(|(i, _)| !gone[*i])
            .map(|(i, s)| (Some(i), s.clone()))
            .chain(std::iter::once((None, site)))
            .collect();
        entries.sort_by(|a, b| a.1.record.id.cmp(&b.1.record.id));
        let mut moved = vec![usize::MAX; self.sites.len()];
        for (new, (old, _)) in entries.iter().enumerate() {
            if let Some(old) = old {
                moved[*old] = new;
            }
        }
        let added = entries
            .iter()
            .position(|(old, _)| old.is_none())
            .unwrap_or(0);
        let mut sites: Vec<Site> = entries.into_iter().map(|(_, s)| s).collect();
        let at = position(&sites[added]);
        let mut redo = vec![added];
        for (i, s) in sites.iter_mut().enumerate() {
            if i == added {
                continue;
            }
            if s.nearby.iter().any(|&(old, _)| gone[old]) {
                redo.push(i);
                continue;
            }
            for near in &mut s.nearby {
                near.0 = moved[near.0];
            }
            if let (Some(here), Some(there)) = (position(s), at) {
                let km = haversine_km(here, there);
                let farthest = s.nearby.last().map_or(f64::INFINITY, |n| n.1);
                if s.nearby.len() < NEARBY || km < farthest {
                    let slot = s.nearby.partition_point(|n| n.1 <= km);
                    s.nearby.insert(slot, (added, km));
                    s.nearby.truncate(NEARBY);
                }
            }
        }
        for i in redo {
            sites[i].nearby = nearest_to(&sites, i);
        }
        Catalog::assemble(sites)
    }

    /// Indexes a list of sites (sorted by id for a stable order).
    pub fn from_sites(mut sites: Vec<Site>) -> Catalog {
        sites.sort_by(|a, b| a.record.id.cmp(&b.record.id));
        let nearby = nearest_neighbours(&sites);
        for (site, near) in sites.iter_mut().zip(nearby) {
            site.nearby = near;
        }
        Catalog::assemble(sites)
    }

    /// The lookups and counts of sites already sorted by id, with their neighbours.
    fn assemble(sites: Vec<Site>) -> Catalog {
        let mut catalog = Catalog::default();
        let mut version = blake3::Hasher::new();
        for (i, site) in sites.iter().enumerate() {
            version.update(site.content_hash.as_bytes());
            catalog.by_id.insert(site.record.id.clone(), i);
            catalog.by_code.entry(site.short_code.clone()).or_insert(i);
            for former in &site.record.former_ids {
                catalog.by_former_id.entry(former.clone()).or_insert(i);
            }
        }
        catalog.version = version.finalize().to_hex()[..16].to_owned();
        catalog.updated = sites
            .iter()
            .filter_map(Site::updated)
            .max()
            .unwrap_or(DateTime::UNIX_EPOCH);
        catalog.recent = (0..sites.len()).collect();
        catalog.recent.sort_by_key(|&i| {
            std::cmp::Reverse(sites[i].record.created.unwrap_or(DateTime::UNIX_EPOCH))
        });
        catalog.count(&sites);
        catalog.sites = sites;
        catalog
    }

    fn count(&mut self, sites: &[Site]) {
        let mut provinces: BTreeMap<String, usize> = BTreeMap::new();
        let mut types: HashMap<String, (String, String, usize)> = HashMap::new();
        let mut levels: BTreeMap<Level, usize> = BTreeMap::new();
        for site in sites {
            let r = &site.record;
            if let Some(p) = &r.location.province {
                *provinces.entry(p.clone()).or_default() += 1;
            }
            if let Some(t) = &r.site_type {
                let e = types
                    .entry(t.code().to_owned())
                    .or_insert_with(|| (t.label_vi().to_owned(), t.label_en().to_owned(), 0));
                e.2 += 1;
            }
            *levels.entry(r.level).or_default() += 1;
            self.red_addresses += usize::from(r.red_address);
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

    pub fn sites(&self) -> &[Site] {
        &self.sites
    }

    pub fn site(&self, index: usize) -> &Site {
        &self.sites[index]
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
        self.by_id.get(id).map(|&i| &self.sites[i])
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
            .map(|&i| &self.sites[i])
    }

    /// The `n` most recently added sites.
    pub fn recent(&self, n: usize) -> impl Iterator<Item = &Site> {
        self.recent.iter().take(n).map(|&i| &self.sites[i])
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

fn position(site: &Site) -> Option<(f64, f64)> {
    Some((site.record.location.lat?, site.record.location.lon?))
}

/// The [`NEARBY`] nearest neighbours of one site, by a pass over all of them.
fn nearest_to(sites: &[Site], i: usize) -> Vec<(usize, f64)> {
    let Some(here) = position(&sites[i]) else {
        return Vec::new();
    };
    let mut near: Vec<(usize, f64)> = sites
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != i)
        .filter_map(|(j, s)| Some((j, haversine_km(here, position(s)?))))
        .collect();
    near.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    near.truncate(NEARBY);
    near
}

/// The [`NEARBY`] nearest neighbours of every site. Sites are sorted by latitude and each one
/// looks only at a latitude band around it, widened until it holds enough candidates: Vietnam
/// is long and thin, so the band keeps this far below all-pairs even for the whole country.
fn nearest_neighbours(sites: &[Site]) -> Vec<Vec<(usize, f64)>> {
    let mut placed: Vec<(f64, f64, usize)> = sites
        .iter()
        .enumerate()
        .filter_map(|(i, s)| position(s).map(|(lat, lon)| (lat, lon, i)))
        .collect();
    placed.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut result = vec![Vec::new(); sites.len()];
    for &(lat, lon, i) in &placed {
        let mut band = 0.25;
        loop {
            let from = placed.partition_point(|p| p.0 < lat - band);
            let to = placed.partition_point(|p| p.0 <= lat + band);
            let mut near: Vec<(usize, f64)> = placed[from..to]
                .iter()
                .filter(|p| p.2 != i)
                .map(|p| (p.2, haversine_km((lat, lon), (p.0, p.1))))
                .collect();
            // One degree of latitude is ~111 km: a neighbour found beyond the band's reach
            // could be beaten by one outside it, so widen until the k-th is inside.
            near.sort_by(|a, b| a.1.total_cmp(&b.1));
            near.truncate(NEARBY);
            let complete = near.len() == NEARBY && near[NEARBY - 1].1 <= band * 111.0;
            if complete || (to - from) == placed.len() {
                result[i] = near;
                break;
            }
            band *= 2.0;
        }
    }
    result
}

/// A catalog shared by request handlers.
pub type SharedCatalog = Arc<Catalog>;

#[cfg(test)]
mod tests {
    use super::*;

    fn site(id: &str, at: Option<(f64, f64)>) -> Site {
        let mut record = SiteRecord::new(id, id, Utc::now());
        (record.location.lat, record.location.lon) = (at.map(|p| p.0), at.map(|p| p.1));
        Site::new(
            record,
            std::path::PathBuf::from(id),
            Vec::new(),
            id.to_owned(),
        )
    }

    /// Each site's neighbour distances (ties may list different sites at the same distance).
    fn distances(catalog: &Catalog) -> Vec<(String, Vec<String>)> {
        catalog
            .sites()
            .iter()
            .map(|s| {
                let near = s.nearby.iter().map(|n| format!("{:.9}", n.1)).collect();
                (s.record.id.clone(), near)
            })
            .collect()
    }

    #[test]
    fn replacing_one_site_gives_the_neighbours_a_full_rebuild_gives() {
        let mut rng = fastrand::Rng::with_seed(7);
        let sites: Vec<Site> = (0..400)
            .map(|i| {
                let at = (i % 9 != 0).then(|| (20.0 + rng.f64() * 1.5, 105.0 + rng.f64() * 1.5));
                site(&format!("s{i:03}"), at)
            })
            .collect();
        let before = Catalog::from_sites(sites.clone());
        // Moved, added, and one that loses its position.
        for changed in [
            site("s010", Some((20.7, 105.7))),
            site("zz-new", Some((20.71, 105.71))),
            site("s011", None),
        ] {
            let replaced = before.replacing(changed.clone());
            let mut expected: Vec<Site> = sites
                .iter()
                .filter(|s| s.record.id != changed.record.id)
                .cloned()
                .collect();
            expected.push(changed.clone());
            let rebuilt = Catalog::from_sites(expected);
            assert_eq!(
                distances(&replaced),
                distances(&rebuilt),
                "{}",
                changed.record.id
            );
            assert_eq!(replaced.version, rebuilt.version);
        }
    }
}
