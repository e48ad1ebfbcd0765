//! Field-level differences between two versions of a site record, and undoing them.
//!
//! A record is compared as its JSON: nested objects (`location`, `location.legacy`, `period`)
//! are followed down to their fields, lists (`photos`, `sources`, `alt_names`) are compared
//! whole. A [`FieldChange`] names the field by its dotted path and keeps both values, so the
//! moderator's queue can show it and a revert can put the old value back. `updated` is left
//! out: it changes with every write and says nothing a reviewer needs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::record::SiteRecord;

/// Fields never reported as changed.
const IGNORED: &[&str] = &["updated"];

/// One field that differs. `None` means the field is absent (empty) on that side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldChange {
    /// Dotted path into the record: `name`, `location.lat`, `photos`.
    pub field: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
}

/// What changed from `old` to `new`, sorted by field path.
pub fn diff(old: &SiteRecord, new: &SiteRecord) -> Vec<FieldChange> {
    diff_values(&to_value(old), &to_value(new))
}

/// What a new site brings: every field it has, from nothing.
pub fn diff_new(new: &SiteRecord) -> Vec<FieldChange> {
    diff_values(&Value::Object(Map::new()), &to_value(new))
}

fn to_value(record: &SiteRecord) -> Value {
    serde_json::to_value(record).expect("a record always serialises")
}

fn diff_values(old: &Value, new: &Value) -> Vec<FieldChange> {
    let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
    flatten("", old, &mut a);
    flatten("", new, &mut b);
    let fields: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    fields
        .into_iter()
        .filter(|f| !IGNORED.contains(&f.as_str()))
        .filter_map(|field| {
            let (old, new) = (a.get(field), b.get(field));
            (old != new).then(|| FieldChange {
                field: field.clone(),
                old: old.cloned(),
                new: new.cloned(),
            })
        })
        .collect()
}

fn flatten(prefix: &str, value: &Value, out: &mut BTreeMap<String, Value>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&path, value, out);
            }
        }
        // An empty or null value is the same as an absent one: serde omits them anyway.
        Value::Null => {}
        Value::Array(items) if items.is_empty() => {}
        other if !prefix.is_empty() => {
            out.insert(prefix.to_owned(), other.clone());
        }
        _ => {}
    }
}

/// Fields whose current value is not what `changes` left there: a later change touched them,
/// so undoing `changes` would silently undo that one too.
pub fn conflicts(current: &SiteRecord, changes: &[FieldChange]) -> Vec<String> {
    let mut now = BTreeMap::new();
    flatten("", &to_value(current), &mut now);
    changes
        .iter()
        .filter(|c| now.get(&c.field) != c.new.as_ref())
        .map(|c| c.field.clone())
        .collect()
}

/// `current` with every change undone (each field set back to its `old` value). Fails with
/// serde's message when the result is not a valid record.
pub fn undo(
    current: &SiteRecord,
    changes: &[FieldChange],
) -> Result<SiteRecord, serde_json::Error> {
    let mut value = to_value(current);
    for change in changes {
        set_path(&mut value, &change.field, change.old.clone());
    }
    serde_json::from_value(value)
}

fn set_path(root: &mut Value, path: &str, value: Option<Value>) {
    let mut parts: Vec<&str> = path.split('.').collect();
    let Some(last) = parts.pop() else { return };
    let mut node = root;
    for part in parts {
        let Value::Object(map) = node else { return };
        node = map
            .entry(part.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    if let Value::Object(map) = node {
        match value {
            Some(value) => {
                map.insert(last.to_owned(), value);
            }
            None => {
                map.remove(last);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn reports_changed_fields_by_path_and_undoes_them() {
        let now = Utc::now();
        let old = SiteRecord::new("den-hung", "Đền Hùng", now);
        let mut new = old.clone();
        new.name = "Khu di tích Đền Hùng".into();
        new.location.province = Some("Phú Thọ".into());
        new.location.legacy.district = Some("Thành phố Việt Trì".into());
        new.alt_names = vec!["Nghĩa Lĩnh".into()];
        new.updated = Some(now + chrono::Duration::hours(1));
        let changes = diff(&old, &new);
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "alt_names",
                "location.legacy.district",
                "location.province",
                "name"
            ]
        );
        assert_eq!(changes[3].old, Some(Value::from("Đền Hùng")));
        assert_eq!(changes[2].old, None);
        assert!(conflicts(&new, &changes).is_empty());
        let undone = undo(&new, &changes).unwrap();
        assert!(undone.same_content(&old));
        assert!(diff(&old, &old).is_empty());
    }

    #[test]
    fn a_later_change_is_a_conflict() {
        let now = Utc::now();
        let old = SiteRecord::new("x", "A", now);
        let mut mid = old.clone();
        mid.name = "B".into();
        let changes = diff(&old, &mid);
        let mut later = mid.clone();
        later.name = "C".into();
        assert_eq!(conflicts(&later, &changes), vec!["name".to_owned()]);
    }

    #[test]
    fn a_new_site_lists_its_fields() {
        let new = SiteRecord::new("x", "A", Utc::now());
        let fields: Vec<String> = diff_new(&new).into_iter().map(|c| c.field).collect();
        assert!(fields.contains(&"name".to_owned()) && fields.contains(&"id".to_owned()));
    }
}
