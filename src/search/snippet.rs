//! Excerpts for the result list: the passage of a site's summary (or else its description)
//! that holds the most of the query's words, HTML-escaped, with each match in `<mark>`.
//!
//! Matching compares folded words, so `den tran` marks "Đền Trần", while the excerpt is always
//! cut from the original, accented text. Words are split exactly where the index splits them
//! (at every character that is not a letter or digit) and folded a character at a time without
//! allocating. tantivy's `SnippetGenerator` gives the same marks on the folded field, but runs
//! the whole analyzer chain over every description — most of the cost of a search page on real
//! data — so passages are found here in one cheap scan instead.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

use super::query::QueryWords;

/// Longest lead excerpt, in characters.
const MAX_CHARS: usize = 180;
/// Longest highlighted passage, in UTF-8 bytes (Vietnamese averages about 1.4 bytes a
/// character, so about 170 characters).
const MAX_PASSAGE_BYTES: usize = 240;
/// Context kept before the first match of a passage.
const LEAD_BYTES: usize = 48;
/// Texts are scanned up to this many matches: enough for any passage worth showing, and a
/// bound on the work a long description can cause (the index stores only its start anyway).
const MAX_MATCHES: usize = 256;

/// Builds excerpts for one query.
pub(crate) struct Highlighter {
    words: Vec<String>,
    /// Bit `n` is set when a word is `n` bytes long (63 for any longer): most words of a text
    /// are turned away by their length, before any comparison.
    lengths: u64,
    /// Bit `b` is set when a word starts with the ASCII byte `b` (every bit when one starts
    /// with anything else): a text's word whose first letter is not among them is passed over
    /// without folding the rest of it, which most of a description's words are.
    firsts: u128,
}

/// A query word found in a text.
#[derive(Debug, Clone, Copy)]
struct Found {
    start: usize,
    end: usize,
    word: usize,
}

/// The best run of matches: `matches[from..to]`, holding `distinct` different query words.
struct Passage {
    from: usize,
    to: usize,
    distinct: u32,
}

impl Highlighter {
    pub fn new(words: &QueryWords) -> Highlighter {
        let mut unique = words.folded.clone();
        unique.sort();
        unique.dedup();
        let lengths = unique.iter().fold(0, |m, w| m | length_bit(w));
        let firsts = unique.iter().fold(0, |m, w| match w.as_bytes().first() {
            Some(&b) if b.is_ascii() => m | 1 << b,
            _ => u128::MAX,
        });
        Highlighter {
            words: unique,
            lengths,
            firsts,
        }
    }

    /// The excerpt for a site: the highlighted passage of the summary or the description that
    /// holds more of the words, or the start of the summary when neither contains any.
    pub fn excerpt(&self, summary: Option<&str>, description: Option<&str>) -> Option<String> {
        let mut best: Option<(u32, String)> = None;
        if !self.words.is_empty() {
            for text in [summary, description].into_iter().flatten() {
                let found = self.find(text);
                let Some(passage) = best_passage(&found) else {
                    continue;
                };
                if passage.distinct > best.as_ref().map_or(0, |b| b.0) {
                    let html = render(text, &found[passage.from..passage.to]);
                    best = Some((passage.distinct, html));
                }
                if passage.distinct as usize >= self.words.len() {
                    break;
                }
            }
        }
        if let Some((_, html)) = best {
            return Some(html);
        }
        let text = summary.or(description)?.trim();
        (!text.is_empty()).then(|| lead(text))
    }

    /// The query words in `text`, in order, up to the first passage that holds all of them.
    fn find(&self, text: &str) -> Vec<Found> {
        let all = (1u64 << self.words.len().min(63)) - 1;
        let mut found: Vec<Found> = Vec::new();
        let mut folded = String::new();
        let mut start = None;
        // Whether the current word's first letter already rules it out.
        let mut passed_over = false;
        let mut stop_at = None;
        for (i, c) in text
            .char_indices()
            .chain(std::iter::once((text.len(), ' ')))
        {
            if is_word_char(c) {
                if start.is_none() {
                    start = Some(i);
                    folded.clear();
                    push_folded(c, &mut folded);
                    passed_over = folded
                        .as_bytes()
                        .first()
                        .is_some_and(|&b| b.is_ascii() && self.firsts & 1 << b == 0);
                } else if !passed_over {
                    push_folded(c, &mut folded);
                }
                continue;
            }
            let Some(word_start) = start.take() else {
                continue;
            };
            if stop_at.is_some_and(|stop| i > stop) {
                break;
            }
            if passed_over || self.lengths & length_bit(&folded) == 0 {
                continue;
            }
            if let Some(word) = self.words.iter().position(|w| *w == folded) {
                found.push(Found {
                    start: word_start,
                    end: i,
                    word,
                });
                // A passage that holds every word cannot be beaten by anything later: read on
                // only as far as it may reach.
                let recent = found
                    .iter()
                    .rev()
                    .take_while(|f| i - f.start <= MAX_PASSAGE_BYTES);
                let mask = recent.fold(0u64, |m, f| m | 1 << (f.word % 64));
                if mask == all && stop_at.is_none() {
                    stop_at = Some(i + MAX_PASSAGE_BYTES);
                }
                if found.len() >= MAX_MATCHES {
                    break;
                }
            }
        }
        found
    }
}

/// A word's bit in [`Highlighter::lengths`].
fn length_bit(word: &str) -> u64 {
    1 << word.len().min(63)
}

/// Whether `c` belongs to a word, as tantivy's `SimpleTokenizer` decides (`is_alphanumeric`),
/// answered without the slow Unicode table lookup for the Latin letters Vietnamese uses.
fn is_word_char(c: char) -> bool {
    match c {
        _ if c.is_ascii() => c.is_ascii_alphanumeric(),
        '×' | '÷' => false,
        '\u{c0}'..='\u{24f}' | '\u{1e00}'..='\u{1eff}' => true,
        _ => c.is_alphanumeric(),
    }
}

/// First and last character of the precomputed folding table: Latin-1 Supplement to Latin
/// Extended Additional, which holds every Vietnamese letter.
const TABLE_FIRST: u32 = 0xc0;
const TABLE_LAST: u32 = 0x1eff;

/// The single-character fold of each character in the table range (`'\0'` where the fold is
/// not exactly one character, such as `ß`).
fn fold_table() -> &'static [char] {
    static TABLE: std::sync::OnceLock<Vec<char>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        (TABLE_FIRST..=TABLE_LAST)
            .map(|code| {
                let mut folded = String::new();
                if let Some(c) = char::from_u32(code) {
                    fold_slowly(c, &mut folded);
                }
                let mut chars = folded.chars();
                match (chars.next(), chars.next()) {
                    (Some(one), None) => one,
                    _ => '\0',
                }
            })
            .collect()
    })
}

/// Lowercase, marks removed, `đ` → `d`: the folded analyzer's view of one character.
fn push_folded(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    let code = u32::from(c);
    if (TABLE_FIRST..=TABLE_LAST).contains(&code) {
        let folded = fold_table()[(code - TABLE_FIRST) as usize];
        if folded != '\0' {
            out.push(folded);
            return;
        }
    }
    fold_slowly(c, out);
}

fn fold_slowly(c: char, out: &mut String) {
    match c {
        'đ' | 'Đ' | 'ð' | 'Ð' => out.push('d'),
        _ => decompose_canonical(c, |part| {
            if !is_combining_mark(part) {
                out.extend(part.to_lowercase());
            }
        }),
    }
}

/// The run of matches that fits in a passage and is best: the most different words, then
/// the most of them side by side (a phrase), then the tightest, then the earliest.
fn best_passage(found: &[Found]) -> Option<Passage> {
    let mut best: Option<(Passage, (u32, u32, usize))> = None;
    let mut to = 0;
    for from in 0..found.len() {
        to = to.max(from + 1);
        while to < found.len() && found[to].end - found[from].start <= MAX_PASSAGE_BYTES {
            to += 1;
        }
        let run = &found[from..to];
        let all = run.iter().fold(0u64, |m, f| m | 1 << (f.word % 64));
        // The shortest prefix of the run that already holds all its different words.
        let (mut mask, mut adjacent, mut span) = (0u64, 0u32, 0);
        for (k, f) in run.iter().enumerate() {
            mask |= 1 << (f.word % 64);
            if k > 0 && f.start - run[k - 1].end <= 3 && f.word != run[k - 1].word {
                adjacent += 1;
            }
            if mask == all {
                span = f.end - run[0].start;
                break;
            }
        }
        let distinct = all.count_ones();
        let better = best.as_ref().is_none_or(|(_, (d, a, s))| {
            (distinct, adjacent) > (*d, *a) || ((distinct, adjacent) == (*d, *a) && span < *s)
        });
        if better {
            best = Some((Passage { from, to, distinct }, (distinct, adjacent, span)));
        }
    }
    best.map(|(passage, _)| passage)
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The passage around `marks` (non-empty, in order) with `<mark>`s and ellipses.
fn render(text: &str, marks: &[Found]) -> String {
    let first = marks[0].start;
    let last = marks[marks.len() - 1].end;
    // Some context before the first match, starting at a word.
    let room = MAX_PASSAGE_BYTES.saturating_sub(last - first);
    let mut start = floor_boundary(text, first.saturating_sub(LEAD_BYTES.min(room)));
    if start > 0 {
        start = text[start..first]
            .find(char::is_whitespace)
            .map_or(first, |i| start + i + 1);
    }
    // Fill the rest of the budget, ending after a word.
    let mut end = floor_boundary(text, (start + MAX_PASSAGE_BYTES).min(text.len()).max(last));
    if end < text.len() {
        end = text[last..end]
            .rfind(char::is_whitespace)
            .map_or(last, |i| last + i);
    }
    let mut html = String::with_capacity(end - start + 32);
    if start > 0 {
        html.push('…');
    }
    let mut at = start;
    for mark in marks {
        escape_into(&text[at..mark.start], &mut html);
        html.push_str("<mark>");
        escape_into(&text[mark.start..mark.end], &mut html);
        html.push_str("</mark>");
        at = mark.end;
    }
    escape_into(text[at..end].trim_end(), &mut html);
    if end < text.len() {
        html.push('…');
    }
    html
}

/// The first [`MAX_CHARS`] characters of `text`, cut at a space, escaped.
fn lead(text: &str) -> String {
    let mut html = String::new();
    match text.char_indices().nth(MAX_CHARS) {
        None => escape_into(text, &mut html),
        Some((cut, _)) => {
            let cut = text[..cut]
                .rfind(char::is_whitespace)
                .filter(|&i| i > 0)
                .unwrap_or(cut);
            escape_into(text[..cut].trim_end(), &mut html);
            html.push('…');
        }
    }
    html
}

/// Escapes the five characters that are special in HTML text and attributes.
pub fn escape_into(text: &str, out: &mut String) {
    // Writing to a `String` cannot fail.
    let _ = write_escaped(text, out);
}

/// [`escape_into`] for any writer. The text between special characters is written a run at a
/// time: a character at a time, escaping was a twentieth of a site page.
pub fn write_escaped(text: &str, out: &mut impl std::fmt::Write) -> std::fmt::Result {
    let mut plain = 0;
    for (i, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        // The five are ASCII, so `i` and `i + 1` are character boundaries.
        out.write_str(&text[plain..i])?;
        out.write_str(entity)?;
        plain = i + 1;
    }
    out.write_str(&text[plain..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::analyzer::Analyzers;

    fn highlighter(q: &str) -> Highlighter {
        Highlighter::new(&QueryWords::analyze(&Analyzers::default(), q))
    }

    #[test]
    fn folded_query_marks_accented_words() {
        let h = highlighter("den tran");
        let html = h
            .excerpt(Some("Khu Đền Trần thờ các vua <Trần>."), None)
            .unwrap();
        assert_eq!(
            html,
            "Khu <mark>Đền</mark> <mark>Trần</mark> thờ các vua &lt;<mark>Trần</mark>&gt;."
        );
    }

    #[test]
    fn words_are_passed_over_by_first_letter_only_when_it_rules_them_out() {
        // "Đ" folds to "d": the first letter is judged folded, never as typed.
        let h = highlighter("den ung");
        let html = h.excerpt(Some("Đường đèo tới ĐỀN ỨNG."), None);
        assert_eq!(
            html.as_deref(),
            Some("Đường đèo tới <mark>ĐỀN</mark> <mark>ỨNG</mark>.")
        );
        // A word that does not start with a Latin letter turns the shortcut off.
        let h = highlighter("chùa 寺");
        let html = h.excerpt(Some("Chùa 寺 cổ"), None);
        assert_eq!(
            html.as_deref(),
            Some("<mark>Chùa</mark> <mark>寺</mark> cổ")
        );
    }

    #[test]
    fn folding_matches_the_analyzer_for_every_vietnamese_letter() {
        let letters = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ";
        for c in letters.chars().chain(letters.to_uppercase().chars()) {
            let mut folded = String::new();
            push_folded(c, &mut folded);
            assert_eq!(folded, crate::fold::fold(&c.to_string()), "{c}");
        }
    }

    #[test]
    fn word_characters_agree_with_the_tokenizer() {
        for code in 0..0x2000 {
            if let Some(c) = char::from_u32(code) {
                assert_eq!(is_word_char(c), c.is_alphanumeric(), "{c:?}");
            }
        }
    }

    #[test]
    fn long_texts_are_cut_around_the_densest_passage() {
        let h = highlighter("Lê Đại Hành");
        let filler = "Một đoạn văn dài không liên quan gì cả. ".repeat(30);
        let text = format!("Vua Lê ở đầu. {filler}Đền thờ vua Lê Đại Hành ở đây. {filler}");
        let html = h.excerpt(None, Some(&text)).unwrap();
        assert!(html.starts_with('…') && html.ends_with('…'), "{html}");
        // The phrase wins over the earlier lone "Lê"; some context is kept before it.
        let phrase = "cả. Đền thờ vua <mark>Lê</mark> <mark>Đại</mark> <mark>Hành</mark> ở đây.";
        assert!(html.contains(phrase), "{html}");
        assert!(!html.contains("đầu"), "{html}");
    }

    #[test]
    fn falls_back_to_the_description_then_to_the_lead() {
        let h = highlighter("Lê");
        let html = h
            .excerpt(Some("Không có."), Some("Thờ vua Lê Đại Hành"))
            .unwrap();
        assert_eq!(html, "Thờ vua <mark>Lê</mark> Đại Hành");
        let long = "chữ ".repeat(100);
        let html = h.excerpt(Some(&long), None).unwrap();
        assert!(
            html.ends_with('…') && html.chars().count() <= MAX_CHARS + 1,
            "{html}"
        );
        let script = highlighter("")
            .excerpt(Some("<script>x</script>"), None)
            .unwrap();
        assert_eq!(script, "&lt;script&gt;x&lt;/script&gt;");
        let mut quoted = String::new();
        escape_into("\"Đền\" & 'Chùa' <b>", &mut quoted);
        assert_eq!(quoted, "&quot;Đền&quot; &amp; &#39;Chùa&#39; &lt;b&gt;");
        assert_eq!(h.excerpt(None, None), None);
    }
}
