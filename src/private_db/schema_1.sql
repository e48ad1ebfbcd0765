-- Teams, invitations, campaigns, tasks, credits and snapshots. Times are seconds since 1970
-- (UTC); days are `YYYY-MM-DD` in Vietnam's time zone; communes are national codes of the
-- current (post-2025) units.

CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    -- New members joining by invitation wait for a leader's confirmation.
    confirm_joins INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL,
    created_by TEXT NOT NULL
);

CREATE TABLE team_communes (
    team INTEGER NOT NULL REFERENCES teams (id),
    commune TEXT NOT NULL,
    PRIMARY KEY (team, commune)
);
CREATE INDEX team_communes_by_commune ON team_communes (commune);

CREATE TABLE members (
    team INTEGER NOT NULL REFERENCES teams (id),
    user TEXT NOT NULL,
    leader INTEGER NOT NULL DEFAULT 0,
    -- active | pending (waiting for a leader) | removed
    status TEXT NOT NULL,
    since INTEGER NOT NULL,
    invitation INTEGER,
    PRIMARY KEY (team, user)
);
CREATE INDEX members_by_user ON members (user);

CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    team INTEGER NOT NULL REFERENCES teams (id),
    token TEXT NOT NULL UNIQUE,
    created INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    expires INTEGER NOT NULL,
    max_uses INTEGER NOT NULL,
    uses INTEGER NOT NULL DEFAULT 0,
    confirm INTEGER NOT NULL,
    revoked INTEGER,
    revoked_by TEXT
);
CREATE INDEX invitations_by_team ON invitations (team);

-- What campaigns need to know of each published site, kept in step with the catalog.
CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    province TEXT,
    commune TEXT,
    type TEXT,
    level TEXT NOT NULL,
    lat REAL,
    lon REAL,
    photos INTEGER NOT NULL,
    precise INTEGER NOT NULL,
    described INTEGER NOT NULL,
    sourced INTEGER NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX sites_by_commune ON sites (commune);
CREATE INDEX sites_by_lat ON sites (lat);

CREATE TABLE former_ids (
    former TEXT PRIMARY KEY,
    site TEXT NOT NULL
);

CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    starts TEXT NOT NULL,
    ends TEXT NOT NULL,
    scope TEXT NOT NULL,
    done TEXT NOT NULL,
    claim_hours INTEGER NOT NULL,
    created INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    updated INTEGER NOT NULL,
    -- Bumped with every snapshot: pages built from the figures are kept until it changes.
    figures_version INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE campaign_teams (
    campaign INTEGER NOT NULL REFERENCES campaigns (id),
    team INTEGER NOT NULL REFERENCES teams (id),
    PRIMARY KEY (campaign, team)
);
CREATE INDEX campaign_teams_by_team ON campaign_teams (team);

CREATE TABLE tasks (
    campaign INTEGER NOT NULL REFERENCES campaigns (id),
    site TEXT NOT NULL,
    -- open | claimed | review (work sent, waiting for a moderator) | withdrawn (out of scope)
    -- | gone (the site left the archive)
    state TEXT NOT NULL,
    holder TEXT,
    claimed INTEGER,
    expires INTEGER,
    assigned_by TEXT,
    -- The last rejection's reason, or why the task was withdrawn or released.
    note TEXT,
    -- scope | proposed (a new site found in the field during the campaign)
    origin TEXT NOT NULL,
    added INTEGER NOT NULL,
    PRIMARY KEY (campaign, site)
);
CREATE INDEX tasks_by_holder ON tasks (holder) WHERE holder IS NOT NULL;
CREATE INDEX tasks_expiring ON tasks (expires) WHERE state = 'claimed';
CREATE INDEX tasks_by_site ON tasks (site);

-- Submissions sent for a task (or a new site proposed inside a campaign).
CREATE TABLE task_submissions (
    submission TEXT PRIMARY KEY,
    campaign INTEGER NOT NULL REFERENCES campaigns (id),
    site TEXT,
    volunteer TEXT NOT NULL,
    kind TEXT NOT NULL,
    -- pending | approved | rejected
    status TEXT NOT NULL,
    reason TEXT,
    created INTEGER NOT NULL,
    decided INTEGER
);
CREATE INDEX task_submissions_by_task ON task_submissions (campaign, site);
CREATE INDEX task_submissions_by_volunteer ON task_submissions (volunteer);
CREATE INDEX task_submissions_pending ON task_submissions (status) WHERE status = 'pending';

-- Every approved contribution, with its credits: the source of the volunteers' reports.
CREATE TABLE contributions (
    submission TEXT PRIMARY KEY,
    volunteer TEXT NOT NULL,
    kind TEXT NOT NULL,
    site TEXT NOT NULL,
    site_name TEXT NOT NULL,
    photos INTEGER NOT NULL,
    photo_files TEXT NOT NULL,
    approved INTEGER NOT NULL,
    approved_by TEXT NOT NULL,
    campaign INTEGER,
    team INTEGER
);
CREATE INDEX contributions_by_time ON contributions (approved);
CREATE INDEX contributions_by_campaign ON contributions (campaign, approved);

-- A campaign's figures as they stood at the end of each day (the latest change of the day):
-- `unit` is '' for the whole campaign, 'c:<commune code>' or 't:<team id>'.
CREATE TABLE snapshots (
    campaign INTEGER NOT NULL REFERENCES campaigns (id),
    day TEXT NOT NULL,
    unit TEXT NOT NULL,
    sites INTEGER NOT NULL,
    photo INTEGER NOT NULL,
    precise INTEGER NOT NULL,
    described INTEGER NOT NULL,
    sourced INTEGER NOT NULL,
    done INTEGER NOT NULL,
    PRIMARY KEY (campaign, day, unit)
);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    team INTEGER,
    campaign INTEGER,
    site TEXT,
    subject TEXT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_by_team ON events (team, id) WHERE team IS NOT NULL;
CREATE INDEX events_by_task ON events (campaign, site, id) WHERE campaign IS NOT NULL;
CREATE INDEX events_by_subject ON events (subject, id) WHERE subject IS NOT NULL;
CREATE INDEX events_by_actor ON events (actor, id);
