//! What a campaign covers and what counts as done: pure rules over [`SiteFacts`].
//!
//! A **scope** picks sites by place (current provinces, or communes), type and level, and by
//! what they lack (no photo or fewer than N, no precise position, no description, no source)
//! — or it is an explicit list of sites. What a site lacks only decides whether it *enters*
//! the campaign: a site the volunteers have since completed stays in it, or completion could
//! never rise. The **done rule** says when a site's task is complete: at least N photos, and
//! optionally a precise position, a description and a source.

use serde::{Deserialize, Serialize};

use super::sites::SiteFacts;

/// Which sites a campaign covers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Scope {
    /// Current provinces (short names). Ignored when `communes` is set.
    pub provinces: Vec<String>,
    /// Current communes (national codes).
    pub communes: Vec<String>,
    /// Type codes (`dinh`, `chua`…); any type when empty.
    pub types: Vec<String>,
    /// Level codes (`national`…); any level when empty.
    pub levels: Vec<String>,
    /// Only sites lacking at least one of these enter the campaign.
    pub lacking: Lacking,
    /// An explicit list of site ids: when given, exactly these sites (other filters ignored).
    pub sites: Vec<String>,
}

/// What a site must lack to enter a campaign; nothing ticked admits every site.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Lacking {
    /// Fewer than this many photos (1: no photo at all); 0 does not filter.
    pub photos_below: u32,
    pub position: bool,
    pub description: bool,
    pub sources: bool,
}

impl Lacking {
    fn any(&self) -> bool {
        self.photos_below > 0 || self.position || self.description || self.sources
    }
}

/// When a site's task is complete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DoneRule {
    pub min_photos: u32,
    pub precise: bool,
    pub description: bool,
    pub sources: bool,
}

impl Default for DoneRule {
    fn default() -> Self {
        DoneRule {
            min_photos: 1,
            precise: true,
            description: false,
            sources: false,
        }
    }
}

/// Something a site still needs to count as done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lack {
    Photos,
    Position,
    Description,
    Sources,
}

impl DoneRule {
    /// What `site` still lacks under this rule; empty when it is done.
    pub fn lacks(&self, site: &SiteFacts) -> Vec<Lack> {
        let mut lacks = Vec::new();
        if site.photos < self.min_photos {
            lacks.push(Lack::Photos);
        }
        if self.precise && !site.precise {
            lacks.push(Lack::Position);
        }
        if self.description && !site.described {
            lacks.push(Lack::Description);
        }
        if self.sources && !site.sourced {
            lacks.push(Lack::Sources);
        }
        lacks
    }

    pub fn is_done(&self, site: &SiteFacts) -> bool {
        self.lacks(site).is_empty()
    }

    /// Refuses a rule under which every site is done at once.
    pub fn check(&self) -> Result<(), String> {
        if self.min_photos == 0 && !self.precise && !self.description && !self.sources {
            return Err("every site would count as done — ask for photos, a position, a description or sources".into());
        }
        if self.min_photos > 50 {
            return Err(format!(
                "{} photos per site is more than a volunteer can take — use at most 50",
                self.min_photos
            ));
        }
        Ok(())
    }
}

impl Scope {
    /// Whether a site belongs to the campaign by place, type, level or list — everything but
    /// what it lacks. Sites already in the campaign stay while this holds.
    pub fn places(&self, site: &SiteFacts) -> bool {
        if !self.sites.is_empty() {
            return self.sites.contains(&site.id);
        }
        let place = if !self.communes.is_empty() {
            site.commune
                .as_ref()
                .is_some_and(|c| self.communes.contains(c))
        } else if !self.provinces.is_empty() {
            site.province
                .as_ref()
                .is_some_and(|p| self.provinces.iter().any(|q| q == p))
        } else {
            true
        };
        let typed = self.types.is_empty()
            || site
                .site_type
                .as_ref()
                .is_some_and(|t| self.types.contains(t));
        let levelled = self.levels.is_empty() || self.levels.contains(&site.level);
        place && typed && levelled
    }

    /// Whether a site not yet in the campaign enters it: it belongs ([`Self::places`]) and
    /// lacks something the scope asks about.
    pub fn admits(&self, site: &SiteFacts) -> bool {
        if !self.places(site) {
            return false;
        }
        if !self.sites.is_empty() || !self.lacking.any() {
            return true;
        }
        let l = &self.lacking;
        (l.photos_below > 0 && site.photos < l.photos_below)
            || (l.position && !site.precise)
            || (l.description && !site.described)
            || (l.sources && !site.sourced)
    }

    /// Refuses a scope that would cover the whole country by accident.
    pub fn check(&self) -> Result<(), String> {
        if self.sites.is_empty() && self.provinces.is_empty() && self.communes.is_empty() {
            return Err("choose provinces, communes or a list of sites".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(id: &str, commune: &str, photos: u32, precise: bool) -> SiteFacts {
        SiteFacts {
            id: id.into(),
            name: id.into(),
            province: Some("Ninh Bình".into()),
            commune: Some(commune.into()),
            site_type: Some("dinh".into()),
            level: "provincial".into(),
            lat: Some(20.25),
            lon: Some(105.97),
            photos,
            precise,
            described: false,
            sourced: false,
        }
    }

    #[test]
    fn what_enters_and_what_stays() {
        let scope = Scope {
            provinces: vec!["Ninh Bình".into()],
            types: vec!["dinh".into()],
            lacking: Lacking {
                photos_below: 1,
                ..Lacking::default()
            },
            ..Scope::default()
        };
        let bare = site("a", "1", 0, false);
        let photographed = site("b", "1", 3, true);
        assert!(scope.admits(&bare));
        assert!(!scope.admits(&photographed), "has photos: does not enter");
        assert!(scope.places(&photographed), "but would stay once in");
        let mut pagoda = bare.clone();
        pagoda.site_type = Some("chua".into());
        assert!(!scope.places(&pagoda));
        let listed = Scope {
            sites: vec!["b".into()],
            ..Scope::default()
        };
        assert!(listed.admits(&photographed) && !listed.admits(&bare));
        let by_commune = Scope {
            provinces: vec!["Huế".into()],
            communes: vec!["1".into()],
            ..Scope::default()
        };
        assert!(by_commune.admits(&bare), "communes win over provinces");
        assert!(Scope::default().check().is_err());
    }

    #[test]
    fn done_rule() {
        let rule = DoneRule {
            min_photos: 2,
            precise: true,
            description: true,
            sources: false,
        };
        let s = site("a", "1", 1, true);
        assert_eq!(rule.lacks(&s), [Lack::Photos, Lack::Description]);
        let mut done = s.clone();
        done.photos = 2;
        done.described = true;
        assert!(rule.is_done(&done));
        let nothing = DoneRule {
            min_photos: 0,
            precise: false,
            description: false,
            sources: false,
        };
        assert!(nothing.check().is_err());
        assert!(DoneRule::default().check().is_ok());
    }
}
