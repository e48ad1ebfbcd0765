//! The record → document mapping: how one [`SiteRecord`] becomes one tantivy document.
//!
//! Everything the index holds comes from the record plus a few facts only the caller knows
//! ([`DocumentExtras`]: photo derivatives and historic place names from the administrative
//! units). All text is brought to NFC here, so stored text and the analyzers' offsets agree and
//! snippets can be cut from the stored text. Descriptions are Markdown; their plain text is
//! indexed and stored, so snippets do not show `**` or link targets.

use tantivy::schema::{Field, Value};
use tantivy::{DateTime, TantivyDocument};

use super::analyzer::{Analyzers, tokens};
use super::listing::{datestamp, set_specs};
use super::query::province_key;
use super::schema::SiteSchema;
use crate::fold::nfc;
use crate::record::{Level, SiteRecord};

/// What the caller adds to a record when indexing it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocumentExtras {
    /// Photos with usable derivatives (may differ from `record.photos.len()`).
    pub photo_count: u32,
    /// URL or path of the result-list thumbnail, if the site has one.
    pub thumbnail: Option<String>,
    /// A CSS colour shown while the thumbnail loads, or instead of it.
    pub placeholder: Option<String>,
    /// More names of the site's place to make searchable and filterable, such as historic
    /// provinces ("Hà Tây") that the administrative-units table knows for its commune.
    pub extra_place_names: Vec<String>,
    /// The site's folder relative to the archive root (`ninh-binh/den-thai-vi`).
    pub folder: Option<String>,
}

/// The document for one site.
pub fn site_document(
    schema: &SiteSchema,
    analyzers: &Analyzers,
    record: &SiteRecord,
    extras: &DocumentExtras,
) -> TantivyDocument {
    let s = schema;
    let mut doc = TantivyDocument::default();
    let both = |doc: &mut TantivyDocument, exact: Field, folded: Field, text: &str| {
        let text = nfc(text);
        if !text.trim().is_empty() {
            doc.add_text(exact, &text);
            doc.add_text(folded, &text);
        }
    };
    doc.add_text(s.id, &record.id);

    let name = nfc(&record.name);
    doc.add_text(s.name, &name);
    doc.add_text(s.name_fold, &name);
    let mut exact = analyzers.exact.clone();
    let mut folded = analyzers.folded.clone();
    for whole in std::iter::once(&record.name).chain(&record.alt_names) {
        let words = tokens(&mut exact, whole);
        if !words.is_empty() {
            doc.add_text(s.name_whole, words.join(" "));
            doc.add_text(s.name_whole_fold, tokens(&mut folded, whole).join(" "));
        }
    }
    if let Some(name_en) = &record.name_en {
        doc.add_text(s.name_en, nfc(name_en));
    }
    for alt in &record.alt_names {
        both(&mut doc, s.alt_names, s.alt_names_fold, alt);
    }
    for person in &record.people {
        both(&mut doc, s.people, s.people_fold, person);
    }

    if let Some(site_type) = &record.site_type {
        both(
            &mut doc,
            s.type_text,
            s.type_text_fold,
            site_type.label_vi(),
        );
        doc.add_text(s.site_type, nfc(site_type.code()));
        doc.add_text(s.type_label, nfc(site_type.label_vi()));
        doc.add_text(s.type_label_en, nfc(site_type.label_en()));
        doc.add_text(s.text_en, nfc(site_type.label_en()));
    }
    doc.add_text(s.level, record.level.code());
    both(&mut doc, s.other, s.other_fold, record.level.label_vi());
    doc.add_text(s.text_en, record.level.label_en());
    for category in &record.category {
        doc.add_text(s.category, category.code());
        both(&mut doc, s.other, s.other_fold, category.label_vi());
        doc.add_text(s.text_en, category.label_en());
    }

    add_place(&mut doc, s, record, extras);

    if let Some(summary) = &record.summary {
        both(&mut doc, s.summary, s.summary_fold, summary);
    }
    if let Some(description) = &record.description {
        let plain = nfc(&plain_text(description));
        both(&mut doc, s.description, s.description_fold, &plain);
        doc.add_text(s.description_pairs, &plain);
        doc.add_text(s.description_start, cut(&plain, STORED_DESCRIPTION_BYTES));
    }
    for text_en in [&record.summary_en, &record.description_en]
        .into_iter()
        .flatten()
    {
        doc.add_text(s.text_en, nfc(&plain_text(text_en)));
    }
    if let Some(period) = &record.period {
        if let Some(text) = &period.text {
            both(&mut doc, s.other, s.other_fold, text);
        }
        if let Some(year) = period.start_year {
            doc.add_i64(s.year_start, i64::from(year));
        }
        if let Some(year) = period.end_year {
            doc.add_i64(s.year_end, i64::from(year));
        }
    }
    for event in &record.events {
        both(
            &mut doc,
            s.other,
            s.other_fold,
            &format!("{} {}", event.date, event.text),
        );
        if let Some(text_en) = &event.text_en {
            doc.add_text(s.text_en, nfc(text_en));
        }
    }
    for tag in &record.tags {
        both(&mut doc, s.other, s.other_fold, tag);
    }
    if let Some(year) = record.year_recognized {
        doc.add_i64(s.year_recognized, i64::from(year));
    }
    if let Some(updated) = record.updated {
        doc.add_date(
            s.updated,
            DateTime::from_timestamp_secs(updated.timestamp()),
        );
    }
    doc.add_i64(s.datestamp, datestamp(record));
    for set in set_specs(record) {
        doc.add_text(s.sets, set);
    }
    for former in &record.former_ids {
        doc.add_text(s.former_ids, former);
    }
    if let Some(folder) = &extras.folder {
        doc.add_text(s.folder, folder);
    }

    // Each value of a folded short text also goes to its pairs twin, value by value.
    for (folded, pairs) in s.short_pairs() {
        let values: Vec<String> = doc
            .get_all(folded)
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        for value in values {
            doc.add_text(pairs, value);
        }
    }

    doc.add_bool(s.red_address, record.red_address);
    doc.add_bool(s.has_photos, extras.photo_count > 0);
    doc.add_u64(s.photo_count, u64::from(extras.photo_count));
    doc.add_u64(s.prior, prior(record.level, extras.photo_count > 0));
    if let Some(thumbnail) = &extras.thumbnail {
        doc.add_text(s.thumbnail, thumbnail);
    }
    if let Some(placeholder) = &extras.placeholder {
        doc.add_text(s.placeholder, placeholder);
    }
    doc
}

fn add_place(
    doc: &mut TantivyDocument,
    s: &SiteSchema,
    record: &SiteRecord,
    extras: &DocumentExtras,
) {
    let location = &record.location;
    let legacy = &location.legacy;
    let places = [
        &location.address,
        &location.commune,
        &location.province,
        &legacy.province,
        &legacy.district,
        &legacy.commune,
    ];
    for place in places
        .into_iter()
        .flatten()
        .chain(&extras.extra_place_names)
    {
        let place = nfc(place);
        if !place.trim().is_empty() {
            doc.add_text(s.place, &place);
            doc.add_text(s.place_fold, &place);
        }
    }
    let current = location
        .province
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let old = legacy
        .province
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    if let Some(display) = current.or(old) {
        doc.add_text(s.province, nfc(display));
    }
    if let Some(old) = old {
        doc.add_text(s.province_legacy, nfc(old));
    }
    let mut keys: Vec<String> = current
        .into_iter()
        .chain(old)
        .chain(extras.extra_place_names.iter().map(String::as_str))
        .map(province_key)
        .filter(|k| !k.is_empty())
        .collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        doc.add_text(s.province_key, key);
    }
    if let (Some(lat), Some(lon)) = (location.lat, location.lon)
        && lat.is_finite()
        && lon.is_finite()
    {
        doc.add_f64(s.lat, lat);
        doc.add_f64(s.lon, lon);
    }
}

/// How much of a description is stored for excerpts (the whole text is indexed): about 2,800
/// Vietnamese characters. Reading and scanning whole descriptions of the longest records for
/// every hit measured as three quarters of the cost of a search.
pub const STORED_DESCRIPTION_BYTES: usize = 4 * 1024;

/// At most `max` bytes of `text`, cut at a character boundary.
fn cut(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Prominence between otherwise equal matches: ranked sites first, then those with photos.
fn prior(level: Level, has_photos: bool) -> u64 {
    let rank = match level {
        Level::WorldHeritage => 8,
        Level::SpecialNational => 6,
        Level::National => 4,
        Level::Provincial => 2,
        Level::Unranked | Level::Unknown => 0,
    };
    rank + u64::from(has_photos)
}

/// Markdown to the text a reader sees: link and image targets, emphasis marks, heading and
/// quote markers and HTML tags are dropped; words, punctuation and line breaks are kept.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for line in markdown.lines() {
        let line = line.trim_start();
        let line = line.trim_start_matches(['#', '>']).trim_start();
        let line = line
            .strip_prefix("- ")
            .or_else(|| line.strip_prefix("* "))
            .or_else(|| line.strip_prefix("+ "))
            .unwrap_or(line);
        strip_inline(line, &mut out);
        out.push('\n');
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

fn strip_inline(line: &str, out: &mut String) {
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '*' | '_' | '`' | '~' => {}
            '!' if line[i + 1..].starts_with('[') => {}
            '[' => {}
            ']' if line[i + 1..].starts_with('(') => {
                // Skip the link target up to its closing parenthesis.
                let rest = &line[i + 2..];
                let skip = rest.find(')').map_or(rest.len(), |end| end + 1);
                let stop = i + 2 + skip;
                while chars.peek().is_some_and(|&(j, _)| j < stop) {
                    chars.next();
                }
            }
            ']' => {}
            '<' if line[i + 1..].contains('>') => {
                let end = i + 1 + line[i + 1..].find('>').unwrap_or(0);
                while chars.peek().is_some_and(|&(j, _)| j <= end) {
                    chars.next();
                }
            }
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_plain_text() {
        let md = "## Lịch sử\n\nĐền được **xây** năm 1010, xem [bản đồ](https://x.vn/a-b).\n\
                  - một _hai_ ![ảnh](p.jpg) <br> a<b\n> trích";
        assert_eq!(
            plain_text(md),
            "Lịch sử\n\nĐền được xây năm 1010, xem bản đồ.\nmột hai ảnh  a<b\ntrích"
        );
        assert_eq!(plain_text(""), "");
    }

    #[test]
    fn prior_orders_levels() {
        assert!(prior(Level::SpecialNational, false) > prior(Level::National, true));
        assert_eq!(prior(Level::Unknown, false), 0);
    }
}
