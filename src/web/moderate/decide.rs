//! A moderator's decision on a submission: approve it as proposed, edit then approve, or reject
//! it with a reason the volunteer will read.
//!
//! Each is a form post checked for role and CSRF token by [`Posted`]. Approval runs
//! [`crate::moderation::Moderation::approve`] and then [`publish`] on the blocking pool, and
//! answers with a redirect to the queue once the site is searchable. A decision that cannot be
//! taken as sent (an invalid edit, a missing reason, a record that would be invalid) shows the
//! review page again with the problem beside the field and everything typed kept.

use actix_web::http::header::{CACHE_CONTROL, LOCATION};
use actix_web::{HttpResponse, web};

use super::edit_form;
use super::publish::publish;
use super::review::{self, Outcome};
use crate::accounts::Role;
use crate::archive::inbox::Proposal;
use crate::moderation::ModerationError;
use crate::record::SiteRecord;
use crate::web::auth::{ModeratorRole, Posted};
use crate::web::error::{InLang, PageError, WebError};
use crate::web::i18n::{Chosen, Lang};
use crate::web::render::with_param;
use crate::web::state::AppState;

type Decided = Result<HttpResponse, PageError>;

/// `POST /moderate/{id}/approve`: approve as proposed.
pub async fn approve(
    state: web::Data<AppState>,
    chosen: Chosen,
    posted: Posted<ModeratorRole>,
    id: web::Path<String>,
) -> Decided {
    approve_as(state, chosen.lang, posted, id.into_inner(), None).await
}

/// `POST /moderate/{id}/edit`: approve the record as the moderator edited it.
pub async fn edit(
    state: web::Data<AppState>,
    chosen: Chosen,
    posted: Posted<ModeratorRole>,
    id: web::Path<String>,
) -> Decided {
    let lang = chosen.lang;
    let submission = state.inbox.get(&id).in_lang(lang)?;
    let proposed = match &submission.proposal {
        Proposal::NewSite { record } | Proposal::Correction { record, .. } => record,
        Proposal::Photos { .. } => {
            return Err(WebError::InvalidParameter {
                name: "edit",
                value: String::new(),
                expected: "a submission with a record (photos have nothing to edit)",
            })
            .in_lang(lang);
        }
    };
    match edit_form::parse(&posted.fields, proposed) {
        Ok(record) => approve_as(state, lang, posted, id.into_inner(), Some(record)).await,
        Err(errors) => {
            let outcome = Outcome {
                edit: Some((posted.fields.clone(), errors)),
                ..Outcome::default()
            };
            review::render(&state, &submission, lang, &posted.by, outcome).await
        }
    }
}

async fn approve_as(
    state: web::Data<AppState>,
    lang: Lang,
    posted: Posted<ModeratorRole>,
    id: String,
    edited: Option<SiteRecord>,
) -> Decided {
    let moderator = posted.by.name().to_owned();
    // An admin may approve their own submission by saying so; it is logged in the history.
    let override_own =
        posted.by.user.role.allows(Role::Admin) && posted.fields.get("override_own") == Some("1");
    let worker = state.clone();
    let (submission_id, was_edited) = (id.clone(), edited.is_some());
    let result = web::block(move || {
        let now = chrono::Utc::now();
        let applied = worker.moderation.approve_with(
            &submission_id,
            &moderator,
            edited,
            override_own,
            now,
        )?;
        let published = publish(&worker, &applied);
        credit(&worker, &submission_id, &applied, &moderator, now);
        Ok::<_, ModerationError>((applied, published))
    })
    .await
    .map_err(|_| WebError::Unavailable)
    .in_lang(lang)?;
    match result {
        Ok((applied, published)) => {
            tracing::info!(
                submission = %id,
                site = %applied.record.id,
                searchable = published.searchable,
                millis = published.millis as u64,
                "approved"
            );
            let query = serde_urlencoded::to_string([
                ("done", "approved"),
                ("site", applied.record.id.as_str()),
            ])
            .unwrap_or_default();
            Ok(to_queue(&format!("/moderate?{query}"), lang))
        }
        Err(ModerationError::InvalidRecord { problems }) => {
            let submission = state.inbox.get(&id).in_lang(lang)?;
            let message = ModerationError::InvalidRecord {
                problems: problems.clone(),
            }
            .to_string();
            // An edited record keeps its fields, each problem beside its own.
            let edit = was_edited.then(|| {
                let errors = problems
                    .iter()
                    .filter_map(|p| Some((edit_form::field_of(&p.field)?, p.message.clone())))
                    .collect();
                (posted.fields.clone(), errors)
            });
            let outcome = Outcome {
                problem: Some(message),
                edit,
                reason: None,
            };
            let mut page = review::render(&state, &submission, lang, &posted.by, outcome).await?;
            *page.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(page)
        }
        Err(other) => Err(other).in_lang(lang),
    }
}

/// `POST /moderate/{id}/reject`: the reason is required and shown to the volunteer.
pub async fn reject(
    state: web::Data<AppState>,
    chosen: Chosen,
    posted: Posted<ModeratorRole>,
    id: web::Path<String>,
) -> Decided {
    let lang = chosen.lang;
    let reason = posted.fields.get("reason").unwrap_or_default().to_owned();
    let worker = state.clone();
    let (submission_id, moderator, sent) =
        (id.clone(), posted.by.name().to_owned(), reason.clone());
    let result = web::block(move || {
        let now = chrono::Utc::now();
        let rejected = worker
            .moderation
            .reject(&submission_id, &moderator, &sent, now)?;
        if let Err(err) = worker.campaigns.rejected(&rejected, &sent, &moderator, now) {
            // The inbox keeps the decision; the next start settles the task from it.
            tracing::error!("submission {submission_id}: rejected, task not settled: {err}");
        }
        Ok::<_, ModerationError>(rejected)
    })
    .await
    .map_err(|_| WebError::Unavailable)
    .in_lang(lang)?;
    match result {
        Ok(_) => Ok(to_queue("/moderate?done=rejected", lang)),
        Err(ModerationError::ReasonRequired) => {
            let submission = state.inbox.get(&id).in_lang(lang)?;
            let outcome = Outcome {
                reason: Some((reason, lang.labels().reason_required.to_owned())),
                ..Outcome::default()
            };
            review::render(&state, &submission, lang, &posted.by, outcome).await
        }
        Err(other) => Err(other).in_lang(lang),
    }
}

/// Credits an approval in the campaigns' ledger and settles its task. The approval itself is
/// done whatever happens here: a failure is logged and settled at the next start from the
/// inbox, which keeps every decision.
fn credit(
    state: &AppState,
    submission_id: &str,
    applied: &crate::moderation::Applied,
    moderator: &str,
    now: chrono::DateTime<chrono::Utc>,
) {
    // The site as the catalog shows it: a site without a position has its photo's GPS.
    let id = applied.record.id.as_str();
    let shown = match state.catalog().get(id) {
        Some(site) => site.summary.clone(),
        None => crate::ingest::summary::SiteSummary::of(&applied.record, &[]),
    };
    let settled = state
        .inbox
        .get(submission_id)
        .map_err(|e| e.to_string())
        .and_then(|s| {
            state
                .campaigns
                .approved(&s, id, &shown, moderator, now)
                .map_err(|e| e.to_string())
        });
    if let Err(err) = settled {
        tracing::error!("submission {submission_id}: approved, not credited yet: {err}");
    }
}

/// 303 to the queue (a reload of the result page never posts the decision again).
fn to_queue(location: &str, lang: Lang) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, with_param(location, lang.link_param())))
        .insert_header((CACHE_CONTROL, "no-store"))
        .finish()
}
