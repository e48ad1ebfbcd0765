//! The search engine against a small hand-written archive ([`fixture`]).

mod filters;
mod fixture;
mod fuzz;
mod on_disk;
mod real_data;
mod relevance;
mod scoring;
mod text;

use crate::search::{SearchRequest, SearchResponse};

/// Searches the fixture.
fn search(request: &SearchRequest) -> SearchResponse {
    fixture::index()
        .search(request)
        .unwrap_or_else(|e| panic!("{request:?}: {e}"))
}

fn q(text: &str) -> SearchResponse {
    search(&SearchRequest::text(text))
}

fn ids(response: &SearchResponse) -> Vec<&str> {
    response.hits.iter().map(|h| h.id.as_str()).collect()
}

/// Position of `id` in the hits.
fn rank(response: &SearchResponse, id: &str) -> usize {
    ids(response)
        .iter()
        .position(|i| *i == id)
        .unwrap_or_else(|| panic!("{id} not found in {:?}", ids(response)))
}
