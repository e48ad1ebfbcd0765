//! Pictures drawn on the server as SVG, so they need no script and no map service: the
//! progress chart of a campaign (one line per figure over the days of its snapshots), the map
//! of its communes coloured by completion, and the map of a volunteer's nearest tasks.
//!
//! Maps use a local equirectangular projection fitted to what they show (a province is far
//! smaller than the country map of [`crate::web::map`]), with longitude shortened by the cosine
//! of the middle latitude so that distances look right.

use std::fmt::Write;

use chrono::NaiveDate;
use serde::Serialize;

use crate::campaigns::Tally;

/// A line of the progress chart.
#[derive(Debug, Serialize)]
pub struct Line {
    /// The CSS class that colours it: `done`, `photo`, `precise`, `described`, `sourced`.
    pub class: &'static str,
    /// `x,y x,y …` for a `<polyline>`.
    pub points: String,
    /// The last value, printed at the line's end.
    pub last: String,
    pub last_x: f64,
    pub last_y: f64,
}

/// The progress chart.
#[derive(Debug, Serialize)]
pub struct Chart {
    pub width: u32,
    pub height: u32,
    pub lines: Vec<Line>,
    /// Day labels along the bottom: (x, text).
    pub days: Vec<(f64, String)>,
    /// Percent grid lines: (y, text).
    pub grid: Vec<(f64, String)>,
    /// The plotting area's left and right edges and its bottom.
    pub left: f64,
    pub right: f64,
    pub bottom: f64,
}

/// A line of the chart: its CSS class and the count it draws.
type Figure = (&'static str, fn(&Tally) -> u32);

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 600.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 228.0;

/// The chart of `series` from `from` to `to` (at least one day apart), in percent of sites.
pub fn progress(series: &[(NaiveDate, Tally)], from: NaiveDate, to: NaiveDate) -> Chart {
    let to = if to <= from {
        from.succ_opt().unwrap_or(from)
    } else {
        to
    };
    let span = (to - from).num_days().max(1) as f64;
    let x = |day: NaiveDate| {
        LEFT + (day - from).num_days().clamp(0, span as i64) as f64 / span * (RIGHT - LEFT)
    };
    let y = |pct: f64| BOTTOM - pct.clamp(0.0, 100.0) / 100.0 * (BOTTOM - TOP);
    let figures: [Figure; 5] = [
        ("sourced", |t| t.sourced),
        ("described", |t| t.described),
        ("precise", |t| t.precise),
        ("photo", |t| t.photo),
        ("done", |t| t.done),
    ];
    let lines = figures
        .iter()
        .filter(|_| !series.is_empty())
        .map(|(class, value)| {
            let mut points = String::new();
            let mut previous: Option<f64> = None;
            for (day, tally) in series {
                let (px, py) = (x(*day), y(tally.percent(value(tally))));
                // A step: the figure held until the next snapshot.
                if let Some(prev) = previous {
                    let _ = write!(points, "{px:.1},{prev:.1} ");
                }
                let _ = write!(points, "{px:.1},{py:.1} ");
                previous = Some(py);
            }
            let (last_day, last) = series.last().expect("not empty");
            let pct = last.percent(value(last));
            Line {
                class,
                points: points.trim_end().to_owned(),
                last: format!("{pct:.0}%"),
                last_x: x(*last_day),
                last_y: y(pct),
            }
        })
        .collect();
    let steps = 4.min(span as i64).max(1);
    let days = (0..=steps)
        .map(|i| {
            let day = from + chrono::Duration::days((span as i64) * i / steps);
            (x(day), day.format("%d/%m").to_string())
        })
        .collect();
    let grid = [0.0, 25.0, 50.0, 75.0, 100.0]
        .iter()
        .map(|&p| (y(p), format!("{p:.0}%")))
        .collect();
    Chart {
        width: WIDTH as u32,
        height: HEIGHT as u32,
        lines,
        days,
        grid,
        left: LEFT,
        right: RIGHT,
        bottom: BOTTOM,
    }
}

/// A projection fitted to a set of positions.
#[derive(Debug, Clone, Copy)]
pub struct Fit {
    west: f64,
    north: f64,
    scale: f64,
    lon_factor: f64,
    pub width: f64,
    pub height: f64,
}

impl Fit {
    /// Fits `points` (lat, lon) into `width` map units, with a margin, at least `min_span`
    /// degrees across so that one point still makes a sensible map.
    pub fn of(points: &[(f64, f64)], width: f64, min_span: f64) -> Option<Fit> {
        let first = points.first()?;
        let (mut south, mut north, mut west, mut east) = (first.0, first.0, first.1, first.1);
        for &(lat, lon) in points {
            south = south.min(lat);
            north = north.max(lat);
            west = west.min(lon);
            east = east.max(lon);
        }
        let lon_factor = ((south + north) / 2.0).to_radians().cos();
        let pad = |lo: &mut f64, hi: &mut f64| {
            let span = (*hi - *lo).max(min_span);
            let middle = (*lo + *hi) / 2.0;
            *lo = middle - span * 0.55;
            *hi = middle + span * 0.55;
        };
        pad(&mut south, &mut north);
        pad(&mut west, &mut east);
        let scale = width / ((east - west) * lon_factor);
        let height = ((north - south) * scale).clamp(width * 0.4, width * 1.6);
        Some(Fit {
            west,
            north,
            scale,
            lon_factor,
            width,
            height,
        })
    }

    pub fn project(&self, lat: f64, lon: f64) -> (f64, f64) {
        (
            ((lon - self.west) * self.lon_factor * self.scale).clamp(0.0, self.width),
            ((self.north - lat) * self.scale).clamp(0.0, self.height),
        )
    }

    /// Whether a position falls inside the map.
    pub fn shows(&self, lat: f64, lon: f64) -> bool {
        let x = (lon - self.west) * self.lon_factor * self.scale;
        let y = (self.north - lat) * self.scale;
        (0.0..=self.width).contains(&x) && (0.0..=self.height).contains(&y)
    }
}

/// A commune on the completion map.
#[derive(Debug, Serialize)]
pub struct Spot {
    pub x: f64,
    pub y: f64,
    pub r: f64,
    /// `p0` (nothing done) … `p5` (all done): the colour.
    pub class: &'static str,
    pub title: String,
    pub href: String,
}

/// A map: its size, the faint dots of the communes around, and what it marks.
#[derive(Debug, Serialize)]
pub struct MapView {
    pub width: u32,
    pub height: u32,
    /// An SVG path of dots: every current commune inside the map.
    pub ground: String,
    pub spots: Vec<Spot>,
}

/// The completion class of a share in percent.
pub fn share_class(pct: f64) -> &'static str {
    match pct {
        p if p >= 100.0 => "p5",
        p if p >= 75.0 => "p4",
        p if p >= 50.0 => "p3",
        p if p >= 25.0 => "p2",
        p if p > 0.0 => "p1",
        _ => "p0",
    }
}

/// One place on the map: position, sites, share done, label, link.
pub type Place = ((f64, f64), u32, f64, String, String);

/// The map of `communes`: circles sized by the number of sites and coloured by the share done.
pub fn communes_map(communes: &[Place]) -> Option<MapView> {
    let points: Vec<(f64, f64)> = communes.iter().map(|c| c.0).collect();
    let fit = Fit::of(&points, 600.0, 0.2)?;
    let most = communes.iter().map(|c| c.1).max().unwrap_or(1).max(1) as f64;
    let spots = communes
        .iter()
        .map(|((lat, lon), sites, share, title, href)| {
            let (x, y) = fit.project(*lat, *lon);
            Spot {
                x: round(x),
                y: round(y),
                r: round(4.0 + 12.0 * (f64::from(*sites) / most).sqrt()),
                class: share_class(*share),
                title: title.clone(),
                href: href.clone(),
            }
        })
        .collect();
    Some(MapView {
        width: fit.width as u32,
        height: fit.height as u32,
        ground: ground(&fit),
        spots,
    })
}

/// Dots for every current commune inside the map, one per map unit.
pub fn ground(fit: &Fit) -> String {
    let units = crate::admin_units::units();
    let mut cells = std::collections::BTreeSet::new();
    for province in units.provinces() {
        for c in units.communes_of(&province.short) {
            if fit.shows(c.lat, c.lon) {
                let (x, y) = fit.project(c.lat, c.lon);
                cells.insert(((x / 4.0).round() as i32 * 4, (y / 4.0).round() as i32 * 4));
            }
        }
    }
    let mut d = String::with_capacity(cells.len() * 10);
    for (x, y) in cells {
        let _ = write!(d, "M{x} {y}h0");
    }
    d
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_steps_through_the_snapshots() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        let tally = |done| Tally {
            sites: 10,
            done,
            ..Tally::default()
        };
        let chart = progress(&[(day(1), tally(0)), (day(3), tally(5))], day(1), day(5));
        let done = chart.lines.iter().find(|l| l.class == "done").unwrap();
        assert_eq!(done.last, "50%");
        // Start at 0 %, hold until the 3rd, then step up to 50 %.
        assert_eq!(done.points.split(' ').count(), 3);
        assert!(progress(&[], day(1), day(1)).lines.is_empty());
    }

    #[test]
    fn maps_fit_what_they_show() {
        let fit = Fit::of(&[(20.25, 105.97)], 600.0, 0.2).unwrap();
        let (x, y) = fit.project(20.25, 105.97);
        assert!((x - 300.0).abs() < 1.0 && (y - fit.height / 2.0).abs() < 1.0);
        let map = communes_map(&[
            ((20.25, 105.97), 10, 100.0, "A".into(), "#a".into()),
            ((20.30, 106.10), 1, 0.0, "B".into(), "#b".into()),
        ])
        .unwrap();
        assert_eq!(map.spots[0].class, "p5");
        assert!(map.spots[0].r > map.spots[1].r);
        assert!(map.spots[0].x < map.spots[1].x && map.spots[0].y > map.spots[1].y);
        assert!(map.ground.contains('M'));
    }
}
