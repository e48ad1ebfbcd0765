//! "Needs help": the published sites a volunteer in the field could improve — no photos, no
//! position or only an administrative centre, no description — by province and by need, nearest
//! first when the volunteer says where they are.
//!
//! The page is public (and not indexed): everything it lists is already on the public site
//! pages, and a list a youth team leader can share by link, or a visitor can read before signing
//! up, recruits more help than one behind a login. It reads the in-memory catalog, never the
//! archive. "Use my location" is a script filling the `near` field; the same field typed by hand
//! works without one.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use crate::moderation::{HelpQuery, HelpSite, Need, needs_help};
use crate::web::error::{InLang, PageError};
use crate::web::i18n::{Chosen, Labels, url_param};
use crate::web::render::{Frame, html, page};
use crate::web::state::AppState;
use crate::web::views::{distance_text, site_url};

/// How many sites one page lists.
const SHOWN: usize = 100;

const NEEDS: &[(&str, Need)] = &[
    ("photos", Need::Photos),
    ("position", Need::Position),
    ("precise_position", Need::PrecisePosition),
    ("description", Need::Description),
];

#[derive(Debug, Serialize)]
struct NeedsHelpPage {
    items: Vec<Item>,
    total: usize,
    shown: usize,
    provinces: Vec<(String, bool)>,
    needs: Vec<(&'static str, &'static str, bool)>,
    near: String,
    near_error: bool,
}

#[derive(Debug, Serialize)]
struct Item {
    url: String,
    name: String,
    province: Option<String>,
    needs: Vec<&'static str>,
    distance: Option<String>,
}

/// `GET /needs-help?province=…&need=…&near=lat,lon`.
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    chosen: Chosen,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let t = lang.labels();
    let query = req.query_string();
    let province = url_param(query, "province").filter(|p| !p.trim().is_empty());
    let need_code = url_param(query, "need").unwrap_or_default();
    let need = NEEDS.iter().find(|(c, _)| *c == need_code).map(|(_, n)| *n);
    let near_text = url_param(query, "near").unwrap_or_default();
    let near = parse_near(&near_text);
    let catalog = state.catalog();
    let help = HelpQuery {
        province: province.clone(),
        need,
        near,
        limit: 0,
    };
    let sites = catalog
        .sites()
        .map(|s| HelpSite::of_summary(&s.id, &s.summary));
    let mut found = needs_help(sites, &help);
    let total = found.len();
    found.truncate(SHOWN);
    let body = NeedsHelpPage {
        items: found
            .into_iter()
            .map(|item| Item {
                url: site_url(&item.id, lang),
                name: item.name,
                province: item.province,
                needs: item.needs.iter().map(|n| need_label(*n, t)).collect(),
                distance: item.distance_km.map(distance_text),
            })
            .collect(),
        total,
        shown: total.min(SHOWN),
        provinces: catalog
            .provinces
            .iter()
            .map(|p| (p.value.clone(), Some(&p.value) == province.as_ref()))
            .collect(),
        needs: NEEDS
            .iter()
            .map(|(code, n)| (*code, need_label(*n, t), Some(*n) == need))
            .collect(),
        near_error: !near_text.trim().is_empty() && near.is_none(),
        near: near_text,
    };
    let mut frame = Frame::private(lang, format!("{} · {}", t.needs_help_title, t.site_name));
    frame.nav = "";
    let text = page("needs_help.html", &frame, &body).in_lang(lang)?;
    Ok(html(&req, chosen, text, Some(catalog.updated)))
}

fn need_label(need: Need, t: &'static Labels) -> &'static str {
    match need {
        Need::Photos => t.need_photos,
        Need::Position => t.need_position,
        Need::PrecisePosition => t.need_precise_position,
        Need::Description => t.need_description,
    }
}

/// `lat,lon` in decimal degrees, as the location button or a person types it.
fn parse_near(text: &str) -> Option<(f64, f64)> {
    let (lat, lon) = text.split_once(',')?;
    let lat: f64 = lat.trim().parse().ok()?;
    let lon: f64 = lon.trim().parse().ok()?;
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some((lat, lon))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_parse() {
        assert_eq!(parse_near(" 20.25, 105.97 "), Some((20.25, 105.97)));
        assert_eq!(parse_near("20.25"), None);
        assert_eq!(parse_near("95,105"), None);
        assert_eq!(parse_near("north,east"), None);
    }
}
