//! One pass over the matching sites that yields everything a result page needs: the total, the
//! best `k` in a stable order, the distance from "near me" and the facet counts.
//!
//! Order is total and stable across pages: best score (or nearest) first, ties broken by site
//! id. Within a segment ids are compared by their fast-column ordinal, which sorts like the id
//! itself; only when kept sites of different segments tie are their ids read as strings
//! (reading every kept id would scan the id dictionary on every search). Facets are counted by
//! ordinal, from arrays read once per segment (see [`FacetColumn`]), and named only once per
//! segment. The exact radius test of "near me" happens here, after the index has narrowed the
//! candidates to a bounding box.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::convert::Infallible;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::index::SegmentId;
use tantivy::query::Weight;
use tantivy::{DocAddress, DocId, DocSet, Score, SegmentOrdinal, SegmentReader, TERMINATED};

use super::geo::haversine_km;
use super::pruning::{Floor, MAX_PRIOR_LIFT};
use super::query::FacetKind;
use super::schema::names;
use crate::memo::Memo;

/// How much the prominence prior (0–9) can lift a score: 1.5 % a step, so it only reorders
/// sites whose text matches about equally well. (`pruning::MAX_PRIOR_LIFT` bounds nine steps.)
const PRIOR_STEP: f32 = 0.015;

/// Every facet column of a segment as plain arrays, and the opened string columns. Segments
/// never change, so a column is read once per segment instead of once per search, and opened
/// once (opening one parses its dictionary's index: five columns a search were a thirtieth of
/// its time).
#[derive(Default)]
pub(crate) struct FacetValueCache {
    values: Memo<(SegmentId, FacetKind), FacetValues, MAX_FACET_ORDINALS>,
    columns: Memo<(SegmentId, &'static str), Option<StrColumn>, MAX_CACHED_COLUMNS>,
}

type FacetValues = Arc<FacetColumn>;

/// One facet column of one segment: its values by ordinal, and each site's ordinals.
///
/// A broad search counts four facets over tens of thousands of matching sites. Asked of the
/// fast column, each count was a lookup in its compressed row index and another in its
/// compressed values: about 7 % of the benchmark's search time in a profile. Here it is one
/// read of an array when every site holds at most one value (as every facet of a Disan index
/// does), two when some hold more. The arrays take 4 bytes a site and facet, 8 when sites hold
/// several values (about 2 MB for 100,000 sites and four facets).
#[derive(Debug, Default)]
struct FacetColumn {
    names: Vec<String>,
    /// Where each site's ordinals start in `ords`, one entry more than the segment has sites;
    /// empty when each site holds at most one value, and then `ords` has one entry a site
    /// ([`NO_VALUE`] for none).
    starts: Vec<u32>,
    ords: Vec<u32>,
}

/// A site without a value, when sites have one value at most.
const NO_VALUE: u32 = u32::MAX;

impl FacetColumn {
    fn read(column: &StrColumn, max_doc: DocId) -> FacetColumn {
        let mut names = Vec::with_capacity(column.dictionary().num_terms());
        if let Ok(mut stream) = column.dictionary().stream() {
            while stream.advance() {
                names.push(String::from_utf8_lossy(stream.key()).into_owned());
            }
        }
        // An ordinal past the dictionary (or the one meaning "none") cannot be counted: it is
        // left out here, once.
        let countable = names.len().min(NO_VALUE as usize) as u64;
        let ords_of = |doc| {
            column
                .term_ords(doc)
                .filter(move |&ord| ord < countable)
                .map(|ord| ord as u32)
        };
        let mut ords = Vec::with_capacity(max_doc as usize);
        for doc in 0..max_doc {
            let mut of_doc = ords_of(doc);
            ords.push(of_doc.next().unwrap_or(NO_VALUE));
            if of_doc.next().is_some() {
                return FacetColumn::read_many(names, max_doc, ords_of);
            }
        }
        FacetColumn {
            names,
            starts: Vec::new(),
            ords,
        }
    }

    /// The layout for sites holding several values.
    fn read_many<I: Iterator<Item = u32>>(
        names: Vec<String>,
        max_doc: DocId,
        ords_of: impl Fn(DocId) -> I,
    ) -> FacetColumn {
        let mut starts = Vec::with_capacity(max_doc as usize + 1);
        let mut ords = Vec::with_capacity(max_doc as usize);
        for doc in 0..max_doc {
            starts.push(ords.len() as u32);
            ords.extend(ords_of(doc));
        }
        starts.push(ords.len() as u32);
        FacetColumn {
            names,
            starts,
            ords,
        }
    }

    /// The ordinals of `doc`'s values (none for a site past the segment's end).
    #[inline]
    fn of(&self, doc: DocId) -> &[u32] {
        let at = doc as usize;
        if self.starts.is_empty() {
            return match self.ords.get(at) {
                Some(&ord) if ord != NO_VALUE => &self.ords[at..=at],
                _ => &[],
            };
        }
        match (self.starts.get(at), self.starts.get(at + 1)) {
            (Some(&start), Some(&end)) => &self.ords[start as usize..end as usize],
            _ => &[],
        }
    }
}

/// Opened columns kept at most: merged-away segments leave entries nobody asks for again, and
/// opening one again parses its dictionary's index.
const MAX_CACHED_COLUMNS: usize = 256;

/// Facet ordinals kept at most, over all segments and facets (4 bytes each, so 64 MB): four
/// facets of 300,000 sites take 1.2 million, and every approval made live brings a new
/// segment while merged-away ones are only forgotten, so the bound is by size, not by count.
const MAX_FACET_ORDINALS: usize = 16_000_000;

impl FacetValueCache {
    /// The string column `name` of `reader`'s segment, if it has one.
    fn str_column(
        &self,
        reader: &SegmentReader,
        name: &'static str,
    ) -> tantivy::Result<Option<StrColumn>> {
        self.columns.get_or(
            (reader.segment_id(), name),
            |_| 0,
            || reader.fast_fields().str(name),
        )
    }

    fn values(&self, reader: &SegmentReader, kind: FacetKind, column: &StrColumn) -> FacetValues {
        let read = || -> Result<FacetValues, Infallible> {
            Ok(Arc::new(FacetColumn::read(column, reader.max_doc())))
        };
        let size = |column: &FacetValues| column.starts.len() + column.ords.len();
        match self.values.get_or((reader.segment_id(), kind), size, read) {
            Ok(values) => values,
            Err(never) => match never {},
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    Relevance,
    Distance,
}

/// What to collect.
pub(crate) struct SiteCollector<'a> {
    pub cache: &'a FacetValueCache,
    /// How many of the best to keep (offset + limit); 0 to only count.
    pub top: usize,
    pub order: Order,
    pub near: Option<(f64, f64)>,
    pub radius_km: Option<f64>,
    pub facets: Vec<FacetKind>,
    /// Raised as the page fills, so the scorer can skip sites that cannot enter it.
    pub floor: Arc<Floor>,
}

/// One of the best sites.
#[derive(Clone)]
pub(crate) struct Candidate {
    /// Smaller is better: the negated score, or the distance.
    pub key: f64,
    /// The relevance score (BM25 with the query's boosts), whatever the order.
    pub score: f32,
    pub doc: DocAddress,
    pub distance_km: Option<f64>,
    /// The site id's ordinal in its segment's id column, which orders like the id.
    id_ord: u64,
    ids: Option<StrColumn>,
}

impl std::fmt::Debug for Candidate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Candidate")
            .field("key", &self.key)
            .field("doc", &self.doc)
            .field("id_ord", &self.id_ord)
            .finish()
    }
}

impl Candidate {
    /// The site id, read from the id column; empty when unreadable (the hit itself is read
    /// from the store).
    fn id(&self) -> String {
        let mut bytes = Vec::new();
        match &self.ids {
            Some(ids)
                if matches!(
                    ids.dictionary().ord_to_term(self.id_ord, &mut bytes),
                    Ok(true)
                ) =>
            {
                String::from_utf8_lossy(&bytes).into_owned()
            }
            _ => String::new(),
        }
    }
}

/// Sorts candidates by key, ties by id: by ordinal within a segment, by the id itself across.
fn sort_candidates(top: &mut [Candidate]) {
    top.sort_by(|a, b| {
        a.key
            .total_cmp(&b.key)
            .then(a.doc.segment_ord.cmp(&b.doc.segment_ord))
            .then(a.id_ord.cmp(&b.id_ord))
    });
    let mut start = 0;
    while start < top.len() {
        let end = start + top[start..].partition_point(|c| c.key == top[start].key);
        let run = &mut top[start..end];
        if run
            .iter()
            .any(|c| c.doc.segment_ord != run[0].doc.segment_ord)
        {
            let mut named: Vec<(String, Candidate)> =
                run.iter().map(|c| (c.id(), c.clone())).collect();
            named.sort_by(|a, b| a.0.cmp(&b.0));
            for (slot, (_, c)) in run.iter_mut().zip(named) {
                *slot = c;
            }
        }
        start = end.max(start + 1);
    }
}

/// What one pass found.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    pub total: u64,
    pub top: Vec<Candidate>,
    /// Per counted facet: (value, count), most frequent first.
    pub facets: Vec<(FacetKind, Vec<(String, u64)>)>,
}

fn facet_column_name(kind: FacetKind) -> &'static str {
    match kind {
        FacetKind::Province => names::PROVINCE,
        FacetKind::Type => names::TYPE,
        FacetKind::Level => names::LEVEL,
        FacetKind::Category => names::CATEGORY,
    }
}

impl Collector for SiteCollector<'_> {
    type Fruit = Collected;
    type Child = SegmentSites;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentSites> {
        let fast = reader.fast_fields();
        let mut facets = Vec::with_capacity(self.facets.len());
        for &kind in &self.facets {
            let column = self.cache.str_column(reader, facet_column_name(kind))?;
            let values = match &column {
                Some(column) => self.cache.values(reader, kind, column),
                None => Arc::default(),
            };
            let counts = vec![0u32; values.names.len()];
            facets.push(FacetCounter {
                kind,
                values,
                counts,
            });
        }
        let geo = self.near.is_some() || self.order == Order::Distance;
        Ok(SegmentSites {
            segment,
            top: self.top,
            order: self.order,
            near: self.near,
            radius_km: self.radius_km,
            ids: self.cache.str_column(reader, names::ID)?,
            lat: if geo {
                fast.column_opt(names::LAT)?
            } else {
                None
            },
            lon: if geo {
                fast.column_opt(names::LON)?
            } else {
                None
            },
            prior: fast.column_opt(names::PRIOR)?,
            facets,
            heap: BinaryHeap::with_capacity(self.top.min(1024) + 1),
            total: 0,
            floor: (self.order == Order::Relevance && self.top > 0).then(|| self.floor.clone()),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.order == Order::Relevance && self.top > 0
    }

    /// Every matching site is collected (the total and facets need them all); when a page of
    /// the best is kept, the scorer learns the page's floor and skips exact scores below it.
    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment_ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Collected> {
        let mut sites = self.for_segment(segment_ord, reader)?;
        let alive = reader.alive_bitset();
        if self.requires_scoring() {
            let mut scorer = weight.scorer(reader, 1.0)?;
            // Every live matching site competes for the page unless a radius leaves some out.
            let page = if self.radius_km.is_none() {
                self.top
            } else {
                0
            };
            super::site_scorer::watch_floor(scorer.as_mut(), self.floor.clone(), page);
            let mut doc = scorer.doc();
            while doc != TERMINATED {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    let score = scorer.score();
                    sites.collect(doc, score);
                }
                doc = scorer.advance();
            }
        } else {
            weight.for_each_no_score(reader, &mut |docs| {
                for &doc in docs {
                    if alive.is_none_or(|a| a.is_alive(doc)) {
                        sites.collect(doc, 0.0);
                    }
                }
            })?;
        }
        Ok(sites.harvest())
    }

    fn merge_fruits(&self, fruits: Vec<Collected>) -> tantivy::Result<Collected> {
        let mut total = 0;
        let mut top = Vec::new();
        let mut counts: Vec<(FacetKind, HashMap<String, u64>)> =
            self.facets.iter().map(|&k| (k, HashMap::new())).collect();
        for fruit in fruits {
            total += fruit.total;
            top.extend(fruit.top);
            for (kind, values) in fruit.facets {
                if let Some((_, merged)) = counts.iter_mut().find(|(k, _)| *k == kind) {
                    for (value, count) in values {
                        *merged.entry(value).or_default() += count;
                    }
                }
            }
        }
        sort_candidates(&mut top);
        top.truncate(self.top);
        let facets = counts
            .into_iter()
            .map(|(kind, merged)| {
                let mut values: Vec<(String, u64)> = merged.into_iter().collect();
                values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                (kind, values)
            })
            .collect();
        Ok(Collected { total, top, facets })
    }
}

/// A kept site within a segment; the heap keeps the worst on top.
#[derive(Debug, Clone, Copy)]
struct Entry {
    key: f64,
    score: f32,
    id_ord: u64,
    doc: DocId,
    distance_km: Option<f64>,
}

impl Entry {
    fn rank(&self, other: &Self) -> Ordering {
        self.key
            .total_cmp(&other.key)
            .then(self.id_ord.cmp(&other.id_ord))
            .then(self.doc.cmp(&other.doc))
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.rank(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.rank(other)
    }
}

/// Counts per ordinal of one facet column in one segment.
struct FacetCounter {
    kind: FacetKind,
    values: FacetValues,
    counts: Vec<u32>,
}

pub(crate) struct SegmentSites {
    segment: SegmentOrdinal,
    top: usize,
    order: Order,
    near: Option<(f64, f64)>,
    radius_km: Option<f64>,
    ids: Option<StrColumn>,
    lat: Option<Column<f64>>,
    lon: Option<Column<f64>>,
    prior: Option<Column<u64>>,
    facets: Vec<FacetCounter>,
    heap: BinaryHeap<Entry>,
    total: u64,
    /// Raised to what a site must score to enter a full page (relevance order only).
    floor: Option<Arc<Floor>>,
}

impl SegmentSites {
    fn distance(&self, doc: DocId) -> Option<f64> {
        let center = self.near?;
        let lat = self.lat.as_ref()?.first(doc)?;
        let lon = self.lon.as_ref()?.first(doc)?;
        Some(haversine_km(center, (lat, lon)))
    }

    fn key(&self, doc: DocId, score: Score, distance: Option<f64>) -> f64 {
        match self.order {
            Order::Relevance => {
                let prior = self.prior.as_ref().and_then(|p| p.first(doc)).unwrap_or(0);
                -f64::from(score * (1.0 + PRIOR_STEP * prior as f32))
            }
            Order::Distance => distance.unwrap_or(f64::INFINITY),
        }
    }

    fn id_ord(&self, doc: DocId) -> u64 {
        let ord = self.ids.as_ref().and_then(|ids| ids.term_ords(doc).next());
        ord.unwrap_or(u64::from(doc))
    }
}

impl SegmentCollector for SegmentSites {
    type Fruit = Collected;

    fn collect(&mut self, doc: DocId, score: Score) {
        let distance = self.distance(doc);
        if let Some(radius) = self.radius_km
            && !distance.is_some_and(|d| d <= radius)
        {
            return;
        }
        self.total += 1;
        for facet in &mut self.facets {
            for &ord in facet.values.of(doc) {
                facet.counts[ord as usize] += 1;
            }
        }
        if self.top == 0 {
            return;
        }
        // Below the floor (which allows for the largest prior lift): out, without reading
        // the prior. The small margin keeps rounding on the safe side.
        if let Some(floor) = &self.floor
            && self.heap.len() >= self.top
            && score < floor.get() * 0.999
        {
            return;
        }
        let key = self.key(doc, score, distance);
        if self.heap.len() >= self.top && self.heap.peek().is_some_and(|worst| key > worst.key) {
            return;
        }
        let entry = Entry {
            key,
            score,
            id_ord: self.id_ord(doc),
            doc,
            distance_km: distance,
        };
        if self.heap.len() < self.top {
            self.heap.push(entry);
        } else if let Some(mut worst) = self.heap.peek_mut()
            && entry < *worst
        {
            *worst = entry;
        }
        // A full page: a site must beat its worst, whose key is the negated lifted score.
        if let Some(floor) = &self.floor
            && self.heap.len() >= self.top
            && let Some(worst) = self.heap.peek()
        {
            floor.raise((-worst.key) as f32 / MAX_PRIOR_LIFT);
        }
    }

    fn harvest(self) -> Collected {
        let top = self
            .heap
            .into_iter()
            .map(|entry| Candidate {
                key: entry.key,
                score: entry.score,
                doc: DocAddress::new(self.segment, entry.doc),
                distance_km: entry.distance_km,
                id_ord: entry.id_ord,
                ids: self.ids.clone(),
            })
            .collect();
        let facets = self
            .facets
            .into_iter()
            .map(|facet| {
                let values = facet
                    .counts
                    .iter()
                    .zip(facet.values.names.iter())
                    .filter(|(count, _)| **count > 0)
                    .map(|(count, name)| (name.clone(), u64::from(*count)))
                    .collect();
                (facet.kind, values)
            })
            .collect();
        Collected {
            total: self.total,
            top,
            facets,
        }
    }
}

#[cfg(test)]
mod tests {
    use tantivy::schema::{FAST, STRING, Schema};
    use tantivy::{Index, TantivyDocument};

    use super::*;

    /// The column `tag` of a one-segment index of `sites`, each with its values.
    fn column_of(sites: &[&[&str]]) -> (StrColumn, DocId) {
        let mut schema = Schema::builder();
        let tag = schema.add_text_field("tag", STRING | FAST);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer(15_000_000).expect("writer");
        for values in sites {
            let mut doc = TantivyDocument::default();
            for value in *values {
                doc.add_text(tag, value);
            }
            writer.add_document(doc).expect("added");
        }
        writer.commit().expect("committed");
        let searcher = index.reader().expect("reader").searcher();
        let reader = searcher.segment_reader(0);
        let column = reader
            .fast_fields()
            .str("tag")
            .expect("read")
            .expect("a column");
        (column, reader.max_doc())
    }

    fn values(column: &FacetColumn, doc: DocId) -> Vec<&str> {
        column
            .of(doc)
            .iter()
            .map(|&ord| column.names[ord as usize].as_str())
            .collect()
    }

    #[test]
    fn each_site_has_its_values_whether_one_or_several() {
        let one: &[&[&str]] = &[&["chùa"], &[], &["đình"], &["chùa"]];
        let several: &[&[&str]] = &[&["chùa"], &[], &["đình", "chùa"], &["đền"]];
        for sites in [one, several] {
            let (column, max_doc) = column_of(sites);
            let read = FacetColumn::read(&column, max_doc);
            assert_eq!(read.starts.is_empty(), sites == one, "the layout");
            for (doc, want) in sites.iter().enumerate() {
                let mut got = values(&read, doc as DocId);
                got.sort_unstable();
                let mut want = want.to_vec();
                want.sort_unstable();
                assert_eq!(got, want, "site {doc}");
            }
            assert!(read.of(max_doc).is_empty(), "past the end");
        }
    }
}
