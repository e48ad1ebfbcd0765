//! Exports: the archive's records as files other programs read — a spreadsheet (CSV), a
//! program (JSON Lines), a GIS such as QGIS (GeoJSON), a GPS app (GPX), Google Earth (KML).
//!
//! One writer per format ([`csv`], [`jsonl`], [`geojson`], [`gpx`], [`kml`]), each taking one
//! record at a time from a [`source`] and writing it out at once: nothing holds the whole
//! archive, so exporting 100,000 sites takes the memory of one. Several writers can be fed from
//! one pass over the archive ([`write_many`]), which is how the `/data` downloads are made.
//!
//! CSV has the import columns, so that an export imported into an empty archive gives back the
//! same records (events and photos, which have no column, travel in JSON Lines); the map
//! formats carry what a map shows — name, type, level, the site's page and how its position
//! was obtained — and leave out the sites without one (GeoJSON keeps them, without geometry).

pub mod csv;
pub mod geojson;
pub mod gpx;
pub mod jsonl;
pub mod kml;
pub mod source;

use std::io::Write;

use crate::record::SiteRecord;
pub use source::{Item, archive_records, listed_records};

/// A download format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Jsonl,
    Geojson,
    Gpx,
    Kml,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Csv,
        Format::Jsonl,
        Format::Geojson,
        Format::Gpx,
        Format::Kml,
    ];

    /// Its name in URLs and on the command line: `csv`, `jsonl`, …
    pub fn code(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
            Format::Geojson => "geojson",
            Format::Gpx => "gpx",
            Format::Kml => "kml",
        }
    }

    pub fn parse(text: &str) -> Option<Format> {
        Format::ALL
            .into_iter()
            .find(|f| f.code().eq_ignore_ascii_case(text.trim()))
    }

    /// The file extension, without the dot (the code).
    pub fn extension(self) -> &'static str {
        self.code()
    }

    pub fn mime_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Jsonl => "application/jsonl; charset=utf-8",
            Format::Geojson => "application/geo+json",
            Format::Gpx => "application/gpx+xml",
            Format::Kml => "application/vnd.google-earth.kml+xml",
        }
    }

    /// What people call it, with what opens it.
    pub fn title(self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::Jsonl => "JSON Lines",
            Format::Geojson => "GeoJSON",
            Format::Gpx => "GPX",
            Format::Kml => "KML",
        }
    }

    /// Whether a site without a position is left out (a waypoint or placemark needs one).
    pub fn needs_position(self) -> bool {
        matches!(self, Format::Gpx | Format::Kml)
    }

    /// A writer of this format.
    pub fn writer(self) -> Box<dyn SiteWriter> {
        match self {
            Format::Csv => Box::new(csv::CsvWriter),
            Format::Jsonl => Box::new(jsonl::JsonlWriter),
            Format::Geojson => Box::new(geojson::GeojsonWriter::default()),
            Format::Gpx => Box::new(gpx::GpxWriter),
            Format::Kml => Box::new(kml::KmlWriter),
        }
    }
}

/// What every written file says about where it comes from.
#[derive(Debug, Clone)]
pub struct Context {
    /// The public origin (`https://disan.example.org`); empty for relative links.
    pub origin: String,
    /// A title for the file (`Disan — Ninh Bình`).
    pub title: String,
    /// The records' licence.
    pub licence: crate::open_data::licence::Licence,
    pub made: chrono::DateTime<chrono::Utc>,
}

impl Context {
    /// The address of a site's page.
    pub fn page(&self, id: &str) -> String {
        format!("{}/sites/{id}", self.origin)
    }
}

/// A format's writer: a head, one call per site, a tail.
pub trait SiteWriter: Send {
    fn begin(&mut self, out: &mut dyn Write, context: &Context) -> std::io::Result<()>;
    /// Writes one site; `false` when the format leaves it out (no position).
    fn site(
        &mut self,
        out: &mut dyn Write,
        record: &SiteRecord,
        context: &Context,
    ) -> std::io::Result<bool>;
    fn end(&mut self, out: &mut dyn Write, context: &Context) -> std::io::Result<()>;
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Written {
    pub sites: usize,
    /// Sites the format left out for lack of a position.
    pub without_position: usize,
}

/// What a pass over the records met besides the sites: records that could not be read.
#[derive(Debug, Clone, Default)]
pub struct ExportReport {
    /// Per output, in the order given.
    pub written: Vec<Written>,
    /// `path: problem` for each record skipped.
    pub problems: Vec<String>,
}

/// Writes every record of `source` in one format.
pub fn write_one(
    source: impl Iterator<Item = Item>,
    format: Format,
    out: &mut dyn Write,
    context: &Context,
) -> std::io::Result<ExportReport> {
    let mut writer = format.writer();
    write_many(source, &mut [(writer.as_mut(), out)], context)
}

/// Feeds every record of `source` to several writers at once: one read of each record.
pub fn write_many(
    source: impl Iterator<Item = Item>,
    outputs: &mut [(&mut dyn SiteWriter, &mut dyn Write)],
    context: &Context,
) -> std::io::Result<ExportReport> {
    let mut report = ExportReport {
        written: vec![Written::default(); outputs.len()],
        problems: Vec::new(),
    };
    for (writer, out) in outputs.iter_mut() {
        writer.begin(*out, context)?;
    }
    for item in source {
        let record = match item {
            Item::Record(record) => record,
            Item::Problem(problem) => {
                report.problems.push(problem);
                continue;
            }
        };
        for ((writer, out), written) in outputs.iter_mut().zip(&mut report.written) {
            if writer.site(*out, &record, context)? {
                written.sites += 1;
            } else {
                written.without_position += 1;
            }
        }
    }
    for (writer, out) in outputs.iter_mut() {
        writer.end(*out, context)?;
        out.flush()?;
    }
    Ok(report)
}

/// The labels a map shows for a record: type, level and accuracy, Vietnamese then English.
pub(crate) struct Labels {
    pub type_vi: Option<String>,
    pub type_en: Option<String>,
    pub level_vi: &'static str,
    pub level_en: &'static str,
    pub accuracy_vi: Option<&'static str>,
    pub accuracy_en: Option<&'static str>,
}

impl Labels {
    pub fn of(record: &SiteRecord) -> Labels {
        let accuracy = record.location.accuracy;
        Labels {
            type_vi: record.site_type.as_ref().map(|t| t.label_vi().to_owned()),
            type_en: record.site_type.as_ref().map(|t| t.label_en().to_owned()),
            level_vi: record.level.label_vi(),
            level_en: record.level.label_en(),
            accuracy_vi: accuracy.map(|a| a.label_vi()),
            accuracy_en: accuracy.map(|a| a.label_en()),
        }
    }

    /// `Đền (Temple) · Di tích cấp quốc gia (National relic) · vị trí: Tâm xã/phường (…)`.
    pub fn line(&self) -> String {
        let mut parts = Vec::new();
        if let (Some(vi), Some(en)) = (&self.type_vi, &self.type_en) {
            parts.push(both(vi, en));
        }
        parts.push(both(self.level_vi, self.level_en));
        if let (Some(vi), Some(en)) = (self.accuracy_vi, self.accuracy_en) {
            parts.push(format!("vị trí / position: {}", both(vi, en)));
        }
        parts.join(" · ")
    }
}

fn both(vi: &str, en: &str) -> String {
    if vi == en {
        vi.to_owned()
    } else {
        format!("{vi} ({en})")
    }
}

/// The position of a record, when it has a usable one.
pub(crate) fn position(record: &SiteRecord) -> Option<(f64, f64)> {
    let (lat, lon) = (record.location.lat?, record.location.lon?);
    (lat.is_finite() && lon.is_finite()).then_some((lat, lon))
}

#[cfg(test)]
pub(crate) mod tests;
