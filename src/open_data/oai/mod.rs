//! An OAI-PMH 2.0 provider: how library catalogues and aggregators (Europeana, national
//! libraries, university portals) harvest the archive's records.
//!
//! All six verbs ([`request`]), one metadata format (`oai_dc`, [`dc`]), sets by current and
//! pre-2025 province, type, level and red address, `from`/`until` on the records' datestamps
//! (when each last changed), and lists split into pages continued by [`token`]s that survive
//! a publication in the middle of a harvest. Sites removed from the archive
//! ([`crate::archive::deletions`]) and the old ids of renamed or merged sites are reported as
//! deleted, for ever (`deletedRecord` is `persistent`).
//!
//! Pages come from the index in (datestamp, id) order ([`crate::search::listing`]); each record
//! is read from its folder, so what is harvested is the archive itself.

pub mod dc;
pub mod request;
pub mod token;

use std::collections::{HashMap, HashSet};
use std::io::Write;

use chrono::{DateTime, Utc};
use quick_xml::Writer;

use crate::admin_units::units;
use crate::archive::deletions;
use crate::fold;
use crate::layout::ArchiveLayout;
use crate::open_data::export::source::read_listed;
use crate::open_data::licence::Licence;
use crate::open_data::xml::{declaration, element, element_with};
use crate::record::SiteRecord;
use crate::record::{KnownType, Level};
use crate::search::{ListFilter, Listed, SearchError, SearchIndex};
use request::{OAI_DC, OaiError, Selection, Verb, datestamp};
use token::Token;

/// Records in one page of ListRecords; identifiers in one page of ListIdentifiers.
pub const RECORDS_PER_PAGE: usize = 200;
pub const IDENTIFIERS_PER_PAGE: usize = 1000;

/// What the provider answers from.
pub struct Repository<'a> {
    pub index: &'a SearchIndex,
    pub archive: &'a ArchiveLayout,
    /// The public origin, `https://disan.example.org`.
    pub origin: &'a str,
    /// Who runs it (Identify's `adminEmail`).
    pub contact_email: &'a str,
    pub licence: Licence,
}

/// One item of a list: a published site or a deleted one.
enum Entry {
    Live(Listed),
    Deleted {
        id: String,
        datestamp: i64,
        sets: Vec<String>,
    },
}

impl Entry {
    fn key(&self) -> (i64, &str) {
        match self {
            Entry::Live(l) => (l.datestamp, &l.id),
            Entry::Deleted { id, datestamp, .. } => (*datestamp, id),
        }
    }
}

impl Repository<'_> {
    /// The response to the decoded arguments of a request, as XML. Protocol errors are part
    /// of the response, as OAI-PMH wants (HTTP 200); a failure to read the index is not.
    pub fn respond(
        &self,
        args: &[(String, String)],
        now: DateTime<Utc>,
    ) -> Result<Vec<u8>, OaiFailure> {
        let body: Result<Vec<u8>, OaiError> = match Verb::parse(args) {
            Ok(verb) => {
                let mut out = Writer::new(Vec::new());
                self.answer(&mut out, &verb)?.map(|()| out.into_inner())
            }
            Err(error) => Err(error),
        };
        let mut w = Writer::new(Vec::with_capacity(16 * 1024));
        declaration(&mut w)?;
        w.get_mut().write_all(
            b"<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\" \
              xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
              xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd\">",
        )?;
        element(&mut w, "responseDate", &datestamp(now.timestamp()))?;
        let base = format!("{}/oai", self.origin);
        // After a badVerb or badArgument, the request is echoed without its arguments.
        if body.as_ref().is_err_and(OaiError::hides_arguments) {
            element(&mut w, "request", &base)?;
        } else {
            let attributes: Vec<(&str, &str)> =
                args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            element_with(&mut w, "request", &attributes, &base)?;
        }
        match body {
            Ok(bytes) => w.get_mut().write_all(&bytes)?,
            Err(error) => element_with(
                &mut w,
                "error",
                &[("code", error.code())],
                &error.to_string(),
            )?,
        }
        w.get_mut().write_all(b"</OAI-PMH>\n")?;
        Ok(w.into_inner())
    }

    fn answer(
        &self,
        w: &mut Writer<Vec<u8>>,
        verb: &Verb,
    ) -> Result<Result<(), OaiError>, OaiFailure> {
        match verb {
            Verb::Identify => {
                self.identify(w)?;
                Ok(Ok(()))
            }
            Verb::ListMetadataFormats { identifier } => {
                if let Some(identifier) = identifier
                    && let Err(e) = self.find(identifier)?
                {
                    return Ok(Err(e));
                }
                w.create_element("ListMetadataFormats")
                    .write_inner_content(|w| {
                        w.create_element("metadataFormat")
                            .write_inner_content(|w| {
                                element(w, "metadataPrefix", OAI_DC)?;
                                element(
                                    w,
                                    "schema",
                                    "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
                                )?;
                                element(
                                    w,
                                    "metadataNamespace",
                                    "http://www.openarchives.org/OAI/2.0/oai_dc/",
                                )
                            })?;
                        Ok::<(), std::io::Error>(())
                    })?;
                Ok(Ok(()))
            }
            Verb::ListSets => {
                let specs = self.index.set_specs_in_use()?;
                w.create_element("ListSets").write_inner_content(|w| {
                    for spec in &specs {
                        w.create_element("set").write_inner_content(|w| {
                            element(w, "setSpec", spec)?;
                            element(w, "setName", &set_name(spec))
                        })?;
                    }
                    Ok::<(), std::io::Error>(())
                })?;
                Ok(Ok(()))
            }
            Verb::GetRecord { identifier } => {
                let entry = match self.find(identifier)? {
                    Ok(entry) => entry,
                    Err(e) => return Ok(Err(e)),
                };
                let Some(record) = self.metadata_of(&entry) else {
                    return Ok(Err(OaiError::IdDoesNotExist(format!(
                        "`{identifier}` cannot be read from the archive at the moment"
                    ))));
                };
                w.create_element("GetRecord")
                    .write_inner_content(|w| self.record(w, &entry, &record))?;
                Ok(Ok(()))
            }
            Verb::ListIdentifiers(selection) => self.list(w, selection, false),
            Verb::ListRecords(selection) => self.list(w, selection, true),
        }
    }

    fn host(&self) -> &str {
        let rest = self
            .origin
            .split_once("://")
            .map_or(self.origin, |(_, rest)| rest);
        let host = rest.split('/').next().unwrap_or(rest);
        host.rsplit_once(':')
            .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
            .map_or(host, |(host, _)| host)
    }

    /// `oai:disan.example.org:den-thai-vi`
    fn identifier(&self, id: &str) -> String {
        format!("oai:{}:{id}", self.host())
    }

    fn identify(&self, w: &mut Writer<Vec<u8>>) -> Result<(), OaiFailure> {
        let earliest = self
            .index
            .earliest_datestamp()?
            .into_iter()
            .chain(self.logged_deletions().values().map(|d| d.0))
            .min()
            .unwrap_or_else(|| Utc::now().timestamp());
        let host = self.host().to_owned();
        // The oai-identifier description's grammar wants a domain name.
        let domain = host.contains('.')
            && host.split('.').all(|part| {
                part.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                    && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        w.create_element("Identify").write_inner_content(|w| {
            element(w, "repositoryName", "Disan — di tích và địa chỉ đỏ Việt Nam")?;
            element(w, "baseURL", &format!("{}/oai", self.origin))?;
            element(w, "protocolVersion", "2.0")?;
            element(w, "adminEmail", self.contact_email)?;
            element(w, "earliestDatestamp", &datestamp(earliest))?;
            element(w, "deletedRecord", "persistent")?;
            element(w, "granularity", "YYYY-MM-DDThh:mm:ssZ")?;
            if domain {
                w.create_element("description").write_inner_content(|w| {
                    w.create_element("oai-identifier")
                        .with_attributes([
                            ("xmlns", "http://www.openarchives.org/OAI/2.0/oai-identifier"),
                            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
                            (
                                "xsi:schemaLocation",
                                "http://www.openarchives.org/OAI/2.0/oai-identifier http://www.openarchives.org/OAI/2.0/oai-identifier.xsd",
                            ),
                        ])
                        .write_inner_content(|w| {
                            element(w, "scheme", "oai")?;
                            element(w, "repositoryIdentifier", &host)?;
                            element(w, "delimiter", ":")?;
                            element(w, "sampleIdentifier", &self.identifier("den-thai-vi"))
                        })?;
                    Ok::<(), std::io::Error>(())
                })?;
            }
            Ok::<(), std::io::Error>(())
        })?;
        Ok(())
    }

    /// What an identifier names: a published site, or a deleted one.
    fn find(&self, identifier: &str) -> Result<Result<Entry, OaiError>, OaiFailure> {
        let missing = || {
            OaiError::IdDoesNotExist(format!(
                "`{identifier}` is not an identifier of this repository (they look like {})",
                self.identifier("den-thai-vi")
            ))
        };
        let prefix = format!("oai:{}:", self.host());
        let Some(id) = identifier
            .strip_prefix(&prefix)
            .filter(|id| fold::is_slug(id))
        else {
            return Ok(Err(missing()));
        };
        if let Some(listed) = self.index.listed(id)? {
            return Ok(Ok(Entry::Live(listed)));
        }
        Ok(self
            .deleted(&ListFilter::default())?
            .into_iter()
            .find(|e| e.key().1 == id)
            .ok_or_else(missing))
    }

    /// The latest line of the record of deletions for each id, by id: (datestamp, sets).
    fn logged_deletions(&self) -> HashMap<String, (i64, Vec<String>)> {
        let (logged, problems) = deletions::read(self.archive);
        for problem in problems {
            tracing::warn!("deleted.jsonl: {problem}");
        }
        let mut latest: HashMap<String, (i64, Vec<String>)> = HashMap::new();
        for d in logged {
            let at = d.at.timestamp();
            if latest.get(&d.id).is_none_or(|(t, _)| *t <= at) {
                latest.insert(d.id, (at, d.sets));
            }
        }
        latest
    }

    /// Every deleted identifier `filter` admits, sorted by (datestamp, id): old ids of renamed
    /// and merged sites, and ids in the record of deletions that no site carries again.
    fn deleted(&self, filter: &ListFilter) -> Result<Vec<Entry>, OaiFailure> {
        let mut entries = Vec::new();
        let mut former_ids = HashSet::new();
        for f in self.index.former_sites(&ListFilter::default())? {
            former_ids.insert(f.id.clone());
            if admits(filter, f.now.datestamp, &f.now.sets) {
                entries.push(Entry::Deleted {
                    id: f.id,
                    datestamp: f.now.datestamp,
                    sets: f.now.sets,
                });
            }
        }
        for (id, (at, sets)) in self.logged_deletions() {
            if former_ids.contains(&id)
                || !admits(filter, at, &sets)
                || self.index.listed(&id)?.is_some()
            {
                continue;
            }
            entries.push(Entry::Deleted {
                id,
                datestamp: at,
                sets,
            });
        }
        entries.sort_by(|a, b| a.key().cmp(&b.key()));
        Ok(entries)
    }

    fn list(
        &self,
        w: &mut Writer<Vec<u8>>,
        selection: &Selection,
        records: bool,
    ) -> Result<Result<(), OaiError>, OaiFailure> {
        let limit = if records {
            RECORDS_PER_PAGE
        } else {
            IDENTIFIERS_PER_PAGE
        };
        let filter = ListFilter {
            set: selection.set.clone(),
            from: selection.from,
            until: selection.until,
            with_photos: false,
        };
        let after = selection.after.as_ref().map(|(d, id)| (*d, id.as_str()));
        let live = self.index.list_sites(&filter, after, limit + 1)?;
        let past = |e: &Entry| after.is_none_or(|a| e.key() > a);
        let deleted: Vec<Entry> = self.deleted(&filter)?.into_iter().filter(past).collect();
        let mut page: Vec<Entry> = live.into_iter().map(Entry::Live).chain(deleted).collect();
        page.sort_by(|a, b| a.key().cmp(&b.key()));
        let more = page.len() > limit;
        page.truncate(limit);
        if page.is_empty() {
            return Ok(Err(OaiError::NoRecordsMatch));
        }
        let next = more.then(|| Selection {
            after: page.last().map(|e| (e.key().0, e.key().1.to_owned())),
            cursor: selection.cursor + page.len() as u64,
            ..selection.clone()
        });
        // Records are read before writing: one that cannot be read is left out of the page
        // (and logged), the rest are sent.
        let metadata: Vec<Option<Metadata>> = page
            .iter()
            .map(|entry| {
                if records {
                    self.metadata_of(entry)
                } else {
                    None
                }
            })
            .collect();
        let name = if records {
            "ListRecords"
        } else {
            "ListIdentifiers"
        };
        w.create_element(name).write_inner_content(|w| {
            for (entry, metadata) in page.iter().zip(&metadata) {
                match (records, metadata) {
                    (true, Some(metadata)) => self.record(w, entry, metadata)?,
                    (true, None) => {}
                    (false, _) => self.header(w, entry)?,
                }
            }
            let cursor = selection.cursor.to_string();
            match &next {
                Some(next) => {
                    element_with(
                        w,
                        "resumptionToken",
                        &[("cursor", &cursor)],
                        &Token::encode(next, records),
                    )?;
                }
                // The last page of a split list says so with an empty token.
                None if selection.after.is_some() => {
                    element_with(w, "resumptionToken", &[("cursor", &cursor)], "")?;
                }
                None => {}
            }
            Ok::<(), std::io::Error>(())
        })?;
        Ok(Ok(()))
    }

    fn header(&self, w: &mut Writer<Vec<u8>>, entry: &Entry) -> std::io::Result<()> {
        let (stamp, id) = entry.key();
        let (sets, deleted) = match entry {
            Entry::Live(l) => (&l.sets, false),
            Entry::Deleted { sets, .. } => (sets, true),
        };
        let attributes: &[(&str, &str)] = if deleted {
            &[("status", "deleted")]
        } else {
            &[]
        };
        w.create_element("header")
            .with_attributes(attributes.iter().copied())
            .write_inner_content(|w| {
                element(w, "identifier", &self.identifier(id))?;
                element(w, "datestamp", &datestamp(stamp))?;
                for set in sets {
                    element(w, "setSpec", set)?;
                }
                Ok::<(), std::io::Error>(())
            })?;
        Ok(())
    }

    /// What a record's `<metadata>` is made from: the site's record as the archive holds it
    /// (none for a deleted one). `None` when a published site's record cannot be read.
    fn metadata_of(&self, entry: &Entry) -> Option<Metadata> {
        match entry {
            Entry::Live(listed) => match read_listed(self.archive, listed) {
                Ok(record) => Some(Some((record, listed.photos))),
                Err(problem) => {
                    tracing::warn!("OAI-PMH: {problem}");
                    None
                }
            },
            Entry::Deleted { .. } => Some(None),
        }
    }

    fn record(
        &self,
        w: &mut Writer<Vec<u8>>,
        entry: &Entry,
        metadata: &Metadata,
    ) -> std::io::Result<()> {
        let context = dc::DcContext {
            origin: self.origin,
            licence: self.licence,
        };
        w.create_element("record").write_inner_content(|w| {
            self.header(w, entry)?;
            if let Some((record, photos)) = metadata {
                w.create_element("metadata")
                    .write_inner_content(|w| dc::write(w, record, *photos, &context))?;
            }
            Ok::<(), std::io::Error>(())
        })?;
        Ok(())
    }
}

/// A record and how many of its photos are shown; `None` for a deleted one.
type Metadata = Option<(SiteRecord, u64)>;

/// A failure of the repository itself (not of the request): answered with HTTP 500.
#[derive(Debug, thiserror::Error)]
pub enum OaiFailure {
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error("the response could not be written: {0}")]
    Io(#[from] std::io::Error),
}

fn admits(filter: &ListFilter, datestamp: i64, sets: &[String]) -> bool {
    filter.from.is_none_or(|f| datestamp >= f)
        && filter.until.is_none_or(|u| datestamp <= u)
        && filter.set.as_ref().is_none_or(|s| sets.contains(s))
}

/// A set's name in both languages: `Tỉnh, thành phố hiện nay: Ninh Bình / Province: Ninh Bình`.
pub fn set_name(spec: &str) -> String {
    let (kind, value) = spec.split_once(':').unwrap_or((spec, ""));
    let kind_name = match kind {
        "province" => "Tỉnh, thành phố (từ 2025) / Province (since 2025)",
        "legacy-province" => "Tỉnh, thành phố (trước 2025) / Province (before 2025)",
        "type" => "Loại hình / Type",
        "level" => "Xếp hạng / Level",
        "red-address" => "Địa chỉ đỏ / Red address",
        _ => kind,
    };
    if value.is_empty() {
        return kind_name.to_owned();
    }
    let table = units();
    let value_name = match kind {
        "province" => table
            .provinces()
            .iter()
            .find(|p| fold::slug(&p.short) == value)
            .map(|p| p.short.clone()),
        "legacy-province" => table
            .legacy_province_list()
            .iter()
            .find(|p| fold::slug(&p.short) == value)
            .map(|p| p.short.clone()),
        "type" => KnownType::ALL
            .iter()
            .find(|t| t.code() == value)
            .map(|t| format!("{} / {}", t.label_vi(), t.label_en())),
        "level" => Level::ALL
            .iter()
            .find(|l| l.code() == value)
            .map(|l| format!("{} / {}", l.label_vi(), l.label_en())),
        _ => None,
    };
    format!(
        "{kind_name}: {}",
        value_name.unwrap_or_else(|| value.replace('-', " "))
    )
}

#[cfg(test)]
mod tests;
