//! `GET /contribute`: the volunteer's home — who is logged in, what they can start, and
//! "my contributions": each submission with its status, newest first, a rejection with the
//! moderator's reason, an approval with a link to the site it changed.

use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::{private_page, submission_url};
use crate::accounts::Role;
use crate::archive::inbox::{Proposal, Status, Submission};
use crate::web::auth::Volunteer;
use crate::web::catalog::Catalog;
use crate::web::error::PageError;
use crate::web::i18n::{Chosen, Lang};
use crate::web::state::AppState;
use crate::web::views::site_url;

#[derive(Serialize)]
struct HomePage {
    user_name: String,
    role: &'static str,
    csrf: String,
    is_moderator: bool,
    submissions: Vec<Row>,
    /// Entries of the inbox that could not be read (their owner is unknown): shown as a count
    /// to moderators, so nothing is silently hidden.
    unreadable: usize,
}

/// One line of "my contributions".
#[derive(Serialize)]
pub struct Row {
    pub url: String,
    pub kind: &'static str,
    pub title: String,
    /// `pending`, `approved` or `rejected`: the CSS class.
    pub status: &'static str,
    pub status_label: &'static str,
    pub reason: Option<String>,
    pub site_url: Option<String>,
    pub created: String,
    pub photos: usize,
}

impl Row {
    pub fn of(submission: &Submission, catalog: &Catalog, lang: Lang) -> Row {
        let t = lang.labels();
        let (kind, title) = match &submission.proposal {
            Proposal::NewSite { record } => (t.kind_new_site, record.name.clone()),
            Proposal::Photos { site_id } => (t.kind_photos, site_name(catalog, site_id)),
            Proposal::Correction { record, .. } => (t.kind_correction, record.name.clone()),
        };
        let (status, status_label) = match submission.status {
            Status::Pending => ("pending", t.status_pending),
            Status::Approved => ("approved", t.status_approved),
            Status::Rejected => ("rejected", t.status_rejected),
        };
        let review = submission.review.as_ref();
        let approved_site = review
            .and_then(|r| r.site_id.as_deref())
            .or(submission.proposal.site_id())
            .filter(|_| submission.status == Status::Approved);
        Row {
            url: submission_url(&submission.id, lang),
            kind,
            title,
            status,
            status_label,
            reason: review
                .filter(|_| submission.status == Status::Rejected)
                .and_then(|r| r.reason.clone()),
            site_url: approved_site.map(|id| site_url(id, lang)),
            created: crate::web::views::local_time(submission.created),
            photos: submission.photos.len(),
        }
    }
}

/// The name of a published site, or its id when it is gone from the catalog.
pub fn site_name(catalog: &Catalog, site_id: &str) -> String {
    catalog
        .get(site_id)
        .map(|s| s.name().to_owned())
        .unwrap_or_else(|| site_id.to_owned())
}

/// `GET /contribute`.
pub async fn home(
    by: Volunteer,
    state: web::Data<AppState>,
    chosen: Chosen,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let inbox = state.inbox.clone();
    let name = by.name().to_owned();
    let (mine, problems) = web::block(move || inbox.by_submitter(&name))
        .await
        .unwrap_or_default();
    let catalog = state.catalog();
    let is_moderator = by.user.role.allows(Role::Moderator);
    let body = HomePage {
        user_name: by.name().to_owned(),
        role: by.user.role.as_str(),
        csrf: by.csrf().to_owned(),
        is_moderator,
        submissions: mine.iter().map(|s| Row::of(s, &catalog, lang)).collect(),
        unreadable: if is_moderator { problems.len() } else { 0 },
    };
    for problem in &problems {
        tracing::warn!("inbox: {problem}");
    }
    private_page(
        "contribute.html",
        lang,
        lang.labels().contribute_title,
        &body,
    )
}
