//! XML as the open formats need it (GPX, KML, OAI-PMH): quick-xml writes and escapes, and text
//! from records is first cleared of the characters XML 1.0 forbids. A record may hold a stray
//! control character pasted from a word processor; one such byte would make a whole harvest
//! or download unreadable to every strict parser.

use std::borrow::Cow;
use std::io::Write;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

/// `text` without the characters XML 1.0 does not allow (C0 controls other than tab and line
/// breaks, U+FFFE and U+FFFF).
pub fn clean(text: &str) -> Cow<'_, str> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
    };
    if text.chars().all(allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|&c| allowed(c)).collect())
    }
}

/// The XML declaration.
pub fn declaration<W: Write>(writer: &mut Writer<W>) -> std::io::Result<()> {
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    writer.get_mut().write_all(b"\n")
}

/// `<name>text</name>`, with the text cleaned and escaped.
pub fn element<W: Write>(writer: &mut Writer<W>, name: &str, text: &str) -> std::io::Result<()> {
    writer
        .create_element(name)
        .write_text_content(BytesText::new(&clean(text)))?;
    Ok(())
}

/// `<name attr="value"…>text</name>`.
pub fn element_with<W: Write>(
    writer: &mut Writer<W>,
    name: &str,
    attributes: &[(&str, &str)],
    text: &str,
) -> std::io::Result<()> {
    let cleaned: Vec<(&str, Cow<'_, str>)> =
        attributes.iter().map(|(k, v)| (*k, clean(v))).collect();
    writer
        .create_element(name)
        .with_attributes(cleaned.iter().map(|(k, v)| (*k, v.as_ref())))
        .write_text_content(BytesText::new(&clean(text)))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_go_and_the_rest_is_escaped() {
        assert_eq!(clean("Đền \u{0B}Thái\u{0} Vi"), "Đền Thái Vi");
        assert!(matches!(clean("a\tb\nc"), Cow::Borrowed(_)));
        let mut writer = Writer::new(Vec::new());
        element_with(
            &mut writer,
            "a",
            &[("href", "x?a=1&b=\"2\"")],
            "<Đền & \u{1}chùa>",
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(writer.into_inner()).unwrap(),
            "<a href=\"x?a=1&amp;b=&quot;2&quot;\">&lt;Đền &amp; chùa&gt;</a>"
        );
    }
}
