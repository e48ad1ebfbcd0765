//! Contributing from a phone: a volunteer's home ("my contributions"), the forms that propose
//! a new site or correct one, and the photo uploads that feed a submission.
//!
//! Every page works without JavaScript; `static/contribute.js` adds "use my location", the
//! commune list of the chosen province, reading a photo's GPS, and uploads that are resized in
//! the browser, sent in resumable chunks, and retried. Handlers are thin: the role and CSRF
//! checks are in their extractor types ([`super::auth`]), what they write goes through the
//! [`crate::archive::inbox::Inbox`], which never touches the public archive.
//!
//! - [`home`] — `GET /contribute`: who is logged in and their submissions with their status;
//! - [`site_form`] and [`fields`] — proposing a new site and correcting an existing one;
//! - [`submission`] — a submission's page with its photos, and starting a photo submission;
//! - [`multipart`] — the photo form without JavaScript; [`uploads`] — the resumable protocol;
//! - [`drafts`] — contributions written offline, sent once by the phone's service worker.

pub mod drafts;
pub mod fields;
pub mod home;
pub mod multipart;
pub mod site_form;
pub mod submission;
pub mod uploads;

use super::error::WebError;
use super::i18n::Lang;
use super::render::{private_page, see_other};
use super::state::AppState;
use crate::archive::inbox::{Inbox, InboxError, Submission};

/// The URL of a submission's page, in `lang`.
pub fn submission_url(id: &str, lang: Lang) -> String {
    super::render::with_param(&format!("/contribute/{id}"), lang.link_param())
}

/// A submission as its volunteer may see it: their own, or any for a moderator. To anyone
/// else it does not exist (its id is not confirmed either).
fn visible_submission(
    inbox: &Inbox,
    id: &str,
    user: &crate::accounts::User,
) -> Result<Submission, WebError> {
    let submission = inbox.get(id)?;
    let moderator = user.role.allows(crate::accounts::Role::Moderator);
    if submission.submitter != user.name && !moderator {
        return Err(WebError::Inbox(InboxError::NotFound { id: id.to_owned() }));
    }
    Ok(submission)
}

/// Links a submission just made to the campaign task its volunteer holds on the same site, or
/// a new site to the campaign it was proposed in (when the volunteer takes part in it). The
/// submission stands whatever happens: a failure is logged, and the work is still moderated.
async fn link_to_campaigns(state: &AppState, submission: &Submission, proposed_in: Option<String>) {
    let (campaigns, submission) = (state.campaigns.clone(), submission.clone());
    let users = state.accounts.users.clone();
    let linked = actix_web::web::block(move || {
        let now = chrono::Utc::now();
        let campaign = match proposed_in {
            Some(slug) => {
                let campaign = campaigns.get(&slug)?;
                let user = users.get(&submission.submitter).ok();
                let takes_part =
                    user.is_some_and(|u| campaigns.may_take_part(&campaign, &u, now).is_ok());
                takes_part.then_some(campaign)
            }
            None => None,
        };
        campaigns.link(&submission, campaign.as_ref(), now)
    })
    .await;
    match linked {
        Ok(Ok(_)) => {}
        Ok(Err(err)) => tracing::error!("submission not linked to its campaign task: {err}"),
        Err(_) => tracing::error!("submission not linked to its campaign task: worker stopped"),
    }
}

/// Runs blocking inbox work (file reads, photo decoding, fsync) off the request threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, InboxError> + Send + 'static,
) -> Result<T, WebError> {
    match actix_web::web::block(work).await {
        Ok(result) => result.map_err(WebError::Inbox),
        Err(_) => Err(WebError::Inbox(InboxError::Io {
            path: "(worker)".into(),
            source: std::io::Error::other("the worker thread stopped"),
        })),
    }
}
