//! The address resolver: from free text (and optional structured fields) to current and legacy
//! units, a centroid, and notes on whatever stayed unresolved.
//!
//! Commune names repeat across the country and even inside one province (Ninh Bình has five
//! Tân Thành), so resolution is hierarchical. Every reading of the address as a consistent
//! chain — province → district → commune before the reform, or province → commune after it —
//! is scored by how many of its parts it explains ([`LEVEL`] each, minus small penalties for a
//! prefix of another kind or a one-letter typo). The best-scoring chains win; a unit is
//! reported only when all of them agree on it. Disagreement becomes a note, never a guess.

use crate::record::{Accuracy, LegacyLocation};

use super::address::{self, Hint, Segment};
use super::{AdminUnits, Level, ProvinceRef, UnitKind};

/// What one explained part of an address is worth.
const LEVEL: i32 = 10;
/// The cost of reading a name with one letter changed.
pub(crate) const TYPO: i32 = -2;
/// Names shorter than this are never read with a typo: too many would match.
const TYPO_MIN_LEN: usize = 4;

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

/// One consistent reading of the address.
#[derive(Debug, Clone, Default)]
struct Chain {
    score: i32,
    legacy_province: Option<u32>,
    district: Option<u32>,
    legacy_commune: Option<u32>,
    /// Current units, for readings in post-2025 units.
    province: Option<u32>,
    commune: Option<u32>,
    /// A commune read with nothing above it: never accepted alone.
    alone: bool,
    /// Segments used for the province, district and commune.
    used: [Option<usize>; 3],
    /// Segments read with a typo, and the name they were read as.
    typos: Vec<(usize, String)>,
    /// A segment naming another district of the province than the commune's: boundaries
    /// moved since the record was written ("huyện Gia Lộc, xã Gia Xuyên", now in the city).
    moved: Option<usize>,
}

/// Exact matches of one segment, looked up once.
#[derive(Debug, Default)]
struct Matches {
    provinces: Vec<(ProvinceRef, i32)>,
    districts: Vec<u32>,
    legacy_communes: Vec<u32>,
    communes: Vec<u32>,
}

/// The units a chain stands for once every implied level is filled in.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Reading {
    province: Option<u32>,
    legacy_province: Option<u32>,
    district: Option<u32>,
    legacy_commune: Option<u32>,
    commune: Option<u32>,
}

fn lookup<'m>(map: &'m std::collections::HashMap<String, Vec<u32>>, seg: &Segment) -> &'m [u32] {
    seg.keys()
        .find_map(|k| map.get(k))
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// How well `seg` names a unit of `kind` called `short` at `level`: the prefix fit plus one
/// point when its marks match exactly.
fn score(seg: &Segment, level: Level, kind: UnitKind, short: &str) -> Option<i32> {
    Some(seg.fit(level, kind)? + seg.accent_bonus(short))
}

fn typo_ok(seg: &Segment) -> bool {
    seg.hint != Hint::Below && seg.key.len() >= TYPO_MIN_LEN
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
        let matches: Vec<Matches> = segs.iter().map(|s| self.matches(s)).collect();
        let chains = self.chains(&segs, &matches);
        self.conclude(&segs, chains)
    }

    fn matches(&self, seg: &Segment) -> Matches {
        Matches {
            provinces: if seg.hint == Hint::Below {
                Vec::new()
            } else {
                self.province_matches(seg)
            },
            districts: lookup(&self.district_keys, seg).to_vec(),
            legacy_communes: lookup(&self.legacy_commune_keys, seg).to_vec(),
            communes: lookup(&self.commune_keys, seg).to_vec(),
        }
    }

    /// How well segment `seg` names pre-2025 province `p`, if it does.
    fn names_legacy_province(&self, seg: &Segment, m: &Matches, p: u32) -> Option<i32> {
        let lp = &self.legacy_provinces[p as usize];
        let fit = seg.fit(Level::Province, lp.kind)? + seg.accent_bonus(&lp.short);
        m.provinces
            .iter()
            .filter_map(|&(r, adj)| match r {
                ProvinceRef::Legacy(l) if l == p => Some(adj),
                ProvinceRef::Historic(h) if self.historic[h as usize].legacy.contains(&p) => {
                    Some(adj)
                }
                // A current name with pre-2025 units below it: possible, slightly less likely.
                ProvinceRef::Current(c) if c == lp.current => Some(adj - 1),
                _ => None,
            })
            .max()
            .map(|adj| adj + fit)
    }

    /// How well segment `seg` names current province `p`, if it does.
    fn names_current_province(&self, seg: &Segment, m: &Matches, p: u32) -> Option<i32> {
        let p_ = &self.provinces[p as usize];
        let fit = seg.fit(Level::Province, p_.kind)? + seg.accent_bonus(&p_.short);
        m.provinces
            .iter()
            .filter(|&&(r, _)| self.current_of(r) == Some(p))
            .map(|&(_, adj)| adj)
            .max()
            .map(|adj| adj + fit)
    }

    fn chains(&self, segs: &[Segment], m: &[Matches]) -> Vec<Chain> {
        let mut out = Vec::new();
        // Readings anchored on a district named exactly.
        for (j, seg) in segs.iter().enumerate() {
            for &d in &m[j].districts {
                let Some(fit) = score(
                    seg,
                    Level::District,
                    self.districts[d as usize].kind,
                    &self.districts[d as usize].short,
                ) else {
                    continue;
                };
                let p = self.districts[d as usize].province;
                let mut chain = Chain {
                    score: LEVEL + fit,
                    district: Some(d),
                    ..Chain::default()
                };
                chain.used[1] = Some(j);
                let best_province = (0..segs.len())
                    .filter(|&l| l != j)
                    .filter_map(|l| Some((self.names_legacy_province(&segs[l], &m[l], p)?, l)))
                    .max();
                if let Some((adj, l)) = best_province {
                    chain.score += LEVEL + adj;
                    chain.used[0] = Some(l);
                }
                chain.legacy_province = Some(p);
                self.add_communes_of_district(segs, m, chain, &mut out);
            }
        }
        // Readings anchored on a pre-2025 province.
        for (l, seg) in segs.iter().enumerate() {
            for p in self.legacy_candidates(&m[l]) {
                let Some(adj) = self.names_legacy_province(seg, &m[l], p) else {
                    continue;
                };
                let mut base = Chain {
                    score: LEVEL + adj,
                    legacy_province: Some(p),
                    ..Chain::default()
                };
                base.used[0] = Some(l);
                for (j, d, adj, typo) in self.districts_in(segs, m, l, p) {
                    let mut chain = base.clone();
                    chain.score += LEVEL + adj;
                    chain.district = Some(d);
                    chain.used[1] = Some(j);
                    if typo {
                        chain
                            .typos
                            .push((j, self.districts[d as usize].name.clone()));
                    }
                    self.add_communes_of_district(segs, m, chain, &mut out);
                }
                for (i, seg) in segs.iter().enumerate().filter(|&(i, _)| i != l) {
                    let here: Vec<u32> = m[i]
                        .legacy_communes
                        .iter()
                        .copied()
                        .filter(|&c| self.province_of_legacy_commune(c) == p)
                        .collect();
                    // Without a district, a prefix or an accent must not pick between
                    // same-named communes of different districts: they all tie.
                    let same_district = here.windows(2).all(|w| {
                        self.legacy_communes[w[0] as usize].district
                            == self.legacy_communes[w[1] as usize].district
                    });
                    let fits: Vec<Option<i32>> = here
                        .iter()
                        .map(|&c| {
                            let lc = &self.legacy_communes[c as usize];
                            score(seg, Level::Commune, lc.kind, &lc.short)
                        })
                        .collect();
                    let floor = fits.iter().flatten().min().copied();
                    for (&c, fit) in here.iter().zip(fits) {
                        let Some(mut fit) = fit else { continue };
                        if !same_district {
                            fit = floor.unwrap_or(fit);
                        }
                        let lc = &self.legacy_communes[c as usize];
                        let mut chain = base.clone();
                        chain.score += LEVEL + fit;
                        chain.legacy_commune = Some(c);
                        chain.used[2] = Some(i);
                        if here.len() == 1 {
                            chain.moved = self.other_district(segs, m, [l, i], p, lc);
                            if chain.moved.is_some() {
                                // Worth more than the district alone, less than a full match.
                                chain.score += LEVEL / 2;
                            }
                        }
                        out.push(chain);
                    }
                }
                out.push(base);
            }
        }
        // Readings in current units: a current province and one of its communes.
        let legacy_best = out.iter().map(|c| c.score).max().unwrap_or(0);
        for (l, seg) in segs.iter().enumerate() {
            let mut currents: Vec<u32> = m[l]
                .provinces
                .iter()
                .filter_map(|&(r, _)| self.current_of(r))
                .collect();
            currents.sort_unstable();
            currents.dedup();
            for p in currents {
                let Some(adj) = self.names_current_province(seg, &m[l], p) else {
                    continue;
                };
                let found = self.communes_in(segs, m, l, p, legacy_best < 2 * LEVEL - 2);
                for (i, c, fit, typo) in found {
                    let mut chain = Chain {
                        score: 2 * LEVEL + adj + fit,
                        province: Some(p),
                        commune: Some(c),
                        ..Chain::default()
                    };
                    chain.used[0] = Some(l);
                    chain.used[2] = Some(i);
                    if typo {
                        chain
                            .typos
                            .push((i, self.communes[c as usize].name.clone()));
                    }
                    // The name itself tells the pre-2025 province ("Nam Định, xã Nam Trực").
                    let only_legacy: Vec<u32> = m[l]
                        .provinces
                        .iter()
                        .map(|&(r, _)| match r {
                            ProvinceRef::Legacy(x) => Some(x),
                            _ => None,
                        })
                        .collect::<Option<Vec<u32>>>()
                        .unwrap_or_default();
                    if let [x] = only_legacy[..] {
                        chain.legacy_province = Some(x);
                    }
                    out.push(chain);
                }
            }
        }
        // A commune named with nothing above it: kept to explain, never to resolve.
        if out.is_empty() {
            for (i, seg) in segs.iter().enumerate() {
                for &c in &m[i].legacy_communes {
                    if let Some(fit) = score(
                        seg,
                        Level::Commune,
                        self.legacy_communes[c as usize].kind,
                        &self.legacy_communes[c as usize].short,
                    ) {
                        let mut chain = Chain {
                            score: LEVEL + fit,
                            legacy_commune: Some(c),
                            alone: true,
                            ..Chain::default()
                        };
                        chain.used[2] = Some(i);
                        out.push(chain);
                    }
                }
                for &c in &m[i].communes {
                    if let Some(fit) = score(
                        seg,
                        Level::Commune,
                        self.communes[c as usize].kind,
                        &self.communes[c as usize].short,
                    ) {
                        let mut chain = Chain {
                            score: LEVEL + fit,
                            commune: Some(c),
                            alone: true,
                            ..Chain::default()
                        };
                        chain.used[2] = Some(i);
                        out.push(chain);
                    }
                }
            }
        }
        out
    }

    /// A segment (not in `used`) naming another district of province `p` that reaches commune
    /// `lc`: communes move to a neighbouring district (a city grows), never across the province.
    fn other_district(
        &self,
        segs: &[Segment],
        m: &[Matches],
        used: [usize; 2],
        p: u32,
        lc: &super::LegacyCommune,
    ) -> Option<usize> {
        // A commune on the far edge of a neighbour lies a little beyond the district's reach.
        const MARGIN_KM: f64 = 3.0;
        (0..segs.len()).filter(|j| !used.contains(j)).find(|&j| {
            m[j].districts.iter().any(|&o| {
                let od = &self.districts[o as usize];
                o != lc.district
                    && od.province == p
                    && segs[j].fit(Level::District, od.kind).is_some()
                    && km(od.lat, od.lon, lc.lat, lc.lon) <= od.reach_km + MARGIN_KM
            })
        })
    }

    fn province_of_legacy_commune(&self, c: u32) -> u32 {
        self.districts[self.legacy_communes[c as usize].district as usize].province
    }

    /// The pre-2025 provinces a segment's province matches could stand for.
    fn legacy_candidates(&self, m: &Matches) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        for &(r, _) in &m.provinces {
            match r {
                ProvinceRef::Legacy(l) => out.push(l),
                ProvinceRef::Historic(h) => out.extend(&self.historic[h as usize].legacy),
                ProvinceRef::Current(c) => out.extend(&self.provinces[c as usize].legacy),
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Districts of legacy province `p` named by a segment other than `l`: exact matches, or
    /// failing those a unique one-letter-typo match. (segment, district, score, typo)
    fn districts_in(
        &self,
        segs: &[Segment],
        m: &[Matches],
        l: usize,
        p: u32,
    ) -> Vec<(usize, u32, i32, bool)> {
        let mut out = Vec::new();
        for (j, seg) in segs.iter().enumerate().filter(|&(j, _)| j != l) {
            for &d in &m[j].districts {
                let dist = &self.districts[d as usize];
                if dist.province == p
                    && let Some(fit) = score(seg, Level::District, dist.kind, &dist.short)
                {
                    out.push((j, d, fit, false));
                }
            }
        }
        if !out.is_empty() {
            return out;
        }
        for (j, seg) in segs
            .iter()
            .enumerate()
            .filter(|&(j, s)| j != l && typo_ok(s))
        {
            let hits: Vec<u32> = self.legacy_provinces[p as usize]
                .districts
                .iter()
                .copied()
                .filter(|&d| {
                    address::within_one_edit(&seg.key, &self.districts[d as usize].keys[0])
                })
                .collect();
            if let [d] = hits[..]
                && let Some(fit) = seg.fit(Level::District, self.districts[d as usize].kind)
            {
                out.push((j, d, fit + TYPO, true));
            }
        }
        out
    }

    /// Extends a chain that has a district with each commune of that district some unused
    /// segment names (exactly, or failing that by a unique typo), and pushes the results.
    fn add_communes_of_district(
        &self,
        segs: &[Segment],
        m: &[Matches],
        chain: Chain,
        out: &mut Vec<Chain>,
    ) {
        let d = chain.district.expect("called with a district");
        let free = |i: usize| !chain.used.contains(&Some(i));
        let mut found = false;
        for (i, seg) in segs.iter().enumerate().filter(|&(i, _)| free(i)) {
            for &c in &m[i].legacy_communes {
                let lc = &self.legacy_communes[c as usize];
                if lc.district == d
                    && let Some(fit) = score(seg, Level::Commune, lc.kind, &lc.short)
                {
                    let mut next = chain.clone();
                    next.score += LEVEL + fit;
                    next.legacy_commune = Some(c);
                    next.used[2] = Some(i);
                    out.push(next);
                    found = true;
                }
            }
        }
        if !found {
            let p = self.districts[d as usize].province;
            let exact_elsewhere = |i: usize| {
                m[i].legacy_communes
                    .iter()
                    .any(|&c| self.province_of_legacy_commune(c) == p)
            };
            for (i, seg) in segs
                .iter()
                .enumerate()
                .filter(|&(i, s)| free(i) && typo_ok(s) && !exact_elsewhere(i))
            {
                let hits: Vec<u32> = self.districts[d as usize]
                    .communes
                    .iter()
                    .copied()
                    .filter(|&c| {
                        address::within_one_edit(
                            &seg.key,
                            &self.legacy_communes[c as usize].keys[0],
                        )
                    })
                    .collect();
                if let [c] = hits[..]
                    && let Some(fit) =
                        seg.fit(Level::Commune, self.legacy_communes[c as usize].kind)
                {
                    let mut next = chain.clone();
                    next.score += LEVEL + fit + TYPO;
                    next.legacy_commune = Some(c);
                    next.used[2] = Some(i);
                    next.typos
                        .push((i, self.legacy_communes[c as usize].name.clone()));
                    out.push(next);
                }
            }
        }
        out.push(chain);
    }

    /// Current communes of province `p` named by a segment other than `l`.
    fn communes_in(
        &self,
        segs: &[Segment],
        m: &[Matches],
        l: usize,
        p: u32,
        typos: bool,
    ) -> Vec<(usize, u32, i32, bool)> {
        let mut out = Vec::new();
        for (i, seg) in segs.iter().enumerate().filter(|&(i, _)| i != l) {
            for &c in &m[i].communes {
                let com = &self.communes[c as usize];
                if com.province == p
                    && let Some(fit) = score(seg, Level::Commune, com.kind, &com.short)
                {
                    out.push((i, c, fit, false));
                }
            }
        }
        if !out.is_empty() || !typos {
            return out;
        }
        for (i, seg) in segs
            .iter()
            .enumerate()
            .filter(|&(i, s)| i != l && typo_ok(s))
        {
            let hits: Vec<u32> = self.provinces[p as usize]
                .communes
                .iter()
                .copied()
                .filter(|&c| address::within_one_edit(&seg.key, &self.communes[c as usize].keys[0]))
                .collect();
            if let [c] = hits[..]
                && let Some(fit) = seg.fit(Level::Commune, self.communes[c as usize].kind)
            {
                out.push((i, c, fit + TYPO, true));
            }
        }
        out
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
            if !segs[i].keys().any(|k| k == lc.keys[0]) && top.iter().all(|t| t.used[2] == Some(i))
            {
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

    #[allow(clippy::too_many_arguments)]
    fn note_ambiguity(
        &self,
        segs: &[Segment],
        top: &[&Chain],
        readings: &[Reading],
        out: &mut Resolved,
        province: Option<u32>,
        district: Option<u32>,
        commune: Option<u32>,
    ) {
        if province.is_none() {
            let mut names: Vec<String> = readings
                .iter()
                .filter_map(|r| r.province)
                .map(|p| self.provinces[p as usize].short.clone())
                .collect();
            names.sort();
            names.dedup();
            let text = top
                .iter()
                .find_map(|c| c.used.iter().flatten().next())
                .map(|&i| segs[i].text.as_str())
                .unwrap_or("");
            out.notes.push(format!(
                "`{text}` could be in {} — add the province",
                list(&names)
            ));
            return;
        }
        let where_ = province
            .map(|p| self.provinces[p as usize].short.as_str())
            .unwrap_or("");
        let with_commune: Vec<&Reading> = readings
            .iter()
            .filter(|r| r.commune.is_some() || r.legacy_commune.is_some())
            .collect();
        if commune.is_none() && !with_commune.is_empty() {
            let seg = top
                .iter()
                .find_map(|c| c.used[2])
                .map(|i| segs[i].text.as_str())
                .unwrap_or("");
            let mut places: Vec<String> = with_commune.iter().map(|r| self.describe(r)).collect();
            places.sort();
            places.dedup();
            if places.len() == 1 {
                // One commune fits, but a reading without it fits the address as well.
                out.notes.push(format!(
                    "`{seg}` could be {} but does not fit the rest of the address — check the district and commune",
                    places[0]
                ));
            } else {
                let hint = if district.is_none() {
                    "add the district"
                } else {
                    "check the names"
                };
                out.notes.push(format!(
                    "commune `{seg}` matches {} places in {where_} ({}) — {hint}",
                    places.len(),
                    list(&places)
                ));
            }
        } else if district.is_none() && readings.iter().any(|r| r.district.is_some()) {
            let mut names: Vec<String> = readings
                .iter()
                .filter_map(|r| r.district)
                .map(|d| self.districts[d as usize].name.clone())
                .collect();
            names.sort();
            names.dedup();
            out.notes.push(format!(
                "could be {} in {where_} — add the district or commune",
                list(&names)
            ));
        }
    }

    fn note_unused(
        &self,
        segs: &[Segment],
        top: &[&Chain],
        out: &mut Resolved,
        province: Option<u32>,
    ) {
        for (i, seg) in segs.iter().enumerate() {
            if seg.hint == Hint::Below
                || top
                    .iter()
                    .any(|c| c.used.contains(&Some(i)) || c.moved == Some(i))
            {
                continue;
            }
            // "Tỉnh Thừa Thiên Huế, tp. Huế": a second name of the same province.
            if province.is_some()
                && self
                    .province_matches(seg)
                    .iter()
                    .any(|&(r, _)| self.current_of(r) == province)
            {
                continue;
            }
            let what = match seg.hint {
                Hint::Kind(UnitKind::City) => "province or district",
                Hint::Kind(k) => k.levels()[0].word(),
                Hint::Field(l) => l.word(),
                _ => "province, district or commune",
            };
            let scope = province
                .map(|p| format!(" in {}", self.provinces[p as usize].short))
                .unwrap_or_default();
            out.notes.push(format!("{what} `{}` not recognised{scope} — check the spelling; current and pre-2025 names are both accepted", seg.text));
        }
    }

    /// "Xã Tân Thành (Huyện Yên Mô, Ninh Bình)".
    fn describe(&self, r: &Reading) -> String {
        let name = match (r.legacy_commune, r.commune) {
            (Some(c), _) => self.legacy_communes[c as usize].name.clone(),
            (None, Some(c)) => self.communes[c as usize].name.clone(),
            _ => String::new(),
        };
        let mut within: Vec<String> = Vec::new();
        if r.legacy_commune.is_some()
            && let Some(d) = r.district
        {
            within.push(self.districts[d as usize].name.clone());
        }
        if let Some(p) = r.legacy_province.filter(|_| r.legacy_commune.is_some()) {
            within.push(self.legacy_provinces[p as usize].short.clone());
        } else if let Some(p) = r.province {
            within.push(self.provinces[p as usize].short.clone());
        }
        format!("{name} ({})", within.join(", "))
    }
}

/// Distance in km, equirectangular: plenty for "is it next door".
pub(crate) fn km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let dy = (lat1 - lat2) * 111.32;
    let dx = (lon1 - lon2) * 111.32 * ((lat1 + lat2) / 2.0).to_radians().cos();
    dx.hypot(dy)
}

/// "A, B, C and 4 more".
fn list(items: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut text = items
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > SHOWN {
        text.push_str(&format!(" and {} more", items.len() - SHOWN));
    }
    text
}
