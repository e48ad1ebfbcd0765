//! Vietnamese text as machines compare it.
//!
//! Vietnamese arrives in two Unicode forms: precomposed (NFC, what keyboards on Windows and
//! Android send) and decomposed (NFD, what macOS, iOS and PDF copy-paste often send). The same
//! word in the two forms shares no bytes, so every string that will be compared, indexed or used
//! as a key goes through [`nfc`] first. *Folding* then removes tone and vowel marks and maps
//! `đ`/`Đ` to `d` — the one Vietnamese letter that is not a base letter plus marks, and the one
//! most folding tables (SQLite's `unicode61`, Pagefind) miss. Folded text is how people type
//! without a Vietnamese keyboard: `den` for `Đền`, `chua mot cot` for `Chùa Một Cột`.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The string in Unicode Normalization Form C.
pub fn nfc(text: &str) -> String {
    text.nfc().collect()
}

/// `text` without invisible format characters (Unicode category Cf: right-to-left overrides
/// and isolates, zero-width spaces and joiners, soft hyphens) and control characters: a name
/// or caption shown as `x\u{202e}gpj.exe` reads `xexe.jpg`.
pub fn visible(text: &str) -> String {
    static INVISIBLE: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"[\p{Cf}\p{Cc}]").expect("a valid pattern"));
    INVISIBLE.replace_all(text, "").into_owned()
}

/// Lowercase, mark-free, `đ` → `d`; every other character is kept as it is (spaces, digits,
/// punctuation), so offsets of words survive for ASCII text.
///
/// ```
/// assert_eq!(disan::fold::fold("Đền Trần"), "den tran");
/// assert_eq!(disan::fold::fold("Chùa Một Cột"), "chua mot cot");
/// ```
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            'đ' | 'Đ' => out.push('d'),
            // Stray precomposed or compatibility forms that NFD leaves whole.
            'ð' | 'Ð' => out.push('d'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Lowercase NFC text with its marks kept: the "exact" form of a word.
pub fn lower(text: &str) -> String {
    nfc(text).to_lowercase()
}

/// The folded text with everything but letters and digits removed: `"Tp. Hà Nội"` → `"tphanoi"`.
/// Used to compare names whose spacing and punctuation vary between sources.
pub fn key(text: &str) -> String {
    fold(text).chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Folded words: `"Thành phố Hà Nội,"` → `["thanh", "pho", "ha", "noi"]`.
pub fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A URL- and file-name-safe slug of `[a-z0-9-]`: `"Chùa Bái Đính"` → `"chua-bai-dinh"`.
/// Characters with no ASCII fold (CJK, emoji) are dropped; the result may be empty.
///
/// ```
/// assert_eq!(disan::fold::slug("Chùa Bái Đính (Ninh Bình)"), "chua-bai-dinh-ninh-binh");
/// ```
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_dash = false;
    for c in fold(text).chars() {
        if c.is_ascii_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(c);
        } else {
            pending_dash = true;
        }
    }
    out
}

/// Whether `text` is a valid slug: non-empty `[a-z0-9]` runs joined by single dashes.
pub fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && !text.starts_with('-')
        && !text.ends_with('-')
        && !text.contains("--")
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_every_vietnamese_letter_including_d_bar() {
        assert_eq!(fold("Đền Đô"), "den do");
        assert_eq!(fold("Chùa Một Cột"), "chua mot cot");
        assert_eq!(fold("ấ ệ ở ữ ỵ Ư Ơ Ă Â Ê Ô"), "a e o u y u o a a e o");
    }

    #[test]
    fn nfd_and_nfc_fold_the_same() {
        let nfd: String = "Hà Nội".nfd().collect();
        assert_ne!(nfd, "Hà Nội");
        assert_eq!(fold(&nfd), fold("Hà Nội"));
        assert_eq!(nfc(&nfd), "Hà Nội");
        assert_eq!(lower(&nfd), "hà nội");
    }

    #[test]
    fn keys_and_slugs() {
        assert_eq!(key("Tp. Hà Nội"), "tphanoi");
        assert_eq!(
            slug("  Chùa Bái Đính (Ninh Bình) "),
            "chua-bai-dinh-ninh-binh"
        );
        assert_eq!(slug("🏯"), "");
        assert!(is_slug("chua-bai-dinh"));
        assert!(!is_slug("Chua"));
        assert!(!is_slug("a--b"));
        assert!(!is_slug("-a"));
        assert!(!is_slug(""));
        assert_eq!(words("Thành phố Hà Nội,"), ["thanh", "pho", "ha", "noi"]);
    }
}
