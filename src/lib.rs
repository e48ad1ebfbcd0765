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
//! - **Photos** — [`media`] turns a contributor's photo into the upright, metadata-free
//!   derivatives the site serves, and reads its EXIF.
//! - **Configuration and errors** — [`config`], [`error`].

pub mod fold;
pub mod media;
pub mod record;
