//! The notes a resolution carries: why a unit stayed unresolved, with a hint to fix it.

use super::super::address::{Hint, Segment};
use super::super::{AdminUnits, UnitKind};
use super::Resolved;
use super::chains::{Chain, Reading};

impl AdminUnits {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn note_ambiguity(
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

    pub(super) fn note_unused(
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
    pub(super) fn describe(&self, r: &Reading) -> String {
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

/// "A, B, C and 4 more".
pub(super) fn list(items: &[String]) -> String {
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
