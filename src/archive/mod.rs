//! The archive on disk: finding sites, reading their records, writing them back safely.
//!
//! This is the only module that touches the `archive/` tree. [`walk`] finds every site (a folder
//! holding `site.json`) in any sub-folder layout and parses its record, turning a broken file
//! into a [`Problem`](crate::record::Problem) rather than an abort; [`write`] replaces files
//! atomically so a crash never leaves half a record behind.

pub mod walk;
pub mod write;

pub use walk::{SiteEntry, photo_files, walk};
pub use write::{write_atomic, write_record};
