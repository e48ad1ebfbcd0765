//! Proposing a new site (`/contribute/new`) and correcting an existing one
//! (`/contribute/correct/{site}`): one form template, two ways to fill it.
//!
//! A form with errors comes back with every value as typed and each message beside its
//! field; a "check the address" button shows where the address resolves without sending
//! anything. A form without errors becomes a pending submission in the inbox, and the browser
//! goes to its page, where photos are added.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::Serialize;

use super::fields::{FieldErrors, ResolvedView, SiteFields, check_record, field_of};
use super::{private_page, see_other, submission_url};
use crate::admin_units::units;
use crate::archive::inbox::{InboxError, Proposal};
use crate::record::{Accuracy, KnownType, SiteRecord};
use crate::web::auth::{Posted, Volunteer, VolunteerRole};
use crate::web::error::{InLang, PageError, WebError};
use crate::web::i18n::{Chosen, Lang, url_param};
use crate::web::state::AppState;
use crate::web::views::{distance_text, site_url};

/// An option of a `<select>`.
#[derive(Debug, Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Serialize)]
struct SiteFormPage {
    /// `new` or `correct`.
    mode: &'static str,
    action: String,
    heading: String,
    csrf: String,
    values: SiteFields,
    errors: FieldErrors,
    resolved: Option<ResolvedView>,
    types: Vec<Choice>,
    provinces: Vec<Choice>,
    /// The communes of the chosen province, for the suggestion list.
    communes: Vec<String>,
    accuracies: Vec<Choice>,
    /// The corrected site's page.
    site_url: Option<String>,
    /// The campaign a new site is proposed in (it becomes a task there once approved).
    campaign: Option<CampaignTag>,
    /// Published sites the proposal may repeat; sending needs `not_duplicate` ticked.
    duplicates: Vec<DuplicateView>,
}

#[derive(Serialize)]
struct CampaignTag {
    slug: String,
    title: String,
}

#[derive(Serialize)]
struct DuplicateView {
    name: String,
    url: String,
    distance: Option<String>,
    near: bool,
    similar_name: bool,
}

/// Most possible duplicates shown.
const DUPLICATES_SHOWN: usize = 8;

impl SiteFormPage {
    fn new(mode: &'static str, action: String, heading: String, csrf: &str, lang: Lang) -> Self {
        SiteFormPage {
            mode,
            action: crate::web::render::with_param(&action, lang.link_param()),
            heading,
            csrf: csrf.to_owned(),
            values: SiteFields::default(),
            errors: FieldErrors::new(),
            resolved: None,
            types: Vec::new(),
            provinces: Vec::new(),
            communes: Vec::new(),
            accuracies: Vec::new(),
            site_url: None,
            campaign: None,
            duplicates: Vec::new(),
        }
    }

    /// Fills the choices from the values and renders, with `status`.
    fn render(mut self, lang: Lang, status: StatusCode) -> Result<HttpResponse, PageError> {
        let pick = |vi: &str, en: &str| match lang {
            Lang::Vi => vi.to_owned(),
            Lang::En => en.to_owned(),
        };
        let v = &self.values;
        self.types = KnownType::ALL
            .iter()
            .map(|k| Choice {
                value: k.code().to_owned(),
                label: pick(k.label_vi(), k.label_en()),
                selected: v.site_type == k.code(),
            })
            .collect();
        let province = units().current_province(&v.province).unwrap_or_default();
        self.provinces = units()
            .provinces()
            .iter()
            .map(|p| Choice {
                value: p.short.clone(),
                label: p.name.clone(),
                selected: p.short == province,
            })
            .collect();
        self.provinces.sort_by_key(|c| crate::fold::key(&c.value));
        self.communes = units()
            .communes_of(province)
            .iter()
            .map(|c| c.name.clone())
            .collect();
        self.accuracies = [Accuracy::Map, Accuracy::Surveyed, Accuracy::PhotoGps]
            .iter()
            .map(|a| Choice {
                value: a.code().to_owned(),
                label: pick(a.label_vi(), a.label_en()),
                selected: v.accuracy == a.code(),
            })
            .collect();
        let title = self.heading.clone();
        let mut response = private_page("contribute_site.html", lang, &title, &self)?;
        *response.status_mut() = status;
        Ok(response)
    }
}

/// `GET /contribute/new?campaign=`.
pub async fn new_form(
    req: HttpRequest,
    by: Volunteer,
    state: web::Data<AppState>,
    chosen: Chosen,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let t = lang.labels();
    let mut page = SiteFormPage::new(
        "new",
        "/contribute/new".into(),
        t.new_site_title.into(),
        by.csrf(),
        lang,
    );
    page.campaign = campaign_tag(&state, url_param(req.query_string(), "campaign")).await;
    page.render(lang, StatusCode::OK)
}

/// The campaign a new site is proposed in, when the slug names one.
async fn campaign_tag(state: &AppState, slug: Option<String>) -> Option<CampaignTag> {
    let slug = slug.filter(|s| crate::fold::is_slug(s))?;
    let campaigns = state.campaigns.clone();
    let campaign = web::block(move || campaigns.get(&slug)).await.ok()?.ok()?;
    Some(CampaignTag {
        slug: campaign.slug,
        title: campaign.title,
    })
}

/// Published sites within 500 m or with a similar name in the same commune.
fn duplicates_of(state: &AppState, record: &SiteRecord, lang: Lang) -> Vec<DuplicateView> {
    let catalog = state.catalog();
    let published = catalog.sites().map(|s| (s.id.as_str(), &s.summary));
    crate::moderation::duplicates::likely_duplicates(published, record, DUPLICATES_SHOWN)
        .into_iter()
        .map(|d| DuplicateView {
            url: site_url(&d.id, lang),
            name: d.name,
            distance: d.distance_km.map(distance_text),
            near: d.near,
            similar_name: d.similar_name,
        })
        .collect()
}

/// `POST /contribute/new`.
pub async fn new_submit(
    posted: Posted<VolunteerRole>,
    state: web::Data<AppState>,
    chosen: Chosen,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let t = lang.labels();
    let values = SiteFields::from_form(&posted.fields);
    let (record, resolved, errors) = new_site_record(&values, lang, Utc::now());
    let mut page = SiteFormPage::new(
        "new",
        "/contribute/new".into(),
        t.new_site_title.into(),
        posted.by.csrf(),
        lang,
    );
    page.resolved = resolved;
    page.errors = errors;
    page.values = values;
    page.campaign = campaign_tag(&state, posted.fields.get("campaign").map(str::to_owned)).await;
    let checking = posted.fields.get("action") == Some("check");
    if page.errors.is_empty() || checking {
        page.duplicates = duplicates_of(&state, &record, lang);
    }
    let unconfirmed = !page.duplicates.is_empty() && posted.fields.get("not_duplicate").is_none();
    if !checking && page.errors.is_empty() && unconfirmed {
        page.errors
            .insert("duplicates", t.possible_duplicates.to_owned());
    }
    if checking || !page.errors.is_empty() {
        let status = if checking {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return page.render(lang, status);
    }
    let campaign = page.campaign.as_ref().map(|c| c.slug.clone());
    submit(
        &state,
        posted.by.name(),
        Proposal::NewSite { record },
        campaign,
        page,
        lang,
    )
    .await
}

/// `GET /contribute/correct/{site}`.
pub async fn correct_form(
    by: Volunteer,
    state: web::Data<AppState>,
    chosen: Chosen,
    site_id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let catalog = state.catalog();
    let site = catalog.require(&site_id).in_lang(lang)?;
    let current = catalog.record(site).in_lang(lang)?;
    let mut page = correction_page(&current, by.csrf(), lang);
    page.values = SiteFields::from_record(&current);
    page.render(lang, StatusCode::OK)
}

/// `POST /contribute/correct/{site}`.
pub async fn correct_submit(
    posted: Posted<VolunteerRole>,
    state: web::Data<AppState>,
    chosen: Chosen,
    site_id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let catalog = state.catalog();
    let site = catalog.require(&site_id).in_lang(lang)?;
    let current = catalog.record(site).in_lang(lang)?;
    let values = SiteFields::from_form(&posted.fields);
    let (record, errors) = corrected_record(&current, &values, lang);
    let mut page = correction_page(&current, posted.by.csrf(), lang);
    page.errors = errors;
    let note = Some(values.note.trim().to_owned()).filter(|n| !n.is_empty());
    page.values = values;
    if !page.errors.is_empty() {
        return page.render(lang, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let proposal = Proposal::Correction {
        site_id: site.id.clone(),
        record,
        note,
    };
    submit(&state, posted.by.name(), proposal, None, page, lang).await
}

/// What the new-site form makes of its values: the record (its id is given on approval),
/// where its address resolved, and every problem by field.
pub fn new_site_record(
    values: &SiteFields,
    lang: Lang,
    now: chrono::DateTime<Utc>,
) -> (SiteRecord, Option<ResolvedView>, FieldErrors) {
    let mut record = SiteRecord::new(crate::fold::slug(&values.name), "", now);
    values.apply_text(&mut record);
    let mut errors = FieldErrors::new();
    let resolved = values.apply_location(&mut record, &mut errors, lang);
    if values.name.trim().is_empty() {
        errors.insert("name", lang.labels().name_required.to_owned());
    } else {
        check_record(&record, &mut errors);
    }
    (record, resolved, errors)
}

/// What the correction form makes of `current` with its values: the corrected record and
/// every problem by field (a correction that changes nothing is one).
pub fn corrected_record(
    current: &SiteRecord,
    values: &SiteFields,
    lang: Lang,
) -> (SiteRecord, FieldErrors) {
    let t = lang.labels();
    let mut record = current.clone();
    values.apply_text(&mut record);
    let mut errors = FieldErrors::new();
    if values.name.trim().is_empty() {
        errors.insert("name", t.name_required.to_owned());
    } else {
        check_record(&record, &mut errors);
    }
    if record.same_content(current) {
        errors.insert("form", t.nothing_changed.to_owned());
    }
    (record, errors)
}

fn correction_page(record: &SiteRecord, csrf: &str, lang: Lang) -> SiteFormPage {
    let t = lang.labels();
    let mut page = SiteFormPage::new(
        "correct",
        format!("/contribute/correct/{}", record.id),
        format!("{} {}", t.correct_title, record.name),
        csrf,
        lang,
    );
    page.site_url = Some(site_url(&record.id, lang));
    page
}

/// Sends a checked proposal to the inbox, linked to the volunteer's campaign task (or, for a
/// new site, to the campaign it was proposed in); a refusal goes back onto the form.
async fn submit(
    state: &AppState,
    submitter: &str,
    proposal: Proposal,
    campaign: Option<String>,
    mut page: SiteFormPage,
    lang: Lang,
) -> Result<HttpResponse, PageError> {
    let inbox = state.inbox.clone();
    let submitter = submitter.to_owned();
    let result = super::blocking(move || inbox.submit(&submitter, proposal, Utc::now())).await;
    match result {
        Ok(submission) => {
            super::link_to_campaigns(state, &submission, campaign).await;
            Ok(see_other(submission_url(&submission.id, lang)))
        }
        Err(WebError::Inbox(InboxError::Invalid {
            field,
            problem,
            hint,
        })) => {
            page.errors
                .insert(field_of(field), format!("{problem} — {hint}"));
            page.render(lang, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(other) => Err(other).in_lang(lang),
    }
}
