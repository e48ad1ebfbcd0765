//! A search request from a URL's query string, as the pages and the API read it.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(data).unwrap_or_default();
    let _ = disan::search::SearchRequest::from_pairs(pairs);
});
