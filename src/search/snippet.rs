//! Excerpts for the result list: the part of a site's summary (or else its description) where
//! the query's words are densest, HTML-escaped, with each match in `<mark>`.
//!
//! Matching is done on the folded form so that `den tran` highlights "Đền Trần", while the
//! excerpt itself is always cut from the original, accented text: the folded analyzer reports
//! offsets into the text it was given, and folding never changes where a word starts or ends.

use std::collections::BTreeMap;

use tantivy::snippet::{Snippet, SnippetGenerator};

use super::analyzer::Analyzers;
use super::query::QueryWords;
use super::schema::SiteSchema;

/// Longest lead excerpt, in characters.
const MAX_CHARS: usize = 180;
/// Longest highlighted excerpt; tantivy counts it in UTF-8 bytes, and Vietnamese averages
/// about 1.4 bytes a character.
const MAX_FRAGMENT_BYTES: usize = 240;

/// Builds excerpts for one query.
pub(crate) struct Highlighter {
    generator: Option<SnippetGenerator>,
    /// How many words the query has: an excerpt marking that many needs no better one.
    words: usize,
}

impl Highlighter {
    pub fn new(analyzers: &Analyzers, schema: &SiteSchema, words: &QueryWords) -> Highlighter {
        let terms: BTreeMap<String, f32> = words.folded.iter().map(|w| (w.clone(), 1.0)).collect();
        let generator = (!terms.is_empty()).then(|| {
            SnippetGenerator::new(
                terms,
                analyzers.folded.clone(),
                schema.summary_fold,
                MAX_FRAGMENT_BYTES,
            )
        });
        Highlighter {
            generator,
            words: words.folded.len(),
        }
    }

    /// The excerpt for a site: the highlighted passage of the summary or the description that
    /// marks more words, or the start of the summary when neither contains a query word.
    pub fn excerpt(&self, summary: Option<&str>, description: Option<&str>) -> Option<String> {
        if let Some(generator) = &self.generator {
            // The summary unless the description matches more of the words.
            let mut best: Option<(usize, String)> = None;
            for text in [summary, description].into_iter().flatten() {
                let snippet = generator.snippet(text);
                let marks = snippet.highlighted().len();
                if marks > best.as_ref().map_or(0, |b| b.0) {
                    best = Some((marks, to_html(&snippet, text.len())));
                }
                if marks >= self.words {
                    break;
                }
            }
            if let Some((_, html)) = best {
                return Some(html);
            }
        }
        let text = summary.or(description)?.trim();
        (!text.is_empty()).then(|| lead(text))
    }
}

/// The fragment with `<mark>`s, and an ellipsis where text was cut.
fn to_html(snippet: &Snippet, text_len: usize) -> String {
    let fragment = snippet.fragment();
    let range = snippet.fragment_range();
    let mut html = String::with_capacity(fragment.len() + 32);
    if range.start > 0 {
        html.push('…');
    }
    let mut at = 0;
    for mark in snippet.highlighted() {
        // Ranges come from the analyzer over this very text, so they sit on char boundaries;
        // `get` keeps a malformed range from panicking all the same.
        let (Some(before), Some(word)) = (fragment.get(at..mark.start), fragment.get(mark.clone()))
        else {
            continue;
        };
        escape_into(before, &mut html);
        html.push_str("<mark>");
        escape_into(word, &mut html);
        html.push_str("</mark>");
        at = mark.end;
    }
    escape_into(fragment.get(at..).unwrap_or(""), &mut html);
    if range.end < text_len {
        html.push('…');
    }
    html
}

/// The first [`MAX_CHARS`] characters of `text`, cut at a space, escaped.
fn lead(text: &str) -> String {
    let mut html = String::new();
    match text.char_indices().nth(MAX_CHARS) {
        None => escape_into(text, &mut html),
        Some((cut, _)) => {
            let cut = text[..cut]
                .rfind(char::is_whitespace)
                .filter(|&i| i > 0)
                .unwrap_or(cut);
            escape_into(text[..cut].trim_end(), &mut html);
            html.push('…');
        }
    }
    html
}

/// Escapes the five characters that are special in HTML text and attributes.
pub fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn highlighter(q: &str) -> Highlighter {
        let analyzers = Analyzers::default();
        let schema = SiteSchema::build();
        Highlighter::new(&analyzers, &schema, &QueryWords::analyze(&analyzers, q))
    }

    #[test]
    fn folded_query_marks_accented_words() {
        let h = highlighter("den tran");
        let html = h
            .excerpt(Some("Khu Đền Trần thờ các vua <Trần>."), None)
            .unwrap();
        assert_eq!(
            html,
            "Khu <mark>Đền</mark> <mark>Trần</mark> thờ các vua &lt;<mark>Trần</mark>…"
        );
    }

    #[test]
    fn falls_back_to_the_description_then_to_the_lead() {
        let h = highlighter("Lê");
        let html = h
            .excerpt(Some("Không có."), Some("Thờ vua Lê Đại Hành"))
            .unwrap();
        assert!(html.contains("<mark>Lê</mark>"), "{html}");
        let long = "chữ ".repeat(100);
        let html = h.excerpt(Some(&long), None).unwrap();
        assert!(
            html.ends_with('…') && html.chars().count() <= MAX_CHARS + 1,
            "{html}"
        );
        assert_eq!(
            highlighter("")
                .excerpt(Some("<script>x</script>"), None)
                .unwrap(),
            "&lt;script&gt;x&lt;/script&gt;"
        );
        assert_eq!(h.excerpt(None, None), None);
    }
}
