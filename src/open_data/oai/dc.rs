//! A site record as unqualified Dublin Core (`oai_dc`), the format every harvester reads.
//!
//! - `title`: the Vietnamese name, the English name, other names (with `xml:lang`);
//! - `subject`: the type and the legal categories, in both languages, and the tags;
//! - `description`: summary and description (as plain text), in both languages;
//! - `coverage`: today's commune and province, the units before 2025, the address, and the
//!   position as a DCMI Point (with how it was obtained when it is only a centroid);
//! - `date`: the period (`1010/1028` when the years are known, else its text);
//! - `identifier`: the site's permanent URL (the short `/s/` address that survives renames),
//!   then its page; `relation`: its IIIF manifest and Wikidata item;
//! - `rights`: the records' licence, by name and URI; `language`; `source`: its sources;
//!   `publisher`: Disan.

use std::io::Write;

use quick_xml::Writer;

use crate::open_data::licence::Licence;
use crate::open_data::xml::{element, element_with};
use crate::record::SiteRecord;
use crate::search::document::plain_text;

/// What a record's Dublin Core links to.
pub struct DcContext<'a> {
    /// `https://disan.example.org`
    pub origin: &'a str,
    pub licence: Licence,
}

/// Writes `<oai_dc:dc>` for `record`; `photos` is how many of its photos are shown.
pub fn write<W: Write>(
    w: &mut Writer<W>,
    record: &SiteRecord,
    photos: u64,
    context: &DcContext<'_>,
) -> std::io::Result<()> {
    w.create_element("oai_dc:dc")
        .with_attributes([
            ("xmlns:oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc/"),
            ("xmlns:dc", "http://purl.org/dc/elements/1.1/"),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
            (
                "xsi:schemaLocation",
                "http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
            ),
        ])
        .write_inner_content(|w| elements(w, record, photos, context))?;
    Ok(())
}

fn elements<W: Write>(
    w: &mut Writer<W>,
    record: &SiteRecord,
    photos: u64,
    context: &DcContext<'_>,
) -> std::io::Result<()> {
    let vi = |w: &mut Writer<W>, name: &str, text: &str| {
        element_with(w, name, &[("xml:lang", "vi")], text)
    };
    let en = |w: &mut Writer<W>, name: &str, text: &str| {
        element_with(w, name, &[("xml:lang", "en")], text)
    };
    vi(w, "dc:title", &record.name)?;
    if let Some(name) = &record.name_en {
        en(w, "dc:title", name)?;
    }
    for alt in &record.alt_names {
        vi(w, "dc:title", alt)?;
    }
    element(w, "dc:publisher", "Disan")?;
    if let Some(t) = &record.site_type {
        vi(w, "dc:subject", t.label_vi())?;
        if t.label_en() != t.label_vi() {
            en(w, "dc:subject", t.label_en())?;
        }
    }
    for c in &record.category {
        vi(w, "dc:subject", c.label_vi())?;
        en(w, "dc:subject", c.label_en())?;
    }
    for tag in &record.tags {
        vi(w, "dc:subject", tag)?;
    }
    if let Some(text) = &record.summary {
        vi(w, "dc:description", text)?;
    }
    if let Some(text) = &record.summary_en {
        en(w, "dc:description", text)?;
    }
    if let Some(text) = &record.description {
        vi(w, "dc:description", &plain_text(text))?;
    }
    if let Some(text) = &record.description_en {
        en(w, "dc:description", &plain_text(text))?;
    }
    if let Some(period) = &record.period {
        match (period.start_year, period.end_year, &period.text) {
            (Some(s), Some(e), _) if s != e => element(w, "dc:date", &format!("{s}/{e}"))?,
            (Some(s), _, _) | (None, Some(s), _) => element(w, "dc:date", &s.to_string())?,
            (None, None, Some(text)) => vi(w, "dc:date", text)?,
            (None, None, None) => {}
        }
    }
    element(w, "dc:type", "PhysicalObject")?;
    element(
        w,
        "dc:identifier",
        &format!("{}/s/{}", context.origin, record.short_code()),
    )?;
    element(
        w,
        "dc:identifier",
        &format!("{}/sites/{}", context.origin, record.id),
    )?;
    let l = &record.location;
    let now: Vec<&str> = [l.commune.as_deref(), l.province.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if !now.is_empty() {
        vi(w, "dc:coverage", &now.join(", "))?;
    }
    let before: Vec<&str> = [
        l.legacy.commune.as_deref(),
        l.legacy.district.as_deref(),
        l.legacy.province.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !before.is_empty() {
        vi(
            w,
            "dc:coverage",
            &format!("{} (trước 2025)", before.join(", ")),
        )?;
    }
    if let Some(address) = &l.address {
        vi(w, "dc:coverage", address)?;
    }
    if let (Some(lat), Some(lon)) = (l.lat, l.lon) {
        let mut point = format!(
            "name={}; east={lon}; north={lat}; projection=WGS84",
            record.name.replace(';', ",")
        );
        if let Some(accuracy) = l.accuracy.filter(|a| a.is_centroid()) {
            point.push_str(&format!("; accuracy={}", accuracy.code()));
        }
        element(w, "dc:coverage", &point)?;
    }
    element(w, "dc:rights", context.licence.name)?;
    element(w, "dc:rights", context.licence.uri)?;
    element(w, "dc:language", "vi")?;
    if record.name_en.is_some() || record.summary_en.is_some() || record.description_en.is_some() {
        element(w, "dc:language", "en")?;
    }
    for source in &record.sources {
        if let Some(citation) = &source.citation {
            element(w, "dc:source", citation)?;
        }
        if let Some(url) = &source.url {
            element(w, "dc:source", url)?;
        }
    }
    if photos > 0 {
        element(
            w,
            "dc:relation",
            &format!("{}/iiif/{}/manifest.json", context.origin, record.id),
        )?;
    }
    if let Some(qid) = &record.wikidata {
        element(
            w,
            "dc:relation",
            &format!("http://www.wikidata.org/entity/{qid}"),
        )?;
    }
    Ok(())
}
