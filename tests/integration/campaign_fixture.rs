//! What the campaign tests share: a team made by the fixture's `leader` through the web, a
//! campaign over the bundled archive made by its `moderator`, joining through an invitation
//! as a phone would, and reading answers.

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header;
use actix_web::test::TestRequest;
use disan::accounts::Role;
use disan::web::AppState;

use crate::contrib_fixture::{Browser, account, login, post_form};
use crate::contribute::{get, send};

/// The commune of seven bundled sites (the former Hoa Lư city).
pub const COMMUNE: &str = "Phường Tây Hoa Lư";
/// A bundled site of that commune.
pub const SITE: &str = "chua-nhat-tru";

/// Makes a team as `leader` through the form; returns its slug.
pub async fn team<S, B>(app: &S, leader: &Browser, name: &str, communes: &str) -> String
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let fields = [
        ("name", name),
        ("province", "Ninh Bình"),
        ("communes", communes),
    ];
    let (status, location, body) =
        send(app, post_form("/teams", Some(leader), &fields).to_request()).await;
    assert_eq!(status, 303, "{body}");
    location
        .strip_prefix("/teams/")
        .and_then(|l| l.strip_suffix("/manage"))
        .expect("to the team's page")
        .to_owned()
}

/// Makes a campaign over Ninh Bình's sites without photos as `moderator`, for `teams` (one
/// name a line), done at two photos; returns its slug.
pub async fn campaign<S, B>(app: &S, moderator: &Browser, title: &str, teams: &str) -> String
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let today = disan::private_db::day_of(chrono::Utc::now());
    let (starts, ends) = (
        (today - chrono::Duration::days(1)).to_string(),
        (today + chrono::Duration::days(30)).to_string(),
    );
    let fields = [
        ("title", title),
        ("starts", starts.as_str()),
        ("ends", ends.as_str()),
        ("claim_hours", "48"),
        ("province", "Ninh Bình"),
        ("lack_photos", "1"),
        ("done_photos", "2"),
        ("teams", teams),
    ];
    let (status, location, body) = send(
        app,
        post_form("/campaigns/new", Some(moderator), &fields).to_request(),
    )
    .await;
    assert_eq!(status, 303, "{body}");
    assert!(location.contains("added=35"), "{location}");
    location
        .strip_prefix("/campaigns/")
        .and_then(|l| l.split('/').next())
        .expect("to the campaign's form")
        .to_owned()
}

/// Makes an invitation to `team` as `leader`; returns its token.
pub async fn invite<S, B>(
    app: &S,
    state: &AppState,
    leader: &Browser,
    team: &str,
    fields: &[(&str, &str)],
) -> String
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let uri = format!("/teams/{team}/invitations");
    let (status, location, body) =
        send(app, post_form(&uri, Some(leader), fields).to_request()).await;
    assert_eq!(status, 303, "{body}");
    let id: i64 = location
        .split("invitation=")
        .nth(1)
        .and_then(|rest| rest.split(['&', '#']).next())
        .and_then(|n| n.parse().ok())
        .expect("the new invitation's id");
    let team = state.teams.by_slug(team).unwrap();
    state
        .teams
        .invitations(team.id)
        .unwrap()
        .into_iter()
        .find(|i| i.id == id)
        .unwrap()
        .token
}

/// What a join answered.
pub struct Joined {
    pub status: actix_web::http::StatusCode,
    pub location: String,
    pub body: String,
    pub browser: Option<Browser>,
}

/// Opens an invitation on a phone without an account and joins as `name`.
pub async fn join<S, B>(
    app: &S,
    state: &AppState,
    token: &str,
    name: &str,
    password: &str,
    again: &str,
) -> Joined
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let page = actix_web::test::call_service(
        app,
        TestRequest::get()
            .uri(&format!("/join/{token}"))
            .to_request(),
    )
    .await;
    let csrf = page
        .response()
        .cookies()
        .find(|c| c.name() == "disan_join")
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    let fields = [
        ("csrf", csrf.as_str()),
        ("user", name),
        ("password", password),
        ("password2", again),
    ];
    let response = actix_web::test::call_service(
        app,
        post_form(&format!("/join/{token}"), None, &fields)
            .insert_header((header::COOKIE, format!("disan_join={csrf}")))
            .to_request(),
    )
    .await;
    let status = response.status();
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let session = response
        .response()
        .cookies()
        .find(|c| c.name() == "disan_session")
        .map(|c| c.value().to_owned());
    let body = String::from_utf8_lossy(&actix_web::test::read_body(response).await).into_owned();
    let browser = session.map(|cookie| {
        let (session, _) = state
            .accounts
            .sessions
            .session(&cookie, chrono::Utc::now())
            .unwrap();
        Browser {
            cookie,
            csrf: session.csrf,
        }
    });
    Joined {
        status,
        location,
        body,
        browser,
    }
}

/// The accounts of the fixture by role.
pub async fn people<S, B>(app: &S, state: &AppState) -> (Browser, Browser, Browser)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    (
        login(app, state, account(Role::Leader)).await,
        login(app, state, account(Role::Moderator)).await,
        login(app, state, account(Role::Volunteer)).await,
    )
}

/// A page's text as `browser` sees it, with its status.
pub async fn page<S, B>(app: &S, uri: &str, browser: Option<&Browser>) -> (u16, String)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let (status, _, body) = send(app, get(uri, browser).to_request()).await;
    (status.as_u16(), body)
}
