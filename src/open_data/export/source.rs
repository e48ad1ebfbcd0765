//! Where exported records come from: the whole archive, read folder by folder, or the sites an
//! index listing names (a search's results, a harvest's page), read from their folders.
//!
//! Either way one record is read, handed on and dropped before the next: an export of the whole
//! country holds one record, plus the ids already seen (to publish each id once, as ingest
//! does).

use std::collections::HashSet;

use crate::archive::{self, Walked};
use crate::fold;
use crate::layout::ArchiveLayout;
use crate::record::SiteRecord;
use crate::search::Listed;

/// One thing met on the way: a record to write, or why one was skipped (`path: problem`).
// Streamed one at a time, never stored in bulk: boxing the record would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Item {
    Record(SiteRecord),
    Problem(String),
}

/// Every published record of the archive, in folder order: the records ingest indexes — one
/// that parses and whose id is a slug, and for an id used twice the first folder.
pub fn archive_records(layout: &ArchiveLayout) -> impl Iterator<Item = Item> + '_ {
    let mut seen: HashSet<String> = HashSet::new();
    archive::sites_of(layout).map(move |walked| match walked {
        Walked::Problem(path, problem) => {
            Item::Problem(format!("{}: {problem}", layout.display(&path)))
        }
        Walked::Site(entry) => {
            let file = layout.display(&entry.file()).to_string();
            match entry.record {
                Err(problem) => Item::Problem(format!("{file}: {problem}")),
                Ok(record) if !fold::is_slug(&record.id) => Item::Problem(format!(
                    "{file}: `id` `{}` is not a slug; the site is not published",
                    record.id
                )),
                Ok(record) if !seen.insert(record.id.clone()) => Item::Problem(format!(
                    "{file}: `id` `{}` is used by an earlier folder; only that one is published",
                    record.id
                )),
                Ok(record) => Item::Record(record),
            }
        }
    })
}

/// The records of `sites` (from the index), read from their folders, in the order given.
pub fn listed_records<'a>(
    layout: &'a ArchiveLayout,
    sites: impl IntoIterator<Item = Listed> + 'a,
) -> impl Iterator<Item = Item> + 'a {
    sites
        .into_iter()
        .map(move |listed| match read_listed(layout, &listed) {
            Ok(record) => Item::Record(record),
            Err(problem) => Item::Problem(problem),
        })
}

/// The current record of a site the index lists, or why it cannot be read.
pub fn read_listed(layout: &ArchiveLayout, listed: &Listed) -> Result<SiteRecord, String> {
    let Some(folder) = listed.folder.as_deref() else {
        return Err(format!(
            "{}: indexed without its folder — run `disan ingest --rebuild`",
            listed.id
        ));
    };
    let Some(dir) = layout.site_dir(folder) else {
        return Err(format!(
            "{}: the index names an unsafe folder `{folder}`",
            listed.id
        ));
    };
    let entry = archive::walk::read_site(dir);
    let file = layout.display(&entry.file()).to_string();
    match entry.record {
        Ok(record) if record.id == listed.id => Ok(record),
        Ok(record) => Err(format!(
            "{file}: now holds `{}`, not `{}` — the index is behind the archive; run `disan ingest`",
            record.id, listed.id
        )),
        Err(problem) => Err(format!("{file}: {problem}")),
    }
}
