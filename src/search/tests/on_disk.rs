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
        replace_first_site(&index, &mut writer);
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

#[test]
fn a_rebuild_commits_one_segment_that_answers_as_the_many_did() {
    let dir = tempfile::tempdir().unwrap();
    let build = |name: &str, one_segment: bool| {
        let index = SearchIndex::create(&dir.path().join(name)).unwrap();
        let mut writer = index.writer(15_000_000).unwrap();
        // Each commit leaves a segment of its own, as a writer that fills its budget does.
        for batch in sites().chunks(3) {
            for site in batch {
                writer
                    .add_document(index.document(&site.record, &site.extras))
                    .unwrap();
            }
            writer.commit().unwrap();
        }
        // A replaced site: the merge must drop the deleted copy.
        replace_first_site(&index, &mut writer);
        writer.commit().unwrap();
        if one_segment {
            index.merge_into_one_segment(writer).unwrap();
        } else {
            writer.wait_merging_threads().unwrap();
        }
        index.reload().unwrap();
        index
    };
    let many = build("many", false);
    let one = build("one", true);
    let segments = |index: &SearchIndex| index.index.searchable_segment_ids().unwrap().len();
    assert!(segments(&many) > 1, "{}", segments(&many));
    assert_eq!(segments(&one), 1);
    assert_eq!(one.num_sites(), sites().len() as u64);
    for text in ["Đền Trần", "chua", "ha noi", "Nguyễn", "đình làng"] {
        let a = many.search(&SearchRequest::text(text)).unwrap();
        let b = one.search(&SearchRequest::text(text)).unwrap();
        assert_eq!(a.total, b.total, "{text}");
        let hits = |r: &crate::search::SearchResponse| {
            r.hits
                .iter()
                .map(|h| (h.id.clone(), h.snippet.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(hits(&a), hits(&b), "{text}");
    }
}

/// Deletes the first fixture site by its id and adds it again, as ingest replaces a site.
fn replace_first_site(index: &SearchIndex, writer: &mut tantivy::IndexWriter) {
    let first = &sites()[0];
    writer.delete_term(index.id_term(&first.record.id));
    writer
        .add_document(index.document(&first.record, &first.extras))
        .unwrap();
}
