//! Drafts written offline, sent by the phone's service worker once it is online.
//!
//! ```text
//! GET  /contribute/session   → 200 {"user","role","csrf"} | 401 {"code":"sign_in_required"}
//! POST /contribute/drafts    {"key","kind":"new"|"photos"|"correct","site"?,"fields":{…}}
//!   → 201 {"submission","url","uploads","created":true}   the first time this key is sent
//!   → 200 {… "created":false}                             any later time: the same submission
//!   → 422 {"code":"invalid_draft","message","errors":{field: message}}
//! ```
//!
//! The worker asks for the session first: the CSRF token to send with, or a 401 that keeps the
//! drafts on the phone and asks the volunteer to log in again. A draft's fields are the forms'
//! fields; a correction carries only the fields the volunteer changed, applied over the site's
//! record as it is when the draft arrives. Photos follow through the resumable upload protocol
//! ([`super::uploads`]) into the submission this answers.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::http::header::CACHE_CONTROL;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::fields::{FieldErrors, SiteFields};
use super::site_form::{corrected_record, new_site_record};
use super::{blocking, submission_url};
use crate::archive::inbox::Proposal;
use crate::web::auth::{Fields, MAX_FORM_BYTES, Sent, Volunteer, VolunteerRole};
use crate::web::error::{ErrorBody, WebError};
use crate::web::i18n::Chosen;
use crate::web::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Kind {
    New,
    Photos,
    Correct,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Draft {
    key: String,
    kind: Kind,
    #[serde(default)]
    site: Option<String>,
    #[serde(default)]
    fields: BTreeMap<String, String>,
}

#[derive(Serialize)]
struct Session<'a> {
    user: &'a str,
    role: &'a str,
    csrf: &'a str,
}

/// `GET /contribute/session`: who is logged in, with the token to send drafts with.
pub async fn session(by: Volunteer) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "private, no-store"))
        .json(Session {
            user: by.name(),
            role: by.user.role.as_str(),
            csrf: by.csrf(),
        })
}

#[derive(Serialize)]
struct Received {
    submission: String,
    url: String,
    uploads: String,
    created: bool,
}

#[derive(Serialize)]
struct Refusal<'a> {
    #[serde(flatten)]
    error: ErrorBody<'a>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    errors: FieldErrors,
}

/// `POST /contribute/drafts`.
pub async fn receive(
    Sent(by): Sent<VolunteerRole>,
    state: web::Data<AppState>,
    chosen: Chosen,
    payload: web::Payload,
) -> HttpResponse {
    let lang = chosen.lang;
    let draft = match payload.to_bytes_limited(MAX_FORM_BYTES).await {
        Ok(Ok(body)) => match serde_json::from_slice::<Draft>(&body) {
            Ok(draft) => draft,
            Err(_) => return refuse(bad_draft(), FieldErrors::new()),
        },
        Ok(Err(_)) => return refuse(bad_draft(), FieldErrors::new()),
        Err(_) => {
            return refuse(
                WebError::TooLarge {
                    what: "draft",
                    limit_bytes: MAX_FORM_BYTES as u64,
                },
                FieldErrors::new(),
            );
        }
    };
    // Text arrives as the phone typed it; stored text is NFC.
    let fields = Fields(
        draft
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), crate::fold::nfc(v)))
            .collect(),
    );
    let catalog = state.catalog();
    let site = match (draft.kind, draft.site.as_deref()) {
        (Kind::New, _) => None,
        (_, Some(id)) => match catalog.require(id) {
            Ok(site) => Some(site),
            Err(e) => return refuse(e, FieldErrors::new()),
        },
        (_, None) => return refuse(bad_draft(), FieldErrors::new()),
    };
    let (proposal, errors) = match (draft.kind, site) {
        (Kind::New, _) => {
            let values = SiteFields::from_form(&fields);
            let (record, _, errors) = new_site_record(&values, lang, Utc::now());
            (Proposal::NewSite { record }, errors)
        }
        (Kind::Photos, Some(site)) => (
            Proposal::Photos {
                site_id: site.id.clone(),
            },
            FieldErrors::new(),
        ),
        (Kind::Correct, Some(site)) => {
            let current = match catalog.record(site) {
                Ok(current) => current,
                Err(e) => return refuse(e.into(), FieldErrors::new()),
            };
            let mut values = SiteFields::from_record(&current);
            values.overlay(&fields);
            let (record, errors) = corrected_record(&current, &values, lang);
            let note = Some(values.note.trim().to_owned()).filter(|n| !n.is_empty());
            let proposal = Proposal::Correction {
                site_id: site.id.clone(),
                record,
                note,
            };
            (proposal, errors)
        }
        (_, None) => return refuse(bad_draft(), FieldErrors::new()),
    };
    if !errors.is_empty() {
        return refuse(WebError::InvalidDraft, errors);
    }
    let inbox = state.inbox.clone();
    let submitter = by.name().to_owned();
    let key = draft.key;
    let result = blocking(move || inbox.submit_once(&submitter, &key, proposal, Utc::now())).await;
    match result {
        Ok((submission, created)) => {
            let status = if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            HttpResponse::build(status)
                .insert_header((CACHE_CONTROL, "no-store"))
                .json(Received {
                    url: submission_url(&submission.id, lang),
                    uploads: format!("/contribute/{}/uploads", submission.id),
                    submission: submission.id,
                    created,
                })
        }
        Err(e) => refuse(e, FieldErrors::new()),
    }
}

fn bad_draft() -> WebError {
    WebError::InvalidParameter {
        name: "draft",
        value: String::new(),
        expected: "JSON {\"key\", \"kind\": \"new\"|\"photos\"|\"correct\", \"site\"?, \"fields\"}",
    }
}

fn refuse(e: WebError, errors: FieldErrors) -> HttpResponse {
    if e.status().is_server_error() {
        tracing::error!(code = e.code(), "{e}");
    }
    let message = match errors.values().next() {
        Some(first) if matches!(e, WebError::InvalidDraft) => first.clone(),
        _ => e.public_message(),
    };
    HttpResponse::build(e.status())
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(Refusal {
            error: ErrorBody {
                code: e.code(),
                message,
            },
            errors,
        })
}
