//! QR codes for plaques at the sites. A code encodes the site's permanent short URL
//! (`https://…/s/{code}`), never its page URL: the short code survives renames, so a plaque
//! printed today keeps working (see [`crate::record::SiteRecord::short_code`]).

use std::io::Cursor;

use actix_web::{HttpRequest, HttpResponse, web};
use qrcode::{Color, EcLevel, QrCode};

use super::catalog::Lookup;
use super::error::{InLang, PageError, WebError};
use super::i18n::Chosen;
use super::render::cached;
use super::state::AppState;

/// Quartile error correction: a quarter of the code may be scratched or dirty.
const EC_LEVEL: EcLevel = EcLevel::Q;

/// The short URL a site's QR code encodes.
fn short_url(req: &HttpRequest, state: &AppState, code: &str) -> String {
    format!("{}/s/{code}", state.origin(req))
}

fn code_for(url: &str) -> Result<QrCode, WebError> {
    QrCode::with_error_correction_level(url.as_bytes(), EC_LEVEL).map_err(|source| WebError::Qr {
        url: url.to_owned(),
        source,
    })
}

/// The code as SVG, scalable to any print size.
pub fn svg(url: &str) -> Result<String, WebError> {
    Ok(code_for(url)?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(256, 256)
        .quiet_zone(true)
        .build())
}

/// The code as a PNG with `scale` pixels per module.
pub fn png(url: &str, scale: u32) -> Result<Vec<u8>, WebError> {
    let code = code_for(url)?;
    let modules = code.width() as u32;
    let quiet = 4;
    let side = (modules + 2 * quiet) * scale;
    let colors = code.to_colors();
    let img = image::GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x / scale, y / scale);
        let dark = mx >= quiet
            && my >= quiet
            && mx < modules + quiet
            && my < modules + quiet
            && colors[((my - quiet) * modules + (mx - quiet)) as usize] == Color::Dark;
        image::Luma([if dark { 0 } else { 255 }])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("PNG encoding into memory cannot fail");
    Ok(out.into_inner())
}

fn site_code(state: &AppState, id: &str, chosen: Chosen) -> Result<String, PageError> {
    match state.catalog().lookup(id) {
        Lookup::Found(site) | Lookup::Renamed(site) => Ok(site.summary.short_code.clone()),
        Lookup::Missing => Err(WebError::not_found(format!("site `{id}`"))).in_lang(chosen.lang),
    }
}

pub async fn qr_svg(
    req: HttpRequest,
    state: web::Data<AppState>,
    chosen: Chosen,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let code = site_code(&state, &id, chosen)?;
    let body = svg(&short_url(&req, &state, &code)).in_lang(chosen.lang)?;
    let plain = Chosen {
        explicit: false,
        ..chosen
    };
    Ok(cached(
        &req,
        plain,
        body.into_bytes(),
        "image/svg+xml",
        None,
    ))
}

pub async fn qr_png(
    req: HttpRequest,
    state: web::Data<AppState>,
    chosen: Chosen,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let code = site_code(&state, &id, chosen)?;
    let body = png(&short_url(&req, &state, &code), 10).in_lang(chosen.lang)?;
    let plain = Chosen {
        explicit: false,
        ..chosen
    };
    Ok(cached(&req, plain, body, "image/png", None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_and_png_are_drawn() {
        let url = "https://disan.example.org/s/abc1234";
        let svg = svg(url).unwrap();
        assert!(svg.contains("<svg"), "{svg}");
        let png = png(url, 4).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let decoded = image::load_from_memory(&png).unwrap();
        assert_eq!(decoded.width(), decoded.height());
    }
}
