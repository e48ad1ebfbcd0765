//! Nearest neighbours: for every site with a position, the [`NEARBY`] other sites closest to it
//! — what a site page lists under "nearby".
//!
//! Imported records are mostly placed at their commune's centre, so many sites share one exact
//! position (tens per commune in a national archive). Sites are therefore grouped by position
//! first: a site's nearest are the others at its own position, lowest index first, then the
//! sites of the nearest other positions. Positions are bucketed in a grid of [`CELL_DEGREES`]
//! cells searched ring by ring until no unvisited cell can hold anything nearer than what was
//! found. The work grows with the number of sites times the sites of a few cells, and the only
//! memory kept is the answer: [`NEARBY`] entries per site, allocated to size.
//!
//! The answer is exactly a brute-force sort of every other site by (distance, index): distances
//! come from the same [`haversine_km`] on the same coordinates, and ties are broken the same way.

use std::collections::HashMap;

use crate::search::geo::haversine_km;

/// How many neighbours a site page lists.
pub const NEARBY: usize = 6;

/// Grid cell side, in degrees (about 11 km in Vietnam).
const CELL_DEGREES: f64 = 0.1;

/// Kilometres per degree of latitude on the sphere [`haversine_km`] uses.
const KM_PER_DEGREE: f64 = 111.19;

/// A neighbour: the index of the other site and its distance in km.
pub type Neighbour = (usize, f64);

/// One exact position and the sites at it, by ascending index.
struct Group {
    at: (f64, f64),
    sites: Vec<usize>,
}

/// The [`NEARBY`] nearest other sites of every site, in `positions` order; an empty list for a
/// site without a position.
pub fn nearest_neighbours(positions: &[Option<(f64, f64)>]) -> Vec<Vec<Neighbour>> {
    let groups = group_by_position(positions);
    let mut grid: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    for (g, group) in groups.iter().enumerate() {
        grid.entry(cell(group.at)).or_default().push(g);
    }
    let mut result = vec![Vec::new(); positions.len()];
    // Reused for every group: the sites of other positions found so far, with their distance.
    let mut found: Vec<Neighbour> = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        let others_here = group.sites.len() - 1;
        found.clear();
        if others_here < NEARBY {
            let wanted = NEARBY - others_here;
            search_rings(&groups, &grid, g, wanted, &mut found);
        }
        for &site in &group.sites {
            let here = group
                .sites
                .iter()
                .filter(|&&other| other != site)
                .map(|&other| (other, 0.0));
            result[site] = merge_nearest(here, found.iter().copied());
        }
    }
    result
}

/// The first [`NEARBY`] of two lists each sorted by (distance, index), in that order, in a
/// vector of exactly the size needed.
fn merge_nearest(
    a: impl Iterator<Item = Neighbour>,
    b: impl Iterator<Item = Neighbour>,
) -> Vec<Neighbour> {
    let mut merged = [(0, 0.0); NEARBY];
    let mut len = 0;
    let (mut a, mut b) = (a.peekable(), b.peekable());
    while len < NEARBY {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if (x.1, x.0) <= (y.1, y.0) => a.next(),
            (Some(_), Some(_)) => b.next(),
            (Some(_), None) => a.next(),
            (None, _) => b.next(),
        };
        let Some(next) = next else { break };
        merged[len] = next;
        len += 1;
    }
    merged[..len].to_vec()
}

/// Fills `found` with the sites of positions other than group `g`'s, nearest first (ties by
/// index), until it is sure to hold the `wanted` nearest of them (and holds at most that many,
/// unless fewer sites exist).
fn search_rings(
    groups: &[Group],
    grid: &HashMap<(i64, i64), Vec<usize>>,
    g: usize,
    wanted: usize,
    found: &mut Vec<Neighbour>,
) {
    let here = groups[g].at;
    let (cx, cy) = cell(here);
    let reach = grid_reach(grid);
    for ring in 0..=reach {
        for (x, y) in ring_cells(cx, cy, ring) {
            let Some(members) = grid.get(&(x, y)) else {
                continue;
            };
            for &other in members.iter().filter(|&&o| o != g) {
                let km = haversine_km(here, groups[other].at);
                found.extend(groups[other].sites.iter().map(|&s| (s, km)));
            }
        }
        found.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        found.truncate(wanted);
        // Anything in a cell beyond this ring is at least `ring` cells away in latitude or in
        // longitude. A degree of longitude is shortest at the highest latitude the ring reaches,
        // and a great circle is a little shorter than the parallel: 0.9 keeps the bound safe.
        let top = (here.0.abs() + (ring + 1) as f64 * CELL_DEGREES).min(89.0);
        let beyond = 0.9 * ring as f64 * CELL_DEGREES * KM_PER_DEGREE * top.to_radians().cos();
        if found.len() == wanted && found[wanted - 1].1 < beyond {
            return;
        }
    }
}

/// The [`NEARBY`] nearest other sites of one site, by a pass over all of them: for the few
/// sites whose neighbours a single change can alter.
pub fn nearest_to(positions: &[Option<(f64, f64)>], site: usize) -> Vec<Neighbour> {
    let Some(here) = positions[site] else {
        return Vec::new();
    };
    let mut best: Vec<Neighbour> = Vec::with_capacity(NEARBY + 1);
    for (other, at) in positions.iter().enumerate() {
        let Some(at) = *at else { continue };
        if other == site {
            continue;
        }
        let near = (other, haversine_km(here, at));
        let slot = best.partition_point(|b| (b.1, b.0) <= (near.1, near.0));
        if slot < NEARBY {
            best.insert(slot, near);
            best.truncate(NEARBY);
        }
    }
    best.shrink_to_fit();
    best
}

/// Sites by exact position, groups in order of their lowest site index.
fn group_by_position(positions: &[Option<(f64, f64)>]) -> Vec<Group> {
    let mut by_bits: HashMap<(u64, u64), usize> = HashMap::new();
    let mut groups: Vec<Group> = Vec::new();
    for (site, at) in positions.iter().enumerate() {
        let Some((lat, lon)) = *at else { continue };
        // -0.0 and 0.0 are the same place.
        let at = (lat + 0.0, lon + 0.0);
        let g = *by_bits
            .entry((at.0.to_bits(), at.1.to_bits()))
            .or_insert_with(|| {
                groups.push(Group {
                    at,
                    sites: Vec::new(),
                });
                groups.len() - 1
            });
        groups[g].sites.push(site);
    }
    groups
}

fn cell((lat, lon): (f64, f64)) -> (i64, i64) {
    (
        (lat / CELL_DEGREES).floor() as i64,
        (lon / CELL_DEGREES).floor() as i64,
    )
}

/// How many rings cover every occupied cell from any other: beyond that, a search has seen all.
fn grid_reach(grid: &HashMap<(i64, i64), Vec<usize>>) -> i64 {
    let (mut min_x, mut max_x, mut min_y, mut max_y) = (i64::MAX, i64::MIN, i64::MAX, i64::MIN);
    for &(x, y) in grid.keys() {
        (min_x, max_x) = (min_x.min(x), max_x.max(x));
        (min_y, max_y) = (min_y.min(y), max_y.max(y));
    }
    (max_x - min_x).max(max_y - min_y).max(0)
}

/// The cells at Chebyshev distance `ring` from `(cx, cy)`: whole columns at the two edges,
/// the top and bottom cell of the columns between.
fn ring_cells(cx: i64, cy: i64, ring: i64) -> impl Iterator<Item = (i64, i64)> {
    (-ring..=ring).flat_map(move |dx| {
        let step = if dx.abs() == ring { 1 } else { 2 * ring };
        (-ring..=ring)
            .step_by(step as usize)
            .map(move |dy| (cx + dx, cy + dy))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every other site sorted by (distance, index): the definition the grid must match.
    fn brute_force(positions: &[Option<(f64, f64)>], site: usize) -> Vec<Neighbour> {
        let Some(here) = positions[site] else {
            return Vec::new();
        };
        let mut all: Vec<Neighbour> = positions
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != site)
            .filter_map(|(j, at)| Some((j, haversine_km(here, (*at)?))))
            .collect();
        all.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        all.truncate(NEARBY);
        all
    }

    #[test]
    fn one_site_at_a_time_gives_the_same_neighbours() {
        let mut rng = fastrand::Rng::with_seed(3);
        let positions: Vec<Option<(f64, f64)>> = (0..500)
            .map(|i| (i % 7 != 0).then(|| (20.0 + rng.f64(), 105.0 + rng.f64())))
            .collect();
        for site in 0..positions.len() {
            assert_eq!(nearest_to(&positions, site), brute_force(&positions, site));
        }
    }

    #[test]
    fn ring_cells_visit_each_cell_of_the_ring_once() {
        assert_eq!(ring_cells(5, 5, 0).collect::<Vec<_>>(), [(5, 5)]);
        let ring: Vec<_> = ring_cells(0, 0, 2).collect();
        assert_eq!(ring.len(), 16);
        let unique: std::collections::HashSet<_> = ring.iter().collect();
        assert_eq!(unique.len(), 16);
        assert!(ring.iter().all(|&(x, y)| x.abs().max(y.abs()) == 2));
    }

    #[test]
    fn matches_brute_force_with_shared_positions_and_sparse_ones() {
        let mut rng = fastrand::Rng::with_seed(11);
        let centres: Vec<(f64, f64)> = (0..40)
            .map(|_| (8.5 + rng.f64() * 14.5, 102.5 + rng.f64() * 7.0))
            .collect();
        let positions: Vec<Option<(f64, f64)>> = (0..3_000)
            .map(|i| match i % 10 {
                0 => None,
                1..=6 => Some(centres[rng.usize(..centres.len())]),
                _ => Some((8.5 + rng.f64() * 14.5, 102.5 + rng.f64() * 7.0)),
            })
            .collect();
        let found = nearest_neighbours(&positions);
        for (site, near) in found.iter().enumerate() {
            assert_eq!(*near, brute_force(&positions, site), "site {site}");
            assert!(near.capacity() <= NEARBY);
        }
    }

    #[test]
    fn fewer_sites_than_neighbours_lists_them_all() {
        let positions = [
            Some((21.0, 105.8)),
            None,
            Some((21.0, 105.8)),
            Some((10.8, 106.7)),
        ];
        let found = nearest_neighbours(&positions);
        assert_eq!(found[0].len(), 2);
        assert_eq!(found[0][0], (2, 0.0));
        assert_eq!(found[1], []);
        assert_eq!(found[3].len(), 2);
    }
}
