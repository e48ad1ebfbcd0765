//! The review of one submission: what would change, field by field, the photos with their
//! credits and where each was taken compared with where the site is, and the three decisions.
//!
//! Photos are shown from the inbox through a moderator-only route that finds the file by the
//! photo's content hash among the submission's own photos — a path is never built from what
//! the URL says. A photo taken more than [`FAR_KM`] from the site's position is flagged: it is
//! likely another site, or a camera with a stale position.

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::edit_form::{self, FormField};
use super::{ChangeView, kind_label, when};
use crate::archive::inbox::{Proposal, Submission, SubmittedPhoto};
use crate::record::SiteRecord;
use crate::search::geo::haversine_km;
use crate::web::auth::{Fields, Moderator};
use crate::web::error::{InLang, PageError, WebError};
use crate::web::i18n::{Chosen, Lang};
use crate::web::render::{Frame, page, private_html};
use crate::web::state::AppState;
use crate::web::views::{distance_text, site_url};
use crate::web::{assets, map};

/// Beyond this distance between a photo's GPS and the site, the photo is flagged.
pub const FAR_KM: f64 = 2.0;

/// What the page shows besides the submission itself: a decision that failed, with the
/// moderator's input kept.
#[derive(Debug, Default)]
pub struct Outcome {
    /// A message for the top of the page (why approving failed).
    pub problem: Option<String>,
    /// The edit form as sent, and its errors by field.
    pub edit: Option<(Fields, Vec<(&'static str, String)>)>,
    /// The rejection reason as sent, and its error.
    pub reason: Option<(String, String)>,
}

#[derive(Debug, Serialize)]
struct ReviewPage {
    id: String,
    kind: &'static str,
    submitter: String,
    sent: String,
    note: Option<String>,
    site_url: Option<String>,
    site_name: Option<String>,
    changes: Vec<ChangeView>,
    photos: Vec<PhotoReview>,
    /// The edit form, for proposals with a record; open when it was sent back with errors.
    edit: Option<Vec<FormField>>,
    edit_open: bool,
    reason: String,
    reason_error: Option<String>,
    problem: Option<String>,
    csrf: String,
    /// The viewer sent this submission: another moderator must approve it.
    own: bool,
    /// The viewer is an admin, who may approve their own submission (it is logged).
    may_override: bool,
}

#[derive(Debug, Serialize)]
struct PhotoReview {
    url: String,
    width: u32,
    height: u32,
    name: String,
    caption: Option<String>,
    author: String,
    license: String,
    taken: Option<String>,
    position: Option<PositionCheck>,
}

/// Where a photo was taken against where the site is, drawn twice: on the country map, and
/// close up with the distance, since 2 km is less than a dot on a map of Vietnam.
#[derive(Debug, Serialize)]
struct PositionCheck {
    coordinates: String,
    map_width: u32,
    map_height: u32,
    silhouette: &'static str,
    photo_xy: (f64, f64),
    site_xy: Option<(f64, f64)>,
    /// The photo's place in a 200×200 close-up centred on the site.
    close_xy: Option<(f64, f64)>,
    distance: Option<String>,
    far: bool,
}

/// `GET /moderate/{id}`.
pub async fn review(
    state: web::Data<AppState>,
    chosen: Chosen,
    moderator: Moderator,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let submission = state.inbox.get(&id).in_lang(lang)?;
    render(&state, &submission, lang, &moderator, Outcome::default()).await
}

/// The review page of `submission`, with what a failed decision sent back.
pub async fn render(
    state: &AppState,
    submission: &Submission,
    lang: Lang,
    viewer: &Moderator,
    outcome: Outcome,
) -> Result<HttpResponse, PageError> {
    let t = lang.labels();
    let catalog = state.catalog();
    let existing = submission.proposal.site_id().and_then(|id| catalog.get(id));
    // Planning reads the archive (finding the site, picking a new id): off the request threads.
    let (moderation, id) = (state.moderation.clone(), submission.id.clone());
    let planned = web::block(move || moderation.proposed_changes(&id))
        .await
        .map_err(|_| WebError::Unavailable)
        .in_lang(lang)?;
    let (changes, mut problem) = match planned {
        Ok(changes) => (ChangeView::list(&changes, lang), None),
        // The review still shows what it can; the reason says why approving will fail.
        Err(err) => (Vec::new(), Some(err.to_string())),
    };
    if outcome.problem.is_some() {
        problem = outcome.problem;
    }
    let proposed: Option<&SiteRecord> = match &submission.proposal {
        Proposal::NewSite { record } | Proposal::Correction { record, .. } => Some(record),
        Proposal::Photos { .. } => None,
    };
    let site_position = match (proposed, existing) {
        (Some(r), _) => r.location.lat.zip(r.location.lon),
        (None, Some(site)) => site.position(),
        (None, None) => None,
    };
    let edit_open = outcome.edit.is_some();
    let edit = proposed.map(|record| match &outcome.edit {
        Some((values, errors)) => edit_form::form(values, errors, lang),
        None => edit_form::form(&edit_form::values_of(record), &[], lang),
    });
    let (reason, reason_error) = outcome
        .reason
        .map(|(r, e)| (r, Some(e)))
        .unwrap_or_default();
    let body = ReviewPage {
        id: submission.id.clone(),
        kind: kind_label(&submission.proposal, t),
        submitter: submission.submitter.clone(),
        sent: when(submission.created),
        note: match &submission.proposal {
            Proposal::Correction { note, .. } => note.clone(),
            _ => None,
        },
        site_url: existing.map(|s| site_url(&s.id, lang)),
        site_name: existing.map(|s| s.name().to_owned()),
        changes,
        photos: submission
            .photos
            .iter()
            .map(|p| photo_review(submission, p, site_position))
            .collect(),
        edit,
        edit_open,
        reason,
        reason_error,
        problem,
        csrf: viewer.csrf().to_owned(),
        own: submission.submitter == viewer.user.name,
        may_override: viewer.user.role.allows(crate::accounts::Role::Admin),
    };
    let title = format!("{} · {}", t.moderate_title, t.site_name);
    let html = page("moderate_review.html", &Frame::private(lang, title), &body).in_lang(lang)?;
    let mut response = private_html(html);
    if body_has_errors(&body) {
        *response.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

fn body_has_errors(body: &ReviewPage) -> bool {
    body.reason_error.is_some()
        || body
            .edit
            .iter()
            .flatten()
            .any(|field| field.error.is_some())
}

fn photo_review(
    submission: &Submission,
    photo: &SubmittedPhoto,
    site: Option<(f64, f64)>,
) -> PhotoReview {
    PhotoReview {
        url: format!("/moderate/{}/photos/{}.jpg", submission.id, photo.hash),
        width: photo.width,
        height: photo.height,
        name: photo.original_name.clone(),
        caption: photo.caption.clone(),
        author: photo.author.clone(),
        license: photo.license.clone(),
        taken: photo.date_taken.clone(),
        position: photo.gps.map(|gps| position_check(gps, site)),
    }
}

fn position_check(photo: (f64, f64), site: Option<(f64, f64)>) -> PositionCheck {
    let (map_width, map_height) = map::size();
    let km = site.map(|s| haversine_km(s, photo));
    PositionCheck {
        coordinates: format!("{:.5}, {:.5}", photo.0, photo.1),
        map_width,
        map_height,
        silhouette: assets::url("vietnam.svg"),
        photo_xy: map::project(photo.0, photo.1),
        site_xy: site.map(|(lat, lon)| map::project(lat, lon)),
        close_xy: site.map(|s| close_up(s, photo)),
        distance: km.map(distance_text),
        far: km.is_some_and(|km| km > FAR_KM),
    }
}

/// The photo's place on a 200×200 close-up whose centre is the site and whose edge is 5 km
/// away (farther photos sit on the edge, in their direction).
fn close_up(site: (f64, f64), photo: (f64, f64)) -> (f64, f64) {
    const HALF_KM: f64 = 5.0;
    let north_km = (photo.0 - site.0) * 111.2;
    let east_km = (photo.1 - site.1) * 111.2 * site.0.to_radians().cos();
    let scale = 90.0 / HALF_KM.max(north_km.abs()).max(east_km.abs());
    (100.0 + east_km * scale, 100.0 - north_km * scale)
}

/// `GET /moderate/{id}/photos/{hash}.jpg`: a submitted photo's preview, for moderators only.
pub async fn photo(
    state: web::Data<AppState>,
    _moderator: Moderator,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let lang = Chosen::of(&req).lang;
    let (id, file) = path.into_inner();
    let missing = || WebError::not_found("photo");
    let hash = file
        .strip_suffix(".jpg")
        .filter(|h| {
            h.len() == 64
                && h.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        })
        .ok_or_else(missing)
        .in_lang(lang)?;
    let submission = state.inbox.get(&id).in_lang(lang)?;
    let photo = submission
        .photos
        .iter()
        .find(|p| p.hash == hash)
        .ok_or_else(missing)
        .in_lang(lang)?;
    // The preview when one was made (JPEG, no EXIF); else the photo itself, which is small.
    let preview = state.inbox.preview_path(&submission, photo);
    let (path, mime) = if preview.is_file() {
        (preview, "image/jpeg")
    } else {
        let mime = match photo.stored.rsplit('.').next() {
            Some("png") => "image/png",
            Some("webp") => "image/webp",
            _ => "image/jpeg",
        };
        (state.inbox.photo_path(&submission, photo), mime)
    };
    let bytes = web::block(move || std::fs::read(path))
        .await
        .map_err(|_| WebError::Unavailable)
        .in_lang(lang)?
        .map_err(|_| missing())
        .in_lang(lang)?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, mime))
        // Named by content: never changes; for this moderator's browser only.
        .insert_header((CACHE_CONTROL, "private, max-age=86400"))
        .body(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn far_photos_are_flagged() {
        let site = (20.2500, 105.9700);
        let near = position_check((20.2510, 105.9710), Some(site));
        assert!(!near.far);
        let far = position_check((20.30, 105.97), Some(site));
        assert!(far.far);
        assert_eq!(far.distance.as_deref(), Some("5.6 km"));
        let (x, y) = far.close_xy.unwrap();
        assert!(
            (x - 100.0).abs() < 1.0 && y < 20.0,
            "north, on the edge: {x} {y}"
        );
        assert!(position_check(site, None).distance.is_none());
    }
}
