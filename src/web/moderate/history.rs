//! A site's history, public: every approved change with who proposed it, who approved it,
//! when, and what changed field by field — and, for moderators, a button to revert each one.
//!
//! The page reads the site's `history.jsonl` from the folder the catalog knows, so it costs one
//! small file read. Visitors get a cacheable page; a moderator's copy carries their CSRF token
//! and is private. A revert is itself a logged change; one that would overwrite a later change
//! of the same fields is refused and the page says which fields and what to do.

use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::publish::publish;
use super::{ChangeView, action_label, when};
use crate::accounts::Role;
use crate::moderation::{Action, HistoryEntry, ModerationError, history};
use crate::web::auth::{self, ModeratorRole, Posted};
use crate::web::catalog::{Lookup, Site};
use crate::web::error::{InLang, PageError, WebError};
use crate::web::i18n::{Chosen, Lang, url_param};
use crate::web::render::{Frame, html, page, private_html, with_param};
use crate::web::state::AppState;
use crate::web::views::site_url;

#[derive(Debug, Serialize)]
struct HistoryPage {
    site_name: String,
    site_url: String,
    entries: Vec<EntryView>,
    /// Present for moderators: the revert buttons' token.
    csrf: Option<String>,
    notice: Option<&'static str>,
    problem: Option<String>,
    site_id: String,
}

#[derive(Debug, Serialize)]
struct EntryView {
    change: String,
    at: String,
    at_iso: String,
    action: &'static str,
    submitted_by: Option<String>,
    approved_by: String,
    self_approved: bool,
    reverts: Option<String>,
    reverted_by: Option<String>,
    changes: Vec<ChangeView>,
    revertible: bool,
}

/// `GET /sites/{id}/history`.
pub async fn page_of(
    req: HttpRequest,
    state: web::Data<AppState>,
    chosen: Chosen,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let catalog = state.catalog();
    let site = match catalog.lookup(&id) {
        Lookup::Found(site) => site,
        Lookup::Renamed(site) => {
            let url = with_param(&format!("/sites/{}/history", site.id), lang.link_param());
            return Ok(HttpResponse::MovedPermanently()
                .insert_header((LOCATION, url))
                .finish());
        }
        Lookup::Missing => return Err(WebError::not_found(format!("site `{id}`"))).in_lang(lang),
    };
    let csrf = auth::current(&req)
        .in_lang(lang)?
        .filter(|(_, user)| user.role.allows(Role::Moderator))
        .map(|(session, _)| session.csrf_token().to_owned());
    let notice = (url_param(req.query_string(), "done").as_deref() == Some("reverted"))
        .then_some(lang.labels().reverted_notice);
    let private = csrf.is_some() || notice.is_some();
    let text = render(site, lang, csrf, notice, None)?;
    Ok(if private {
        private_html(text)
    } else {
        html(&req, chosen, text, site.updated())
    })
}

fn render(
    site: &Site,
    lang: Lang,
    csrf: Option<String>,
    notice: Option<&'static str>,
    problem: Option<String>,
) -> Result<String, PageError> {
    let t = lang.labels();
    let log = history::read(&site.dir)
        .map_err(ModerationError::from)
        .in_lang(lang)?;
    let body = HistoryPage {
        site_name: site.name().to_owned(),
        site_url: site_url(&site.id, lang),
        entries: log
            .iter()
            .rev()
            .map(|e| entry_view(e, &log, csrf.is_some(), lang))
            .collect(),
        csrf,
        notice,
        problem,
        site_id: site.id.clone(),
    };
    let mut frame = Frame::bare(
        lang,
        format!("{} · {} · {}", t.history, site.name(), t.site_name),
    );
    frame.noindex = true;
    page("site_history.html", &frame, &body).in_lang(lang)
}

fn entry_view(
    entry: &HistoryEntry,
    log: &[HistoryEntry],
    moderator: bool,
    lang: Lang,
) -> EntryView {
    let reverted_by = log
        .iter()
        .find(|e| e.reverts.as_deref() == Some(entry.change.as_str()))
        .map(|e| e.change.clone());
    EntryView {
        change: entry.change.clone(),
        at: when(entry.at),
        at_iso: entry.at.to_rfc3339(),
        action: action_label(entry.action, lang.labels()),
        submitted_by: entry.submitted_by.clone(),
        // Moderators' account names are shown to moderators only: published, they name whom
        // to target.
        approved_by: if moderator {
            entry.approved_by.clone()
        } else {
            lang.labels().a_moderator.to_owned()
        },
        self_approved: entry.self_approved,
        reverts: entry.reverts.clone(),
        revertible: moderator && entry.action != Action::NewSite && reverted_by.is_none(),
        reverted_by,
        changes: ChangeView::list(&entry.changes, lang),
    }
}

/// `POST /moderate/revert` with `site` and `change`.
pub async fn revert(
    state: web::Data<AppState>,
    chosen: Chosen,
    posted: Posted<ModeratorRole>,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let site_id = posted.fields.get("site").unwrap_or_default().to_owned();
    let change = posted.fields.get("change").unwrap_or_default().to_owned();
    if !crate::fold::is_slug(&site_id) {
        return Err(WebError::not_found(format!("site `{site_id}`"))).in_lang(lang);
    }
    let worker = state.clone();
    let (site, moderator) = (site_id.clone(), posted.by.name().to_owned());
    let result = web::block(move || {
        let applied = worker
            .moderation
            .revert(&site, &change, &moderator, chrono::Utc::now())?;
        publish(&worker, &applied);
        Ok::<_, ModerationError>(applied)
    })
    .await
    .map_err(|_| WebError::Unavailable)
    .in_lang(lang)?;
    match result {
        Ok(applied) => {
            let url = format!("/sites/{}/history?done=reverted", applied.record.id);
            Ok(HttpResponse::SeeOther()
                .insert_header((LOCATION, with_param(&url, lang.link_param())))
                .finish())
        }
        // Refused: the history again, saying why, with nothing changed.
        Err(
            err @ (ModerationError::Conflict { .. }
            | ModerationError::AlreadyReverted { .. }
            | ModerationError::CannotRevertCreation { .. }
            | ModerationError::NoSuchChange { .. }),
        ) => {
            let catalog = state.catalog();
            let Some(site) = catalog.get(&site_id) else {
                return Err(err).in_lang(lang);
            };
            let problem = Some(err.to_string());
            let csrf = Some(posted.by.csrf().to_owned());
            let mut response = private_html(render(site, lang, csrf, None, problem)?);
            *response.status_mut() = WebError::from(err).status();
            Ok(response)
        }
        Err(other) => Err(other).in_lang(lang),
    }
}
