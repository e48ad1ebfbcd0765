//! "Cite this page": a site page as a reference, in APA style for people and BibTeX for
//! reference managers. The author is the archive itself (a group author, as APA does for
//! wikis and databases) and the date is the record's last update.

use crate::record::SiteRecord;

use super::i18n::Lang;

const AUTHOR: &str = "Disan";

/// APA 7 style: `Disan. (2026, November 29). Đền Thái Vi. https://…`
pub fn apa(record: &SiteRecord, url: &str, lang: Lang) -> String {
    let date = record.updated.or(record.created);
    let when = match (date, lang) {
        (Some(d), Lang::En) => d.format("%Y, %B %-d").to_string(),
        (Some(d), Lang::Vi) => d.format("%Y, ngày %-d tháng %-m").to_string(),
        (None, Lang::En) => "n.d.".to_owned(),
        (None, Lang::Vi) => "không rõ năm".to_owned(),
    };
    let title = match lang {
        Lang::En => match &record.name_en {
            Some(en) => format!("{} [{en}]", record.name),
            None => record.name.clone(),
        },
        Lang::Vi => record.name.clone(),
    };
    format!("{AUTHOR}. ({when}). {title}. {url}")
}

/// A `@misc` entry keyed by the site id.
pub fn bibtex(record: &SiteRecord, url: &str) -> String {
    let date = record.updated.or(record.created);
    let mut entry = format!(
        "@misc{{disan-{id},\n  author = {{{{{AUTHOR}}}}},\n  title = {{{title}}},\n",
        id = record.id,
        title = escape(&record.name),
    );
    if let Some(d) = date {
        entry.push_str(&format!(
            "  year = {{{}}},\n  month = {{{}}},\n  note = {{Last updated {}}},\n",
            d.format("%Y"),
            d.format("%b").to_string().to_lowercase(),
            d.format("%Y-%m-%d")
        ));
    }
    entry.push_str(&format!("  url = {{{url}}}\n}}"));
    entry
}

/// Escapes the characters BibTeX treats specially; Vietnamese letters stay as UTF-8, which
/// biber and modern BibTeX read.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '{' | '}' | '%' | '&' | '#' | '_' | '$' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn apa_and_bibtex() {
        let when = chrono::Utc.with_ymd_and_hms(2026, 11, 29, 0, 0, 0).unwrap();
        let mut r = SiteRecord::new("den-thai-vi", "Đền Thái Vi & 100%", when);
        r.name_en = Some("Thai Vi Temple".into());
        let apa_en = apa(&r, "https://x/sites/den-thai-vi", Lang::En);
        assert_eq!(
            apa_en,
            "Disan. (2026, November 29). Đền Thái Vi & 100% [Thai Vi Temple]. https://x/sites/den-thai-vi"
        );
        assert!(apa(&r, "u", Lang::Vi).contains("2026, ngày 29 tháng 11"));
        let bib = bibtex(&r, "https://x/sites/den-thai-vi");
        assert!(bib.starts_with("@misc{disan-den-thai-vi,"), "{bib}");
        assert!(bib.contains("title = {Đền Thái Vi \\& 100\\%}"), "{bib}");
        assert!(bib.contains("author = {{Disan}}"), "{bib}");
        assert!(
            bib.ends_with("url = {https://x/sites/den-thai-vi}\n}"),
            "{bib}"
        );
    }
}
