//! Turning typed page contexts into HTML responses.
//!
//! Templates live in `templates/` and are compiled into the binary. Each page handler builds a
//! [`Frame`] (what every page's `<head>`, header and footer need) and its own context struct;
//! [`page`] renders them together. Undefined variables are errors, so a template that expects a
//! field its context lacks fails the page tests instead of printing nothing. Responses carry a
//! weak ETag of their content and `Last-Modified`, and answer `304 Not Modified` to a matching
//! conditional request.

use std::sync::LazyLock;

use actix_web::http::StatusCode;
use actix_web::http::header::{
    CACHE_CONTROL, CONTENT_TYPE, ETAG, HeaderValue, IF_MODIFIED_SINCE, IF_NONE_MATCH,
    LAST_MODIFIED, VARY,
};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior};
use serde::Serialize;

use super::assets;
use super::error::WebError;
use super::i18n::{Chosen, Labels, Lang, form_urlencoded_pairs};
use super::state::AppState;

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    for (name, source) in [
        ("base.html", include_str!("../../templates/base.html")),
        ("macros.html", include_str!("../../templates/macros.html")),
        ("home.html", include_str!("../../templates/home.html")),
        ("search.html", include_str!("../../templates/search.html")),
        ("site.html", include_str!("../../templates/site.html")),
        ("browse.html", include_str!("../../templates/browse.html")),
        ("map.html", include_str!("../../templates/map.html")),
        ("plaque.html", include_str!("../../templates/plaque.html")),
        ("error.html", include_str!("../../templates/error.html")),
        ("login.html", include_str!("../../templates/login.html")),
        // Open data
        ("data.html", include_str!("../../templates/data.html")),
        (
            "data_dictionary.html",
            include_str!("../../templates/data_dictionary.html"),
        ),
        // Moderation
        (
            "moderate_queue.html",
            include_str!("../../templates/moderate_queue.html"),
        ),
        (
            "moderate_review.html",
            include_str!("../../templates/moderate_review.html"),
        ),
        (
            "site_history.html",
            include_str!("../../templates/site_history.html"),
        ),
        (
            "needs_help.html",
            include_str!("../../templates/needs_help.html"),
        ),
        // Contributing
        (
            "contribute.html",
            include_str!("../../templates/contribute.html"),
        ),
        (
            "contribute_site.html",
            include_str!("../../templates/contribute_site.html"),
        ),
        (
            "contribute_submission.html",
            include_str!("../../templates/contribute_submission.html"),
        ),
        (
            "contribute_start.html",
            include_str!("../../templates/contribute_start.html"),
        ),
        // Offline
        ("offline.html", include_str!("../../templates/offline.html")),
        (
            "offline_draft.html",
            include_str!("../../templates/offline_draft.html"),
        ),
        // Teams and campaigns
        (
            "campaigns.html",
            include_str!("../../templates/campaigns.html"),
        ),
        (
            "campaign.html",
            include_str!("../../templates/campaign.html"),
        ),
        (
            "campaign_tasks.html",
            include_str!("../../templates/campaign_tasks.html"),
        ),
        (
            "campaign_task.html",
            include_str!("../../templates/campaign_task.html"),
        ),
        (
            "campaign_form.html",
            include_str!("../../templates/campaign_form.html"),
        ),
        (
            "my_tasks.html",
            include_str!("../../templates/my_tasks.html"),
        ),
        ("teams.html", include_str!("../../templates/teams.html")),
        (
            "team_manage.html",
            include_str!("../../templates/team_manage.html"),
        ),
        ("team.html", include_str!("../../templates/team.html")),
        ("join.html", include_str!("../../templates/join.html")),
        (
            "account_password.html",
            include_str!("../../templates/account_password.html"),
        ),
    ] {
        env.add_template(name, source)
            .unwrap_or_else(|e| panic!("template {name} does not parse: {e:#}"));
    }
    // minijinja's default escaping also rewrites `/` (as `&#x2f;`), which bloats every URL;
    // escaping the five HTML-significant characters is what safety in text and quoted
    // attributes needs.
    env.set_formatter(|out, state, value| {
        if matches!(state.auto_escape(), AutoEscape::Html)
            && !value.is_safe()
            && !value.is_undefined()
            && !value.is_none()
        {
            let written = match value.as_str() {
                Some(text) => crate::search::write_html_escaped(text, out),
                None => crate::search::write_html_escaped(&value.to_string(), out),
            };
            written.map_err(|_| {
                minijinja::Error::new(ErrorKind::WriteFailure, "writing the page failed")
            })
        } else {
            minijinja::escape_formatter(out, state, value)
        }
    });
    // `{{ url|l(lq) }}` keeps the page's language in an internal link.
    env.add_filter("l", |url: String, lq: String| with_param(&url, &lq));
    env
});

/// `url` with `param` (`lang=en`) appended; unchanged when `param` is empty.
pub fn with_param(url: &str, param: &str) -> String {
    if param.is_empty() {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&{param}")
    } else {
        format!("{url}?{param}")
    }
}

/// What every page shares.
#[derive(Debug, Serialize)]
pub struct Frame {
    pub lang: Lang,
    pub t: &'static Labels,
    /// `lang=en` on English pages, empty on Vietnamese ones: internal links append it.
    pub lq: &'static str,
    pub title: String,
    pub description: String,
    /// Absolute URL of this page in this language; empty on error pages.
    pub canonical: String,
    pub alternate_vi: String,
    pub alternate_en: String,
    /// This page in the other language.
    pub switch_url: String,
    /// Which menu entry is this page: `home`, `search`, `provinces`, `types`, `map`.
    pub nav: &'static str,
    pub css: &'static str,
    pub js: &'static str,
    pub icon: &'static str,
    pub og_type: &'static str,
    pub og_image: Option<String>,
    /// schema.org JSON-LD, already escaped for a `<script>` data block.
    pub json_ld: Option<String>,
    pub noindex: bool,
    /// Pages for logged-in users load their own stylesheet and script; public pages stay light.
    pub extra_css: Option<&'static str>,
    pub extra_js: Option<&'static str>,
}

impl Frame {
    pub fn new(req: &HttpRequest, state: &AppState, lang: Lang, title: String) -> Frame {
        let origin = state.origin(req);
        let path = req.path();
        // The page's own parameters without `lang`: the base of every language variant.
        let params: Vec<(String, String)> = form_urlencoded_pairs(req.query_string())
            .filter(|(k, _)| k != "lang")
            .collect();
        let base = if params.is_empty() {
            path.to_owned()
        } else {
            format!(
                "{path}?{}",
                serde_urlencoded::to_string(&params).unwrap_or_default()
            )
        };
        let variant = |l: Lang| with_param(&base, l.link_param());
        let mut frame = Frame::bare(lang, title);
        frame.alternate_vi = format!("{origin}{}", variant(Lang::Vi));
        frame.alternate_en = format!("{origin}{}", variant(Lang::En));
        frame.canonical = format!("{origin}{}", variant(lang));
        frame.switch_url = with_param(&base, &format!("lang={}", lang.other().code()));
        frame
    }

    /// A frame that needs no request (error pages).
    pub fn bare(lang: Lang, title: String) -> Frame {
        let t = lang.labels();
        Frame {
            lang,
            t,
            lq: lang.link_param(),
            title,
            description: t.tagline.to_owned(),
            canonical: String::new(),
            alternate_vi: String::new(),
            alternate_en: String::new(),
            switch_url: format!("/?lang={}", lang.other().code()),
            nav: "",
            css: assets::url("site.css"),
            js: assets::url("site.js"),
            icon: assets::url("icon.svg"),
            og_type: "website",
            og_image: None,
            json_ld: None,
            noindex: false,
            extra_css: None,
            extra_js: None,
        }
    }

    /// The frame of a page for logged-in users: not indexed, with the contribution assets.
    pub fn private(lang: Lang, title: String) -> Frame {
        let mut frame = Frame::bare(lang, title);
        frame.noindex = true;
        frame.nav = "contribute";
        frame.extra_css = Some(assets::url("contribute.css"));
        frame.extra_js = Some(assets::url("contribute.js"));
        frame
    }
}

#[derive(Serialize)]
struct Page<'a, T: Serialize> {
    #[serde(flatten)]
    frame: &'a Frame,
    #[serde(flatten)]
    body: &'a T,
}

/// Renders `template` with the frame and the page's own context.
pub fn page<T: Serialize>(
    template: &'static str,
    frame: &Frame,
    body: &T,
) -> Result<String, WebError> {
    let ctx = minijinja::Value::from(minijinja::value::Serde(Page { frame, body }));
    TEMPLATES
        .get_template(template)
        .and_then(|t| t.render(ctx))
        .map_err(|source| WebError::Render { template, source })
}

/// The friendly page for an error; never fails (falls back to plain text).
pub fn error_page(error: &WebError, lang: Lang) -> String {
    error_page_with_login(error, lang, None)
}

/// [`error_page`] with a link to log in and come back to `next` (for 401 answers).
pub fn error_page_with_login(error: &WebError, lang: Lang, next: Option<&str>) -> String {
    let t = lang.labels();
    let (title, text) = match error.status() {
        StatusCode::NOT_FOUND => (t.not_found_title, t.not_found_text.to_owned()),
        StatusCode::UNAUTHORIZED => (t.login_title, error.message(lang)),
        s if s.is_client_error() => (t.bad_request_title, error.message(lang)),
        _ => (t.server_error_title, t.server_error_text.to_owned()),
    };
    let mut frame = Frame::bare(lang, format!("{title} · {}", t.site_name));
    frame.noindex = true;
    #[derive(Serialize)]
    struct ErrorBody<'a> {
        heading: &'a str,
        text: String,
        code: &'a str,
        login_url: Option<String>,
    }
    let body = ErrorBody {
        heading: title,
        text,
        code: error.code(),
        login_url: next.map(|next| {
            let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
            format!("/login?{query}")
        }),
    };
    page("error.html", &frame, &body).unwrap_or_else(|e| format!("{title}\n\n{e}"))
}

/// Renders a page for a logged-in person (never cached, never indexed).
pub fn private_page<T: Serialize>(
    template: &'static str,
    lang: Lang,
    title: &str,
    body: &T,
) -> Result<HttpResponse, super::error::PageError> {
    use super::error::InLang;
    let t = lang.labels();
    let frame = Frame::private(lang, format!("{title} · {}", t.site_name));
    let html = page(template, &frame, body).in_lang(lang)?;
    Ok(private_html(html))
}

/// `303 See Other` to `location`: where a form post sends the browser on success.
pub fn see_other(location: String) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, location))
        .insert_header((CACHE_CONTROL, "no-store"))
        .finish()
}

/// A page for one person (forms, their own contributions): never stored by shared caches,
/// never revalidated from a stale copy.
pub fn private_html(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "private, no-store"))
        .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .body(body)
}

/// A `200 OK` HTML response with validators, or `304 Not Modified` when the client has it.
pub fn html(
    req: &HttpRequest,
    chosen: Chosen,
    body: String,
    last_modified: Option<DateTime<Utc>>,
) -> HttpResponse {
    cached(
        req,
        chosen,
        body.into_bytes(),
        "text/html; charset=utf-8",
        last_modified,
    )
}

/// A weak validator of a body's content (weak: compression changes the bytes, not the page).
pub fn etag_of(body: &[u8]) -> String {
    format!("W/\"{}\"", &blake3::hash(body).to_hex()[..20])
}

/// Like [`html`] for any body (JSON, XML, SVG).
pub fn cached(
    req: &HttpRequest,
    chosen: Chosen,
    body: Vec<u8>,
    content_type: &'static str,
    last_modified: Option<DateTime<Utc>>,
) -> HttpResponse {
    let etag = etag_of(&body);
    validated(
        req,
        chosen,
        Bytes::from(body),
        &etag,
        content_type,
        last_modified,
    )
}

/// A `200 OK` for `body` whose ETag is already known, or `304 Not Modified`.
pub fn validated(
    req: &HttpRequest,
    chosen: Chosen,
    body: Bytes,
    etag: &str,
    content_type: &'static str,
    last_modified: Option<DateTime<Utc>>,
) -> HttpResponse {
    let last_modified = last_modified.map(|t| t.format("%a, %d %b %Y %H:%M:%S GMT").to_string());
    let headers = req.headers();
    let not_modified = match headers.get(IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        Some(tags) => tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"),
        None => match (&last_modified, headers.get(IF_MODIFIED_SINCE)) {
            (Some(lm), Some(since)) => since.to_str().ok() == Some(lm.as_str()),
            _ => false,
        },
    };
    let mut response = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((ETAG, etag.to_owned()))
        .insert_header((VARY, HeaderValue::from_static("Cookie, Accept-Encoding")));
    if let Some(lm) = last_modified {
        response.insert_header((LAST_MODIFIED, lm));
    }
    match chosen.cookie() {
        // A response that sets the language cookie is for this visitor only.
        Some(cookie) => {
            response.cookie(cookie);
            response.insert_header((CACHE_CONTROL, "private, no-cache"));
        }
        None => {
            response.insert_header((CACHE_CONTROL, "public, max-age=300"));
        }
    }
    if not_modified {
        return response.finish();
    }
    response
        .insert_header((CONTENT_TYPE, content_type))
        .body(body)
}
