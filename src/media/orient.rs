//! Putting a photo upright: the eight EXIF orientations as pixel transforms.
//!
//! Cameras store pixels as the sensor saw them and write tag 0x0112 to say how to show them
//! (EXIF 2.32, section 4.6.4 A, "Orientation"). Browsers honour the tag, but the derivatives
//! carry no EXIF at all, so the pixels themselves must be turned before encoding. Values:
//!
//! | tag | stored image shows the scene…     | transform to upright              |
//! |-----|-----------------------------------|-----------------------------------|
//! | 1   | as is                              | none                              |
//! | 2   | mirrored left–right                | flip horizontally                 |
//! | 3   | upside down                        | rotate 180°                       |
//! | 4   | mirrored top–bottom                | flip vertically                   |
//! | 5   | mirrored along the main diagonal   | transpose                         |
//! | 6   | turned 90° anticlockwise           | rotate 90° clockwise              |
//! | 7   | mirrored along the anti-diagonal   | transverse                        |
//! | 8   | turned 90° clockwise               | rotate 90° anticlockwise          |

/// Whether the orientation swaps width and height (the transposing ones, 5–8).
pub fn swaps_axes(orientation: u16) -> bool {
    (5..=8).contains(&orientation)
}

/// Upright dimensions of a stored `width`×`height` image with this orientation.
pub fn upright_size(orientation: u16, width: u32, height: u32) -> (u32, u32) {
    if swaps_axes(orientation) {
        (height, width)
    } else {
        (width, height)
    }
}

/// Applies `orientation` to a packed RGB buffer of `width`×`height` and returns the upright
/// buffer with its dimensions. Orientation 1 (or anything outside 2–8) returns the input as is.
pub fn apply(orientation: u16, rgb: Vec<u8>, width: u32, height: u32) -> (Vec<u8>, u32, u32) {
    if !(2..=8).contains(&orientation) {
        return (rgb, width, height);
    }
    let (w, h) = (width as usize, height as usize);
    let (out_w, out_h) = if swaps_axes(orientation) {
        (h, w)
    } else {
        (w, h)
    };
    let mut out = vec![0u8; rgb.len()];
    // For each upright pixel (x, y), the stored pixel it comes from.
    let source = |x: usize, y: usize| -> (usize, usize) {
        match orientation {
            2 => (w - 1 - x, y),
            3 => (w - 1 - x, h - 1 - y),
            4 => (x, h - 1 - y),
            5 => (y, x),
            6 => (y, h - 1 - x),
            7 => (w - 1 - y, h - 1 - x),
            _ => (w - 1 - y, x), // 8
        }
    };
    for (y, row) in out.chunks_exact_mut(out_w * 3).take(out_h).enumerate() {
        for (x, px) in row.chunks_exact_mut(3).enumerate() {
            let (sx, sy) = source(x, y);
            let at = (sy * w + sx) * 3;
            px.copy_from_slice(&rgb[at..at + 3]);
        }
    }
    (out, out_w as u32, out_h as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3×2 image whose pixels are numbered 0..6 in reading order:
    /// ```text
    /// 0 1 2
    /// 3 4 5
    /// ```
    fn numbered() -> Vec<u8> {
        (0u8..6).flat_map(|v| [v, v, v]).collect()
    }

    fn labels(rgb: &[u8]) -> Vec<u8> {
        rgb.chunks(3).map(|p| p[0]).collect()
    }

    #[test]
    fn all_eight_orientations() {
        // Expected upright images, read row by row, for a stored image that the tag describes.
        let cases: [(u16, (u32, u32), [u8; 6]); 8] = [
            (1, (3, 2), [0, 1, 2, 3, 4, 5]),
            (2, (3, 2), [2, 1, 0, 5, 4, 3]),
            (3, (3, 2), [5, 4, 3, 2, 1, 0]),
            (4, (3, 2), [3, 4, 5, 0, 1, 2]),
            (5, (2, 3), [0, 3, 1, 4, 2, 5]),
            (6, (2, 3), [3, 0, 4, 1, 5, 2]),
            (7, (2, 3), [5, 2, 4, 1, 3, 0]),
            (8, (2, 3), [2, 5, 1, 4, 0, 3]),
        ];
        for (tag, size, want) in cases {
            let (out, w, h) = apply(tag, numbered(), 3, 2);
            assert_eq!((w, h), size, "orientation {tag}");
            assert_eq!(labels(&out), want, "orientation {tag}");
        }
    }
}
