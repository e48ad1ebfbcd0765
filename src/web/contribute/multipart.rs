//! `POST /contribute/{id}/photos`: the photo form without JavaScript — a plain
//! `multipart/form-data` post of several files with one caption, author and licence.
//!
//! Each file is streamed into its own [`crate::archive::inbox::StagedUpload`], which refuses
//! to grow past the configured size while the bytes arrive, so an over-size file never fills
//! the disk. The text parts are bounded too. Only once the whole body is in are the files
//! handed to the inbox one by one (validation decodes them, which takes a moment); what was
//! accepted stays accepted, and each refused file gets its own message on the page.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_LENGTH;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use futures_util::StreamExt;

use super::submission::{Outcome, render};
use super::{blocking, see_other, submission_url, visible_submission};
use crate::archive::inbox::{InboxError, PhotoDetails, StagedUpload};
use crate::web::auth::{Sent, VolunteerRole};
use crate::web::error::{InLang, PageError, WebError};
use crate::web::i18n::Chosen;
use crate::web::state::AppState;

/// Longest caption, author or licence part accepted, in bytes.
const MAX_TEXT_PART: usize = 8 * 1024;
/// How much of a refused body is still read (and dropped) so the browser shows the answer
/// instead of a broken connection.
const MAX_DRAIN: usize = 256 * 1024 * 1024;

/// A file received, waiting for the whole form.
struct Received {
    name: String,
    staged: StagedUpload,
}

/// `POST /contribute/{id}/photos`.
pub async fn upload(
    req: HttpRequest,
    Sent(by): Sent<VolunteerRole>,
    state: web::Data<AppState>,
    chosen: Chosen,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let submission = visible_submission(&state.inbox, &id, &by.user).in_lang(lang)?;
    if submission.submitter != by.user.name {
        return Err(WebError::Inbox(InboxError::NotFound { id: id.to_string() })).in_lang(lang);
    }
    let max_photos = state.inbox.max_photos();
    let room = max_photos.saturating_sub(submission.photos.len());
    let max_body = state.inbox.max_photo_bytes() * room.max(1) as u64 + 1024 * 1024;
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > max_body) {
        return Err(WebError::TooLarge {
            what: "upload",
            limit_bytes: max_body,
        })
        .in_lang(lang);
    }

    let mut outcome = Outcome::default();
    let mut files: Vec<Received> = Vec::new();
    let mut multipart = Multipart::new(req.headers(), payload);
    let mut refused: Option<WebError> = None;
    while let Some(field) = multipart.next().await {
        let mut field = match field {
            Ok(field) => field,
            Err(_) => {
                refused = Some(malformed());
                break;
            }
        };
        let filename = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(str::to_owned);
        let name = field.name().unwrap_or_default().to_owned();
        if let Some(filename) = filename {
            if files.len() >= room {
                refused = Some(WebError::Inbox(InboxError::TooMany { limit: max_photos }));
                break;
            }
            let mut staged = state
                .inbox
                .stage_for(&by.user.name, Utc::now())
                .in_lang(lang)?;
            let mut failed = None;
            while let Some(chunk) = field.next().await {
                let written = match chunk {
                    Ok(bytes) => staged.write(&bytes).map_err(WebError::Inbox),
                    Err(_) => Err(malformed()),
                };
                if let Err(e) = written {
                    failed = Some(e);
                    break;
                }
            }
            if let Some(e) = failed {
                refused = Some(e);
                break;
            }
            // A file input left empty still sends a part, with no name and no bytes.
            if filename.is_empty() && staged.is_empty() {
                continue;
            }
            files.push(Received {
                name: filename,
                staged,
            });
        } else {
            let mut text = Vec::new();
            let mut too_long = false;
            while let Some(chunk) = field.next().await {
                let Ok(bytes) = chunk else {
                    refused = Some(malformed());
                    break;
                };
                if text.len() + bytes.len() > MAX_TEXT_PART {
                    too_long = true;
                    break;
                }
                text.extend_from_slice(&bytes);
            }
            if too_long {
                refused = Some(WebError::TooLarge {
                    what: "text field",
                    limit_bytes: MAX_TEXT_PART as u64,
                });
            }
            if refused.is_some() {
                break;
            }
            let text = crate::fold::nfc(String::from_utf8_lossy(&text).trim());
            match name.as_str() {
                "caption" => outcome.caption = text,
                "author" => outcome.author = text,
                "license" => outcome.license = text,
                "share_position" => outcome.share_position = text == "1",
                _ => {}
            }
        }
    }
    if let Some(error) = refused {
        drain(&mut multipart).await;
        // Nothing of a refused form is kept: its staged files are dropped, hence deleted.
        drop(files);
        return Err(error).in_lang(lang);
    }
    if files.is_empty() {
        outcome.errors.push(lang.labels().choose_photos.to_owned());
        return render(
            &state,
            &by,
            &submission,
            lang,
            outcome,
            StatusCode::BAD_REQUEST,
        );
    }

    let mut added = 0;
    let mut status = StatusCode::SEE_OTHER;
    for file in files {
        let details = PhotoDetails {
            original_name: file.name.clone(),
            caption: Some(outcome.caption.clone()).filter(|c| !c.is_empty()),
            author: outcome.author.clone(),
            license: outcome.license.clone(),
        };
        let inbox = state.inbox.clone();
        let sub_id = submission.id.clone();
        let staged = file.staged;
        let share = outcome.share_position;
        let added_photo = blocking(move || {
            let photo = inbox.add_photo(&sub_id, staged, details, Utc::now())?;
            if share {
                inbox.set_position_shared(&sub_id, &photo.hash, true)?;
            }
            Ok(photo)
        });
        match added_photo.await {
            Ok(_) => added += 1,
            Err(e) => {
                if status == StatusCode::SEE_OTHER || e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    status = e.status();
                }
                let shown = crate::archive::inbox::display_name(&file.name);
                outcome
                    .errors
                    .push(format!("{shown}: {}", e.public_message()));
            }
        }
    }
    if outcome.errors.is_empty() {
        let url = crate::web::render::with_param(
            &submission_url(&submission.id, lang),
            &format!("added={added}"),
        );
        return Ok(see_other(url));
    }
    outcome.added = Some(added);
    let submission = state.inbox.get(&submission.id).in_lang(lang)?;
    render(&state, &by, &submission, lang, outcome, status)
}

fn malformed() -> WebError {
    WebError::InvalidParameter {
        name: "form",
        value: String::new(),
        expected: "a multipart form with photos — send the form again",
    }
}

/// Reads what is left of a refused body, up to [`MAX_DRAIN`], so the answer reaches the
/// browser.
async fn drain(multipart: &mut Multipart) {
    let mut read = 0;
    while let Some(Ok(mut field)) = multipart.next().await {
        while let Some(Ok(bytes)) = field.next().await {
            read += bytes.len();
            if read > MAX_DRAIN {
                return;
            }
        }
    }
}
