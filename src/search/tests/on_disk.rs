//! Creating an index folder, reopening it, and refusing one of another layout.

use super::fixture::sites;
use crate::search::{INDEX_SCHEMA_VERSION, SearchError, SearchIndex, SearchRequest, open};

#[test]
fn an_index_on_disk_reopens_and_checks_its_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index");
    assert!(matches!(open(&path), Err(SearchError::Missing { .. })));
    {
        let index = SearchIndex::create(&path).unwrap();
        let mut writer = index.writer(15_000_000).unwrap();
        for site in sites().iter().take(5) {
            writer
                .add_document(index.document(&site.record, &site.extras))
                .unwrap();
        }
        // Re-adding a site after deleting its id replaces it.
        let first = &sites()[0];
        writer.delete_term(index.id_term(&first.record.id));
        writer
            .add_document(index.document(&first.record, &first.extras))
            .unwrap();
        writer.commit().unwrap();
    }
    assert_eq!(
        SearchIndex::stored_version(&path),
        Some(INDEX_SCHEMA_VERSION)
    );
    let index = open(&path).unwrap();
    assert_eq!(index.num_sites(), 5);
    let response = index.search(&SearchRequest::text("Đền Trần")).unwrap();
    assert_eq!(response.hits[0].id, "den-tran-nam-dinh");
    drop(index);

    std::fs::write(path.join("disan-index-version"), "0\n").unwrap();
    let err = open(&path).err().unwrap();
    assert!(
        matches!(err, SearchError::SchemaVersion { found: Some(0), .. }),
        "{err}"
    );
    assert!(err.to_string().contains("disan ingest"), "{err}");
}
