//! The resumable upload protocol, for the page's script (and any client on a bad line).
//!
//! ```text
//! POST /contribute/{id}/uploads     {"name","size","key","author","license","caption"?,"share_position"?}
//!   → 200 {"upload","offset","size","complete"}  (the same upload again for the same key)
//! PUT  /contribute/{id}/uploads/{upload}?offset=N   body: the bytes from N on (any length)
//!   → 200 {"offset",…}        more to send
//!   → 201 {"complete":true,"photo":{…}}    the photo is in the submission
//!   → 409 {"code":"wrong_offset","offset":M}  resume from M
//!   → 409 {"code":"upload_busy"}           an earlier attempt is still sending: wait, ask
//! GET|HEAD /contribute/{id}/uploads/{upload}
//!   → 200 {"offset",…} and `Upload-Offset: N`: where to resume after a cut
//! ```
//!
//! Writes carry the CSRF token in `X-CSRF-Token` ([`Sent`]). A chunk cut off mid-way keeps the
//! bytes that arrived (the offset says how many), so a retry never resends what the server
//! has. Errors are JSON `{"code","message"}`, with `offset` when it helps.

use actix_web::http::StatusCode;
use actix_web::http::header::CACHE_CONTROL;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use super::blocking;
use crate::archive::inbox::{Declared, InboxError, PhotoDetails, UploadStatus};
use crate::web::auth::{Sent, Volunteer, VolunteerRole};
use crate::web::error::WebError;
use crate::web::i18n::url_param;
use crate::web::state::AppState;

/// Largest declaration body accepted.
const MAX_DECLARATION: usize = 16 * 1024;
/// The header carrying the received length, as in the tus and IETF resumable upload drafts.
pub const UPLOAD_OFFSET: &str = "upload-offset";

/// What a client declares before sending a photo.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Declaration {
    name: String,
    size: u64,
    key: String,
    author: String,
    license: String,
    #[serde(default)]
    caption: Option<String>,
    /// Publish where the photo was taken (asked on the form; no by default).
    #[serde(default)]
    share_position: bool,
}

#[derive(Serialize)]
struct ErrorAnswer<'a> {
    code: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    offset: Option<u64>,
}

/// `POST /contribute/{id}/uploads`.
pub async fn declare(
    Sent(by): Sent<VolunteerRole>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    payload: web::Payload,
) -> HttpResponse {
    let body = match payload.to_bytes_limited(MAX_DECLARATION).await {
        Ok(Ok(body)) => body,
        Ok(Err(_)) => return error(bad_declaration()),
        Err(_) => {
            return error(WebError::TooLarge {
                what: "declaration",
                limit_bytes: MAX_DECLARATION as u64,
            });
        }
    };
    let Some((declared, share)) = parse_declaration(&body) else {
        return error(bad_declaration());
    };
    let inbox = state.inbox.clone();
    let submitter = by.name().to_owned();
    let result = blocking(move || {
        let status = inbox.declare_upload(&id, &submitter, declared, Utc::now())?;
        inbox.set_upload_position_shared(&id, &submitter, &status.upload, share)?;
        inbox.upload_status(&id, &submitter, &status.upload)
    })
    .await;
    match result {
        Ok(status) => answer(StatusCode::OK, &status),
        Err(e) => error(e),
    }
}

/// A declaration's body: what is declared, and whether the position may be published.
pub fn parse_declaration(body: &[u8]) -> Option<(Declared, bool)> {
    let d = serde_json::from_slice::<Declaration>(body).ok()?;
    let nfc = |s: &str| crate::fold::nfc(s);
    let declared = Declared {
        size: d.size,
        key: d.key,
        details: PhotoDetails {
            original_name: nfc(&d.name),
            caption: d.caption.map(|c| nfc(&c)),
            author: nfc(&d.author),
            license: d.license,
        },
    };
    Some((declared, d.share_position))
}

/// The `offset` parameter of a chunk.
pub fn parse_offset(query: &str) -> Option<u64> {
    url_param(query, "offset").and_then(|o| o.trim().parse().ok())
}

/// `GET` or `HEAD /contribute/{id}/uploads/{upload}`.
pub async fn status(
    by: Volunteer,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (id, upload) = path.into_inner();
    let inbox = state.inbox.clone();
    let name = by.name().to_owned();
    match blocking(move || inbox.upload_status(&id, &name, &upload)).await {
        Ok(status) => answer(StatusCode::OK, &status),
        Err(e) => error(e),
    }
}

/// `PUT /contribute/{id}/uploads/{upload}?offset=N`.
pub async fn append(
    req: HttpRequest,
    Sent(by): Sent<VolunteerRole>,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    mut payload: web::Payload,
) -> HttpResponse {
    let (id, upload) = path.into_inner();
    let Some(offset) = parse_offset(req.query_string()) else {
        return error(WebError::InvalidParameter {
            name: "offset",
            value: url_param(req.query_string(), "offset").unwrap_or_default(),
            expected: "the byte the chunk starts at, from the upload's status",
        });
    };
    // Opening checks the owner, the offset and that no other attempt is appending.
    let inbox = state.inbox.clone();
    let name = by.name().to_owned();
    let opened = blocking(move || inbox.resume_upload(&id, &name, &upload, offset)).await;
    let mut resumed = match opened {
        Ok(resumed) => resumed,
        Err(e) => return error(e),
    };
    let mut failed = None;
    while let Some(chunk) = payload.next().await {
        // A cut connection ends here; the bytes already written are kept for the resume.
        let Ok(bytes) = chunk else { break };
        if let Err(e) = resumed.write(&bytes) {
            failed = Some(e);
            break;
        }
    }
    let inbox = state.inbox.clone();
    let finished = blocking(move || inbox.finish_upload(resumed, Utc::now())).await;
    if let Some(e) = failed {
        return error(WebError::Inbox(e));
    }
    match finished {
        Ok(status) if status.complete => answer(StatusCode::CREATED, &status),
        Ok(status) => answer(StatusCode::OK, &status),
        Err(e) => error(e),
    }
}

fn answer(code: StatusCode, status: &UploadStatus) -> HttpResponse {
    HttpResponse::build(code)
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header((UPLOAD_OFFSET, status.offset.to_string()))
        .json(status)
}

fn error(e: WebError) -> HttpResponse {
    let offset = match &e {
        WebError::Inbox(InboxError::WrongOffset { expected, .. }) => Some(*expected),
        _ => None,
    };
    if e.status().is_server_error() {
        tracing::error!(code = e.code(), "{e}");
    }
    let mut response = HttpResponse::build(e.status());
    response.insert_header((CACHE_CONTROL, "no-store"));
    if let Some(offset) = offset {
        response.insert_header((UPLOAD_OFFSET, offset.to_string()));
    }
    response.json(ErrorAnswer {
        code: e.code(),
        message: e.public_message(),
        offset,
    })
}

fn bad_declaration() -> WebError {
    WebError::InvalidParameter {
        name: "declaration",
        value: String::new(),
        expected: "JSON {\"name\", \"size\", \"key\", \"author\", \"license\", \"caption\"?, \"share_position\"?}",
    }
}
