//! Excerpts and suggestions.

use super::fixture;
use super::{q, rank};

#[test]
fn snippets_mark_accented_words_for_folded_queries() {
    let response = q("le dai hanh");
    let hit = &response.hits[rank(&response, "co-do-hoa-lu")];
    let snippet = hit.snippet.as_deref().unwrap();
    assert!(
        snippet.contains("<mark>Lê</mark> <mark>Đại</mark> <mark>Hành</mark>"),
        "{snippet}"
    );
}

#[test]
fn snippets_escape_html_in_the_text() {
    let response = q("Lý Ông Trọng");
    let snippet = response.hits[rank(&response, "dinh-chem")]
        .snippet
        .as_deref()
        .unwrap();
    assert!(
        snippet.contains("&lt;script&gt;") && !snippet.contains("<script"),
        "{snippet}"
    );
    assert!(
        snippet.contains("&amp;") || snippet.ends_with('…'),
        "{snippet}"
    );
    assert_eq!(
        snippet.matches("<mark>").count(),
        snippet.matches("</mark>").count()
    );
    // Without a query word in the text, the excerpt is the start of the summary.
    let response = q("Hưng Vương");
    let hit = &response.hits[rank(&response, "den-hung")];
    assert!(
        hit.snippet.as_deref().unwrap().starts_with("Nơi thờ"),
        "{:?}",
        hit.snippet
    );
}

#[test]
fn snippets_come_from_the_description_as_plain_text() {
    let response = q("huong tich");
    let snippet = response.hits[rank(&response, "chua-huong")]
        .snippet
        .as_deref()
        .unwrap();
    assert!(
        snippet.contains("<mark>Hương</mark> <mark>Tích</mark>"),
        "{snippet}"
    );
    assert!(
        !snippet.contains("**") && !snippet.contains("wikipedia"),
        "{snippet}"
    );
}

fn suggest(text: &str) -> Vec<String> {
    let response = fixture::index().suggest(text, 5).unwrap();
    response.suggestions.into_iter().map(|s| s.id).collect()
}

#[test]
fn suggestions_complete_the_last_syllable_without_accents() {
    assert_eq!(suggest("chua mot c")[0], "chua-mot-cot");
    assert_eq!(suggest("Chùa Một C")[0], "chua-mot-cot");
    assert_eq!(suggest("hoang th")[0], "hoang-thanh-thang-long");
    assert_eq!(suggest("den hu")[0], "den-hung");
    assert!(suggest("den h").contains(&"den-hung".to_string()));
    // Another name counts too.
    assert_eq!(suggest("dien huu")[0], "chua-mot-cot");
    // A finished word does not stand for longer ones.
    assert!(suggest("pho ").iter().all(|id| id == "chua-pho-minh"));
    assert!(suggest("").is_empty());
    assert!(suggest("🏯").is_empty());
    assert!(suggest("xyzzy").is_empty());
    let first = &fixture::index().suggest("phu d", 3).unwrap().suggestions[0];
    assert_eq!(
        (first.name.as_str(), first.province.as_deref()),
        ("Phủ Dầy", Some("Ninh Bình"))
    );
}
