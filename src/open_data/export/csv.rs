//! CSV with the import columns ([`crate::import::rows::COLUMNS`]), one site a row: what a
//! spreadsheet opens, and what `disan import` reads back into the same records.
//!
//! Lists are `;`-separated; a list with an item that itself holds a `;` is written as a JSON
//! array, which import reads too. A source with both a citation and a URL becomes two items.
//! Units are written as stored (today's commune and province, the pre-2025 ones in the
//! `legacy_*` columns), so import keeps them instead of resolving the address again. The file
//! starts with a byte-order mark: without it, spreadsheet programs misread Vietnamese.

use std::io::Write;

use chrono::SecondsFormat;

use super::{Context, SiteWriter};
use crate::import::rows::COLUMNS;
use crate::record::SiteRecord;

#[derive(Default)]
pub struct CsvWriter;

impl SiteWriter for CsvWriter {
    fn begin(&mut self, out: &mut dyn Write, _: &Context) -> std::io::Result<()> {
        out.write_all("\u{feff}".as_bytes())?;
        write_row(out, COLUMNS.iter().map(|c| c.to_string()))
    }

    fn site(
        &mut self,
        out: &mut dyn Write,
        record: &SiteRecord,
        _: &Context,
    ) -> std::io::Result<bool> {
        write_row(out, cells(record))?;
        Ok(true)
    }

    fn end(&mut self, _: &mut dyn Write, _: &Context) -> std::io::Result<()> {
        Ok(())
    }
}

fn write_row(out: &mut dyn Write, cells: impl IntoIterator<Item = String>) -> std::io::Result<()> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(out);
    writer.write_record(cells.into_iter().collect::<Vec<_>>())?;
    writer.flush()
}

/// A record's cells, in [`COLUMNS`] order.
pub fn cells(record: &SiteRecord) -> Vec<String> {
    let l = &record.location;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let number = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let year = |v: Option<i32>| v.map(|v| v.to_string()).unwrap_or_default();
    let time = |v: Option<chrono::DateTime<chrono::Utc>>| {
        v.map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
            .unwrap_or_default()
    };
    let period = record.period.clone().unwrap_or_default();
    let sources: Vec<String> = record
        .sources
        .iter()
        .flat_map(|s| s.citation.iter().chain(&s.url).cloned())
        .collect();
    let cell = |column: &str| -> String {
        match column {
            "id" => record.id.clone(),
            "short_code" => text(&record.short_code),
            "former_ids" => list(&record.former_ids),
            "name" => record.name.clone(),
            "name_en" => text(&record.name_en),
            "alt_names" => list(&record.alt_names),
            "type" => record
                .site_type
                .as_ref()
                .map(|t| t.code().to_owned())
                .unwrap_or_default(),
            "category" => list(
                &record
                    .category
                    .iter()
                    .map(|c| c.code().to_owned())
                    .collect::<Vec<_>>(),
            ),
            "level" => record.level.code().to_owned(),
            "red_address" => if record.red_address { "true" } else { "" }.to_owned(),
            "address" => text(&l.address),
            "commune" => text(&l.commune),
            "province" => text(&l.province),
            "legacy_province" => text(&l.legacy.province),
            "legacy_district" => text(&l.legacy.district),
            "legacy_commune" => text(&l.legacy.commune),
            "lat" => number(l.lat),
            "lon" => number(l.lon),
            "accuracy" => l.accuracy.map(|a| a.code().to_owned()).unwrap_or_default(),
            "period" => text(&period.text),
            "period_start" => year(period.start_year),
            "period_end" => year(period.end_year),
            "year_recognized" => year(record.year_recognized),
            "people" => list(&record.people),
            "summary" => text(&record.summary),
            "description" => text(&record.description),
            "summary_en" => text(&record.summary_en),
            "description_en" => text(&record.description_en),
            "sources" => list(&sources),
            "tags" => list(&record.tags),
            "wikidata" => text(&record.wikidata),
            "created" => time(record.created),
            "updated" => time(record.updated),
            // `district` is an input of address resolution; a record keeps the pre-2025
            // district in `legacy_district`.
            _ => String::new(),
        }
    };
    COLUMNS.iter().map(|c| cell(c)).collect()
}

/// `a; b; c`, or a JSON array when an item holds a `;` (or the text would read as one).
fn list(items: &[String]) -> String {
    let joined = items.join("; ");
    if items.iter().any(|i| i.contains(';')) || joined.trim_start().starts_with('[') {
        serde_json::to_string(items).expect("a list of text serialises")
    } else {
        joined
    }
}
