//! The archive on disk: finding sites, reading their records, writing them back safely.
//!
//! This is the only module that touches the `archive/` tree. [`walk`] finds every site (a folder
//! holding `site.json`) in any sub-folder layout and parses its record, turning a broken file
//! into a [`Problem`](crate::record::Problem) rather than an abort; [`write`] replaces files
//! atomically so a crash never leaves half a record behind; [`lock`] makes read-modify-write
//! of shared files safe between processes; [`inbox`] holds contributions waiting for review.

pub mod inbox;
pub mod lock;
pub mod walk;
pub mod write;

pub use lock::{FileLock, lock_exclusive};
pub use walk::{SiteEntry, photo_files, read_site, site_dirs, walk};
pub use write::{write_atomic, write_record};
