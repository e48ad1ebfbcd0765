//! How text becomes searchable words: the three analyzers of the search index.
//!
//! Vietnamese is written in syllables separated by spaces, so a word-splitting tokenizer is the
//! right unit; what needs care is the form of each syllable. Every analyzer first brings its text
//! to Unicode NFC, because tantivy's `SimpleTokenizer` treats combining marks as separators and
//! would cut decomposed "Việt" into `vie` + `t`. Then:
//!
//! - [`VI_EXACT`] keeps the marks and only lowercases: `Đường` → `đường`. A query typed with
//!   accents matches this form first.
//! - [`VI_FOLDED`] also folds marks and `đ` → `d`: `Đường`, `Dương` and `đường` all become
//!   `duong`, which is how people type without a Vietnamese keyboard.
//! - [`EN_STEM`] is for the English fields: folded (English text quotes Vietnamese names) and
//!   stemmed, so `temples` finds `temple`.
//!
//! - [`VI_PAIRS`] turns the folded words into neighbouring pairs (`cach mang`, `mang thang`…):
//!   a pair is one term, so "these words together" (in a description, a name, a person…) is
//!   read from a short list of sites at search time instead of from the positions of two
//!   common words.
//!
//! There is no minimum token length: two-letter syllables such as `Hà` or `Lê` are names. Very
//! long runs (CJK text has no spaces, pasted URLs) are dropped so they cannot bloat the index.
//! The analyzers are registered on the index every time it is opened ([`register`]); the same
//! values are used to analyze queries, so index and query can never disagree.

use tantivy::Index;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer, TextAnalyzerBuilder, Token, TokenStream, Tokenizer,
};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Lowercase, accents kept.
pub const VI_EXACT: &str = "disan_vi_exact";
/// Lowercase, accents and `đ` folded to ASCII.
pub const VI_FOLDED: &str = "disan_vi_folded";
/// Lowercase, folded and stemmed with the English Snowball stemmer.
pub const EN_STEM: &str = "disan_en_stem";

/// Neighbouring folded words, each pair one token (`ha noi`).
pub const VI_PAIRS: &str = "disan_vi_pairs";

/// Tokens longer than this many bytes are dropped: the longest Vietnamese syllable
/// (`nghiêng`) is 9 bytes in UTF-8, the longest English words about 30.
const MAX_TOKEN_BYTES: usize = 48;

/// Wraps a tokenizer so that it sees NFC text. Text that is already NFC (the common case, and
/// always the case for indexed text, which [`super::document`] normalises) is passed through
/// untouched, so token offsets point into the caller's string.
#[derive(Clone, Default)]
pub struct NfcTokenizer<T> {
    inner: T,
    buffer: String,
}

impl<T> NfcTokenizer<T> {
    pub fn new(inner: T) -> Self {
        NfcTokenizer {
            inner,
            buffer: String::new(),
        }
    }
}

impl<T: Tokenizer> Tokenizer for NfcTokenizer<T> {
    type TokenStream<'a> = T::TokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        let NfcTokenizer { inner, buffer } = self;
        if is_nfc_quick(text.chars()) == IsNormalized::Yes {
            return inner.token_stream(text);
        }
        buffer.clear();
        buffer.extend(text.nfc());
        inner.token_stream(buffer.as_str())
    }
}

/// NFC → words → drop very long runs → lowercase: the part the three analyzers share.
fn base() -> TextAnalyzerBuilder<impl Tokenizer> {
    TextAnalyzer::builder(NfcTokenizer::new(SimpleTokenizer::default()))
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
}

/// The folded words of a text taken two by two, neighbours only: a word dropped as too long
/// leaves a gap, so the words around it do not make a pair.
#[derive(Clone)]
pub struct PairTokenizer {
    words: TextAnalyzer,
    pairs: Vec<Token>,
}

impl PairTokenizer {
    fn new(words: TextAnalyzer) -> PairTokenizer {
        PairTokenizer {
            words,
            pairs: Vec::new(),
        }
    }
}

impl Tokenizer for PairTokenizer {
    type TokenStream<'a> = PairStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> PairStream<'a> {
        let PairTokenizer { words, pairs } = self;
        pairs.clear();
        let mut last: Option<Token> = None;
        let mut stream = words.token_stream(text);
        while stream.advance() {
            let word = stream.token();
            if let Some(before) = last.as_ref().filter(|t| t.position + 1 == word.position) {
                pairs.push(Token {
                    offset_from: before.offset_from,
                    offset_to: word.offset_to,
                    position: pairs.len(),
                    text: pair_text(&before.text, &word.text),
                    position_length: 1,
                });
            }
            last = Some(word.clone());
        }
        PairStream { pairs, next: 0 }
    }
}

/// The pairs [`PairTokenizer`] found, one after the other.
pub struct PairStream<'a> {
    pairs: &'a mut Vec<Token>,
    next: usize,
}

impl TokenStream for PairStream<'_> {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.pairs.len()
    }

    fn token(&self) -> &Token {
        &self.pairs[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.pairs[self.next - 1]
    }
}

/// The term of two neighbouring folded words in a [`VI_PAIRS`] field.
pub fn pair_text(first: &str, second: &str) -> String {
    let mut text = String::with_capacity(first.len() + 1 + second.len());
    text.push_str(first);
    text.push(' ');
    text.push_str(second);
    text
}

/// The analyzers, built once and cloned where a mutable one is needed.
#[derive(Clone)]
pub struct Analyzers {
    pub exact: TextAnalyzer,
    pub folded: TextAnalyzer,
    pub english: TextAnalyzer,
    pub pairs: TextAnalyzer,
}

impl Default for Analyzers {
    fn default() -> Self {
        let folded = base().filter(AsciiFoldingFilter).build();
        Analyzers {
            exact: base().build(),
            pairs: TextAnalyzer::from(PairTokenizer::new(folded.clone())),
            folded,
            english: base()
                .filter(AsciiFoldingFilter)
                .filter(Stemmer::new(Language::English))
                .build(),
        }
    }
}

/// Registers the analyzers under the names the schema refers to. Call on every open: tantivy
/// does not persist custom tokenizers.
pub fn register(index: &Index, analyzers: &Analyzers) {
    let manager = index.tokenizers();
    manager.register(VI_EXACT, analyzers.exact.clone());
    manager.register(VI_FOLDED, analyzers.folded.clone());
    manager.register(EN_STEM, analyzers.english.clone());
    manager.register(VI_PAIRS, analyzers.pairs.clone());
}

/// The words of `text` as `analyzer` indexes them, in order.
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    stream.process(&mut |token: &Token| out.push(token.text.clone()));
    out
}

/// The words of `text`, at most `max` of them; stops reading the text once it has them.
pub fn first_tokens(analyzer: &mut TextAnalyzer, text: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while out.len() < max && stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(analyzer: &TextAnalyzer, text: &str) -> Vec<String> {
        tokens(&mut analyzer.clone(), text)
    }

    #[test]
    fn folds_every_vietnamese_letter_like_crate_fold() {
        // Every precomposed Vietnamese letter, both cases: the folded analyzer must agree with
        // `crate::fold::fold`, which is what the rest of the crate compares with.
        let lower = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ";
        let a = Analyzers::default();
        for c in lower.chars().chain(lower.to_uppercase().chars()) {
            let s = c.to_string();
            assert_eq!(
                run(&a.folded, &s),
                vec![crate::fold::fold(&s)],
                "letter {c}"
            );
        }
    }

    #[test]
    fn nfd_text_gives_the_same_tokens_as_nfc() {
        let a = Analyzers::default();
        let nfc = "Đền Trần, Việt Nam";
        let nfd: String = nfc.nfd().collect();
        assert_eq!(run(&a.exact, &nfd), ["đền", "trần", "việt", "nam"]);
        assert_eq!(run(&a.folded, &nfd), ["den", "tran", "viet", "nam"]);
        assert_eq!(run(&a.exact, nfc), run(&a.exact, &nfd));
    }

    #[test]
    fn short_syllables_kept_and_long_runs_dropped() {
        let a = Analyzers::default();
        assert_eq!(run(&a.folded, "Hà Lê Ô"), ["ha", "le", "o"]);
        let long = "x".repeat(200);
        assert_eq!(run(&a.folded, &format!("a {long} b")), ["a", "b"]);
        assert!(run(&a.folded, "\"():^*- 🏯 !!").is_empty());
    }

    #[test]
    fn pairs_are_neighbouring_folded_words() {
        let a = Analyzers::default();
        assert_eq!(
            run(&a.pairs, "Cách mạng Tháng Tám"),
            ["cach mang", "mang thang", "thang tam"]
        );
        assert!(run(&a.pairs, "Hà").is_empty());
        // A dropped long run separates its neighbours; punctuation does not.
        let long = "x".repeat(200);
        assert_eq!(run(&a.pairs, &format!("a {long} b c, d")), ["b c", "c d"]);
        let mut pairs = a.pairs.clone();
        let mut stream = pairs.token_stream("Đền Trần");
        assert!(stream.advance());
        assert_eq!(
            (stream.token().offset_from, stream.token().offset_to),
            (0, "Đền Trần".len())
        );
        assert_eq!(stream.token().text, pair_text("den", "tran"));
        assert!(!stream.advance());
    }

    #[test]
    fn english_is_stemmed_and_folded() {
        let a = Analyzers::default();
        assert_eq!(
            run(&a.english, "Temples of Hà Nội"),
            ["templ", "of", "ha", "noi"]
        );
        assert_eq!(
            first_tokens(&mut a.english.clone(), "a b c d", 2),
            ["a", "b"]
        );
    }
}
