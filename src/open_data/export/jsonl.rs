//! JSON Lines: each site's whole record, exactly as its `site.json` holds it (events, photos
//! with their credits, sources), one compact JSON object a line.

use std::io::Write;

use super::{Context, SiteWriter};
use crate::record::SiteRecord;

pub struct JsonlWriter;

impl SiteWriter for JsonlWriter {
    fn begin(&mut self, _: &mut dyn Write, _: &Context) -> std::io::Result<()> {
        Ok(())
    }

    fn site(
        &mut self,
        out: &mut dyn Write,
        record: &SiteRecord,
        _: &Context,
    ) -> std::io::Result<bool> {
        serde_json::to_writer(&mut *out, record)?;
        out.write_all(b"\n")?;
        Ok(true)
    }

    fn end(&mut self, _: &mut dyn Write, _: &Context) -> std::io::Result<()> {
        Ok(())
    }
}
