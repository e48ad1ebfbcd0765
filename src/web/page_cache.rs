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
//! sized for a province's pages held about 100 MB over the four caches for the country. They
//! are the crate's [`Memo`]s, with its S3-FIFO eviction: a page asked once is forgotten first,
//! the ones that come back are kept. Emptying a full cache at once, as before, forgot the
//! popular pages with the rest and made the server's memory a saw-tooth whose height depended
//! on when it was measured.
//!
//! The bound is `[serve] page_cache_mb` (16 MiB each by default). 0 turns the caches off: every
//! page is made for its request, which is what a benchmark of the search itself wants, and
//! what a server too small for 64 MiB of pages can afford.

use actix_web::web::Bytes;

use crate::memo::Memo;

/// Bytes kept by one cache by default, keys and validators included.
pub const DEFAULT_MAX_BYTES: u64 = 16 * 1024 * 1024;

/// Pages of 4 kB, the smallest kind: sizes the cache's tables (they grow if pages are lighter).
const SMALLEST_PAGE: u64 = 4096;

/// A rendered page and its validator.
#[derive(Clone)]
pub struct CachedPage {
    pub body: Bytes,
    pub etag: String,
}

/// Rendered pages by key, up to a number of bytes.
pub struct PageCache {
    /// The bound is the setting's, given to `Memo::with_max` at start-up: the type's is unused.
    pages: Memo<String, CachedPage, 0>,
}

impl Default for PageCache {
    fn default() -> Self {
        PageCache::with_max_bytes(DEFAULT_MAX_BYTES)
    }
}

impl PageCache {
    /// A cache of at most `max_bytes` (0: a cache that keeps nothing).
    pub fn with_max_bytes(max_bytes: u64) -> Self {
        let pages = (max_bytes / SMALLEST_PAGE) as usize;
        PageCache {
            pages: Memo::with_max(max_bytes, pages),
        }
    }

    pub fn get(&self, key: &str) -> Option<CachedPage> {
        self.pages.get(key)
    }

    /// Keeps `page`, weighed by what it holds.
    pub fn put(&self, key: String, page: CachedPage) {
        let weight = key.len() + page.body.len() + page.etag.len();
        self.pages.put(key, page, weight);
    }

    pub fn clear(&self) {
        self.pages.clear();
    }

    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }

    /// Bytes held.
    pub fn weight(&self) -> u64 {
        self.pages.weight()
    }

    /// Pages answered from the cache, and pages that had to be made, since the server started.
    pub fn hits_and_misses(&self) -> (u64, u64) {
        self.pages.hits_and_misses()
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
            for i in 0..(3 * DEFAULT_MAX_BYTES as usize / size) {
                cache.put(format!("{size}-{i}"), page(size));
            }
            assert!(
                cache.weight() <= DEFAULT_MAX_BYTES,
                "{size}: {}",
                cache.weight()
            );
            assert!(
                cache.weight() > DEFAULT_MAX_BYTES / 2,
                "{size}: {}",
                cache.weight()
            );
        }
        cache.clear();
        assert!(cache.is_empty());
    }

    #[test]
    fn a_cache_of_no_bytes_keeps_nothing_and_counts_every_miss() {
        let off = PageCache::with_max_bytes(0);
        off.put("a".into(), page(10));
        assert!(off.get("a").is_none());
        assert!(off.is_empty());
        let on = PageCache::default();
        on.put("a".into(), page(10));
        assert!(on.get("a").is_some());
        assert!(on.get("b").is_none());
        assert_eq!(on.hits_and_misses(), (1, 1));
        assert_eq!(off.hits_and_misses(), (0, 1));
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
        for i in 0..(4 * DEFAULT_MAX_BYTES as usize / size) {
            cache.put(format!("once-{i}"), page(size));
            let key = &popular[i % popular.len()];
            assert!(
                cache.get(key).is_some(),
                "{key} forgotten after {i} one-off pages"
            );
        }
    }
}
