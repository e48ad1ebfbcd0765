//! Proposing a new site (`/contribute/new`) and correcting an existing one
//! (`/contribute/correct/{site}`): one form template, two ways to fill it.
//!
//! A form with errors comes back with every value as typed and each message beside its
//! field; a "check the address" button shows where the address resolves without sending
//! anything. A form without errors becomes a pending submission in the inbox, and the browser
//! goes to its page, where photos are added.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Serialize;

use super::fields::{FieldErrors, ResolvedView, SiteFields, check_record, field_of};
use super::{private_page, see_other, submission_url};
use crate::admin_units::units;
use crate::archive::inbox::{InboxError, Proposal};
use crate::record::{Accuracy, KnownType, SiteRecord};
use crate::web::auth::{Posted, Volunteer, VolunteerRole};
use crate::web::error::{InLang, PageError, WebError};
use crate::web::i18n::{Chosen, Lang};
use crate::web::state::AppState;
use crate::web::views::site_url;

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
}

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

/// `GET /contribute/new`.
pub async fn new_form(by: Volunteer, chosen: Chosen) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let t = lang.labels();
    let page = SiteFormPage::new(
        "new",
        "/contribute/new".into(),
        t.new_site_title.into(),
        by.csrf(),
        lang,
    );
    page.render(lang, StatusCode::OK)
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
    let now = Utc::now();
    let mut record = SiteRecord::new(crate::fold::slug(&values.name), "", now);
    values.apply_text(&mut record);
    let mut page = SiteFormPage::new(
        "new",
        "/contribute/new".into(),
        t.new_site_title.into(),
        posted.by.csrf(),
        lang,
    );
    page.resolved = values.apply_location(&mut record, &mut page.errors, lang);
    if values.name.trim().is_empty() {
        page.errors.insert("name", t.name_required.to_owned());
    } else {
        check_record(&record, &mut page.errors);
    }
    page.values = values;
    let checking = posted.fields.get("action") == Some("check");
    if checking || !page.errors.is_empty() {
        let status = if checking {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return page.render(lang, status);
    }
    submit(
        &state,
        posted.by.name(),
        Proposal::NewSite { record },
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
    let t = lang.labels();
    let catalog = state.catalog();
    let site = catalog.require(&site_id).in_lang(lang)?;
    let current = catalog.record(site).in_lang(lang)?;
    let values = SiteFields::from_form(&posted.fields);
    let mut record = (*current).clone();
    values.apply_text(&mut record);
    let mut page = correction_page(&current, posted.by.csrf(), lang);
    if values.name.trim().is_empty() {
        page.errors.insert("name", t.name_required.to_owned());
    } else {
        check_record(&record, &mut page.errors);
    }
    if record.same_content(&current) {
        page.errors.insert("form", t.nothing_changed.to_owned());
    }
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
    submit(&state, posted.by.name(), proposal, page, lang).await
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

/// Sends a checked proposal to the inbox; a refusal goes back onto the form.
async fn submit(
    state: &AppState,
    submitter: &str,
    proposal: Proposal,
    mut page: SiteFormPage,
    lang: Lang,
) -> Result<HttpResponse, PageError> {
    let inbox = state.inbox.clone();
    let submitter = submitter.to_owned();
    let result = super::blocking(move || inbox.submit(&submitter, proposal, Utc::now())).await;
    match result {
        Ok(submission) => Ok(see_other(submission_url(&submission.id, lang))),
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
