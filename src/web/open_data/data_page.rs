//! `/data`: what can be downloaded and harvested, under which licence and how to cite it,
//! described for people and, as schema.org `DataCatalog` and `Dataset`, for search engines;
//! the download files themselves; the data dictionary (`docs/DATA.md`).

use actix_files::NamedFile;
use actix_web::http::header::{
    CACHE_CONTROL, ContentDisposition, DispositionParam, DispositionType, HeaderValue,
};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use serde_json::json;

use super::ANY_ORIGIN;
use crate::open_data::downloads::{self, Downloads};
use crate::open_data::export::Format;
use crate::web::error::{InLang, PageError, WebError};
use crate::web::i18n::{Chosen, Lang};
use crate::web::render::{Frame, html, page};
use crate::web::state::AppState;

type Page = Result<HttpResponse, PageError>;

#[derive(Serialize)]
struct DataPage {
    preparing: bool,
    made: Option<String>,
    made_iso: Option<String>,
    sites: usize,
    files: Vec<FileRow>,
    left_out: usize,
    unreadable: usize,
    licence_name: &'static str,
    licence_url: String,
    cite_apa: String,
    cite_bibtex: String,
    oai_url: String,
    iiif_url: String,
}

#[derive(Serialize)]
struct FileRow {
    title: &'static str,
    what: &'static str,
    url: String,
    size: String,
    sites: usize,
    sha256: String,
}

/// What each format is for, in the visitor's language.
fn purpose(format: Format, lang: Lang) -> &'static str {
    let t = lang.labels();
    match format {
        Format::Csv => t.data_csv,
        Format::Jsonl => t.data_jsonl,
        Format::Geojson => t.data_geojson,
        Format::Gpx => t.data_gpx,
        Format::Kml => t.data_kml,
    }
}

/// Bytes as people read them.
pub fn size_text(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

pub async fn page_of(req: HttpRequest, state: web::Data<AppState>, chosen: Chosen) -> Page {
    let lang = chosen.lang;
    let t = lang.labels();
    let origin = state.origin(&req);
    let open = &state.open_data;
    let current = open.downloads();
    let licence = open.licence();
    let made = current.as_ref().map(|d| d.made);
    let title = format!("{} · {}", t.data_title, t.site_name);
    let body = DataPage {
        preparing: current.is_none(),
        made: made.map(|d| d.format("%d/%m/%Y %H:%M UTC").to_string()),
        made_iso: made.map(|d| d.to_rfc3339()),
        sites: current.as_ref().map_or(0, |d| d.sites()),
        files: current
            .as_ref()
            .map(|d| {
                d.files
                    .iter()
                    .map(|f| FileRow {
                        title: f.format.title(),
                        what: purpose(f.format, lang),
                        url: format!("/data/{}", downloads::public_name(f.format)),
                        size: size_text(f.bytes),
                        sites: f.sites,
                        sha256: f.sha256.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        left_out: current
            .as_ref()
            .and_then(|d| d.get(Format::Gpx))
            .map_or(0, |f| f.without_position),
        unreadable: current.as_ref().map_or(0, |d| d.problems.len()),
        licence_name: licence.name,
        licence_url: licence.deed_url(),
        cite_apa: crate::web::cite::search_apa(
            t.data_set_name,
            &format!("{origin}/data"),
            made.unwrap_or_else(chrono::Utc::now),
            lang,
        ),
        cite_bibtex: dataset_bibtex(&origin, made),
        oai_url: format!("{origin}/oai?verb=Identify"),
        iiif_url: format!("{origin}/iiif/collection.json"),
    };
    let mut frame = Frame::new(&req, &state, lang, title);
    frame.nav = "data";
    frame.description = t.data_intro.to_owned();
    frame.json_ld = Some(json_ld(&origin, current.as_deref(), licence, lang));
    let text = page("data.html", &frame, &body).in_lang(lang)?;
    Ok(html(&req, chosen, text, made))
}

fn dataset_bibtex(origin: &str, made: Option<chrono::DateTime<chrono::Utc>>) -> String {
    let year = made.unwrap_or_else(chrono::Utc::now).format("%Y");
    format!(
        "@misc{{disan-data,\n  author = {{{{Disan}}}},\n  title = {{Di tích lịch sử và địa chỉ đỏ của Việt Nam (Historic sites and red addresses of Vietnam)}},\n  year = {{{year}}},\n  howpublished = {{Data set}},\n  url = {{{origin}/data}}\n}}"
    )
}

/// schema.org: the archive as a `DataCatalog` holding one `Dataset` with a `DataDownload`
/// per format.
fn json_ld(
    origin: &str,
    current: Option<&Downloads>,
    licence: crate::open_data::Licence,
    lang: Lang,
) -> String {
    let t = lang.labels();
    let distribution: Vec<serde_json::Value> = current
        .map(|d| {
            d.files
                .iter()
                .map(|f| {
                    json!({
                        "@type": "DataDownload",
                        "name": f.format.title(),
                        "encodingFormat": f.format.mime_type().split(';').next().unwrap_or(""),
                        "contentUrl": format!("{origin}/data/{}", downloads::public_name(f.format)),
                        "contentSize": size_text(f.bytes),
                        "sha256": f.sha256,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let mut dataset = json!({
        "@type": "Dataset",
        "@id": format!("{origin}/data#dataset"),
        "name": t.data_set_name,
        "description": t.data_intro,
        "url": format!("{origin}/data"),
        "license": licence.deed_url(),
        "isAccessibleForFree": true,
        "inLanguage": ["vi", "en"],
        "creator": {"@type": "Organization", "name": "Disan", "url": format!("{origin}/")},
        "spatialCoverage": {"@type": "Place", "name": "Việt Nam"},
        "includedInDataCatalog": {"@id": format!("{origin}/data#catalog")},
        "distribution": distribution,
    });
    if let Some(d) = current {
        dataset["dateModified"] = json!(d.made.to_rfc3339());
    }
    let graph = json!({
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "DataCatalog",
                "@id": format!("{origin}/data#catalog"),
                "name": "Disan",
                "url": format!("{origin}/data"),
                "license": licence.deed_url(),
                "dataset": {"@id": format!("{origin}/data#dataset")},
            },
            dataset,
        ],
    });
    graph.to_string().replace('<', "\\u003c")
}

/// `/data/{file}`: a download (`disan-sites.csv`, …) or the list of them (`downloads.json`).
pub async fn file(
    req: HttpRequest,
    state: web::Data<AppState>,
    chosen: Chosen,
    name: web::Path<String>,
) -> Page {
    let lang = chosen.lang;
    let missing = || PageError {
        error: WebError::not_found(format!("download `{name}`")),
        lang,
    };
    let current = state.open_data.downloads().ok_or_else(missing)?;
    if name.as_str() == "downloads.json" {
        return Ok(HttpResponse::Ok()
            .insert_header(ANY_ORIGIN)
            .insert_header((CACHE_CONTROL, "public, max-age=300"))
            .json(current.as_ref()));
    }
    let download = Format::ALL
        .into_iter()
        .find(|f| downloads::public_name(*f) == name.as_str())
        .and_then(|f| current.get(f))
        .ok_or_else(missing)?;
    let path = state
        .index_layout
        .data_file(&download.file)
        .ok_or_else(missing)?;
    let file = NamedFile::open(path).map_err(|_| missing())?;
    let mime: actix_web::mime::Mime = download
        .format
        .mime_type()
        .parse()
        .unwrap_or(actix_web::mime::APPLICATION_OCTET_STREAM);
    let mut response = file
        .set_content_type(mime)
        .set_content_disposition(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(name.into_inner())],
        })
        .into_response(&req);
    let headers = response.headers_mut();
    headers.insert(
        actix_web::http::header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    Ok(response)
}

#[derive(Serialize)]
struct DictionaryPage {
    html: String,
}

/// `/data/dictionary`: every field of the downloads, what it means and where it comes from.
pub async fn dictionary(req: HttpRequest, state: web::Data<AppState>, chosen: Chosen) -> Page {
    let lang = chosen.lang;
    let t = lang.labels();
    let body = DictionaryPage {
        html: document_html(include_str!("../../../docs/DATA.md")),
    };
    let mut frame = Frame::new(
        &req,
        &state,
        lang,
        format!("{} · {}", t.data_dictionary, t.site_name),
    );
    frame.nav = "data";
    let text = page("data_dictionary.html", &frame, &body).in_lang(lang)?;
    Ok(html(&req, chosen, text, None))
}

/// The project's own Markdown documentation as HTML, tables included.
fn document_html(text: &str) -> String {
    use pulldown_cmark::{Options, Parser, html};
    let mut out = String::with_capacity(text.len() * 5 / 4);
    html::push_html(&mut out, Parser::new_ext(text, Options::ENABLE_TABLES));
    ammonia::clean(&out)
}
