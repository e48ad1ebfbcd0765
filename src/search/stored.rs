//! The stored documents of the sites searches show, kept once read.
//!
//! A result page shows twenty sites, and each read from the document store decompresses a
//! block and decodes every stored field (a tenth of a search). The sites people find come back
//! page after page, and segments never change, so a decoded document is kept by (segment, site)
//! — up to a bound, past which the least used are forgotten (see [`super::memo`]).

use std::sync::Arc;

use tantivy::index::SegmentId;
use tantivy::{DocAddress, DocId, Searcher, TantivyDocument};

use crate::memo::Memo;

/// Documents kept at most (a few KB each).
const MAX_DOCS: usize = 10_000;

#[derive(Default)]
pub(crate) struct StoredDocs {
    docs: Memo<(SegmentId, DocId), Arc<TantivyDocument>, MAX_DOCS>,
}

impl StoredDocs {
    /// The stored document at `address` in `searcher`'s index.
    pub fn get(
        &self,
        searcher: &Searcher,
        address: DocAddress,
    ) -> tantivy::Result<Arc<TantivyDocument>> {
        let segment = searcher.segment_reader(address.segment_ord).segment_id();
        self.docs.get_or(
            (segment, address.doc_id),
            |_| 0,
            || Ok(Arc::new(searcher.doc(address)?)),
        )
    }
}
