//! GeoJSON (RFC 7946): a FeatureCollection with one Point feature per site, longitude first,
//! for QGIS and web maps. Properties carry the site's name, type, level, link and how its
//! position was obtained (a commune centroid is not where the site is); a site without a
//! position keeps its feature with a null geometry, as the RFC allows for unlocated features.

use std::io::Write;

use serde_json::json;

use super::{Context, SiteWriter, position};
use crate::record::SiteRecord;

#[derive(Default)]
pub struct GeojsonWriter {
    first: bool,
}

impl SiteWriter for GeojsonWriter {
    fn begin(&mut self, out: &mut dyn Write, context: &Context) -> std::io::Result<()> {
        self.first = true;
        // Foreign members name the collection and its licence (RFC 7946 §6.1).
        let head = json!({
            "name": context.title,
            "license": context.licence.id,
            "license_url": context.licence.deed_url(),
        });
        let head = serde_json::to_string(&head)?;
        writeln!(
            out,
            "{{\"type\":\"FeatureCollection\",{},\"features\":[",
            &head[1..head.len() - 1]
        )
    }

    fn site(
        &mut self,
        out: &mut dyn Write,
        record: &SiteRecord,
        context: &Context,
    ) -> std::io::Result<bool> {
        if !std::mem::take(&mut self.first) {
            out.write_all(b",\n")?;
        }
        serde_json::to_writer(&mut *out, &feature(record, context))?;
        Ok(true)
    }

    fn end(&mut self, out: &mut dyn Write, _: &Context) -> std::io::Result<()> {
        out.write_all(b"\n]}\n")
    }
}

/// One site as a Feature.
pub fn feature(record: &SiteRecord, context: &Context) -> serde_json::Value {
    let l = &record.location;
    let geometry = match position(record) {
        Some((lat, lon)) => json!({"type": "Point", "coordinates": [lon, lat]}),
        None => serde_json::Value::Null,
    };
    json!({
        "type": "Feature",
        "id": record.id,
        "geometry": geometry,
        "properties": {
            "id": record.id,
            "name": record.name,
            "name_en": record.name_en,
            "type": record.site_type.as_ref().map(|t| t.code()),
            "type_label": record.site_type.as_ref().map(|t| t.label_vi()),
            "type_label_en": record.site_type.as_ref().map(|t| t.label_en()),
            "level": record.level.code(),
            "level_label": record.level.label_vi(),
            "level_label_en": record.level.label_en(),
            "category": record.category.iter().map(|c| c.code()).collect::<Vec<_>>(),
            "red_address": record.red_address,
            "commune": l.commune,
            "province": l.province,
            "legacy_province": l.legacy.province,
            "legacy_district": l.legacy.district,
            "legacy_commune": l.legacy.commune,
            "accuracy": l.accuracy.map(|a| a.code()),
            "accuracy_label_en": l.accuracy.map(|a| a.label_en()),
            "url": context.page(&record.id),
            "wikidata": record.wikidata,
            "updated": record.updated.or(record.created),
        }
    })
}
