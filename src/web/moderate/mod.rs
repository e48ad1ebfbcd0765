//! Moderation on the web: the moderators' queue, the review of one submission and its decision,
//! each site's public history with its reverts, and the "needs help" list for volunteers.
//!
//! Every page and form here states its role in its extractor ([`super::auth::Moderator`],
//! [`super::auth::Posted`]), so a route cannot forget the check; the history and the "needs
//! help" list are public. Decisions go through [`crate::moderation`] (the only writer of the
//! archive) and then [`publish`], which makes an approved or reverted site live in the index and
//! the catalog — all of it on the blocking pool, never on the request threads.
//!
//! - [`queue`] — `GET /moderate`;
//! - [`review`] — `GET /moderate/{id}` and the moderator-only photo previews;
//! - [`decide`] — approve, edit-then-approve, reject; [`edit_form`] turns the form into a record;
//! - [`history`] — `GET /sites/{id}/history` and `POST /moderate/revert`;
//! - [`needs_help`] — `GET /needs-help`;
//! - [`publish`] — from an archive change to a live one.

pub mod decide;
pub mod edit_form;
pub mod history;
pub mod needs_help;
pub mod publish;
pub mod queue;
pub mod review;

use serde_json::Value;

use super::i18n::{Labels, Lang};
use crate::archive::inbox::Proposal;
use crate::moderation::{Action, FieldChange};

use super::views::local_time as when;

/// What a submission proposes, in words.
fn kind_label(proposal: &Proposal, t: &'static Labels) -> &'static str {
    match proposal {
        Proposal::NewSite { .. } => t.kind_new_site,
        Proposal::Photos { .. } => t.kind_photos,
        Proposal::Correction { .. } => t.kind_correction,
    }
}

fn action_label(action: Action, t: &'static Labels) -> &'static str {
    match action {
        Action::NewSite => t.action_new_site,
        Action::Photos => t.action_photos,
        Action::Correction => t.action_correction,
        Action::Revert => t.action_revert,
    }
}

/// One changed field as pages show it: a label in the page's language (the record's path kept
/// for the curious), values as text — strings as they are, lists one item a line, photos,
/// sources and events in words, anything else as compact JSON. Templates escape them.
#[derive(Debug, serde::Serialize)]
pub struct ChangeView {
    pub field: String,
    pub label: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// Fields the archive keeps for itself: a moderator has nothing to judge in them.
const BOOKKEEPING: &[&str] = &["created", "updated", "schema_version"];

/// Labels of the record's fields, Vietnamese then English.
const FIELD_LABELS: &[(&str, &str, &str)] = &[
    ("id", "Mã định danh", "Identifier"),
    ("name", "Tên", "Name"),
    ("name_en", "Tên tiếng Anh", "English name"),
    ("alt_names", "Tên khác", "Other names"),
    ("type", "Loại hình", "Type"),
    ("category", "Loại di tích", "Category"),
    ("level", "Xếp hạng", "Ranking"),
    ("red_address", "Địa chỉ đỏ", "Red address"),
    ("year_recognized", "Năm xếp hạng", "Year ranked"),
    ("period", "Niên đại", "Period"),
    ("people", "Nhân vật", "People"),
    ("summary", "Tóm tắt", "Summary"),
    ("summary_en", "Tóm tắt tiếng Anh", "English summary"),
    ("description", "Giới thiệu", "Description"),
    (
        "description_en",
        "Giới thiệu tiếng Anh",
        "English description",
    ),
    ("events", "Sự kiện", "Events"),
    ("photos", "Ảnh", "Photos"),
    ("sources", "Nguồn tư liệu", "Sources"),
    ("tags", "Nhãn", "Tags"),
    ("location.address", "Địa chỉ", "Address"),
    ("location.commune", "Xã, phường", "Commune"),
    ("location.province", "Tỉnh, thành phố", "Province"),
    ("location.lat", "Vĩ độ", "Latitude"),
    ("location.lon", "Kinh độ", "Longitude"),
    (
        "location.accuracy",
        "Độ chính xác vị trí",
        "Position accuracy",
    ),
    (
        "location.legacy.province",
        "Tỉnh (trước 1/7/2025)",
        "Province (before 1 July 2025)",
    ),
    (
        "location.legacy.district",
        "Huyện (trước 1/7/2025)",
        "District (before 1 July 2025)",
    ),
    (
        "location.legacy.commune",
        "Xã (trước 1/7/2025)",
        "Commune (before 1 July 2025)",
    ),
];

impl ChangeView {
    pub fn of(change: &FieldChange, lang: Lang) -> ChangeView {
        let label = FIELD_LABELS
            .iter()
            .find(|(path, _, _)| *path == change.field)
            .map(|&(_, vi, en)| lang.pick(vi, Some(en)).to_owned())
            .unwrap_or_else(|| change.field.clone());
        ChangeView {
            field: change.field.clone(),
            label,
            old: change.old.as_ref().map(value_text),
            new: change.new.as_ref().map(value_text),
        }
    }

    /// The changes worth a person's attention, in the record's order of importance.
    pub fn list(changes: &[FieldChange], lang: Lang) -> Vec<ChangeView> {
        let rank = |field: &str| {
            FIELD_LABELS
                .iter()
                .position(|(path, _, _)| *path == field)
                .unwrap_or(FIELD_LABELS.len())
        };
        let mut shown: Vec<&FieldChange> = changes
            .iter()
            .filter(|c| !BOOKKEEPING.contains(&c.field.as_str()))
            .collect();
        shown.sort_by_key(|c| rank(&c.field));
        shown.into_iter().map(|c| ChangeView::of(c, lang)).collect()
    }
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(text) => text.clone(),
                Value::Object(fields) => object_text(fields).unwrap_or_else(|| item.to_string()),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Value::Object(fields) => object_text(fields).unwrap_or_else(|| value.to_string()),
        other => other.to_string(),
    }
}

/// A photo, source, event or period in words, when it is one of those.
fn object_text(fields: &serde_json::Map<String, Value>) -> Option<String> {
    let text = |key: &str| {
        fields
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    if let Some(file) = text("file") {
        let mut line = file.to_owned();
        if let Some(caption) = text("caption") {
            line.push_str(" — ");
            line.push_str(caption);
        }
        let credit: Vec<&str> = [text("author"), text("license")]
            .into_iter()
            .flatten()
            .collect();
        if !credit.is_empty() {
            line.push_str(&format!(" ({})", credit.join(", ")));
        }
        return Some(line);
    }
    if text("citation").is_some() || text("url").is_some() {
        let parts: Vec<&str> = [text("citation"), text("url")]
            .into_iter()
            .flatten()
            .collect();
        return Some(parts.join(" — "));
    }
    if let (Some(date), Some(what)) = (text("date"), text("text")) {
        return Some(format!("{date}: {what}"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    #[test]
    fn values_read_as_text() {
        assert_eq!(value_text(&Value::from("Đền")), "Đền");
        assert_eq!(value_text(&serde_json::json!(["a", "b"])), "a\nb");
        assert_eq!(value_text(&serde_json::json!(20.5)), "20.5");
        assert_eq!(
            value_text(&serde_json::json!([{"file": "x.jpg", "caption": "Cổng",
                "author": "A", "license": "CC-BY-4.0"}])),
            "x.jpg — Cổng (A, CC-BY-4.0)"
        );
        assert_eq!(
            value_text(&serde_json::json!([{"citation": "Sở VHTT", "url": "https://x.vn"}])),
            "Sở VHTT — https://x.vn"
        );
        assert_eq!(value_text(&serde_json::json!([{"x": 1}])), "{\"x\":1}");
        let at = DateTime::parse_from_rfc3339("2026-03-12T17:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(when(at), "13/03/2026 00:30");
    }
}
