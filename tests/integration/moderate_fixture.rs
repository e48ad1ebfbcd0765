//! What the moderation tests share: pending submissions made through the library (a new site
//! with one photo taken at it and one 6 km away, both with EXIF GPS), requests as a browser
//! sends them, and a listing of the public archive to prove nothing reached it.

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::{StatusCode, header};
use actix_web::test::{TestRequest, call_service, read_body};
use chrono::Utc;
use disan::archive::inbox::{PhotoDetails, Proposal, Submission};
use disan::record::{Accuracy, SiteRecord};
use disan::web::AppState;

use crate::contrib_fixture::Browser;
use crate::web_fixture::photo_like_jpeg;

/// Where the proposed sites are (Hoa Lư, Ninh Bình).
pub const SITE_AT: (f64, f64) = (20.2506, 105.9745);

/// A JPEG with an EXIF GPS position: an APP1 segment with IFD0 → GPS IFD, little-endian.
pub fn gps_jpeg(lat: f64, lon: f64, seed: u64) -> Vec<u8> {
    let jpeg = photo_like_jpeg(1200, 900, seed);
    let mut tiff: Vec<u8> = b"II*\0".to_vec();
    tiff.extend(8u32.to_le_bytes());
    let entry = |tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        let mut e = tag.to_le_bytes().to_vec();
        e.extend(kind.to_le_bytes());
        e.extend(count.to_le_bytes());
        e.extend(value);
        e
    };
    // IFD0 at 8: one entry, the GPS IFD's offset (26).
    tiff.extend(1u16.to_le_bytes());
    tiff.extend(entry(0x8825, 4, 1, 26u32.to_le_bytes()));
    tiff.extend(0u32.to_le_bytes());
    // GPS IFD at 26: four entries, rationals at 80 and 104.
    tiff.extend(4u16.to_le_bytes());
    tiff.extend(entry(1, 2, 2, *b"N\0\0\0"));
    tiff.extend(entry(2, 5, 3, 80u32.to_le_bytes()));
    tiff.extend(entry(3, 2, 2, *b"E\0\0\0"));
    tiff.extend(entry(4, 5, 3, 104u32.to_le_bytes()));
    tiff.extend(0u32.to_le_bytes());
    for value in [lat, lon] {
        let degrees = value.trunc();
        let minutes = ((value - degrees) * 60.0).trunc();
        let seconds = ((value - degrees) * 60.0 - minutes) * 60.0;
        for (n, d) in [
            (degrees as u32, 1u32),
            (minutes as u32, 1),
            ((seconds * 10_000.0).round() as u32, 10_000),
        ] {
            tiff.extend(n.to_le_bytes());
            tiff.extend(d.to_le_bytes());
        }
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
}

pub fn add_photo(state: &AppState, id: &str, name: &str, bytes: &[u8]) -> String {
    let mut staged = state.inbox.stage().unwrap();
    staged.write(bytes).unwrap();
    let details = PhotoDetails {
        original_name: name.into(),
        caption: Some("Cổng miếu nhìn từ đường làng".into()),
        author: "Trần Thị Lan".into(),
        license: "CC-BY-SA-4.0".into(),
    };
    state
        .inbox
        .add_photo(id, staged, details, Utc::now())
        .unwrap()
        .hash
}

pub fn proposed_record(name: &str) -> SiteRecord {
    let mut record = SiteRecord::new("", name, Utc::now());
    record.location.province = Some("Ninh Bình".into());
    record.location.commune = Some("Phường Hoa Lư".into());
    (record.location.lat, record.location.lon) = (Some(SITE_AT.0), Some(SITE_AT.1));
    record.location.accuracy = Some(Accuracy::Surveyed);
    record.summary = Some("Miếu nhỏ dưới gốc đa đầu làng.".into());
    record
}

/// A pending new site with a photo taken at the site and one taken 6 km north.
pub fn new_site(state: &AppState, name: &str) -> (Submission, Vec<String>) {
    let proposal = Proposal::NewSite {
        record: proposed_record(name),
    };
    let submission = state
        .inbox
        .submit("volunteer", proposal, Utc::now())
        .unwrap();
    let hashes = vec![
        add_photo(
            state,
            &submission.id,
            "IMG_0001.JPG",
            &gps_jpeg(20.2510, 105.9750, 1),
        ),
        add_photo(
            state,
            &submission.id,
            "IMG_0002.JPG",
            &gps_jpeg(20.3050, 105.9745, 2),
        ),
    ];
    (state.inbox.get(&submission.id).unwrap(), hashes)
}

/// The site an approved submission was published as.
pub fn approved_site(state: &AppState, submission_id: &str) -> String {
    let submission = state.inbox.get(submission_id).unwrap();
    let review = submission.review.expect("the submission was decided");
    review.site_id.expect("an approval names its site")
}

/// The record of a published site, as its page reads it.
pub fn published_record(state: &AppState, site_id: &str) -> disan::record::SiteRecord {
    let catalog = state.catalog();
    let site = catalog.get(site_id).expect("a published site");
    (*catalog.record(site).expect("a readable record")).clone()
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: header::HeaderMap,
    pub body: String,
}

pub async fn send<S, B>(app: &S, request: TestRequest) -> Answer
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: actix_web::body::MessageBody,
{
    let response = call_service(app, request.to_request()).await;
    let status = response.status();
    let headers = response.headers().clone();
    let body = String::from_utf8_lossy(&read_body(response).await).into_owned();
    Answer {
        status,
        headers,
        body,
    }
}

pub fn get(uri: &str, browser: Option<&Browser>) -> TestRequest {
    let request = TestRequest::get().uri(uri);
    match browser {
        Some(b) => request.insert_header((header::COOKIE, b.cookie_header())),
        None => request,
    }
}

/// Every file of the public archive (the inbox and private state left out), with its bytes.
pub fn public_files(state: &AppState) -> Vec<(String, Vec<u8>)> {
    let layout = &state.archive;
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(layout.root())
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !layout.is_reserved(e.path()))
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                layout.display(e.path()).to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}
