//! What the server answers about packs without reading them: the index as the last build wrote
//! it, and which commune's pack holds each site — so that the results of a search, or the
//! sites within a radius, become a list of pack files to download.
//!
//! Loaded from the builder's state when the server starts and again after each publication;
//! small (one entry per site and per commune), and never changed once loaded.

use std::collections::HashMap;

use serde::Serialize;

use super::build::State;
use super::{PackError, PackKind, pack_url};
use crate::layout::IndexLayout;

/// One commune's pack, as a download list shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChunkRef {
    pub url: String,
    /// Compressed size of the text.
    pub br: u64,
    pub sites: usize,
    /// Bytes of its photos at their smallest size.
    pub photo_bytes: u64,
}

/// Sites to save, with the packs that hold them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Selection {
    pub ids: Vec<String>,
    pub chunks: Vec<ChunkRef>,
    /// Compressed bytes of those packs.
    pub br: u64,
    /// Bytes of the chosen sites' photos at their smallest size.
    pub photo_bytes: u64,
}

/// The packs as last built.
#[derive(Debug, Default)]
pub struct Directory {
    /// `index.json` as written, and its ETag.
    index_json: Option<(Vec<u8>, String)>,
    /// Site id → (its chunk, its photo bytes).
    sites: HashMap<String, (u32, u64)>,
    chunks: Vec<ChunkRef>,
}

impl Directory {
    /// Reads what the last build wrote; an index never built gives an empty directory.
    pub fn load(index: &IndexLayout) -> Result<Directory, PackError> {
        let state = State::load(index)?;
        let index_json = std::fs::read(index.pack_index()).ok().map(|bytes| {
            let etag = format!("\"{}\"", &blake3::hash(&bytes).to_hex()[..20]);
            (bytes, etag)
        });
        let mut chunk_number: HashMap<&str, u32> = HashMap::with_capacity(state.chunks.len());
        let mut chunks = Vec::with_capacity(state.chunks.len());
        for (key, chunk) in &state.chunks {
            chunk_number.insert(key, chunks.len() as u32);
            chunks.push(ChunkRef {
                url: pack_url(PackKind::Commune, &chunk.hash),
                br: chunk.br,
                sites: chunk.sites,
                photo_bytes: chunk.photo_bytes,
            });
        }
        let sites = state
            .sites
            .iter()
            .filter_map(|(id, site)| {
                let chunk = *chunk_number.get(site.key.as_str())?;
                Some((id.clone(), (chunk, site.photo_bytes)))
            })
            .collect();
        Ok(Directory {
            index_json,
            sites,
            chunks,
        })
    }

    /// `index.json` and its ETag, once packs were built.
    pub fn index_json(&self) -> Option<(&[u8], &str)> {
        self.index_json
            .as_ref()
            .map(|(bytes, etag)| (bytes.as_slice(), etag.as_str()))
    }

    /// How many sites the packs hold.
    pub fn len(&self) -> usize {
        self.sites.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sites.is_empty()
    }

    /// The pack holding a site.
    pub fn chunk_of(&self, id: &str) -> Option<&ChunkRef> {
        self.sites
            .get(id)
            .map(|&(chunk, _)| &self.chunks[chunk as usize])
    }

    /// The packs holding `ids` (each once, in the order first needed); ids without a pack are
    /// left out.
    pub fn select<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> Selection {
        let mut selection = Selection::default();
        let mut taken = std::collections::HashSet::new();
        for id in ids {
            let Some(&(chunk, photo_bytes)) = self.sites.get(id) else {
                continue;
            };
            selection.ids.push(id.to_owned());
            selection.photo_bytes += photo_bytes;
            if taken.insert(chunk) {
                let c = &self.chunks[chunk as usize];
                selection.br += c.br;
                selection.chunks.push(c.clone());
            }
        }
        selection
    }
}
