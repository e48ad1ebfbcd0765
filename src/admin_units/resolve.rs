//! The address resolver: from free text (and optional structured fields) to current and legacy
//! units, a centroid, and notes on whatever stayed unresolved.
//!
//! Commune names repeat across the country and even inside one province (Ninh Bình has five
//! Tân Thành), so resolution is hierarchical. Every reading of the address as a consistent
//! chain — province → district → commune before the reform, or province → commune after it —
//! is scored by how many of its parts it explains ([`LEVEL`] each, minus small penalties for a
//! prefix of another kind or a one-letter typo). The best-scoring chains win; a unit is
//! reported only when all of them agree on it. Disagreement becomes a note, never a guess.

mod chains;
mod notes;

use crate::record::{Accuracy, LegacyLocation};

use super::address::{self, Hint, Segment};
use super::{AdminUnits, Level};
use chains::{Chain, Matches, Reading};
use notes::list;

/// What one explained part of an address is worth.
pub(crate) const LEVEL: i32 = 10;
/// The cost of reading a name with one letter changed.
pub(crate) const TYPO: i32 = -2;
/// Names shorter than this are never read with a typo: too many would match.
pub(crate) const TYPO_MIN_LEN: usize = 4;

/// An address to resolve: free text, structured fields, or both.
#[derive(Debug, Clone, Copy, Default)]
pub struct AddressQuery<'a> {
    pub address: Option<&'a str>,
    pub commune: Option<&'a str>,
    pub district: Option<&'a str>,
    pub province: Option<&'a str>,
}

impl<'a> AddressQuery<'a> {
    /// A query made of free text only.
    pub fn text(address: &'a str) -> Self {
        AddressQuery {
            address: Some(address),
            ..Default::default()
        }
    }
}

/// Where an address lies, as far as it could be told without guessing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Resolved {
    /// Current (post-2025) province, short name: "Ninh Bình".
    pub province: Option<String>,
    /// Current commune or ward, full name with its kind: "Xã Nam Trực".
    pub commune: Option<String>,
    /// Pre-2025 units: province short, district and commune full.
    pub legacy: LegacyLocation,
    /// The best known centroid: commune, else district, else province.
    pub centroid: Option<(f64, f64, Accuracy)>,
    /// Why something is unresolved or how it was inferred, each with a hint.
    pub notes: Vec<String>,
}

impl AdminUnits {
    /// Resolves an address. Never fails: what cannot be told is left `None` with a note.
    pub fn resolve(&self, q: &AddressQuery) -> Resolved {
        let mut segs: Vec<Segment> = q.address.map(address::segments).unwrap_or_default();
        for (text, level) in [
            (q.commune, Level::Commune),
            (q.district, Level::District),
            (q.province, Level::Province),
        ] {
            if let Some(seg) = text.and_then(|t| Segment::parse(t, Some(level))) {
                segs.push(seg);
            }
        }
        let mut matches: Vec<Matches> = segs.iter().map(|s| self.matches(s)).collect();
        self.split_joined(&mut segs, &mut matches);
        let chains = self.chains(&segs, &matches);
        self.conclude(&segs, chains)
    }

    /// A site on the border of two communes is written "xã Gia Thắng và Gia Tiến" or "Nhân
    /// Hậu- Nghĩa Thịnh". A segment that names nothing as a whole is cut there, each part
    /// keeping the prefix; the parts then compete like any two readings, so the site is placed
    /// only as far as they agree (often the current commune, which took both).
    fn split_joined(&self, segs: &mut Vec<Segment>, matches: &mut Vec<Matches>) {
        let mut i = 0;
        while i < segs.len() {
            let joined = matches[i].is_empty()
                && (segs[i].text.contains(" và ") || segs[i].text.contains(['-', '–']));
            if !joined {
                i += 1;
                continue;
            }
            let hint = segs[i].hint;
            let parts: Vec<Segment> = segs[i]
                .text
                .split(" và ")
                .flat_map(|p| p.split(['-', '–']))
                .filter_map(|p| Segment::parse(p, None))
                .map(|mut part| {
                    if part.hint == Hint::Free {
                        part.hint = hint;
                    }
                    part
                })
                .collect();
            if parts.len() < 2 {
                i += 1;
                continue;
            }
            let n = parts.len();
            let found: Vec<Matches> = parts.iter().map(|s| self.matches(s)).collect();
            segs.splice(i..=i, parts);
            matches.splice(i..=i, found);
            i += n;
        }
    }

    /// Every unit a chain implies, filled in upwards and across the reform.
    fn reading(&self, c: &Chain) -> Reading {
        let mut r = Reading {
            legacy_province: c.legacy_province,
            district: c.district,
            legacy_commune: c.legacy_commune,
            province: c.province,
            commune: c.commune,
        };
        if let Some(lc) = r.legacy_commune {
            let lc = &self.legacy_communes[lc as usize];
            r.district = Some(lc.district);
            r.commune = Some(lc.current);
        }
        if let Some(d) = r.district {
            let d = &self.districts[d as usize];
            r.legacy_province = Some(d.province);
            r.commune = r.commune.or(d.current_commune);
        }
        if let Some(c) = r.commune {
            let com = &self.communes[c as usize];
            r.province = Some(com.province);
            r.legacy_province = r.legacy_province.or(com.legacy_province);
            r.district = r.district.or(com.legacy_district);
        }
        if let Some(lp) = r.legacy_province {
            r.province = Some(self.legacy_provinces[lp as usize].current);
        }
        r
    }

    /// Keeps the best readings, reports what they agree on and notes the rest.
    fn conclude(&self, segs: &[Segment], chains: Vec<Chain>) -> Resolved {
        let mut out = Resolved::default();
        let Some(best) = chains.iter().map(|c| c.score).max() else {
            for seg in segs.iter().filter(|s| s.hint != Hint::Below) {
                out.notes.push(format!("`{}` not recognised as a province, district or commune — check the spelling; current and pre-2025 names are both accepted", seg.text));
            }
            if segs.is_empty() {
                out.notes.push("no address given".to_owned());
            }
            return out;
        };
        let top: Vec<&Chain> = chains.iter().filter(|c| c.score == best).collect();
        let mut readings: Vec<Reading> = top.iter().map(|c| self.reading(c)).collect();
        // A current-unit reading that lands where a pre-2025 reading does says the same thing.
        let legacy_targets: Vec<Option<u32>> = readings
            .iter()
            .filter(|r| r.legacy_commune.is_some())
            .map(|r| r.commune)
            .collect();
        let keep: Vec<bool> = top
            .iter()
            .zip(&readings)
            .map(|(c, r)| {
                !(c.commune.is_some()
                    && r.legacy_commune.is_none()
                    && legacy_targets.contains(&r.commune))
            })
            .collect();
        let top: Vec<&Chain> = top
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(c, _)| *c)
            .collect();
        readings = readings
            .into_iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(r, _)| r)
            .collect();

        if top.iter().all(|c| c.alone) {
            let seg = &segs[top[0].used[2].unwrap_or(0)];
            let mut places: Vec<String> = readings.iter().map(|r| self.describe(r)).collect();
            places.sort();
            places.dedup();
            out.notes.push(format!(
                "commune `{}` alone is not enough to place it ({}) — add the district or province",
                seg.text,
                list(&places)
            ));
            return out;
        }

        let agreed = |f: fn(&Reading) -> Option<u32>| {
            let first = f(&readings[0]);
            readings
                .iter()
                .all(|r| f(r) == first)
                .then_some(first)
                .flatten()
        };
        let province = agreed(|r| r.province);
        let legacy_province = agreed(|r| r.legacy_province);
        let district = agreed(|r| r.district);
        let legacy_commune = agreed(|r| r.legacy_commune);
        let commune = agreed(|r| r.commune);

        out.province = province.map(|p| self.provinces[p as usize].short.clone());
        out.commune = commune.map(|c| self.communes[c as usize].name.clone());
        out.legacy = LegacyLocation {
            province: legacy_province.map(|p| self.legacy_provinces[p as usize].short.clone()),
            district: district.map(|d| self.districts[d as usize].name.clone()),
            commune: legacy_commune.map(|c| self.legacy_communes[c as usize].name.clone()),
        };
        out.centroid = if let Some(c) = legacy_commune {
            let c = &self.legacy_communes[c as usize];
            Some((c.lat, c.lon, Accuracy::CommuneCentroid))
        } else if let Some(c) = commune {
            let c = &self.communes[c as usize];
            Some((c.lat, c.lon, Accuracy::CommuneCentroid))
        } else if let Some(d) = district {
            let d = &self.districts[d as usize];
            Some((d.lat, d.lon, Accuracy::DistrictCentroid))
        } else if let Some(p) = legacy_province {
            let p = &self.legacy_provinces[p as usize];
            Some((p.lat, p.lon, Accuracy::ProvinceCentroid))
        } else {
            province.map(|p| {
                let p = &self.provinces[p as usize];
                (p.lat, p.lon, Accuracy::ProvinceCentroid)
            })
        };

        self.note_ambiguity(segs, &top, &readings, &mut out, province, district, commune);
        self.note_unused(segs, &top, &mut out, province);
        if let Some(c) = legacy_commune {
            let lc = &self.legacy_communes[c as usize];
            if !lc.split_also.is_empty() {
                let others: Vec<String> = lc
                    .split_also
                    .iter()
                    .map(|&o| self.communes[o as usize].name.clone())
                    .collect();
                out.notes.push(format!(
                    "{} was split in 2025 between {} and {}; took {}, which kept its name or has the nearest centre — check if the site lies near the border",
                    lc.name,
                    self.communes[lc.current as usize].name,
                    list(&others),
                    self.communes[lc.current as usize].name
                ));
            }
        }
        if let (Some(c), Some(i)) = (legacy_commune, top[0].used[2]) {
            let lc = &self.legacy_communes[c as usize];
            let typo = top.iter().any(|t| t.typos.iter().any(|(j, _)| *j == i));
            let alias = !segs[i].keys().any(|k| k == lc.keys[0]);
            if alias && !typo && top.iter().all(|t| t.used[2] == Some(i)) {
                out.notes.push(format!(
                    "`{}` is a former name: it was merged into {} before 2025",
                    segs[i].text, lc.name
                ));
            }
        }
        if let (Some(c), Some(j)) = (legacy_commune, top[0].moved)
            && top.iter().all(|t| t.moved == Some(j))
        {
            let lc = &self.legacy_communes[c as usize];
            out.notes.push(format!(
                "`{}` is not in {} but in {}: boundaries have moved since the record was written — took {}",
                segs[top[0].used[2].unwrap_or(j)].text,
                segs[j].text,
                self.districts[lc.district as usize].name,
                lc.name
            ));
        }
        if province.is_some() && top.iter().all(|c| c.used[0].is_none()) {
            let from = top[0].used[1]
                .map(|j| ("district", j))
                .or(top[0].used[2].map(|i| ("commune", i)));
            if let Some((what, i)) = from {
                out.notes
                    .push(format!("province inferred from {what} `{}`", segs[i].text));
            }
        }
        if commune.is_none() && out.notes.is_empty() {
            out.notes.push(
                "no commune or ward recognised in the address — add one to place it more precisely"
                    .to_owned(),
            );
        }
        let mut typos: Vec<&(usize, String)> = top.iter().flat_map(|c| &c.typos).collect();
        typos.dedup();
        for (i, name) in typos {
            out.notes.push(format!(
                "read `{}` as {name} (one letter differs)",
                segs[*i].text
            ));
        }
        out
    }
}

/// Distance in km, equirectangular: plenty for "is it next door".
pub(crate) fn km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let dy = (lat1 - lat2) * 111.32;
    let dx = (lon1 - lon2) * 111.32 * ((lat1 + lat2) / 2.0).to_radians().cos();
    dx.hypot(dy)
}
