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

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::i18n::Labels;
use crate::archive::inbox::Proposal;
use crate::moderation::{Action, FieldChange};

/// A date and time as moderators read it (Vietnam's time zone, day first).
fn when(at: DateTime<Utc>) -> String {
    let vietnam = chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset");
    at.with_timezone(&vietnam)
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

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

/// One changed field as pages show it: values as text (strings as they are, lists one item a
/// line, anything else as compact JSON). Templates escape them.
#[derive(Debug, serde::Serialize)]
pub struct ChangeView {
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

impl ChangeView {
    pub fn of(change: &FieldChange) -> ChangeView {
        ChangeView {
            field: change.field.clone(),
            old: change.old.as_ref().map(value_text),
            new: change.new.as_ref().map(value_text),
        }
    }
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_text() {
        assert_eq!(value_text(&Value::from("Đền")), "Đền");
        assert_eq!(value_text(&serde_json::json!(["a", "b"])), "a\nb");
        assert_eq!(value_text(&serde_json::json!(20.5)), "20.5");
        assert_eq!(
            value_text(&serde_json::json!([{"file": "x.jpg"}])),
            "{\"file\":\"x.jpg\"}"
        );
        let at = DateTime::parse_from_rfc3339("2026-03-12T17:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(when(at), "13/03/2026 00:30");
    }
}
