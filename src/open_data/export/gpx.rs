//! GPX 1.1: one waypoint per site with a position, for GPS and hiking apps (OsmAnd, Organic
//! Maps). A waypoint has its name, a comment with type, level and how the position was
//! obtained (a commune centroid is no place to walk to), the summary, the site's page as its
//! link and the type; elements come in the order the GPX schema requires.

use std::io::Write;

use quick_xml::Writer;

use super::{Context, Labels, SiteWriter, position};
use crate::open_data::xml::{declaration, element};
use crate::record::SiteRecord;

pub struct GpxWriter;

impl SiteWriter for GpxWriter {
    fn begin(&mut self, out: &mut dyn Write, context: &Context) -> std::io::Result<()> {
        let mut w = Writer::new(out);
        declaration(&mut w)?;
        w.get_mut().write_all(
            b"<gpx version=\"1.1\" creator=\"Disan\" xmlns=\"http://www.topografix.com/GPX/1/1\" \
              xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
              xsi:schemaLocation=\"http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd\">\n<metadata>",
        )?;
        element(&mut w, "name", &context.title)?;
        w.create_element("copyright")
            .with_attribute(("author", "Disan"))
            .write_inner_content(|w| element(w, "license", context.licence.uri))?;
        w.create_element("link")
            .with_attribute(("href", format!("{}/data", context.origin).as_str()))
            .write_inner_content(|w| element(w, "text", "Disan"))?;
        let made = context
            .made
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        element(&mut w, "time", &made)?;
        w.get_mut().write_all(b"</metadata>\n")?;
        Ok(())
    }

    fn site(
        &mut self,
        out: &mut dyn Write,
        record: &SiteRecord,
        context: &Context,
    ) -> std::io::Result<bool> {
        let Some((lat, lon)) = position(record) else {
            return Ok(false);
        };
        let labels = Labels::of(record);
        let mut w = Writer::new(out);
        let (lat, lon) = (lat.to_string(), lon.to_string());
        w.create_element("wpt")
            .with_attributes([("lat", lat.as_str()), ("lon", lon.as_str())])
            .write_inner_content(|w| -> std::io::Result<()> {
                element(w, "name", &record.name)?;
                element(w, "cmt", &labels.line())?;
                if let Some(summary) = &record.summary {
                    element(w, "desc", summary)?;
                }
                w.create_element("link")
                    .with_attribute(("href", context.page(&record.id).as_str()))
                    .write_inner_content(|w| element(w, "text", &record.name))?;
                if let Some(type_vi) = &labels.type_vi {
                    element(w, "type", type_vi)?;
                }
                Ok(())
            })?;
        w.get_mut().write_all(b"\n")?;
        Ok(true)
    }

    fn end(&mut self, out: &mut dyn Write, _: &Context) -> std::io::Result<()> {
        out.write_all(b"</gpx>\n")
    }
}
