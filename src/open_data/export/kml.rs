//! KML 2.2: one placemark per site with a position, for Google Earth and My Maps. A placemark
//! has its name, the site's page as its Atom link, a description with type, level, position
//! accuracy and summary, the same facts as machine-readable ExtendedData, and its point
//! (longitude first); elements come in the order the KML schema requires.

use std::io::Write;

use quick_xml::Writer;

use super::{Context, Labels, SiteWriter, position};
use crate::open_data::xml::{declaration, element, element_with};
use crate::record::SiteRecord;

pub struct KmlWriter;

impl SiteWriter for KmlWriter {
    fn begin(&mut self, out: &mut dyn Write, context: &Context) -> std::io::Result<()> {
        let mut w = Writer::new(out);
        declaration(&mut w)?;
        w.get_mut().write_all(
            b"<kml xmlns=\"http://www.opengis.net/kml/2.2\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<Document>",
        )?;
        element(&mut w, "name", &context.title)?;
        let licence = format!(
            "{} — {} {}",
            context.title,
            context.licence.name,
            context.licence.deed_url()
        );
        element(&mut w, "description", &licence)?;
        w.get_mut().write_all(b"\n")
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
        let page = context.page(&record.id);
        let mut description = labels.line();
        if let Some(summary) = &record.summary {
            description.push_str("\n\n");
            description.push_str(summary);
        }
        description.push_str("\n\n");
        description.push_str(&page);
        let mut w = Writer::new(out);
        w.create_element("Placemark")
            .with_attribute(("id", record.id.as_str()))
            .write_inner_content(|w| -> std::io::Result<()> {
                element(w, "name", &record.name)?;
                w.create_element("atom:link")
                    .with_attribute(("href", page.as_str()))
                    .write_empty()?;
                element(w, "description", &description)?;
                w.create_element("ExtendedData").write_inner_content(
                    |w| -> std::io::Result<()> {
                        let data = [
                            (
                                "type",
                                record.site_type.as_ref().map(|t| t.code().to_owned()),
                            ),
                            ("type_label", labels.type_vi.clone()),
                            ("level", Some(record.level.code().to_owned())),
                            ("level_label", Some(labels.level_vi.to_owned())),
                            (
                                "accuracy",
                                record.location.accuracy.map(|a| a.code().to_owned()),
                            ),
                            ("url", Some(page.clone())),
                        ];
                        for (name, value) in data {
                            if let Some(value) = value {
                                w.create_element("Data")
                                    .with_attribute(("name", name))
                                    .write_inner_content(|w| element(w, "value", &value))?;
                            }
                        }
                        Ok(())
                    },
                )?;
                w.create_element("Point").write_inner_content(|w| {
                    element_with(w, "coordinates", &[], &format!("{lon},{lat}"))
                })?;
                Ok(())
            })?;
        w.get_mut().write_all(b"\n")?;
        Ok(true)
    }

    fn end(&mut self, out: &mut dyn Write, _: &Context) -> std::io::Result<()> {
        out.write_all(b"</Document>\n</kml>\n")
    }
}
