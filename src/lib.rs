//! Disan — an archive of Vietnam's historic sites (di tích) and red addresses (địa chỉ đỏ).
//!
//! The archive folder is the source of truth; everything else is derived from it and can be
//! rebuilt at any time. The layers, from the bottom up:
//!
//! - **Text and facts** — [`fold`] (Vietnamese normalisation and folding), [`record`] (the site
//!   record and its rules), [`admin_units`] (Vietnam's provinces and communes before and after
//!   the 2025 reform, and the address resolver).
//! - **The archive** — [`archive`] is the only code that reads or writes `archive/`;
//!   [`check`] validates it; [`import`] brings in CSV/JSON from other systems.
//! - **Search** — [`search`] is the only code that touches the tantivy index: the Vietnamese
//!   analyzer, the schema, the record → document mapping and the query engine.
//! - **Configuration and errors** — [`config`], [`error`].

pub mod fold;
pub mod record;
pub mod search;
