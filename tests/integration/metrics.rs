//! `/metrics`: the Prometheus text exposition, for the configured addresses only; request ids.

use actix_web::http::{StatusCode, header};
use actix_web::test::{self, TestRequest};

use crate::contrib_fixture::{fresh, login_token, post_form};
use crate::moderate_fixture::send;

#[actix_web::test]
async fn metrics_count_what_operators_need_and_only_for_loopback() {
    let c = fresh();
    let app = test::init_service(disan::web::app(c.state.clone())).await;
    let search = send(&app, TestRequest::get().uri("/api/v1/search?q=den")).await;
    assert_eq!(search.status, StatusCode::OK);
    let id = search
        .headers
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap();
    assert_eq!(id.len(), 16);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    send(&app, TestRequest::get().uri("/search?q=chua")).await;
    let token = login_token(&app).await;
    let wrong = post_form(
        "/login",
        None,
        &[
            ("csrf", &token),
            ("user", "volunteer"),
            ("password", "wrong one!"),
        ],
    )
    .insert_header((header::COOKIE, format!("disan_login={token}")));
    assert_eq!(send(&app, wrong).await.status, StatusCode::UNAUTHORIZED);

    let local = send(&app, scrape()).await;
    assert_eq!(local.status, StatusCode::OK);
    assert_has(
        &local.body,
        &[
            "disan_http_requests_total{route=\"/api/v1/search\",method=\"GET\",status=\"200\"} 1",
            "disan_http_request_duration_seconds_bucket{le=",
            "disan_search_duration_seconds_count 2",
            "disan_login_failures_total 1",
            "disan_quota_refusals_total 0",
            "disan_index_generation ",
            "disan_index_size_bytes ",
            "disan_index_sites ",
            "disan_inbox_pending_submissions 0",
            "disan_uploads_open 0",
            "disan_sessions_open 0",
            "# EOF",
        ],
    );
    let remote = send(
        &app,
        TestRequest::get()
            .uri("/metrics")
            .peer_addr("203.0.113.9:50000".parse().unwrap()),
    )
    .await;
    assert_eq!(remote.status, StatusCode::NOT_FOUND);
    assert!(!remote.body.contains("disan_"));
}

/// Fails, showing `text`, unless it holds each of `expected`.
fn assert_has(text: &str, expected: &[&str]) {
    for expected in expected {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
}

/// `/metrics`, asked by a loopback client.
fn scrape() -> TestRequest {
    TestRequest::get()
        .uri("/metrics")
        .peer_addr("127.0.0.1:50000".parse().unwrap())
}

#[actix_web::test]
async fn page_caches_count_their_hits_and_can_be_turned_off() {
    let c = fresh();
    let same_search = || TestRequest::get().uri("/api/v1/search?q=den&limit=5");
    let app = test::init_service(disan::web::app(c.state.clone())).await;
    let first = send(&app, same_search()).await;
    for _ in 0..2 {
        assert_eq!(send(&app, same_search()).await.body, first.body);
    }
    let text = send(&app, scrape()).await.body;
    assert_has(
        &text,
        &[
            "disan_page_cache_hits_total{cache=\"api\"} 2",
            "disan_page_cache_misses_total{cache=\"api\"} 1",
            "disan_search_duration_seconds_count 1",
            "disan_page_cache_bytes{cache=\"search\"} 0",
        ],
    );
    assert!(!text.contains("disan_page_cache_bytes{cache=\"api\"} 0\n"));

    // The same archive served with the caches off: every answer is searched for again.
    let root = c._dir.path();
    let off = disan::web::AppState::open(
        &disan::layout::ArchiveLayout::new(root.join("archive")),
        &disan::layout::IndexLayout::new(root.join("index")),
        None,
    )
    .unwrap()
    .with_page_caches(0);
    let app = test::init_service(disan::web::app(actix_web::web::Data::new(off))).await;
    for _ in 0..3 {
        assert_eq!(send(&app, same_search()).await.body, first.body);
    }
    assert_has(
        &send(&app, scrape()).await.body,
        &[
            "disan_page_cache_hits_total{cache=\"api\"} 0",
            "disan_page_cache_misses_total{cache=\"api\"} 3",
            "disan_search_duration_seconds_count 3",
            "disan_page_cache_bytes{cache=\"api\"} 0",
        ],
    );
}
