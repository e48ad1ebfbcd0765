//! The `disan` command line: one subcommand per job, each a thin call into the library.
//!
//! Doc comments here are the `--help` text. Global options may also come from the environment
//! (`DISAN_*`) and from `disan.toml`; see [`crate::config`] for the precedence.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::{Config, Overrides};
use crate::layout::{ArchiveLayout, IndexLayout};
use crate::{accounts, check, import, ingest, search, web};

/// Disan — an archive of Vietnam's historic sites and red addresses.
///
/// The archive folder is the source of truth; `ingest` derives the search index and photo
/// derivatives from it, `serve` publishes it.
#[derive(Debug, Parser)]
#[command(name = "disan", version, max_term_width = 100)]
pub struct Cli {
    /// Config file (TOML). Default: `disan.toml` in the current folder, when present.
    #[arg(long, global = true, env = "DISAN_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The archive folder [default: archive]
    #[arg(long, global = true, env = "DISAN_ARCHIVE", value_name = "DIR")]
    pub archive: Option<PathBuf>,
    /// The derived index folder [default: index]
    #[arg(long, global = true, env = "DISAN_INDEX", value_name = "DIR")]
    pub index: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate the whole archive and print every problem; writes nothing.
    ///
    /// Each problem is printed as `path: what is wrong — hint`. Exits 0 when there are no errors
    /// (warnings allowed), 1 otherwise.
    Check,
    /// Import sites from a CSV or JSON file into the archive.
    ///
    /// Rows whose id exists update that site; new ids create sites; rows without an id get one
    /// made from the name and place. Re-importing the same file changes nothing. Exits 1 when
    /// any row was rejected.
    Import {
        /// A `.csv` file with a header row, or a `.json` array of objects, with the columns
        /// listed in docs/ARCHIVE.md.
        file: PathBuf,
        /// Report what would be created, updated and rejected, row by row, and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print only rejected rows, warnings and the summary.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Build the search index and photo derivatives from the archive, redoing only what changed.
    ///
    /// Every broken record or photo is reported as `path: problem — hint` and skipped; all good
    /// sites are indexed. Exits 1 when there were problems. Deleting the index folder and running
    /// ingest again always recreates it.
    Ingest {
        /// Print the report as JSON on stdout (no progress bar).
        #[arg(long)]
        json: bool,
        /// Rebuild the whole index even if it is up to date.
        #[arg(long)]
        rebuild: bool,
    },
    /// Search the index from the command line — the same engine the web site uses.
    Search {
        /// What to look for, with or without accents: `chua mot cot`, `Đền Trần`.
        query: String,
        /// Print the full response as JSON.
        #[arg(long)]
        json: bool,
        /// How many results to show.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Only sites in this province (current or pre-2025 name).
        #[arg(long)]
        province: Option<String>,
    },
    /// Export sites as CSV, JSON Lines, GeoJSON, GPX or KML — the whole archive, or what a
    /// search finds.
    ///
    /// Without filters, every published record is read from the archive (no index needed);
    /// with `--query` or a filter, the sites the web search finds, in its order (run `disan
    /// ingest` first). CSV uses the import columns: importing it into an empty archive gives the
    /// same records. GPX and KML leave out sites without a position. Exits 1 when a record could
    /// not be read (it is named on standard error; the others are exported).
    Export {
        /// csv, jsonl, geojson, gpx or kml.
        #[arg(long, value_parser = parse_format)]
        format: crate::open_data::export::Format,
        /// Write to this file (replaced only once complete) instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Only sites a search for this text finds (accents optional).
        #[arg(long, value_name = "TEXT")]
        query: Option<String>,
        /// Only sites in this province (current or pre-2025 name); repeat for several.
        #[arg(long)]
        province: Vec<String>,
        /// Only sites of this type (`chua`, `Đình`, `pagoda`); repeat for several.
        #[arg(long = "type", value_name = "TYPE")]
        site_type: Vec<String>,
        /// Only sites of this level (`national`, …); repeat for several.
        #[arg(long)]
        level: Vec<String>,
        /// Only sites of this category (`history`, `revolutionary`, …); repeat for several.
        #[arg(long)]
        category: Vec<String>,
        /// Only red addresses.
        #[arg(long)]
        red_address: bool,
        /// Only sites near this position, with --radius-km: `20.25,105.97`.
        #[arg(long, value_name = "LAT,LON")]
        near: Option<String>,
        #[arg(long, value_name = "KM")]
        radius_km: Option<f64>,
        /// Public origin for the sites' links (`https://disan.example.org`)
        /// [default: the configured public URL, else relative links]
        #[arg(long, env = "DISAN_PUBLIC_URL", value_name = "URL")]
        public_url: Option<String>,
    },
    /// Serve the public web site and JSON API.
    ///
    /// Brings the index up to date first (an incremental ingest: nothing to do when the archive
    /// has not changed), then prints the URL and serves until interrupted.
    Serve {
        /// Address to listen on [default: 127.0.0.1:8080]
        #[arg(long, env = "DISAN_BIND", value_name = "ADDR")]
        bind: Option<String>,
        /// Public origin for QR codes, canonical links and the sitemap
        /// (`https://disan.example.org`) [default: the request's host]
        #[arg(long, env = "DISAN_PUBLIC_URL", value_name = "URL")]
        public_url: Option<String>,
        /// MiB of rendered pages kept by each of the four page caches (search pages, API
        /// answers, site pages, campaign pages); 0 makes every page for its request
        /// [default: 16]
        #[arg(long, env = "DISAN_PAGE_CACHE_MB", value_name = "MIB")]
        page_cache_mb: Option<u64>,
        /// Serve as a read replica: fill --archive and --index (this replica's own folders)
        /// from the newest generation in the configured [storage], follow new ones, and send
        /// writes to the primary.
        #[arg(long)]
        replica: bool,
    },
    /// Publish the archive and index as a new generation in the configured [storage] (what
    /// `serve` does after every change; for use after a `disan ingest`).
    Publish,
    /// Look into the configured [storage].
    #[command(subcommand)]
    Storage(StorageCommand),
    /// Measure search relevance on the archive's own records and print Success@k and MRR.
    ///
    /// Builds judged queries from the records (unique names typed exactly, without accents, in
    /// NFD, with a typo, without the type word, with the province; topics from type, people,
    /// province and rank) and runs them on the index.
    #[command(hide = true)]
    EvalSearch {
        /// At most this many queries of each form.
        #[arg(long, default_value_t = 1000)]
        per_form: usize,
        /// Also write the judged queries as JSON, for judging other engines on the same set.
        #[arg(long, value_name = "FILE")]
        queries_out: Option<PathBuf>,
        /// Print this many misses (queries whose right site was not first) of each form.
        #[arg(long, default_value_t = 0)]
        misses: usize,
    },
    /// Copy the archive (sites, photos, histories, the inbox, accounts and sessions) into a new
    /// folder, consistently, even while the server runs; or check such a copy.
    ///
    /// The copy holds `archive/` and `backup.json` (every file's size and hash, written last).
    /// Exits 1 when `--verify` finds a difference.
    Backup {
        /// A new or empty folder for the backup (with `--verify`: the backup to check).
        dest: PathBuf,
        /// Check a backup against its manifest and for consistency, instead of making one.
        #[arg(long)]
        verify: bool,
    },
    /// Put a backup back as the archive (which must be empty or absent), then rebuild the
    /// index with `disan ingest --rebuild`.
    Restore {
        /// A folder made by `disan backup`.
        backup: PathBuf,
    },
    /// Manage the accounts of volunteers, team leaders, moderators and administrators.
    ///
    /// Accounts live in the archive's private `.disan/` folder, never published.
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account and print its password (generated unless `--password-stdin`).
    Add {
        /// Letters, digits, `.`, `_` or `-`; stored in lower case.
        name: String,
        /// visitor, volunteer, leader, moderator or admin.
        #[arg(long)]
        role: accounts::Role,
        /// Read the password from the first line of standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the accounts: name, role, created, disabled.
    List,
    /// Disable an account: it can no longer log in and its sessions end. Its history stays.
    Disable { name: String },
    /// Create accounts and team memberships from a CSV file of `name,team,role` rows.
    ///
    /// Every row is reported (`line N: created|unchanged|rejected`); a bad row never stops the
    /// others. New accounts get a one-time password, replaced at their first login: printed on
    /// standard output as CSV (`name,team,role,password`), or written to `--passwords`. Teams
    /// that do not exist are made. Importing the same file again changes nothing. Exits 1 when
    /// any row was rejected.
    Import {
        /// A CSV file with a header row naming its columns: `name` (required), `team`, `role`
        /// (volunteer when blank). Other columns are ignored.
        file: PathBuf,
        /// Write the one-time passwords to this file (readable by you only) instead of
        /// printing them.
        #[arg(long, value_name = "FILE")]
        passwords: Option<PathBuf>,
        /// Report what would be created and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print only rejected rows, notes and the summary.
        #[arg(long, short)]
        quiet: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum StorageCommand {
    /// List the keys under a prefix (`generations`, `blobs`, `media`, `originals`), one a line.
    Ls { prefix: String },
    /// Remove generations older than the newest --keep (and younger than --grace-secs never),
    /// and every bundle or index file only they named.
    Gc {
        #[arg(long, default_value_t = 5)]
        keep: usize,
        #[arg(long, default_value_t = 900)]
        grace_secs: u64,
    },
}

/// Runs the parsed command line; the exit code says whether it was clean.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let (bind, public_url, page_cache_mb) = match &cli.command {
        Command::Serve {
            bind,
            public_url,
            page_cache_mb,
            ..
        } => (bind.clone(), public_url.clone(), *page_cache_mb),
        Command::Export { public_url, .. } => (None, public_url.clone(), None),
        _ => (None, None, None),
    };
    let overrides = Overrides {
        config: cli.config,
        archive: cli.archive,
        index: cli.index,
        bind,
        public_url,
        page_cache_mb,
    };
    let config = Config::load(&overrides)?;
    match cli.command {
        Command::Check => run_check(&config),
        Command::Import {
            file,
            dry_run,
            quiet,
        } => run_import(&config, &file, dry_run, quiet),
        Command::Ingest { json, rebuild } => run_ingest(&config, json, rebuild),
        Command::Search {
            query,
            json,
            limit,
            province,
        } => run_search(&config, query, json, limit, province),
        Command::Serve { replica: false, .. } => {
            web::serve(&config)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { replica: true, .. } => {
            web::replica::serve_replica(&config)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Publish => {
            let outcome = web::publisher::publish_once(&config)?;
            println!(
                "generation {}{}: {} bundles, {} index files, {} photos uploaded ({:.1} MB)",
                outcome.number,
                if outcome.new_generation {
                    ""
                } else {
                    " (unchanged)"
                },
                outcome.bundles_uploaded,
                outcome.files_uploaded,
                outcome.photos_uploaded,
                outcome.bytes_uploaded as f64 / 1e6
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Storage(command) => run_storage(&config, command),
        Command::Export {
            format,
            output,
            query,
            province,
            site_type,
            level,
            category,
            red_address,
            near,
            radius_km,
            public_url: _,
        } => {
            let mut filters: Vec<(&str, String)> = Vec::new();
            filters.extend(query.map(|q| ("q", q)));
            filters.extend(province.into_iter().map(|v| ("province", v)));
            filters.extend(site_type.into_iter().map(|v| ("type", v)));
            filters.extend(level.into_iter().map(|v| ("level", v)));
            filters.extend(category.into_iter().map(|v| ("category", v)));
            if red_address {
                filters.push(("red_address", "true".into()));
            }
            filters.extend(near.map(|v| ("near", v)));
            filters.extend(radius_km.map(|v| ("radius_km", v.to_string())));
            run_export(&config, format, output.as_deref(), &filters)
        }
        Command::User(command) => run_user(&config, command),
        Command::Backup { dest, verify } => run_backup(&config, &dest, verify),
        Command::Restore { backup } => {
            let report = crate::backup::restore(&backup, &config.archive)?;
            eprintln!(
                "restored {} files ({:.1} MB) into {} in {:.1} s — now run `disan ingest --rebuild`",
                report.files,
                report.bytes as f64 / 1e6,
                config.archive.display(),
                report.seconds
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::EvalSearch {
            per_form,
            queries_out,
            misses,
        } => run_eval_search(&config, per_form, queries_out, misses),
    }
}

fn exit(clean: bool) -> ExitCode {
    if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn run_check(config: &Config) -> anyhow::Result<ExitCode> {
    let layout = ArchiveLayout::new(&config.archive);
    let report = check::check(&layout);
    for line in report.lines(&layout) {
        println!("{line}");
    }
    eprintln!(
        "{}: {} sites, {} errors, {} warnings",
        config.archive.display(),
        report.sites,
        report.errors(),
        report.warnings()
    );
    Ok(exit(report.is_clean()))
}

fn run_import(
    config: &Config,
    file: &std::path::Path,
    dry_run: bool,
    quiet: bool,
) -> anyhow::Result<ExitCode> {
    let layout = ArchiveLayout::new(&config.archive);
    let mut report = import::plan(&layout, file, chrono::Utc::now())
        .context("import stopped before any row was read")?;
    if !dry_run {
        import::apply(&mut report);
    }
    for outcome in &report.outcomes {
        let rejected = matches!(outcome.action, import::Action::Reject { .. });
        if !quiet || rejected {
            println!("{}", outcome.describe(&layout));
        }
        for warning in &outcome.warnings {
            println!("line {}: warning: {warning}", outcome.line);
        }
    }
    for error in &report.write_errors {
        println!("{error}");
    }
    let prefix = if dry_run {
        "dry run, nothing written: "
    } else {
        ""
    };
    eprintln!("{prefix}{}", report.stats.summary());
    Ok(exit(
        report.stats.rejected == 0 && report.write_errors.is_empty(),
    ))
}

fn run_ingest(config: &Config, json: bool, rebuild: bool) -> anyhow::Result<ExitCode> {
    use std::io::IsTerminal;
    let options = ingest::IngestOptions {
        rebuild,
        progress: !json && std::io::stderr().is_terminal(),
        ..Default::default()
    };
    let report = ingest::ingest(
        &ArchiveLayout::new(&config.archive),
        &IndexLayout::new(&config.index),
        &options,
    )?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for problem in &report.problems {
            println!("{problem}");
        }
        eprintln!(
            "{} sites: {} indexed, {} unchanged, {} removed; photos: {} rendered, {} reused, {} failed, {} cut into zoom tiles; trip packs: {} communes written; {} problems; {:.2} s{}",
            report.sites,
            report.indexed,
            report.unchanged,
            report.deleted,
            report.photos_rendered,
            report.photos_reused,
            report.photos_failed,
            report.photos_tiled,
            report.packs.communes_written,
            report.problems.len(),
            report.seconds,
            if report.rebuilt {
                " (index rebuilt)"
            } else {
                ""
            }
        );
    }
    Ok(exit(report.problems.is_empty()))
}

fn run_search(
    config: &Config,
    q: String,
    json: bool,
    limit: usize,
    province: Option<String>,
) -> anyhow::Result<ExitCode> {
    let index = search::open(IndexLayout::new(&config.index).tantivy())
        .context("cannot open the index — run `disan ingest` first")?;
    let request = search::SearchRequest {
        q,
        limit,
        province: province.into_iter().collect(),
        ..Default::default()
    };
    let response = match index.search(&request) {
        Ok(response) => response,
        Err(err) => {
            eprintln!("error: {err}");
            return Ok(ExitCode::from(2));
        }
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&response)?);
        return Ok(ExitCode::SUCCESS);
    }
    if response.loose_match {
        println!("(no site has all the words; showing results for any of the words)");
    }
    for (rank, hit) in response.hits.iter().enumerate() {
        println!(
            "{:>3}. {:<40} {:<28} {:<14} {:>7.3}",
            rank + 1,
            hit.id,
            hit.name,
            hit.province.as_deref().unwrap_or("-"),
            hit.score,
        );
    }
    eprintln!("{} sites match", response.total);
    Ok(ExitCode::SUCCESS)
}

fn parse_format(text: &str) -> Result<crate::open_data::export::Format, String> {
    crate::open_data::export::Format::parse(text)
        .ok_or_else(|| format!("`{text}` is not a format; use csv, jsonl, geojson, gpx or kml"))
}

fn run_export(
    config: &Config,
    format: crate::open_data::export::Format,
    output: Option<&std::path::Path>,
    filters: &[(&str, String)],
) -> anyhow::Result<ExitCode> {
    use crate::open_data::export;
    use std::io::Write;
    let archive = ArchiveLayout::new(&config.archive);
    let context = export::Context {
        origin: config.public_url.clone().unwrap_or_default(),
        title: "Disan".to_owned(),
        licence: config.open_data.licence(),
        made: chrono::Utc::now(),
    };
    let items: Box<dyn Iterator<Item = export::Item> + '_> = if filters.is_empty() {
        Box::new(export::archive_records(&archive))
    } else {
        let request = search::SearchRequest::from_pairs(filters.iter().map(|(k, v)| (*k, v)))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let index = search::open(IndexLayout::new(&config.index).tantivy())
            .context("cannot open the index — run `disan ingest` first")?;
        let sites = index
            .matching_sites(&request, usize::MAX)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        Box::new(export::listed_records(&archive, sites))
    };
    let report = match output {
        Some(path) => {
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => std::path::Path::new("."),
            };
            let temp = tempfile::NamedTempFile::new_in(dir)
                .with_context(|| format!("cannot write in {}", dir.display()))?;
            let mut out = std::io::BufWriter::new(temp.as_file());
            let report = export::write_one(items, format, &mut out, &context)
                .with_context(|| format!("cannot write {}", path.display()))?;
            out.flush()?;
            drop(out);
            temp.persist(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            report
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            match export::write_one(items, format, &mut out, &context) {
                Ok(report) => report,
                // The reader stopped early (`disan export … | head`): nothing is wrong.
                Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {
                    return Ok(ExitCode::SUCCESS);
                }
                Err(err) => return Err(err).context("cannot write to standard output"),
            }
        }
    };
    for problem in &report.problems {
        eprintln!("{problem}");
    }
    let written = report.written.first().cloned().unwrap_or_default();
    let left_out = if written.without_position > 0 {
        format!(
            "; {} without a position left out (a {} waypoint needs one)",
            written.without_position,
            format.title()
        )
    } else {
        String::new()
    };
    eprintln!(
        "{} sites exported as {}{left_out}; {} records could not be read",
        written.sites,
        format.title(),
        report.problems.len()
    );
    Ok(exit(report.problems.is_empty()))
}

fn run_storage(config: &Config, command: StorageCommand) -> anyhow::Result<ExitCode> {
    let settings = config
        .storage
        .as_ref()
        .context("no [storage] table in the configuration")?;
    let storage = crate::storage::Storage::open(settings)?;
    match command {
        StorageCommand::Ls { prefix } => {
            for object in storage.list(&prefix, None)? {
                println!("{}", object.key);
            }
        }
        StorageCommand::Gc { keep, grace_secs } => {
            let c = crate::snapshot::gc::collect(
                &storage,
                keep,
                std::time::Duration::from_secs(grace_secs),
                chrono::Utc::now(),
            )?;
            println!(
                "generations: {} kept, {} removed; blobs: {} kept, {} removed",
                c.generations_kept, c.generations_removed, c.blobs_kept, c.blobs_removed
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn run_backup(config: &Config, dest: &std::path::Path, verify: bool) -> anyhow::Result<ExitCode> {
    if verify {
        return match crate::backup::verify(dest) {
            Ok(manifest) => {
                eprintln!(
                    "{}: {} files as of {}, all present and unchanged; the archive in it is consistent",
                    dest.display(),
                    manifest.files.len(),
                    manifest.created.format("%Y-%m-%d %H:%M:%S UTC")
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(crate::backup::BackupError::Mismatch { problems }) => {
                for problem in &problems {
                    println!("{problem}");
                }
                eprintln!("{}: {} problems", dest.display(), problems.len());
                Ok(ExitCode::FAILURE)
            }
            Err(other) => Err(other.into()),
        };
    }
    let report = crate::backup::backup(&ArchiveLayout::new(&config.archive), dest)?;
    eprintln!(
        "backed up {} files ({:.1} MB) into {} in {:.1} s ({} copied again after changes)",
        report.files,
        report.bytes as f64 / 1e6,
        dest.display(),
        report.seconds,
        report.recopied
    );
    Ok(ExitCode::SUCCESS)
}

fn run_user(config: &Config, command: UserCommand) -> anyhow::Result<ExitCode> {
    let layout = ArchiveLayout::new(&config.archive);
    let users = accounts::UserStore::new(&layout);
    match command {
        UserCommand::Add {
            name,
            role,
            password_stdin,
        } => {
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .read_line(&mut line)
                    .context("cannot read the password from standard input")?;
                line.trim_end_matches(['\r', '\n']).to_owned()
            } else {
                accounts::generate_password()?
            };
            let user = users.add(&name, role, &password, chrono::Utc::now())?;
            eprintln!("added {} ({})", user.name, user.role);
            if !password_stdin {
                // Only the password on stdout, so scripts can capture it.
                println!("{password}");
            }
        }
        UserCommand::List => {
            for user in users.list()? {
                println!(
                    "{:<24} {:<10} {} {}",
                    user.name,
                    user.role,
                    user.created.format("%Y-%m-%d"),
                    if user.disabled { "disabled" } else { "" }
                );
            }
        }
        UserCommand::Disable { name } => {
            let user = users.disable(&name)?;
            let ended = accounts::SessionStore::new(&layout, chrono::Duration::zero())
                .logout_user(&user.name)?;
            eprintln!("disabled {} ({ended} sessions ended)", user.name);
        }
        UserCommand::Import {
            file,
            passwords,
            dry_run,
            quiet,
        } => return run_user_import(&layout, &users, &file, passwords, dry_run, quiet),
    }
    Ok(ExitCode::SUCCESS)
}

fn run_user_import(
    layout: &ArchiveLayout,
    users: &accounts::UserStore,
    file: &std::path::Path,
    passwords: Option<PathBuf>,
    dry_run: bool,
    quiet: bool,
) -> anyhow::Result<ExitCode> {
    use crate::teams::roster::{self, Outcome};
    let db = crate::private_db::PrivateDb::open(layout)?;
    let teams = crate::teams::Teams::new(std::sync::Arc::new(db));
    let report = roster::import(file, users, &teams, dry_run, chrono::Utc::now())?;
    for row in &report.rows {
        let word = match row.outcome {
            Outcome::Created => "created",
            Outcome::Unchanged => "unchanged",
            Outcome::Rejected => "rejected",
        };
        if quiet && row.outcome != Outcome::Rejected && row.notes.is_empty() {
            continue;
        }
        let notes = if row.notes.is_empty() {
            String::new()
        } else {
            format!(": {}", row.notes.join("; "))
        };
        eprintln!("line {}: {word} {}{notes}", row.line, row.name);
    }
    if !report.ignored_columns.is_empty() {
        eprintln!("ignored columns: {}", report.ignored_columns.join(", "));
    }
    eprintln!(
        "{}{} created, {} unchanged, {} rejected; {} teams made, {} memberships added",
        if dry_run { "dry run: " } else { "" },
        report.created,
        report.unchanged,
        report.rejected,
        report.teams_created.len(),
        report.memberships_added
    );
    if !report.passwords.is_empty() {
        match passwords {
            Some(path) => {
                roster::write_passwords(&path, &report.passwords)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                eprintln!(
                    "{} one-time passwords written to {} — hand each to its owner; they choose their own at the first login",
                    report.passwords.len(),
                    path.display()
                );
            }
            None => {
                let mut out = csv::Writer::from_writer(std::io::stdout().lock());
                out.write_record(["name", "team", "role", "password"])?;
                for p in &report.passwords {
                    out.write_record([&p.name, &p.team, p.role.as_str(), &p.password])?;
                }
                out.flush()?;
            }
        }
    }
    Ok(if report.rejected > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn run_eval_search(
    config: &Config,
    per_form: usize,
    queries_out: Option<PathBuf>,
    misses: usize,
) -> anyhow::Result<ExitCode> {
    let (entries, _) = crate::archive::walk(&ArchiveLayout::new(&config.archive));
    let records: Vec<_> = entries.into_iter().filter_map(|e| e.record.ok()).collect();
    let index = search::open(IndexLayout::new(&config.index).tantivy())
        .context("cannot open the index — run `disan ingest` first")?;
    let queries = search::eval::judged_queries(&records, per_form);
    if let Some(path) = &queries_out {
        std::fs::write(path, serde_json::to_string_pretty(&queries)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let started = std::time::Instant::now();
    let evaluation = index.evaluate(&queries)?;
    let seconds = started.elapsed().as_secs_f64();
    println!("{evaluation}");
    eprintln!(
        "{} sites, {} queries in {seconds:.2} s",
        records.len(),
        queries.len()
    );
    for form in search::eval::QueryForm::ALL {
        for miss in evaluation
            .misses
            .iter()
            .filter(|m| m.form == form)
            .take(misses)
        {
            println!(
                "{:<22} rank {:<4} {:<40} want {} got {:?}",
                form.name(),
                miss.rank.map_or("-".to_owned(), |r| r.to_string()),
                miss.text,
                miss.expected,
                miss.got
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
