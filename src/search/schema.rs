//! The search index's schema: which facts of a site are searchable, filterable, sortable and
//! shown in a result list, and in which form.
//!
//! Names and texts are indexed twice, once with accents ([`super::analyzer::VI_EXACT`]) and
//! once folded ([`super::analyzer::VI_FOLDED`]) into a `…_fold` twin, so that an accent-free
//! query finds everything while an accented one ranks the exact spelling first. Filters and
//! facets use untokenized codes (`type`, `level`, `category`) with fast columns for counting;
//! the province filter uses folded keys of both the current and the pre-2025 province.
//! Coordinates are fast `f64` columns for bounding-box queries and distance sorting.
//!
//! Bump [`INDEX_SCHEMA_VERSION`] whenever a field, its options or an analyzer changes: an index
//! with another version is refused on open and rebuilt by `disan ingest`.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, SchemaBuilder,
    TextFieldIndexing, TextOptions,
};

use super::analyzer::{EN_STEM, VI_EXACT, VI_FOLDED, VI_PAIRS};

/// The version of the index layout; see the module documentation.
pub const INDEX_SCHEMA_VERSION: u32 = 3;

/// Every field of the index, by handle. Built once per index and shared by the document
/// mapping, the query builder and the result reader.
#[derive(Debug, Clone)]
pub struct SiteSchema {
    pub schema: Schema,
    /// The site id: stored, a raw term for deletes, a fast column for tie-breaking.
    pub id: Field,
    /// The Vietnamese name, stored for display.
    pub name: Field,
    pub name_fold: Field,
    /// The whole name (and each alternative name) as one untokenized term of its exact words,
    /// so that a query equal to a name can be found and ranked first.
    pub name_whole: Field,
    pub name_whole_fold: Field,
    pub name_en: Field,
    pub alt_names: Field,
    pub alt_names_fold: Field,
    pub people: Field,
    pub people_fold: Field,
    /// The type's Vietnamese label as searchable text ("Đền").
    pub type_text: Field,
    pub type_text_fold: Field,
    /// Address, commune, province, their pre-2025 names and historic names from the caller.
    pub place: Field,
    pub place_fold: Field,
    /// The summary, stored for snippets.
    pub summary: Field,
    pub summary_fold: Field,
    /// The description as plain text (Markdown marks removed).
    pub description: Field,
    pub description_fold: Field,
    /// Its neighbouring folded words as pairs ([`VI_PAIRS`]), without positions.
    pub description_pairs: Field,
    /// The same pairs of the short texts, each value on its own (a pair never joins the end
    /// of one person's name to the start of the next).
    pub name_pairs: Field,
    pub alt_names_pairs: Field,
    pub people_pairs: Field,
    pub place_pairs: Field,
    pub other_pairs: Field,
    /// The start of that plain text, stored for excerpts: reading a whole long description
    /// from the store for every hit would cost more than the rest of the search.
    pub description_start: Field,
    /// Period, events, tags, category and level labels.
    pub other: Field,
    pub other_fold: Field,
    /// English summary, description, events and labels.
    pub text_en: Field,
    /// Type code (`chua`, or the label of an unlisted type): filter, facet, stored.
    pub site_type: Field,
    pub type_label: Field,
    pub type_label_en: Field,
    pub level: Field,
    pub category: Field,
    /// Display name of the current province (the legacy one when the current is unknown).
    pub province: Field,
    pub province_legacy: Field,
    /// [`super::query::province_key`] of the current and the legacy province, for filtering.
    pub province_key: Field,
    pub red_address: Field,
    pub has_photos: Field,
    pub photo_count: Field,
    pub lat: Field,
    pub lon: Field,
    pub year_start: Field,
    pub year_end: Field,
    pub year_recognized: Field,
    pub updated: Field,
    /// A small prominence score (level, photos) that nudges ranking between equal matches.
    pub prior: Field,
    pub thumbnail: Field,
    pub placeholder: Field,
    /// The site's folder relative to the archive root, where its record is read for exports
    /// and harvests.
    pub folder: Field,
    /// The OAI-PMH sets the site belongs to ([`super::listing::set_specs`]).
    pub sets: Field,
    /// When the record last changed, in seconds: the harvesting datestamp and order.
    pub datestamp: Field,
    /// Ids the site had before a rename or a merge: harvested as deleted records.
    pub former_ids: Field,
}

/// Field names that are also read through fast columns by name.
pub(crate) mod names {
    pub const ID: &str = "id";
    pub const TYPE: &str = "type";
    pub const LEVEL: &str = "level";
    pub const CATEGORY: &str = "category";
    pub const PROVINCE: &str = "province";
    pub const LAT: &str = "lat";
    pub const LON: &str = "lon";
    pub const PRIOR: &str = "prior";
    pub const DATESTAMP: &str = "datestamp";
}

fn text(analyzer: &str, positions: bool) -> TextOptions {
    let option = if positions {
        IndexRecordOption::WithFreqsAndPositions
    } else {
        IndexRecordOption::WithFreqs
    };
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer)
            .set_index_option(option),
    )
}

impl SiteSchema {
    /// The schema of a new index.
    pub fn build() -> SiteSchema {
        let mut b = Schema::builder();
        let exact =
            |b: &mut SchemaBuilder, name: &str| b.add_text_field(name, text(VI_EXACT, true));
        let folded =
            |b: &mut SchemaBuilder, name: &str| b.add_text_field(name, text(VI_FOLDED, true));
        let id = b.add_text_field(names::ID, STRING | STORED | FAST);
        let name = b.add_text_field("name", text(VI_EXACT, true).set_stored());
        let name_fold = folded(&mut b, "name_fold");
        let name_whole = b.add_text_field("name_whole", STRING);
        let name_whole_fold = b.add_text_field("name_whole_fold", STRING);
        let name_en = b.add_text_field("name_en", text(EN_STEM, true).set_stored());
        let alt_names = exact(&mut b, "alt_names");
        let alt_names_fold = folded(&mut b, "alt_names_fold");
        let people = exact(&mut b, "people");
        let people_fold = folded(&mut b, "people_fold");
        let type_text = exact(&mut b, "type_text");
        let type_text_fold = folded(&mut b, "type_text_fold");
        let place = exact(&mut b, "place");
        let place_fold = folded(&mut b, "place_fold");
        let summary = b.add_text_field("summary", text(VI_EXACT, true).set_stored());
        let summary_fold = folded(&mut b, "summary_fold");
        let description = exact(&mut b, "description");
        let description_fold = folded(&mut b, "description_fold");
        let pairs =
            |b: &mut SchemaBuilder, name: &str| b.add_text_field(name, text(VI_PAIRS, false));
        let description_pairs = pairs(&mut b, "description_pairs");
        let name_pairs = pairs(&mut b, "name_pairs");
        let alt_names_pairs = pairs(&mut b, "alt_names_pairs");
        let people_pairs = pairs(&mut b, "people_pairs");
        let place_pairs = pairs(&mut b, "place_pairs");
        let other_pairs = pairs(&mut b, "other_pairs");
        let description_start = b.add_text_field("description_start", STORED);
        let other = exact(&mut b, "other");
        let other_fold = folded(&mut b, "other_fold");
        let text_en = b.add_text_field("text_en", text(EN_STEM, true));
        let site_type = b.add_text_field(names::TYPE, STRING | STORED | FAST);
        let type_label = b.add_text_field("type_label", STORED);
        let type_label_en = b.add_text_field("type_label_en", STORED);
        let level = b.add_text_field(names::LEVEL, STRING | STORED | FAST);
        let category = b.add_text_field(names::CATEGORY, STRING | FAST);
        let province = b.add_text_field(names::PROVINCE, STRING | STORED | FAST);
        let province_legacy = b.add_text_field("province_legacy", STORED);
        let province_key = b.add_text_field("province_key", STRING);
        let red_address = b.add_bool_field("red_address", INDEXED | FAST | STORED);
        let has_photos = b.add_bool_field("has_photos", INDEXED | FAST);
        let photo_count = b.add_u64_field("photo_count", FAST | STORED);
        let lat = b.add_f64_field(names::LAT, FAST | STORED);
        let lon = b.add_f64_field(names::LON, FAST | STORED);
        let year_start = b.add_i64_field("year_start", INDEXED | FAST);
        let year_end = b.add_i64_field("year_end", INDEXED | FAST);
        let year_recognized = b.add_i64_field("year_recognized", FAST | STORED);
        let updated = b.add_date_field("updated", FAST | STORED);
        let prior = b.add_u64_field(names::PRIOR, FAST);
        let thumbnail = b.add_text_field("thumbnail", STORED);
        let placeholder = b.add_text_field("placeholder", STORED);
        let folder = b.add_text_field("folder", STORED);
        let sets = b.add_text_field("sets", STRING | STORED);
        let datestamp = b.add_i64_field(names::DATESTAMP, INDEXED | FAST | STORED);
        let former_ids = b.add_text_field("former_ids", STRING | STORED);
        SiteSchema {
            schema: b.build(),
            id,
            name,
            name_fold,
            name_whole,
            name_whole_fold,
            name_en,
            alt_names,
            alt_names_fold,
            people,
            people_fold,
            type_text,
            type_text_fold,
            place,
            place_fold,
            summary,
            summary_fold,
            description,
            description_fold,
            description_pairs,
            name_pairs,
            alt_names_pairs,
            people_pairs,
            place_pairs,
            other_pairs,
            description_start,
            other,
            other_fold,
            text_en,
            site_type,
            type_label,
            type_label_en,
            level,
            category,
            province,
            province_legacy,
            province_key,
            red_address,
            has_photos,
            photo_count,
            lat,
            lon,
            year_start,
            year_end,
            year_recognized,
            updated,
            prior,
            thumbnail,
            placeholder,
            folder,
            sets,
            datestamp,
            former_ids,
        }
    }

    /// Each folded short text with its pairs twin.
    pub fn short_pairs(&self) -> [(Field, Field); 5] {
        [
            (self.name_fold, self.name_pairs),
            (self.alt_names_fold, self.alt_names_pairs),
            (self.people_fold, self.people_pairs),
            (self.place_fold, self.place_pairs),
            (self.other_fold, self.other_pairs),
        ]
    }

    /// The handles for an existing index, which must have exactly the schema [`Self::build`]
    /// makes; anything else means the index was written by another version of Disan.
    pub fn matches(existing: &Schema) -> Option<SiteSchema> {
        let ours = SiteSchema::build();
        let same = existing.num_fields() == ours.schema.num_fields()
            && ours.schema.fields().all(|(field, entry)| {
                existing.get_field(entry.name()).ok() == Some(field)
                    && existing.get_field_entry(field) == entry
            });
        same.then_some(ours)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schema_matches_itself_and_not_another() {
        let ours = SiteSchema::build();
        assert!(SiteSchema::matches(&ours.schema).is_some());
        let mut other = Schema::builder();
        other.add_text_field("id", STRING | STORED);
        assert!(SiteSchema::matches(&other.build()).is_none());
    }
}
