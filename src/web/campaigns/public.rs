//! The public pages of campaigns: the list, a campaign's progress page, and its figures as CSV.
//!
//! A campaign's page reads the day's snapshot of its figures (a few hundred rows), never the
//! sites themselves, so it costs the same for fifty sites or fifty thousand. A campaign over
//! many communes is shown province by province (`?province=` opens one), so that a phone never
//! receives thousands of table rows or map circles. Pages revalidate on every view (`no-cache`
//! with an ETag): figures change with every approval.

use std::collections::BTreeMap;

use actix_web::http::header::{CACHE_CONTROL, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{NaiveDate, Utc};
use serde::Serialize;

use super::charts::{self, Chart, MapView};
use super::{CreditRow, TallyView, campaign_of, credit_rows, done_rule_text, url};
use crate::campaigns::{Campaign, Figures, Tally, ledger};
use crate::private_db::day_of;
use crate::teams::communes::{self, CommuneRef};
use crate::web::error::{InLang, PageError, WebError};
use crate::web::i18n::{Chosen, Lang, url_param};
use crate::web::page_cache::CachedPage;
use crate::web::render::{Frame, cached, etag_of, html, page, validated, with_param};
use crate::web::state::AppState;

/// Above this many communes, the page and its map go province by province.
const COMMUNES_SHOWN: usize = 150;
/// Teams listed on the page (the CSV has them all).
const TEAMS_SHOWN: usize = 60;
/// Recent approved contributions listed.
const RECENT: usize = 12;

#[derive(Serialize)]
struct ListPage {
    campaigns: Vec<ListRow>,
}

#[derive(Serialize)]
struct ListRow {
    title: String,
    url: String,
    dates: String,
    running: bool,
}

fn dates(c: &Campaign) -> String {
    format!(
        "{} – {}",
        c.starts.format("%d/%m/%Y"),
        c.ends.format("%d/%m/%Y")
    )
}

/// `GET /campaigns`.
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    chosen: Chosen,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let t = lang.labels();
    let campaigns = state.campaigns.clone();
    let all = crate::web::blocking(move || campaigns.list())
        .await
        .in_lang(lang)?;
    let today = day_of(Utc::now());
    let body = ListPage {
        campaigns: all
            .iter()
            .map(|c| ListRow {
                title: c.title.clone(),
                url: url(&c.slug, "", lang),
                dates: dates(c),
                running: c.runs_on(today),
            })
            .collect(),
    };
    let mut frame = Frame::new(
        &req,
        &state,
        lang,
        format!("{} · {}", t.campaigns_title, t.site_name),
    );
    frame.nav = "campaigns";
    frame.extra_css = Some(crate::web::assets::url("campaign.css"));
    let text = page("campaigns.html", &frame, &body).in_lang(lang)?;
    Ok(revalidated(html(&req, chosen, text, None)))
}

#[derive(Serialize)]
struct CampaignPage {
    title: String,
    description: String,
    dates: String,
    running: bool,
    done_rule: String,
    claim_hours: u32,
    day: Option<String>,
    total: TallyView,
    /// `commune` or `province`: what the rows of `units` are.
    level: &'static str,
    province: Option<String>,
    all_url: String,
    units: Vec<UnitRow>,
    teams: Vec<TeamRow>,
    more_teams: usize,
    map: Option<MapView>,
    chart: Chart,
    recent: Vec<CreditRow>,
    tasks_url: String,
    figures_csv: String,
    contributions_csv: String,
}

#[derive(Serialize)]
struct UnitRow {
    anchor: String,
    name: String,
    /// A province row links to its communes.
    url: Option<String>,
    tally: TallyView,
    class: &'static str,
}

#[derive(Serialize)]
struct TeamRow {
    name: String,
    url: String,
    tally: TallyView,
}

/// `GET /campaigns/{c}?province=`.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    chosen: Chosen,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let campaign = campaign_of(&state, &slug).await.in_lang(lang)?;
    let now = Utc::now();
    // Everything the page shows changes with the figures' version (each snapshot) or the day.
    let key = format!(
        "{}|{}|{}|{}|{}|{}",
        campaign.slug,
        campaign.figures_version,
        day_of(now),
        lang.code(),
        state.origin(&req),
        req.query_string()
    );
    let page = match state.campaign_pages.get(&key) {
        Some(page) => page,
        None => {
            let body = render_page(&req, &state, &campaign, lang).await?;
            let page = CachedPage {
                etag: etag_of(body.as_bytes()),
                body: body.into(),
            };
            state.campaign_pages.put(key, page.clone());
            page
        }
    };
    Ok(revalidated(validated(
        &req,
        chosen,
        page.body,
        &page.etag,
        "text/html; charset=utf-8",
        Some(campaign.updated),
    )))
}

async fn render_page(
    req: &HttpRequest,
    state: &AppState,
    campaign: &Campaign,
    lang: Lang,
) -> Result<String, PageError> {
    let t = lang.labels();
    let now = Utc::now();
    let (campaigns, teams, c) = (
        state.campaigns.clone(),
        state.teams.clone(),
        campaign.clone(),
    );
    let (figures, series, recent, team_names) = crate::web::blocking(move || {
        let figures = campaigns.figures(&c, None, now)?;
        let series = campaigns.series(&c)?;
        let recent = campaigns.recent_work(&c, RECENT)?;
        let names = teams.names()?;
        Ok::<_, WebError>((figures, series, recent, names))
    })
    .await
    .in_lang(lang)?;
    let province = url_param(req.query_string(), "province").filter(|p| !p.trim().is_empty());
    let (level, units, map) = units_and_map(&figures, province.as_deref(), campaign, lang);
    // The teams furthest along first; only those shown are formatted.
    let mut ranked: Vec<(&i64, &Tally)> = figures.teams.iter().collect();
    ranked.sort_by(|a, b| {
        b.1.percent(b.1.done)
            .total_cmp(&a.1.percent(a.1.done))
            .then(a.0.cmp(b.0))
    });
    let more_teams = ranked.len().saturating_sub(TEAMS_SHOWN);
    let team_rows: Vec<TeamRow> = ranked
        .into_iter()
        .take(TEAMS_SHOWN)
        .filter_map(|(id, tally)| {
            let (name, slug) = team_names.get(id)?;
            Some(TeamRow {
                name: name.clone(),
                url: crate::web::teams::public_url(slug, lang),
                tally: TallyView::of(tally),
            })
        })
        .collect();
    let today = day_of(now);
    let body = CampaignPage {
        title: campaign.title.clone(),
        description: campaign.description.clone(),
        dates: dates(campaign),
        running: campaign.runs_on(today),
        done_rule: done_rule_text(campaign, t),
        claim_hours: campaign.claim_hours,
        day: figures.day.map(|d| d.format("%d/%m/%Y").to_string()),
        total: TallyView::of(&figures.total),
        level,
        province: province.clone(),
        all_url: url(&campaign.slug, "", lang),
        units,
        teams: team_rows,
        more_teams,
        map,
        chart: charts::progress(
            &series,
            campaign.starts,
            today.min(campaign.ends).max(campaign.starts),
        ),
        recent: credit_rows(&recent, lang),
        tasks_url: url(&campaign.slug, "/tasks", lang),
        figures_csv: format!("/campaigns/{}/figures.csv", campaign.slug),
        contributions_csv: format!("/campaigns/{}/contributions.csv", campaign.slug),
    };
    let mut frame = Frame::new(
        req,
        state,
        lang,
        format!("{} · {}", campaign.title, t.site_name),
    );
    frame.nav = "campaigns";
    frame.description = format!("{} — {}", t.campaign_page_intro, campaign.title);
    frame.extra_css = Some(crate::web::assets::url("campaign.css"));
    page("campaign.html", &frame, &body).in_lang(lang)
}

/// The rows and map of the page: communes (of one province when the campaign is large), or
/// provinces.
fn units_and_map(
    figures: &Figures,
    province: Option<&str>,
    campaign: &Campaign,
    lang: Lang,
) -> (&'static str, Vec<UnitRow>, Option<MapView>) {
    let t = lang.labels();
    let mut communes: Vec<(CommuneRef, Tally)> = figures
        .communes
        .iter()
        .filter_map(|(code, tally)| Some((communes::by_code(code)?, *tally)))
        .collect();
    // Folding a name costs more than comparing: once per commune, not per comparison.
    communes.sort_by_cached_key(|(c, _)| (c.province.clone(), crate::fold::key(&c.name)));
    if let Some(p) = province {
        communes.retain(|(c, _)| c.province == p);
    }
    let spot_title = |name: &str, tally: &Tally| {
        format!(
            "{name}: {}/{} {} ({:.0}%)",
            tally.done,
            tally.sites,
            t.done_word,
            tally.percent(tally.done)
        )
    };
    // Within one province, a commune's name says enough.
    let one_province = province.is_some()
        || communes
            .windows(2)
            .all(|pair| pair[0].0.province == pair[1].0.province);
    if province.is_some() || communes.len() <= COMMUNES_SHOWN {
        let spots: Vec<_> = communes
            .iter()
            .map(|(c, tally)| {
                (
                    (c.lat, c.lon),
                    tally.sites,
                    tally.percent(tally.done),
                    spot_title(&c.name, tally),
                    format!("#c-{}", c.code),
                )
            })
            .collect();
        let rows = communes
            .iter()
            .map(|(c, tally)| UnitRow {
                anchor: format!("c-{}", c.code),
                name: if one_province {
                    c.name.clone()
                } else {
                    c.label()
                },
                url: None,
                tally: TallyView::of(tally),
                class: charts::share_class(tally.percent(tally.done)),
            })
            .collect();
        return ("commune", rows, charts::communes_map(&spots));
    }
    let mut provinces: BTreeMap<String, (Tally, f64, f64, u32)> = BTreeMap::new();
    for (c, tally) in &communes {
        let entry = provinces.entry(c.province.clone()).or_default();
        add(&mut entry.0, tally);
        entry.1 += c.lat;
        entry.2 += c.lon;
        entry.3 += 1;
    }
    let link = |p: &str| {
        with_param(
            &url(&campaign.slug, "", lang),
            &serde_urlencoded::to_string([("province", p)]).unwrap_or_default(),
        )
    };
    let spots: Vec<_> = provinces
        .iter()
        .map(|(p, (tally, lat, lon, n))| {
            let n = f64::from(*n);
            (
                (lat / n, lon / n),
                tally.sites,
                tally.percent(tally.done),
                spot_title(p, tally),
                link(p),
            )
        })
        .collect();
    let rows = provinces
        .iter()
        .map(|(p, (tally, ..))| UnitRow {
            anchor: format!("p-{}", crate::fold::slug(p)),
            name: p.clone(),
            url: Some(link(p)),
            tally: TallyView::of(tally),
            class: charts::share_class(tally.percent(tally.done)),
        })
        .collect();
    ("province", rows, charts::communes_map(&spots))
}

fn add(sum: &mut Tally, t: &Tally) {
    sum.sites += t.sites;
    sum.photo += t.photo;
    sum.precise += t.precise;
    sum.described += t.described;
    sum.sourced += t.sourced;
    sum.done += t.done;
}

/// Pages whose figures change with every approval are checked again on every view.
fn revalidated(mut response: HttpResponse) -> HttpResponse {
    let headers = response.headers_mut();
    if headers
        .get(CACHE_CONTROL)
        .is_some_and(|v| v.as_bytes().starts_with(b"public"))
    {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("public, no-cache"));
    }
    response
}

/// `GET /campaigns/{c}/figures.csv?day=YYYY-MM-DD`: the figures of the whole campaign, of
/// each commune and of each team, as they stood at the end of that day (today by default).
pub async fn figures_csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    chosen: Chosen,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let campaign = campaign_of(&state, &slug).await.in_lang(lang)?;
    let day = parse_day(req.query_string(), "day").in_lang(lang)?;
    let (campaigns, teams, c) = (
        state.campaigns.clone(),
        state.teams.clone(),
        campaign.clone(),
    );
    let now = Utc::now();
    let rows = crate::web::blocking(move || {
        let figures = campaigns.figures(&c, day, now)?;
        let mut rows = vec![(
            "campaign".to_owned(),
            c.slug.clone(),
            c.title.clone(),
            figures.total,
        )];
        for (code, tally) in &figures.communes {
            let name = communes::by_code(code)
                .map(|c| c.label())
                .unwrap_or_default();
            rows.push(("commune".into(), code.clone(), name, *tally));
        }
        let names = teams.names()?;
        for (id, tally) in &figures.teams {
            let name = names.get(id).map(|n| n.0.clone()).unwrap_or_default();
            rows.push(("team".into(), id.to_string(), name, *tally));
        }
        Ok::<_, WebError>((figures.day, rows))
    })
    .await
    .in_lang(lang)?;
    let (shown_day, rows) = rows;
    let day_text = shown_day.map(|d| d.to_string()).unwrap_or_default();
    let body = ledger::figures_csv(&rows, &day_text);
    let mut response = cached(&req, chosen, body, "text/csv; charset=utf-8", None);
    response.headers_mut().insert(
        actix_web::http::header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!(
            "attachment; filename=\"{}-figures-{}.csv\"",
            campaign.slug,
            day.unwrap_or_else(|| day_of(now))
        ))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
    );
    Ok(revalidated(response))
}

/// A `YYYY-MM-DD` query parameter; absent or blank is `None`, malformed a 400.
pub fn parse_day(query: &str, name: &'static str) -> Result<Option<NaiveDate>, WebError> {
    match url_param(query, name).filter(|d| !d.trim().is_empty()) {
        None => Ok(None),
        Some(text) => text
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| WebError::InvalidParameter {
                name,
                value: text,
                expected: "a date written YYYY-MM-DD",
            }),
    }
}
