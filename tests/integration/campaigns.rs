//! Volunteer campaigns on the web, end to end in process: a leader's team and invitation, a
//! newcomer joining from a phone, claims (one winner, the other told), work linked to its
//! task, approval and rejection settling it, figures and reports; then every rule's awkward
//! case — expired and reused invitations, a leader acting on another team, a scope change
//! and a removal while tasks are held, a site deleted or merged while claimed.

use actix_web::test::init_service;
use chrono::Utc;
use disan::campaigns::TaskState;
use disan::ingest::{IngestOptions, ingest};
use disan::layout::ArchiveLayout;
use disan::web::AppState;

use crate::campaign_fixture::{COMMUNE, SITE, campaign, invite, join, page, people, team};
use crate::contrib_fixture::{Browser, fresh, post_form};
use crate::contribute::send;
use crate::moderate_fixture::{add_photo, gps_jpeg};

const NEW_PASSWORD: &str = "my own long password";

fn task_state(state: &AppState, campaign: &str, site: &str) -> disan::campaigns::Task {
    let campaign = state.campaigns.get(campaign).unwrap();
    state.campaigns.task(&campaign, site).unwrap().0.task
}

#[actix_web::test]
async fn from_a_new_team_to_the_report() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let (leader, moderator, _) = people(&app, &c.state).await;
    let team_slug = team(&app, &leader, "Đội Tây Hoa Lư", COMMUNE).await;
    let campaign_slug = campaign(&app, &moderator, "Ảnh di tích Ninh Bình", "Đội Tây Hoa Lư").await;
    let token = invite(
        &app,
        &c.state,
        &leader,
        &team_slug,
        &[("days", "7"), ("max_uses", "5")],
    )
    .await;

    // A newcomer joins from the link and lands on their own page.
    let joined = join(
        &app,
        &c.state,
        &token,
        "Nguyễn.An",
        NEW_PASSWORD,
        NEW_PASSWORD,
    )
    .await;
    assert_eq!(joined.status, 303, "{}", joined.body);
    assert_eq!(joined.location, "/my-tasks");
    let an = joined.browser.expect("logged in");
    let (status, mine) = page(&app, "/my-tasks", Some(&an)).await;
    assert_eq!(status, 200);
    assert!(
        mine.contains("Đội Tây Hoa Lư") && mine.contains("Ảnh di tích Ninh Bình"),
        "{mine}"
    );

    // Tasks nearest first: standing at the commune's centre, its seven sites come first.
    let tasks = format!("/campaigns/{campaign_slug}/tasks?near=20.2783,105.905369");
    let (status, list) = page(&app, &tasks, Some(&an)).await;
    assert_eq!(status, 200);
    assert!(list.contains("35 nhiệm vụ"), "{list}");
    let first = &list[list.find("id=\"t-1\"").unwrap()..list.find("id=\"t-2\"").unwrap()];
    assert!(first.contains("0 m"), "nearest first: {first}");
    let eighth = &list[list.find("id=\"t-8\"").unwrap()..list.find("id=\"t-9\"").unwrap()];
    assert!(
        !eighth.contains(">0 m<"),
        "the commune's seven sites first: {eighth}"
    );
    assert!(list.contains("<svg"), "the tasks on a map");

    // Two volunteers claim the same site: one wins, the other is told who has it.
    let claim = format!("/campaigns/{campaign_slug}/tasks/{SITE}/claim");
    let (status, location, _) = send(&app, post_form(&claim, Some(&an), &[]).to_request()).await;
    assert_eq!(status, 303);
    assert!(location.ends_with("done=claimed"));
    let binh = join(&app, &c.state, &token, "binh", NEW_PASSWORD, NEW_PASSWORD).await;
    let binh = binh.browser.unwrap();
    let (status, _, body) = send(&app, post_form(&claim, Some(&binh), &[]).to_request()).await;
    assert_eq!(status, 409);
    assert!(
        body.contains("nguyễn.an") && body.contains("vừa nhận"),
        "{body}"
    );

    // The holder adds photos through the usual form: the submission is linked to the task.
    let (status, location, _) = send(
        &app,
        post_form(&format!("/contribute/photos/{SITE}"), Some(&an), &[]).to_request(),
    )
    .await;
    assert_eq!(status, 303);
    let submission = location.trim_start_matches("/contribute/").to_owned();
    for (i, seed) in [(1, 11), (2, 12)] {
        add_photo(
            &c.state,
            &submission,
            &format!("IMG_{i}.JPG"),
            &gps_jpeg(20.28, 105.90, seed),
        );
    }
    assert_eq!(
        task_state(&c.state, &campaign_slug, SITE).state,
        TaskState::Review
    );
    let before = page(&app, &format!("/campaigns/{campaign_slug}"), None)
        .await
        .1;

    // A moderator approves: the site is done (two photos), the figures go up.
    let (status, ..) = send(
        &app,
        post_form(
            &format!("/moderate/{submission}/approve"),
            Some(&moderator),
            &[],
        )
        .to_request(),
    )
    .await;
    assert_eq!(status, 303);
    let (view, events) = {
        let campaign = c.state.campaigns.get(&campaign_slug).unwrap();
        c.state.campaigns.task(&campaign, SITE).unwrap()
    };
    assert!(view.done);
    assert_eq!(view.task.state, TaskState::Open);
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["claimed", "submitted", "approved"]);
    let (status, after) = page(&app, &format!("/campaigns/{campaign_slug}"), None).await;
    assert_eq!(status, 200);
    let row = |html: &str| {
        let start = html.find("Tây Hoa Lư</th>").expect("the commune's row");
        html[start..start + 200].to_owned()
    };
    assert_ne!(row(&before), row(&after));
    assert!(
        row(&after).contains("<td>7</td><td class=\"share p1\">14%</td><td>14%</td>"),
        "{}",
        row(&after)
    );
    assert!(
        after.contains("nguyễn.an") && after.contains("Đội Tây Hoa Lư"),
        "credited"
    );
    assert!(after.contains("<polyline"), "the progress chart");

    // The leader's report lists the volunteer's two photos; the figures CSV the commune.
    let csv = page(
        &app,
        &format!("/campaigns/{campaign_slug}/contributions.csv"),
        Some(&leader),
    )
    .await;
    assert_eq!(csv.0, 200);
    let line = csv
        .1
        .lines()
        .find(|l| l.contains("nguyễn.an"))
        .expect("the volunteer's row");
    assert!(
        line.contains(",photos,chua-nhat-tru,") && line.contains(",2,photos/img-1-"),
        "{line}"
    );
    assert_eq!(line.matches("photos/img-").count(), 2);
    let figures = page(
        &app,
        &format!("/campaigns/{campaign_slug}/figures.csv"),
        None,
    )
    .await
    .1;
    assert!(
        figures.lines().any(|l| l.contains("commune,")
            && l.contains("Phường Tây Hoa Lư")
            && l.contains(",7,1,")),
        "{figures}"
    );
    // A volunteer does not get the report; nobody gets it without logging in.
    assert_eq!(
        page(
            &app,
            &format!("/campaigns/{campaign_slug}/contributions.csv"),
            Some(&an)
        )
        .await
        .0,
        403
    );
    assert_eq!(
        page(
            &app,
            &format!("/campaigns/{campaign_slug}/contributions.csv"),
            None
        )
        .await
        .0,
        401
    );
    let mine = page(&app, "/my-tasks", Some(&an)).await.1;
    assert!(
        mine.contains("Chùa Nhất Trụ"),
        "approved work on the volunteer's page"
    );
}

#[actix_web::test]
async fn a_rejection_sends_the_task_back_with_its_reason() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let (leader, moderator, volunteer) = people(&app, &c.state).await;
    team(&app, &leader, "Đội A", COMMUNE).await;
    let slug = campaign(&app, &moderator, "Chiến dịch A", "").await;
    let claim = format!("/campaigns/{slug}/tasks/{SITE}/claim");
    assert_eq!(
        send(&app, post_form(&claim, Some(&volunteer), &[]).to_request())
            .await
            .0,
        303
    );
    let (_, location, _) = send(
        &app,
        post_form(&format!("/contribute/photos/{SITE}"), Some(&volunteer), &[]).to_request(),
    )
    .await;
    let submission = location.trim_start_matches("/contribute/").to_owned();
    add_photo(
        &c.state,
        &submission,
        "IMG.JPG",
        &gps_jpeg(20.28, 105.90, 3),
    );
    let reason = "Ảnh chụp nhà văn hoá, không phải chùa";
    let (status, ..) = send(
        &app,
        post_form(
            &format!("/moderate/{submission}/reject"),
            Some(&moderator),
            &[("reason", reason)],
        )
        .to_request(),
    )
    .await;
    assert_eq!(status, 303);
    let task = task_state(&c.state, &slug, SITE);
    assert_eq!((task.state, task.holder), (TaskState::Open, None));
    let (_, body) = page(
        &app,
        &format!("/campaigns/{slug}/tasks/{SITE}"),
        Some(&volunteer),
    )
    .await;
    assert!(body.contains(reason), "the reason on the task's page");
    let mine = page(&app, "/my-tasks", Some(&volunteer)).await.1;
    assert!(mine.contains(reason), "and on the volunteer's page");
    // Anyone may take it again.
    assert_eq!(
        send(&app, post_form(&claim, Some(&leader), &[]).to_request())
            .await
            .0,
        303
    );
}

#[actix_web::test]
async fn invitations_that_expired_were_withdrawn_or_are_used_up_say_so_and_make_nothing() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let (leader, ..) = people(&app, &c.state).await;
    let slug = team(&app, &leader, "Đội B", COMMUNE).await;
    let one = invite(
        &app,
        &c.state,
        &leader,
        &slug,
        &[("days", "1"), ("max_uses", "1")],
    )
    .await;
    let first = join(&app, &c.state, &one, "lan", NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(first.status, 303);
    // Reused: the one place is taken.
    let again = join(&app, &c.state, &one, "mai", NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(again.status, 410);
    assert!(
        again.body.contains("đã được dùng đủ 1 lượt"),
        "{}",
        again.body
    );
    assert!(
        !c.state.accounts.users.exists("mai").unwrap(),
        "no account made"
    );
    // Withdrawn.
    let withdrawn = invite(&app, &c.state, &leader, &slug, &[]).await;
    let team_id = c.state.teams.by_slug(&slug).unwrap().id;
    let id = c.state.teams.invitations(team_id).unwrap()[0].id;
    let revoke = format!("/teams/{slug}/invitations/{id}/revoke");
    assert_eq!(
        send(&app, post_form(&revoke, Some(&leader), &[]).to_request())
            .await
            .0,
        303
    );
    let late = join(
        &app,
        &c.state,
        &withdrawn,
        "mai",
        NEW_PASSWORD,
        NEW_PASSWORD,
    )
    .await;
    assert_eq!(late.status, 410);
    assert!(late.body.contains("thu hồi"), "{}", late.body);
    // Expired: made a week ago for one day.
    let old = c.state.teams.get(team_id).unwrap();
    let leader_user = c.state.accounts.users.get("leader").unwrap();
    let expired = c
        .state
        .teams
        .invite(
            &old,
            &leader_user,
            1,
            5,
            false,
            Utc::now() - chrono::Duration::days(7),
        )
        .unwrap();
    let (status, body) = page(&app, &format!("/join/{}", expired.token), None).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("hết hạn") && !body.contains("name=\"password\""),
        "{body}"
    );
    let gone = join(
        &app,
        &c.state,
        &expired.token,
        "mai",
        NEW_PASSWORD,
        NEW_PASSWORD,
    )
    .await;
    assert_eq!(gone.status, 410);
    // Unknown and malformed tokens.
    assert_eq!(
        page(&app, &format!("/join/{}", "0".repeat(32)), None)
            .await
            .0,
        404
    );
    assert_eq!(page(&app, "/join/..%2F..%2Fetc", None).await.0, 404);
    // A name taken, passwords that differ: the form again, nothing used up.
    let open = invite(&app, &c.state, &leader, &slug, &[("max_uses", "2")]).await;
    let taken = join(&app, &c.state, &open, "lan", NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(taken.status, 409);
    assert!(taken.body.contains("Đã có tài khoản tên"), "{}", taken.body);
    let differ = join(
        &app,
        &c.state,
        &open,
        "mai",
        NEW_PASSWORD,
        "something else!",
    )
    .await;
    assert_eq!(differ.status, 422);
    let ok = join(&app, &c.state, &open, "mai", NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(ok.status, 303);
    // Everything is in the team's history.
    let actions: Vec<String> = c
        .state
        .teams
        .events(team_id, 50)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for expected in [
        "team_created",
        "invitation_created",
        "invitation_revoked",
        "joined",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} in {actions:?}"
        );
    }
    assert!(
        !actions.iter().any(|a| a == "join_cancelled"),
        "refusals happen before any place is taken"
    );
}

#[actix_web::test]
async fn a_join_that_needs_the_leader_waits_for_confirmation() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let (leader, moderator, _) = people(&app, &c.state).await;
    let slug = team(&app, &leader, "Đội C", COMMUNE).await;
    let campaign_slug = campaign(&app, &moderator, "Chiến dịch C", "Đội C").await;
    let token = invite(&app, &c.state, &leader, &slug, &[("confirm", "on")]).await;
    let joined = join(&app, &c.state, &token, "chi", NEW_PASSWORD, NEW_PASSWORD).await;
    let chi = joined.browser.unwrap();
    let claim = format!("/campaigns/{campaign_slug}/tasks/{SITE}/claim");
    let (status, _, body) = send(&app, post_form(&claim, Some(&chi), &[]).to_request()).await;
    assert_eq!(status, 403);
    assert!(body.contains("chưa xác nhận"), "{body}");
    let (status, body) = page(&app, &format!("/teams/{slug}/manage"), Some(&leader)).await;
    assert_eq!(status, 200);
    assert!(body.contains("Chờ xác nhận"));
    let confirm = format!("/teams/{slug}/members/chi/confirm");
    assert_eq!(
        send(&app, post_form(&confirm, Some(&leader), &[]).to_request())
            .await
            .0,
        303
    );
    assert_eq!(
        send(&app, post_form(&claim, Some(&chi), &[]).to_request())
            .await
            .0,
        303
    );
}

#[actix_web::test]
async fn a_leader_acting_on_another_team_is_told_and_nothing_changes() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let (leader, moderator, volunteer) = people(&app, &c.state).await;
    let ours = team(&app, &leader, "Đội của Lan", COMMUNE).await;
    c.state
        .accounts
        .users
        .add(
            "minh",
            disan::accounts::Role::Leader,
            crate::contrib_fixture::PASSWORD,
            Utc::now(),
        )
        .unwrap();
    let minh = crate::contrib_fixture::login(&app, &c.state, "minh").await;
    let theirs = team(&app, &minh, "Đội của Minh", "Phường Hoa Lư").await;
    let token = invite(&app, &c.state, &leader, &ours, &[]).await;
    let an = join(&app, &c.state, &token, "an", NEW_PASSWORD, NEW_PASSWORD)
        .await
        .browser
        .unwrap();
    let slug = campaign(
        &app,
        &moderator,
        "Chiến dịch D",
        "Đội của Lan\nĐội của Minh",
    )
    .await;
    let before = c
        .state
        .teams
        .events(c.state.teams.by_slug(&ours).unwrap().id, 100)
        .unwrap()
        .len();
    for uri in [
        format!("/teams/{ours}/invitations"),
        format!("/teams/{ours}/communes"),
        format!("/teams/{ours}/members/an/remove"),
        format!("/teams/{ours}/members/an/confirm"),
    ] {
        let (status, _, body) = send(
            &app,
            post_form(&uri, Some(&minh), &[("communes", "Phường Hoa Lư")]).to_request(),
        )
        .await;
        assert_eq!(status, 403, "{uri}");
        assert!(
            body.contains("Đội của Lan") && body.contains("chưa có gì thay đổi"),
            "{uri}: {body}"
        );
    }
    assert_eq!(
        page(&app, &format!("/teams/{ours}/manage"), Some(&minh))
            .await
            .0,
        403
    );
    let after = c
        .state
        .teams
        .events(c.state.teams.by_slug(&ours).unwrap().id, 100)
        .unwrap()
        .len();
    assert_eq!(before, after, "nothing logged, nothing changed");
    // Tasks: Minh can neither give lan's members work nor take an's claim back.
    let claim = format!("/campaigns/{slug}/tasks/{SITE}/claim");
    assert_eq!(
        send(&app, post_form(&claim, Some(&an), &[]).to_request())
            .await
            .0,
        303
    );
    let release = format!("/campaigns/{slug}/tasks/{SITE}/release");
    let (status, _, body) = send(&app, post_form(&release, Some(&minh), &[]).to_request()).await;
    assert_eq!(status, 403, "{body}");
    let assign = format!("/campaigns/{slug}/tasks/hang-mua/assign");
    let (status, _, body) = send(
        &app,
        post_form(&assign, Some(&minh), &[("user", "an")]).to_request(),
    )
    .await;
    assert_eq!(status, 403);
    assert!(body.contains("không phải thành viên"), "{body}");
    assert_eq!(
        task_state(&c.state, &slug, SITE).holder.as_deref(),
        Some("an")
    );
    // Lan can: assign hang-mua to an, take it back.
    let (status, ..) = send(
        &app,
        post_form(&assign, Some(&leader), &[("user", "an")]).to_request(),
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(
        task_state(&c.state, &slug, "hang-mua")
            .assigned_by
            .as_deref(),
        Some("leader")
    );
    let release = format!("/campaigns/{slug}/tasks/hang-mua/release");
    assert_eq!(
        send(&app, post_form(&release, Some(&leader), &[]).to_request())
            .await
            .0,
        303
    );
    // A volunteer cannot assign at all.
    assert_eq!(
        send(
            &app,
            post_form(&assign, Some(&volunteer), &[("user", "an")]).to_request()
        )
        .await
        .0,
        403
    );
    let _ = theirs;
}

#[actix_web::test]
async fn a_scope_change_and_a_removal_while_tasks_are_held() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let (leader, moderator, _) = people(&app, &c.state).await;
    let team_slug = team(&app, &leader, "Đội E", COMMUNE).await;
    let slug = campaign(&app, &moderator, "Chiến dịch E", "Đội E").await;
    let token = invite(&app, &c.state, &leader, &team_slug, &[]).await;
    let an = join(&app, &c.state, &token, "an", NEW_PASSWORD, NEW_PASSWORD)
        .await
        .browser
        .unwrap();
    let binh = join(&app, &c.state, &token, "binh", NEW_PASSWORD, NEW_PASSWORD)
        .await
        .browser
        .unwrap();
    let claim = |site: &str| format!("/campaigns/{slug}/tasks/{site}/claim");
    assert_eq!(
        send(
            &app,
            post_form(&claim("hang-mua"), Some(&an), &[]).to_request()
        )
        .await
        .0,
        303
    );
    assert_eq!(
        send(&app, post_form(&claim(SITE), Some(&binh), &[]).to_request())
            .await
            .0,
        303
    );

    // The moderator narrows the campaign to one commune: an's task (Phường Hoa Lư) leaves it.
    let today = disan::private_db::day_of(Utc::now());
    let (starts, ends) = (
        (today - chrono::Duration::days(1)).to_string(),
        (today + chrono::Duration::days(30)).to_string(),
    );
    let fields = [
        ("title", "Chiến dịch E"),
        ("starts", starts.as_str()),
        ("ends", ends.as_str()),
        ("claim_hours", "48"),
        ("province", "Ninh Bình"),
        ("communes", COMMUNE),
        ("lack_photos", "1"),
        ("done_photos", "2"),
        ("teams", "Đội E"),
    ];
    let (status, location, body) = send(
        &app,
        post_form(
            &format!("/campaigns/{slug}/edit"),
            Some(&moderator),
            &fields,
        )
        .to_request(),
    )
    .await;
    assert_eq!(status, 303, "{body}");
    assert!(
        location.contains("withdrawn=28") && location.contains("released=1"),
        "{location}"
    );
    let task = task_state(&c.state, &slug, "hang-mua");
    assert_eq!((task.state, task.holder), (TaskState::Withdrawn, None));
    let mine = page(&app, "/my-tasks", Some(&an)).await.1;
    assert!(mine.contains("Rút khỏi chiến dịch"), "an is told");
    let (status, body) = page(&app, &format!("/campaigns/{slug}/edit"), Some(&moderator)).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("28 withdrawn (1 of them held)"),
        "the change is in the history"
    );

    // The leader removes binh mid-task: the claim is released, binh is told.
    let remove = format!("/teams/{team_slug}/members/binh/remove");
    let (status, location, _) =
        send(&app, post_form(&remove, Some(&leader), &[]).to_request()).await;
    assert_eq!(status, 303);
    assert!(location.contains("released=1"));
    assert_eq!(task_state(&c.state, &slug, SITE).state, TaskState::Open);
    let mine = page(&app, "/my-tasks", Some(&binh)).await.1;
    assert!(
        mine.contains("Đưa ra khỏi đội") && mine.contains("Trả lại nhiệm vụ"),
        "{mine}"
    );
    let (status, _, body) =
        send(&app, post_form(&claim(SITE), Some(&binh), &[]).to_request()).await;
    assert_eq!(status, 403);
    assert!(body.contains("chưa ở trong đội nào"), "{body}");
}

#[actix_web::test]
async fn a_site_deleted_or_merged_while_claimed_is_settled_at_the_next_start() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let (leader, moderator, volunteer) = people(&app, &c.state).await;
    team(&app, &leader, "Đội F", COMMUNE).await;
    let slug = campaign(&app, &moderator, "Chiến dịch F", "").await;
    for (who, site) in [
        (&volunteer, "dinh-yen-trach"),
        (&leader, "den-vua-le-dai-hanh"),
    ] {
        let uri = format!("/campaigns/{slug}/tasks/{site}/claim");
        assert_eq!(
            send(&app, post_form(&uri, Some(who), &[]).to_request())
                .await
                .0,
            303
        );
    }
    // Someone edits the archive by hand: one site deleted, another merged into a third.
    let archive = c.state.archive.clone();
    std::fs::remove_dir_all(archive.root().join("ninh-binh/dinh-yen-trach")).unwrap();
    std::fs::remove_dir_all(archive.root().join("ninh-binh/den-vua-le-dai-hanh")).unwrap();
    let survivor = archive
        .root()
        .join("ninh-binh/den-vua-dinh-tien-hoang/site.json");
    let mut record =
        disan::record::SiteRecord::from_json(&std::fs::read_to_string(&survivor).unwrap()).unwrap();
    record.former_ids.push("den-vua-le-dai-hanh".into());
    std::fs::write(&survivor, record.to_json()).unwrap();
    let crate::contrib_fixture::Contrib { _dir, state } = c;
    let index = state.index_layout.clone();
    drop(app);
    drop(state); // the old server's index writer goes with it
    ingest(
        &ArchiveLayout::new(archive.root()),
        &index,
        &IngestOptions::default(),
    )
    .unwrap();
    let restarted = AppState::open(&archive, &index, None).unwrap();
    let campaign = restarted.campaigns.get(&slug).unwrap();
    let gone = restarted
        .campaigns
        .task(&campaign, "dinh-yen-trach")
        .unwrap()
        .0
        .task;
    assert_eq!((gone.state, gone.holder), (TaskState::Gone, None));
    let merged = restarted
        .campaigns
        .task(&campaign, "den-vua-dinh-tien-hoang")
        .unwrap();
    assert_eq!(
        merged.0.task.holder.as_deref(),
        Some("leader"),
        "the claim moved to the survivor"
    );
    assert!(merged.1.iter().any(|e| e.action == "site_merged"));
    let notices = restarted.campaigns.mine("volunteer").unwrap().notices;
    assert!(notices.iter().any(|e| e.action == "site_removed"));
    let figures = restarted
        .campaigns
        .figures(&campaign, None, Utc::now())
        .unwrap();
    assert_eq!(figures.total.sites, 33);
}

#[actix_web::test]
async fn a_one_time_password_leads_to_choosing_ones_own() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let file = c._dir.path().join("roster.csv");
    std::fs::write(&file, "name,team,role\nthu,Đội G,volunteer\n").unwrap();
    let report = disan::teams::roster::import(
        &file,
        &c.state.accounts.users,
        &c.state.teams,
        false,
        Utc::now(),
    )
    .unwrap();
    let one_time = report.passwords[0].password.clone();
    let login_token = crate::contrib_fixture::login_token(&app).await;
    let response = actix_web::test::call_service(
        &app,
        post_form(
            "/login",
            None,
            &[
                ("csrf", &login_token),
                ("user", "thu"),
                ("password", &one_time),
                ("next", "/my-tasks"),
            ],
        )
        .insert_header((
            actix_web::http::header::COOKIE,
            format!("disan_login={login_token}"),
        ))
        .to_request(),
    )
    .await;
    assert_eq!(response.status(), 303);
    let cookie = response
        .response()
        .cookies()
        .find(|c| c.name() == "disan_session")
        .unwrap()
        .value()
        .to_owned();
    let (session, _) = c
        .state
        .accounts
        .sessions
        .session(&cookie, Utc::now())
        .unwrap();
    let thu = Browser {
        cookie,
        csrf: session.csrf,
    };
    // Every page leads to the password form first.
    let (status, location, _) = send(
        &app,
        crate::contribute::get("/my-tasks", Some(&thu)).to_request(),
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(location, "/account/password?next=%2Fmy-tasks");
    let (status, body) = page(&app, "/account/password?next=/my-tasks", Some(&thu)).await;
    assert_eq!(status, 200);
    assert!(body.contains("mật khẩu được cấp một lần"));
    let fields = [
        ("current", one_time.as_str()),
        ("password", NEW_PASSWORD),
        ("password2", NEW_PASSWORD),
        ("next", "/my-tasks"),
    ];
    let response = actix_web::test::call_service(
        &app,
        post_form("/account/password", Some(&thu), &fields).to_request(),
    )
    .await;
    assert_eq!(response.status(), 303);
    let cookie = response
        .response()
        .cookies()
        .find(|c| c.name() == "disan_session")
        .unwrap()
        .value()
        .to_owned();
    assert!(
        c.state
            .accounts
            .sessions
            .session(&thu.cookie, Utc::now())
            .is_err(),
        "the old session ended"
    );
    let (session, user) = c
        .state
        .accounts
        .sessions
        .session(&cookie, Utc::now())
        .unwrap();
    assert!(!user.must_change_password);
    let thu = Browser {
        cookie,
        csrf: session.csrf,
    };
    let (status, body) = page(&app, "/my-tasks", Some(&thu)).await;
    assert_eq!(status, 200);
    assert!(body.contains("Đội G"));
    assert!(c.state.accounts.users.verify("thu", &one_time).is_err());
}

#[actix_web::test]
async fn proposing_a_site_shows_the_likely_duplicates_first() {
    let c = fresh();
    let app = init_service(disan::web::app(c.state.clone())).await;
    let (leader, moderator, volunteer) = people(&app, &c.state).await;
    team(&app, &leader, "Đội H", COMMUNE).await;
    let slug = campaign(&app, &moderator, "Chiến dịch H", "").await;
    // Same commune, nearly the same name as the bundled "Chùa Nhất Trụ".
    let mut fields = vec![
        ("name", "Chùa Nhất Trụ cổ"),
        ("type", "chua"),
        ("province", "Ninh Bình"),
        ("commune", COMMUNE),
        ("description", "Ngôi chùa cột đá."),
        ("campaign", slug.as_str()),
    ];
    let (status, _, body) = send(
        &app,
        post_form("/contribute/new", Some(&volunteer), &fields).to_request(),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        body.contains("Có thể đã có di tích này") && body.contains("/sites/chua-nhat-tru"),
        "{body}"
    );
    assert!(body.contains(&format!("name=\"campaign\" value=\"{slug}\"")));
    fields.push(("not_duplicate", "1"));
    let (status, location, body) = send(
        &app,
        post_form("/contribute/new", Some(&volunteer), &fields).to_request(),
    )
    .await;
    assert_eq!(status, 303, "{body}");
    // Approved, the new site becomes a task of the campaign it was proposed in.
    let submission = location.trim_start_matches("/contribute/").to_owned();
    let (status, ..) = send(
        &app,
        post_form(
            &format!("/moderate/{submission}/approve"),
            Some(&moderator),
            &[],
        )
        .to_request(),
    )
    .await;
    assert_eq!(status, 303);
    let site = crate::moderate_fixture::approved_site(&c.state, &submission);
    let task = task_state(&c.state, &slug, &site);
    assert_eq!(
        (task.state, task.origin.as_str()),
        (TaskState::Open, "proposed")
    );
}
