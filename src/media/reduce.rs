//! Big PNGs decoded to a reduced size, row by row, in memory that does not grow with the photo.
//!
//! A PNG compresses flat areas so well that 118 KB can declare 100 megapixels; decoded whole it
//! takes 400–800 MB and seconds. What a derivative needs is far smaller, so the rows are read
//! one at a time (every byte is still inflated and checked, so damage anywhere is found) and
//! each pixel is added into the box of the reduced image it falls in. Memory is the reduced
//! image's boxes plus one row; time is linear in the pixels. Interlaced (Adam7) files send their
//! pixels in seven passes, each a sub-grid of the image; every pixel still lands in its box.

use std::io::Cursor;
use std::path::Path;

use super::MediaError;
use super::decode::Decoded;

/// Adam7 passes: (first column, first row, column step, row step).
const ADAM7: [(u32, u32, u32, u32); 7] = [
    (0, 0, 8, 8),
    (4, 0, 8, 8),
    (0, 4, 4, 8),
    (2, 0, 4, 4),
    (0, 2, 2, 4),
    (1, 0, 2, 2),
    (0, 1, 1, 2),
];

/// The reduction factor for an image whose long edge is `long` when at least `min_long_edge`
/// must remain: 1 means decode at full size.
pub fn factor(long: u32, min_long_edge: u32) -> u32 {
    (long / min_long_edge.max(1)).max(1)
}

/// Decodes a PNG reduced by `factor` in each direction (box filter), transparent areas on
/// white. `width`×`height` is what its header declares (already checked against the limits).
pub fn decode_png(
    bytes: &[u8],
    path: &Path,
    width: u32,
    height: u32,
    factor: u32,
) -> Result<Decoded, MediaError> {
    let corrupt = |detail: String| MediaError::Corrupt {
        path: path.to_path_buf(),
        format: "PNG",
        detail,
    };
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(|e| corrupt(e.to_string()))?;
    let interlaced = reader.info().interlaced;
    let channels = match reader.output_color_type().0 {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Indexed => {
            return Err(corrupt("a palette that could not be expanded".into()));
        }
    };
    let (out_w, out_h) = (width.div_ceil(factor), height.div_ceil(factor));
    // Per box: red, green, blue over white (alpha applied per pixel), and the pixel count.
    let mut sums = vec![0u32; out_w as usize * out_h as usize * 3];
    let mut counts = vec![0u32; out_w as usize * out_h as usize];
    let passes: Vec<(u32, u32, u32, u32)> = if interlaced {
        ADAM7
            .iter()
            .copied()
            .filter(|&(x0, y0, _, _)| x0 < width && y0 < height)
            .collect()
    } else {
        vec![(0, 0, 1, 1)]
    };
    for (x0, y0, dx, dy) in passes {
        let lines = (height - y0).div_ceil(dy);
        for line in 0..lines {
            let row = reader
                .next_row()
                .map_err(|e| corrupt(e.to_string()))?
                .ok_or_else(|| corrupt("the file ends before the picture does".into()))?;
            let y = y0 + line * dy;
            let by = (y / factor) as usize;
            for (i, pixel) in row.data().chunks_exact(channels).enumerate() {
                let x = x0 + i as u32 * dx;
                if x >= width {
                    break;
                }
                let (r, g, b, a) = match *pixel {
                    [l] => (l, l, l, 255),
                    [l, a] => (l, l, l, a),
                    [r, g, b] => (r, g, b, 255),
                    [r, g, b, a, ..] => (r, g, b, a),
                    _ => (0, 0, 0, 0),
                };
                let a = u32::from(a);
                let over_white = |c: u8| (u32::from(c) * a + 255 * (255 - a) + 127) / 255;
                let at = by * out_w as usize + (x / factor) as usize;
                sums[at * 3] += over_white(r);
                sums[at * 3 + 1] += over_white(g);
                sums[at * 3 + 2] += over_white(b);
                counts[at] += 1;
            }
        }
    }
    reader.finish().map_err(|e| corrupt(e.to_string()))?;
    let rgb = sums
        .chunks_exact(3)
        .zip(&counts)
        .flat_map(|(sum, &n)| {
            let n = n.max(1);
            [sum[0], sum[1], sum[2]].map(|s| ((s + n / 2) / n) as u8)
        })
        .collect();
    Ok(Decoded {
        rgb,
        width: out_w,
        height: out_h,
        full_width: width,
        full_height: height,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Left half red, right half blue; with alpha, fully transparent. An interlaced file is
    /// written by hand (the encoder writes only plain ones): Adam7 passes, stored deflate.
    fn png(width: u32, height: u32, interlaced: bool, alpha: bool) -> Vec<u8> {
        let pixel = |x: u32| {
            let mut p = if x < width / 2 {
                vec![255, 0, 0]
            } else {
                vec![0, 0, 255]
            };
            if alpha {
                p.push(0);
            }
            p
        };
        let passes: Vec<(u32, u32, u32, u32)> = if interlaced {
            ADAM7.to_vec()
        } else {
            vec![(0, 0, 1, 1)]
        };
        let mut raw = Vec::new();
        for (x0, y0, dx, dy) in passes {
            if x0 >= width || y0 >= height {
                continue;
            }
            let row: Vec<u8> =
                std::iter::once(0) // filter: none
                    .chain((x0..width).step_by(dx as usize).flat_map(pixel))
                    .collect();
            for _ in (y0..height).step_by(dy as usize) {
                raw.extend_from_slice(&row);
            }
        }
        // zlib with stored blocks.
        let mut z = vec![0x78, 0x01];
        for (i, block) in raw.chunks(65_535).enumerate() {
            let last = (i + 1) * 65_535 >= raw.len();
            z.push(u8::from(last));
            z.extend((block.len() as u16).to_le_bytes());
            z.extend((!(block.len() as u16)).to_le_bytes());
            z.extend(block);
        }
        let (mut a, mut b) = (1u32, 0u32);
        for &byte in &raw {
            a = (a + u32::from(byte)) % 65_521;
            b = (b + a) % 65_521;
        }
        z.extend(((b << 16) | a).to_be_bytes());
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut chunk = |kind: &[u8], data: &[u8]| {
            out.extend((data.len() as u32).to_be_bytes());
            let mut crc = crc32fast::Hasher::new();
            crc.update(kind);
            crc.update(data);
            out.extend(kind);
            out.extend(data);
            out.extend(crc.finalize().to_be_bytes());
        };
        let mut ihdr = width.to_be_bytes().to_vec();
        ihdr.extend(height.to_be_bytes());
        ihdr.extend([8, if alpha { 6 } else { 2 }, 0, 0, u8::from(interlaced)]);
        chunk(b"IHDR", &ihdr);
        chunk(b"IDAT", &z);
        chunk(b"IEND", &[]);
        out
    }

    #[test]
    fn reduces_plain_and_interlaced_alike() {
        for interlaced in [false, true] {
            let bytes = png(64, 40, interlaced, false);
            let d = decode_png(&bytes, Path::new("x.png"), 64, 40, 4).unwrap();
            assert_eq!((d.width, d.height), (16, 10));
            assert_eq!(&d.rgb[..3], &[255, 0, 0], "interlaced {interlaced}");
            let last = d.rgb.len() - 3;
            assert_eq!(&d.rgb[last..], &[0, 0, 255], "interlaced {interlaced}");
        }
        // Fully transparent goes on white.
        let d = decode_png(&png(16, 16, false, true), Path::new("x.png"), 16, 16, 2).unwrap();
        assert_eq!(&d.rgb[..3], &[255, 255, 255]);
    }

    #[test]
    fn a_cut_file_is_refused() {
        let bytes = png(64, 64, false, false);
        let cut = &bytes[..bytes.len() / 2];
        assert!(decode_png(cut, Path::new("x.png"), 64, 64, 2).is_err());
    }
}
