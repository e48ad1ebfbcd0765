use std::sync::Arc;

use chrono::{Duration, Utc};

use super::tasks::Showing;
use super::*;
use crate::archive::inbox::{Proposal, Status, Submission, SubmittedPhoto};
use crate::ingest::photos::PhotoMeta;
use crate::layout::ArchiveLayout;
use crate::record::{Accuracy, Photo, SiteRecord};
use crate::teams::Teams;

fn user(name: &str, role: Role) -> User {
    User {
        name: name.into(),
        role,
        password_hash: String::new(),
        disabled: false,
        created: Utc::now(),
        must_change_password: false,
    }
}

/// A site of Ninh Bình's Phường Hoa Lư, `i` hundred metres east of its centre, without photos.
fn record(id: &str, i: u32) -> SiteRecord {
    let mut r = SiteRecord::new(id, format!("Đình {id}"), Utc::now());
    r.location.province = Some("Ninh Bình".into());
    r.location.commune = Some("Phường Hoa Lư".into());
    r.location.lat = Some(20.25);
    r.location.lon = Some(105.97 + f64::from(i) * 0.001);
    r.location.accuracy = Some(Accuracy::Map);
    r.site_type = crate::record::SiteType::parse("dinh");
    r
}

fn photo(file: &str) -> Photo {
    Photo {
        file: file.into(),
        caption: None,
        caption_en: None,
        author: Some("an".into()),
        license: Some("CC-BY-4.0".into()),
        date_taken: None,
        lat: None,
        lon: None,
    }
}

/// A record as the catalog shows it once published, every photo rendered.
fn shown(record: &SiteRecord) -> SiteSummary {
    let rendered: Vec<Option<PhotoMeta>> = record
        .photos
        .iter()
        .map(|p| {
            Some(PhotoMeta {
                hash: p.file.clone(),
                width: 1,
                height: 1,
                placeholder: "#000000".into(),
                date_taken: None,
                camera: None,
                gps: None,
                files: Vec::new(),
            })
        })
        .collect();
    SiteSummary::of(record, &rendered)
}

/// Brings the campaigns in step with `records` as the published sites.
fn sync(campaigns: &Campaigns, records: &[SiteRecord], now: chrono::DateTime<Utc>) -> SyncReport {
    let summaries: Vec<SiteSummary> = records.iter().map(shown).collect();
    let published = records.iter().map(|r| r.id.as_str()).zip(&summaries);
    campaigns.sync_sites(published, now).unwrap()
}

/// Records the approval of `submission`, which published `record`.
fn approve(w: &World, submission: &Submission, record: &SiteRecord) {
    w.campaigns
        .approved(submission, &record.id, &shown(record), "mod", w.now)
        .unwrap();
}

struct World {
    _dir: tempfile::TempDir,
    campaigns: Campaigns,
    teams: Teams,
    team: Team,
    campaign: Campaign,
    lan: User,
    now: chrono::DateTime<Utc>,
}

/// Ten sites, a team led by `lan` with members `an` and `binh`, a campaign over Ninh Bình's
/// sites without photos, open to that team, claims held 48 hours.
fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(PrivateDb::open(&ArchiveLayout::new(dir.path())).unwrap());
    let (campaigns, teams) = (Campaigns::new(db.clone()), Teams::new(db));
    let now = Utc::now();
    let records: Vec<SiteRecord> = (0..10).map(|i| record(&format!("s{i}"), i)).collect();
    let report = sync(&campaigns, &records, now);
    assert_eq!((report.sites, report.changed), (10, 10));
    let lan = user("lan", Role::Leader);
    let team = teams
        .create(
            "Đội A",
            &["Phường Hoa Lư".into()],
            Some("Ninh Bình"),
            false,
            &lan,
            now,
        )
        .unwrap();
    for name in ["an", "binh"] {
        teams.add_member(&team, name, false, "lan", now).unwrap();
    }
    let draft = Draft {
        title: "Ảnh di tích Ninh Bình 2026".into(),
        description: String::new(),
        starts: now.date_naive() - Duration::days(1),
        ends: now.date_naive() + Duration::days(30),
        scope: Scope {
            provinces: vec!["Ninh Bình".into()],
            lacking: Lacking {
                photos_below: 1,
                ..Lacking::default()
            },
            ..Scope::default()
        },
        done: DoneRule {
            min_photos: 2,
            precise: true,
            description: false,
            sources: false,
        },
        claim_hours: 48,
        teams: vec![team.id],
    };
    let (campaign, change) = campaigns
        .create(&draft, &user("mod", Role::Moderator), now)
        .unwrap();
    assert_eq!(change.added, 10);
    assert_eq!(campaign.slug, "anh-di-tich-ninh-binh-2026");
    World {
        _dir: dir,
        campaigns,
        teams,
        team,
        campaign,
        lan,
        now,
    }
}

fn state(w: &World, site: &str) -> Task {
    w.campaigns.task(&w.campaign, site).unwrap().0.task
}

fn photos_submission(id: &str, site: &str, by: &str, photos: usize) -> Submission {
    Submission {
        id: id.into(),
        submitter: by.into(),
        proposal: Proposal::Photos {
            site_id: site.into(),
        },
        photos: (0..photos)
            .map(|i| SubmittedPhoto {
                hash: format!("{i}{i}{i}{i}{i}{i}{i}{i}ffff"),
                stored: format!("{i}.jpg"),
                original_name: format!("IMG_{i}.jpg"),
                bytes: 1,
                width: 1,
                height: 1,
                caption: None,
                author: by.into(),
                license: "CC-BY-4.0".into(),
                date_taken: None,
                gps: None,
                share_position: false,
                received: Utc::now(),
            })
            .collect(),
        status: Status::Pending,
        created: Utc::now(),
        updated: Utc::now(),
        review: None,
    }
}

#[test]
fn two_volunteers_claiming_one_task_at_once_one_wins_the_other_is_told() {
    let w = world();
    let campaigns = Arc::new(w.campaigns.clone());
    let campaign = Arc::new(w.campaign.clone());
    let now = w.now;
    // Everyone a member, twenty claims of the same site at the same moment.
    let names: Vec<String> = (0..20).map(|i| format!("v{i}")).collect();
    for name in &names {
        w.teams
            .add_member(&w.team, name, false, "lan", now)
            .unwrap();
    }
    let barrier = Arc::new(std::sync::Barrier::new(names.len()));
    let threads: Vec<_> = names
        .iter()
        .map(|name| {
            let (campaigns, campaign, barrier) =
                (campaigns.clone(), campaign.clone(), barrier.clone());
            let who = user(name, Role::Volunteer);
            std::thread::spawn(move || {
                barrier.wait();
                campaigns.claim(&campaign, "s3", &who, now)
            })
        })
        .collect();
    let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let winners: Vec<&Task> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(winners.len(), 1);
    let holder = winners[0].holder.clone().unwrap();
    for lost in results.iter().filter_map(|r| r.as_ref().err()) {
        match lost {
            CampaignError::AlreadyClaimed { by, .. } => assert_eq!(by, &holder),
            other => panic!("unexpected refusal: {other}"),
        }
        assert!(lost.to_string().contains(&holder));
    }
    let history = w.campaigns.task(&w.campaign, "s3").unwrap().1;
    assert_eq!(history.iter().filter(|e| e.action == "claimed").count(), 1);
}

#[test]
fn claims_expire_and_the_task_is_open_again_with_a_line_of_history() {
    let w = world();
    let (an, binh) = (user("an", Role::Volunteer), user("binh", Role::Volunteer));
    let task = w.campaigns.claim(&w.campaign, "s1", &an, w.now).unwrap();
    assert_eq!(
        task.expires.map(|t| t.timestamp()),
        Some((w.now + Duration::hours(48)).timestamp())
    );
    let err = w
        .campaigns
        .claim(&w.campaign, "s1", &binh, w.now + Duration::hours(47))
        .unwrap_err();
    assert!(matches!(err, CampaignError::AlreadyClaimed { .. }));
    let later = w.now + Duration::hours(49);
    let task = w.campaigns.claim(&w.campaign, "s1", &binh, later).unwrap();
    assert_eq!(task.holder.as_deref(), Some("binh"));
    let actions: Vec<String> = w
        .campaigns
        .task(&w.campaign, "s1")
        .unwrap()
        .1
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["claimed", "expired", "claimed"]);
    // The sweep releases what nobody touched, and an holds nothing any more.
    w.campaigns.claim(&w.campaign, "s2", &an, w.now).unwrap();
    assert_eq!(w.campaigns.expire_claims(later).unwrap(), 1);
    assert_eq!(state(&w, "s2").state, TaskState::Open);
    let mine = w.campaigns.mine("an").unwrap();
    assert!(mine.held.is_empty());
    assert!(mine.notices.iter().any(|e| e.action == "expired"));
}

#[test]
fn rules_of_claiming() {
    let w = world();
    let an = user("an", Role::Volunteer);
    // Not in a taking-part team; waiting for the leader; campaign over.
    let err = w
        .campaigns
        .claim(&w.campaign, "s1", &user("stranger", Role::Volunteer), w.now)
        .unwrap_err();
    assert!(
        matches!(err, CampaignError::NotParticipating { .. }),
        "{err}"
    );
    let invitation = w.teams.invite(&w.team, &w.lan, 7, 5, true, w.now).unwrap();
    w.teams.redeem(&invitation.token, "chi", w.now).unwrap();
    assert!(matches!(
        w.campaigns
            .claim(&w.campaign, "s1", &user("chi", Role::Volunteer), w.now),
        Err(CampaignError::Pending { .. })
    ));
    assert!(matches!(
        w.campaigns
            .claim(&w.campaign, "s1", &an, w.now + Duration::days(40)),
        Err(CampaignError::NotRunning { .. })
    ));
    // At most MAX_CLAIMS at once; claiming one's own task again is harmless.
    for i in 0..MAX_CLAIMS {
        w.campaigns
            .claim(&w.campaign, &format!("s{i}"), &an, w.now)
            .unwrap();
    }
    w.campaigns.claim(&w.campaign, "s0", &an, w.now).unwrap();
    assert!(matches!(
        w.campaigns.claim(&w.campaign, "s9", &an, w.now),
        Err(CampaignError::TooManyClaims { .. })
    ));
    // Only the holder (or their leader) releases.
    assert!(matches!(
        w.campaigns
            .release(&w.campaign, "s0", &user("binh", Role::Volunteer), w.now),
        Err(CampaignError::NotYours { .. })
    ));
    w.campaigns.release(&w.campaign, "s0", &an, w.now).unwrap();
    assert!(matches!(
        w.campaigns.release(&w.campaign, "s0", &an, w.now),
        Err(CampaignError::NotClaimed)
    ));
    assert!(matches!(
        w.campaigns.claim(&w.campaign, "nowhere", &an, w.now),
        Err(CampaignError::NoSuchTask { .. })
    ));
}

#[test]
fn leaders_assign_and_unassign_only_their_own_members() {
    let w = world();
    let now = w.now;
    let minh = user("minh", Role::Leader);
    let other = w
        .teams
        .create("Đội B", &[], None, false, &minh, now)
        .unwrap();
    w.teams
        .add_member(&other, "cuong", false, "minh", now)
        .unwrap();
    let task = w
        .campaigns
        .assign(&w.campaign, "s4", "an", &w.lan, now)
        .unwrap();
    assert_eq!(
        (task.holder.as_deref(), task.assigned_by.as_deref()),
        (Some("an"), Some("lan"))
    );
    // Another team's leader can neither take it back nor give tasks to lan's members.
    let err = w
        .campaigns
        .release(&w.campaign, "s4", &minh, now)
        .unwrap_err();
    assert!(matches!(err, CampaignError::NotYours { .. }));
    assert_eq!(state(&w, "s4").holder.as_deref(), Some("an"));
    assert!(matches!(
        w.campaigns.assign(&w.campaign, "s5", "binh", &minh, now),
        Err(CampaignError::NotYourMember { .. })
    ));
    // lan's own team cannot be given to a member of another team either.
    assert!(matches!(
        w.campaigns.assign(&w.campaign, "s5", "cuong", &w.lan, now),
        Err(CampaignError::NotYourMember { .. })
    ));
    w.campaigns.release(&w.campaign, "s4", &w.lan, now).unwrap();
    let history = w.campaigns.task(&w.campaign, "s4").unwrap().1;
    let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["assigned", "unassigned"]);
    assert!(history.iter().all(|e| e.subject.as_deref() == Some("an")));
}

#[test]
fn a_rejection_returns_the_task_with_its_reason_and_an_approval_completes_it() {
    let w = world();
    let an = user("an", Role::Volunteer);
    w.campaigns.claim(&w.campaign, "s1", &an, w.now).unwrap();
    let first = photos_submission("20260101-000000-aaaa", "s1", "an", 1);
    assert_eq!(
        w.campaigns.link(&first, None, w.now).unwrap(),
        [w.campaign.id]
    );
    assert_eq!(state(&w, "s1").state, TaskState::Review);
    // Review tasks neither expire nor can be claimed by others.
    assert_eq!(
        w.campaigns
            .expire_claims(w.now + Duration::days(9))
            .unwrap(),
        0
    );
    assert!(matches!(
        w.campaigns
            .claim(&w.campaign, "s1", &user("binh", Role::Volunteer), w.now),
        Err(CampaignError::InReview)
    ));
    w.campaigns
        .rejected(&first, "the photo shows another building", "mod", w.now)
        .unwrap();
    let task = state(&w, "s1");
    assert_eq!(task.state, TaskState::Open);
    assert!(task.note.unwrap().contains("another building"));
    let mine = w.campaigns.mine("an").unwrap();
    assert_eq!(mine.sent[0].status, "rejected");
    assert_eq!(
        mine.sent[0].reason.as_deref(),
        Some("the photo shows another building")
    );

    // Claimed again; one approved photo is not enough for a rule of two.
    let before = w.campaigns.figures(&w.campaign, None, w.now).unwrap();
    w.campaigns.claim(&w.campaign, "s1", &an, w.now).unwrap();
    let second = photos_submission("20260101-000001-bbbb", "s1", "an", 1);
    w.campaigns.link(&second, None, w.now).unwrap();
    let mut site = record("s1", 1);
    site.photos = vec![photo("photos/img_0-00000000.jpg")];
    approve(&w, &second, &site);
    let task = state(&w, "s1");
    assert_eq!(task.state, TaskState::Open);
    assert!(task.note.unwrap().contains("still lacks: photos"));
    // A third with another photo completes it: no longer claimable, figures up.
    w.campaigns.claim(&w.campaign, "s1", &an, w.now).unwrap();
    let third = photos_submission("20260101-000002-cccc", "s1", "an", 2);
    w.campaigns.link(&third, None, w.now).unwrap();
    site.photos.push(photo("photos/img_1-11111111.jpg"));
    approve(&w, &third, &site);
    let (view, _) = w.campaigns.task(&w.campaign, "s1").unwrap();
    assert!(view.done);
    assert!(matches!(
        w.campaigns.claim(&w.campaign, "s1", &an, w.now),
        Err(CampaignError::AlreadyDone)
    ));
    let after = w.campaigns.figures(&w.campaign, None, w.now).unwrap();
    assert_eq!((before.total.photo, after.total.photo), (0, 1));
    assert_eq!((before.total.done, after.total.done), (0, 1));
    let commune = w.team.communes[0].code.clone();
    assert_eq!(after.communes[&commune].done, 1);
    assert_eq!(after.teams[&w.team.id].done, 1);
    // Credits: both approvals, the second with its two published files.
    let credits = w
        .campaigns
        .credits(&ledger::CreditQuery {
            campaign: Some(w.campaign.id),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(credits.len(), 2);
    assert_eq!(
        credits[1].photo_files,
        ["photos/img_0-00000000.jpg", "photos/img_1-11111111.jpg"]
    );
    assert_eq!(credits[1].team_name.as_deref(), Some("Đội A"));
    // Approving twice (a retried request) credits once.
    approve(&w, &third, &site);
    assert_eq!(w.campaigns.recent_work(&w.campaign, 10).unwrap().len(), 2);
    let claimable = w
        .campaigns
        .tasks(
            &w.campaign,
            Some((20.25, 105.97)),
            None,
            Showing::Claimable,
            0,
            20,
        )
        .unwrap();
    assert_eq!(claimable.total, 9);
    assert!(claimable.items.iter().all(|t| t.site.id != "s1"));
}

#[test]
fn tasks_are_listed_nearest_first() {
    let w = world();
    let near = w
        .campaigns
        .tasks(
            &w.campaign,
            Some((20.25, 105.9752)),
            None,
            Showing::Claimable,
            0,
            3,
        )
        .unwrap();
    let ids: Vec<&str> = near.items.iter().map(|t| t.site.id.as_str()).collect();
    assert_eq!(ids, ["s5", "s6", "s4"]);
    assert!(near.items[0].distance_km.unwrap() < 0.1);
    let page = w
        .campaigns
        .tasks(
            &w.campaign,
            Some((20.25, 105.9752)),
            None,
            Showing::Claimable,
            3,
            3,
        )
        .unwrap();
    assert_eq!(page.items[0].site.id, "s7");
    // Far away: the box widens until it finds them.
    let far = w
        .campaigns
        .tasks(
            &w.campaign,
            Some((10.78, 106.7)),
            None,
            Showing::Claimable,
            0,
            2,
        )
        .unwrap();
    assert_eq!(far.items.len(), 2);
    let all = w
        .campaigns
        .tasks(&w.campaign, None, None, Showing::Live, 0, 100)
        .unwrap();
    assert_eq!(all.total, 10);
}

#[test]
fn a_scope_change_withdraws_held_tasks_with_a_note_and_loses_nothing() {
    let w = world();
    let an = user("an", Role::Volunteer);
    w.campaigns.claim(&w.campaign, "s1", &an, w.now).unwrap();
    w.campaigns.claim(&w.campaign, "s2", &an, w.now).unwrap();
    let sent = photos_submission("20260101-000003-dddd", "s2", "an", 1);
    w.campaigns.link(&sent, None, w.now).unwrap();
    // The campaign narrows to an explicit list without s1 and s2.
    let mut draft = Draft {
        title: w.campaign.title.clone(),
        description: String::new(),
        starts: w.campaign.starts,
        ends: w.campaign.ends,
        scope: Scope {
            sites: vec!["s5".into(), "s6".into()],
            ..Scope::default()
        },
        done: w.campaign.done.clone(),
        claim_hours: 48,
        teams: w.campaign.teams.clone(),
    };
    let moderator = user("mod", Role::Moderator);
    let (narrow, change) = w
        .campaigns
        .update(&w.campaign, &draft, &moderator, w.now)
        .unwrap();
    assert_eq!((change.withdrawn, change.released), (8, 2));
    let s1 = w.campaigns.task(&narrow, "s1").unwrap().0.task;
    assert_eq!((s1.state, s1.holder), (TaskState::Withdrawn, None));
    assert!(s1.note.unwrap().contains("scope"));
    let mine = w.campaigns.mine("an").unwrap();
    assert!(mine.notices.iter().any(|e| e.action == "task_withdrawn"));
    assert_eq!(mine.sent.len(), 1, "the submission is still there");
    // The work sent for s2 is still decided on: approval credits it to the campaign.
    let mut site = record("s2", 2);
    site.photos = vec![photo("photos/a-00000000.jpg")];
    approve(&w, &sent, &site);
    assert_eq!(w.campaigns.recent_work(&narrow, 5).unwrap().len(), 1);
    let figures = w.campaigns.figures(&narrow, None, w.now).unwrap();
    assert_eq!(figures.total.sites, 2);
    // Widening again brings the withdrawn tasks back.
    draft.scope = w.campaign.scope.clone();
    let (_, change) = w
        .campaigns
        .update(&narrow, &draft, &moderator, w.now)
        .unwrap();
    assert_eq!(change.restored, 8);
    let events = w
        .campaigns
        .db()
        .read(|tx| Ok::<_, CampaignError>(crate::private_db::campaign_events(tx, narrow.id, 10)?))
        .unwrap();
    assert_eq!(events[0].action, "campaign_changed");
    assert!(
        events[1].detail.contains("8 withdrawn (2 of them held)"),
        "{}",
        events[1].detail
    );
}

#[test]
fn a_volunteer_removed_mid_task_loses_the_claim_not_the_work() {
    let w = world();
    let an = user("an", Role::Volunteer);
    w.campaigns.claim(&w.campaign, "s1", &an, w.now).unwrap();
    w.campaigns.claim(&w.campaign, "s2", &an, w.now).unwrap();
    let sent = photos_submission("20260101-000004-eeee", "s2", "an", 1);
    w.campaigns.link(&sent, None, w.now).unwrap();
    // Another team's leader cannot remove lan's members.
    let minh = user("minh", Role::Leader);
    assert!(matches!(
        w.campaigns.remove_member(&w.team, "an", &minh, w.now),
        Err(CampaignError::Teams(TeamError::NotYourTeam { .. }))
    ));
    assert_eq!(
        w.campaigns
            .remove_member(&w.team, "an", &w.lan, w.now)
            .unwrap(),
        1
    );
    assert_eq!(state(&w, "s1").state, TaskState::Open);
    assert_eq!(state(&w, "s2").state, TaskState::Review);
    assert!(matches!(
        w.campaigns.claim(&w.campaign, "s3", &an, w.now),
        Err(CampaignError::NotParticipating { .. })
    ));
    let mine = w.campaigns.mine("an").unwrap();
    assert!(mine.notices.iter().any(|e| e.action == "member_removed"));
    assert!(mine.notices.iter().any(|e| e.action == "released"));
}

#[test]
fn a_site_deleted_or_merged_while_claimed() {
    let w = world();
    let (an, binh) = (user("an", Role::Volunteer), user("binh", Role::Volunteer));
    w.campaigns.claim(&w.campaign, "s1", &an, w.now).unwrap();
    w.campaigns.claim(&w.campaign, "s2", &binh, w.now).unwrap();
    // s1 is deleted from the archive; s2 is merged into s3 (s3 lists s2 as a former id).
    let mut records: Vec<SiteRecord> = (0..10)
        .filter(|i| ![1, 2].contains(i))
        .map(|i| record(&format!("s{i}"), i))
        .collect();
    records[1].former_ids = vec!["s2".into()];
    assert_eq!(records[1].id, "s3");
    let report = sync(&w.campaigns, &records, w.now);
    assert_eq!(
        (report.removed, report.tasks_gone, report.tasks_moved),
        (2, 1, 1)
    );
    let s1 = state(&w, "s1");
    assert_eq!((s1.state, s1.holder), (TaskState::Gone, None));
    let s2 = state(&w, "s2");
    assert_eq!(s2.state, TaskState::Gone);
    let s3 = state(&w, "s3");
    assert_eq!(
        (s3.state, s3.holder.as_deref()),
        (TaskState::Claimed, Some("binh"))
    );
    assert!(matches!(
        w.campaigns.claim(&w.campaign, "s1", &binh, w.now),
        Err(CampaignError::Closed { .. })
    ));
    assert!(
        w.campaigns
            .mine("an")
            .unwrap()
            .notices
            .iter()
            .any(|e| e.action == "site_removed")
    );
    // A rename without a task at the new id moves the task itself.
    let mut renamed = records.clone();
    renamed[2].former_ids = vec![renamed[2].id.clone()];
    renamed[2].id = "s4-moi".into();
    sync(&w.campaigns, &renamed, w.now);
    assert_eq!(state(&w, "s4-moi").state, TaskState::Open);
    assert!(w.campaigns.task(&w.campaign, "s4").is_err());
    let figures = w.campaigns.figures(&w.campaign, None, w.now).unwrap();
    assert_eq!(figures.total.sites, 8);
}

#[test]
fn a_site_proposed_in_the_campaign_becomes_a_task_when_approved() {
    let w = world();
    let mut proposed = record("new", 20);
    proposed.id = String::new();
    let submission = Submission {
        proposal: Proposal::NewSite {
            record: proposed.clone(),
        },
        ..photos_submission("20260101-000005-ffff", "x", "an", 1)
    };
    w.campaigns
        .link(&submission, Some(&w.campaign), w.now)
        .unwrap();
    proposed.id = "dinh-moi".into();
    proposed.photos = vec![photo("photos/x-00000000.jpg")];
    approve(&w, &submission, &proposed);
    let task = state(&w, "dinh-moi");
    assert_eq!(
        (task.state, task.origin.as_str()),
        (TaskState::Open, "proposed")
    );
    let figures = w.campaigns.figures(&w.campaign, None, w.now).unwrap();
    assert_eq!((figures.total.sites, figures.total.photo), (11, 1));
}

#[test]
fn past_figures_come_from_daily_snapshots() {
    let w = world();
    let yesterday = w.now - Duration::days(1);
    let tomorrow = w.now + Duration::days(1);
    let mut site = record("s1", 1);
    site.photos = vec![photo("a.jpg"), photo("b.jpg")];
    w.campaigns
        .site_changed(&site.id, &shown(&site), tomorrow)
        .unwrap();
    let today = w
        .campaigns
        .figures(&w.campaign, Some(crate::private_db::day_of(w.now)), w.now)
        .unwrap();
    let later = w.campaigns.figures(&w.campaign, None, tomorrow).unwrap();
    assert_eq!((today.total.photo, later.total.photo), (0, 1));
    let before = w
        .campaigns
        .figures(
            &w.campaign,
            Some(crate::private_db::day_of(yesterday)),
            w.now,
        )
        .unwrap();
    assert_eq!(before.day, None, "nothing before the campaign began");
    let series = w.campaigns.series(&w.campaign).unwrap();
    assert_eq!(series.len(), 2);
    assert!(series[0].0 < series[1].0);
}
