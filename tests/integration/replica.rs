//! A read replica, in process: the primary (the bundled archive, ingested) publishes to a store —
//! a local folder, and the S3 store of `DISAN_S3_ENDPOINT` when set (CI points it at a real
//! Garage cluster) — a replica's mirror fills empty folders from it, and the replica's app must
//! answer exactly as the primary's. Then an approval with two photos on the primary, one more
//! publication, and the replica follows: the new site searchable, its page identical, its
//! photos fetched from storage on first request.

use std::collections::HashSet;
use std::sync::Arc;

use actix_web::http::header;
use actix_web::test::init_service;
use actix_web::web;
use disan::accounts::Role;
use disan::layout::{ArchiveLayout, IndexLayout};
use disan::snapshot::mirror::Mirror;
use disan::snapshot::publish::Publisher;
use disan::storage::{Backend, Storage, StorageSettings};
use disan::web::AppState;
use disan::web::replica::{ReplicaRole, catalog_of, switch};

use crate::contrib_fixture::{account, fresh, login, post_form};
use crate::moderate_fixture::{approved_site, get, new_site, send};

fn stores() -> Vec<(Storage, tempfile::TempDir)> {
    let dir = tempfile::tempdir().unwrap();
    let local = StorageSettings {
        backend: Backend::Local,
        path: Some(dir.path().join("bucket")),
        ..StorageSettings::default()
    };
    let mut out = vec![(Storage::open(&local).unwrap(), dir)];
    if let Ok(endpoint) = std::env::var("DISAN_S3_ENDPOINT") {
        let s3 = StorageSettings {
            backend: Backend::S3,
            endpoint: Some(endpoint),
            bucket: Some("disan".into()),
            region: Some("garage".into()),
            prefix: Some(format!(
                "test-replica-{}",
                chrono::Utc::now().timestamp_micros()
            )),
            ..StorageSettings::default()
        };
        out.push((Storage::open(&s3).unwrap(), tempfile::tempdir().unwrap()));
    }
    out
}

/// A replica's state on fresh folders, holding the newest generation.
fn replica(storage: Arc<Storage>, folders: &std::path::Path) -> (Mirror, web::Data<AppState>) {
    let archive = ArchiveLayout::new(folders.join("archive"));
    let index = IndexLayout::new(folders.join("index"));
    let mut mirror = Mirror::open(storage.clone(), &archive, &index).unwrap();
    let mut applied = mirror.apply(mirror.newer().unwrap().unwrap()).unwrap();
    mirror.remove_stale(&mut applied);
    let catalog = catalog_of(&mirror, &archive);
    let role = ReplicaRole::new(Some("http://primary.example/".into()), storage, &catalog);
    let state = AppState::open_as(&archive, &index, None, catalog, Some(role)).unwrap();
    (mirror, web::Data::new(state))
}

const SAME: &[&str] = &[
    "/",
    "/search?q=den",
    "/search?q=chua+ninh+binh&lang=en",
    "/api/v1/search?q=den%20thai%20vi",
    "/api/v1/suggest?q=chu",
    "/provinces",
    "/map",
    "/sitemap.xml",
    "/oai?verb=ListRecords&metadataPrefix=oai_dc",
    "/packs/v1/index.json",
    "/iiif/collection.json",
];

/// Every route of [`SAME`] and `site_page` answers the same on both apps.
async fn same_answers<S, B>(primary: &S, replica: &S, site_page: &str, when: &str)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    for path in SAME.iter().copied().chain([site_page]) {
        let (a, b) = (
            send(primary, get(path, None)).await,
            send(replica, get(path, None)).await,
        );
        assert_eq!(
            (a.status, without_response_date(&a.body)),
            (b.status, without_response_date(&b.body)),
            "{path} differs {when}"
        );
    }
}

/// `body` with the clock of an OAI-PMH answer blanked: `responseDate` is when the answer was
/// made (the protocol asks for it), so two servers asked a second apart rightly differ there.
fn without_response_date(body: &str) -> String {
    const CLOSE: &str = "</responseDate>";
    match (body.find("<responseDate>"), body.find(CLOSE)) {
        (Some(start), Some(end)) if start < end => {
            format!(
                "{}<responseDate/>{}",
                &body[..start],
                &body[end + CLOSE.len()..]
            )
        }
        _ => body.to_owned(),
    }
}

#[actix_web::test]
async fn a_replica_answers_as_the_primary_and_follows_an_approval() {
    for (storage, dir) in stores() {
        let storage = Arc::new(storage);
        let c = fresh();
        let primary = init_service(disan::web::app(c.state.clone())).await;
        let mut publisher =
            Publisher::new(storage.clone(), &c.state.archive, &c.state.index_layout);
        let first = disan::web::publisher::publish_now(&c.state, &mut publisher, None).unwrap();
        assert!(first.new_generation);

        let (mut mirror, state) = replica(storage.clone(), dir.path());
        let app = init_service(disan::web::app(state.clone())).await;
        let some_site = c.state.catalog().sites().next().unwrap().id.clone();
        let site_page = format!("/sites/{some_site}");
        same_answers(&primary, &app, &site_page, "on the replica").await;
        // Writes, private pages and downloads are the primary's.
        for (request, location) in [
            (
                get("/login?next=/contribute", None),
                "http://primary.example/login?next=/contribute",
            ),
            (
                get("/contribute/new", None),
                "http://primary.example/contribute/new",
            ),
            (get("/data", None), "http://primary.example/data"),
            (
                post_form("/moderate/x/approve", None, &[]),
                "http://primary.example/moderate/x/approve",
            ),
        ] {
            let answer = send(&app, request).await;
            assert_eq!(answer.status, 307, "{location}");
            assert_eq!(answer.headers.get(header::LOCATION).unwrap(), location);
        }

        // An approval on the primary: a new site with two photos.
        let moderator = login(&primary, &c.state, account(Role::Moderator)).await;
        let (submission, _) = new_site(&c.state, "Miếu Cây Đa Xóm Trại");
        let answer = send(
            &primary,
            post_form(
                &format!("/moderate/{}/approve", submission.id),
                Some(&moderator),
                &[],
            ),
        )
        .await;
        assert_eq!(answer.status, 303, "{}", answer.body);
        let site_id = approved_site(&c.state, &submission.id);
        let changed: HashSet<String> = [site_id.clone()].into();
        let second =
            disan::web::publisher::publish_now(&c.state, &mut publisher, Some(&changed)).unwrap();
        assert!(second.new_generation);
        assert_eq!(second.number, first.number + 1);
        assert_eq!(second.photos_uploaded, 2, "{second:?}");
        assert!(
            second.bundles_uploaded < 40,
            "an approval re-uploads a few bundles: {second:?}"
        );

        // The replica follows: only what changed is fetched, then it switches.
        let newest = mirror.newer().unwrap().expect("the new generation");
        let applied = mirror.apply(newest).unwrap();
        assert!(!applied.full);
        assert_eq!(
            applied.changed,
            std::slice::from_ref(&site_id),
            "{applied:?}"
        );
        switch(&state, &mirror, applied);
        let search = send(
            &app,
            get("/api/v1/search?q=mieu%20cay%20da%20xom%20trai", None),
        )
        .await;
        let json: serde_json::Value = serde_json::from_str(&search.body).unwrap();
        assert_eq!(json["hits"][0]["id"], site_id.as_str(), "{}", search.body);
        let page = format!("/sites/{site_id}");
        same_answers(&primary, &app, &page, "after the approval").await;

        // Its photos: not on the replica's disk until asked for, then the primary's bytes.
        let catalog = c.state.catalog();
        let photo = &catalog.get(&site_id).unwrap().photos()[0].meta;
        let file = &photo.files[0].path;
        assert!(!state.index_layout.media_root().join(file).exists());
        let served =
            actix_web::test::call_service(&app, get(&format!("/media/{file}"), None).to_request())
                .await;
        assert_eq!(served.status(), 200, "/media/{file}");
        let bytes = actix_web::test::read_body(served).await;
        assert_eq!(
            bytes,
            std::fs::read(c.state.index_layout.media_root().join(file)).unwrap()
        );
        // Its deep zoom, when the primary cut tiles: the same image service.
        let info = format!("/iiif/img/{}/info.json", photo.hash);
        let (a, b) = (
            send(&primary, get(&info, None)).await,
            send(&app, get(&info, None)).await,
        );
        assert_eq!((a.status, &a.body), (b.status, &b.body), "{info}");
        assert_eq!(a.status, 200, "an approval cuts the photo's tiles");
        let tiles = c.state.index_layout.iiif_dir(&photo.hash);
        let one = walkdir::WalkDir::new(&tiles)
            .into_iter()
            .flatten()
            .find(|e| e.file_name() == "default.jpg")
            .expect("a tile");
        let request = one.path().strip_prefix(&tiles).unwrap().to_str().unwrap();
        let tile = format!("/iiif/img/{}/{request}", photo.hash);
        let served = actix_web::test::call_service(&app, get(&tile, None).to_request()).await;
        assert_eq!(served.status(), 200, "{tile}");
        assert_eq!(
            actix_web::test::read_body(served).await,
            std::fs::read(one.path()).unwrap()
        );
        // A photo no published site shows is never fetched nor served.
        let shard = &photo.hash[..2];
        let unknown = format!("/media/{shard}/{}-320.webp", "ab".repeat(32));
        assert_eq!(send(&app, get(&unknown, None)).await.status, 404);
    }
}
