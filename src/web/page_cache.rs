//! A bounded memory of rendered pages: search pages, JSON search answers, site pages and
//! campaign pages, one cache of each.
//!
//! Many visitors ask the same things — the browse links (`/search?province=…`, `?type=…`) are
//! identical for everyone, and popular names repeat — and a results page costs a full search
//! with facet counts. Pages are kept by everything they depend on: the catalog version, the
//! language, the public origin and the query string. Publishing a new catalog empties the
//! cache. The JSON API keeps its answers the same way, keyed by the catalog version and the
//! parsed request, so that `?q=chùa&limit=20` and `?limit=20&q=chùa` share one entry.
//!
//! Each cache is bounded by bytes rather than by a count of pages: pages grow with the archive
//! (at 100,000 sites a search page is about 22 kB, an API answer 17 kB), and a count of 2,048
//! sized for a province's pages held about 100 MB over the four caches for the country. The
//! eviction is `quick_cache`'s S3-FIFO, as for the search engine's memories
//! ([`crate::search`]): a page asked once is forgotten first, the ones that come back are
//! kept. Emptying a full cache at once, as before, forgot the popular pages with the rest and
//! made the server's memory a saw-tooth whose height depended on when it was measured.

use actix_web::web::Bytes;
use quick_cache::Weighter;
use quick_cache::sync::Cache;

/// Bytes kept by one cache, keys and validators included.
pub const MAX_BYTES: u64 = 16 * 1024 * 1024;

/// Pages of 4 kB, the smallest kind: sizes the cache's tables (they grow if pages are lighter).
const EXPECTED_PAGES: usize = (MAX_BYTES / 4096) as usize;

/// A rendered page and its validator.
#[derive(Clone)]
pub struct CachedPage {
    pub body: Bytes,
    pub etag: String,
}

/// A page weighs what it holds.
#[derive(Clone)]
struct ByBytes;

impl Weighter<String, CachedPage> for ByBytes {
    fn weight(&self, key: &String, page: &CachedPage) -> u64 {
        (key.len() + page.body.len() + page.etag.len()) as u64
    }
}

pub struct PageCache {
    pages: Cache<String, CachedPage, ByBytes>,
}

impl Default for PageCache {
    fn default() -> Self {
        PageCache {
            pages: Cache::with_weighter(EXPECTED_PAGES, MAX_BYTES, ByBytes),
        }
    }
}

impl PageCache {
    pub fn get(&self, key: &str) -> Option<CachedPage> {
        self.pages.get(key)
    }

    pub fn put(&self, key: String, page: CachedPage) {
        self.pages.insert(key, page);
    }

    pub fn clear(&self) {
        self.pages.clear();
    }

    pub fn len(&self) -> usize {
        self.pages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }

    /// Bytes held.
    pub fn weight(&self) -> u64 {
        self.pages.weight()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(bytes: usize) -> CachedPage {
        CachedPage {
            body: Bytes::from(vec![b'x'; bytes]),
            etag: "\"e\"".into(),
        }
    }

    #[test]
    fn stays_within_its_bytes_whatever_the_page_size() {
        let cache = PageCache::default();
        for size in [500, 22_000, 200_000] {
            for i in 0..(3 * MAX_BYTES as usize / size) {
                cache.put(format!("{size}-{i}"), page(size));
            }
            assert!(cache.weight() <= MAX_BYTES, "{size}: {}", cache.weight());
            assert!(cache.weight() > MAX_BYTES / 2, "{size}: {}", cache.weight());
        }
        cache.clear();
        assert!(cache.is_empty());
    }

    #[test]
    fn pages_asked_again_outlast_pages_asked_once() {
        let cache = PageCache::default();
        let size = 20_000;
        let popular: Vec<String> = (0..20).map(|i| format!("browse-{i}")).collect();
        for key in &popular {
            cache.put(key.clone(), page(size));
        }
        // Far more one-off pages than the cache holds, the popular ones asked in between.
        for i in 0..(4 * MAX_BYTES as usize / size) {
            cache.put(format!("once-{i}"), page(size));
            let key = &popular[i % popular.len()];
            assert!(
                cache.get(key).is_some(),
                "{key} forgotten after {i} one-off pages"
            );
        }
    }
}
