//! Resumption tokens: where a split list goes on.
//!
//! A token carries the whole request (set, dates, which verb) and the last (datestamp, id) sent,
//! never an offset: the next page starts after that site in the list's order, so a token stays
//! good for as long as the harvest takes, through publications in between (a site changed
//! meanwhile comes again further on with its new datestamp; nothing is skipped). It is the
//! request as compact JSON in URL-safe base64; anything that does not decode to one, or names
//! another verb or version, is a `badResumptionToken`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use super::request::{OaiError, Selection, is_set_spec};

/// Bumped when the token's meaning changes; older tokens are then refused.
const VERSION: u8 = 1;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Encoded {
    v: u8,
    /// ListRecords (true) or ListIdentifiers.
    r: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    s: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    f: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    u: Option<i64>,
    d: i64,
    i: String,
    c: u64,
}

/// A decoded token.
#[derive(Debug)]
pub struct Token {
    pub selection: Selection,
}

impl Token {
    /// The token that continues `selection` (whose `after` says where) for the verb.
    pub fn encode(selection: &Selection, records: bool) -> String {
        let (d, i) = selection.after.clone().unwrap_or_default();
        let encoded = Encoded {
            v: VERSION,
            r: records,
            s: selection.set.clone(),
            f: selection.from,
            u: selection.until,
            d,
            i,
            c: selection.cursor,
        };
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&encoded).expect("a token serialises"))
    }

    pub fn decode(text: &str, records: bool) -> Result<Token, OaiError> {
        let bad = |why: &str| OaiError::BadResumptionToken(format!("`{text}` {why}"));
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim())
            .map_err(|_| bad("is not a token this repository issued"))?;
        let e: Encoded = serde_json::from_slice(&bytes)
            .map_err(|_| bad("is not a token this repository issued"))?;
        if e.v != VERSION {
            return Err(bad(
                "was issued by another version of this repository; start the harvest again",
            ));
        }
        if e.r != records {
            return Err(bad(if records {
                "continues a ListIdentifiers request, not ListRecords"
            } else {
                "continues a ListRecords request, not ListIdentifiers"
            }));
        }
        if e.s.as_deref().is_some_and(|s| !is_set_spec(s)) || e.i.is_empty() {
            return Err(bad("is damaged"));
        }
        Ok(Token {
            selection: Selection {
                set: e.s,
                from: e.f,
                until: e.u,
                after: Some((e.d, e.i)),
                cursor: e.c,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_round_trips_and_is_checked() {
        let selection = Selection {
            set: Some("type:chua".into()),
            from: Some(10),
            until: None,
            after: Some((1_700_000_000, "chua-a".into())),
            cursor: 200,
        };
        let token = Token::encode(&selection, true);
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(Token::decode(&token, true).unwrap().selection, selection);
        assert_eq!(
            Token::decode(&token, false).unwrap_err().code(),
            "badResumptionToken"
        );
        assert!(Token::decode("eyJ2Ijo5fQ", true).is_err());
        assert!(Token::decode("!!", true).is_err());
    }
}
