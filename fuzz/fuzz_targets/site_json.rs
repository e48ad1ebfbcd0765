//! `site.json` as `disan check`, ingest and the walk read it: parse, then the record's rules.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(record) = disan::record::SiteRecord::from_json(text) {
        let _ = disan::record::validate(&record);
        let _ = record.short_code();
        // What is written back must read back.
        let again = disan::record::SiteRecord::from_json(&record.to_json()).expect("round trip");
        assert_eq!(again.id, record.id);
    }
});
