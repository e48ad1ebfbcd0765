//! Open data: what leaves Disan for students, teachers, journalists and other archives, in the
//! formats their tools read, under a stated licence and with a way to cite it.
//!
//! - [`export`] — the records as CSV, JSON Lines, GeoJSON, GPX and KML, streamed one record at
//!   a time from the archive or from an index listing;
//! - [`downloads`] — the whole archive in each format, made after every publication, with
//!   size, date, checksum and licence (the `/data` page);
//! - [`oai`] — an OAI-PMH 2.0 provider, so library catalogues can harvest the records;
//! - [`iiif`] — IIIF Presentation 3.0 manifests of the sites' photos and collections of them
//!   (the photos' deep-zoom tiles are made by [`crate::media::tiles`] at ingest);
//! - [`licence`] — the licences records and photos carry; [`xml`] — XML that strict parsers
//!   accept whatever text a record holds.

pub mod downloads;
pub mod export;
pub mod iiif;
pub mod licence;
pub mod oai;
pub mod xml;

pub use licence::Licence;
