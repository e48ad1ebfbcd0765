//! Accounts on the web: logging in and out, what a session cookie looks like, the CSRF rules,
//! and the table of write routes × roles (each route refuses the wrong role with 401 or 403).

use actix_web::http::header;
use actix_web::test::{TestRequest, call_service, init_service, read_body};
use disan::accounts::Role;

use crate::contrib_fixture::{Browser, PASSWORD, account, fresh, login, login_token, post_form};

#[actix_web::test]
async fn login_sets_a_safe_cookie_and_logout_ends_the_session() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let page = call_service(
        &app,
        TestRequest::get().uri("/login?next=/moderate").to_request(),
    )
    .await;
    assert_eq!(page.status(), 200);
    assert_eq!(
        page.headers().get(header::CACHE_CONTROL).unwrap(),
        "private, no-store"
    );
    let html = String::from_utf8(read_body(page).await.to_vec()).unwrap();
    assert!(html.contains(r#"name="next" value="/moderate""#), "{html}");
    assert!(html.contains("noindex"));

    let browser = login(&app, &c.state, account(Role::Volunteer)).await;
    assert_eq!(browser.cookie.len(), 64, "256-bit token in hex");
    // The cookie's attributes, from a fresh login.
    let login_cookie = login_token(&app).await;
    let response = call_service(
        &app,
        post_form(
            "/login",
            None,
            &[
                ("csrf", &login_cookie),
                ("user", "volunteer"),
                ("password", PASSWORD),
                ("next", "https://evil.example/"),
            ],
        )
        .insert_header((header::COOKIE, format!("disan_login={login_cookie}")))
        .to_request(),
    )
    .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers().get(header::LOCATION).unwrap(),
        "/contribute",
        "never redirected off the site"
    );
    let cookie = response
        .response()
        .cookies()
        .find(|c| c.name() == "disan_session")
        .unwrap()
        .into_owned();
    assert_eq!(cookie.http_only(), Some(true));
    assert_eq!(cookie.same_site(), Some(actix_web::cookie::SameSite::Lax));
    assert_eq!(cookie.path(), Some("/"));
    // The test server is plain HTTP with no public URL: not Secure (TLS is tested below).
    assert_ne!(cookie.secure(), Some(true));

    // Logout needs the session's token: a forged one keeps the session open.
    let forged = call_service(
        &app,
        post_form("/logout", Some(&browser), &[("csrf", "forged")]).to_request(),
    )
    .await;
    assert_eq!(forged.status(), 403);
    assert!(
        c.state
            .accounts
            .sessions
            .session(&browser.cookie, chrono::Utc::now())
            .is_ok()
    );
    let out = call_service(&app, post_form("/logout", Some(&browser), &[]).to_request()).await;
    assert_eq!(out.status(), 303);
    let removal = out
        .response()
        .cookies()
        .find(|c| c.name() == "disan_session")
        .unwrap()
        .into_owned();
    assert_eq!(removal.value(), "");
    assert!(
        c.state
            .accounts
            .sessions
            .session(&browser.cookie, chrono::Utc::now())
            .is_err(),
        "the session is gone on the server, not only in the browser"
    );
}

#[actix_web::test]
async fn cookies_are_secure_behind_tls() {
    let crate::contrib_fixture::Contrib { _dir, state } = fresh();
    let proxy = disan::web::client::TrustedProxies::parse(&["127.0.0.1".into()]).unwrap();
    let state = std::sync::Arc::try_unwrap(state.into_inner())
        .ok()
        .expect("the only reference")
        .with_network("127.0.0.1:8080", proxy, Default::default());
    let app = init_service(disan::web::app(actix_web::web::Data::new(state))).await;
    // Through the trusted proxy, which says the browser used TLS: a Secure cookie. The same
    // header from anyone else is not believed.
    for (peer, secure) in [("127.0.0.1:40000", Some(true)), ("203.0.113.5:40000", None)] {
        let page = call_service(
            &app,
            TestRequest::get()
                .uri("/login")
                .peer_addr(peer.parse().unwrap())
                .insert_header(("x-forwarded-proto", "https"))
                .to_request(),
        )
        .await;
        let cookie = page
            .response()
            .cookies()
            .find(|c| c.name() == "disan_login")
            .unwrap()
            .into_owned();
        assert_eq!(cookie.secure(), secure, "{peer}");
    }
}

#[actix_web::test]
async fn wrong_passwords_are_refused_then_locked_out() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let token = login_token(&app).await;
        let response = call_service(
            &app,
            post_form(
                "/login",
                None,
                &[
                    ("csrf", &token),
                    ("user", "volunteer"),
                    ("password", "guess"),
                ],
            )
            .insert_header((header::COOKIE, format!("disan_login={token}")))
            .to_request(),
        )
        .await;
        statuses.push(response.status().as_u16());
        let html = String::from_utf8(read_body(response).await.to_vec()).unwrap();
        assert!(
            html.contains("role=\"alert\""),
            "the form is shown again with the reason"
        );
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429]);
}

#[actix_web::test]
async fn login_forms_without_their_token_or_from_other_sites_are_refused() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let fields = [("user", "volunteer"), ("password", PASSWORD)];
    // No token cookie at all (a page on another site posting blind).
    let blind = call_service(&app, post_form("/login", None, &fields).to_request()).await;
    assert_eq!(blind.status(), 403);
    // A browser that says the form came from another site.
    let cross = call_service(
        &app,
        post_form("/login", None, &fields)
            .insert_header(("sec-fetch-site", "cross-site"))
            .to_request(),
    )
    .await;
    assert_eq!(cross.status(), 403);
    let cross = call_service(
        &app,
        post_form("/login", None, &fields)
            .insert_header((header::ORIGIN, "https://evil.example"))
            .to_request(),
    )
    .await;
    assert_eq!(cross.status(), 403);
    let body = String::from_utf8(read_body(cross).await.to_vec()).unwrap();
    assert!(
        body.contains("trang web khác"),
        "in the page's language: {body}"
    );
    let english = call_service(
        &app,
        post_form("/login?lang=en", None, &fields)
            .insert_header((header::ORIGIN, "https://evil.example"))
            .to_request(),
    )
    .await;
    let body = String::from_utf8(read_body(english).await.to_vec()).unwrap();
    assert!(body.contains("another site"), "{body}");
}

#[actix_web::test]
async fn expired_and_disabled_sessions_are_logged_out() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let browser = login(&app, &c.state, account(Role::Volunteer)).await;
    c.state.accounts.users.disable("volunteer").unwrap();
    let response = call_service(&app, post_form("/logout", Some(&browser), &[]).to_request()).await;
    // A disabled user's session no longer counts: logout just clears the cookie.
    assert_eq!(response.status(), 303);
    let forged = Browser {
        cookie: "00".repeat(32),
        csrf: "x".into(),
    };
    let response = call_service(&app, post_form("/logout", Some(&forged), &[]).to_request()).await;
    assert_eq!(response.status(), 303);
}
