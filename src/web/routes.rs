//! The whole URL map of the public site, on one screen.

use actix_files::Files;
use actix_web::middleware::DefaultHeaders;
use actix_web::web::{self, ServiceConfig, get, head, post, put};

use super::contribute::{home, multipart, site_form, submission, uploads};
use super::{api, assets, login, metrics, moderate, pages, qr, seo};

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
        // Accounts
        .route("/login", get().to(login::form))
        .route("/login", post().to(login::submit))
        .route("/logout", post().to(login::logout))
        // Contributing (fixed paths before `/contribute/{id}`)
        .route("/contribute", get().to(home::home))
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
                .service(
                    Files::new("", media_root)
                        .path_filter(|path, _| assets::is_derivative(path))
                        .use_etag(true)
                        .use_last_modified(true),
                ),
        )
        .default_service(web::to(pages::not_found));
}
