//! Maps without a tile server: positions drawn as dots on a plain projection of Vietnam.
//!
//! The country's shape is drawn from data the program already has — the centres of its 3,300
//! communes, one dot each — so the map costs no outside request and no map data file. Sites are
//! drawn the same way over it. Tiles from a map service could be added later behind a setting;
//! by default the site makes no third-party requests.

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::admin_units;

/// The mainland and near islands (Phú Quốc, Côn Đảo, Lý Sơn). Farther islands are drawn at
/// the edge rather than stretching the map to the Spratlys.
const WEST: f64 = 102.0;
const EAST: f64 = 110.0;
const SOUTH: f64 = 8.3;
const NORTH: f64 = 23.5;
/// Map units per degree of latitude; longitude is shortened by cos(16°), the middle latitude.
const SCALE: f64 = 32.0;
const LON_FACTOR: f64 = 0.961;

/// Width and height of the map in its own units (the SVG `viewBox`).
pub fn size() -> (u32, u32) {
    (
        ((EAST - WEST) * SCALE * LON_FACTOR).ceil() as u32,
        ((NORTH - SOUTH) * SCALE).ceil() as u32,
    )
}

/// Where a position falls on the map, clamped to its edges.
pub fn project(lat: f64, lon: f64) -> (f64, f64) {
    let lat = lat.clamp(SOUTH, NORTH);
    let lon = lon.clamp(WEST, EAST);
    ((lon - WEST) * SCALE * LON_FACTOR, (NORTH - lat) * SCALE)
}

/// An SVG path of round dots (`M x y h0` drawn with round caps), one per distinct whole map
/// unit: 9,000 sites become a few kilobytes.
pub fn dots_path(points: impl IntoIterator<Item = (f64, f64)>) -> String {
    let cells: BTreeSet<(i32, i32)> = points
        .into_iter()
        .map(|(lat, lon)| {
            let (x, y) = project(lat, lon);
            (x.round() as i32, y.round() as i32)
        })
        .collect();
    let mut d = String::with_capacity(cells.len() * 10);
    for (x, y) in cells {
        let _ = write!(d, "M{x} {y}h0");
    }
    d
}

/// The country's shape as a standalone SVG (served as a fingerprinted asset).
pub fn silhouette_svg() -> String {
    let units = admin_units::units();
    let centres = units
        .provinces()
        .iter()
        .flat_map(|p| units.communes_of(&p.name))
        .map(|c| (c.lat, c.lon));
    let (w, h) = size();
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\">\
         <path d=\"{}\" stroke=\"#cfd8cc\" stroke-width=\"5\" stroke-linecap=\"round\" fill=\"none\"/></svg>",
        dots_path(centres)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hanoi_is_north_of_saigon_and_inside() {
        let (w, h) = size();
        let hanoi = project(21.03, 105.85);
        let saigon = project(10.78, 106.70);
        assert!(hanoi.1 < saigon.1);
        for (x, y) in [hanoi, saigon] {
            assert!(x >= 0.0 && x <= w as f64 && y >= 0.0 && y <= h as f64);
        }
        assert_eq!(
            dots_path([(21.03, 105.85), (21.031, 105.851)])
                .matches('M')
                .count(),
            1
        );
        assert!(silhouette_svg().matches('M').count() > 1000);
    }
}
