use std::sync::Arc;

use chrono::{Duration, Utc};

use super::*;
use crate::accounts::UserStore;
use crate::layout::ArchiveLayout;

pub(crate) fn user(name: &str, role: Role) -> User {
    User {
        name: name.into(),
        role,
        password_hash: String::new(),
        disabled: false,
        created: Utc::now(),
        must_change_password: false,
    }
}

fn setup() -> (tempfile::TempDir, Teams) {
    let dir = tempfile::tempdir().unwrap();
    let db = PrivateDb::open(&ArchiveLayout::new(dir.path())).unwrap();
    (dir, Teams::new(Arc::new(db)))
}

#[test]
fn a_leader_makes_a_team_over_current_and_legacy_communes() {
    let (_dir, teams) = setup();
    let now = Utc::now();
    let lan = user("lan", Role::Leader);
    let team = teams
        .create(
            "Đội tình nguyện Hoa Lư",
            &["Phường Hoa Lư".into(), "Xã Ninh Hải, Huyện Hoa Lư".into()],
            Some("Ninh Bình"),
            false,
            &lan,
            now,
        )
        .unwrap();
    assert_eq!(team.slug, "doi-tinh-nguyen-hoa-lu");
    assert!(!team.communes.is_empty());
    assert!(team.communes.iter().all(|c| c.province == "Ninh Bình"));
    let members = teams.members(team.id).unwrap();
    assert_eq!((members[0].user.as_str(), members[0].leader), ("lan", true));
    // A volunteer cannot make teams; a name is used once; a commune must resolve.
    assert!(matches!(
        teams.create(
            "Another",
            &[],
            None,
            false,
            &user("an", Role::Volunteer),
            now
        ),
        Err(TeamError::NotALeader { .. })
    ));
    assert!(matches!(
        teams.create("đội tình nguyện hoa lư", &[], None, false, &lan, now),
        Err(TeamError::NameTaken { .. })
    ));
    let err = teams
        .create(
            "Đội B",
            &["Atlantis".into()],
            Some("Ninh Bình"),
            false,
            &lan,
            now,
        )
        .unwrap_err();
    assert!(matches!(err, TeamError::UnknownCommune { .. }), "{err}");
    assert!(err.to_string().contains("Atlantis"));
    // The creation is in the team's history.
    assert_eq!(teams.events(team.id, 10).unwrap()[0].action, "team_created");
}

#[test]
fn a_leader_of_another_team_is_refused_and_nothing_changes() {
    let (_dir, teams) = setup();
    let now = Utc::now();
    let (lan, minh) = (user("lan", Role::Leader), user("minh", Role::Leader));
    let a = teams.create("Đội A", &[], None, false, &lan, now).unwrap();
    let err = teams.invite(&a, &minh, 7, 10, false, now).unwrap_err();
    assert!(matches!(err, TeamError::NotYourTeam { .. }));
    assert!(err.to_string().contains("Đội A"), "{err}");
    assert!(teams.invitations(a.id).unwrap().is_empty());
    assert!(
        teams
            .set_communes(&a, &["Phường Hoa Lư".into()], None, &minh, now)
            .is_err()
    );
    assert!(teams.get(a.id).unwrap().communes.is_empty());
    // A moderator may.
    teams
        .invite(&a, &user("mod", Role::Moderator), 7, 10, false, now)
        .unwrap();
}

#[test]
fn invitations_expire_are_revoked_fill_up_and_are_used_once() {
    let (_dir, teams) = setup();
    let now = Utc::now();
    let lan = user("lan", Role::Leader);
    let team = teams.create("Đội A", &[], None, false, &lan, now).unwrap();
    let two = teams.invite(&team, &lan, 7, 2, false, now).unwrap();
    assert!(invitations::is_token(&two.token));
    let joined = teams.redeem(&two.token, "an", now).unwrap();
    assert!(!joined.pending);
    assert!(matches!(
        teams.redeem(&two.token, "an", now),
        Err(TeamError::AlreadyMember { .. })
    ));
    teams.redeem(&two.token, "binh", now).unwrap();
    let err = teams.redeem(&two.token, "chi", now).unwrap_err();
    assert!(
        matches!(err, TeamError::InvitationUsedUp { uses: 2 }),
        "{err}"
    );

    let short = teams.invite(&team, &lan, 1, 10, false, now).unwrap();
    let err = teams
        .redeem(&short.token, "dung", now + Duration::days(2))
        .unwrap_err();
    assert!(matches!(err, TeamError::InvitationExpired { .. }), "{err}");

    let revoked = teams.invite(&team, &lan, 7, 10, false, now).unwrap();
    teams.revoke(&team, revoked.id, &lan, now).unwrap();
    assert!(matches!(
        teams.redeem(&revoked.token, "dung", now),
        Err(TeamError::InvitationRevoked)
    ));
    assert!(matches!(
        teams.redeem("00000000000000000000000000000000", "dung", now),
        Err(TeamError::NoSuchInvitation)
    ));
    assert!(matches!(
        teams.redeem("../../etc/passwd", "dung", now),
        Err(TeamError::NoSuchInvitation)
    ));
    // Bad limits are refused with the field named.
    assert!(matches!(
        teams.invite(&team, &lan, 0, 10, false, now),
        Err(TeamError::Invalid { field: "days", .. })
    ));
    let actions: Vec<String> = teams
        .events(team.id, 20)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(actions.contains(&"invitation_revoked".to_owned()));
    assert_eq!(actions.iter().filter(|a| *a == "joined").count(), 2);
}

#[test]
fn a_leader_confirms_newcomers_and_removed_members_cannot_rejoin() {
    let (_dir, teams) = setup();
    let now = Utc::now();
    let lan = user("lan", Role::Leader);
    let team = teams.create("Đội A", &[], None, false, &lan, now).unwrap();
    let invitation = teams.invite(&team, &lan, 7, 10, true, now).unwrap();
    assert!(teams.redeem(&invitation.token, "an", now).unwrap().pending);
    let status = |user: &str| {
        teams
            .members(team.id)
            .unwrap()
            .into_iter()
            .find(|m| m.user == user)
            .map(|m| m.status)
    };
    assert_eq!(status("an"), Some(MemberStatus::Pending));
    teams.confirm(&team, "an", &lan, now).unwrap();
    assert_eq!(status("an"), Some(MemberStatus::Active));
    assert!(matches!(
        teams.confirm(&team, "an", &lan, now),
        Err(TeamError::NoSuchMember { .. })
    ));
    teams
        .db()
        .write(|tx| remove_member_in(tx, &team, "an", "lan", "test", now))
        .unwrap();
    assert_eq!(status("an"), Some(MemberStatus::Removed));
    assert!(matches!(
        teams.redeem(&invitation.token, "an", now),
        Err(TeamError::WasRemoved { .. })
    ));
    // The last leader stays.
    assert!(matches!(
        teams
            .db()
            .write(|tx| remove_member_in(tx, &team, "lan", "lan", "test", now)),
        Err(TeamError::LastLeader { .. })
    ));
}

#[test]
fn a_join_whose_account_fails_gives_its_place_back() {
    let (_dir, teams) = setup();
    let now = Utc::now();
    let lan = user("lan", Role::Leader);
    let team = teams.create("Đội A", &[], None, false, &lan, now).unwrap();
    let one = teams.invite(&team, &lan, 7, 1, false, now).unwrap();
    teams.redeem(&one.token, "an", now).unwrap();
    teams.cancel_redeem(&one.token, "an", now).unwrap();
    assert!(
        teams
            .members(team.id)
            .unwrap()
            .iter()
            .all(|m| m.user != "an")
    );
    teams.redeem(&one.token, "binh", now).unwrap();
}

#[test]
fn the_roster_import_is_idempotent_and_reports_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let layout = ArchiveLayout::new(dir.path());
    let teams = Teams::new(Arc::new(PrivateDb::open(&layout).unwrap()));
    let users = UserStore::new(&layout);
    users
        .add("lan", Role::Moderator, "a long password", Utc::now())
        .unwrap();
    let file = dir.path().join("roster.csv");
    std::fs::write(
        &file,
        "name,team,role,phone\n\
         an,Đội Gia Viễn,leader,0900\n\
         binh,Đội Gia Viễn,,0901\n\
         lan,Đội Gia Viễn,volunteer,\n\
         a b,Đội Gia Viễn,volunteer,\n\
         chi,Đội Hoa Lư,chief,\n\
         binh,Đội Hoa Lư,,\n\
         ,,,\n",
    )
    .unwrap();
    let dry = roster::import(&file, &users, &teams, true, Utc::now()).unwrap();
    assert_eq!((dry.created, dry.unchanged, dry.rejected), (2, 1, 3));
    assert!(dry.passwords.is_empty());
    assert_eq!(users.list().unwrap().len(), 1, "a dry run writes nothing");
    assert!(teams.list().unwrap().is_empty());

    let report = roster::import(&file, &users, &teams, false, Utc::now()).unwrap();
    assert_eq!(
        (report.created, report.unchanged, report.rejected),
        (2, 1, 3)
    );
    assert_eq!(report.ignored_columns, ["phone"]);
    assert_eq!(report.teams_created, ["Đội Gia Viễn"]);
    assert_eq!(report.memberships_added, 3);
    let by_line = |line: u64| report.rows.iter().find(|r| r.line == line).unwrap();
    assert!(
        by_line(4).notes[0].contains("moderator"),
        "{:?}",
        by_line(4)
    );
    assert!(by_line(5).notes[0].contains("a space"));
    assert!(by_line(6).notes[0].contains("chief"));
    assert!(by_line(7).notes[0].contains("line 3"));
    assert_eq!(report.passwords.len(), 2);
    let an = &report.passwords[0];
    assert_eq!((an.name.as_str(), an.role), ("an", Role::Leader));
    let logged = users.verify("an", &an.password).unwrap();
    assert!(logged.must_change_password);
    let team = teams.by_slug("doi-gia-vien").unwrap();
    let members = teams.members(team.id).unwrap();
    assert!(members.iter().any(|m| m.user == "an" && m.leader));
    assert!(members.iter().any(|m| m.user == "lan" && !m.leader));

    let again = roster::import(&file, &users, &teams, false, Utc::now()).unwrap();
    assert_eq!((again.created, again.unchanged), (0, 3));
    assert!(again.passwords.is_empty() && again.teams_created.is_empty());
    assert_eq!(again.memberships_added, 0);
    assert_eq!(users.list().unwrap().len(), 3);

    let out = dir.path().join("passwords.csv");
    roster::write_passwords(&out, &report.passwords).unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("name,team,role,password\nan,Đội Gia Viễn,leader,"));
}
