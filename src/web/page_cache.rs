//! A bounded memory of rendered search pages and JSON search answers.
//!
//! Many visitors ask the same things — the browse links (`/search?province=…`, `?type=…`) are
//! identical for everyone, and popular names repeat — and a results page costs a full search
//! with facet counts. Pages are kept by everything they depend on: the catalog version, the
//! language, the public origin and the query string. Publishing a new catalog empties the
//! cache; when it is full it is emptied too, which keeps it bounded without bookkeeping on the
//! hot path (a real LRU would cost more than it saves at this size). The JSON API keeps its
//! answers the same way, keyed by the catalog version and the parsed request, so that
//! `?q=chùa&limit=20` and `?limit=20&q=chùa` share one entry.

use std::collections::HashMap;
use std::sync::Mutex;

use actix_web::web::Bytes;

/// Most pages kept (about 15 KB each: at most ~30 MB).
pub const CAPACITY: usize = 2_048;

/// A rendered page and its validator.
#[derive(Clone)]
pub struct CachedPage {
    pub body: Bytes,
    pub etag: String,
}

#[derive(Default)]
pub struct PageCache {
    pages: Mutex<HashMap<String, CachedPage>>,
}

impl PageCache {
    pub fn get(&self, key: &str) -> Option<CachedPage> {
        self.pages.lock().ok()?.get(key).cloned()
    }

    pub fn put(&self, key: String, page: CachedPage) {
        if let Ok(mut pages) = self.pages.lock() {
            if pages.len() >= CAPACITY {
                pages.clear();
            }
            pages.insert(key, page);
        }
    }

    pub fn clear(&self) {
        if let Ok(mut pages) = self.pages.lock() {
            pages.clear();
        }
    }

    pub fn len(&self) -> usize {
        self.pages.lock().map_or(0, |p| p.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_bounded() {
        let cache = PageCache::default();
        for i in 0..CAPACITY + 10 {
            let page = CachedPage {
                body: Bytes::from_static(b"x"),
                etag: String::new(),
            };
            cache.put(i.to_string(), page);
        }
        assert!(cache.len() <= CAPACITY);
        assert!(cache.get(&(CAPACITY + 9).to_string()).is_some());
        cache.clear();
        assert!(cache.is_empty());
    }
}
