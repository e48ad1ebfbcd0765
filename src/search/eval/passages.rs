//! Passages copied from descriptions, as judged queries ([`QueryForm::Passage`]).
//!
//! A student copies a few words from a book or a plaque, often around a name ("phu nhân Trình
//! thị", "gần hồ Hoàn Kiếm"). Such a query is right for the one site whose description holds those
//! words in a row, and for every site whose name, people or place holds the name in it: those
//! are what the student may be after too. A passage that another site also holds in a row is
//! not asked, since it no longer tells one site.

use std::collections::{HashMap, HashSet};

use super::{JudgedQuery, QueryForm};
use crate::fold;
use crate::record::SiteRecord;
use crate::search::document::plain_text;

/// Words in a [`QueryForm::Passage`] query.
const PASSAGE_WORDS: usize = 4;

/// The passage asked for a description, with the name in it: in the first clause of letters
/// only, from the middle on, that names someone or something (a capitalised word after the
/// clause's first), the two words before that name and two from its start — "phu nhân Trình
/// thị", "gần hồ Hoàn Kiếm". A clause ends at punctuation, which a person copying words does
/// not carry across.
fn passage_of(plain: &str) -> Option<(String, String)> {
    let clauses: Vec<Vec<&str>> = plain
        .split(|c: char| !(c.is_alphanumeric() || c.is_whitespace()))
        .map(|clause| clause.split_whitespace().collect())
        .collect();
    clauses[clauses.len() / 2..].iter().find_map(|words| {
        if words.len() < PASSAGE_WORDS || !words.iter().all(|w| w.chars().all(char::is_alphabetic))
        {
            return None;
        }
        let named = (1..words.len()).find(|&i| words[i].starts_with(char::is_uppercase))?;
        let from = named
            .saturating_sub(PASSAGE_WORDS - 2)
            .min(words.len() - PASSAGE_WORDS);
        let passage = &words[from..from + PASSAGE_WORDS];
        let name = passage[named - from..]
            .iter()
            .take_while(|w| w.starts_with(char::is_uppercase));
        Some((
            passage.join(" "),
            name.copied().collect::<Vec<_>>().join(" "),
        ))
    })
}

/// A passage being judged: its text, and the sites that hold it or its name.
#[derive(Default)]
struct Passage {
    text: String,
    /// Sites whose description, names, people or summary hold the passage in a row.
    holders: Vec<String>,
    /// Sites named after, worshipping or placed in what the passage names: right answers too.
    named: Vec<String>,
}

pub(super) fn passages(sorted: &[&SiteRecord]) -> Vec<JudgedQuery> {
    let mut asked: HashMap<Vec<String>, Passage> = HashMap::new();
    // The folded words of each passage's name (of two words or more), to its passages.
    let mut names: HashMap<Vec<String>, Vec<Vec<String>>> = HashMap::new();
    for r in sorted {
        let Some((text, name)) = r
            .description
            .as_deref()
            .and_then(|d| passage_of(&plain_text(d)))
        else {
            continue;
        };
        let key = fold::words(&text);
        if asked.contains_key(&key) {
            continue;
        }
        let name = fold::words(&name);
        if name.len() >= 2 {
            names.entry(name).or_default().push(key.clone());
        }
        asked.insert(
            key,
            Passage {
                text,
                ..Passage::default()
            },
        );
    }
    // One pass over every site's texts, looking their runs of words up.
    let longest_name = names.keys().map(Vec::len).max().unwrap_or(0);
    for r in sorted {
        let description = r.description.as_deref().map(plain_text);
        let location = &r.location;
        let legacy = &location.legacy;
        let places = [
            &location.address,
            &location.commune,
            &location.province,
            &legacy.district,
            &legacy.commune,
            &legacy.province,
        ];
        let named_in = std::iter::once(&r.name)
            .chain(&r.alt_names)
            .chain(&r.people)
            .chain(places.into_iter().flatten());
        let texts = named_in.clone().chain(&r.summary).chain(&description);
        let mut held = HashSet::new();
        for text in texts {
            for window in fold::words(text).windows(PASSAGE_WORDS) {
                if let Some(p) = asked.get_mut(window)
                    && held.insert(window.to_vec())
                {
                    p.holders.push(r.id.clone());
                }
            }
        }
        let mut named = HashSet::new();
        for text in named_in {
            let words = fold::words(text);
            for len in 2..=longest_name.min(words.len()) {
                for window in words.windows(len) {
                    for key in names.get(window).into_iter().flatten() {
                        if named.insert(key.clone()) {
                            asked.get_mut(key).unwrap().named.push(r.id.clone());
                        }
                    }
                }
            }
        }
    }
    let mut unique: Vec<JudgedQuery> = asked
        .into_values()
        .filter(|p| p.holders.len() == 1)
        .map(|p| {
            let holder = p.holders[0].clone();
            let mut relevant = p.holders;
            relevant.extend(p.named.into_iter().filter(|id| *id != holder));
            JudgedQuery {
                form: QueryForm::Passage,
                text: fold::nfc(&p.text),
                relevant,
            }
        })
        .collect();
    unique.sort_by(|a, b| a.relevant.cmp(&b.relevant));
    unique
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(passage: &str, name: &str) -> Option<(String, String)> {
        Some((passage.to_owned(), name.to_owned()))
    }

    #[test]
    fn a_passage_leads_up_to_a_name_within_one_clause() {
        // From the middle clause on, the first of four words or more that names something.
        let plain = "Mở đầu. Năm 1288, ở đây nghĩa quân đánh thắng quân Nguyên; gần hồ.";
        assert_eq!(passage_of(plain), pair("đánh thắng quân Nguyên", "Nguyên"));
        assert_eq!(
            passage_of("Một. Hai. Ba. nơi thờ phụng Trần Hưng Đạo"),
            pair("thờ phụng Trần Hưng", "Trần Hưng")
        );
        // A clause with a number, or without a name, gives none.
        assert_eq!(passage_of("Một. Hai. Đền thờ Lê Lợi năm 1428 ở đây"), None);
        assert_eq!(passage_of("Một. Hai. nơi đây có một ngôi đền cổ"), None);
    }
}
