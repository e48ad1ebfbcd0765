//! Any text a person (or a bot) can send is answered or refused, never a panic.

use unicode_normalization::UnicodeNormalization;

use super::fixture;
use crate::search::{QueryError, SearchRequest, Sort};

/// Pieces that stress parsers and analyzers.
const PIECES: &[&str] = &[
    "\"",
    "(",
    ")",
    ":",
    "^",
    "*",
    "-",
    "+",
    "~",
    "?",
    "\\",
    "/",
    "[",
    "]",
    "{",
    "}",
    "!",
    "&&",
    "||",
    "AND",
    "OR",
    "NOT",
    "IN",
    " ",
    "\t",
    "\n",
    "\u{0}",
    "\u{300}",
    "\u{301}",
    "\u{323}",
    "\u{200b}",
    "\u{feff}",
    "\u{202e}",
    "🏯",
    "👨‍👩‍👧",
    "🇻🇳",
    "漢字",
    "한국어",
    "العربية",
    "ไทย",
    "Đ",
    "đ",
    "ư",
    "ơ",
    "Hà",
    "Nội",
    "chùa",
    "den",
    "tran",
    "nguyen",
    "a",
    "1e308",
    "-0",
    "NaN",
    "'",
    "%",
    "%00",
    "<script>",
    "&amp;",
    "\u{10ffff}",
    "ǅ",
    "ß",
    "İ",
    "ﬃ",
];

fn random_char(rng: &mut fastrand::Rng) -> char {
    match rng.u8(0..4) {
        0 => rng.char('\u{20}'..='\u{7e}'),
        1 => rng.char('\u{c0}'..='\u{1ef9}'),
        2 => rng.char('\u{300}'..='\u{36f}'),
        _ => rng.char(..),
    }
}

fn random_text(rng: &mut fastrand::Rng) -> String {
    let mut text = String::new();
    for _ in 0..rng.usize(0..12) {
        if rng.bool() {
            text.push_str(PIECES[rng.usize(..PIECES.len())]);
        } else {
            for _ in 0..rng.usize(1..8) {
                text.push(random_char(rng));
            }
        }
    }
    match rng.u8(0..10) {
        0 => text.nfd().collect(),
        1 => text
            .repeat(rng.usize(1..2000))
            .chars()
            .take(10_240)
            .collect(),
        _ => text,
    }
}

#[test]
fn ten_thousand_strings_never_panic() {
    let index = fixture::index();
    let mut rng = fastrand::Rng::with_seed(0x00d1_5a11);
    let (mut answered, mut refused) = (0, 0);
    for i in 0..10_000 {
        let text = random_text(&mut rng);
        let mut request = SearchRequest::text(text.clone());
        request.limit = rng.usize(0..=100);
        if i % 3 == 0 {
            request.near = Some((rng.f64() * 180.0 - 90.0, rng.f64() * 360.0 - 180.0));
            request.radius_km = rng.bool().then(|| rng.f64() * 3000.0 + 0.001);
            request.sort = rng.bool().then_some(Sort::Distance);
        }
        if i % 5 == 0 {
            request.province = vec![random_text(&mut rng)];
            request.type_ = vec![random_text(&mut rng)];
        }
        match index.search(&request) {
            Ok(response) => {
                answered += 1;
                assert!(response.hits.len() <= request.limit);
                for hit in &response.hits {
                    if let Some(snippet) = &hit.snippet {
                        assert!(!snippet.contains("<script"), "{text:?}: {snippet}");
                    }
                }
            }
            Err(QueryError::Index(e)) => panic!("{text:?}: index error {e}"),
            Err(_) => refused += 1,
        }
        let _ = index.suggest(&text, rng.usize(0..30));
        let pairs = [
            ("q", text.as_str()),
            ("near", &random_text(&mut rng)),
            ("limit", &random_text(&mut rng)),
        ];
        let _ = SearchRequest::from_pairs(pairs);
    }
    assert!(answered > 8_000, "{answered} answered, {refused} refused");
}
