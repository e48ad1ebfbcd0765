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
            sites.push(Site::new(record, entry.dir, photos, content_hash));
        }
        Catalog::from_sites(sites)
    }

    /// This catalog with `site` added, or replacing the site of the same id (or of one of its
    /// former ids): how a moderated change is published without reading the archive again.
    /// Everything derived (neighbours, counts, version) is recomputed.
    pub fn replacing(&self, site: Site) -> Catalog {
        let replaced = |s: &Site| {
            s.record.id == site.record.id || site.record.former_ids.contains(&s.record.id)
        };
        let mut sites: Vec<Site> = self
            .sites
            .iter()
            .filter(|s| !replaced(s))
            .cloned()
            .collect();
        sites.push(site);
        Catalog::from_sites(sites)
    }

    /// Indexes a list of sites (sorted by id for a stable order).
    pub fn from_sites(mut sites: Vec<Site>) -> Catalog {
        sites.sort_by(|a, b| a.record.id.cmp(&b.record.id));
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
        let nearby = nearest_neighbours(&sites);
        for (site, near) in sites.iter_mut().zip(nearby) {
            site.nearby = near;
        }
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

/// The [`NEARBY`] nearest neighbours of every site. Sites are sorted by latitude and each one
/// looks only at a latitude band around it, widened until it holds enough candidates: Vietnam
/// is long and thin, so the band keeps this far below all-pairs even for the whole country.
fn nearest_neighbours(sites: &[Site]) -> Vec<Vec<(usize, f64)>> {
    let position = |s: &Site| Some((s.record.location.lat?, s.record.location.lon?));
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
