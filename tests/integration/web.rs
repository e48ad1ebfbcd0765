//! The web site and JSON API, run in process over the fixture archive: every route's status,
//! content type and key content, in both languages; the JSON shapes; errors; caching and
//! security headers.

use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use actix_web::test::{TestRequest, call_service, init_service, read_body};
use serde_json::Value;

use crate::web_fixture::{FIXTURE, OLD_ID, PHOTO_SITE, RENAMED_SITE};

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("a UTF-8 body")
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// Runs one request through the real application.
pub async fn request(req: TestRequest) -> Answer {
    let app = init_service(disan::web::app(FIXTURE.state.clone())).await;
    let response = call_service(&app, req.to_request()).await;
    let status = response.status();
    let headers = response.headers().clone();
    let body = read_body(response).await.to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

pub async fn get(path: &str) -> Answer {
    request(TestRequest::get().uri(path)).await
}

#[actix_web::test]
async fn every_route_answers_with_its_content_type() {
    let site = format!("/sites/{PHOTO_SITE}");
    let routes: Vec<(String, u16, &str)> = vec![
        ("/".into(), 200, "text/html; charset=utf-8"),
        ("/?lang=en".into(), 200, "text/html; charset=utf-8"),
        ("/search".into(), 200, "text/html; charset=utf-8"),
        ("/search?q=chua".into(), 200, "text/html; charset=utf-8"),
        ("/search?q=zzzzqqq".into(), 200, "text/html; charset=utf-8"),
        (
            "/search?near=20.25,105.9".into(),
            200,
            "text/html; charset=utf-8",
        ),
        ("/provinces".into(), 200, "text/html; charset=utf-8"),
        ("/types".into(), 200, "text/html; charset=utf-8"),
        ("/map".into(), 200, "text/html; charset=utf-8"),
        (site.clone(), 200, "text/html; charset=utf-8"),
        (format!("{site}?lang=en"), 200, "text/html; charset=utf-8"),
        (format!("{site}/plaque"), 200, "text/html; charset=utf-8"),
        (format!("{site}/qr.svg"), 200, "image/svg+xml"),
        (format!("{site}/qr.png"), 200, "image/png"),
        (format!("{site}/site.json"), 200, "application/json"),
        ("/api/v1/search?q=den".into(), 200, "application/json"),
        ("/api/v1/suggest?q=chu".into(), 200, "application/json"),
        (
            format!("/api/v1/sites/{PHOTO_SITE}"),
            200,
            "application/json",
        ),
        ("/api/v1/openapi.json".into(), 200, "application/json"),
        ("/healthz".into(), 200, "application/json"),
        ("/robots.txt".into(), 200, "text/plain; charset=utf-8"),
        ("/sitemap.xml".into(), 200, "application/xml; charset=utf-8"),
        (
            disan::web::assets::url("site.css").into(),
            200,
            "text/css; charset=utf-8",
        ),
        (
            disan::web::assets::url("site.js").into(),
            200,
            "text/javascript; charset=utf-8",
        ),
        (
            disan::web::assets::url("vietnam.svg").into(),
            200,
            "image/svg+xml",
        ),
        ("/nowhere".into(), 404, "text/html; charset=utf-8"),
        (
            "/sites/no-such-site".into(),
            404,
            "text/html; charset=utf-8",
        ),
        (
            "/sites/no-such-site/qr.svg".into(),
            404,
            "text/html; charset=utf-8",
        ),
        ("/s/zzzzzzz".into(), 404, "text/html; charset=utf-8"),
        (
            "/static/site.0000000000.css".into(),
            404,
            "text/plain; charset=utf-8",
        ),
        ("/api/v1/nowhere".into(), 404, "application/json"),
        ("/api/v1/sites/no-such-site".into(), 404, "application/json"),
        ("/search?limit=abc".into(), 400, "text/html; charset=utf-8"),
        (
            "/search?near=1000,1".into(),
            400,
            "text/html; charset=utf-8",
        ),
        ("/api/v1/search?level=gold".into(), 400, "application/json"),
        (
            "/api/v1/search?sort=distance".into(),
            400,
            "application/json",
        ),
        ("/api/v1/suggest?limit=x".into(), 400, "application/json"),
    ];
    for (path, status, content_type) in routes {
        let answer = get(&path).await;
        assert_eq!(answer.status.as_u16(), status, "{path}: {}", answer.text());
        assert_eq!(answer.header("content-type"), content_type, "{path}");
        // One middleware sets the security headers on everything, errors included.
        assert!(
            answer
                .header("content-security-policy")
                .contains("script-src 'self'"),
            "{path}"
        );
        assert!(
            answer
                .header("content-security-policy")
                .contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert_eq!(answer.header("x-content-type-options"), "nosniff", "{path}");
        assert!(!answer.header("referrer-policy").is_empty(), "{path}");
    }
}

#[actix_web::test]
async fn pages_speak_vietnamese_by_default_and_english_on_request() {
    let vi = get("/").await.text();
    assert!(vi.contains("<html lang=\"vi\">"));
    assert!(vi.contains("Tìm di tích") && vi.contains("Địa chỉ đỏ"));
    assert!(
        vi.contains("href=\"/?lang=en\""),
        "a link to the English page"
    );

    let en = get("/?lang=en").await;
    assert!(en.text().contains("<html lang=\"en\">"));
    assert!(en.text().contains("Search the sites") && en.text().contains("Red addresses"));
    let cookie = en.header("set-cookie");
    assert!(
        cookie.starts_with("lang=en") && cookie.contains("Path=/"),
        "{cookie}"
    );
    // Internal links keep the language.
    assert!(en.text().contains("href=\"/provinces?lang=en\""));

    // The cookie alone remembers the choice.
    let remembered = request(
        TestRequest::get()
            .uri("/provinces")
            .cookie(actix_web::cookie::Cookie::new("lang", "en")),
    )
    .await;
    assert!(remembered.text().contains("Sites by province"));
    assert!(remembered.header("vary").contains("Cookie"));
}

#[actix_web::test]
async fn search_finds_sites_with_and_without_accents() {
    for q in [
        "ch%C3%B9a%20b%C3%A1i%20%C4%91%C3%ADnh",
        "chua%20bai%20dinh",
        "CHUA+BAI+DINH",
    ] {
        let page = get(&format!("/search?q={q}")).await.text();
        let first = page.find("class=\"card-name\"").expect("a result");
        assert!(
            page[first..].starts_with("class=\"card-name\">Chùa Bái Đính<"),
            "{q}"
        );
    }
    let filtered = get("/search?q=den&province=Nam+%C4%90%E1%BB%8Bnh")
        .await
        .text();
    assert!(
        filtered.contains("Tỉnh, thành phố: Nam Định"),
        "a chip for the filter"
    );
    assert!(filtered.contains("<mark>"), "highlighted snippets");

    let none = get("/search?q=zzzzqqq&type=chua").await.text();
    assert!(none.contains("Không tìm thấy di tích nào."));
    assert!(none.contains("Tìm lại, không dùng bộ lọc"));

    let near = get("/search?near=20.25,105.9&lang=en").await.text();
    assert!(
        near.contains("Nearest") && near.contains(" km<"),
        "distances shown"
    );
}

#[actix_web::test]
async fn a_site_page_has_everything_about_the_site() {
    let page = get(&format!("/sites/{PHOTO_SITE}")).await;
    let html = page.text();
    assert!(html.contains("<h1>Đền Thái Vi</h1>"));
    assert!(
        html.contains(
            "<link rel=\"canonical\" href=\"https://disan.example.org/sites/den-thai-vi\">"
        )
    );
    assert!(
        html.contains(
            "hreflang=\"en\" href=\"https://disan.example.org/sites/den-thai-vi?lang=en\""
        )
    );
    assert!(
        html.contains("application/ld+json") && html.contains("LandmarksOrHistoricalBuildings")
    );
    assert!(
        html.contains("<meta property=\"og:image\" content=\"https://disan.example.org/media/")
    );
    assert!(
        html.contains("<source type=\"image/webp\" srcset=\"/media/"),
        "responsive WebP"
    );
    assert!(
        html.contains("alt=\"Cổng đền, ảnh 1\""),
        "alt text from the caption"
    );
    assert!(
        html.contains("Nguyễn Văn A") && html.contains("CC-BY-SA-4.0"),
        "credits"
    );
    assert!(html.contains("@misc{disan-den-thai-vi,"), "BibTeX");
    assert!(html.contains("Disan. (2026, ngày"), "APA");
    assert!(html.contains("geo:"), "directions");
    assert!(html.contains("Di tích lân cận"), "nearby sites");
    assert!(html.contains("/sites/den-thai-vi/site.json"), "download");
    assert!(!html.contains("<script>"), "no inline script");
    assert!(page.header("last-modified").ends_with("GMT"));

    let en = get(&format!("/sites/{PHOTO_SITE}?lang=en")).await.text();
    assert!(en.contains("alt=\"The temple gate, photo 1\""));
    assert!(en.contains("Cite this page"));
}

#[actix_web::test]
async fn renamed_sites_and_short_codes_redirect() {
    let old = get(&format!("/sites/{OLD_ID}")).await;
    assert_eq!(old.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(old.header("location"), format!("/sites/{RENAMED_SITE}"));
    let old_api = get(&format!("/api/v1/sites/{OLD_ID}")).await;
    assert_eq!(
        old_api.header("location"),
        format!("/api/v1/sites/{RENAMED_SITE}")
    );

    // The code comes from the first id, so plaques printed before the rename keep working.
    let code = disan::record::derive_short_code(OLD_ID);
    let short = get(&format!("/s/{code}?lang=en")).await;
    assert_eq!(short.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        short.header("location"),
        format!("/sites/{RENAMED_SITE}?lang=en")
    );

    let plaque = get(&format!("/sites/{RENAMED_SITE}/plaque")).await.text();
    assert!(plaque.contains(&format!("https://disan.example.org/s/{code}")));
    assert!(plaque.contains("/static/print."), "print stylesheet");
}

#[actix_web::test]
async fn the_api_answers_with_the_documented_shapes() {
    let search = get("/api/v1/search?q=den&limit=2").await.json();
    for key in ["total", "offset", "limit", "loose_match", "hits", "facets"] {
        assert!(search.get(key).is_some(), "{key} in {search}");
    }
    assert_eq!(search["limit"], 2);
    let hit = &search["hits"][0];
    for key in [
        "id",
        "name",
        "name_en",
        "type",
        "level",
        "province",
        "province_legacy",
        "lat",
        "lon",
        "distance_km",
        "snippet",
        "url",
        "thumbnail",
    ] {
        assert!(hit.get(key).is_some(), "{key} in {hit}");
    }
    assert!(hit["url"].as_str().unwrap().starts_with("/sites/"));
    for facet in ["province", "type", "level", "category"] {
        assert!(search["facets"][facet].is_array(), "{facet}");
    }

    let suggest = get("/api/v1/suggest?q=chua%20bai").await.json();
    assert_eq!(suggest["suggestions"][0]["name"], "Chùa Bái Đính");

    let site = get(&format!("/api/v1/sites/{PHOTO_SITE}")).await.json();
    assert_eq!(site["record"]["id"], PHOTO_SITE);
    assert!(
        site["photos"][0]["files"][0]["url"]
            .as_str()
            .unwrap()
            .starts_with("/media/")
    );

    let error = get("/api/v1/search?limit=1000").await;
    assert_eq!(error.status, StatusCode::BAD_REQUEST);
    let body = error.json();
    assert_eq!(body["code"], "invalid_query");
    assert!(body["message"].as_str().unwrap().contains("limit"));
    let missing = get("/api/v1/sites/nope").await.json();
    assert_eq!(missing["code"], "not_found");

    let openapi = get("/api/v1/openapi.json").await.json();
    assert!(openapi["paths"]["/api/v1/search"].is_object());
    insta::assert_snapshot!(
        "api_suggest_chua_bai",
        serde_json::to_string_pretty(&suggest).unwrap()
    );
    insta::assert_snapshot!(
        "api_error_limit",
        serde_json::to_string_pretty(&body).unwrap()
    );
}

#[actix_web::test]
async fn errors_are_friendly_in_both_languages() {
    let vi = get("/nowhere").await.text();
    assert!(vi.contains("Không tìm thấy trang") && vi.contains("Về trang chủ"));
    let en = get("/nowhere?lang=en").await.text();
    assert!(en.contains("Page not found") && en.contains("Back to the home page"));
    let bad = get("/search?near=abc&lang=en").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text().contains("Something in the request is wrong"));
    assert!(
        bad.text().contains("near"),
        "the message names the parameter"
    );
    // Hostile input is escaped, never echoed raw.
    let hostile = get("/search?q=%3Cscript%3Ealert(1)%3C/script%3E")
        .await
        .text();
    assert!(!hostile.contains("<script>alert"), "escaped");
}

#[actix_web::test]
async fn pages_and_assets_can_be_revalidated_and_cached() {
    let first = get("/").await;
    let etag = first.header("etag").to_owned();
    assert!(etag.starts_with("W/\""), "{etag}");
    let again = request(
        TestRequest::get()
            .uri("/")
            .insert_header(("If-None-Match", etag)),
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());

    let css = get(disan::web::assets::url("site.css")).await;
    assert!(css.header("cache-control").contains("immutable"));
    let compressed = request(
        TestRequest::get()
            .uri(disan::web::assets::url("site.css"))
            .insert_header(("Accept-Encoding", "br")),
    )
    .await;
    assert_eq!(compressed.header("content-encoding"), "br");

    let site = get(&format!("/api/v1/sites/{PHOTO_SITE}")).await.json();
    let photo = site["photos"][0]["files"][0]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let media = get(&photo).await;
    assert_eq!(media.status, StatusCode::OK, "{photo}");
    assert!(media.header("content-type").starts_with("image/"));
    // A day, not a year: a reverted photo must be withdrawable.
    assert_eq!(media.header("cache-control"), "public, max-age=86400");
    let range = request(
        TestRequest::get()
            .uri(&photo)
            .insert_header(("Range", "bytes=0-99")),
    )
    .await;
    assert_eq!(range.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(range.body.len(), 100);
    assert_eq!(range.body[..], media.body[..100]);
    let unchanged = request(
        TestRequest::get()
            .uri(&photo)
            .insert_header(("If-None-Match", media.header("etag").to_owned())),
    )
    .await;
    assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED);
    assert!(unchanged.body.is_empty());
    assert_eq!(
        get("/media/../index/manifest.json").await.status,
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn a_small_photo_is_answered_in_one_piece() {
    // Its bytes are ready before its headers leave, so a server killed mid-answer never sends
    // half a photo (see `assets::in_one_piece`).
    let site = get(&format!("/api/v1/sites/{PHOTO_SITE}")).await.json();
    let photo = site["photos"][0]["files"][0]["url"].as_str().unwrap();
    let app = init_service(disan::web::app(FIXTURE.state.clone())).await;
    let response = call_service(&app, TestRequest::get().uri(photo).to_request()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().contains_key("etag"));
    let bytes = actix_web::body::MessageBody::try_into_bytes(response.into_body())
        .unwrap_or_else(|_| panic!("{photo}: the whole photo in memory, not a stream"));
    assert!(
        bytes.starts_with(b"RIFF") || bytes.starts_with(&[0xFF, 0xD8]),
        "{photo}"
    );
    assert_eq!(bytes[..], get(photo).await.body[..]);
}

#[actix_web::test]
async fn crawlers_get_a_sitemap_and_robots_rules() {
    let sitemap = get("/sitemap.xml").await.text();
    let sites = FIXTURE.state.catalog().len();
    assert_eq!(sites, 35);
    // Every site in both languages, plus four browse pages in both.
    assert_eq!(sitemap.matches("<url>").count(), (sites + 4) * 2);
    assert!(sitemap.contains("<loc>https://disan.example.org/sites/den-thai-vi?lang=en</loc>"));
    let robots = get("/robots.txt").await.text();
    assert!(robots.contains("Sitemap: https://disan.example.org/sitemap.xml"));
    let health = get("/healthz").await.json();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["sites"], 35);
}

/// The visible text of a page's `<main>`, one line per block, for snapshots of what people read.
fn visible_text(html: &str) -> String {
    let main = html
        .split("<main id=\"main\">")
        .nth(1)
        .unwrap()
        .split("</main>")
        .next()
        .unwrap();
    let mut text = String::new();
    let mut in_tag = false;
    for c in main.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[actix_web::test]
async fn site_pages_read_well_in_both_languages() {
    let vi = get(&format!("/sites/{RENAMED_SITE}")).await.text();
    insta::assert_snapshot!("site_page_vi", visible_text(&vi));
    let en = get(&format!("/sites/{RENAMED_SITE}?lang=en")).await.text();
    insta::assert_snapshot!("site_page_en", visible_text(&en));
}

#[actix_web::test]
async fn search_pages_are_remembered_until_the_catalog_changes() {
    let path = "/search?q=%C4%91%E1%BB%81n&type=den";
    let first = get(path).await;
    let second = get(path).await;
    assert_eq!(first.header("etag"), second.header("etag"));
    assert_eq!(first.body, second.body);
    assert!(!FIXTURE.state.search_pages.is_empty());
    // The English page is another page.
    let en = get(&format!("{path}&lang=en")).await;
    assert_ne!(first.header("etag"), en.header("etag"));
}
