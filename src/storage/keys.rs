//! Every object key Disan writes, computed in one place (as [`crate::layout`] does for files).
//!
//! - `generations/<number>.json` — one published generation, written after everything it
//!   names; the number zero-padded to 20 digits so key order is number order.
//! - `blobs/<blake3>` — a bundle of small files or one large file of a generation.
//! - `media/<shard>/<name>` — photo derivatives and deep-zoom tiles, under the same relative
//!   path as in `index/media/` (those names already derive from the photo's content hash).
//! - `originals/<blake3>` — photo originals accepted into the archive.

pub const GENERATIONS: &str = "generations";
pub const BLOBS: &str = "blobs";
pub const MEDIA: &str = "media";
pub const ORIGINALS: &str = "originals";

pub fn generation(number: u64) -> String {
    format!("{GENERATIONS}/{number:020}.json")
}

/// The number of a generation's key; `None` for anything else under `generations/`.
pub fn generation_number(key: &str) -> Option<u64> {
    let name = key.strip_prefix(GENERATIONS)?.strip_prefix('/')?;
    let digits = name.strip_suffix(".json")?;
    (digits.len() == 20 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

pub fn blob(hash: &str) -> String {
    format!("{BLOBS}/{hash}")
}

/// A derivative or tile: `relative` is its path below `index/media/`, checked by the caller.
pub fn media(relative: &str) -> String {
    format!("{MEDIA}/{relative}")
}

pub fn original(hash: &str) -> String {
    format!("{ORIGINALS}/{hash}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_keys_sort_by_number_and_read_back() {
        assert!(generation(9) < generation(10));
        assert_eq!(generation_number(&generation(1234)), Some(1234));
        assert_eq!(generation_number("generations/12.json"), None);
        assert_eq!(generation_number("blobs/00000000000000000001.json"), None);
    }
}
