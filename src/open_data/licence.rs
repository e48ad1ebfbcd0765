//! Under which terms things leave Disan: the licence of the records (one for the whole archive,
//! chosen by whoever runs it) and the licence each photo's author gave.
//!
//! Licences are named by their SPDX id (`CC-BY-4.0`) and known by their canonical URI, which
//! is what machines compare: IIIF `rights` and Europeana accept Creative Commons and
//! RightsStatements.org URIs only, in their `http://` form.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A licence Disan can name and link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Licence {
    /// The SPDX id: `CC-BY-4.0`.
    pub id: &'static str,
    /// The short name people read: `CC BY 4.0`.
    pub name: &'static str,
    /// The canonical URI.
    pub uri: &'static str,
}

/// The licences records and photos may carry, most open first.
pub const LICENCES: &[Licence] = &[
    Licence {
        id: "CC0-1.0",
        name: "CC0 1.0",
        uri: "http://creativecommons.org/publicdomain/zero/1.0/",
    },
    Licence {
        id: "CC-BY-4.0",
        name: "CC BY 4.0",
        uri: "http://creativecommons.org/licenses/by/4.0/",
    },
    Licence {
        id: "CC-BY-SA-4.0",
        name: "CC BY-SA 4.0",
        uri: "http://creativecommons.org/licenses/by-sa/4.0/",
    },
];

impl Licence {
    /// The records' licence when none is configured: attribution only, so that students,
    /// journalists and other archives can reuse the records and say where they come from.
    pub const DEFAULT: Licence = LICENCES[1];

    /// Reads an SPDX id or a common spelling of one (`CC BY-SA 4.0`, `cc-by-sa-4.0`, a
    /// creativecommons.org URL).
    pub fn parse(text: &str) -> Option<Licence> {
        let key = |t: &str| -> String {
            t.trim()
                .trim_start_matches("https://")
                .trim_start_matches("http://")
                .trim_end_matches('/')
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase()
        };
        let wanted = key(text);
        LICENCES
            .iter()
            .copied()
            .find(|l| key(l.id) == wanted || key(l.name) == wanted || key(l.uri) == wanted)
    }

    /// The HTTPS address of the licence's deed, for people.
    pub fn deed_url(&self) -> String {
        self.uri.replacen("http://", "https://", 1)
    }
}

impl Serialize for Licence {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id)
    }
}

impl<'de> Deserialize<'de> for Licence {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Licence::parse(&text).ok_or_else(|| {
            let known: Vec<&str> = LICENCES.iter().map(|l| l.id).collect();
            serde::de::Error::custom(format!(
                "unknown licence `{text}`; use one of {}",
                known.join(", ")
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_a_licence() {
        for text in [
            "CC-BY-SA-4.0",
            "CC BY-SA 4.0",
            "cc by sa 4.0",
            "https://creativecommons.org/licenses/by-sa/4.0/",
        ] {
            assert_eq!(
                Licence::parse(text).map(|l| l.id),
                Some("CC-BY-SA-4.0"),
                "{text}"
            );
        }
        assert_eq!(Licence::parse("CC0").map(|l| l.id), None);
        assert_eq!(Licence::parse("CC0-1.0").map(|l| l.id), Some("CC0-1.0"));
        assert_eq!(Licence::parse("all rights reserved"), None);
        assert_eq!(
            Licence::DEFAULT.deed_url(),
            "https://creativecommons.org/licenses/by/4.0/"
        );
    }
}
