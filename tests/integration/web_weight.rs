//! The page-weight budget for phones on 3G: the home page and a site page cost at most 30 KB of
//! HTML, CSS and JavaScript as transferred (compressed, photos excluded), and the first photo
//! of a site page at most 60 KB on a 360 px wide screen.

use actix_web::test::TestRequest;

use crate::web::{Answer, get, request};
use crate::web_fixture::{FIXTURE, PHOTO_SITE};

const PAGE_BUDGET: usize = 30 * 1024;
const FIRST_PHOTO_BUDGET: usize = 60 * 1024;
/// A cheap Android phone's viewport width, in CSS pixels at 1 device pixel per CSS pixel.
const VIEWPORT: f64 = 360.0;

async fn compressed(path: &str) -> Answer {
    let answer = request(
        TestRequest::get()
            .uri(path)
            .insert_header(("Accept-Encoding", "br, gzip")),
    )
    .await;
    assert_eq!(answer.status.as_u16(), 200, "{path}");
    answer
}

/// Every value of `attr="…"` in `html` that starts with `/static/` and ends with `ext`.
fn assets(html: &str, attr: &str, ext: &str) -> Vec<String> {
    html.split(&format!("{attr}=\""))
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|url| url.starts_with("/static/") && url.ends_with(ext))
        .map(str::to_owned)
        .collect()
}

async fn transferred(path: &str) -> usize {
    let page = compressed(path).await;
    assert!(
        !page.header("content-encoding").is_empty(),
        "{path} is compressed"
    );
    let html = get(path).await.text();
    let mut total = page.body.len();
    let mut files = assets(&html, "href", ".css");
    files.extend(assets(&html, "src", ".js"));
    assert!(
        files.len() >= 2,
        "{path} links its stylesheet and script: {files:?}"
    );
    for file in files {
        total += compressed(&file).await.body.len();
    }
    total
}

#[actix_web::test]
async fn home_and_site_pages_fit_the_budget() {
    for path in [
        "/".to_owned(),
        format!("/sites/{PHOTO_SITE}"),
        "/search?q=chua".to_owned(),
    ] {
        let bytes = transferred(&path).await;
        eprintln!("{path}: {bytes} bytes of HTML+CSS+JS transferred");
        assert!(
            bytes <= PAGE_BUDGET,
            "{path}: {bytes} bytes > {PAGE_BUDGET}"
        );
    }
}

/// Evaluates a `sizes` attribute of the forms this site uses (`(max-width: Nrem) Xvw, Yrem`)
/// for a viewport `width` px wide, as a browser does: the first matching condition wins.
fn slot_width(sizes: &str, width: f64) -> f64 {
    let length = |text: &str| -> f64 {
        let text = text.trim();
        if let Some(vw) = text.strip_suffix("vw") {
            vw.parse::<f64>().unwrap() * width / 100.0
        } else if let Some(rem) = text.strip_suffix("rem") {
            rem.parse::<f64>().unwrap() * 16.0
        } else {
            text.trim_end_matches("px").parse().unwrap()
        }
    };
    for entry in sizes.split(',') {
        let entry = entry.trim();
        match entry.strip_prefix("(max-width:") {
            Some(rest) => {
                let (max, size) = rest.split_once(')').unwrap();
                if width <= length(max) {
                    return length(size);
                }
            }
            None => return length(entry),
        }
    }
    width
}

#[actix_web::test]
async fn the_first_photo_fits_a_phone_budget() {
    let html = get(&format!("/sites/{PHOTO_SITE}")).await.text();
    let source = html
        .split("<source type=\"image/webp\" ")
        .nth(1)
        .expect("the site page has a WebP source");
    let attr = |name: &str| {
        source
            .split(&format!("{name}=\""))
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned()
    };
    let slot = slot_width(&attr("sizes"), VIEWPORT);
    // The browser takes the smallest candidate at least as wide as the slot.
    let mut candidates: Vec<(u32, String)> = attr("srcset")
        .split(", ")
        .map(|c| {
            let (url, w) = c.rsplit_once(' ').unwrap();
            (w.trim_end_matches('w').parse().unwrap(), url.to_owned())
        })
        .collect();
    candidates.sort();
    let (width, url) = candidates
        .iter()
        .find(|(w, _)| f64::from(*w) >= slot)
        .or(candidates.last())
        .unwrap()
        .clone();
    let bytes = get(&url).await.body.len();
    eprintln!(
        "first photo at {VIEWPORT} px: slot {slot} px → {width} px WebP, {bytes} bytes ({} photo)",
        if FIXTURE.real_photos {
            "real"
        } else {
            "generated"
        }
    );
    assert!(
        bytes <= FIRST_PHOTO_BUDGET,
        "{url}: {bytes} bytes > {FIRST_PHOTO_BUDGET}"
    );
}

#[test]
fn sizes_are_evaluated_like_a_browser() {
    assert_eq!(slot_width("(max-width: 30rem) 85vw, 24rem", 360.0), 306.0);
    assert_eq!(slot_width("(max-width: 30rem) 85vw, 24rem", 1200.0), 384.0);
    assert_eq!(slot_width("6rem", 360.0), 96.0);
}
