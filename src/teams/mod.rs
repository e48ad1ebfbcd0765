//! Teams: the volunteer squads and community digital-technology teams (tổ công nghệ số cộng
//! đồng) that do the field work, commune by commune.
//!
//! A **team** has a name, leaders and members, and is attached to one or more current communes
//! (names from before the 2025 reform resolve to today's, see [`communes`]). Only its leaders —
//! accounts with the `leader` role that lead this team — and moderators may change it: invite,
//! confirm, remove, change its communes. A leader of another team is told so, and nothing
//! changes. People join by an [`invitations`] link or QR code, or in bulk from a province's
//! lists ([`roster`]). Members are removed, never deleted, and every change is a line of the
//! team's history ([`crate::private_db::Event`]).
//!
//! Teams live in the private database; a team's public page shows only its name, its
//! communes and what it has published.

pub mod communes;
pub mod invitations;
pub mod roster;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

pub use communes::CommuneRef;
pub use invitations::{Invitation, InvitationState};

use crate::accounts::{AccountsError, Role, User};
use crate::fold;
use crate::private_db::{DbError, Event, PrivateDb, secs, time};

/// What can go wrong with teams. Messages are for the leader's or volunteer's screen.
#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(
        "the private database failed: {0} — check that the archive's `.disan` folder is writable and not full"
    )]
    Sql(#[from] rusqlite::Error),
    #[error(transparent)]
    Accounts(#[from] AccountsError),
    #[error("no team `{team}` — see the list of teams")]
    NoSuchTeam { team: String },
    #[error(
        "you do not lead the team “{team}” — only its leaders and moderators can do this; nothing was changed"
    )]
    NotYourTeam { team: String },
    #[error("your account is a {has}: making teams needs a leader account — ask an administrator")]
    NotALeader { has: Role },
    #[error("a team called “{name}” already exists — add the village or commune to the name")]
    NameTaken { name: String },
    #[error("team name: {why} — use 2–120 characters")]
    BadName { why: &'static str },
    #[error("commune “{given}”: {why}")]
    UnknownCommune { given: String, why: String },
    #[error("“{user}” is not a member of the team “{team}”")]
    NoSuchMember { team: String, user: String },
    #[error("“{user}” is the team's last leader — make another member a leader first")]
    LastLeader { user: String },
    #[error("no such invitation — ask your leader for a new link")]
    NoSuchInvitation,
    #[error("this invitation expired on {on} — ask your leader for a new one")]
    InvitationExpired { on: String },
    #[error("this invitation was withdrawn by the team's leader — ask them for a new one")]
    InvitationRevoked,
    #[error(
        "this invitation has been used by all {uses} people it was made for — ask your leader for a new one"
    )]
    InvitationUsedUp { uses: u32 },
    #[error("you are already in the team “{team}”")]
    AlreadyMember { team: String },
    #[error(
        "you were removed from the team “{team}” — ask one of its leaders if that was a mistake"
    )]
    WasRemoved { team: String },
    #[error("{field}: {why}")]
    Invalid { field: &'static str, why: String },
}

fn db(db: &PrivateDb) -> impl Fn(rusqlite::Error) -> TeamError + '_ {
    move |e| TeamError::Db(db.error(e))
}

/// A team as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Team {
    pub id: i64,
    pub slug: String,
    pub name: String,
    /// Members joining by invitation wait for a leader.
    pub confirm_joins: bool,
    pub created: DateTime<Utc>,
    pub created_by: String,
    pub communes: Vec<CommuneRef>,
}

/// Where a member stands in a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberStatus {
    Active,
    /// Joined by an invitation that needs a leader's confirmation.
    Pending,
    /// Removed by a leader: kept so the history and credits still name the team.
    Removed,
}

impl MemberStatus {
    fn code(self) -> &'static str {
        match self {
            MemberStatus::Active => "active",
            MemberStatus::Pending => "pending",
            MemberStatus::Removed => "removed",
        }
    }

    fn parse(code: &str) -> MemberStatus {
        match code {
            "active" => MemberStatus::Active,
            "pending" => MemberStatus::Pending,
            _ => MemberStatus::Removed,
        }
    }
}

/// One member of a team.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Member {
    pub team: i64,
    pub user: String,
    pub leader: bool,
    pub status: MemberStatus,
    pub since: DateTime<Utc>,
}

/// The teams of one archive.
#[derive(Debug, Clone)]
pub struct Teams {
    db: Arc<PrivateDb>,
}

/// Longest team name.
const MAX_NAME: usize = 120;

impl Teams {
    pub fn new(db: Arc<PrivateDb>) -> Teams {
        Teams { db }
    }

    pub fn db(&self) -> &PrivateDb {
        &self.db
    }

    /// Makes a team led by `by` (a leader, moderator or admin) over the communes named in
    /// `communes` (one per entry, current or pre-2025 names; `province` helps resolve them).
    pub fn create(
        &self,
        name: &str,
        communes: &[String],
        province: Option<&str>,
        confirm_joins: bool,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<Team, TeamError> {
        if !by.role.allows(Role::Leader) {
            return Err(TeamError::NotALeader { has: by.role });
        }
        let name = check_name(name)?;
        let resolved = resolve_communes(communes, province)?;
        let team = self.db.write(|tx| {
            if team_named(tx, &name).map_err(db(&self.db))?.is_some() {
                return Err(TeamError::NameTaken { name: name.clone() });
            }
            let id = insert_team(tx, &name, confirm_joins, &by.name, now).map_err(db(&self.db))?;
            for commune in &resolved {
                tx.execute(
                    "INSERT OR IGNORE INTO team_communes (team, commune) VALUES (?1, ?2)",
                    params![id, commune.code],
                )
                .map_err(db(&self.db))?;
            }
            put_member(tx, id, &by.name, true, MemberStatus::Active, now, None)
                .map_err(db(&self.db))?;
            Event::new(now, &by.name, "team_created")
                .team(id)
                .detail(format!(
                    "{name}; {}",
                    resolved
                        .iter()
                        .map(CommuneRef::label)
                        .collect::<Vec<_>>()
                        .join("; ")
                ))
                .log(tx)
                .map_err(db(&self.db))?;
            Ok::<_, TeamError>(id)
        })?;
        self.get(team)
    }

    /// A team by id.
    pub fn get(&self, id: i64) -> Result<Team, TeamError> {
        self.db
            .read(|tx| read_team(tx, id).map_err(db(&self.db)))?
            .ok_or(TeamError::NoSuchTeam {
                team: id.to_string(),
            })
    }

    /// A team by its slug (the one in its URLs).
    pub fn by_slug(&self, slug: &str) -> Result<Team, TeamError> {
        let id = self.db.read(|tx| {
            tx.query_row("SELECT id FROM teams WHERE slug = ?1", [slug], |r| r.get(0))
                .optional()
                .map_err(db(&self.db))
        })?;
        match id {
            Some(id) => self.get(id),
            None => Err(TeamError::NoSuchTeam {
                team: slug.to_owned(),
            }),
        }
    }

    /// Every team's name and slug by id, in one read (pages that list many teams).
    pub fn names(&self) -> Result<std::collections::HashMap<i64, (String, String)>, TeamError> {
        self.db.read(|tx| {
            let mut stmt = tx.prepare_cached("SELECT id, name, slug FROM teams")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// A team named by its slug or its name (as a form or a file writes it).
    pub fn find(&self, text: &str) -> Result<Team, TeamError> {
        let text = text.trim();
        if let Ok(team) = self.by_slug(text) {
            return Ok(team);
        }
        let id = self
            .db
            .read(|tx| team_named(tx, text).map_err(db(&self.db)))?;
        match id {
            Some(id) => self.get(id),
            None => Err(TeamError::NoSuchTeam {
                team: text.to_owned(),
            }),
        }
    }

    /// Every team, by name.
    pub fn list(&self) -> Result<Vec<Team>, TeamError> {
        self.db.read(|tx| {
            let ids: Vec<i64> = tx
                .prepare_cached("SELECT id FROM teams ORDER BY name")
                .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
                .map_err(db(&self.db))?;
            ids.into_iter()
                .filter_map(|id| read_team(tx, id).transpose())
                .collect::<rusqlite::Result<Vec<Team>>>()
                .map_err(db(&self.db))
        })
    }

    /// The teams a user belongs to (led, joined, waiting or removed), with their membership.
    pub fn of_user(&self, user: &str) -> Result<Vec<(Team, Member)>, TeamError> {
        self.db.read(|tx| {
            let members: Vec<Member> = tx
                .prepare_cached(
                    "SELECT team, user, leader, status, since FROM members WHERE user = ?1
                     ORDER BY since",
                )
                .and_then(|mut s| s.query_map([user], member_row)?.collect())
                .map_err(db(&self.db))?;
            let mut out = Vec::new();
            for m in members {
                if let Some(team) = read_team(tx, m.team).map_err(db(&self.db))? {
                    out.push((team, m));
                }
            }
            Ok(out)
        })
    }

    /// The members of a team: leaders first, then by name.
    pub fn members(&self, team: i64) -> Result<Vec<Member>, TeamError> {
        self.db.read(|tx| {
            tx.prepare_cached(
                "SELECT team, user, leader, status, since FROM members WHERE team = ?1
                 ORDER BY leader DESC, status, user",
            )
            .and_then(|mut s| s.query_map([team], member_row)?.collect())
            .map_err(db(&self.db))
        })
    }

    /// Refuses unless `user` may manage `team`: one of its active leaders, or a moderator.
    pub fn may_lead(&self, team: &Team, user: &User) -> Result<(), TeamError> {
        if user.role.allows(Role::Moderator) {
            return Ok(());
        }
        let leads = self
            .db
            .read(|tx| leads(tx, team.id, user).map_err(db(&self.db)))?;
        if leads {
            Ok(())
        } else {
            Err(TeamError::NotYourTeam {
                team: team.name.clone(),
            })
        }
    }

    /// Changes the communes a team works in.
    pub fn set_communes(
        &self,
        team: &Team,
        communes: &[String],
        province: Option<&str>,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<Team, TeamError> {
        self.may_lead(team, by)?;
        let resolved = resolve_communes(communes, province)?;
        self.db.write(|tx| {
            tx.execute("DELETE FROM team_communes WHERE team = ?1", [team.id])
                .map_err(db(&self.db))?;
            for commune in &resolved {
                tx.execute(
                    "INSERT OR IGNORE INTO team_communes (team, commune) VALUES (?1, ?2)",
                    params![team.id, commune.code],
                )
                .map_err(db(&self.db))?;
            }
            let label = |list: &[CommuneRef]| {
                list.iter()
                    .map(CommuneRef::label)
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            Event::new(now, &by.name, "communes_changed")
                .team(team.id)
                .detail(format!("{} → {}", label(&team.communes), label(&resolved)))
                .log(tx)
                .map_err(db(&self.db))?;
            Ok::<_, TeamError>(())
        })?;
        self.get(team.id)
    }

    /// Confirms a member who joined by an invitation that needed a leader.
    pub fn confirm(
        &self,
        team: &Team,
        user: &str,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<(), TeamError> {
        self.may_lead(team, by)?;
        self.db.write(|tx| {
            let changed = tx
                .execute(
                    "UPDATE members SET status = 'active' WHERE team = ?1 AND user = ?2
                     AND status = 'pending'",
                    params![team.id, user],
                )
                .map_err(db(&self.db))?;
            if changed == 0 {
                return Err(TeamError::NoSuchMember {
                    team: team.name.clone(),
                    user: user.to_owned(),
                });
            }
            Event::new(now, &by.name, "member_confirmed")
                .team(team.id)
                .subject(user)
                .log(tx)
                .map_err(db(&self.db))
        })
    }

    /// Adds `user` to a team (or makes them active again), as a leader or a member: what the
    /// bulk import and a leader's "add" do. Returns false when nothing changed.
    pub fn add_member(
        &self,
        team: &Team,
        user: &str,
        leader: bool,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, TeamError> {
        self.db
            .write(|tx| add_member_in(tx, team.id, user, leader, by, now).map_err(db(&self.db)))
    }

    /// The newest changes of a team.
    pub fn events(&self, team: i64, limit: usize) -> Result<Vec<Event>, TeamError> {
        self.db
            .read(|tx| crate::private_db::team_events(tx, team, limit).map_err(db(&self.db)))
    }
}

/// [`Teams::add_member`] inside a transaction.
pub fn add_member_in(
    tx: &Transaction,
    team: i64,
    user: &str,
    leader: bool,
    by: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<bool> {
    let current: Option<(bool, String)> = tx
        .query_row(
            "SELECT leader, status FROM members WHERE team = ?1 AND user = ?2",
            params![team, user],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if current
        .as_ref()
        .is_some_and(|(l, s)| *l == leader && s == "active")
    {
        return Ok(false);
    }
    put_member(tx, team, user, leader, MemberStatus::Active, now, None)?;
    Event::new(
        now,
        by,
        if leader {
            "leader_added"
        } else {
            "member_added"
        },
    )
    .team(team)
    .subject(user)
    .log(tx)?;
    Ok(true)
}

/// Marks a member removed, inside the caller's transaction (campaigns release their claims
/// in the same one). Refuses to remove the last active leader.
pub fn remove_member_in(
    tx: &Transaction,
    team: &Team,
    user: &str,
    by: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), TeamError> {
    let sql = TeamError::Sql;
    let found: Option<(bool, String)> = tx
        .query_row(
            "SELECT leader, status FROM members WHERE team = ?1 AND user = ?2",
            params![team.id, user],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(sql)?;
    let Some((leader, status)) = found.filter(|(_, s)| s != "removed") else {
        return Err(TeamError::NoSuchMember {
            team: team.name.clone(),
            user: user.to_owned(),
        });
    };
    if leader && status == "active" {
        let leaders: i64 = tx
            .query_row(
                "SELECT count(*) FROM members WHERE team = ?1 AND leader = 1 AND status = 'active'",
                [team.id],
                |r| r.get(0),
            )
            .map_err(sql)?;
        if leaders <= 1 {
            return Err(TeamError::LastLeader {
                user: user.to_owned(),
            });
        }
    }
    tx.execute(
        "UPDATE members SET status = 'removed' WHERE team = ?1 AND user = ?2",
        params![team.id, user],
    )
    .map_err(sql)?;
    Event::new(now, by, "member_removed")
        .team(team.id)
        .subject(user)
        .detail(reason)
        .log(tx)
        .map_err(sql)?;
    Ok(())
}

/// Whether `user` is an active leader of `team`.
pub fn leads(tx: &Transaction, team: i64, user: &User) -> rusqlite::Result<bool> {
    if !user.role.allows(Role::Leader) {
        return Ok(false);
    }
    tx.query_row(
        "SELECT count(*) FROM members WHERE team = ?1 AND user = ?2 AND leader = 1
         AND status = 'active'",
        params![team, user.name],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
}

/// The teams a user is an active member (or leader) of.
pub fn active_teams(tx: &Transaction, user: &str) -> rusqlite::Result<Vec<i64>> {
    tx.prepare_cached("SELECT team FROM members WHERE user = ?1 AND status = 'active'")?
        .query_map([user], |r| r.get(0))?
        .collect()
}

/// A team read inside a transaction.
pub fn read_team(tx: &Transaction, id: i64) -> rusqlite::Result<Option<Team>> {
    let team = tx
        .prepare_cached(
            "SELECT id, slug, name, confirm_joins, created, created_by FROM teams WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(Team {
                id: r.get(0)?,
                slug: r.get(1)?,
                name: r.get(2)?,
                confirm_joins: r.get(3)?,
                created: time(r.get(4)?),
                created_by: r.get(5)?,
                communes: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut team) = team else {
        return Ok(None);
    };
    let codes: Vec<String> = tx
        .prepare_cached("SELECT commune FROM team_communes WHERE team = ?1")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    team.communes = codes.iter().filter_map(|c| communes::by_code(c)).collect();
    team.communes
        .sort_by_cached_key(|c| (c.province.clone(), fold::key(&c.name)));
    Ok(Some(team))
}

fn member_row(r: &rusqlite::Row) -> rusqlite::Result<Member> {
    Ok(Member {
        team: r.get(0)?,
        user: r.get(1)?,
        leader: r.get(2)?,
        status: MemberStatus::parse(&r.get::<_, String>(3)?),
        since: time(r.get(4)?),
    })
}

fn put_member(
    tx: &Transaction,
    team: i64,
    user: &str,
    leader: bool,
    status: MemberStatus,
    now: DateTime<Utc>,
    invitation: Option<i64>,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO members (team, user, leader, status, since, invitation)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (team, user) DO UPDATE SET leader = max(leader, excluded.leader),
           status = excluded.status, since = excluded.since,
           invitation = coalesce(excluded.invitation, invitation)",
    )?
    .execute(params![
        team,
        user,
        leader,
        status.code(),
        secs(now),
        invitation
    ])?;
    Ok(())
}

/// Inserts a team under a free slug of its name; the name itself must be unused.
pub fn insert_team(
    tx: &Transaction,
    name: &str,
    confirm_joins: bool,
    by: &str,
    now: DateTime<Utc>,
) -> Result<i64, rusqlite::Error> {
    let base = match fold::slug(name) {
        s if s.is_empty() => "team".to_owned(),
        s => s.chars().take(80).collect(),
    };
    let mut slug = base.clone();
    for n in 2.. {
        let taken: i64 =
            tx.query_row("SELECT count(*) FROM teams WHERE slug = ?1", [&slug], |r| {
                r.get(0)
            })?;
        if taken == 0 {
            break;
        }
        slug = format!("{base}-{n}");
    }
    tx.execute(
        "INSERT INTO teams (slug, name, confirm_joins, created, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![slug, name, confirm_joins, secs(now), by],
    )?;
    Ok(tx.last_insert_rowid())
}

/// The team whose name is `name` (compared without case or accents differences of form).
pub fn team_named(tx: &Transaction, name: &str) -> rusqlite::Result<Option<i64>> {
    let key = fold::lower(&fold::nfc(name.trim()));
    let mut stmt = tx.prepare_cached("SELECT id, name FROM teams")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (id, n) = row?;
        if fold::lower(&n) == key {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// A team name as stored (NFC, trimmed), or why it cannot be one.
pub fn check_name(name: &str) -> Result<String, TeamError> {
    let name = fold::nfc(name.trim());
    let length = name.chars().count();
    if length < 2 {
        return Err(TeamError::BadName { why: "too short" });
    }
    if length > MAX_NAME {
        return Err(TeamError::BadName { why: "too long" });
    }
    if name.chars().any(|c| c.is_control()) {
        return Err(TeamError::BadName {
            why: "contains a control character",
        });
    }
    Ok(name)
}

fn resolve_communes(
    texts: &[String],
    province: Option<&str>,
) -> Result<Vec<CommuneRef>, TeamError> {
    texts
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .map(|t| {
            communes::resolve(t, province).map_err(|why| TeamError::UnknownCommune {
                given: t.to_owned(),
                why,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
