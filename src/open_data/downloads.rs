//! The whole archive as downloads: one file per format, made after each publication, listed
//! with its size, date, SHA-256 checksum and the number of sites, under the records' licence.
//!
//! The files are derived data, kept in the index folder (`index/data/`) and named by their
//! checksum, so the list (`downloads.json`) and the files always agree: a new set is written
//! beside the old one, the list is replaced atomically, and only then are the old files
//! removed. The archive is read once for all five formats, one record at a time.

use std::collections::HashSet;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::export::{self, Context, Format, SiteWriter};
use super::licence::Licence;
use crate::archive::write_atomic;
use crate::layout::{ArchiveLayout, IndexLayout};

/// The name a download is served under: `disan-sites.csv`.
pub fn public_name(format: Format) -> String {
    format!("disan-sites.{}", format.extension())
}

/// One file of the downloads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Download {
    pub format: Format,
    /// The file in the data folder (named by its checksum).
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
    pub sites: usize,
    /// Sites left out for lack of a position (GPX, KML).
    pub without_position: usize,
}

/// The current set of downloads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Downloads {
    pub made: DateTime<Utc>,
    /// What the archive was when they were made (the published catalogue's version).
    pub source_version: String,
    pub licence: Licence,
    /// Records skipped because they could not be read.
    pub problems: Vec<String>,
    pub files: Vec<Download>,
}

impl Downloads {
    pub fn get(&self, format: Format) -> Option<&Download> {
        self.files.iter().find(|d| d.format == format)
    }

    /// How many sites the archive's downloads hold.
    pub fn sites(&self) -> usize {
        self.files.first().map_or(0, |d| d.sites)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error(
        "{path}: cannot write the downloads: {source} — check the space and permissions of the index folder"
    )]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The downloads last made, if any.
pub fn load(index: &IndexLayout) -> Option<Downloads> {
    let bytes = std::fs::read(index.downloads_manifest()).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// A writer that counts and hashes what goes through it.
struct Hashing<W: Write> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Makes every download from the archive and makes it current; returns what was made.
pub fn make(
    archive: &ArchiveLayout,
    index: &IndexLayout,
    context: &Context,
    source_version: &str,
) -> Result<Downloads, DownloadError> {
    let dir = index.data_dir();
    let io = |path: &std::path::Path| {
        let path = path.to_path_buf();
        move |source| DownloadError::Io { path, source }
    };
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    let mut temps = Vec::new();
    for _ in Format::ALL {
        let temp = tempfile::Builder::new()
            .prefix(".download-")
            .tempfile_in(&dir)
            .map_err(io(&dir))?;
        temps.push(temp);
    }
    let mut outs: Vec<Hashing<BufWriter<std::fs::File>>> = temps
        .iter()
        .map(|t| {
            let file = t.reopen()?;
            Ok(Hashing {
                inner: BufWriter::with_capacity(1 << 16, file),
                hasher: Sha256::new(),
                bytes: 0,
            })
        })
        .collect::<std::io::Result<_>>()
        .map_err(io(&dir))?;
    let mut writers: Vec<Box<dyn SiteWriter>> = Format::ALL.iter().map(|f| f.writer()).collect();
    let mut pairs: Vec<(&mut dyn SiteWriter, &mut dyn Write)> = writers
        .iter_mut()
        .zip(outs.iter_mut())
        .map(|(w, o)| (w.as_mut() as &mut dyn SiteWriter, o as &mut dyn Write))
        .collect();
    let report = export::write_many(export::archive_records(archive), &mut pairs, context)
        .map_err(io(&dir))?;
    drop(pairs);
    let mut files = Vec::new();
    for (((format, temp), out), written) in Format::ALL
        .into_iter()
        .zip(temps)
        .zip(outs)
        .zip(report.written)
    {
        let sha256 = hex(&out.hasher.finalize());
        let file = format!("{}.{}", &sha256[..16], format.extension());
        let path = dir.join(&file);
        temp.persist(&path).map_err(|e| DownloadError::Io {
            path: path.clone(),
            source: e.error,
        })?;
        files.push(Download {
            format,
            file,
            bytes: out.bytes,
            sha256,
            sites: written.sites,
            without_position: written.without_position,
        });
    }
    let downloads = Downloads {
        made: context.made,
        source_version: source_version.to_owned(),
        licence: context.licence,
        problems: report.problems,
        files,
    };
    let manifest = index.downloads_manifest();
    write_atomic(
        &manifest,
        &serde_json::to_vec_pretty(&downloads).expect("downloads serialise"),
    )
    .map_err(io(&manifest))?;
    remove_unlisted(index, &downloads);
    Ok(downloads)
}

/// Files of earlier sets, and temporaries of killed runs, once the new list is in place.
fn remove_unlisted(index: &IndexLayout, downloads: &Downloads) {
    let keep: HashSet<&str> = downloads.files.iter().map(|d| d.file.as_str()).collect();
    let Ok(entries) = std::fs::read_dir(index.data_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = Format::ALL
            .iter()
            .any(|f| name.ends_with(&format!(".{}", f.extension())))
            || name.starts_with(".download-");
        if ours && !keep.contains(name.as_str()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
