//! The service worker and the web app manifest: what makes Disan an app a phone can install and
//! keep using with no signal.
//!
//! `/sw.js` is served from the root, so it may answer for every page, and with
//! `Cache-Control: no-cache`, so a phone checks for a new worker at each visit. Its first line
//! carries what changes with a release — the fingerprinted assets of the shell, the labels in
//! both languages — so a new release is a new worker: it installs beside the old one, takes
//! over, and deletes the old one's caches. The offline search (`static/offline-search.js`)
//! is part of the same script, so the worker never loads code after it was installed.

use std::sync::LazyLock;

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Map, Value, json};

use crate::web::assets;
use crate::web::i18n::{Chosen, Lang, url_param};
use crate::web::render::cached;

/// The labels the worker writes into the pages it makes offline.
const WORKER_LABELS: &[&str] = &[
    "site_name",
    "search_label",
    "search_placeholder",
    "search_button",
    "search_hint",
    "results_for",
    "results_count",
    "no_results",
    "no_results_help",
    "loose_match",
    "near",
    "km",
    "photos",
    "photo_credit",
    "license",
    "red_address",
    "other_names",
    "period",
    "year_recognized",
    "people",
    "address",
    "now_in",
    "formerly_in",
    "about",
    "location",
    "coordinates",
    "approximate",
    "no_position",
    "open_in_maps",
    "nearby",
    "last_updated",
    "facts",
    "offline_saved_copy",
    "offline_no_signal",
    "offline_not_saved",
    "offline_from_pack",
    "offline_full_online",
    "offline_searching",
    "offline_nothing_to_search",
    "offline_title",
    "sites",
];

struct Script {
    body: Bytes,
    etag: String,
}

static WORKER: LazyLock<Script> = LazyLock::new(|| {
    let code = [
        include_str!("../../../static/offline-search.js"),
        include_str!("../../../static/sw.js"),
    ]
    .concat();
    let mut settings = json!({
        "shell": [
            "/offline",
            "/offline?lang=en",
            "/manifest.webmanifest",
            "/manifest.webmanifest?lang=en",
            assets::url("site.css"),
            assets::url("site.js"),
            assets::url("icon.svg"),
            assets::url("offline.js"),
        ],
        // Cached once a volunteer has opened a contribution page, not for every visitor.
        "draft_shell": [
            "/offline/draft",
            "/offline/draft?lang=en",
            assets::url("contribute.css"),
            assets::url("contribute.js"),
        ],
        "packs": crate::packs::URL_PREFIX,
        "labels": { "vi": labels(Lang::Vi), "en": labels(Lang::En) },
    });
    // The release: what the shell is made of and the worker's own code.
    let build = blake3::hash(format!("{settings}{code}").as_bytes()).to_hex()[..12].to_owned();
    settings["build"] = Value::String(build.clone());
    let body = format!("\"use strict\";\nself.DISAN = {settings};\n{code}");
    Script {
        body: Bytes::from(body),
        etag: format!("\"{build}\""),
    }
});

fn labels(lang: Lang) -> Value {
    let all = serde_json::to_value(lang.labels()).expect("labels serialise");
    let picked: Map<String, Value> = WORKER_LABELS
        .iter()
        .map(|key| {
            let value = all
                .get(*key)
                .unwrap_or_else(|| panic!("no label `{key}` for the worker"));
            ((*key).to_owned(), value.clone())
        })
        .collect();
    Value::Object(picked)
}

/// The worker's build: changes with every release of the shell or the worker.
pub fn build() -> &'static str {
    WORKER.etag.trim_matches('"')
}

/// `GET /sw.js`.
pub async fn script(req: HttpRequest) -> HttpResponse {
    let worker = &*WORKER;
    let fresh = req
        .headers()
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == worker.etag));
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((CACHE_CONTROL, "no-cache"))
        .insert_header((ETAG, worker.etag.clone()))
        .insert_header((CONTENT_TYPE, "text/javascript; charset=utf-8"));
    if fresh {
        response.finish()
    } else {
        response.body(worker.body.clone())
    }
}

/// `GET /manifest.webmanifest[?lang=en]`: the app's names in the page's language (with the
/// other language's names beside them, for browsers that read localized manifests), its
/// colours and icons.
pub async fn manifest(req: HttpRequest) -> HttpResponse {
    let lang = url_param(req.query_string(), "lang")
        .and_then(|l| Lang::parse(&l))
        .unwrap_or(Lang::Vi);
    let (t, other) = (lang.labels(), lang.other().labels());
    let icon = |name: &str, size: &str, purpose: &str| json!({ "src": assets::url(name), "sizes": size, "type": "image/png", "purpose": purpose });
    let body = json!({
        "id": "/",
        "name": format!("{} — {}", t.site_name, t.tagline),
        "short_name": t.site_name,
        "description": t.tagline,
        "lang": lang.code(),
        "dir": "ltr",
        "start_url": if lang == Lang::En { "/?lang=en" } else { "/" },
        "scope": "/",
        "display": "standalone",
        "background_color": "#fdfbf7",
        "theme_color": "#8b1e1e",
        "icons": [
            icon("icon-192.png", "192x192", "any"),
            icon("icon-512.png", "512x512", "any"),
            icon("icon-maskable-192.png", "192x192", "maskable"),
            icon("icon-maskable-512.png", "512x512", "maskable"),
            { "src": assets::url("icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any" },
        ],
        "name_localized": { lang.other().code(): format!("{} — {}", other.site_name, other.tagline) },
        "short_name_localized": { lang.other().code(): other.site_name },
        "description_localized": { lang.other().code(): other.tagline },
    });
    let plain = Chosen {
        lang,
        explicit: false,
    };
    cached(
        &req,
        plain,
        serde_json::to_vec(&body).expect("the manifest serialises"),
        "application/manifest+json",
        None,
    )
}
