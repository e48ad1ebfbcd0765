//! Reading the embedded unit tables (`data/*.tsv`, written by `tools/derive_admin_units.py`)
//! and building the folded-key indexes the resolver looks names up in.

use std::collections::HashMap;

use thiserror::Error;

use super::historic::{self, HistoricProvince};
use super::{
    AdminUnits, Commune, LegacyCommune, LegacyDistrict, LegacyProvince, Province, ProvinceRef,
    UnitKind,
};
use crate::fold;

const PROVINCES: &str = include_str!("data/provinces.tsv");
const COMMUNES: &str = include_str!("data/communes.tsv");
const LEGACY_PROVINCES: &str = include_str!("data/legacy_provinces.tsv");
const LEGACY_DISTRICTS: &str = include_str!("data/legacy_districts.tsv");
const LEGACY_COMMUNES: &str = include_str!("data/legacy_communes.tsv");

/// A defect in a unit table: which table, which line, what is wrong.
#[derive(Debug, Error)]
pub enum TableError {
    #[error("{table}:{line}: expected {expected} tab-separated fields, found {found}")]
    Fields {
        table: &'static str,
        line: usize,
        expected: usize,
        found: usize,
    },
    #[error("{table}:{line}: `{value}` is not a coordinate")]
    Coordinate {
        table: &'static str,
        line: usize,
        value: String,
    },
    #[error("{table}:{line}: `{name}` does not start with a unit kind (Tỉnh, Huyện, Xã, …)")]
    Kind {
        table: &'static str,
        line: usize,
        name: String,
    },
    #[error(
        "{table}:{line}: unknown {what} code `{code}` — regenerate the tables with tools/derive_admin_units.py"
    )]
    Code {
        table: &'static str,
        line: usize,
        what: &'static str,
        code: String,
    },
    #[error("former district `{name}`: `{part}` is not a pre-2025 district of {province}")]
    FormerDistrict {
        province: &'static str,
        name: &'static str,
        part: &'static str,
    },
    #[error("historic province `{name}`: part `{part}` is not a pre-2025 province")]
    HistoricPart {
        name: &'static str,
        part: &'static str,
    },
}

/// The rows of one table: header and blank lines skipped, each row checked for its width.
fn rows(
    table: &'static str,
    text: &'static str,
    width: usize,
) -> impl Iterator<Item = Result<(usize, Vec<&'static str>), TableError>> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .map(move |(i, l)| {
            let fields: Vec<&str> = l.split('\t').collect();
            if fields.len() == width {
                Ok((i + 1, fields))
            } else {
                Err(TableError::Fields {
                    table,
                    line: i + 1,
                    expected: width,
                    found: fields.len(),
                })
            }
        })
}

fn coordinate(table: &'static str, line: usize, value: &str) -> Result<f64, TableError> {
    value.parse().map_err(|_| TableError::Coordinate {
        table,
        line,
        value: value.to_owned(),
    })
}

/// Kind, short name and lookup keys of a full name plus its extra keys from the table.
fn naming(
    table: &'static str,
    line: usize,
    name: &str,
    extra: &str,
) -> Result<(UnitKind, String, Vec<String>), TableError> {
    let (kind, short) = UnitKind::split(name).ok_or_else(|| TableError::Kind {
        table,
        line,
        name: name.to_owned(),
    })?;
    let mut keys = vec![fold::key(short)];
    for k in extra.split(' ').filter(|k| !k.is_empty()) {
        if !keys.iter().any(|have| have == k) {
            keys.push(k.to_owned());
        }
    }
    Ok((kind, short.to_owned(), keys))
}

fn lookup(
    index: &HashMap<&'static str, u32>,
    table: &'static str,
    line: usize,
    what: &'static str,
    code: &str,
) -> Result<u32, TableError> {
    index.get(code).copied().ok_or_else(|| TableError::Code {
        table,
        line,
        what,
        code: code.to_owned(),
    })
}

fn index_keys(map: &mut HashMap<String, Vec<u32>>, keys: &[String], id: u32) {
    for k in keys {
        let ids = map.entry(k.clone()).or_default();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
}

impl AdminUnits {
    /// Parses the tables compiled into the crate.
    pub fn from_embedded() -> Result<AdminUnits, TableError> {
        let mut provinces = Vec::new();
        let mut province_index = HashMap::new();
        for row in rows("provinces.tsv", PROVINCES, 5) {
            let (line, f) = row?;
            let (kind, short, keys) = naming("provinces.tsv", line, f[1], f[4])?;
            province_index.insert(f[0], provinces.len() as u32);
            provinces.push(Province {
                code: f[0].to_owned(),
                name: f[1].to_owned(),
                short,
                kind,
                lat: coordinate("provinces.tsv", line, f[2])?,
                lon: coordinate("provinces.tsv", line, f[3])?,
                keys,
                communes: Vec::new(),
                legacy: Vec::new(),
            });
        }

        let mut communes = Vec::new();
        let mut commune_index = HashMap::new();
        for row in rows("communes.tsv", COMMUNES, 6) {
            let (line, f) = row?;
            let province = lookup(&province_index, "communes.tsv", line, "province", f[0])?;
            let (kind, short, keys) = naming("communes.tsv", line, f[2], f[5])?;
            commune_index.insert(f[1], communes.len() as u32);
            provinces[province as usize]
                .communes
                .push(communes.len() as u32);
            communes.push(Commune {
                code: f[1].to_owned(),
                name: f[2].to_owned(),
                short,
                kind,
                lat: coordinate("communes.tsv", line, f[3])?,
                lon: coordinate("communes.tsv", line, f[4])?,
                province,
                keys,
                legacy_province: None,
                legacy_district: None,
            });
        }

        let mut legacy_provinces = Vec::new();
        let mut legacy_index = HashMap::new();
        for row in rows("legacy_provinces.tsv", LEGACY_PROVINCES, 6) {
            let (line, f) = row?;
            let current = lookup(
                &province_index,
                "legacy_provinces.tsv",
                line,
                "province",
                f[4],
            )?;
            let (kind, short, keys) = naming("legacy_provinces.tsv", line, f[1], f[5])?;
            legacy_index.insert(f[0], legacy_provinces.len() as u32);
            provinces[current as usize]
                .legacy
                .push(legacy_provinces.len() as u32);
            legacy_provinces.push(LegacyProvince {
                code: f[0].to_owned(),
                name: f[1].to_owned(),
                short,
                kind,
                lat: coordinate("legacy_provinces.tsv", line, f[2])?,
                lon: coordinate("legacy_provinces.tsv", line, f[3])?,
                current,
                keys,
                districts: Vec::new(),
            });
        }

        let mut districts = Vec::new();
        let mut district_index = HashMap::new();
        for row in rows("legacy_districts.tsv", LEGACY_DISTRICTS, 7) {
            let (line, f) = row?;
            let t = "legacy_districts.tsv";
            let province = lookup(&legacy_index, t, line, "legacy province", f[0])?;
            let current_commune = match f[5] {
                "" => None,
                code => Some(lookup(&commune_index, t, line, "commune", code)?),
            };
            let (kind, short, keys) = naming(t, line, f[2], f[6])?;
            district_index.insert(f[1], districts.len() as u32);
            legacy_provinces[province as usize]
                .districts
                .push(districts.len() as u32);
            districts.push(LegacyDistrict {
                code: f[1].to_owned(),
                name: f[2].to_owned(),
                short,
                kind,
                lat: coordinate(t, line, f[3])?,
                lon: coordinate(t, line, f[4])?,
                province,
                keys,
                communes: Vec::new(),
                current_commune,
                reach_km: 0.0,
            });
        }

        let mut legacy_communes = Vec::new();
        for row in rows("legacy_communes.tsv", LEGACY_COMMUNES, 8) {
            let (line, f) = row?;
            let t = "legacy_communes.tsv";
            let district = lookup(&district_index, t, line, "district", f[0])?;
            let current = lookup(&commune_index, t, line, "commune", f[5])?;
            let split_also = f[6]
                .split(',')
                .filter(|c| !c.is_empty())
                .map(|c| lookup(&commune_index, t, line, "commune", c))
                .collect::<Result<Vec<_>, _>>()?;
            let (kind, short, keys) = naming(t, line, f[2], f[7])?;
            districts[district as usize]
                .communes
                .push(legacy_communes.len() as u32);
            legacy_communes.push(LegacyCommune {
                code: f[1].to_owned(),
                name: f[2].to_owned(),
                short,
                kind,
                lat: coordinate(t, line, f[3])?,
                lon: coordinate(t, line, f[4])?,
                district,
                keys,
                current,
                split_also,
            });
        }

        for lc in &legacy_communes {
            let d = &mut districts[lc.district as usize];
            d.reach_km = d
                .reach_km
                .max(super::resolve::km(d.lat, d.lon, lc.lat, lc.lon));
        }

        // Which legacy province and district a current commune came from, when that is one.
        let mut origin: Vec<Option<(Option<u32>, Option<u32>)>> = vec![None; communes.len()];
        for lc in &legacy_communes {
            let d = lc.district;
            let p = districts[d as usize].province;
            for &c in std::iter::once(&lc.current).chain(&lc.split_also) {
                let slot = &mut origin[c as usize];
                *slot = Some(match *slot {
                    None => (Some(p), Some(d)),
                    Some((op, od)) => (op.filter(|&x| x == p), od.filter(|&x| x == d)),
                });
            }
        }
        for (c, o) in communes.iter_mut().zip(origin) {
            if let Some((p, d)) = o {
                c.legacy_province = p;
                c.legacy_district = d;
            }
        }

        let historic = historic::build(&legacy_provinces)?;
        for &(province, name, parts) in historic::FORMER_DISTRICTS {
            for &part in parts {
                let found = districts.iter_mut().find(|d| {
                    d.name == part && legacy_provinces[d.province as usize].short == province
                });
                match found {
                    Some(d) => d.keys.push(fold::key(name)),
                    None => {
                        return Err(TableError::FormerDistrict {
                            province,
                            name,
                            part,
                        });
                    }
                }
            }
        }
        Ok(Self::with_indexes(
            provinces,
            communes,
            legacy_provinces,
            districts,
            legacy_communes,
            historic,
        ))
    }

    fn with_indexes(
        provinces: Vec<Province>,
        communes: Vec<Commune>,
        legacy_provinces: Vec<LegacyProvince>,
        districts: Vec<LegacyDistrict>,
        legacy_communes: Vec<LegacyCommune>,
        historic: Vec<HistoricProvince>,
    ) -> AdminUnits {
        let mut province_key_list: Vec<(String, ProvinceRef)> = Vec::new();
        for (i, p) in provinces.iter().enumerate() {
            for k in &p.keys {
                province_key_list.push((k.clone(), ProvinceRef::Current(i as u32)));
            }
        }
        for (i, p) in legacy_provinces.iter().enumerate() {
            for k in &p.keys {
                province_key_list.push((k.clone(), ProvinceRef::Legacy(i as u32)));
            }
        }
        for (i, h) in historic.iter().enumerate() {
            for k in h.keys() {
                province_key_list.push((k, ProvinceRef::Historic(i as u32)));
            }
        }
        let mut province_keys: HashMap<String, Vec<ProvinceRef>> = HashMap::new();
        let mut province_keys_by_len: Vec<Vec<(String, ProvinceRef)>> = Vec::new();
        for (k, r) in province_key_list {
            let refs = province_keys.entry(k.clone()).or_default();
            if !refs.contains(&r) {
                refs.push(r);
            }
            if province_keys_by_len.len() <= k.len() {
                province_keys_by_len.resize(k.len() + 1, Vec::new());
            }
            province_keys_by_len[k.len()].push((k, r));
        }

        let mut district_keys = HashMap::with_capacity(districts.len() * 2);
        for (i, d) in districts.iter().enumerate() {
            index_keys(&mut district_keys, &d.keys, i as u32);
        }
        let mut legacy_commune_keys = HashMap::with_capacity(legacy_communes.len() * 2);
        for (i, c) in legacy_communes.iter().enumerate() {
            index_keys(&mut legacy_commune_keys, &c.keys, i as u32);
        }
        let mut commune_keys = HashMap::with_capacity(communes.len() * 2);
        for (i, c) in communes.iter().enumerate() {
            index_keys(&mut commune_keys, &c.keys, i as u32);
        }

        AdminUnits {
            provinces,
            communes,
            legacy_provinces,
            districts,
            legacy_communes,
            historic,
            province_keys,
            province_keys_by_len,
            district_keys,
            legacy_commune_keys,
            commune_keys,
        }
    }
}
