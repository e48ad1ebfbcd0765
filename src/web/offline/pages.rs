//! The two pages of the offline shell, the same for everyone (no account, no cookie, nothing
//! personal), so the worker may keep them:
//!
//! - `GET /offline` — what is saved on this phone (trip packs, pages opened, drafts waiting),
//!   the storage the browser grants, and saving more: a province or commune, the sites around
//!   here, a search's results or one site (`?save=search&q=…`, `?save=site&id=…`). The worker
//!   also shows it, with a notice, for a page that was never saved.
//! - `GET /offline/draft?kind=new|photos|correct&site=…` — the contribution forms a volunteer
//!   fills with no network. Nothing is sent from here: the page's script keeps the draft on the
//!   phone and the worker sends it once online, through the volunteer's session.
//!
//! Both need JavaScript to do anything, and say so without it. Their labels reach the scripts
//! in the page's language, as a JSON data block (`/offline`) or as data attributes.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::admin_units::units;
use crate::archive::inbox::LICENCES;
use crate::record::{Accuracy, KnownType};
use crate::web::assets;
use crate::web::contribute::site_form::Choice;
use crate::web::error::{InLang, PageError};
use crate::web::i18n::{Chosen, Lang};
use crate::web::render::{Frame, html, page};
use crate::web::state::AppState;

/// Radii offered for "the sites around here", in km.
const RADII: [u32; 5] = [2, 5, 10, 20, 50];

/// The labels `offline.js` uses.
const OFFLINE_LABELS: &[&str] = &[
    "offline_saving",
    "offline_paused",
    "offline_done",
    "offline_failed",
    "offline_pause",
    "offline_resume",
    "offline_delete",
    "offline_update",
    "offline_download",
    "offline_text_only",
    "offline_with_photos",
    "offline_whole_province",
    "offline_nothing_saved",
    "offline_storage",
    "offline_storage_used",
    "offline_storage_low",
    "offline_results_of",
    "offline_around",
    "offline_site",
    "offline_locating",
    "offline_no_position",
    "offline_not_found",
    "offline_saved_on",
    "offline_truncated",
    "offline_needs_worker",
    "drafts_waiting",
    "sites",
    "photos",
    "near_me_failed",
];

/// The labels `keys` in `lang`, as a JSON object safe inside a `<script>` data block.
fn labels_json(lang: Lang, keys: &[&str]) -> String {
    let all = serde_json::to_value(lang.labels()).expect("labels serialise");
    let picked: Map<String, Value> = keys
        .iter()
        .map(|key| {
            let value = all
                .get(*key)
                .unwrap_or_else(|| panic!("no label `{key}`"))
                .clone();
            ((*key).to_owned(), value)
        })
        .collect();
    Value::Object(picked).to_string().replace('<', "\\u003c")
}

/// These pages are the same for every visitor: a `lang` parameter picks the language without
/// setting the language cookie, so the answer stays public and the worker may keep it.
fn public(chosen: Chosen) -> Chosen {
    Chosen {
        explicit: false,
        ..chosen
    }
}

#[derive(Serialize)]
struct OfflinePage {
    labels: String,
    radii: [u32; 5],
}

/// `GET /offline`.
pub async fn offline(
    req: HttpRequest,
    state: web::Data<AppState>,
    chosen: Chosen,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let t = lang.labels();
    let mut frame = Frame::new(
        &req,
        &state,
        lang,
        format!("{} · {}", t.offline_title, t.site_name),
    );
    frame.nav = "offline";
    frame.noindex = true;
    frame.extra_js = Some(assets::url("offline.js"));
    let body = OfflinePage {
        labels: labels_json(lang, OFFLINE_LABELS),
        radii: RADII,
    };
    let text = page("offline.html", &frame, &body).in_lang(lang)?;
    Ok(html(&req, public(chosen), text, None))
}

#[derive(Serialize)]
struct DraftPage {
    types: Vec<Choice>,
    provinces: Vec<Choice>,
    accuracies: Vec<Choice>,
    licences: Vec<Choice>,
}

/// `GET /offline/draft`.
pub async fn draft(req: HttpRequest, chosen: Chosen) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let t = lang.labels();
    let pick = |vi: &str, en: &str| match lang {
        Lang::Vi => vi.to_owned(),
        Lang::En => en.to_owned(),
    };
    let choice = |value: &str, label: String| Choice {
        value: value.to_owned(),
        label,
        selected: false,
    };
    let mut provinces: Vec<Choice> = units()
        .provinces()
        .iter()
        .map(|p| choice(&p.short, p.name.clone()))
        .collect();
    provinces.sort_by_key(|c| crate::fold::key(&c.value));
    let body = DraftPage {
        types: KnownType::ALL
            .iter()
            .map(|k| choice(k.code(), pick(k.label_vi(), k.label_en())))
            .collect(),
        provinces,
        accuracies: [Accuracy::Map, Accuracy::Surveyed, Accuracy::PhotoGps]
            .iter()
            .map(|a| choice(a.code(), pick(a.label_vi(), a.label_en())))
            .collect(),
        licences: LICENCES
            .iter()
            .map(|(id, label)| choice(id, (*label).to_owned()))
            .collect(),
    };
    let frame = Frame::private(lang, format!("{} · {}", t.drafts_title, t.site_name));
    let text = page("offline_draft.html", &frame, &body).in_lang(lang)?;
    Ok(html(&req, public(chosen), text, None))
}
