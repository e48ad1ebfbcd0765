//! A description's Markdown, rendered as publication renders it: the output must stay
//! sanitised and its nesting capped, whatever the input (slow inputs are libFuzzer's timeouts).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let html = disan::description::render(text);
    assert!(!html.contains("<script"), "a script survived");
    let mut depth = 0usize;
    for part in html.split('<').skip(1) {
        if part.starts_with('/') {
            depth = depth.saturating_sub(1);
        } else if !["br", "hr", "img"].iter().any(|v| part.starts_with(v)) {
            depth += 1;
            assert!(depth <= disan::description::MAX_DEPTH + 1, "nesting {depth}");
        }
    }
});
