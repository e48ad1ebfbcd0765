//! Open data on the web, in process over the fixture archive: the `/data` downloads and their
//! checksums, a search's results as a file, the OAI-PMH endpoint, IIIF manifests, collections
//! and tiles, citations for reference managers, and the Wikidata link.

use actix_web::test::TestRequest;
use sha2::{Digest, Sha256};

use crate::web::{Answer, get, request};
use crate::web_fixture::{FIXTURE, OLD_ID, PHOTO_SITE, RENAMED_SITE, WIKIDATA};

fn made_downloads() {
    let state = &FIXTURE.state;
    state.open_data.refresh_now(&state.catalog().version);
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[actix_web::test]
async fn the_data_page_lists_each_download_with_its_checksum() {
    made_downloads();
    let page = get("/data").await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(
        html.contains("\"@type\":\"DataCatalog\""),
        "schema.org catalog"
    );
    assert!(
        html.contains("\"@type\":\"Dataset\""),
        "schema.org data set"
    );
    assert!(html.contains("rel=\"license\">CC BY 4.0</a>"), "{html}");
    let list = get("/data/downloads.json").await;
    assert_eq!(list.header("access-control-allow-origin"), "*");
    let list = list.json();
    let files = list["files"].as_array().unwrap();
    assert_eq!(files.len(), 5);
    for file in files {
        let name = format!("disan-sites.{}", file["format"].as_str().unwrap());
        let sha = file["sha256"].as_str().unwrap();
        assert!(html.contains(sha), "{name}: the page shows its checksum");
        let download = get(&format!("/data/{name}")).await;
        assert_eq!(download.status, 200, "{name}");
        assert_eq!(
            sha256(&download.body),
            sha,
            "{name}: the file is what the list says"
        );
        assert_eq!(download.body.len() as u64, file["bytes"].as_u64().unwrap());
        assert_eq!(
            download.header("content-disposition"),
            format!("attachment; filename=\"{name}\"")
        );
        assert_eq!(download.header("access-control-allow-origin"), "*");
    }
    assert_eq!(get("/data/disan-sites.xls").await.status, 404);
    assert_eq!(get("/data/..%2F..%2Fmanifest.json").await.status, 404);
    let dictionary = get("/data/dictionary?lang=en").await;
    assert_eq!(dictionary.status, 200);
    assert!(
        dictionary.text().contains("<table>"),
        "the data dictionary's tables"
    );
    assert!(
        get("/").await.text().contains("href=\"/data\""),
        "the footer links it"
    );
}

#[actix_web::test]
async fn a_search_downloads_with_all_its_results() {
    let page = get("/search?q=chua&limit=2").await.text();
    assert!(
        page.contains("href=\"/search/download/geojson?q=chua&amp;limit=2\""),
        "{page}"
    );
    assert!(page.contains("Disan. (2026"), "cite this search: {page}");
    let total = get("/api/v1/search?q=chua").await.json()["total"]
        .as_u64()
        .unwrap();
    let answer = get("/search/download/geojson?q=chua&limit=2&offset=2").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-type"), "application/geo+json");
    assert_eq!(
        answer.header("content-disposition"),
        "attachment; filename=\"disan-chua.geojson\""
    );
    let features = answer.json()["features"].as_array().unwrap().len() as u64;
    assert_eq!(features, total, "every result, not one page");
    let csv = get("/search/download/csv?province=Nam%20%C4%90%E1%BB%8Bnh").await;
    assert_eq!(csv.status, 200);
    assert!(csv.text().starts_with("\u{feff}id,short_code,"));
    assert_eq!(get("/search/download/pdf?q=chua").await.status, 404);
    assert_eq!(get("/search/download/csv?near=300,1").await.status, 400);
}

async fn oai(query: &str) -> String {
    let answer = get(&format!("/oai?{query}")).await;
    assert_eq!(answer.status, 200, "{query}");
    assert_eq!(answer.header("content-type"), "text/xml; charset=utf-8");
    answer.text()
}

#[actix_web::test]
async fn the_oai_endpoint_answers_get_and_post() {
    let identify = oai("verb=Identify").await;
    assert!(
        identify.contains("<baseURL>https://disan.example.org/oai</baseURL>"),
        "{identify}"
    );
    assert!(identify.contains("<repositoryIdentifier>disan.example.org</repositoryIdentifier>"));
    let posted = request(
        TestRequest::post()
            .uri("/oai")
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai%3Adisan.example.org%3Aden-thai-vi"),
    )
    .await;
    assert_eq!(posted.status, 200);
    assert!(
        posted
            .text()
            .contains("<dc:title xml:lang=\"vi\">Đền Thái Vi</dc:title>")
    );
    // The renamed site's old id is a deleted record; its new one carries the Wikidata link.
    let old = oai(&format!(
        "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:disan.example.org:{OLD_ID}"
    ))
    .await;
    assert!(old.contains("<header status=\"deleted\">"), "{old}");
    let renamed = oai(&format!(
        "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:disan.example.org:{RENAMED_SITE}"
    ))
    .await;
    assert!(renamed.contains(&format!("http://www.wikidata.org/entity/{WIKIDATA}")));
    let all = oai("verb=ListIdentifiers&metadataPrefix=oai_dc").await;
    let sites = FIXTURE.state.catalog().len();
    assert_eq!(
        all.matches("<header>").count(),
        sites,
        "every published site"
    );
    assert_eq!(all.matches("<header status=\"deleted\">").count(), 1);
    assert!(
        oai("verb=ListSets")
            .await
            .contains("<setSpec>legacy-province:nam-dinh</setSpec>")
    );
    assert!(oai("verb=Nope").await.contains("<error code=\"badVerb\">"));
}

#[actix_web::test]
async fn iiif_manifests_collections_and_tiles() {
    let answer = get(&format!("/iiif/{PHOTO_SITE}/manifest.json")).await;
    assert_eq!(answer.status, 200);
    assert!(
        answer
            .header("content-type")
            .starts_with("application/ld+json")
    );
    assert_eq!(answer.header("access-control-allow-origin"), "*");
    let manifest = answer.json();
    let canvases = manifest["items"].as_array().unwrap();
    assert_eq!(canvases.len(), 2);
    let service = canvases[0]["items"][0]["items"][0]["body"]["service"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = service.trim_start_matches("https://disan.example.org");
    let info = get(&format!("{path}/info.json")).await;
    assert_eq!(info.status, 200);
    let info = info.json();
    assert_eq!(
        info["id"],
        service.as_str(),
        "the stored info.json, with its absolute id"
    );
    assert_eq!(info["width"], canvases[0]["width"]);
    // The whole image at the smallest level, then a tile of the full-size level.
    let size = &info["sizes"][0];
    let small = get(&format!(
        "{path}/full/{},{}/0/default.jpg",
        size["width"], size["height"]
    ))
    .await;
    assert_eq!(small.status, 200);
    assert_eq!(small.header("content-type"), "image/jpeg");
    assert!(small.header("cache-control").contains("immutable"));
    let (width, height) = (
        info["width"].as_u64().unwrap(),
        info["height"].as_u64().unwrap(),
    );
    let first = &disan::media::tiles::plan(width as u32, height as u32, 512)[0];
    let tile = get(&format!("{path}/{}", first.path)).await;
    assert_eq!(tile.status, 200, "{}", first.path);
    let decoded = image::load_from_memory(&tile.body).unwrap();
    assert_eq!(
        (decoded.width(), decoded.height()),
        (first.level_rect.2, first.level_rect.3)
    );
    assert_eq!(
        get(&format!("{path}/full/max/90/default.jpg")).await.status,
        404
    );
    assert_eq!(
        get(&format!(
            "{path}/0,0,512,512/512,512/0/../../../../info.json"
        ))
        .await
        .status,
        404
    );
    assert_eq!(
        get(&format!("/iiif/{RENAMED_SITE}/manifest.json"))
            .await
            .status,
        404,
        "no photos"
    );
    let old = get(&format!("/iiif/{OLD_ID}/manifest.json")).await;
    assert_eq!(old.status, 301);
    let archive = get("/iiif/collection.json").await.json();
    assert_eq!(
        archive["items"][0]["id"],
        "https://disan.example.org/iiif/province/ninh-binh/collection.json"
    );
    let province = get("/iiif/province/ninh-binh/collection.json").await.json();
    assert_eq!(province["items"].as_array().unwrap().len(), 1);
    assert_eq!(province["items"][0]["type"], "Manifest");
    assert_eq!(
        get("/iiif/province/ca-mau/collection.json").await.status,
        404
    );
}

#[actix_web::test]
async fn a_site_cites_itself_for_reference_managers_and_links_wikidata() {
    let ris: Answer = get(&format!("/sites/{RENAMED_SITE}/cite.ris")).await;
    assert_eq!(ris.status, 200);
    assert!(
        ris.text()
            .starts_with("TY  - ELEC\r\nTI  - Chùa Long Đọi Sơn\r\n")
    );
    let csl = get(&format!("/sites/{RENAMED_SITE}/cite.json")).await;
    assert_eq!(
        csl.header("content-type"),
        "application/vnd.citationstyles.csl+json"
    );
    assert_eq!(
        csl.json()[0]["URL"],
        format!("https://disan.example.org/sites/{RENAMED_SITE}")
    );
    assert_eq!(get(&format!("/sites/{OLD_ID}/cite.ris")).await.status, 301);
    let page = get(&format!("/sites/{RENAMED_SITE}")).await.text();
    let link = format!("https://www.wikidata.org/wiki/{WIKIDATA}");
    assert!(
        page.contains(&format!(
            "<a href=\"{link}\" rel=\"noopener\">{WIKIDATA}</a>"
        )),
        "{page}"
    );
    assert!(
        page.contains(&format!("\"sameAs\":\"{link}\"")),
        "JSON-LD sameAs"
    );
    let photos = get(&format!("/sites/{PHOTO_SITE}")).await.text();
    assert!(photos.contains(&format!("href=\"/iiif/{PHOTO_SITE}/manifest.json\"")));
    assert!(
        photos.contains("data-zoom=\"/iiif/img/"),
        "the viewer's zoom service"
    );
    assert!(
        photos.contains(disan::web::assets::url("zoom.js")),
        "the zoom script's address"
    );
    assert!(
        !photos.contains(&format!("src=\"{}\"", disan::web::assets::url("zoom.js"))),
        "not loaded with the page"
    );
}
