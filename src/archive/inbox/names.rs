//! Safe names for what contributors send: file names and licences.
//!
//! A browser sends whatever file name the phone had, and an attacker sends anything at all:
//! `../../site.json`, `/etc/passwd`, `C:\x.jpg`, `photo\0.jpg`, `CON.jpg` (a device on Windows),
//! or a Vietnamese name in decomposed Unicode. None of these ever becomes a path as sent. Stored
//! files are named by content hash; the name a photo gets in the public archive is made here
//! from the last component of what was sent, folded to `[a-z0-9-]` by [`crate::fold::slug`],
//! with the extension of the format the bytes really have.

use crate::fold;

/// The licences a contributor can choose, by SPDX id, with the label shown on the form.
/// All allow the archive to publish the photo with credit; the default is first.
pub const LICENCES: &[(&str, &str)] = &[
    (
        "CC-BY-SA-4.0",
        "Creative Commons Attribution-ShareAlike 4.0",
    ),
    ("CC-BY-4.0", "Creative Commons Attribution 4.0"),
    ("CC0-1.0", "Public domain (CC0 1.0)"),
];

/// The SPDX id of a chosen licence, accepting any letter case; `None` if not on the list.
pub fn licence(given: &str) -> Option<&'static str> {
    LICENCES
        .iter()
        .map(|(id, _)| *id)
        .find(|id| id.eq_ignore_ascii_case(given.trim()))
}

/// Device names Windows refuses as file names, with any extension.
const WINDOWS_RESERVED: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// Longest stem kept, in bytes; long enough to recognise, short for every file system.
const MAX_STEM: usize = 60;

/// The last path component of a sent name, whichever separator the sender's system uses,
/// without control or invisible format characters (a right-to-left override makes
/// `x\u{202e}gpj.exe` read `xexe.jpg`), NFC, at most 200 characters: fit to show, not to open.
pub fn display_name(sent: &str) -> String {
    let last = sent.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = fold::visible(&fold::nfc(last)).chars().take(200).collect();
    clean.trim().to_owned()
}

/// A safe file name for the public archive: the slug of the sent name's stem (or `photo`),
/// never a Windows device name, with `extension` (which the caller takes from the bytes).
pub fn safe_file_name(sent: &str, extension: &str) -> String {
    let shown = display_name(sent);
    let stem = match shown.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => shown.as_str(),
    };
    let mut slug = fold::slug(stem);
    if slug.len() > MAX_STEM {
        let cut = slug[..MAX_STEM].trim_end_matches('-').len();
        slug.truncate(cut);
    }
    if slug.is_empty() {
        slug = "photo".to_owned();
    }
    if WINDOWS_RESERVED.contains(&slug.as_str()) {
        slug = format!("photo-{slug}");
    }
    format!("{slug}.{extension}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_become_safe() {
        let cases = [
            ("../../x.jpg", "x.jpg"),
            ("/etc/passwd", "passwd.jpg"),
            ("C:\\Users\\lan\\IMG_0001.JPG", "img-0001.jpg"),
            ("photo\0.jpg", "photo.jpg"),
            ("CON.jpg", "photo-con.jpg"),
            ("lpt1", "photo-lpt1.jpg"),
            ("..", "photo.jpg"),
            ("", "photo.jpg"),
            (".jpg", "jpg.jpg"),
            ("<script>alert(1)</script>.png", "script.jpg"),
            // NFD "Chùa Một Cột" from a phone.
            (
                "Chu\u{0300}a Mo\u{0323}\u{0302}t Co\u{0323}\u{0302}t.jpeg",
                "chua-mot-cot.jpg",
            ),
        ];
        for (sent, safe) in cases {
            let name = safe_file_name(sent, "jpg");
            assert_eq!(name, safe, "{sent:?}");
            assert!(crate::record::validate::check_photo_path(&name).is_ok());
        }
        let long = "a".repeat(300);
        assert_eq!(safe_file_name(&long, "png").len(), MAX_STEM + 4);
    }

    #[test]
    fn display_names_keep_the_text_but_no_path() {
        assert_eq!(display_name("../../Đền Hùng.jpg"), "Đền Hùng.jpg");
        // Finding 9 (bidi spoofing): format characters are dropped.
        assert_eq!(display_name("x\u{202e}gpj.exe"), "xgpj.exe");
        assert_eq!(display_name("a\u{200b}\u{2066}b\u{feff}.jpg"), "ab.jpg");
        assert_eq!(display_name("a\\b\u{0}c.jpg"), "bc.jpg");
    }

    #[test]
    fn licences_come_from_the_list() {
        assert_eq!(licence("cc-by-sa-4.0"), Some("CC-BY-SA-4.0"));
        assert_eq!(licence("All rights reserved"), None);
    }
}
