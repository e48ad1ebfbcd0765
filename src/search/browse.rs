//! Answers to searches without text, kept until the index changes.
//!
//! A search with no text ranks nothing and counts every site of its filters: the landing page,
//! "all pagodas", "everything in Bắc Ninh". Those pages are few, popular and the most expensive
//! to answer (every site is visited for the facet counts), so their answers are remembered per
//! reader generation. Searches with text are never cached: they are many and each is cheap.

use std::collections::HashMap;
use std::sync::Mutex;

use super::api::SearchResponse;
use super::request::SearchRequest;

/// Entries beyond this are dropped all at once (filter combinations are few in practice).
const MAX_ENTRIES: usize = 512;

#[derive(Default)]
pub(crate) struct BrowseCache {
    /// The reader generation the entries belong to, and the entries by request.
    entries: Mutex<(u64, HashMap<String, SearchResponse>)>,
}

impl BrowseCache {
    /// The cache key of a request without text, `None` for a text search or one around a
    /// position (every visitor stands somewhere else).
    pub fn key(request: &SearchRequest) -> Option<String> {
        if !request.q.trim().is_empty() || request.near.is_some() {
            return None;
        }
        serde_json::to_string(request).ok()
    }

    pub fn get(&self, generation: u64, key: &str) -> Option<SearchResponse> {
        let entries = self.entries.lock().ok()?;
        (entries.0 == generation)
            .then(|| entries.1.get(key).cloned())
            .flatten()
    }

    pub fn put(&self, generation: u64, key: String, response: &SearchResponse) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.0 != generation || entries.1.len() >= MAX_ENTRIES {
            entries.0 = generation;
            entries.1.clear();
        }
        entries.1.insert(key, response.clone());
    }
}
