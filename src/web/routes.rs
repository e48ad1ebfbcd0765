//! The whole URL map of the public site, on one screen.

use actix_files::Files;
use actix_web::middleware::DefaultHeaders;
use actix_web::web::{self, ServiceConfig, get, head, post, put};

use super::campaigns::{edit, mine, public, reports, tasks};
use super::contribute::{drafts, home, multipart, site_form, submission, uploads};
use super::offline::{packs, pages as offline_pages, worker};
use super::open_data::{citations, data_page, iiif, oai, search_export};
use super::teams::{invitations, join, manage};
use super::{account, api, assets, login, metrics, moderate, pages, qr, seo};

/// Registers every route. `media_root` is where ingest wrote the photo derivatives.
pub fn configure(cfg: &mut ServiceConfig, media_root: &std::path::Path) {
    cfg
        // Pages
        .route("/", get().to(pages::home))
        .route("/search", get().to(pages::search))
        .route("/provinces", get().to(pages::provinces))
        .route("/types", get().to(pages::types))
        .route("/map", get().to(pages::map_page))
        .route("/sites/{id}", get().to(pages::site))
        .route("/sites/{id}/site.json", get().to(pages::site_json))
        .route("/sites/{id}/plaque", get().to(pages::plaque))
        .route("/sites/{id}/qr.svg", get().to(qr::qr_svg))
        .route("/sites/{id}/qr.png", get().to(qr::qr_png))
        .route("/s/{code}", get().to(pages::short_code))
        .route("/sites/{id}/cite.json", get().to(citations::csl_json))
        .route("/sites/{id}/cite.ris", get().to(citations::ris))
        // Open data: downloads, harvesting, IIIF
        .route("/data", get().to(data_page::page_of))
        .route("/data/dictionary", get().to(data_page::dictionary))
        .route("/data/{file}", get().to(data_page::file))
        .route("/data/{file}", head().to(data_page::file))
        .route(
            "/search/download/{format}",
            get().to(search_export::download),
        )
        .route("/oai", get().to(oai::get))
        .route("/oai", post().to(oai::post))
        .route("/iiif/collection.json", get().to(iiif::archive_collection))
        .route(
            "/iiif/province/{slug}/collection.json",
            get().to(iiif::province_collection),
        )
        .route("/iiif/img/{hash}", get().to(iiif::image_base))
        .route("/iiif/img/{hash}/{file:.*}", get().to(iiif::image_file))
        .route("/iiif/{id}/manifest.json", get().to(iiif::manifest))
        // Accounts
        .route("/login", get().to(login::form))
        .route("/login", post().to(login::submit))
        .route("/logout", post().to(login::logout))
        // Offline: the worker at the root scope, the app manifest, the offline shell, packs
        .route("/sw.js", get().to(worker::script))
        .route("/manifest.webmanifest", get().to(worker::manifest))
        .route("/offline", get().to(offline_pages::offline))
        .route("/offline/draft", get().to(offline_pages::draft))
        .route("/packs/v1/index.json", get().to(packs::index))
        .route("/packs/v1/select", get().to(packs::select))
        .route("/packs/v1/{kind}/{file}", get().to(packs::file))
        .route("/account/password", get().to(account::form))
        .route("/account/password", post().to(account::submit))
        // Contributing (fixed paths before `/contribute/{id}`)
        .route("/contribute", get().to(home::home))
        .route("/contribute/session", get().to(drafts::session))
        .route("/contribute/drafts", post().to(drafts::receive))
        .route("/contribute/new", get().to(site_form::new_form))
        .route("/contribute/new", post().to(site_form::new_submit))
        .route("/contribute/communes", get().to(submission::communes))
        .route(
            "/contribute/correct/{site}",
            get().to(site_form::correct_form),
        )
        .route(
            "/contribute/correct/{site}",
            post().to(site_form::correct_submit),
        )
        .route(
            "/contribute/photos/{site}",
            get().to(submission::start_photos_form),
        )
        .route(
            "/contribute/photos/{site}",
            post().to(submission::start_photos),
        )
        .route("/contribute/{id}", get().to(submission::show))
        .route("/contribute/{id}/photos", post().to(multipart::upload))
        .route(
            "/contribute/{id}/previews/{file}",
            get().to(submission::preview),
        )
        .route("/contribute/{id}/uploads", post().to(uploads::declare))
        .route(
            "/contribute/{id}/uploads/{upload}",
            get().to(uploads::status),
        )
        .route(
            "/contribute/{id}/uploads/{upload}",
            head().to(uploads::status),
        )
        .route(
            "/contribute/{id}/uploads/{upload}",
            put().to(uploads::append),
        )
        // Moderation
        .route("/moderate", get().to(moderate::queue::queue))
        .route("/moderate/revert", post().to(moderate::history::revert))
        .route("/moderate/{id}", get().to(moderate::review::review))
        .route(
            "/moderate/{id}/photos/{file}",
            get().to(moderate::review::photo),
        )
        .route(
            "/moderate/{id}/approve",
            post().to(moderate::decide::approve),
        )
        .route("/moderate/{id}/edit", post().to(moderate::decide::edit))
        .route("/moderate/{id}/reject", post().to(moderate::decide::reject))
        .route("/sites/{id}/history", get().to(moderate::history::page_of))
        .route("/needs-help", get().to(moderate::needs_help::list))
        // Teams (fixed paths before `/teams/{team}`) and joining them
        .route("/teams", get().to(manage::list))
        .route("/teams", post().to(manage::create))
        .route("/teams/{team}", get().to(super::teams::public::show))
        .route("/teams/{team}/manage", get().to(manage::manage))
        .route("/teams/{team}/communes", post().to(manage::set_communes))
        .route("/teams/{team}/invitations", post().to(invitations::create))
        .route(
            "/teams/{team}/invitations/{id}/revoke",
            post().to(invitations::revoke),
        )
        .route(
            "/teams/{team}/invitations/{id}/qr.svg",
            get().to(invitations::qr),
        )
        .route(
            "/teams/{team}/members/{user}/confirm",
            post().to(manage::confirm),
        )
        .route(
            "/teams/{team}/members/{user}/remove",
            post().to(manage::remove),
        )
        .route("/join/{token}", get().to(join::form))
        .route("/join/{token}", post().to(join::submit))
        // Campaigns (fixed paths before `/campaigns/{c}`)
        .route("/campaigns", get().to(public::list))
        .route("/campaigns/new", get().to(edit::new_form))
        .route("/campaigns/new", post().to(edit::create))
        .route("/campaigns/{c}", get().to(public::show))
        .route("/campaigns/{c}/edit", get().to(edit::edit_form))
        .route("/campaigns/{c}/edit", post().to(edit::update))
        .route("/campaigns/{c}/figures.csv", get().to(public::figures_csv))
        .route(
            "/campaigns/{c}/contributions.csv",
            get().to(reports::contributions_csv),
        )
        .route("/campaigns/{c}/tasks", get().to(tasks::list))
        .route("/campaigns/{c}/tasks/{site}", get().to(tasks::show))
        .route("/campaigns/{c}/tasks/{site}/claim", post().to(tasks::claim))
        .route(
            "/campaigns/{c}/tasks/{site}/release",
            post().to(tasks::release),
        )
        .route(
            "/campaigns/{c}/tasks/{site}/assign",
            post().to(tasks::assign),
        )
        .route("/my-tasks", get().to(mine::page))
        // JSON API
        .route("/api/v1/search", get().to(api::search))
        .route("/api/v1/suggest", get().to(api::suggest))
        .route("/api/v1/sites/{id}", get().to(api::site))
        .route("/api/v1/openapi.json", get().to(api::openapi))
        .route("/healthz", get().to(api::health))
        .route("/metrics", get().to(metrics::metrics))
        // For machines
        .route("/robots.txt", get().to(seo::robots))
        .route("/sitemap.xml", get().to(seo::sitemap))
        .route("/sitemap-{part}", get().to(seo::sitemap_part))
        // Files: embedded assets, and photo derivatives (named by content hash: immutable)
        .route("/static/{file}", get().to(assets::serve))
        .route(
            "/favicon.ico",
            get().to(|| async {
                actix_web::HttpResponse::MovedPermanently()
                    .insert_header(("Location", assets::url("icon.svg")))
                    .finish()
            }),
        )
        .service(
            web::scope("/media")
                .wrap(DefaultHeaders::new().add(("Cache-Control", assets::MEDIA)))
                .wrap(actix_web::middleware::from_fn(assets::in_one_piece))
                .service(
                    Files::new("", media_root)
                        .path_filter(|path, _| assets::is_derivative(path))
                        .use_etag(true)
                        .use_last_modified(true),
                ),
        )
        .default_service(web::to(pages::not_found));
}
