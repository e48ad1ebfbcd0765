//! Building every consistent reading ("chain") of an address's segments, and scoring it.

use super::super::address::{self, Hint, Segment};
use super::super::{AdminUnits, LegacyCommune, Level, ProvinceRef, UnitKind};
use super::{LEVEL, TYPO, TYPO_MIN_LEN, km};

/// One consistent reading of the address.
#[derive(Debug, Clone, Default)]
pub(super) struct Chain {
    pub(super) score: i32,
    pub(super) legacy_province: Option<u32>,
    pub(super) district: Option<u32>,
    pub(super) legacy_commune: Option<u32>,
    /// Current units, for readings in post-2025 units.
    pub(super) province: Option<u32>,
    pub(super) commune: Option<u32>,
    /// A commune read with nothing above it: never accepted alone.
    pub(super) alone: bool,
    /// Segments used for the province, district and commune.
    pub(super) used: [Option<usize>; 3],
    /// Segments read with a typo, and the name they were read as.
    pub(super) typos: Vec<(usize, String)>,
    /// A segment naming another district of the province than the commune's: boundaries
    /// moved since the record was written ("huyện Gia Lộc, xã Gia Xuyên", now in the city).
    pub(super) moved: Option<usize>,
}

/// Exact matches of one segment, looked up once.
#[derive(Debug, Default)]
pub(super) struct Matches {
    pub(super) provinces: Vec<(ProvinceRef, i32)>,
    pub(super) districts: Vec<u32>,
    pub(super) legacy_communes: Vec<u32>,
    pub(super) communes: Vec<u32>,
}

/// The units a chain stands for once every implied level is filled in.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(super) struct Reading {
    pub(super) province: Option<u32>,
    pub(super) legacy_province: Option<u32>,
    pub(super) district: Option<u32>,
    pub(super) legacy_commune: Option<u32>,
    pub(super) commune: Option<u32>,
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

impl Matches {
    pub(super) fn is_empty(&self) -> bool {
        self.provinces.is_empty()
            && self.districts.is_empty()
            && self.legacy_communes.is_empty()
            && self.communes.is_empty()
    }
}

impl AdminUnits {
    pub(super) fn matches(&self, seg: &Segment) -> Matches {
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

    pub(super) fn chains(&self, segs: &[Segment], m: &[Matches]) -> Vec<Chain> {
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
        lc: &LegacyCommune,
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
}
