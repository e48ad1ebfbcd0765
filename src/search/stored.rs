//! The stored documents of the sites searches show, kept once read.
//!
//! A result page shows twenty sites, and each read from the document store decompresses a
//! block and decodes every stored field (a tenth of a search). The sites people find come back
//! page after page, and segments never change, so a decoded document is kept by (segment, site)
//! — up to a bound, then all are forgotten at once.

use std::sync::{Arc, RwLock};

use rustc_hash::FxHashMap;
use tantivy::index::SegmentId;
use tantivy::{DocAddress, DocId, Searcher, TantivyDocument};

/// Documents kept at most (a few KB each).
const MAX_DOCS: usize = 10_000;

#[derive(Default)]
pub(crate) struct StoredDocs {
    docs: RwLock<FxHashMap<(SegmentId, DocId), Arc<TantivyDocument>>>,
}

impl StoredDocs {
    /// The stored document at `address` in `searcher`'s index.
    pub fn get(
        &self,
        searcher: &Searcher,
        address: DocAddress,
    ) -> tantivy::Result<Arc<TantivyDocument>> {
        let segment = searcher.segment_reader(address.segment_ord).segment_id();
        let key = (segment, address.doc_id);
        if let Some(doc) = self.docs.read().ok().and_then(|d| d.get(&key).cloned()) {
            return Ok(doc);
        }
        let doc: Arc<TantivyDocument> = Arc::new(searcher.doc(address)?);
        if let Ok(mut docs) = self.docs.write() {
            if docs.len() >= MAX_DOCS {
                docs.clear();
            }
            docs.insert(key, doc.clone());
        }
        Ok(doc)
    }
}
