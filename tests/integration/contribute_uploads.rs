//! Photo uploads on the web: the multipart form without JavaScript, every bad input of the
//! issue (non-images, cut and bomb images, empty files, huge fields, hostile file names, size
//! and count limits → 413 pages), and the resumable protocol: a connection cut mid-photo,
//! resumed from the server's offset, lands exactly once and byte-identical; a restart keeps
//! half uploads resumable, `recover` sweeps stale ones, and the public archive never changes.

use std::collections::BTreeMap;
use std::path::Path;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::{StatusCode, header};
use actix_web::test::{TestRequest, init_service};
use actix_web::web;
use disan::accounts::Role;
use disan::config::ContributeLimits;
use disan::layout::{ArchiveLayout, IndexLayout};
use disan::web::AppState;

use crate::contrib_fixture::{Browser, Contrib, account, fresh, login};
use crate::contribute::{propose, send};

/// A real little JPEG (a gradient), `w`×`h`; `seed` makes different bytes.
pub fn jpeg(w: u16, h: u16, seed: u8) -> Vec<u8> {
    let rgb: Vec<u8> = (0..u32::from(w) * u32::from(h))
        .flat_map(|i| [(i % 251) as u8, seed, (i / 97) as u8])
        .collect();
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90)
        .encode(&rgb, w, h, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    out
}

/// A `multipart/form-data` body: `(field, file name, bytes)`. Names go in as given (NUL and
/// all), as a hostile client would send them.
pub fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----disan-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: image/jpeg\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Posts the photo form without JavaScript: `files` plus a caption, an author and CC0.
pub async fn add_by_form<S, B>(
    app: &S,
    b: &Browser,
    id: &str,
    files: &[(&str, Option<&str>, &[u8])],
    caption: &str,
    author: &str,
) -> (StatusCode, String, String)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let mut parts = vec![
        ("caption", None, caption.as_bytes()),
        ("author", None, author.as_bytes()),
        ("license", None, b"CC0-1.0".as_slice()),
    ];
    parts.extend_from_slice(files);
    let (ctype, body) = multipart(&parts);
    let req = TestRequest::post()
        .uri(&format!("/contribute/{id}/photos?csrf={}&lang=en", b.csrf))
        .insert_header((header::COOKIE, b.cookie_header()))
        .insert_header((header::CONTENT_TYPE, ctype))
        .set_payload(body)
        .to_request();
    send(app, req).await
}

/// Declares a resumable upload; returns the status code and the JSON answer.
async fn declare<S, B>(
    app: &S,
    b: &Browser,
    id: &str,
    bytes: &[u8],
    key: &str,
) -> (StatusCode, serde_json::Value)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let body = serde_json::json!({
        "name": "IMG_0001.JPG", "size": bytes.len(), "key": key,
        "author": "Nguyễn Văn Hùng", "license": "CC-BY-SA-4.0", "caption": "Cổng đình"
    });
    let req = TestRequest::post()
        .uri(&format!("/contribute/{id}/uploads"))
        .insert_header((header::COOKIE, b.cookie_header()))
        .insert_header(("x-csrf-token", b.csrf.as_str()))
        .set_payload(body.to_string())
        .to_request();
    let (status, _, body) = send(app, req).await;
    (
        status,
        serde_json::from_str(&body).unwrap_or(serde_json::Value::Null),
    )
}

/// Sends `bytes` as the chunk starting at `offset`; `cut` ends the body with a network error
/// after those bytes, as a dropped connection does.
async fn put<S, B>(
    app: &S,
    b: &Browser,
    id: &str,
    upload: &str,
    offset: usize,
    bytes: &[u8],
    cut: bool,
) -> (StatusCode, serde_json::Value)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let req = TestRequest::put()
        .uri(&format!(
            "/contribute/{id}/uploads/{upload}?offset={offset}"
        ))
        .insert_header((header::COOKIE, b.cookie_header()))
        .insert_header(("x-csrf-token", b.csrf.as_str()))
        .to_request();
    let mut items = vec![Ok(web::Bytes::copy_from_slice(bytes))];
    if cut {
        items.push(Err(actix_http::error::PayloadError::Incomplete(None)));
    }
    let stream: actix_http::BoxedPayloadStream = Box::pin(futures_util::stream::iter(items));
    let (req, _) = req.replace_payload(actix_http::Payload::from(stream));
    let (status, _, body) = send(app, req).await;
    (
        status,
        serde_json::from_str(&body).unwrap_or(serde_json::Value::Null),
    )
}

async fn status_of<S, B>(
    app: &S,
    b: &Browser,
    id: &str,
    upload: &str,
) -> (StatusCode, serde_json::Value)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let req =
        crate::contribute::get(&format!("/contribute/{id}/uploads/{upload}"), Some(b)).to_request();
    let (status, _, body) = send(app, req).await;
    (
        status,
        serde_json::from_str(&body).unwrap_or(serde_json::Value::Null),
    )
}

/// Every file of the published sites with its hash: what must not change.
fn public_listing(root: &Path) -> BTreeMap<String, String> {
    let layout = ArchiveLayout::new(root);
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_entry(|e| !(e.file_type().is_dir() && layout.is_reserved(e.path())))
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(root).unwrap().display().to_string();
            (
                rel,
                blake3::hash(&std::fs::read(e.path()).unwrap())
                    .to_hex()
                    .to_string(),
            )
        })
        .collect()
}

/// The same archive served with other limits (a second server over it).
fn with_limits(c: &Contrib, limits: ContributeLimits) -> web::Data<AppState> {
    let archive = ArchiveLayout::new(c._dir.path().join("archive"));
    let index = IndexLayout::new(c._dir.path().join("index"));
    web::Data::new(
        AppState::open(&archive, &index, None)
            .unwrap()
            .with_limits(limits),
    )
}

#[actix_web::test]
async fn photos_sent_by_the_plain_form_are_stored_once_with_previews() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let b = login(&app, &c.state, account(Role::Volunteer)).await;
    let id = propose(&app, &b, "Đình ảnh").await;
    let (one, two) = (jpeg(64, 48, 1), jpeg(48, 64, 2));
    let files = [
        ("photos", Some("a.jpg"), one.as_slice()),
        ("photos", Some("b.jpg"), two.as_slice()),
    ];
    let (status, location, body) = add_by_form(&app, &b, &id, &files, "Cổng", "Lan").await;
    assert_eq!(status, 303, "{body}");
    assert!(location.ends_with("added=2"), "{location}");
    // The same photo again (a resend after a lost answer): still two.
    let (status, ..) = add_by_form(&app, &b, &id, &files[..1], "Cổng", "Lan").await;
    assert_eq!(status, 303);
    let sub = c.state.inbox.get(&id).unwrap();
    assert_eq!(sub.photos.len(), 2);
    assert_eq!(
        std::fs::read(c.state.inbox.photo_path(&sub, &sub.photos[0])).unwrap(),
        one
    );
    let (_, _, page) = send(
        &app,
        crate::contribute::get(&location, Some(&b)).to_request(),
    )
    .await;
    assert!(
        page.contains("2 ") && page.contains("a.jpg") && page.contains("Lan (CC0-1.0)"),
        "{page}"
    );
    let preview = format!("/contribute/{id}/previews/{}.jpg", sub.photos[0].hash);
    assert!(page.contains(&preview));
    let response = actix_web::test::call_service(
        &app,
        crate::contribute::get(&preview, Some(&b)).to_request(),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers().get(header::CONTENT_TYPE).unwrap(),
        "image/jpeg"
    );
    for bad in [
        "../../site.json",
        "x.jpg",
        &format!("{}.jpg", "0".repeat(64)),
    ] {
        let uri = format!("/contribute/{id}/previews/{bad}");
        let (status, ..) = send(&app, crate::contribute::get(&uri, Some(&b)).to_request()).await;
        assert_eq!(status, 404, "{bad}");
    }
}

#[actix_web::test]
async fn bad_photos_are_refused_and_nothing_reaches_the_archive() {
    let c = fresh();
    let root = c._dir.path().join("archive");
    let before = public_listing(&root);
    let app = init_service(disan::web::app(c.state.clone())).await;
    let b = login(&app, &c.state, account(Role::Volunteer)).await;
    let id = propose(&app, &b, "Đình lỗi").await;
    let good = jpeg(64, 64, 5);
    let truncated = good[..good.len() / 2].to_vec();
    let mut bomb = good.clone();
    let sof = bomb.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    bomb[sof + 5..sof + 9].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
    let cases: [(&str, &[u8], u16); 4] = [
        ("notes.txt", b"just some text, not a photo", 422),
        ("cut.jpg", &truncated, 422),
        ("bomb.jpg", &bomb, 422),
        ("empty.jpg", b"", 400),
    ];
    for (name, bytes, expected) in cases {
        let (status, _, page) =
            add_by_form(&app, &b, &id, &[("photos", Some(name), bytes)], "", "Lan").await;
        assert_eq!(status.as_u16(), expected, "{name}: {page:.400}");
        assert!(page.contains(name), "{name}: the page says which file");
    }
    // Author and licence are required.
    let (status, _, page) =
        add_by_form(&app, &b, &id, &[("photos", Some("ok.jpg"), &good)], "", "").await;
    assert_eq!(status, 400, "{page:.300}");
    // A huge caption is refused before anything is read further.
    let huge = "a".repeat(100_000);
    let (status, _, page) = add_by_form(
        &app,
        &b,
        &id,
        &[("photos", Some("ok.jpg"), &good)],
        &huge,
        "Lan",
    )
    .await;
    assert_eq!(status, 413);
    assert!(page.contains("too large"), "{page:.500}");
    // A form with no file at all.
    let (status, ..) = add_by_form(&app, &b, &id, &[("photos", Some(""), b"")], "", "Lan").await;
    assert_eq!(status, 400);
    assert!(c.state.inbox.get(&id).unwrap().photos.is_empty());
    let staging = root.join(".disan/staging");
    let left: Vec<_> = std::fs::read_dir(&staging)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "staging is empty: {left:?}");
    assert_eq!(public_listing(&root), before);
}

#[actix_web::test]
async fn hostile_file_names_are_only_ever_shown() {
    let c = fresh();
    let root = c._dir.path().join("archive");
    let before = public_listing(&root);
    let app = init_service(disan::web::app(c.state.clone())).await;
    let b = login(&app, &c.state, account(Role::Volunteer)).await;
    let id = propose(&app, &b, "Đình tên lạ").await;
    let names = [
        ("../../x.jpg", "x.jpg"),
        ("/etc/passwd", "passwd"),
        ("C:\\\\Windows\\\\evil.jpg", "evil.jpg"),
        ("a\u{0}b.jpg", "ab.jpg"),
        ("CON.jpg", "CON.jpg"),
        (
            "Chu\u{0300}a Mo\u{0323}\u{0302}t Co\u{0323}\u{0302}t.jpg",
            "Chùa Một Cột.jpg",
        ),
    ];
    for (i, (sent, shown)) in names.iter().enumerate() {
        let photo = jpeg(40, 40, 20 + i as u8);
        let (status, _, page) =
            add_by_form(&app, &b, &id, &[("photos", Some(sent), &photo)], "", "Lan").await;
        // A name the multipart parser cannot read is a refused form, never a path.
        if status == 400 {
            continue;
        }
        assert_eq!(status, 303, "{sent:?}: {page:.300}");
        let sub = c.state.inbox.get(&id).unwrap();
        let stored = sub
            .photos
            .iter()
            .find(|p| p.hash == blake3::hash(&photo).to_hex().to_string())
            .unwrap();
        assert_eq!(stored.original_name, *shown, "{sent:?}");
        assert!(
            stored.stored.starts_with(&stored.hash),
            "stored by hash, not by name"
        );
    }
    assert!(!root.join("x.jpg").exists() && !c._dir.path().join("x.jpg").exists());
    assert_eq!(public_listing(&root), before);
}

#[actix_web::test]
async fn over_size_and_over_count_uploads_get_a_413_page_in_the_visitors_language() {
    let c = fresh();
    let limits = ContributeLimits {
        max_photo_mb: 1,
        max_photos_per_submission: 2,
        ..Default::default()
    };
    let state = with_limits(&c, limits);
    let app = init_service(disan::web::app(state.clone())).await;
    let b = login(&app, &state, account(Role::Volunteer)).await;
    let id = propose(&app, &b, "Đình giới hạn").await;
    let big = vec![0xFFu8; 1024 * 1024 + 1];
    let (status, _, page) = add_by_form(
        &app,
        &b,
        &id,
        &[("photos", Some("big.jpg"), &big)],
        "",
        "Lan",
    )
    .await;
    assert_eq!(status, 413);
    assert!(
        page.contains("<html lang=\"en\"") && page.contains("1 MB limit"),
        "{page}"
    );
    let (a, bb, cc) = (jpeg(30, 30, 1), jpeg(30, 30, 2), jpeg(30, 30, 3));
    let three = [
        ("photos", Some("1.jpg"), a.as_slice()),
        ("photos", Some("2.jpg"), bb.as_slice()),
        ("photos", Some("3.jpg"), cc.as_slice()),
    ];
    let (status, _, page) = add_by_form(&app, &b, &id, &three, "", "Lan").await;
    assert_eq!(status, 413, "{page:.400}");
    assert!(page.contains("2 photos"), "{page:.600}");
    let (status, ..) = add_by_form(&app, &b, &id, &three[..2], "", "Lan").await;
    assert_eq!(status, 303);
    // Full: the resumable protocol says so before a byte is sent; a photo it has is fine.
    let (status, json) = declare(&app, &b, &id, &cc, "third").await;
    assert_eq!(
        (status.as_u16(), json["code"].as_str()),
        (413, Some("too_many_photos"))
    );
    let (status, json) = declare(&app, &b, &id, &big, "big").await;
    assert_eq!(
        (status.as_u16(), json["code"].as_str()),
        (413, Some("too_large"))
    );
    assert_eq!(state.inbox.get(&id).unwrap().photos.len(), 2);
}

#[actix_web::test]
async fn an_interrupted_upload_resumes_and_lands_once_byte_identical() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let b = login(&app, &c.state, account(Role::Volunteer)).await;
    let id = propose(&app, &b, "Đình mạng yếu").await;
    let photo = jpeg(400, 300, 7);
    let (status, first) = declare(&app, &b, &id, &photo, "sha256:abc").await;
    assert_eq!(status, 200, "{first}");
    let upload = first["upload"].as_str().unwrap().to_owned();
    assert_eq!(first["offset"], 0);
    // The first chunk arrives, then the connection drops in the middle of the second.
    let chunk = photo.len() / 4;
    let (status, json) = put(&app, &b, &id, &upload, 0, &photo[..chunk], false).await;
    assert_eq!(
        (status.as_u16(), json["offset"].as_u64()),
        (200, Some(chunk as u64))
    );
    let cut_at = chunk + chunk / 2;
    put(&app, &b, &id, &upload, chunk, &photo[chunk..cut_at], true).await;
    // The client asks where to resume; a stale offset is refused with the right one.
    let (_, json) = status_of(&app, &b, &id, &upload).await;
    assert_eq!(json["offset"].as_u64(), Some(cut_at as u64));
    let (status, json) = put(&app, &b, &id, &upload, chunk, &photo[chunk..], false).await;
    assert_eq!(
        (status.as_u16(), json["offset"].as_u64()),
        (409, Some(cut_at as u64))
    );
    // Declaring again (a page reload) finds the same upload where it stopped.
    let (_, again) = declare(&app, &b, &id, &photo, "sha256:abc").await;
    assert_eq!(
        (again["upload"].as_str(), again["offset"].as_u64()),
        (Some(upload.as_str()), Some(cut_at as u64))
    );
    let (status, done) = put(&app, &b, &id, &upload, cut_at, &photo[cut_at..], false).await;
    assert_eq!(status, 201, "{done}");
    assert_eq!(done["complete"], true);
    let hash = blake3::hash(&photo).to_hex().to_string();
    assert_eq!(done["photo"]["hash"].as_str(), Some(hash.as_str()));
    // The answer was lost: the retry gets the same photo; so does a new key for the same bytes.
    let (status, json) = put(&app, &b, &id, &upload, photo.len(), b"", false).await;
    assert_eq!(
        (status.as_u16(), json["complete"].as_bool()),
        (201, Some(true))
    );
    let (_, other) = declare(&app, &b, &id, &photo, "name:size:date").await;
    let other_id = other["upload"].as_str().unwrap().to_owned();
    assert_ne!(other_id, upload);
    let (status, _) = put(&app, &b, &id, &other_id, 0, &photo, false).await;
    assert_eq!(status, 201);
    let sub = c.state.inbox.get(&id).unwrap();
    assert_eq!(sub.photos.len(), 1, "one photo, however often it was sent");
    let stored = std::fs::read(c.state.inbox.photo_path(&sub, &sub.photos[0])).unwrap();
    assert_eq!(
        blake3::hash(&stored).to_hex().to_string(),
        hash,
        "byte-identical"
    );
    assert_eq!(sub.photos[0].author, "Nguyễn Văn Hùng");
    // Bytes past the declared size, or for an unknown upload, are refused.
    let (_, fresh_up) = declare(&app, &b, &id, &jpeg(20, 20, 8), "k2").await;
    let fresh_id = fresh_up["upload"].as_str().unwrap().to_owned();
    let (status, _) = put(&app, &b, &id, &fresh_id, 0, &photo, false).await;
    assert_eq!(status, 400);
    for bad in ["../../../etc/passwd", "ZZ", &"0".repeat(32)] {
        let (status, _) = status_of(&app, &b, &id, bad).await;
        assert_eq!(status, 404, "{bad}");
    }
}

#[actix_web::test]
async fn a_restart_keeps_half_uploads_resumable_and_recover_sweeps_stale_ones() {
    let c = fresh();
    let root = c._dir.path().join("archive");
    let before = public_listing(&root);
    let app = init_service(disan::web::app(c.state.clone())).await;
    let b = login(&app, &c.state, account(Role::Volunteer)).await;
    let id = propose(&app, &b, "Đình mất điện").await;
    let photo = jpeg(300, 200, 11);
    let half = photo.len() / 2;
    let (_, first) = declare(&app, &b, &id, &photo, "k").await;
    let upload = first["upload"].as_str().unwrap().to_owned();
    put(&app, &b, &id, &upload, 0, &photo[..half], true).await;
    let other = jpeg(200, 300, 12);
    let (_, second) = declare(&app, &b, &id, &other, "k2").await;
    let stale = second["upload"].as_str().unwrap().to_owned();
    put(&app, &b, &id, &stale, 0, &other[..100], true).await;
    drop(app);

    // The server comes back over the same archive and runs its start-up recovery.
    let state = with_limits(&c, ContributeLimits::default());
    let day = std::time::Duration::from_secs(24 * 3600);
    assert_eq!(
        state
            .inbox
            .recover(day, std::time::SystemTime::now())
            .unwrap(),
        0,
        "fresh uploads are kept"
    );
    let app = init_service(disan::web::app(state.clone())).await;
    let (_, json) = status_of(&app, &b, &id, &upload).await;
    assert_eq!(
        json["offset"].as_u64(),
        Some(half as u64),
        "resumable after the restart"
    );
    let (status, _) = put(&app, &b, &id, &upload, half, &photo[half..], false).await;
    assert_eq!(status, 201);
    // A day later the abandoned one is swept; its volunteer is told to send it again.
    let later = std::time::SystemTime::now() + 2 * day;
    assert!(state.inbox.recover(day, later).unwrap() >= 2);
    let (status, json) = status_of(&app, &b, &id, &stale).await;
    assert_eq!(
        (status.as_u16(), json["code"].as_str()),
        (404, Some("upload_not_found"))
    );
    let sub = state.inbox.get(&id).unwrap();
    assert_eq!(sub.photos.len(), 1);
    assert_eq!(
        std::fs::read(state.inbox.photo_path(&sub, &sub.photos[0])).unwrap(),
        photo
    );
    assert_eq!(
        public_listing(&root),
        before,
        "the public archive never changed"
    );
}

#[actix_web::test]
async fn real_photos_resume_after_cuts_and_keep_their_gps() {
    let Some(data) = crate::util::testdata("real_photos_resume_after_cuts_and_keep_their_gps")
    else {
        return;
    };
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let b = login(&app, &c.state, account(Role::Volunteer)).await;
    let id = propose(&app, &b, "Đình ảnh thật").await;
    let mut files: Vec<_> = std::fs::read_dir(data.join("photos/gps"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "photos/gps holds photos");
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let key = path.file_name().unwrap().to_string_lossy().into_owned();
        let (_, d) = declare(&app, &b, &id, &bytes, &key).await;
        let upload = d["upload"].as_str().unwrap().to_owned();
        let mut offset = 0;
        // 64 KiB chunks, every other one cut half-way through.
        for (i, chunk) in bytes.chunks(64 * 1024).enumerate() {
            if i % 2 == 1 {
                put(
                    &app,
                    &b,
                    &id,
                    &upload,
                    offset,
                    &chunk[..chunk.len() / 2],
                    true,
                )
                .await;
                offset = status_of(&app, &b, &id, &upload).await.1["offset"]
                    .as_u64()
                    .unwrap() as usize;
            }
            let rest = &bytes[offset..offset + chunk.len() - (offset - i * 64 * 1024)];
            let (status, json) = put(&app, &b, &id, &upload, offset, rest, false).await;
            assert!(status == 200 || status == 201, "{}: {json}", path.display());
            offset = json["offset"].as_u64().unwrap() as usize;
        }
        assert_eq!(offset, bytes.len());
    }
    let sub = c.state.inbox.get(&id).unwrap();
    assert_eq!(sub.photos.len(), files.len());
    for (path, photo) in files.iter().zip(&sub.photos) {
        assert_eq!(
            std::fs::read(c.state.inbox.photo_path(&sub, photo)).unwrap(),
            std::fs::read(path).unwrap()
        );
        assert!(
            photo.gps.is_some(),
            "{}: GPS kept for the moderator",
            path.display()
        );
    }
    let truncated = std::fs::read(data.join("photos/edge/truncated_jpeg.jpg")).unwrap();
    let (status, ..) = add_by_form(
        &app,
        &b,
        &id,
        &[("photos", Some("truncated_jpeg.jpg"), &truncated)],
        "",
        "Lan",
    )
    .await;
    assert_eq!(status, 422);
}
