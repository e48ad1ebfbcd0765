//! Every team and campaign route × every role: who reads what (401 without a session, 403 to
//! a lower role), and every write refused without a session, to a lower role, and without the
//! session's CSRF token — with nothing changed in the private database either way.

use actix_web::test::init_service;
use disan::accounts::Role;

use crate::campaign_fixture::{COMMUNE, SITE, campaign, invite, page, people, team};
use crate::contrib_fixture::{Browser, account, fresh, login, post_form};
use crate::contribute::send;

/// How many lines the private database's history holds: a refused write adds none.
fn history_len(state: &disan::web::AppState) -> i64 {
    state
        .campaigns
        .db()
        .read(|tx| {
            Ok::<_, disan::campaigns::CampaignError>(tx.query_row(
                "SELECT count(*) FROM events",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap()
}

#[actix_web::test]
async fn every_route_checks_its_role() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let (leader, moderator, _) = people(&app, &c.state).await;
    let t = team(&app, &leader, "Đội Quyền", COMMUNE).await;
    let k = campaign(&app, &moderator, "Chiến dịch quyền", "").await;
    let token = invite(&app, &c.state, &leader, &t, &[]).await;
    let team_id = c.state.teams.by_slug(&t).unwrap().id;
    let invitation = c.state.teams.invitations(team_id).unwrap()[0].id;
    let mut browsers: Vec<(Role, Browser)> = Vec::new();
    for &role in Role::ALL {
        browsers.push((role, login(&app, &c.state, account(role)).await));
    }
    let as_role = |role: Role| &browsers.iter().find(|(r, _)| *r == role).unwrap().1;

    // Reads: the lowest role each needs (None: public).
    let reads: Vec<(String, Option<Role>)> = vec![
        ("/campaigns".into(), None),
        (format!("/campaigns/{k}"), None),
        (format!("/campaigns/{k}/figures.csv"), None),
        (format!("/teams/{t}"), None),
        (format!("/join/{token}"), None),
        ("/account/password".into(), Some(Role::Visitor)),
        ("/my-tasks".into(), Some(Role::Volunteer)),
        (format!("/campaigns/{k}/tasks"), Some(Role::Volunteer)),
        (
            format!("/campaigns/{k}/tasks/{SITE}"),
            Some(Role::Volunteer),
        ),
        ("/teams".into(), Some(Role::Leader)),
        (format!("/teams/{t}/manage"), Some(Role::Leader)),
        (
            format!("/teams/{t}/invitations/{invitation}/qr.svg"),
            Some(Role::Leader),
        ),
        (
            format!("/campaigns/{k}/contributions.csv"),
            Some(Role::Leader),
        ),
        ("/campaigns/new".into(), Some(Role::Moderator)),
        (format!("/campaigns/{k}/edit"), Some(Role::Moderator)),
    ];
    for (uri, needed) in &reads {
        let (status, body) = page(&app, uri, None).await;
        match needed {
            None => assert_eq!(status, 200, "{uri} without a session: {body:.300}"),
            Some(_) => {
                assert_eq!(status, 401, "{uri} without a session");
                assert!(body.contains("/login?next="), "{uri}: offers to log in");
            }
        }
        for (role, browser) in &browsers {
            let (status, body) = page(&app, uri, Some(browser)).await;
            let allowed = needed.is_none_or(|n| role.allows(n));
            let expected = if allowed { 200 } else { 403 };
            assert_eq!(status, expected, "{uri} as {role}: {body:.300}");
        }
    }

    // Writes: none → 401, the role below → 403, the right role without its token → 403.
    let writes: Vec<(String, Role)> = vec![
        (
            format!("/campaigns/{k}/tasks/{SITE}/claim"),
            Role::Volunteer,
        ),
        (
            format!("/campaigns/{k}/tasks/{SITE}/release"),
            Role::Volunteer,
        ),
        (format!("/campaigns/{k}/tasks/{SITE}/assign"), Role::Leader),
        ("/teams".into(), Role::Leader),
        (format!("/teams/{t}/communes"), Role::Leader),
        (format!("/teams/{t}/invitations"), Role::Leader),
        (
            format!("/teams/{t}/invitations/{invitation}/revoke"),
            Role::Leader,
        ),
        (format!("/teams/{t}/members/leader/confirm"), Role::Leader),
        (format!("/teams/{t}/members/leader/remove"), Role::Leader),
        ("/campaigns/new".into(), Role::Moderator),
        (format!("/campaigns/{k}/edit"), Role::Moderator),
        ("/account/password".into(), Role::Visitor),
    ];
    let before = history_len(&c.state);
    for (uri, needed) in &writes {
        let fields = [("name", "Đội mới"), ("user", "volunteer"), ("title", "Mới")];
        let (status, ..) = send(&app, post_form(uri, None, &fields).to_request()).await;
        assert_eq!(status, 401, "POST {uri} without a session");
        for (role, browser) in &browsers {
            if !role.allows(*needed) {
                let (status, ..) =
                    send(&app, post_form(uri, Some(browser), &fields).to_request()).await;
                assert_eq!(status, 403, "POST {uri} as {role}");
            }
        }
        let right = as_role(*needed);
        let forged = [("csrf", "forged"), ("name", "Đội mới")];
        let (status, _, body) = send(&app, post_form(uri, Some(right), &forged).to_request()).await;
        assert_eq!(status, 403, "POST {uri} with a forged token");
        assert!(
            body.contains("bad_csrf_token") || body.contains("Mã bảo mật"),
            "{body:.300}"
        );
    }
    assert_eq!(
        history_len(&c.state),
        before,
        "no refused write changed anything"
    );
    // The visitor's QR code is an SVG for the leader.
    let (status, svg) = page(
        &app,
        &format!("/teams/{t}/invitations/{invitation}/qr.svg"),
        Some(&leader),
    )
    .await;
    assert_eq!(status, 200);
    assert!(svg.starts_with("<?xml") || svg.contains("<svg"));
    // A campaign that does not exist is a 404, as is a task outside it.
    assert_eq!(page(&app, "/campaigns/nowhere", None).await.0, 404);
    let volunteer = as_role(Role::Volunteer);
    assert_eq!(
        page(
            &app,
            &format!("/campaigns/{k}/tasks/nowhere"),
            Some(volunteer)
        )
        .await
        .0,
        404
    );
    let (status, ..) = send(
        &app,
        post_form(
            &format!("/campaigns/{k}/tasks/nowhere/claim"),
            Some(volunteer),
            &[],
        )
        .to_request(),
    )
    .await;
    assert_eq!(status, 404);
}

#[actix_web::test]
async fn pages_in_english_and_escaped() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let (leader, moderator, volunteer) = people(&app, &c.state).await;
    let hostile = "<script>alert(1)</script>";
    let t = team(&app, &leader, &format!("Đội {hostile}"), COMMUNE).await;
    let k = campaign(&app, &moderator, &format!("Chiến dịch {hostile}"), "").await;
    for (uri, who) in [
        (format!("/campaigns/{k}?lang=en"), None),
        (format!("/teams/{t}?lang=en"), None),
        ("/campaigns?lang=en".to_owned(), None),
        (format!("/campaigns/{k}/tasks?lang=en"), Some(&volunteer)),
        (format!("/teams/{t}/manage?lang=en"), Some(&leader)),
        ("/my-tasks?lang=en".to_owned(), Some(&volunteer)),
    ] {
        let (status, body) = page(&app, &uri, who).await;
        assert_eq!(status, 200, "{uri}");
        assert!(!body.contains(hostile), "{uri} shows markup unescaped");
        assert!(body.contains("lang=\"en\""), "{uri}");
    }
    let (_, body) = page(&app, &format!("/campaigns/{k}?lang=en"), None).await;
    assert!(body.contains("By commune") && body.contains("Recently approved work"));
    assert!(body.contains("&lt;script&gt;"));
}
