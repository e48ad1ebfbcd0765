//! Disan — an archive of Vietnam's historic sites (di tích) and red addresses (địa chỉ đỏ).
//!
//! The archive folder is the source of truth; everything else is derived from it and can be
//! rebuilt at any time. The layers, from the bottom up:
//!
//! - **Text and facts** — [`fold`] (Vietnamese normalisation and folding), [`record`] (the site
//!   record and its rules), [`admin_units`] (Vietnam's provinces and communes before and after
//!   the 2025 reform, and the address resolver).
//! - **Where things are** — [`layout`] computes every path of the archive and the index;
//!   [`config`] says which archive and index a command works on; `memo` is the one bounded
//!   memory, used by the search engine for what it read and by the server for its pages.
//! - **The archive** — [`archive`] is the only code that reads or writes `archive/`;
//!   [`check`] validates it; [`import`] brings in CSV/JSON from other systems; [`backup`] copies
//!   it consistently while the server runs, verifies the copy and puts it back.
//! - **Derived data** — [`media`] turns photos into web derivatives and reads EXIF;
//!   [`description`] renders a record's Markdown once, safely, for its page; [`search`]
//!   is the only code that touches tantivy; [`ingest`] runs the archive through both,
//!   incrementally and crash-safely; [`index_updates`] is the one task that writes the index
//!   while the site is served; [`packs`] are the trip packs visitors save for offline use,
//!   rebuilt by ingest and after each publication.
//! - **Contributions** — [`accounts`] (users, sessions, CSRF, login limits, in the archive's
//!   private folder), the inbox ([`archive::inbox`]) and [`moderation`] (approve, reject,
//!   revert, history, "needs help", likely duplicates).
//! - **Open data** — [`open_data`]: exports in five formats, the `/data` downloads, an OAI-PMH
//!   provider for harvesters and IIIF manifests, read from the archive and the index.
//! - **Volunteer campaigns** — [`private_db`] (the private database of what thousands of
//!   volunteers change at once), [`teams`] (teams, invitations, bulk accounts) and
//!   [`campaigns`] (scopes, tasks and claims, figures, snapshots, credits).
//! - **More than one server** — [`storage`] (an S3-compatible bucket or a folder, by
//!   `object_store`) and [`snapshot`] (each generation of what the primary serves, published as
//!   immutable content-addressed objects; a replica's mirror of the newest one; collection of
//!   old ones).
//! - **The front door** — [`web`] is the public site and JSON API (`disan serve`), reading the
//!   archive's records and the index; [`cli`] maps each subcommand to one library call.

pub mod fold;
pub mod record;

pub mod admin_units;
pub mod config;
pub mod layout;
mod memo;

pub mod archive;
pub mod backup;
pub mod check;
pub mod import;

pub mod accounts;
pub mod moderation;

pub mod description;
pub mod private_db;
pub mod teams;

pub mod ingest;
pub mod media;
pub mod search;

pub mod index_updates;
pub mod packs;

pub mod open_data;

pub mod campaigns;

pub mod snapshot;
pub mod storage;

pub mod web;

pub mod cli;
