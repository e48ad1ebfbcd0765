//! "Cite this page": a site page as a reference, in APA style for people and BibTeX, CSL-JSON
//! and RIS for reference managers (Zotero imports the last two). The author is the archive
//! itself (a group author, as APA does for wikis and databases) and the date is the record's
//! last update. A search and the whole data set are cited the same way, as data sets.

use chrono::Datelike;

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

/// CSL-JSON (the Citation Style Language's data format), a list of one item.
pub fn csl_json(record: &SiteRecord, url: &str) -> serde_json::Value {
    let date = record.updated.or(record.created);
    let mut item = serde_json::json!({
        "id": format!("disan-{}", record.id),
        "type": "webpage",
        "title": record.name,
        "container-title": AUTHOR,
        "publisher": AUTHOR,
        "author": [{"literal": AUTHOR}],
        "URL": url,
        "language": "vi",
    });
    if let Some(d) = date {
        item["issued"] = serde_json::json!({"date-parts": [[d.year(), d.month(), d.day()]]});
    }
    if let Some(summary) = &record.summary {
        item["abstract"] = serde_json::json!(summary);
    }
    if let Some(name_en) = &record.name_en {
        item["title-short"] = serde_json::json!(name_en);
    }
    serde_json::json!([item])
}

/// RIS, the tagged format every reference manager reads: one `ELEC` (web page) record.
pub fn ris(record: &SiteRecord, url: &str) -> String {
    let mut lines = vec![
        ("TY", "ELEC".to_owned()),
        ("TI", record.name.clone()),
        ("AU", AUTHOR.to_owned()),
        ("T2", AUTHOR.to_owned()),
        ("PB", AUTHOR.to_owned()),
    ];
    if let Some(d) = record.updated.or(record.created) {
        lines.push(("PY", d.format("%Y").to_string()));
        lines.push(("DA", d.format("%Y/%m/%d").to_string()));
    }
    if let Some(en) = &record.name_en {
        lines.push(("TT", en.clone()));
    }
    if let Some(summary) = &record.summary {
        lines.push(("AB", summary.clone()));
    }
    lines.push(("LA", "vi".to_owned()));
    lines.push(("UR", url.to_owned()));
    lines.push(("ER", String::new()));
    let mut text = String::new();
    for (tag, value) in lines {
        // A RIS value is one line; a tag line ends with CRLF as the format specifies.
        let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
        text.push_str(&format!("{tag}  - {value}\r\n"));
    }
    text
}

/// "Cite this search" in APA style: the archive as a data set, the search as its title.
pub fn search_apa(
    title: &str,
    url: &str,
    date: chrono::DateTime<chrono::Utc>,
    lang: Lang,
) -> String {
    let (when, kind) = match lang {
        Lang::En => (date.format("%Y, %B %-d").to_string(), "Data set"),
        Lang::Vi => (
            date.format("%Y, ngày %-d tháng %-m").to_string(),
            "Tập dữ liệu",
        ),
    };
    format!("{AUTHOR}. ({when}). {title} [{kind}]. {url}")
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
        let csl = csl_json(&r, "https://x/sites/den-thai-vi");
        assert_eq!(
            csl[0]["issued"]["date-parts"][0],
            serde_json::json!([2026, 11, 29])
        );
        let ris = ris(&r, "https://x/sites/den-thai-vi");
        assert!(
            ris.starts_with("TY  - ELEC\r\nTI  - Đền Thái Vi & 100%\r\n"),
            "{ris}"
        );
        assert!(
            ris.ends_with("UR  - https://x/sites/den-thai-vi\r\nER  - \r\n"),
            "{ris}"
        );
        assert_eq!(
            search_apa("Tìm “đền”", "https://x/search?q=đền", when, Lang::Vi),
            "Disan. (2026, ngày 29 tháng 11). Tìm “đền” [Tập dữ liệu]. https://x/search?q=đền"
        );
    }
}
