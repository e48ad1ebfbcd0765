//! Relevance measured on a whole archive: a set of judged queries built from the records
//! themselves, and the Success@k / MRR figures of running them.
//!
//! Every query comes with the ids of the sites that answer it, so any engine can be judged
//! with the same set (the Datasette comparison in `benches/datasette.sh` reads it as JSON).
//! Two kinds of queries:
//!
//! - *known item*: the name of a site whose name is unique in the archive (after folding),
//!   typed in the ways people type it ([`QueryForm`]); exactly one site is right;
//! - *topic*: a type, a person or a place and a rank taken from the structured fields
//!   ("đình thờ Cao Sơn", "chùa Bắc Ninh quốc gia"); every site that has those facts is right;
//! - *passage*: a few words in a row from a description, as a student copies them from a book
//!   or a plaque, that only one site's description holds in that order.
//!
//! Success@k is the share of queries with a right site among the first k hits; MRR is the mean
//! of 1 / rank of the first right site (0 when none is in the first [`DEPTH`]).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

mod passages;

use super::SearchIndex;
use super::error::QueryError;
use super::request::SearchRequest;
use crate::fold;
use crate::record::{Level, SiteRecord, SiteType};

/// How many hits are judged per query.
pub const DEPTH: usize = 10;

/// How a known-item query was typed, or a topic query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueryForm {
    /// The name as written: "Chùa Giác Viên".
    Exact,
    /// Lowercase without accents: "chua giac vien".
    AccentFree,
    /// The name decomposed (NFD), as macOS and iOS send it.
    Nfd,
    /// One letter dropped from the longest syllable: "Chùa Giác Viê".
    Typo,
    /// Without the leading type word: "Giác Viên".
    WithoutType,
    /// The name followed by its current province: "Chùa Giác Viên Hồ Chí Minh".
    WithProvince,
    /// A type with a worshipped person: "đình thờ Cao Sơn".
    TypePerson,
    /// A type, a current province and a rank: "chùa Bắc Ninh quốc gia".
    TypeProvinceLevel,
    /// Words in a row around a name in one site's description: "phu nhân Trình thị".
    Passage,
}

impl QueryForm {
    pub const ALL: [QueryForm; 9] = [
        QueryForm::Exact,
        QueryForm::AccentFree,
        QueryForm::Nfd,
        QueryForm::Typo,
        QueryForm::WithoutType,
        QueryForm::WithProvince,
        QueryForm::TypePerson,
        QueryForm::TypeProvinceLevel,
        QueryForm::Passage,
    ];

    pub fn name(self) -> &'static str {
        match self {
            QueryForm::Exact => "exact",
            QueryForm::AccentFree => "accent-free",
            QueryForm::Nfd => "NFD",
            QueryForm::Typo => "typo",
            QueryForm::WithoutType => "without type word",
            QueryForm::WithProvince => "name + province",
            QueryForm::TypePerson => "topic: type + person",
            QueryForm::TypeProvinceLevel => "topic: type + province + rank",
            QueryForm::Passage => "passage from a description",
        }
    }
}

/// One query with the ids of the sites that answer it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JudgedQuery {
    pub form: QueryForm,
    pub text: String,
    pub relevant: Vec<String>,
}

/// Leading words that name a kind of site rather than the site, as the folded syllables.
const TYPE_WORDS: &[&[&str]] = &[
    &["dinh", "lang"],
    &["nha", "tho", "ho"],
    &["nha", "tho"],
    &["tu", "duong"],
    &["van", "mieu"],
    &["lang", "mo"],
    &["chua"],
    &["dinh"],
    &["den"],
    &["mieu"],
    &["phu"],
    &["quan"],
    &["lang"],
    &["thap"],
    &["nghe"],
    &["am"],
];

/// Types worth asking for with a person ("đình thờ …"): where people are worshipped.
fn worships(site_type: &SiteType) -> bool {
    matches!(
        site_type.code(),
        "dinh" | "den" | "chua" | "mieu" | "phu" | "tu_duong"
    )
}

/// The queries for `records`, at most `per_form` of each form, chosen evenly through the
/// records (ordered by id) so that the set is the same on every run.
pub fn judged_queries(records: &[SiteRecord], per_form: usize) -> Vec<JudgedQuery> {
    let mut sorted: Vec<&SiteRecord> = records.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    let mut out = known_items(&sorted, per_form);
    out.extend(evenly(type_person(&sorted), per_form));
    out.extend(evenly(type_province_level(&sorted), per_form));
    out.extend(evenly(passages::passages(&sorted), per_form));
    out
}

/// Every `len / n`-th item, `n` in all (all of them when there are fewer).
fn evenly<T>(items: Vec<T>, n: usize) -> Vec<T> {
    if items.len() <= n || n == 0 {
        return if n == 0 { Vec::new() } else { items };
    }
    let len = items.len();
    let mut picked = Vec::with_capacity(n);
    let wanted: HashSet<usize> = (0..n).map(|i| i * len / n).collect();
    for (i, item) in items.into_iter().enumerate() {
        if wanted.contains(&i) {
            picked.push(item);
        }
    }
    picked
}

fn known_items(sorted: &[&SiteRecord], per_form: usize) -> Vec<JudgedQuery> {
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for r in sorted {
        for name in std::iter::once(&r.name).chain(&r.alt_names) {
            *by_name.entry(fold::words(name).join(" ")).or_default() += 1;
        }
    }
    let unique: Vec<&SiteRecord> = sorted
        .iter()
        .copied()
        .filter(|r| {
            let key = fold::words(&r.name).join(" ");
            !key.is_empty() && by_name.get(&key) == Some(&1)
        })
        .collect();
    let mut out = Vec::new();
    for form in [
        QueryForm::Exact,
        QueryForm::AccentFree,
        QueryForm::Nfd,
        QueryForm::Typo,
        QueryForm::WithoutType,
        QueryForm::WithProvince,
    ] {
        let queries = unique
            .iter()
            .filter_map(|r| {
                Some(JudgedQuery {
                    form,
                    text: known_item_text(r, form)?,
                    relevant: vec![r.id.clone()],
                })
            })
            .collect();
        out.extend(evenly(queries, per_form));
    }
    out
}

/// The name of `r` typed as `form`, or `None` when the form does not apply to it.
fn known_item_text(r: &SiteRecord, form: QueryForm) -> Option<String> {
    let name = fold::nfc(r.name.trim());
    match form {
        QueryForm::Exact => Some(name),
        QueryForm::AccentFree => Some(fold::words(&name).join(" ")),
        QueryForm::Nfd => Some(name.nfd().collect()),
        QueryForm::Typo => drop_a_letter(&name),
        QueryForm::WithoutType => without_type_word(&name),
        QueryForm::WithProvince => {
            let province = r.location.province.as_deref()?.trim();
            (!province.is_empty()).then(|| format!("{name} {province}"))
        }
        QueryForm::TypePerson | QueryForm::TypeProvinceLevel | QueryForm::Passage => None,
    }
}

/// The name with the middle letter of its longest syllable (of at least 4 letters) dropped.
fn drop_a_letter(name: &str) -> Option<String> {
    let syllables: Vec<&str> = name.split_whitespace().collect();
    let (at, longest) = syllables
        .iter()
        .enumerate()
        .filter(|(_, s)| s.chars().all(char::is_alphanumeric))
        .max_by_key(|(i, s)| (s.chars().count(), usize::MAX - i))?;
    let letters: Vec<char> = longest.chars().collect();
    if letters.len() < 4 {
        return None;
    }
    let middle = letters.len() / 2;
    let typo: String = letters
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != middle)
        .map(|(_, c)| c)
        .collect();
    let mut words: Vec<String> = syllables.iter().map(|s| s.to_string()).collect();
    words[at] = typo;
    Some(words.join(" "))
}

/// The name without its leading type word, when at least two syllables remain.
fn without_type_word(name: &str) -> Option<String> {
    let syllables: Vec<&str> = name.split_whitespace().collect();
    let folded: Vec<String> = syllables.iter().map(|s| fold::key(s)).collect();
    let skip = TYPE_WORDS
        .iter()
        .find(|t| folded.len() >= t.len() && folded.iter().zip(t.iter()).all(|(a, b)| a == b))?
        .len();
    (syllables.len() >= skip + 2).then(|| syllables[skip..].join(" "))
}

/// What a site is: its recorded type, else the type its name starts with ("Đình làng Đông
/// Ngạc" is a đình even when the source left the type out).
fn kind_of(r: &SiteRecord) -> Option<SiteType> {
    if r.site_type.is_some() {
        return r.site_type.clone();
    }
    let syllables: Vec<&str> = r.name.split_whitespace().collect();
    let folded: Vec<String> = syllables.iter().map(|s| fold::key(s)).collect();
    let words = TYPE_WORDS
        .iter()
        .find(|t| folded.len() > t.len() && folded.iter().zip(t.iter()).all(|(a, b)| a == b))?;
    match SiteType::parse(&syllables[..words.len()].join(" "))? {
        known @ SiteType::Known(_) => Some(known),
        SiteType::Other(_) => None,
    }
}

/// A person as a query names them: outer punctuation trimmed, two to four words of letters.
fn person_words(person: &str) -> Option<(String, Vec<String>)> {
    let person = person.trim_matches(|c: char| !c.is_alphanumeric());
    let words = fold::words(person);
    let plain = person
        .split_whitespace()
        .all(|w| w.chars().all(char::is_alphabetic));
    ((2..=4).contains(&words.len()) && plain).then(|| (fold::nfc(person), words))
}

/// The short label a person types for a type: "đình", "chùa", "từ đường".
fn type_word(site_type: &SiteType) -> String {
    fold::lower(site_type.label_vi())
}

/// Whether the folded words of `phrase` occur in a row in `text`.
fn contains_words(text: &[String], phrase: &[String]) -> bool {
    !phrase.is_empty() && text.windows(phrase.len()).any(|w| w == phrase)
}

fn type_person(sorted: &[&SiteRecord]) -> Vec<JudgedQuery> {
    // Each site with its type and the folded words of each of its people.
    type Sited<'a> = (&'a SiteRecord, Option<SiteType>, Vec<Vec<String>>);
    let people: Vec<Sited> = sorted
        .iter()
        .map(|r| {
            (
                *r,
                kind_of(r),
                r.people.iter().map(|p| fold::words(p)).collect(),
            )
        })
        .collect();
    let mut asked = BTreeMap::new();
    for (r, kind, _) in &people {
        let Some(site_type) = kind.as_ref().filter(|t| worships(t)) else {
            continue;
        };
        for (person, words) in r.people.iter().filter_map(|p| person_words(p)) {
            if asked.contains_key(&words) {
                continue;
            }
            let relevant = people
                .iter()
                .filter(|(_, their_kind, theirs)| {
                    their_kind.as_ref() == Some(site_type)
                        && theirs.iter().any(|t| contains_words(t, &words))
                })
                .map(|(other, _, _)| other.id.clone())
                .collect();
            let text = format!("{} thờ {person}", type_word(site_type));
            asked.insert(
                words,
                JudgedQuery {
                    form: QueryForm::TypePerson,
                    text,
                    relevant,
                },
            );
        }
    }
    asked.into_values().collect()
}

fn type_province_level(sorted: &[&SiteRecord]) -> Vec<JudgedQuery> {
    let mut groups: BTreeMap<(String, String, &'static str), Vec<String>> = BTreeMap::new();
    for r in sorted {
        let (Some(site_type), Some(province)) = (kind_of(r), &r.location.province) else {
            continue;
        };
        let rank = match r.level {
            Level::National => "quốc gia",
            Level::Provincial => "cấp tỉnh",
            _ => continue,
        };
        let key = (type_word(&site_type), fold::nfc(province.trim()), rank);
        groups.entry(key).or_default().push(r.id.clone());
    }
    groups
        .into_iter()
        .map(|((kind, province, rank), relevant)| JudgedQuery {
            form: QueryForm::TypeProvinceLevel,
            text: format!("{kind} {province} {rank}"),
            relevant,
        })
        .collect()
}

/// The figures of one query form.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FormScore {
    pub queries: usize,
    pub success_at_1: f64,
    pub success_at_3: f64,
    pub success_at_10: f64,
    pub mrr: f64,
}

/// One query whose first right site was not first, for reading what went wrong.
#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    pub form: QueryForm,
    pub text: String,
    /// 1-based rank of the first right site, `None` when not in the first [`DEPTH`].
    pub rank: Option<usize>,
    pub expected: String,
    pub got: Vec<String>,
}

/// The figures per form, and the misses.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Evaluation {
    pub forms: BTreeMap<QueryForm, FormScore>,
    pub misses: Vec<Miss>,
}

impl Evaluation {
    /// Judges `queries` with `search`, which returns the ids of the first [`DEPTH`] hits.
    pub fn run<E>(
        queries: &[JudgedQuery],
        mut search: impl FnMut(&str) -> Result<Vec<String>, E>,
    ) -> Result<Evaluation, E> {
        let mut eval = Evaluation::default();
        let mut sums: BTreeMap<QueryForm, [f64; 5]> = BTreeMap::new();
        for query in queries {
            let got = search(&query.text)?;
            let relevant: HashSet<&str> = query.relevant.iter().map(String::as_str).collect();
            let rank = got
                .iter()
                .take(DEPTH)
                .position(|id| relevant.contains(id.as_str()))
                .map(|p| p + 1);
            let sum = sums.entry(query.form).or_default();
            sum[0] += 1.0;
            for (slot, k) in [(1, 1), (2, 3), (3, 10)] {
                if rank.is_some_and(|r| r <= k) {
                    sum[slot] += 1.0;
                }
            }
            sum[4] += rank.map_or(0.0, |r| 1.0 / r as f64);
            if rank != Some(1) {
                eval.misses.push(Miss {
                    form: query.form,
                    text: query.text.clone(),
                    rank,
                    expected: query.relevant.first().cloned().unwrap_or_default(),
                    got: got.into_iter().take(3).collect(),
                });
            }
        }
        for (form, [n, s1, s3, s10, rr]) in sums {
            eval.forms.insert(
                form,
                FormScore {
                    queries: n as usize,
                    success_at_1: s1 / n,
                    success_at_3: s3 / n,
                    success_at_10: s10 / n,
                    mrr: rr / n,
                },
            );
        }
        Ok(eval)
    }

    pub fn form(&self, form: QueryForm) -> FormScore {
        self.forms.get(&form).cloned().unwrap_or_default()
    }
}

impl SearchIndex {
    /// Judges `queries` against this index, with the default page of results.
    pub fn evaluate(&self, queries: &[JudgedQuery]) -> Result<Evaluation, QueryError> {
        Evaluation::run(queries, |text| {
            let request = SearchRequest {
                limit: DEPTH,
                ..SearchRequest::text(text)
            };
            Ok(self
                .search(&request)?
                .hits
                .into_iter()
                .map(|h| h.id)
                .collect())
        })
    }
}

impl fmt::Display for Evaluation {
    /// A Markdown table, one row per form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "| query form | queries | S@1 | S@3 | S@10 | MRR |")?;
        writeln!(f, "|---|---:|---:|---:|---:|---:|")?;
        for (form, s) in &self.forms {
            writeln!(
                f,
                "| {} | {} | {:.3} | {:.3} | {:.3} | {:.3} |",
                form.name(),
                s.queries,
                s.success_at_1,
                s.success_at_3,
                s.success_at_10,
                s.mrr
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn record(id: &str, name: &str, kind: &str, province: &str, people: &[&str]) -> SiteRecord {
        let mut r = SiteRecord::new(id, name, Utc::now());
        r.site_type = SiteType::parse(kind);
        r.location.province = Some(province.into());
        r.people = people.iter().map(|p| p.to_string()).collect();
        r.level = Level::National;
        r
    }

    #[test]
    fn forms_of_a_name() {
        assert_eq!(
            drop_a_letter("Chùa Nghiêng Xa").as_deref(),
            Some("Chùa Nghêng Xa")
        );
        assert_eq!(drop_a_letter("Đa Bà"), None);
        assert_eq!(
            without_type_word("Đình làng Đông Ngạc").as_deref(),
            Some("Đông Ngạc")
        );
        assert_eq!(without_type_word("Chùa Keo"), None);
        assert_eq!(
            without_type_word("Lăng Ông Bà Chiểu").as_deref(),
            Some("Ông Bà Chiểu")
        );
    }

    #[test]
    fn queries_are_judged_by_the_records() {
        let records = vec![
            record(
                "a",
                "Đình Cao Sơn",
                "dinh",
                "Ninh Bình",
                &["Cao Sơn Đại vương"],
            ),
            record("b", "Đình Cao Sơn", "dinh", "Hà Nội", &["Cao Sơn"]),
            record("c", "Chùa Keo", "chua", "Hưng Yên", &["Không Lộ"]),
        ];
        let queries = judged_queries(&records, 100);
        let exact: Vec<_> = queries
            .iter()
            .filter(|q| q.form == QueryForm::Exact)
            .collect();
        assert_eq!(exact.len(), 1, "{exact:?}");
        assert_eq!(exact[0].relevant, ["c"]);
        let person = queries
            .iter()
            .find(|q| q.text == "đình thờ Cao Sơn")
            .unwrap();
        assert_eq!(person.relevant, ["a", "b"]);
        assert!(queries.iter().any(|q| q.text == "chùa Hưng Yên quốc gia"));

        let eval = Evaluation::run(&queries, |text| {
            Ok::<_, ()>(if text.starts_with("đình") {
                vec!["x".into(), "b".into()]
            } else {
                vec!["c".into()]
            })
        })
        .unwrap();
        // "đình thờ Cao Sơn" finds b second, "đình thờ Cao Sơn Đại vương" (only a) misses,
        // "chùa thờ Không Lộ" finds c first.
        let person = eval.form(QueryForm::TypePerson);
        assert_eq!(person.queries, 3);
        assert_eq!(person.success_at_1, 1.0 / 3.0);
        assert_eq!(person.success_at_3, 2.0 / 3.0);
        assert_eq!(person.mrr, 0.5);
        assert_eq!(eval.form(QueryForm::Exact).success_at_1, 1.0);
    }
}
