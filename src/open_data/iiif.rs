//! IIIF Presentation API 3.0: a site's photos as a Manifest any IIIF viewer opens (Mirador,
//! Universal Viewer, Tify), and Collections of them by province and for the whole archive.
//!
//! A manifest has one canvas per shown photo, at the photo's full size, painted with the
//! largest JPEG derivative and its level-0 image service (the static tiles made at ingest), so
//! a viewer can zoom to the original's pixels with no image server. Labels are in Vietnamese
//! and English; each photo carries its caption, its credit (`requiredStatement`) and its
//! licence (`rights`, a Creative Commons URI when the photo has one); the manifest carries the
//! records' licence, the site's position (`navPlace`), its page (`homepage`) and its record
//! (`seeAlso`). A site without photos has no manifest: the specification wants at least one
//! canvas.

use serde_json::{Value, json};

use super::licence::Licence;
use crate::ingest::photos::{PhotoMeta, image_service_path};
use crate::record::{Photo, SiteRecord};

/// The navPlace extension's context comes before the Presentation context, as extensions do.
const CONTEXT: [&str; 2] = [
    "http://iiif.io/api/extension/navplace/context.json",
    "http://iiif.io/api/presentation/3/context.json",
];

/// A shown photo of a site.
pub struct Picture<'a> {
    pub photo: &'a Photo,
    pub meta: &'a PhotoMeta,
    /// Whether its deep-zoom tiles exist.
    pub tiled: bool,
}

/// The addresses a manifest links to, from the site's public origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Urls {
    pub origin: String,
}

impl Urls {
    pub fn manifest(&self, id: &str) -> String {
        format!("{}/iiif/{id}/manifest.json", self.origin)
    }

    pub fn site_page(&self, id: &str) -> String {
        format!("{}/sites/{id}", self.origin)
    }

    pub fn archive_collection(&self) -> String {
        format!("{}/iiif/collection.json", self.origin)
    }

    pub fn province_collection(&self, slug: &str) -> String {
        format!("{}/iiif/province/{slug}/collection.json", self.origin)
    }

    pub fn image_service(&self, hash: &str) -> String {
        format!("{}{}", self.origin, image_service_path(hash))
    }

    fn media(&self, path: &str) -> String {
        format!("{}/media/{path}", self.origin)
    }
}

/// `{"vi": [vi], "en": [en]}`, English falling back to the Vietnamese text.
fn both(vi: &str, en: Option<&str>) -> Value {
    json!({"vi": [vi], "en": [en.filter(|e| !e.trim().is_empty()).unwrap_or(vi)]})
}

fn pair(label: (&str, &str), value: Value) -> Value {
    json!({"label": {"vi": [label.0], "en": [label.1]}, "value": value})
}

/// The manifest of a site, or `None` when it has no photo to show.
pub fn manifest(
    record: &SiteRecord,
    pictures: &[Picture<'_>],
    urls: &Urls,
    licence: Licence,
    province_slug: Option<&str>,
) -> Option<Value> {
    if pictures.is_empty() {
        return None;
    }
    let id = urls.manifest(&record.id);
    let base = id.trim_end_matches("/manifest.json").to_owned();
    let canvases: Vec<Value> = pictures
        .iter()
        .enumerate()
        .filter_map(|(i, p)| canvas(record, p, i + 1, &base, urls))
        .collect();
    if canvases.is_empty() {
        return None;
    }
    let mut metadata = Vec::new();
    if let Some(t) = &record.site_type {
        metadata.push(pair(
            ("Loại hình", "Type"),
            both(t.label_vi(), Some(t.label_en())),
        ));
    }
    metadata.push(pair(
        ("Xếp hạng", "Level"),
        both(record.level.label_vi(), Some(record.level.label_en())),
    ));
    let l = &record.location;
    let place: Vec<&str> = [l.commune.as_deref(), l.province.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if !place.is_empty() {
        metadata.push(pair(
            ("Địa điểm", "Place"),
            json!({"none": [place.join(", ")]}),
        ));
    }
    if let Some(period) = record.period.as_ref().and_then(|p| p.text.as_deref()) {
        metadata.push(pair(("Niên đại", "Period"), json!({"vi": [period]})));
    }
    let credits: Vec<String> = pictures.iter().filter_map(|p| credit(p.photo)).collect();
    let mut statement_vi = format!("Disan — dữ liệu theo giấy phép {}", licence.name);
    let mut statement_en = format!("Disan — records under {}", licence.name);
    if !credits.is_empty() {
        statement_vi.push_str(&format!("; ảnh: {}", credits.join("; ")));
        statement_en.push_str(&format!("; photos: {}", credits.join("; ")));
    }
    let mut manifest = json!({
        "@context": CONTEXT,
        "id": id,
        "type": "Manifest",
        "label": both(&record.name, record.name_en.as_deref()),
        "metadata": metadata,
        "requiredStatement": {
            "label": {"vi": ["Ghi công"], "en": ["Attribution"]},
            "value": {"vi": [statement_vi], "en": [statement_en]},
        },
        "rights": licence.uri,
        "homepage": [{
            "id": urls.site_page(&record.id),
            "type": "Text",
            "label": both(&record.name, record.name_en.as_deref()),
            "format": "text/html",
        }],
        "seeAlso": [{
            "id": format!("{}/site.json", urls.site_page(&record.id)),
            "type": "Dataset",
            "label": {"vi": ["Hồ sơ di tích (JSON)"], "en": ["Site record (JSON)"]},
            "format": "application/json",
        }],
        "items": canvases,
    });
    let obj = manifest.as_object_mut().expect("a manifest is an object");
    if let Some(summary) = &record.summary {
        obj.insert(
            "summary".into(),
            both(summary, record.summary_en.as_deref()),
        );
    }
    if let Some(thumbnail) = pictures.iter().find_map(|p| thumbnail(p.meta, urls)) {
        obj.insert("thumbnail".into(), json!([thumbnail]));
    }
    if let (Some(lat), Some(lon)) = (l.lat, l.lon) {
        obj.insert(
            "navPlace".into(),
            json!({
                "id": format!("{base}/feature-collection/1"),
                "type": "FeatureCollection",
                "features": [{
                    "id": format!("{base}/feature/1"),
                    "type": "Feature",
                    "properties": {"label": both(&record.name, record.name_en.as_deref())},
                    "geometry": {"type": "Point", "coordinates": [lon, lat]},
                }],
            }),
        );
    }
    if let Some(slug) = province_slug {
        obj.insert(
            "partOf".into(),
            json!([{"id": urls.province_collection(slug), "type": "Collection"}]),
        );
    }
    Some(manifest)
}

/// `Tác giả (CC BY 4.0)`: a photo's credit line.
fn credit(photo: &Photo) -> Option<String> {
    let author = photo.author.as_deref()?;
    Some(match &photo.license {
        Some(license) => format!(
            "{author} ({})",
            Licence::parse(license).map_or(license.as_str(), |l| l.name)
        ),
        None => author.to_owned(),
    })
}

fn thumbnail(meta: &PhotoMeta, urls: &Urls) -> Option<Value> {
    let smallest = meta
        .files
        .iter()
        .filter(|f| f.mime == "image/jpeg")
        .min_by_key(|f| f.width)?;
    Some(json!({
        "id": urls.media(&smallest.path),
        "type": "Image",
        "format": "image/jpeg",
        "width": smallest.width,
        "height": smallest.height,
    }))
}

fn canvas(
    record: &SiteRecord,
    picture: &Picture<'_>,
    n: usize,
    base: &str,
    urls: &Urls,
) -> Option<Value> {
    let meta = picture.meta;
    let largest = meta
        .files
        .iter()
        .filter(|f| f.mime == "image/jpeg")
        .max_by_key(|f| f.width)?;
    let canvas_id = format!("{base}/canvas/{n}");
    let mut body = json!({
        "id": urls.media(&largest.path),
        "type": "Image",
        "format": "image/jpeg",
        "width": largest.width,
        "height": largest.height,
    });
    if picture.tiled {
        body["service"] = json!([{
            "id": urls.image_service(&meta.hash),
            "type": "ImageService3",
            "profile": "level0",
        }]);
    }
    let photo = picture.photo;
    let label = match &photo.caption {
        Some(caption) => both(caption, photo.caption_en.as_deref()),
        None => json!({
            "vi": [format!("{} — ảnh {n}", record.name)],
            "en": [format!("{} — photo {n}", record.name_en.as_deref().unwrap_or(&record.name))],
        }),
    };
    let mut canvas = json!({
        "id": canvas_id,
        "type": "Canvas",
        "label": label,
        "width": meta.width,
        "height": meta.height,
        "items": [{
            "id": format!("{canvas_id}/page"),
            "type": "AnnotationPage",
            "items": [{
                "id": format!("{canvas_id}/page/painting"),
                "type": "Annotation",
                "motivation": "painting",
                "body": body,
                "target": canvas_id,
            }],
        }],
    });
    let obj = canvas.as_object_mut().expect("a canvas is an object");
    if let Some(thumbnail) = thumbnail(meta, urls) {
        obj.insert("thumbnail".into(), json!([thumbnail]));
    }
    if let Some(credit) = credit(photo) {
        obj.insert(
            "requiredStatement".into(),
            json!({
                "label": {"vi": ["Ảnh"], "en": ["Photo"]},
                "value": {"none": [credit]},
            }),
        );
    }
    if let Some(licence) = photo.license.as_deref().and_then(Licence::parse) {
        obj.insert("rights".into(), json!(licence.uri));
    }
    Some(canvas)
}

/// One entry of a collection: a site's manifest or a province's collection.
pub struct Member {
    pub id: String,
    pub is_collection: bool,
    pub label_vi: String,
    pub label_en: Option<String>,
}

/// A collection with its members.
pub fn collection(
    id: &str,
    label: (&str, &str),
    summary: Option<(&str, &str)>,
    members: &[Member],
    licence: Licence,
    part_of: Option<&str>,
) -> Value {
    let items: Vec<Value> = members
        .iter()
        .map(|m| {
            json!({
                "id": m.id,
                "type": if m.is_collection { "Collection" } else { "Manifest" },
                "label": both(&m.label_vi, m.label_en.as_deref()),
            })
        })
        .collect();
    let mut value = json!({
        "@context": CONTEXT[1],
        "id": id,
        "type": "Collection",
        "label": {"vi": [label.0], "en": [label.1]},
        "rights": licence.uri,
        "items": items,
    });
    if let Some((vi, en)) = summary {
        value["summary"] = json!({"vi": [vi], "en": [en]});
    }
    if let Some(parent) = part_of {
        value["partOf"] = json!([{"id": parent, "type": "Collection"}]);
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::photos::DerivativeFile;

    fn meta() -> PhotoMeta {
        PhotoMeta {
            hash: "ab12".into(),
            width: 4000,
            height: 3000,
            placeholder: "#808080".into(),
            date_taken: None,
            camera: None,
            gps: None,
            files: vec![
                DerivativeFile {
                    path: "ab/ab12-320.jpg".into(),
                    mime: "image/jpeg".into(),
                    width: 320,
                    height: 240,
                    bytes: 1,
                },
                DerivativeFile {
                    path: "ab/ab12-2048.jpg".into(),
                    mime: "image/jpeg".into(),
                    width: 2048,
                    height: 1536,
                    bytes: 1,
                },
            ],
        }
    }

    #[test]
    fn a_manifest_has_a_canvas_per_photo_with_its_credit_and_zoom() {
        let mut record = SiteRecord::new("den-x", "Đền X", chrono::Utc::now());
        record.location.lat = Some(20.25);
        record.location.lon = Some(105.97);
        let photo = Photo {
            file: "photos/a.jpg".into(),
            caption: Some("Cổng".into()),
            caption_en: Some("Gate".into()),
            author: Some("Lan".into()),
            license: Some("CC-BY-SA-4.0".into()),
            date_taken: None,
            lat: None,
            lon: None,
        };
        let meta = meta();
        let urls = Urls {
            origin: "https://x".into(),
        };
        let pictures = [Picture {
            photo: &photo,
            meta: &meta,
            tiled: true,
        }];
        let m = manifest(
            &record,
            &pictures,
            &urls,
            Licence::DEFAULT,
            Some("ninh-binh"),
        )
        .unwrap();
        assert_eq!(m["id"], "https://x/iiif/den-x/manifest.json");
        let canvas = &m["items"][0];
        assert_eq!(
            (canvas["width"].as_u64(), canvas["height"].as_u64()),
            (Some(4000), Some(3000))
        );
        let body = &canvas["items"][0]["items"][0]["body"];
        assert_eq!(body["service"][0]["id"], "https://x/iiif/img/ab12");
        assert_eq!(
            canvas["rights"],
            "http://creativecommons.org/licenses/by-sa/4.0/"
        );
        assert_eq!(canvas["label"]["en"][0], "Gate");
        assert_eq!(
            m["navPlace"]["features"][0]["geometry"]["coordinates"][0],
            105.97
        );
        assert!(
            m["requiredStatement"]["value"]["en"][0]
                .as_str()
                .unwrap()
                .contains("photos: Lan (CC BY-SA 4.0)")
        );
        assert!(manifest(&record, &[], &urls, Licence::DEFAULT, None).is_none());
    }
}
