//! The moderators' queue: every pending submission, oldest first, as a list that reads on a
//! 360 px phone — what it is, which site, who sent it, when, and how many photos.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{kind_label, when};
use crate::archive::inbox::{Proposal, Submission};
use crate::web::auth::Moderator;
use crate::web::catalog::Catalog;
use crate::web::error::{InLang, PageError};
use crate::web::i18n::{Chosen, Lang, url_param};
use crate::web::render::{Frame, page, private_html, with_param};
use crate::web::state::AppState;

#[derive(Debug, Serialize)]
pub struct QueueItem {
    pub url: String,
    pub kind: &'static str,
    /// The existing site's name, or the proposed name of a new one.
    pub site: String,
    pub submitter: String,
    pub sent: String,
    pub photos: usize,
}

#[derive(Debug, Serialize)]
struct QueuePage {
    items: Vec<QueueItem>,
    /// Inbox entries that could not be read (named in the server log).
    unreadable: usize,
    /// After a decision: what was done, and the site it published.
    done: Option<Done>,
}

#[derive(Debug, Serialize)]
struct Done {
    text: &'static str,
    site_url: Option<String>,
    site_name: Option<String>,
}

/// `GET /moderate`.
pub async fn queue(
    req: HttpRequest,
    state: web::Data<AppState>,
    chosen: Chosen,
    _moderator: Moderator,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let t = lang.labels();
    let inbox = state.inbox.clone();
    let (pending, problems) = web::block(move || inbox.pending())
        .await
        .map_err(|_| crate::web::error::WebError::Unavailable)
        .in_lang(lang)?;
    for problem in &problems {
        tracing::error!("moderation queue: {problem}");
    }
    let catalog = state.catalog();
    let body = QueuePage {
        items: pending.iter().map(|s| item(s, &catalog, lang)).collect(),
        unreadable: problems.len(),
        done: done(&req, &catalog, lang),
    };
    let frame = Frame::private(lang, format!("{} · {}", t.moderate_title, t.site_name));
    let html = page("moderate_queue.html", &frame, &body).in_lang(lang)?;
    Ok(private_html(html))
}

fn item(submission: &Submission, catalog: &Catalog, lang: Lang) -> QueueItem {
    let t = lang.labels();
    let site = match &submission.proposal {
        Proposal::NewSite { record } => record.name.clone(),
        Proposal::Photos { site_id } | Proposal::Correction { site_id, .. } => catalog
            .get(site_id)
            .map(|s| s.name().to_owned())
            .unwrap_or_else(|| site_id.clone()),
    };
    QueueItem {
        url: with_param(&format!("/moderate/{}", submission.id), lang.link_param()),
        kind: kind_label(&submission.proposal, t),
        site,
        submitter: submission.submitter.clone(),
        sent: when(submission.created),
        photos: submission.photos.len(),
    }
}

/// The notice after a decision redirected here (`?done=approved&site=…`). Only known words and
/// a site of the catalog are shown, so the URL cannot put text on the page.
fn done(req: &HttpRequest, catalog: &Catalog, lang: Lang) -> Option<Done> {
    let t = lang.labels();
    let text = match url_param(req.query_string(), "done").as_deref() {
        Some("approved") => t.approved_notice,
        Some("rejected") => t.rejected_notice,
        _ => return None,
    };
    let site = url_param(req.query_string(), "site").and_then(|id| catalog.get(&id));
    Some(Done {
        text,
        site_url: site.map(|s| crate::web::views::site_url(&s.id, lang)),
        site_name: site.map(|s| s.name().to_owned()),
    })
}
