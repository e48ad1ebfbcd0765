//! The photo form without JavaScript: a `multipart/form-data` body, split into parts and read
//! to the end as the upload handler reads it. The first line of the input is the boundary.
#![no_main]
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::web::Bytes;
use futures_util::StreamExt;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (boundary, body) = match data.iter().position(|&b| b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (&b"xYzZY"[..], data),
    };
    let Ok(boundary) = std::str::from_utf8(boundary) else {
        return;
    };
    let mut headers = HeaderMap::new();
    let Ok(value) = HeaderValue::from_str(&format!("multipart/form-data; boundary={boundary}"))
    else {
        return;
    };
    headers.insert(header::CONTENT_TYPE, value);
    let body = Bytes::copy_from_slice(body);
    actix_rt::System::new().block_on(async move {
        // In pieces, as a network delivers them.
        let pieces: Vec<Result<Bytes, actix_web::error::PayloadError>> = body
            .chunks(97)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let mut form = actix_multipart::Multipart::new(&headers, futures_util::stream::iter(pieces));
        while let Some(Ok(mut field)) = form.next().await {
            let _ = field.content_disposition().and_then(|cd| cd.get_filename());
            let _ = field.name();
            while let Some(Ok(_bytes)) = field.next().await {}
        }
    });
});
