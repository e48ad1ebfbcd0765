//! An OAI-PMH request, read from its arguments with every rule of the protocol's section 3:
//! one verb, only the arguments that verb allows, each once, the required ones present, a
//! resumption token alone, dates in one of the two granularities and in order. Whatever breaks
//! a rule is the protocol's own error, with a message saying which rule.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

use super::token::Token;

/// The only metadata format Disan offers, as every OAI-PMH repository must.
pub const OAI_DC: &str = "oai_dc";

/// An OAI-PMH error condition (section 3.6), with a message for the harvester's operator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OaiError {
    #[error("{0}")]
    BadArgument(String),
    #[error("{0}")]
    BadResumptionToken(String),
    #[error("{0}")]
    BadVerb(String),
    #[error("{0}")]
    CannotDisseminateFormat(String),
    #[error("{0}")]
    IdDoesNotExist(String),
    #[error("no record matches these arguments")]
    NoRecordsMatch,
}

impl OaiError {
    /// The code the protocol names it by.
    pub fn code(&self) -> &'static str {
        match self {
            OaiError::BadArgument(_) => "badArgument",
            OaiError::BadResumptionToken(_) => "badResumptionToken",
            OaiError::BadVerb(_) => "badVerb",
            OaiError::CannotDisseminateFormat(_) => "cannotDisseminateFormat",
            OaiError::IdDoesNotExist(_) => "idDoesNotExist",
            OaiError::NoRecordsMatch => "noRecordsMatch",
        }
    }

    /// Whether the response echoes only the base URL (no request attributes).
    pub fn hides_arguments(&self) -> bool {
        matches!(self, OaiError::BadArgument(_) | OaiError::BadVerb(_))
    }
}

/// What a list request selects: its sets, dates and where it goes on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selection {
    pub set: Option<String>,
    pub from: Option<i64>,
    pub until: Option<i64>,
    /// Where the list continues: the last (datestamp, id) sent, and how many were sent.
    pub after: Option<(i64, String)>,
    pub cursor: u64,
}

/// A valid request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verb {
    Identify,
    ListMetadataFormats { identifier: Option<String> },
    ListSets,
    GetRecord { identifier: String },
    ListIdentifiers(Selection),
    ListRecords(Selection),
}

impl Verb {
    /// Reads the decoded arguments of a GET query or a POST form.
    pub fn parse(args: &[(String, String)]) -> Result<Verb, OaiError> {
        let verbs: Vec<&str> = args
            .iter()
            .filter(|(k, _)| k == "verb")
            .map(|(_, v)| v.as_str())
            .collect();
        let verb = match verbs.as_slice() {
            [] => return Err(OaiError::BadVerb("the `verb` argument is missing".into())),
            [one] => *one,
            _ => return Err(OaiError::BadVerb("the `verb` argument is repeated".into())),
        };
        let allowed: &[&str] = match verb {
            "Identify" => &[],
            "ListMetadataFormats" => &["identifier"],
            "ListSets" => &["resumptionToken"],
            "GetRecord" => &["identifier", "metadataPrefix"],
            "ListIdentifiers" | "ListRecords" => {
                &["metadataPrefix", "from", "until", "set", "resumptionToken"]
            }
            other => {
                return Err(OaiError::BadVerb(format!(
                    "`{other}` is not an OAI-PMH verb; the verbs are Identify, ListMetadataFormats, ListSets, GetRecord, ListIdentifiers and ListRecords"
                )));
            }
        };
        let mut seen: Vec<&str> = Vec::new();
        for (key, _) in args.iter().filter(|(k, _)| k != "verb") {
            if !allowed.contains(&key.as_str()) {
                return Err(OaiError::BadArgument(format!(
                    "`{key}` is not an argument of {verb}"
                )));
            }
            if seen.contains(&key.as_str()) {
                return Err(OaiError::BadArgument(format!("`{key}` is repeated")));
            }
            seen.push(key);
        }
        let get = |name: &str| {
            args.iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        match verb {
            "Identify" => Ok(Verb::Identify),
            "ListMetadataFormats" => Ok(Verb::ListMetadataFormats {
                identifier: get("identifier").map(str::to_owned),
            }),
            "ListSets" => match get("resumptionToken") {
                Some(_) => Err(OaiError::BadResumptionToken(
                    "the list of sets is never split, so it has no resumption token".into(),
                )),
                None => Ok(Verb::ListSets),
            },
            "GetRecord" => {
                let identifier = get("identifier").ok_or_else(|| {
                    OaiError::BadArgument("GetRecord needs an `identifier`".into())
                })?;
                let prefix = get("metadataPrefix").ok_or_else(|| {
                    OaiError::BadArgument("GetRecord needs a `metadataPrefix`".into())
                })?;
                check_prefix(prefix)?;
                Ok(Verb::GetRecord {
                    identifier: identifier.to_owned(),
                })
            }
            list => {
                let records = list == "ListRecords";
                let selection = match get("resumptionToken") {
                    Some(token) => {
                        if seen.len() > 1 {
                            return Err(OaiError::BadArgument(
                                "`resumptionToken` is an exclusive argument: send it alone with the verb".into(),
                            ));
                        }
                        Token::decode(token, records)?.selection
                    }
                    None => selection(get, list)?,
                };
                Ok(if records {
                    Verb::ListRecords(selection)
                } else {
                    Verb::ListIdentifiers(selection)
                })
            }
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Verb::Identify => "Identify",
            Verb::ListMetadataFormats { .. } => "ListMetadataFormats",
            Verb::ListSets => "ListSets",
            Verb::GetRecord { .. } => "GetRecord",
            Verb::ListIdentifiers(_) => "ListIdentifiers",
            Verb::ListRecords(_) => "ListRecords",
        }
    }
}

fn check_prefix(prefix: &str) -> Result<(), OaiError> {
    if prefix == OAI_DC {
        Ok(())
    } else {
        Err(OaiError::CannotDisseminateFormat(format!(
            "`{prefix}` is not offered; this repository offers oai_dc"
        )))
    }
}

fn selection<'a>(get: impl Fn(&str) -> Option<&'a str>, verb: &str) -> Result<Selection, OaiError> {
    let prefix = get("metadataPrefix")
        .ok_or_else(|| OaiError::BadArgument(format!("{verb} needs a `metadataPrefix`")))?;
    let from = get("from").map(|t| date("from", t, false)).transpose()?;
    let until = get("until").map(|t| date("until", t, true)).transpose()?;
    if let (Some((from, fine_from)), Some((until, fine_until))) = (from, until) {
        if fine_from != fine_until {
            return Err(OaiError::BadArgument(
                "`from` and `until` must have the same granularity (both days, or both seconds)"
                    .into(),
            ));
        }
        if from > until {
            return Err(OaiError::BadArgument("`from` is after `until`".into()));
        }
    }
    let set = get("set").map(str::to_owned);
    if let Some(set) = &set
        && !is_set_spec(set)
    {
        return Err(OaiError::BadArgument(format!(
            "`{set}` is not a set spec; see ListSets"
        )));
    }
    // The format is checked after the arguments' syntax, as the protocol orders the errors.
    check_prefix(prefix)?;
    Ok(Selection {
        set,
        from: from.map(|(t, _)| t),
        until: until.map(|(t, _)| t),
        after: None,
        cursor: 0,
    })
}

/// A set spec: colon-separated parts of URI-unreserved characters.
pub fn is_set_spec(text: &str) -> bool {
    !text.is_empty()
        && text.split(':').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b))
        })
}

/// A datestamp argument in seconds, and whether it had seconds granularity. A day means its
/// first second for `from` and its last for `until` (`until=2026-01-31` includes that day).
fn date(name: &str, text: &str, end_of_day: bool) -> Result<(i64, bool), OaiError> {
    let bad = || {
        OaiError::BadArgument(format!(
            "`{name}` is `{text}` — use YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ"
        ))
    };
    if text.len() == 10 {
        let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| bad())?;
        let time = if end_of_day {
            day.and_hms_opt(23, 59, 59)
        } else {
            day.and_hms_opt(0, 0, 0)
        }
        .ok_or_else(bad)?;
        return Ok((Utc.from_utc_datetime(&time).timestamp(), false));
    }
    let time = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%SZ").map_err(|_| bad())?;
    Ok((Utc.from_utc_datetime(&time).timestamp(), true))
}

/// A datestamp as the protocol writes it: `2026-01-31T08:00:00Z`.
pub fn datestamp(seconds: i64) -> String {
    DateTime::<Utc>::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> Result<Verb, OaiError> {
        let args: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap();
        Verb::parse(&args)
    }

    #[test]
    fn every_rule_of_the_arguments() {
        assert_eq!(parse("verb=Identify"), Ok(Verb::Identify));
        let code = |q: &str| parse(q).unwrap_err().code();
        assert_eq!(code(""), "badVerb");
        assert_eq!(code("verb=Identify&verb=Identify"), "badVerb");
        assert_eq!(code("verb=Harvest"), "badVerb");
        assert_eq!(code("verb=Identify&set=a"), "badArgument");
        assert_eq!(code("verb=GetRecord&identifier=x"), "badArgument");
        assert_eq!(
            code("verb=GetRecord&identifier=x&metadataPrefix=mods"),
            "cannotDisseminateFormat"
        );
        assert_eq!(code("verb=ListRecords"), "badArgument");
        assert_eq!(
            code("verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc"),
            "badArgument"
        );
        assert_eq!(
            code("verb=ListRecords&metadataPrefix=oai_dc&from=2026-13-01"),
            "badArgument"
        );
        assert_eq!(
            code(
                "verb=ListRecords&metadataPrefix=oai_dc&from=2026-01-01&until=2026-02-01T00:00:00Z"
            ),
            "badArgument"
        );
        assert_eq!(
            code("verb=ListRecords&metadataPrefix=oai_dc&from=2026-02-01&until=2026-01-01"),
            "badArgument"
        );
        assert_eq!(
            code("verb=ListRecords&metadataPrefix=oai_dc&set=a%20b"),
            "badArgument"
        );
        assert_eq!(
            code("verb=ListIdentifiers&resumptionToken=x&metadataPrefix=oai_dc"),
            "badArgument"
        );
        assert_eq!(
            code("verb=ListIdentifiers&resumptionToken=garbage"),
            "badResumptionToken"
        );
        assert_eq!(
            code("verb=ListSets&resumptionToken=x"),
            "badResumptionToken"
        );
        let Ok(Verb::ListRecords(s)) = parse(
            "verb=ListRecords&metadataPrefix=oai_dc&set=province:ninh-binh&from=2026-01-01&until=2026-01-31",
        ) else {
            panic!("a valid list request");
        };
        assert_eq!(s.set.as_deref(), Some("province:ninh-binh"));
        assert_eq!(datestamp(s.from.unwrap()), "2026-01-01T00:00:00Z");
        assert_eq!(datestamp(s.until.unwrap()), "2026-01-31T23:59:59Z");
    }
}
