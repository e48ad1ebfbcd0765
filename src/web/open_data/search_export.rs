//! `/search/download/{format}?q=…`: every site a search finds (all its pages), as a file.
//!
//! The answer streams: a thread walks the search's sites in page order, reads each record
//! from the archive, writes it in the format and hands the bytes over in 64 KB pieces through
//! a short queue, so a download of the whole country holds a few pieces, not the country. A
//! visitor who goes away stops the thread at its next piece. A few downloads run at once;
//! beyond that the answer is 503 with a word to try again.

use std::io::Write;

use actix_web::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use tokio::sync::mpsc;

use super::ANY_ORIGIN;
use crate::fold;
use crate::open_data::export::{self, Context, Format};
use crate::search::SearchRequest;
use crate::web::error::{InLang, PageError, WebError};
use crate::web::i18n::{Chosen, form_urlencoded_pairs};
use crate::web::state::AppState;

/// Bytes handed to the connection at a time.
const PIECE: usize = 64 * 1024;
/// Pieces waiting for a slow connection before the writer waits too.
const QUEUE: usize = 4;

pub async fn download(
    req: HttpRequest,
    state: web::Data<AppState>,
    chosen: Chosen,
    format: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let lang = chosen.lang;
    let format = Format::parse(&format).ok_or_else(|| PageError {
        error: WebError::not_found(format!("download format `{format}`")),
        lang,
    })?;
    // The whole result set: the page's own offset and limit do not apply.
    let pairs: Vec<(String, String)> = form_urlencoded_pairs(req.query_string())
        .filter(|(k, _)| !matches!(k.as_str(), "offset" | "limit" | "lang"))
        .collect();
    let request = SearchRequest::from_pairs(pairs.iter().cloned()).in_lang(lang)?;
    let permit = state.open_data.export_permit().ok_or(PageError {
        error: WebError::Unavailable,
        lang,
    })?;
    let index = state.index.clone();
    let archive = state.archive.clone();
    let context = Context {
        origin: state.origin(&req),
        title: format!("Disan — {}", file_stem(&request)),
        licence: state.open_data.licence(),
        made: chrono::Utc::now(),
    };
    let file = format!("disan-{}.{}", file_stem(&request), format.extension());
    let (sender, mut receiver) = mpsc::channel::<Result<Bytes, std::io::Error>>(QUEUE);
    std::thread::Builder::new()
        .name("search-download".into())
        .spawn(move || {
            let _permit = permit;
            let mut out = Pieces {
                sender,
                piece: Vec::with_capacity(PIECE),
            };
            let result = index
                .matching_sites(&request, usize::MAX)
                .map_err(|e| std::io::Error::other(e.to_string()))
                .and_then(|sites| {
                    export::write_one(
                        export::listed_records(&archive, sites),
                        format,
                        &mut out,
                        &context,
                    )
                });
            match result {
                Ok(report) => {
                    for problem in report.problems {
                        tracing::warn!("search download: {problem}");
                    }
                }
                // The visitor went away: nothing to report.
                Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {}
                Err(err) => {
                    tracing::error!("search download failed: {err}");
                    let _ = out.sender.blocking_send(Err(err));
                }
            }
        })
        .map_err(|_| PageError {
            error: WebError::Unavailable,
            lang,
        })?;
    let body = futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx));
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, format.mime_type()))
        .insert_header((
            CONTENT_DISPOSITION,
            HeaderValue::from_str(&format!("attachment; filename=\"{file}\""))
                .unwrap_or(HeaderValue::from_static("attachment")),
        ))
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header(ANY_ORIGIN)
        .streaming(body))
}

/// The file name's stem: the searched words and filters as a slug (`den-nam-dinh`).
fn file_stem(request: &SearchRequest) -> String {
    let words: Vec<&str> = std::iter::once(request.q.as_str())
        .chain(request.province.iter().map(String::as_str))
        .chain(request.type_.iter().map(String::as_str))
        .chain(request.level.iter().map(String::as_str))
        .chain(request.category.iter().map(String::as_str))
        .collect();
    let mut stem = fold::slug(&words.join(" "));
    stem.truncate(60);
    let stem = stem.trim_end_matches('-').to_owned();
    if stem.is_empty() {
        "search".to_owned()
    } else {
        stem
    }
}

/// The writer side of the stream: fills a piece, sends it when full.
struct Pieces {
    sender: mpsc::Sender<Result<Bytes, std::io::Error>>,
    piece: Vec<u8>,
}

impl Pieces {
    fn send(&mut self) -> std::io::Result<()> {
        if self.piece.is_empty() {
            return Ok(());
        }
        let piece = std::mem::replace(&mut self.piece, Vec::with_capacity(PIECE));
        self.sender
            .blocking_send(Ok(Bytes::from(piece)))
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))
    }
}

impl Write for Pieces {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.piece.extend_from_slice(buf);
        if self.piece.len() >= PIECE {
            self.send()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}
