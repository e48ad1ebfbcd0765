//! A site's description as visitors read it: the record's Markdown, rendered once to sanitised
//! HTML when the site is published and kept as a derived file, so a page view only reads it.
//!
//! Rendering is where hostile text costs most. The Markdown parser is linear, but the HTML
//! sanitiser rebuilds the element tree, and tens of thousands of nested quotes or lists cost it
//! time that grows with the square of the depth. [`render`] therefore flattens anything nested
//! deeper than [`MAX_DEPTH`] (its text is kept, its extra containers are not) before sanitising.
//!
//! Publication writes the result — ingest for every indexed site, the moderation publisher after
//! an approval or a revert — as `index/descriptions/<shard>/<record hash>.json`
//! ([`IndexLayout::description`]): named by the hash of the `site.json` bytes, so a changed
//! record gets a new file and an unchanged one is never rendered again. Like every derived file
//! it can be deleted; [`ensure`] renders a missing one again.

use serde::{Deserialize, Serialize};

use crate::archive::write_atomic;
use crate::layout::IndexLayout;
use crate::record::SiteRecord;

/// Deepest nesting of blocks and inline elements kept (quotes, lists, emphasis, links).
/// Real descriptions nest two or three levels; beyond this only the text is kept.
pub const MAX_DEPTH: usize = 12;

/// Markdown to sanitised HTML: nesting capped at [`MAX_DEPTH`], raw HTML and unsafe links
/// removed by ammonia, links marked `nofollow`. Time and memory grow linearly with the text.
pub fn render(markdown: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser};
    let parser = Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH);
    // For each open tag: whether it was kept (only the first MAX_DEPTH levels are).
    let mut open: Vec<bool> = Vec::new();
    let mut kept_depth = 0usize;
    let capped = parser.filter_map(|event| match event {
        Event::Start(tag) => {
            let keep = kept_depth < MAX_DEPTH;
            open.push(keep);
            if keep {
                kept_depth += 1;
                Some(Event::Start(tag))
            } else {
                None
            }
        }
        Event::End(tag) => {
            if open.pop().unwrap_or(false) {
                kept_depth -= 1;
                Some(Event::End(tag))
            } else {
                None
            }
        }
        other => Some(other),
    });
    let mut html = String::with_capacity(markdown.len() * 5 / 4);
    pulldown_cmark::html::push_html(&mut html, capped);
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&html)
        .to_string()
}

/// The rendered descriptions of one version of a record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Rendered {
    /// The Vietnamese description (`description`).
    pub vi: Option<String>,
    /// The English one (`description_en`), when the record has one.
    pub en: Option<String>,
}

impl Rendered {
    /// Renders both descriptions of `record`.
    pub fn of(record: &SiteRecord) -> Rendered {
        let some =
            |text: &Option<String>| text.as_deref().filter(|t| !t.trim().is_empty()).map(render);
        Rendered {
            vi: some(&record.description),
            en: some(&record.description_en),
        }
    }

    /// Whether there is nothing to show.
    pub fn is_empty(&self) -> bool {
        self.vi.is_none() && self.en.is_none()
    }
}

/// The stored rendering of the record whose `site.json` hashes to `record_hash`, if any.
pub fn read(index: &IndexLayout, record_hash: &str) -> Option<Rendered> {
    let bytes = std::fs::read(index.description(record_hash)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Stores a rendering, atomically.
pub fn write(index: &IndexLayout, record_hash: &str, rendered: &Rendered) -> std::io::Result<()> {
    let bytes = serde_json::to_vec(rendered).expect("rendered descriptions serialise");
    write_atomic(&index.description(record_hash), &bytes)
}

/// The stored rendering, or a new one rendered and stored now (a derived file deleted by hand,
/// or an index made before descriptions were stored). A store that fails is only logged: the
/// page can still be shown, and the next publication writes the file again.
pub fn ensure(index: &IndexLayout, record_hash: &str, record: &SiteRecord) -> Rendered {
    if let Some(rendered) = read(index, record_hash) {
        return rendered;
    }
    let rendered = Rendered::of(record);
    if let Err(err) = write(index, record_hash, &rendered) {
        tracing::warn!(
            "{}: the rendered description could not be stored: {err}",
            index.description(record_hash).display()
        );
    }
    rendered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_sanitised() {
        let html = render(
            "**Đền** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>",
        );
        assert!(html.contains("<strong>Đền</strong>"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
    }

    /// Finding: tens of thousands of nested quotes made each page view cost seconds. The cap
    /// keeps the output's nesting at MAX_DEPTH, whatever the input's, and keeps the text.
    #[test]
    fn deep_nesting_is_flattened_and_the_text_kept() {
        for unit in ["> ", "- ", "1. ", "* > "] {
            let text = format!("{}deep text", unit.repeat(20_000));
            let html = render(&text);
            assert!(html.contains("deep text"), "{unit:?}");
            let depth = max_depth(&html);
            assert!(
                depth <= MAX_DEPTH,
                "{unit:?}: nesting {depth} in the output"
            );
        }
        // Ordinary nesting is untouched.
        assert_eq!(
            render("> quoted\n> - item **bold**"),
            "<blockquote>\n<p>quoted</p>\n<ul>\n<li>item <strong>bold</strong></li>\n</ul>\n</blockquote>\n"
        );
    }

    /// The deepest element nesting of an HTML fragment (void elements do not nest).
    fn max_depth(html: &str) -> usize {
        let (mut depth, mut most) = (0usize, 0usize);
        for part in html.split('<').skip(1) {
            if part.starts_with('/') {
                depth = depth.saturating_sub(1);
            } else if !part.starts_with("br") && !part.starts_with("hr") && !part.starts_with("img")
            {
                depth += 1;
                most = most.max(depth);
            }
        }
        most
    }

    #[test]
    fn stored_by_record_hash_and_rendered_again_when_missing() {
        let dir = tempfile::tempdir().unwrap();
        let index = IndexLayout::new(dir.path());
        let mut record = SiteRecord::new("den-x", "Đền X", chrono::Utc::now());
        record.description = Some("*Một* đền".into());
        assert_eq!(read(&index, "ab12"), None);
        let first = ensure(&index, "ab12", &record);
        assert_eq!(first.vi.as_deref(), Some("<p><em>Một</em> đền</p>\n"));
        assert_eq!(first.en, None);
        assert!(index.description("ab12").is_file());
        // Once stored, the file is what counts (the record is not read again).
        record.description = Some("changed".into());
        assert_eq!(ensure(&index, "ab12", &record), first);
    }
}
