//! Cutting a free-text Vietnamese address into the parts that may name units.
//!
//! Real addresses come in either order ("Tỉnh Bắc Giang, huyện Việt Yên, xã Vân Hà" and
//! "xã An Hảo, huyện Tịnh Biên, tỉnh An Giang"), with or without commas ("huyện Phúc Thọ xã Tam
//! Hiệp thôn Thượng Hiệp"), with kind prefixes spelt every way ("Tp.", "T.P", "TT", "Tình" for
//! "Tỉnh") and with village or street parts that name no administrative unit ("thôn Tức Mạc").
//! A [`Segment`] is one such part: the kind its prefix announces, if any, and the folded key of
//! the name that follows.

use super::{Level, UnitKind};
use crate::fold;

/// What a segment's prefix (or the query field it came from) says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hint {
    /// No prefix: any level.
    Free,
    /// A kind prefix ("huyện", "TP").
    Kind(UnitKind),
    /// Given in a structured field of the query.
    Field(Level),
    /// Opens like a village or street ("thôn", "phố"): a unit only if its whole text is a name.
    Below,
}

/// One part of an address.
#[derive(Debug, Clone)]
pub(crate) struct Segment {
    /// As written (trimmed), for notes.
    pub text: String,
    pub hint: Hint,
    /// Folded key of the name without its prefix: "Tp. Hà Nội" → "hanoi".
    pub key: String,
    /// Folded key of the whole segment, for names that begin like a prefix ("Xà Phiên").
    pub full_key: String,
    /// The name's letters with their marks, independent of where the tone mark was placed:
    /// tells "Tam Đàn" from "Tam Dân", which fold alike.
    pub accents: String,
}

/// Kind prefixes, as lowercase words, with whether they are the unaccented spelling of an
/// accented word. Those ("quan", "xa", "tinh") are read as prefixes only in text typed without
/// accents, where "Quan Lạn" cannot occur. The list includes misspellings found in real
/// records ("Tình" for "Tỉnh", "hành phố" for "thành phố").
const PREFIXES: &[(&[&str], UnitKind, bool)] = &[
    (&["thành", "phố"], UnitKind::City, false),
    (&["thành", "phô"], UnitKind::City, false),
    (&["hành", "phố"], UnitKind::City, false),
    (&["thanh", "pho"], UnitKind::City, true),
    (&["t", "p"], UnitKind::City, false),
    (&["tp"], UnitKind::City, false),
    (&["thị", "xã"], UnitKind::Town, false),
    (&["thi", "xa"], UnitKind::Town, true),
    (&["tx"], UnitKind::Town, false),
    (&["thị", "trấn"], UnitKind::Township, false),
    (&["thi", "tran"], UnitKind::Township, true),
    (&["tt"], UnitKind::Township, false),
    (&["đặc", "khu"], UnitKind::SpecialZone, false),
    (&["dac", "khu"], UnitKind::SpecialZone, true),
    (&["tỉnh"], UnitKind::Province, false),
    (&["tình"], UnitKind::Province, false),
    (&["ỉnh"], UnitKind::Province, false),
    (&["tinh"], UnitKind::Province, true),
    (&["t"], UnitKind::Province, false),
    (&["huyện"], UnitKind::District, false),
    (&["huyen"], UnitKind::District, true),
    (&["h"], UnitKind::District, false),
    (&["quận"], UnitKind::UrbanDistrict, false),
    (&["quan"], UnitKind::UrbanDistrict, true),
    (&["q"], UnitKind::UrbanDistrict, false),
    (&["xã"], UnitKind::Commune, false),
    (&["xa"], UnitKind::Commune, true),
    (&["x"], UnitKind::Commune, false),
    (&["phường"], UnitKind::Ward, false),
    (&["phuong"], UnitKind::Ward, true),
    (&["p"], UnitKind::Ward, false),
];

/// Words that open a part below the commune (village, hamlet, street, house number) or a
/// name that is not a unit ("Việt Nam"); such parts are skipped unless they are a unit's name.
const BELOW_COMMUNE: &[&str] = &[
    "thôn",
    "xóm",
    "làng",
    "ấp",
    "bản",
    "khu",
    "tổ",
    "phố",
    "đường",
    "số",
    "khối",
    "cụm",
    "xứ",
    "khóm",
    "buôn",
    "ngõ",
    "ngách",
    "hẻm",
    "kiệt",
    "đội",
    "thon",
    "xom",
    "ap",
    "so",
];

/// Leading words that only connect ("nay thuộc thôn …", "tại xã …").
const FILLER: &[&str] = &["nay", "thuộc", "tại", "ở", "thuoc", "tai"];

/// Words that start a new unit inside a comma-less part ("huyện Phúc Thọ xã Tam Hiệp").
/// Accented only: unaccented text is too ambiguous to cut ("xa" is also a name syllable).
const CUT_BEFORE: &[&str] = &["tỉnh", "huyện", "quận", "xã", "phường", "thôn", "xóm"];

impl Segment {
    /// Reads one part. `field` is set when it comes from a structured query field.
    /// `None` when nothing unit-like is left (empty, a village, a street).
    pub(crate) fn parse(text: &str, field: Option<Level>) -> Option<Segment> {
        let lower = fold::lower(&unglue_prefix(text));
        let mut words: Vec<&str> = lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        while words.first().is_some_and(|w| FILLER.contains(w)) {
            words.remove(0);
        }
        // "xã Quyết Tâm và xã Việt Hùng" is cut before the second "xã".
        while words.last() == Some(&"và") {
            words.pop();
        }
        let full_key: String = words.iter().map(|w| fold::key(w)).collect();
        if full_key.is_empty() || full_key == "vietnam" {
            return None;
        }
        let mut hint = Hint::Free;
        let mut rest: &[&str] = &words;
        // Unaccented prefixes are trusted in unaccented text, and where a lowercase prefix
        // stands before a capitalised name ("xa Văn Môn"), which "Quan Lạn" is not.
        let unaccented = lower.is_ascii() || lowercase_then_capital(text);
        if let Some((len, kind)) = prefix_of(rest, unaccented) {
            hint = Hint::Kind(kind);
            rest = &rest[len..];
            // Prefixes stack when a record was corrected by hand: "xã TT Chờ" is a township.
            if let [abbr @ ("tt" | "tx" | "tp"), _, ..] = rest {
                hint = Hint::Kind(match *abbr {
                    "tt" => UnitKind::Township,
                    "tx" => UnitKind::Town,
                    _ => UnitKind::City,
                });
                rest = &rest[1..];
            }
        }
        if hint == Hint::Free && field.is_none() && BELOW_COMMUNE.contains(&words[0]) {
            // Kept only in case the whole part is a unit's name ("Bản Lầu").
            hint = Hint::Below;
            rest = &words;
        }
        if let Some(level) = field {
            hint = Hint::Field(level);
        }
        let key: String = rest.iter().map(|w| fold::key(w)).collect();
        let accents = if lower.is_ascii() {
            String::new()
        } else {
            accent_signature(&rest.join(" "))
        };
        Some(Segment {
            text: text.trim().to_owned(),
            hint,
            key,
            full_key,
            accents,
        })
    }

    /// +1 when the segment's name has exactly the marks of `short` (a unit's short name).
    /// Unaccented input gets no bonus for any candidate, so it changes no ranking.
    pub(crate) fn accent_bonus(&self, short: &str) -> i32 {
        i32::from(!self.accents.is_empty() && signature_is(&self.accents, short))
    }

    /// The keys to look the segment up by, most likely first.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        let full = (self.full_key != self.key).then_some(self.full_key.as_str());
        std::iter::once(self.key.as_str())
            .chain(full)
            .filter(|k| !k.is_empty())
    }

    /// Whether the segment may name a unit at `level`, and the score adjustment if it may:
    /// 0 when its prefix fits the unit's kind, −1 when it is the right level but another kind
    /// ("xã" for what is now a "phường") or when it has no prefix below province level.
    pub(crate) fn fit(&self, level: Level, kind: UnitKind) -> Option<i32> {
        match self.hint {
            Hint::Free => Some(if level == Level::Province { 0 } else { -1 }),
            Hint::Field(l) => (l == level).then_some(0),
            Hint::Kind(k) if k.levels().contains(&level) => Some(if k == kind { 0 } else { -1 }),
            Hint::Kind(_) => None,
            Hint::Below => (level != Level::Province).then_some(-2),
        }
    }
}

/// The kind prefix `words` open with, and how many words it takes; never the whole text.
fn prefix_of(words: &[&str], unaccented: bool) -> Option<(usize, UnitKind)> {
    PREFIXES
        .iter()
        .filter(|(_, _, ascii_form)| unaccented || !ascii_form)
        .find(|(prefix, _, _)| words.len() > prefix.len() && words[..prefix.len()] == **prefix)
        .map(|(prefix, kind, _)| (prefix.len(), *kind))
}

/// Whether the text opens with a lowercase word followed by a capitalised one.
fn lowercase_then_capital(text: &str) -> bool {
    let mut words = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty());
    let first_lower = words
        .next()
        .is_some_and(|w| w.chars().all(|c| !c.is_uppercase()));
    let second_capital = words
        .next()
        .is_some_and(|w| w.chars().next().is_some_and(char::is_uppercase));
    first_lower && second_capital
}

/// "TTGôi" → "TT Gôi": an upper-case abbreviation glued to a capitalised name.
fn unglue_prefix(text: &str) -> std::borrow::Cow<'_, str> {
    let t = text.trim_start();
    for abbr in ["TT", "TX", "TP"] {
        if let Some(rest) = t.strip_prefix(abbr)
            && rest.chars().next().is_some_and(char::is_uppercase)
        {
            return format!("{abbr} {rest}").into();
        }
    }
    text.into()
}

/// Folded letters with each word's marks sorted after it: the same for "Thụy" and "Thuỵ".
fn accent_signature(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    let mut out = String::new();
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let mut marks: Vec<char> = Vec::new();
        for c in word.nfd().flat_map(char::to_lowercase) {
            if is_combining_mark(c) {
                marks.push(c);
            } else if c == 'đ' {
                out.push('d');
                marks.push('đ');
            } else {
                out.push(c);
            }
        }
        marks.sort_unstable();
        out.extend(marks);
        out.push(' ');
    }
    out
}

/// Whether `accent_signature(text) == signature`, without building the signature.
fn signature_is(signature: &str, text: &str) -> bool {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    let mut expected = signature.chars();
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let mut marks = [' '; 8];
        let mut n = 0;
        for c in word.nfd().flat_map(char::to_lowercase) {
            let (letter, mark) = match c {
                'đ' => (Some('d'), Some('đ')),
                c if is_combining_mark(c) => (None, Some(c)),
                c => (Some(c), None),
            };
            if let Some(l) = letter
                && expected.next() != Some(l)
            {
                return false;
            }
            if let Some(m) = mark {
                if n == marks.len() {
                    return false;
                }
                marks[n] = m;
                n += 1;
            }
        }
        marks[..n].sort_unstable();
        if !marks[..n].iter().all(|&m| expected.next() == Some(m)) || expected.next() != Some(' ') {
            return false;
        }
    }
    expected.next().is_none()
}

/// Cuts an address into segments: at commas and brackets, then before each accented unit word.
pub(crate) fn segments(address: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    for part in address.split([',', ';', '(', ')', '\n', '|']) {
        for piece in cut_at_unit_words(part) {
            out.extend(Segment::parse(&piece, None));
        }
    }
    out
}

fn cut_at_unit_words(part: &str) -> Vec<String> {
    let mut pieces: Vec<String> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let words: Vec<&str> = part.split_whitespace().collect();
    for (i, w) in words.iter().enumerate() {
        let lw = w.to_lowercase();
        let next = words.get(i + 1).map(|n| n.to_lowercase());
        let prev = i.checked_sub(1).map(|p| words[p].to_lowercase());
        let starts = match lw.as_str() {
            "thị" => matches!(next.as_deref(), Some("xã" | "trấn")),
            "thành" => next.as_deref() == Some("phố"),
            "xã" => prev.as_deref() != Some("thị"),
            other => CUT_BEFORE.contains(&other),
        };
        // A unit word ends a piece only if a name follows it ("xã Tân Xã" is one name).
        if starts && !current.is_empty() && i + 1 < words.len() {
            pieces.push(current.join(" "));
            current.clear();
        }
        current.push(w);
    }
    if !current.is_empty() {
        pieces.push(current.join(" "));
    }
    pieces
}

/// Whether two keys differ by at most one inserted, deleted or replaced character.
pub(crate) fn within_one_edit(a: &str, b: &str) -> bool {
    if a.len().abs_diff(b.len()) > 4 {
        return false; // even one multi-byte character cannot bridge that
    }
    if a.is_ascii() && b.is_ascii() {
        return one_edit(a.as_bytes(), b.as_bytes());
    }
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    one_edit(&a, &b)
}

fn one_edit<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let same = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if same == short.len() {
        return true; // equal, or `long` has one extra character at the end
    }
    let skip_short = if short.len() == long.len() {
        same + 1
    } else {
        same
    };
    short[skip_short..] == long[same + 1..]
}
