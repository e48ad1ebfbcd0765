//! Search: the only code that knows about tantivy. It turns site records into documents of a
//! Vietnamese-aware index and answers searches, facet counts, "near me" and suggestions from it.
//!
//! - [`analyzer`] — how text becomes words (NFC, lowercase, accent folding, English stemming);
//! - [`schema`] — the fields and [`INDEX_SCHEMA_VERSION`];
//! - [`document`] — a [`SiteRecord`] (plus [`DocumentExtras`]) as a document;
//! - [`request`] and [`api`] — what a search asks and answers (the JSON API's shapes);
//! - [`listing`] — sites in (datestamp, id) order by set and date, for harvesters and
//!   downloads, and every site a search matches;
//! - `query`, `scoring`, `stats`, `postings`, `phrases`, `typo`, `walk`, `collector`,
//!   `stored`, `snippet`, `engine`, `suggest` — answering, with what they read from the index
//!   kept in the crate's memos (`crate::memo`).
//!
//! `disan ingest` builds the index ([`SearchIndex::create`], [`SearchIndex::writer`],
//! [`SearchIndex::document`]); `disan serve` and `disan search` only read it ([`open`]).

pub mod analyzer;
pub mod api;
mod browse;
mod collector;
mod dense;
pub mod document;
mod engine;
mod error;
pub mod eval;
pub mod geo;
pub mod listing;
mod phrases;
mod postings;
mod pruning;
mod query;
mod remembered;
pub mod request;
pub mod schema;
mod scoring;
mod site_scorer;
mod snippet;
mod stats;
mod stored;
mod suggest;
mod tally;
mod typo;
mod walk;

#[cfg(test)]
mod tests;

use std::fs;
use std::path::{Path, PathBuf};

use tantivy::directory::MmapDirectory;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::record::SiteRecord;
use analyzer::Analyzers;

pub use api::{FacetValue, Facets, Hit, Label, SearchResponse, SuggestResponse, Suggestion};
pub use document::DocumentExtras;
pub use error::{QueryError, SearchError};
pub use listing::{FormerSite, ListFilter, Listed, Matches};
pub use query::province_key;
pub use request::{SearchRequest, Sort};
pub use schema::{INDEX_SCHEMA_VERSION, SiteSchema};
/// The HTML escaping snippets use; the web templates share it.
pub use snippet::{escape_into as escape_html_into, write_escaped as write_html_escaped};

/// The smallest budget tantivy accepts for a writer's one indexing thread, in bytes.
pub const MIN_WRITER_BUDGET: usize = 15_000_000;

/// Stored documents are compressed this many bytes at a time (tantivy's default is 16 kB).
/// A result page reads twenty sites from all over the archive, and each costs the whole
/// block it sits in: a quarter of the default decompresses a quarter as much per site, for
/// a store about a tenth larger.
const DOCSTORE_BLOCK_BYTES: usize = 4_096;

/// The file in the index folder that records [`INDEX_SCHEMA_VERSION`].
const VERSION_FILE: &str = "disan-index-version";

/// A search index with its reader: cheap to share between threads (`&SearchIndex` is all a
/// request needs).
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    schema: SiteSchema,
    analyzers: Analyzers,
    facet_values: collector::FacetValueCache,
    browse: browse::BrowseCache,
    stored: stored::StoredDocs,
    term_stats: stats::TermStatsCache,
    /// Where the index lives, for error messages; `None` in memory.
    path: Option<PathBuf>,
}

/// Opens the index in `dir` for searching; the binary's entry point.
pub fn open(dir: impl AsRef<Path>) -> Result<SearchIndex, SearchError> {
    SearchIndex::open(dir.as_ref())
}

impl SearchIndex {
    /// Opens an existing index, refusing one written with another layout.
    pub fn open(dir: &Path) -> Result<SearchIndex, SearchError> {
        let path = dir.to_path_buf();
        let found = Self::stored_version(dir);
        if !dir.join("meta.json").is_file() {
            return Err(SearchError::Missing { path });
        }
        if found != Some(INDEX_SCHEMA_VERSION) {
            return Err(SearchError::SchemaVersion {
                path,
                found,
                expected: INDEX_SCHEMA_VERSION,
            });
        }
        let index = Index::open_in_dir(dir).map_err(|source| SearchError::Index {
            path: path.clone(),
            source,
        })?;
        let Some(schema) = SiteSchema::matches(&index.schema()) else {
            return Err(SearchError::SchemaVersion {
                path,
                found,
                expected: INDEX_SCHEMA_VERSION,
            });
        };
        Self::with(index, schema, ReloadPolicy::OnCommitWithDelay, Some(path))
    }

    /// Creates a new, empty index in `dir` (created if needed; it must not hold an index yet).
    /// Build into a fresh folder and rename it into place, so readers never see half an index.
    pub fn create(dir: &Path) -> Result<SearchIndex, SearchError> {
        let path = dir.to_path_buf();
        fs::create_dir_all(dir).map_err(|source| SearchError::Io {
            path: path.clone(),
            source,
        })?;
        let schema = SiteSchema::build();
        let directory = MmapDirectory::open(dir).map_err(|e| SearchError::Index {
            path: path.clone(),
            source: e.into(),
        })?;
        let settings = tantivy::IndexSettings {
            docstore_blocksize: DOCSTORE_BLOCK_BYTES,
            ..Default::default()
        };
        let index =
            Index::create(directory, schema.schema.clone(), settings).map_err(|source| {
                SearchError::Index {
                    path: path.clone(),
                    source,
                }
            })?;
        fs::write(dir.join(VERSION_FILE), format!("{INDEX_SCHEMA_VERSION}\n")).map_err(
            |source| SearchError::Io {
                path: dir.join(VERSION_FILE),
                source,
            },
        )?;
        Self::with(index, schema, ReloadPolicy::OnCommitWithDelay, Some(path))
    }

    /// A new index in memory, for tests and benchmarks. Call [`Self::reload`] after commits.
    pub fn create_in_ram() -> SearchIndex {
        let schema = SiteSchema::build();
        let index = Index::create_in_ram(schema.schema.clone());
        Self::with(index, schema, ReloadPolicy::Manual, None)
            .expect("an in-memory index always has a reader")
    }

    /// The layout version recorded in `dir`, if any: `disan ingest` rebuilds the index when it
    /// differs from [`INDEX_SCHEMA_VERSION`].
    pub fn stored_version(dir: &Path) -> Option<u32> {
        fs::read_to_string(dir.join(VERSION_FILE))
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    fn with(
        index: Index,
        schema: SiteSchema,
        policy: ReloadPolicy,
        path: Option<PathBuf>,
    ) -> Result<SearchIndex, SearchError> {
        let analyzers = Analyzers::default();
        analyzer::register(&index, &analyzers);
        let reader = index
            .reader_builder()
            .reload_policy(policy)
            .try_into()
            .map_err(|source| match &path {
                Some(path) => SearchError::Index {
                    path: path.clone(),
                    source,
                },
                None => SearchError::Engine(source),
            })?;
        Ok(SearchIndex {
            index,
            reader,
            schema,
            analyzers,
            facet_values: Default::default(),
            browse: Default::default(),
            stored: Default::default(),
            term_stats: Default::default(),
            path,
        })
    }

    /// A writer with `memory_budget` bytes (tantivy needs at least [`MIN_WRITER_BUDGET`]).
    ///
    /// One indexing thread: each thread writes its own segment, and every search pays a setup
    /// cost per segment and per query term (a third of a search on the real records with two
    /// segments). An archive of tens of thousands of sites indexes in a few seconds on one
    /// thread and fits one segment while it fits the budget.
    pub fn writer(&self, memory_budget: usize) -> Result<IndexWriter, SearchError> {
        self.index
            .writer_with_num_threads(1, memory_budget)
            .map_err(|source| match (&source, &self.path) {
                (tantivy::TantivyError::LockFailure(..), Some(path)) => {
                    SearchError::InUse { path: path.clone() }
                }
                _ => self.error(source),
            })
    }

    /// Merges every segment into one once `writer` (committed) has finished its own merges,
    /// waiting for the merge.
    ///
    /// The writer flushes a new segment each time it fills its budget (three at 100,000
    /// sites), and a search pays for each: per segment it opens every query word, reads every
    /// phrase boost and keeps its own top sites, none of which can prune with another's bar.
    /// With one segment the distinct queries at 100,000 sites took about 4 % less CPU, for
    /// 15–20 s more of a full ingest (benches/README).
    pub fn merge_into_one_segment(&self, writer: IndexWriter) -> Result<(), SearchError> {
        // Merges the writer's own policy started must end first: the full merge needs every
        // segment, and one held by another merge would fail it.
        writer
            .wait_merging_threads()
            .map_err(|source| self.error(source))?;
        let mut writer = self.writer(MIN_WRITER_BUDGET)?;
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        let segments = self
            .index
            .searchable_segment_ids()
            .map_err(|source| self.error(source))?;
        if segments.len() > 1 {
            writer
                .merge(&segments)
                .wait()
                .map_err(|source| self.error(source))?;
        }
        writer
            .wait_merging_threads()
            .map_err(|source| self.error(source))
    }

    /// The document for a site; add it with `writer.add_document`.
    pub fn document(&self, record: &SiteRecord, extras: &DocumentExtras) -> TantivyDocument {
        document::site_document(&self.schema, &self.analyzers, record, extras)
    }

    /// The term that names a site, for `writer.delete_term` before re-adding it.
    pub fn id_term(&self, id: &str) -> Term {
        Term::from_field_text(self.schema.id, id)
    }

    /// Makes the latest commit visible now rather than after the reader's short delay.
    pub fn reload(&self) -> Result<(), SearchError> {
        self.reader.reload().map_err(|source| self.error(source))
    }

    /// The generation of the searched index: changes with every commit that becomes visible.
    pub fn generation(&self) -> u64 {
        self.reader.searcher().generation().generation_id()
    }

    /// How many sites are searchable.
    pub fn num_sites(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn schema(&self) -> &SiteSchema {
        &self.schema
    }

    fn error(&self, source: tantivy::TantivyError) -> SearchError {
        match &self.path {
            Some(path) => SearchError::Index {
                path: path.clone(),
                source,
            },
            None => SearchError::Engine(source),
        }
    }
}
