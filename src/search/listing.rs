//! Sites in a stable order, for harvesters and downloads: every site of a set, changed between
//! two dates, page after page.
//!
//! A harvester pages through thousands of sites while the archive may change under it, and
//! must neither miss a site nor be sent back to the start. So sites are listed by
//! (datestamp, id) — when the record last changed, then its id — and a page continues after the
//! (datestamp, id) the previous one ended with, never at an offset: a site changed during a
//! harvest gets a newer datestamp and comes again further on, a new site comes at the end, and
//! nothing that stayed put is skipped. The order is kept per segment by the id column's
//! ordinals (which sort like the ids), so a page costs one pass over the fast columns of the
//! sites not yet listed, and only the page's ids and stored fields are read.
//!
//! Sets are what harvesters select by ([`set_specs`]): the current province, the province
//! before the 2025 reform, the type, the level and red addresses, each value under its kind
//! (`province:ninh-binh` within `province`). Ids a site had before a rename or a merge are
//! listed apart ([`SearchIndex::former_sites`]): harvesters are told they were deleted.

use std::collections::{BTreeSet, BinaryHeap};

use tantivy::query::{AllQuery, BooleanQuery, EnableScoring, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, DocSet, Searcher, TERMINATED, TantivyDocument, Term};

use super::schema::{SiteSchema, names};
use super::{SearchError, SearchIndex};
use crate::fold;
use crate::record::{SiteRecord, SiteType};

/// The sets a record belongs to: `province:ninh-binh`, `legacy-province:nam-dinh`,
/// `type:chua`, `level:national`, `red-address`, and the kind of each (`province`, …).
pub fn set_specs(record: &SiteRecord) -> Vec<String> {
    let mut sets = Vec::new();
    let mut add = |kind: &str, value: Option<String>| {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            sets.push(kind.to_owned());
            sets.push(format!("{kind}:{value}"));
        }
    };
    let location = &record.location;
    add("province", location.province.as_deref().map(fold::slug));
    add(
        "legacy-province",
        location.legacy.province.as_deref().map(fold::slug),
    );
    add("type", record.site_type.as_ref().map(type_set_value));
    add("level", Some(record.level.code().to_owned()));
    if record.red_address {
        sets.push("red-address".to_owned());
    }
    sets
}

/// A type's value in a set spec: the code of a known type (`van_mieu`), the slug of any other
/// label (`cong-lang`), so every spec stays within the characters OAI-PMH allows.
pub fn type_set_value(site_type: &SiteType) -> String {
    match site_type {
        SiteType::Known(known) => known.code().to_owned(),
        SiteType::Other(label) => fold::slug(label),
    }
}

/// When a record last changed, in seconds since 1970: `updated`, else `created`, else 0 (a
/// record written by hand without either).
pub fn datestamp(record: &SiteRecord) -> i64 {
    record
        .updated
        .or(record.created)
        .map_or(0, |at| at.timestamp())
}

/// Which sites a listing wants: one set, datestamps from and until (seconds, inclusive).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    pub set: Option<String>,
    pub from: Option<i64>,
    pub until: Option<i64>,
    /// Only sites with at least one shown photo.
    pub with_photos: bool,
}

impl ListFilter {
    fn admits(&self, listed: &Listed) -> bool {
        self.from.is_none_or(|from| listed.datestamp >= from)
            && self.until.is_none_or(|until| listed.datestamp <= until)
            && self
                .set
                .as_ref()
                .is_none_or(|set| listed.sets.contains(set))
            && (!self.with_photos || listed.photos > 0)
    }
}

/// A published site as a listing shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub id: String,
    pub name: String,
    /// Its folder relative to the archive root (absent in indexes built without one).
    pub folder: Option<String>,
    pub datestamp: i64,
    pub sets: Vec<String>,
    /// How many of its photos are shown.
    pub photos: u64,
}

/// An id a site had before a rename or a merge, with the site that carries it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormerSite {
    pub id: String,
    pub now: Listed,
}

/// A site kept for a page: ordered by datestamp, then id ordinal within its segment.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Kept {
    datestamp: i64,
    ord: u64,
    doc: u32,
}

impl SearchIndex {
    /// Up to `limit` sites of `filter` after `after` (a datestamp and an id), in (datestamp, id)
    /// order. Ask for one more than a page to know whether another page follows.
    pub fn list_sites(
        &self,
        filter: &ListFilter,
        after: Option<(i64, &str)>,
        limit: usize,
    ) -> Result<Vec<Listed>, SearchError> {
        let searcher = self.reader.searcher();
        let s = &self.schema;
        let from = match (filter.from, after) {
            (Some(from), Some((at, _))) => Some(from.max(at)),
            (from, after) => from.or(after.map(|(at, _)| at)),
        };
        let query = filtered(s, filter, from);
        let weight = query
            .weight(EnableScoring::disabled_from_searcher(&searcher))
            .map_err(|e| self.error(e))?;
        let mut candidates: Vec<(i64, String, DocAddress)> = Vec::new();
        for (ordinal, reader) in searcher.segment_readers().iter().enumerate() {
            let stamps = reader
                .fast_fields()
                .i64(names::DATESTAMP)
                .map_err(|e| self.error(e))?;
            let Some(ids) = reader
                .fast_fields()
                .str(names::ID)
                .map_err(|e| self.error(e))?
            else {
                continue;
            };
            // Within `after`'s datestamp, only ids past it: from this ordinal on.
            let first_ord_after = match after {
                None => 0,
                Some((_, id)) => match ids.dictionary().term_ord_or_next(id) {
                    Ok(tantivy::columnar::TermOrdHit::Exact(ord)) => ord + 1,
                    Ok(tantivy::columnar::TermOrdHit::Next(ord)) => ord,
                    Err(e) => return Err(self.error(e.into())),
                },
            };
            let alive = reader.alive_bitset();
            let mut heap: BinaryHeap<Kept> = BinaryHeap::with_capacity(limit.min(1024) + 1);
            let mut scorer = weight.scorer(reader, 1.0).map_err(|e| self.error(e))?;
            let mut doc = scorer.doc();
            while doc != TERMINATED {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    let datestamp = stamps.first(doc).unwrap_or(0);
                    let ord = ids.term_ords(doc).next().unwrap_or(0);
                    let past = match after {
                        None => true,
                        Some((at, _)) => {
                            datestamp > at || (datestamp == at && ord >= first_ord_after)
                        }
                    };
                    let kept = Kept {
                        datestamp,
                        ord,
                        doc,
                    };
                    if past && (heap.len() < limit || heap.peek().is_some_and(|w| kept < *w)) {
                        heap.push(kept);
                        if heap.len() > limit {
                            heap.pop();
                        }
                    }
                }
                doc = scorer.advance();
            }
            let mut bytes = Vec::new();
            for kept in heap {
                bytes.clear();
                if let Ok(true) = ids.dictionary().ord_to_term(kept.ord, &mut bytes) {
                    let id = String::from_utf8_lossy(&bytes).into_owned();
                    candidates.push((
                        kept.datestamp,
                        id,
                        DocAddress::new(ordinal as u32, kept.doc),
                    ));
                }
            }
        }
        candidates.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        candidates.truncate(limit);
        candidates
            .into_iter()
            .map(|(datestamp, id, address)| {
                let doc: TantivyDocument = searcher.doc(address).map_err(|e| self.error(e))?;
                Ok(Listed {
                    id,
                    datestamp,
                    ..self.listed_of(&doc)
                })
            })
            .collect()
    }

    /// How many sites `filter` lists.
    pub fn count_sites(&self, filter: &ListFilter) -> Result<u64, SearchError> {
        let searcher = self.reader.searcher();
        let query = filtered(&self.schema, filter, filter.from);
        query
            .count(&searcher)
            .map(|n| n as u64)
            .map_err(|e| self.error(e))
    }

    /// The published site with this (current) id.
    pub fn listed(&self, id: &str) -> Result<Option<Listed>, SearchError> {
        let searcher = self.reader.searcher();
        let term = Term::from_field_text(self.schema.id, id);
        let Some(doc) = self.first_doc(&searcher, term)? else {
            return Ok(None);
        };
        Ok(Some(self.listed_of(&doc)))
    }

    /// Every id a published site had before a rename or a merge and that no site carries now,
    /// with that site, in no particular order. There are few: a rename is rare.
    pub fn former_sites(&self, filter: &ListFilter) -> Result<Vec<FormerSite>, SearchError> {
        let searcher = self.reader.searcher();
        let s = &self.schema;
        let mut found = Vec::new();
        for (ordinal, reader) in searcher.segment_readers().iter().enumerate() {
            let inverted = reader
                .inverted_index(s.former_ids)
                .map_err(|e| self.error(e))?;
            let mut terms = inverted
                .terms()
                .stream()
                .map_err(|e| self.error(e.into()))?;
            while terms.advance() {
                let former = String::from_utf8_lossy(terms.key()).into_owned();
                let term = Term::from_field_text(s.former_ids, &former);
                let Some(mut postings) = inverted
                    .read_postings(&term, IndexRecordOption::Basic)
                    .map_err(|e| self.error(e.into()))?
                else {
                    continue;
                };
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    if reader.alive_bitset().is_none_or(|a| a.is_alive(doc)) {
                        found.push((former.clone(), DocAddress::new(ordinal as u32, doc)));
                    }
                    doc = postings.advance();
                }
            }
        }
        let mut formers = Vec::new();
        for (id, address) in found {
            let doc: TantivyDocument = searcher.doc(address).map_err(|e| self.error(e))?;
            let now = self.listed_of(&doc);
            let reused = self
                .first_doc(&searcher, Term::from_field_text(s.id, &id))?
                .is_some();
            if !reused && filter.admits(&now) {
                formers.push(FormerSite { id, now });
            }
        }
        Ok(formers)
    }

    /// Every set spec at least one site was indexed with, sorted.
    pub fn set_specs_in_use(&self) -> Result<Vec<String>, SearchError> {
        let searcher = self.reader.searcher();
        let mut specs = BTreeSet::new();
        for reader in searcher.segment_readers() {
            let inverted = reader
                .inverted_index(self.schema.sets)
                .map_err(|e| self.error(e))?;
            let mut terms = inverted
                .terms()
                .stream()
                .map_err(|e| self.error(e.into()))?;
            while terms.advance() {
                specs.insert(String::from_utf8_lossy(terms.key()).into_owned());
            }
        }
        Ok(specs.into_iter().collect())
    }

    /// The oldest datestamp of any site, if there is a site.
    pub fn earliest_datestamp(&self) -> Result<Option<i64>, SearchError> {
        let searcher = self.reader.searcher();
        let mut earliest = None;
        for reader in searcher.segment_readers() {
            if reader.num_docs() == 0 {
                continue;
            }
            let stamps = reader
                .fast_fields()
                .i64(names::DATESTAMP)
                .map_err(|e| self.error(e))?;
            let min = stamps.min_value();
            earliest = Some(earliest.map_or(min, |e: i64| e.min(min)));
        }
        Ok(earliest)
    }

    /// The sites `request` matches, all of them (its offset and limit aside), in the order its
    /// pages list them; at most `max`. Only their places in the index are held: each site is
    /// read as the returned [`Matches`] are walked.
    pub fn matching_sites(
        &self,
        request: &super::SearchRequest,
        max: usize,
    ) -> Result<Matches, super::QueryError> {
        request.validate()?;
        let searcher = self.reader.searcher();
        let words = super::query::QueryWords::analyze(&self.analyzers, &request.q);
        let (collected, _) = self.collect(&searcher, request, &words, max, false)?;
        Ok(Matches {
            docs: collected.top.iter().map(|c| c.doc).collect(),
            searcher,
            schema: self.schema.clone(),
        })
    }

    fn listed_of(&self, doc: &TantivyDocument) -> Listed {
        listed_of(&self.schema, doc)
    }

    fn first_doc(
        &self,
        searcher: &Searcher,
        term: Term,
    ) -> Result<Option<TantivyDocument>, SearchError> {
        let query = TermQuery::new(term, IndexRecordOption::Basic);
        let weight = query
            .weight(EnableScoring::disabled_from_searcher(searcher))
            .map_err(|e| self.error(e))?;
        for (ordinal, reader) in searcher.segment_readers().iter().enumerate() {
            let mut scorer = weight.scorer(reader, 1.0).map_err(|e| self.error(e))?;
            let mut doc = scorer.doc();
            while doc != TERMINATED {
                if reader.alive_bitset().is_none_or(|a| a.is_alive(doc)) {
                    let address = DocAddress::new(ordinal as u32, doc);
                    return searcher.doc(address).map(Some).map_err(|e| self.error(e));
                }
                doc = scorer.advance();
            }
        }
        Ok(None)
    }
}

/// The sites a search matched, in its order, each read from the index when reached.
pub struct Matches {
    searcher: Searcher,
    docs: Vec<DocAddress>,
    schema: SiteSchema,
}

impl Matches {
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }
}

impl IntoIterator for Matches {
    type Item = Listed;
    type IntoIter = Box<dyn Iterator<Item = Listed> + Send>;

    /// A site whose stored fields cannot be read comes without its folder, which the reader
    /// of its record then reports.
    fn into_iter(self) -> Self::IntoIter {
        let Matches {
            searcher,
            docs,
            schema,
        } = self;
        Box::new(docs.into_iter().map(
            move |address| match searcher.doc::<TantivyDocument>(address) {
                Ok(doc) => listed_of(&schema, &doc),
                Err(err) => {
                    tracing::warn!("a matching site cannot be read from the index: {err}");
                    Listed {
                        id: String::new(),
                        name: String::new(),
                        folder: None,
                        datestamp: 0,
                        sets: Vec::new(),
                        photos: 0,
                    }
                }
            },
        ))
    }
}

fn listed_of(s: &SiteSchema, doc: &TantivyDocument) -> Listed {
    Listed {
        id: first_text(doc, s.id).unwrap_or_default(),
        name: first_text(doc, s.name).unwrap_or_default(),
        folder: first_text(doc, s.folder),
        datestamp: doc
            .get_first(s.datestamp)
            .and_then(|v| v.as_i64())
            .unwrap_or(0),
        sets: all_text(doc, s.sets),
        photos: doc
            .get_first(s.photo_count)
            .and_then(|v| v.as_u64())
            .unwrap_or(0),
    }
}

/// The query of `filter`, from the datestamp `from`; everything when it asks for nothing.
fn filtered(s: &SiteSchema, filter: &ListFilter, from: Option<i64>) -> Box<dyn Query> {
    let until = filter.until;
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if filter.with_photos {
        let term = Term::from_field_bool(s.has_photos, true);
        clauses.push((
            Occur::Must,
            Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
        ));
    }
    if let Some(set) = &filter.set {
        let term = Term::from_field_text(s.sets, set);
        clauses.push((
            Occur::Must,
            Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
        ));
    }
    if from.is_some() || until.is_some() {
        let bound = |v: Option<i64>| match v {
            Some(v) => std::ops::Bound::Included(Term::from_field_i64(s.datestamp, v)),
            None => std::ops::Bound::Unbounded,
        };
        clauses.push((
            Occur::Must,
            Box::new(RangeQuery::new(bound(from), bound(until))),
        ));
    }
    if clauses.is_empty() {
        Box::new(AllQuery)
    } else {
        Box::new(BooleanQuery::new(clauses))
    }
}

fn first_text(doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

fn all_text(doc: &TantivyDocument, field: tantivy::schema::Field) -> Vec<String> {
    doc.get_all(field)
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{KnownType, Level};
    use chrono::{TimeZone, Utc};

    fn site(id: &str, province: &str, day: u32) -> SiteRecord {
        let at = Utc.with_ymd_and_hms(2026, 1, day, 0, 0, 0).unwrap();
        let mut r = SiteRecord::new(id, id, at);
        r.location.province = Some(province.into());
        r.site_type = Some(SiteType::Known(KnownType::Chua));
        r.level = Level::National;
        r
    }

    fn index(records: &[SiteRecord]) -> SearchIndex {
        let index = SearchIndex::create_in_ram();
        let mut writer = index.writer(15_000_000).unwrap();
        for r in records {
            let extras = super::super::DocumentExtras {
                folder: Some(format!("f/{}", r.id)),
                ..Default::default()
            };
            writer.add_document(index.document(r, &extras)).unwrap();
        }
        writer.commit().unwrap();
        index.reload().unwrap();
        index
    }

    #[test]
    fn sets_of_a_record() {
        let mut r = site("a", "Ninh Bình", 1);
        r.location.legacy.province = Some("Nam Định".into());
        r.red_address = true;
        r.site_type = SiteType::parse("Cổng làng");
        assert_eq!(
            set_specs(&r),
            [
                "province",
                "province:ninh-binh",
                "legacy-province",
                "legacy-province:nam-dinh",
                "type",
                "type:cong-lang",
                "level",
                "level:national",
                "red-address"
            ]
        );
    }

    #[test]
    fn pages_continue_after_the_last_site_whatever_changes_in_between() {
        let mut records: Vec<SiteRecord> = (0..25)
            .map(|i| {
                site(
                    &format!("s{i:02}"),
                    if i % 2 == 0 {
                        "Ninh Bình"
                    } else {
                        "Hà Nội"
                    },
                    1 + i % 3,
                )
            })
            .collect();
        let index = index(&records);
        let filter = ListFilter::default();
        let mut seen = Vec::new();
        let mut after: Option<(i64, String)> = None;
        loop {
            let page = index
                .list_sites(&filter, after.as_ref().map(|(d, id)| (*d, id.as_str())), 7)
                .unwrap();
            if page.is_empty() {
                break;
            }
            after = page.last().map(|l| (l.datestamp, l.id.clone()));
            seen.extend(page);
        }
        let mut expected: Vec<(i64, String)> = records
            .iter()
            .map(|r| (datestamp(r), r.id.clone()))
            .collect();
        expected.sort();
        let got: Vec<(i64, String)> = seen.iter().map(|l| (l.datestamp, l.id.clone())).collect();
        assert_eq!(got, expected);
        assert_eq!(
            seen[0].folder.as_deref(),
            Some(format!("f/{}", seen[0].id).as_str())
        );

        // A set and a date range.
        let filter = ListFilter {
            set: Some("province:ninh-binh".into()),
            from: Some(datestamp(&records[1])),
            until: Some(datestamp(&records[1])),
            with_photos: false,
        };
        let page = index.list_sites(&filter, None, 100).unwrap();
        let want: Vec<&str> = records
            .iter()
            .filter(|r| r.location.province.as_deref() == Some("Ninh Bình"))
            .filter(|r| datestamp(r) == datestamp(&records[1]))
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(page.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(), want);
        assert_eq!(index.count_sites(&filter).unwrap(), want.len() as u64);

        // A rename: the old id is a former site, listed apart.
        records[3].former_ids = vec!["old-three".into()];
        let index = super::tests::index(&records);
        let formers = index.former_sites(&ListFilter::default()).unwrap();
        assert_eq!(formers.len(), 1);
        assert_eq!(formers[0].id, "old-three");
        assert_eq!(formers[0].now.id, "s03");
        assert!(
            index
                .set_specs_in_use()
                .unwrap()
                .contains(&"province:ha-noi".to_owned())
        );
        assert_eq!(
            index.earliest_datestamp().unwrap(),
            Some(datestamp(&records[0]))
        );
    }
}
