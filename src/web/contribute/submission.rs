//! A submission's page (`/contribute/{id}`): what was proposed, where it stands, its photos
//! with previews, and the form that adds more. Also the start of a photo submission for an
//! existing site (`/contribute/photos/{site}`), the private previews, and the commune list
//! the new-site form asks for.

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::Serialize;

use super::home::Row;
use super::site_form::Choice;
use super::{blocking, private_page, see_other, submission_url, visible_submission};
use crate::admin_units::units;
use crate::archive::inbox::{LICENCES, Proposal, Status, Submission};
use crate::record::SiteRecord;
use crate::web::auth::{Posted, Volunteer, VolunteerRole};
use crate::web::error::{InLang, PageError, WebError};
use crate::web::i18n::{Chosen, Lang, url_param};
use crate::web::state::AppState;
use crate::web::views::site_url;

#[derive(Serialize)]
struct SubmissionPage {
    id: String,
    row: Row,
    csrf: String,
    record: Option<RecordView>,
    note: Option<String>,
    /// The existing site a photo or correction submission is about.
    site_page: Option<String>,
    photos: Vec<PhotoRow>,
    /// Present when photos can still be added by this user.
    upload: Option<UploadForm>,
    /// Photos just added by the form without JavaScript.
    added: Option<usize>,
    errors: Vec<String>,
}

#[derive(Serialize)]
struct RecordView {
    name: String,
    type_label: Option<String>,
    alt_names: Vec<String>,
    address: Option<String>,
    commune: Option<String>,
    province: Option<String>,
    position: Option<String>,
    summary: Option<String>,
    description: Option<String>,
    people: Vec<String>,
    sources: Vec<String>,
}

#[derive(Serialize)]
struct PhotoRow {
    preview: String,
    name: String,
    caption: Option<String>,
    author: String,
    license: String,
    size: String,
    gps: Option<String>,
    position_shared: bool,
}

/// The photo form, filled with what the volunteer typed last.
#[derive(Serialize, Default)]
pub struct UploadForm {
    /// The multipart form's action (CSRF token in the query: a multipart body is not read
    /// before the check).
    action: String,
    /// Where the script declares resumable uploads.
    uploads_url: String,
    licences: Vec<Choice>,
    author: String,
    caption: String,
    share_position: bool,
    max_mb: u64,
    remaining: usize,
}

/// What the photo form sent, to show again, and what came of it.
#[derive(Default)]
pub struct Outcome {
    pub author: String,
    pub caption: String,
    pub license: String,
    /// "Publish where the photos were taken" was ticked.
    pub share_position: bool,
    pub added: Option<usize>,
    pub errors: Vec<String>,
}

/// `GET /contribute/{id}`.
pub async fn show(
    req: HttpRequest,
    by: Volunteer,
    state: web::Data<AppState>,
    chosen: Chosen,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let submission = visible_submission(&state.inbox, &id, &by.user).in_lang(lang)?;
    let outcome = Outcome {
        added: url_param(req.query_string(), "added").and_then(|n| n.parse().ok()),
        ..Outcome::default()
    };
    render(&state, &by, &submission, lang, outcome, StatusCode::OK)
}

/// Renders a submission's page with the outcome of a photo form.
pub fn render(
    state: &AppState,
    by: &Volunteer,
    submission: &Submission,
    lang: Lang,
    outcome: Outcome,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let catalog = state.catalog();
    let row = Row::of(submission, &catalog, lang);
    let title = row.title.clone();
    let (record, note) = match &submission.proposal {
        Proposal::NewSite { record } => (Some(record_view(record, lang)), None),
        Proposal::Correction { record, note, .. } => {
            (Some(record_view(record, lang)), note.clone())
        }
        Proposal::Photos { .. } => (None, None),
    };
    let open = submission.status == Status::Pending
        && submission.submitter == by.user.name
        && !matches!(submission.proposal, Proposal::Correction { .. });
    let last = submission.photos.last();
    let license = if outcome.license.is_empty() {
        last.map(|p| p.license.clone()).unwrap_or_default()
    } else {
        outcome.license.clone()
    };
    let upload = open.then(|| UploadForm {
        action: format!(
            "/contribute/{}/photos?{}",
            submission.id,
            serde_urlencoded::to_string([("csrf", by.csrf()), ("lang", lang.code())])
                .unwrap_or_default()
        ),
        uploads_url: format!("/contribute/{}/uploads", submission.id),
        licences: LICENCES
            .iter()
            .enumerate()
            .map(|(i, (id, label))| Choice {
                value: (*id).to_owned(),
                label: (*label).to_owned(),
                selected: if license.is_empty() {
                    i == 0
                } else {
                    license == *id
                },
            })
            .collect(),
        author: if outcome.author.is_empty() {
            last.map(|p| p.author.clone()).unwrap_or_default()
        } else {
            outcome.author.clone()
        },
        caption: outcome.caption.clone(),
        share_position: outcome.share_position,
        max_mb: state.inbox.max_photo_bytes() / (1024 * 1024),
        remaining: state
            .inbox
            .max_photos()
            .saturating_sub(submission.photos.len()),
    });
    let body = SubmissionPage {
        id: submission.id.clone(),
        csrf: by.csrf().to_owned(),
        record,
        note,
        site_page: submission.proposal.site_id().map(|id| site_url(id, lang)),
        photos: submission
            .photos
            .iter()
            .map(|p| PhotoRow {
                preview: format!("/contribute/{}/previews/{}.jpg", submission.id, p.hash),
                name: p.original_name.clone(),
                caption: p.caption.clone(),
                author: p.author.clone(),
                license: p.license.clone(),
                size: format!("{}×{} · {} KB", p.width, p.height, p.bytes.div_ceil(1024)),
                gps: p.gps.map(|(lat, lon)| format!("{lat:.5}, {lon:.5}")),
                position_shared: p.share_position,
            })
            .collect(),
        upload,
        added: outcome.added,
        errors: outcome.errors,
        row,
    };
    let mut response = private_page("contribute_submission.html", lang, &title, &body)?;
    *response.status_mut() = status;
    Ok(response)
}

fn record_view(record: &SiteRecord, lang: Lang) -> RecordView {
    let l = &record.location;
    RecordView {
        name: record.name.clone(),
        type_label: record.site_type.as_ref().map(|t| match lang {
            Lang::Vi => t.label_vi().to_owned(),
            Lang::En => t.label_en().to_owned(),
        }),
        alt_names: record.alt_names.clone(),
        address: l.address.clone(),
        commune: l.commune.clone(),
        province: l.province.clone(),
        position: l.lat.zip(l.lon).map(|(lat, lon)| {
            let how = l.accuracy.map(|a| match lang {
                Lang::Vi => a.label_vi(),
                Lang::En => a.label_en(),
            });
            format!(
                "{lat:.6}, {lon:.6}{}",
                how.map(|h| format!(" ({h})")).unwrap_or_default()
            )
        }),
        summary: record.summary.clone(),
        description: record.description.clone(),
        people: record.people.clone(),
        sources: record
            .sources
            .iter()
            .filter_map(|s| s.url.clone().or_else(|| s.citation.clone()))
            .collect(),
    }
}

#[derive(Serialize)]
struct StartPage {
    site_name: String,
    site_url: String,
    action: String,
    csrf: String,
}

/// `GET /contribute/photos/{site}`: goes to the volunteer's open photo submission for the
/// site, or offers to start one (a GET never creates anything).
pub async fn start_photos_form(
    by: Volunteer,
    state: web::Data<AppState>,
    chosen: Chosen,
    site_id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let catalog = state.catalog();
    let site = catalog.require(&site_id).in_lang(lang)?;
    let inbox = state.inbox.clone();
    let name = by.name().to_owned();
    let (mine, _) = web::block(move || inbox.by_submitter(&name))
        .await
        .unwrap_or_default();
    let open = mine.iter().find(|s| {
        s.status == Status::Pending
            && matches!(&s.proposal, Proposal::Photos { site_id } if *site_id == site.id)
    });
    if let Some(open) = open {
        return Ok(see_other(submission_url(&open.id, lang)));
    }
    let body = StartPage {
        site_name: site.name().to_owned(),
        site_url: site_url(&site.id, lang),
        action: crate::web::render::with_param(
            &format!("/contribute/photos/{}", site.id),
            lang.link_param(),
        ),
        csrf: by.csrf().to_owned(),
    };
    let title = format!("{} · {}", lang.labels().add_photos, site.name());
    private_page("contribute_start.html", lang, &title, &body)
}

/// `POST /contribute/photos/{site}`: starts a photo submission for an existing site.
pub async fn start_photos(
    posted: Posted<VolunteerRole>,
    state: web::Data<AppState>,
    chosen: Chosen,
    site_id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let catalog = state.catalog();
    let site = catalog.require(&site_id).in_lang(lang)?;
    let site_id = site.id.clone();
    let inbox = state.inbox.clone();
    let name = posted.by.name().to_owned();
    // Posting again (a double tap, a reload) continues the open submission for this site.
    let submission = blocking(move || match inbox.open_photo_submission(&name, &site_id) {
        Some(open) => Ok(open),
        None => inbox.submit(&name, Proposal::Photos { site_id }, Utc::now()),
    })
    .await
    .in_lang(lang)?;
    super::link_to_campaigns(&state, &submission, None).await;
    Ok(see_other(submission_url(&submission.id, lang)))
}

/// `GET /contribute/{id}/previews/{hash}.jpg`: the small EXIF-free preview of a submitted
/// photo, for its volunteer and moderators. The file is found through the submission's list,
/// never from the URL.
pub async fn preview(
    by: Volunteer,
    state: web::Data<AppState>,
    chosen: Chosen,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let (id, file) = path.into_inner();
    let submission = visible_submission(&state.inbox, &id, &by.user).in_lang(lang)?;
    let hash = file.strip_suffix(".jpg").unwrap_or_default();
    let photo = submission
        .photos
        .iter()
        .find(|p| p.hash == hash)
        .ok_or_else(|| WebError::not_found(format!("photo {hash}")))
        .in_lang(lang)?;
    let path = state.inbox.preview_path(&submission, photo);
    let bytes = web::block(move || std::fs::read(path))
        .await
        .ok()
        .and_then(Result::ok)
        .ok_or_else(|| WebError::not_found("preview"))
        .in_lang(lang)?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "image/jpeg"))
        .insert_header((CACHE_CONTROL, "private, max-age=86400"))
        .body(bytes))
}

/// `GET /contribute/communes?province=…`: the communes of a province, for the form's list.
pub async fn communes(_by: Volunteer, req: HttpRequest) -> HttpResponse {
    let province = url_param(req.query_string(), "province").unwrap_or_default();
    let names: Vec<&str> = units()
        .communes_of(&province)
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "private, max-age=86400"))
        .json(names)
}
