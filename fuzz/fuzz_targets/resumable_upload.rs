//! The resumable protocol: a declaration body, then chunks at offsets (each from a query
//! string), against a real inbox in a temporary folder. The photo at the end is validated
//! like any upload.
#![no_main]
use disan::archive::inbox::{Inbox, Proposal, is_valid_upload_id};
use disan::web::contribute::uploads::{parse_declaration, parse_offset};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // declaration \0 query \0 chunk \0 query \0 chunk …
    let mut parts = data.split(|&b| b == 0);
    let Some((declared, share)) = parse_declaration(parts.next().unwrap_or_default()) else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temporary folder");
    let inbox = Inbox::new(&disan::layout::ArchiveLayout::new(dir.path()));
    let now = chrono::Utc::now();
    let record = disan::record::SiteRecord::new("", "Đình Thử", now);
    let Ok(submission) = inbox.submit("lan", Proposal::NewSite { record }, now) else {
        return;
    };
    let Ok(status) = inbox.declare_upload(&submission.id, "lan", declared, now) else {
        return;
    };
    assert!(is_valid_upload_id(&status.upload));
    let _ = inbox.set_upload_position_shared(&submission.id, "lan", &status.upload, share);
    while let (Some(query), Some(chunk)) = (parts.next(), parts.next()) {
        let Some(offset) = parse_offset(&String::from_utf8_lossy(query)) else {
            continue;
        };
        let Ok(mut upload) = inbox.resume_upload(&submission.id, "lan", &status.upload, offset)
        else {
            continue;
        };
        let _ = upload.write(chunk);
        let _ = inbox.finish_upload(upload, now);
    }
    let _ = inbox.upload_status(&submission.id, "lan", &status.upload);
});
