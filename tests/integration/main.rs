//! Disan's integration tests, one binary. Each module runs the real `disan` binary or the
//! library against small fixture archives (`tests/fixtures/`) or, when `DISAN_TESTDATA` is set,
//! against real data.

mod util; // temp archives, running `disan`, locating the real test data

mod accounts; // login, logout, sessions, CSRF and the role of every write route
mod backup; // the backup drill: back up under load, verify, wipe, restore, rebuild, compare
mod campaign_fixture; // a team, a campaign and an invitation made through the web; joining
mod campaign_roles; // every team and campaign route × role, CSRF, English pages, escaping
mod campaigns; // teams, invitations, claims, linked work, figures, reports and every rule's edge
mod check; // `disan check` on a clean archive, one of each mistake, and the bundled archive
mod contrib_fixture; // a writable archive with one account per role, and a logged-in browser
mod contribute; // volunteers' pages: routes × roles, CSRF, the site forms, escaping, sessions
mod contribute_uploads; // photo uploads: plain form, bad input, 413s, resume after cuts and restarts
mod crash; // SIGKILL of the real server during approvals: nothing lost, nothing twice
mod disk_full; // a full disk (tmpfs): uploads, approvals, ingest fail clearly, corrupt nothing, recover
mod hardening; // the twelve findings of the security review, each with its regression test
mod import; // `disan import`: CSV and JSON, dry run, rejections, idempotence, real relic data
mod ingest; // `disan ingest`: incremental, crash-safe, bad input reported, photo GPS
mod metrics; // /metrics for loopback only: requests, latency, search time, index, inbox, logins
mod moderate; // the moderators' queue: roles and CSRF, approve (live at once), edit, reject
mod moderate_fixture; // pending submissions with GPS photos, requests, the public archive listing
mod moderate_history; // reverts, escaping, a failed approval and a restart, needs-help
mod offline; // the worker, the manifest, offline pages, trip packs, drafts sent once
mod open_data; // `disan export` in five formats, the CSV round trip of the real records, deletions
mod open_data_web; // /data, search downloads, OAI-PMH, IIIF manifests and tiles, citations
mod relevance; // search quality on the real records: Success@k and MRR per query form
mod relic_rows; // converts the crawled relic files of the test data into import rows
mod replica; // a read replica in process: the primary's pages from storage, an approval followed
mod users; // `disan user add | list | disable | import`: generated and one-time passwords, rosters
// Photo derivatives are tested in `tests/media.rs`, a binary of their own because it installs
// an allocation-counting global allocator (to prove bombs are refused before allocating).
mod web; // the site and JSON API in process: every route, both languages, errors, caching
mod web_fixture; // the served archive: the bundled sample plus photos and a rename, ingested
mod web_weight; // the page-weight budget for phones on 3G
