//! Making and changing a campaign (`/campaigns/new`, `/campaigns/{c}/edit`), for moderators.
//!
//! One form: title, dates, how long a claim holds, the teams taking part (names or slugs, one
//! a line; none for every team), the scope (provinces, or communes by current or pre-2025
//! name; types; levels; what sites must lack; or an explicit list of sites by id or URL) and
//! the done rule. Every problem comes back beside its field with everything typed kept. A
//! saved change says what it did to the tasks (added, withdrawn, of them held, restored); the
//! campaign's history is listed under the form.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{Duration, NaiveDate, Utc};
use serde::Serialize;

use super::{EventRow, campaign_of, event_rows, url};
use crate::admin_units::units;
use crate::campaigns::{Campaign, CampaignError, DoneRule, Draft, Lacking, Scope};
use crate::record::{KnownType, Level};
use crate::teams::{Teams, communes};
use crate::web::auth::{Fields, Moderator, ModeratorRole, Posted};
use crate::web::contribute::site_form::Choice;
use crate::web::error::{InLang, PageError, WebError};
use crate::web::i18n::{Chosen, Labels, Lang, url_param};
use crate::web::render::{private_page, see_other, with_param};
use crate::web::state::AppState;

/// What the form holds, as typed.
#[derive(Debug, Serialize, Default, Clone)]
struct Values {
    title: String,
    description: String,
    starts: String,
    ends: String,
    claim_hours: String,
    provinces: Vec<String>,
    communes: String,
    types: Vec<String>,
    levels: Vec<String>,
    lack_photos: String,
    lack_position: bool,
    lack_description: bool,
    lack_sources: bool,
    sites: String,
    done_photos: String,
    done_precise: bool,
    done_description: bool,
    done_sources: bool,
    teams: String,
}

#[derive(Serialize)]
struct FormPage {
    heading: String,
    action: String,
    csrf: String,
    values: Values,
    errors: BTreeMap<&'static str, String>,
    provinces: Vec<Choice>,
    types: Vec<Choice>,
    levels: Vec<Choice>,
    notice: Option<String>,
    public_url: Option<String>,
    events: Vec<EventRow>,
}

impl Values {
    fn of(c: &Campaign, teams: &Teams) -> Values {
        let s = &c.scope;
        Values {
            title: c.title.clone(),
            description: c.description.clone(),
            starts: c.starts.to_string(),
            ends: c.ends.to_string(),
            claim_hours: c.claim_hours.to_string(),
            provinces: s.provinces.clone(),
            communes: s
                .communes
                .iter()
                .filter_map(|code| communes::by_code(code))
                .map(|c| c.label())
                .collect::<Vec<_>>()
                .join("\n"),
            types: s.types.clone(),
            levels: s.levels.clone(),
            lack_photos: s.lacking.photos_below.to_string(),
            lack_position: s.lacking.position,
            lack_description: s.lacking.description,
            lack_sources: s.lacking.sources,
            sites: s.sites.join("\n"),
            done_photos: c.done.min_photos.to_string(),
            done_precise: c.done.precise,
            done_description: c.done.description,
            done_sources: c.done.sources,
            teams: c
                .teams
                .iter()
                .filter_map(|id| teams.get(*id).ok())
                .map(|t| t.name)
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    fn from_form(f: &Fields) -> Values {
        let text = |name: &str| f.get(name).unwrap_or_default().to_owned();
        let all = |name: &str| f.all(name).map(str::to_owned).collect();
        Values {
            title: text("title"),
            description: text("description"),
            starts: text("starts"),
            ends: text("ends"),
            claim_hours: text("claim_hours"),
            provinces: all("province"),
            communes: text("communes"),
            types: all("type"),
            levels: all("level"),
            lack_photos: text("lack_photos"),
            lack_position: f.get("lack_position").is_some(),
            lack_description: f.get("lack_description").is_some(),
            lack_sources: f.get("lack_sources").is_some(),
            sites: text("sites"),
            done_photos: text("done_photos"),
            done_precise: f.get("done_precise").is_some(),
            done_description: f.get("done_description").is_some(),
            done_sources: f.get("done_sources").is_some(),
            teams: text("teams"),
        }
    }

    /// The draft the form describes, or every problem by field.
    fn draft(&self, teams: &Teams, t: &Labels) -> Result<Draft, BTreeMap<&'static str, String>> {
        let mut errors = BTreeMap::new();
        let date = |name: &'static str, text: &str, errors: &mut BTreeMap<&'static str, String>| {
            match text.trim().parse::<NaiveDate>() {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.insert(name, format!("“{text}”: {}", t.bad_date));
                    None
                }
            }
        };
        let number =
            |name: &'static str, text: &str, errors: &mut BTreeMap<&'static str, String>| {
                if text.trim().is_empty() {
                    return Some(0);
                }
                match text.trim().parse::<u32>() {
                    Ok(n) => Some(n),
                    Err(_) => {
                        errors.insert(name, format!("“{text}”: {}", t.bad_number));
                        None
                    }
                }
            };
        let starts = date("starts", &self.starts, &mut errors);
        let ends = date("ends", &self.ends, &mut errors);
        let claim_hours = number("claim_hours", &self.claim_hours, &mut errors);
        let lack_photos = number("lack_photos", &self.lack_photos, &mut errors);
        let done_photos = number("done_photos", &self.done_photos, &mut errors);
        let province_hint = (self.provinces.len() == 1).then(|| self.provinces[0].as_str());
        let mut commune_codes = Vec::new();
        let mut commune_problems = Vec::new();
        for line in self
            .communes
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            match communes::resolve(line, province_hint) {
                Ok(c) => commune_codes.push(c.code),
                Err(why) => commune_problems.push(format!("“{line}”: {why}")),
            }
        }
        if !commune_problems.is_empty() {
            errors.insert("communes", commune_problems.join("; "));
        }
        let mut team_ids = Vec::new();
        let mut unknown = Vec::new();
        for line in self.teams.lines().map(str::trim).filter(|l| !l.is_empty()) {
            match teams.find(line) {
                Ok(team) => team_ids.push(team.id),
                Err(_) => unknown.push(format!("“{line}”")),
            }
        }
        if !unknown.is_empty() {
            errors.insert(
                "teams",
                format!("{} {}", t.no_such_team, unknown.join(", ")),
            );
        }
        let sites: Vec<String> = self
            .sites
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| {
                l.trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or(l)
                    .to_owned()
            })
            .collect();
        if let Some(bad) = sites.iter().find(|s| !crate::fold::is_slug(s)) {
            errors.insert("sites", format!("“{bad}”: {}", t.bad_site_id));
        }
        let (Some(starts), Some(ends), Some(claim_hours), Some(lack_photos), Some(done_photos)) =
            (starts, ends, claim_hours, lack_photos, done_photos)
        else {
            return Err(errors);
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Draft {
            title: self.title.clone(),
            description: self.description.clone(),
            starts,
            ends,
            scope: Scope {
                provinces: self.provinces.clone(),
                communes: commune_codes,
                types: self.types.clone(),
                levels: self.levels.clone(),
                lacking: Lacking {
                    photos_below: lack_photos,
                    position: self.lack_position,
                    description: self.lack_description,
                    sources: self.lack_sources,
                },
                sites,
            },
            done: DoneRule {
                min_photos: done_photos,
                precise: self.done_precise,
                description: self.done_description,
                sources: self.done_sources,
            },
            claim_hours,
            teams: team_ids,
        })
    }
}

fn choices(values: &Values, lang: Lang) -> (Vec<Choice>, Vec<Choice>, Vec<Choice>) {
    let pick = |vi: &str, en: &str| match lang {
        Lang::Vi => vi.to_owned(),
        Lang::En => en.to_owned(),
    };
    let mut provinces: Vec<Choice> = units()
        .provinces()
        .iter()
        .map(|p| Choice {
            value: p.short.clone(),
            label: p.name.clone(),
            selected: values.provinces.contains(&p.short),
        })
        .collect();
    provinces.sort_by_key(|c| crate::fold::key(&c.value));
    let types = KnownType::ALL
        .iter()
        .map(|k| Choice {
            value: k.code().to_owned(),
            label: pick(k.label_vi(), k.label_en()),
            selected: values.types.iter().any(|v| v == k.code()),
        })
        .collect();
    let levels = Level::ALL
        .iter()
        .filter(|l| **l != Level::Unknown)
        .map(|l| Choice {
            value: l.code().to_owned(),
            label: pick(l.label_vi(), l.label_en()),
            selected: values.levels.iter().any(|v| v == l.code()),
        })
        .collect();
    (provinces, types, levels)
}

#[allow(clippy::too_many_arguments)]
fn render(
    lang: Lang,
    heading: String,
    action: String,
    csrf: &str,
    values: Values,
    errors: BTreeMap<&'static str, String>,
    notice: Option<String>,
    public_url: Option<String>,
    events: Vec<EventRow>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let (provinces, types, levels) = choices(&values, lang);
    let body = FormPage {
        heading: heading.clone(),
        action,
        csrf: csrf.to_owned(),
        values,
        errors,
        provinces,
        types,
        levels,
        notice,
        public_url,
        events,
    };
    let mut response = private_page("campaign_form.html", lang, &heading, &body)?;
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /campaigns/new`.
pub async fn new_form(by: Moderator, chosen: Chosen) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let today = crate::private_db::day_of(Utc::now());
    let values = Values {
        starts: today.to_string(),
        ends: (today + Duration::days(30)).to_string(),
        claim_hours: "48".into(),
        lack_photos: "1".into(),
        done_photos: "1".into(),
        done_precise: true,
        ..Values::default()
    };
    render(
        lang,
        lang.labels().new_campaign_title.into(),
        with_param("/campaigns/new", lang.link_param()),
        by.csrf(),
        values,
        BTreeMap::new(),
        None,
        None,
        Vec::new(),
        StatusCode::OK,
    )
}

/// `POST /campaigns/new`.
pub async fn create(
    posted: Posted<ModeratorRole>,
    state: web::Data<AppState>,
    chosen: Chosen,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let values = Values::from_form(&posted.fields);
    let (campaigns, teams, user, v) = (
        state.campaigns.clone(),
        state.teams.clone(),
        posted.by.user.clone(),
        values.clone(),
    );
    let outcome = crate::web::blocking(move || {
        Ok::<_, WebError>(match v.draft(&teams, lang.labels()) {
            Ok(draft) => Ok(campaigns.create(&draft, &user, Utc::now())?),
            Err(errors) => Err(errors),
        })
    })
    .await;
    let heading = lang.labels().new_campaign_title.to_owned();
    let action = with_param("/campaigns/new", lang.link_param());
    match outcome {
        Ok(Ok((campaign, change))) => Ok(see_other(with_param(
            &url(&campaign.slug, "/edit", lang),
            &format!("done=created&added={}", change.added),
        ))),
        Ok(Err(errors)) => render(
            lang,
            heading,
            action,
            posted.by.csrf(),
            values,
            errors,
            None,
            None,
            Vec::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(WebError::Campaigns(CampaignError::Invalid { field, why })) => render(
            lang,
            heading,
            action,
            posted.by.csrf(),
            values,
            BTreeMap::from([(field, why)]),
            None,
            None,
            Vec::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(other) => Err(other).in_lang(lang),
    }
}

/// `GET /campaigns/{c}/edit`.
pub async fn edit_form(
    req: HttpRequest,
    by: Moderator,
    state: web::Data<AppState>,
    chosen: Chosen,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let t = lang.labels();
    let campaign = campaign_of(&state, &slug).await.in_lang(lang)?;
    let query = req.query_string();
    let count = |name: &str| url_param(query, name).unwrap_or_else(|| "0".into());
    let notice = url_param(query, "done").map(|done| {
        format!(
            "{} {} {}, {} {} ({} {}), {} {}",
            if done == "created" {
                t.campaign_created_notice
            } else {
                t.campaign_saved_notice
            },
            count("added"),
            t.tasks_added,
            count("withdrawn"),
            t.tasks_withdrawn,
            count("released"),
            t.tasks_released,
            count("restored"),
            t.tasks_restored,
        )
    });
    let (teams, campaigns, c) = (
        state.teams.clone(),
        state.campaigns.clone(),
        campaign.clone(),
    );
    let (values, events) = crate::web::blocking(move || {
        let events = campaigns
            .db()
            .read(|tx| Ok::<_, CampaignError>(crate::private_db::campaign_events(tx, c.id, 30)?))?;
        Ok::<_, WebError>((Values::of(&c, &teams), events))
    })
    .await
    .in_lang(lang)?;
    render(
        lang,
        format!("{} · {}", t.edit_campaign_title, campaign.title),
        url(&campaign.slug, "/edit", lang),
        by.csrf(),
        values,
        BTreeMap::new(),
        notice,
        Some(url(&campaign.slug, "", lang)),
        event_rows(&events, lang),
        StatusCode::OK,
    )
}

/// `POST /campaigns/{c}/edit`.
pub async fn update(
    posted: Posted<ModeratorRole>,
    state: web::Data<AppState>,
    chosen: Chosen,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let t = lang.labels();
    let campaign = campaign_of(&state, &slug).await.in_lang(lang)?;
    let values = Values::from_form(&posted.fields);
    let (campaigns, teams, user, v, c) = (
        state.campaigns.clone(),
        state.teams.clone(),
        posted.by.user.clone(),
        values.clone(),
        campaign.clone(),
    );
    let outcome = crate::web::blocking(move || {
        Ok::<_, WebError>(match v.draft(&teams, lang.labels()) {
            Ok(draft) => Ok(campaigns.update(&c, &draft, &user, Utc::now())?),
            Err(errors) => Err(errors),
        })
    })
    .await;
    let heading = format!("{} · {}", t.edit_campaign_title, campaign.title);
    let action = url(&campaign.slug, "/edit", lang);
    let again = |errors| {
        render(
            lang,
            heading.clone(),
            action.clone(),
            posted.by.csrf(),
            values.clone(),
            errors,
            None,
            Some(url(&campaign.slug, "", lang)),
            Vec::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    match outcome {
        Ok(Ok((_, change))) => Ok(see_other(with_param(
            &url(&campaign.slug, "/edit", lang),
            &format!(
                "done=saved&added={}&withdrawn={}&released={}&restored={}",
                change.added, change.withdrawn, change.released, change.restored
            ),
        ))),
        Ok(Err(errors)) => again(errors),
        Err(WebError::Campaigns(CampaignError::Invalid { field, why })) => {
            again(BTreeMap::from([(field, why)]))
        }
        Err(other) => Err(other).in_lang(lang),
    }
}
