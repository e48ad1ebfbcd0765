//! Invitations: how a young volunteer joins a team from a phone, without the command line.
//!
//! A leader makes an invitation — a link with a random 128-bit token, shown as a QR code too —
//! that expires after some days, admits at most some people, and may ask the leader to
//! confirm each newcomer. The leader can withdraw it at any time. Using one is one
//! transaction: it is checked (expired, withdrawn, used up, already a member) and counted
//! together, so the last place cannot be taken twice. The token is kept in the private
//! database so the leader can show the same QR code again at the next meeting.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

use super::{MemberStatus, Team, TeamError, Teams, db, put_member, read_team};
use crate::accounts::User;
use crate::private_db::{Event, secs, time};

/// Longest life of an invitation, in days.
pub const MAX_DAYS: u32 = 90;
/// Most people one invitation may admit.
pub const MAX_USES: u32 = 1000;

/// An invitation as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Invitation {
    pub id: i64,
    pub team: i64,
    /// The secret in the link (32 hex digits).
    pub token: String,
    pub created: DateTime<Utc>,
    pub created_by: String,
    pub expires: DateTime<Utc>,
    pub max_uses: u32,
    pub uses: u32,
    /// Newcomers wait for a leader's confirmation.
    pub confirm: bool,
    pub revoked: Option<DateTime<Utc>>,
}

/// Whether an invitation can still be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitationState {
    Open,
    Expired,
    Revoked,
    UsedUp,
}

impl Invitation {
    pub fn state(&self, now: DateTime<Utc>) -> InvitationState {
        if self.revoked.is_some() {
            InvitationState::Revoked
        } else if self.expires <= now {
            InvitationState::Expired
        } else if self.uses >= self.max_uses {
            InvitationState::UsedUp
        } else {
            InvitationState::Open
        }
    }

    /// Refuses an invitation that cannot be used now, saying why.
    pub fn check(&self, now: DateTime<Utc>) -> Result<(), TeamError> {
        match self.state(now) {
            InvitationState::Open => Ok(()),
            InvitationState::Revoked => Err(TeamError::InvitationRevoked),
            InvitationState::UsedUp => Err(TeamError::InvitationUsedUp {
                uses: self.max_uses,
            }),
            InvitationState::Expired => Err(TeamError::InvitationExpired {
                on: crate::private_db::vietnam(self.expires)
                    .format("%d/%m/%Y %H:%M")
                    .to_string(),
            }),
        }
    }
}

/// Whether `token` has the shape of an invitation token (checked before any lookup).
pub fn is_token(token: &str) -> bool {
    token.len() == 32
        && token
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// What using an invitation did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Joined {
    pub team: Team,
    /// The leader must confirm before the newcomer can take tasks.
    pub pending: bool,
}

impl Teams {
    /// Makes an invitation to `team`, valid for `days` and `max_uses` people.
    pub fn invite(
        &self,
        team: &Team,
        by: &User,
        days: u32,
        max_uses: u32,
        confirm: bool,
        now: DateTime<Utc>,
    ) -> Result<Invitation, TeamError> {
        self.may_lead(team, by)?;
        if !(1..=MAX_DAYS).contains(&days) {
            return Err(TeamError::Invalid {
                field: "days",
                why: format!("{days} days — an invitation lasts 1 to {MAX_DAYS} days"),
            });
        }
        if !(1..=MAX_USES).contains(&max_uses) {
            return Err(TeamError::Invalid {
                field: "max_uses",
                why: format!("{max_uses} people — one invitation admits 1 to {MAX_USES}"),
            });
        }
        let token = new_token()?;
        let expires = now + Duration::days(i64::from(days));
        let id = self.db.write(|tx| {
            tx.execute(
                "INSERT INTO invitations (team, token, created, created_by, expires, max_uses,
                 confirm) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    team.id,
                    token,
                    secs(now),
                    by.name,
                    secs(expires),
                    max_uses,
                    confirm
                ],
            )
            .map_err(db(&self.db))?;
            let id = tx.last_insert_rowid();
            Event::new(now, &by.name, "invitation_created")
                .team(team.id)
                .detail(format!(
                    "#{id}: {days} days, up to {max_uses} people{}",
                    if confirm { ", leader confirms" } else { "" }
                ))
                .log(tx)
                .map_err(db(&self.db))?;
            Ok::<_, TeamError>(id)
        })?;
        self.db
            .read(|tx| invitation_by(tx, "id = ?1", id).map_err(db(&self.db)))?
            .ok_or(TeamError::NoSuchInvitation)
    }

    /// A team's invitations, newest first.
    pub fn invitations(&self, team: i64) -> Result<Vec<Invitation>, TeamError> {
        self.db.read(|tx| {
            tx.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM invitations WHERE team = ?1 ORDER BY id DESC"
            ))
            .and_then(|mut s| s.query_map([team], invitation_row)?.collect())
            .map_err(db(&self.db))
        })
    }

    /// Withdraws an invitation: its link stops working at once.
    pub fn revoke(
        &self,
        team: &Team,
        id: i64,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<(), TeamError> {
        self.may_lead(team, by)?;
        self.db.write(|tx| {
            let changed = tx
                .execute(
                    "UPDATE invitations SET revoked = ?1, revoked_by = ?2
                     WHERE id = ?3 AND team = ?4 AND revoked IS NULL",
                    params![secs(now), by.name, id, team.id],
                )
                .map_err(db(&self.db))?;
            if changed == 0 {
                return Err(TeamError::NoSuchInvitation);
            }
            Event::new(now, &by.name, "invitation_revoked")
                .team(team.id)
                .detail(format!("#{id}"))
                .log(tx)
                .map_err(db(&self.db))
        })
    }

    /// The invitation of a link and its team, whatever its state (the page explains it).
    pub fn invitation(&self, token: &str) -> Result<(Invitation, Team), TeamError> {
        if !is_token(token) {
            return Err(TeamError::NoSuchInvitation);
        }
        self.db.read(|tx| {
            let invitation = invitation_by(tx, "token = ?1", token)
                .map_err(db(&self.db))?
                .ok_or(TeamError::NoSuchInvitation)?;
            let team = read_team(tx, invitation.team)
                .map_err(db(&self.db))?
                .ok_or(TeamError::NoSuchInvitation)?;
            Ok((invitation, team))
        })
    }

    /// Uses an invitation for `user`: checks it and counts it in one transaction.
    pub fn redeem(&self, token: &str, user: &str, now: DateTime<Utc>) -> Result<Joined, TeamError> {
        if !is_token(token) {
            return Err(TeamError::NoSuchInvitation);
        }
        let team = self.db.write(|tx| {
            let invitation = invitation_by(tx, "token = ?1", token)
                .map_err(db(&self.db))?
                .ok_or(TeamError::NoSuchInvitation)?;
            invitation.check(now)?;
            let team = read_team(tx, invitation.team)
                .map_err(db(&self.db))?
                .ok_or(TeamError::NoSuchInvitation)?;
            let status: Option<String> = tx
                .query_row(
                    "SELECT status FROM members WHERE team = ?1 AND user = ?2",
                    params![team.id, user],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db(&self.db))?;
            match status.as_deref() {
                Some("active" | "pending") => {
                    return Err(TeamError::AlreadyMember { team: team.name });
                }
                Some(_) => return Err(TeamError::WasRemoved { team: team.name }),
                None => {}
            }
            tx.execute(
                "UPDATE invitations SET uses = uses + 1 WHERE id = ?1",
                [invitation.id],
            )
            .map_err(db(&self.db))?;
            let pending = invitation.confirm || team.confirm_joins;
            let status = if pending {
                MemberStatus::Pending
            } else {
                MemberStatus::Active
            };
            put_member(tx, team.id, user, false, status, now, Some(invitation.id))
                .map_err(db(&self.db))?;
            Event::new(now, user, if pending { "join_requested" } else { "joined" })
                .team(team.id)
                .subject(user)
                .detail(format!("invitation #{}", invitation.id))
                .log(tx)
                .map_err(db(&self.db))?;
            Ok::<_, TeamError>(Joined { team, pending })
        })?;
        Ok(team)
    }

    /// Gives back the place a [`Self::redeem`] took when the newcomer's account could not be
    /// made after all (their name was taken meanwhile), so the invitation is not used up.
    pub fn cancel_redeem(
        &self,
        token: &str,
        user: &str,
        now: DateTime<Utc>,
    ) -> Result<(), TeamError> {
        self.db.write(|tx| {
            let Some(invitation) = invitation_by(tx, "token = ?1", token).map_err(db(&self.db))?
            else {
                return Ok(());
            };
            let removed = tx
                .execute(
                    "DELETE FROM members WHERE team = ?1 AND user = ?2 AND invitation = ?3",
                    params![invitation.team, user, invitation.id],
                )
                .map_err(db(&self.db))?;
            if removed > 0 {
                tx.execute(
                    "UPDATE invitations SET uses = max(uses - 1, 0) WHERE id = ?1",
                    [invitation.id],
                )
                .map_err(db(&self.db))?;
                Event::new(now, user, "join_cancelled")
                    .team(invitation.team)
                    .subject(user)
                    .detail("the account could not be made")
                    .log(tx)
                    .map_err(db(&self.db))?;
            }
            Ok(())
        })
    }
}

const COLUMNS: &str =
    "id, team, token, created, created_by, expires, max_uses, uses, confirm, revoked";

fn invitation_by(
    tx: &Transaction,
    condition: &str,
    value: impl rusqlite::ToSql,
) -> rusqlite::Result<Option<Invitation>> {
    tx.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM invitations WHERE {condition}"
    ))?
    .query_row([value], invitation_row)
    .optional()
}

fn invitation_row(r: &rusqlite::Row) -> rusqlite::Result<Invitation> {
    Ok(Invitation {
        id: r.get(0)?,
        team: r.get(1)?,
        token: r.get(2)?,
        created: time(r.get(3)?),
        created_by: r.get(4)?,
        expires: time(r.get(5)?),
        max_uses: r.get(6)?,
        uses: r.get(7)?,
        confirm: r.get(8)?,
        revoked: r.get::<_, Option<i64>>(9)?.map(time),
    })
}

fn new_token() -> Result<String, TeamError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| TeamError::Accounts(crate::accounts::AccountsError::Random(e)))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
