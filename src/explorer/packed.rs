//! JSON documents held gzip-compressed in memory.
//!
//! - [`Packed`]: one document (the index), served as held to a browser that accepts gzip
//!   (every one does) and inflated for a client that does not.
//! - [`Shelf`]: many small documents (operations, types) compressed together in chunks of
//!   neighbours (the operations of one group share most of their text), about 3× smaller
//!   than compressing each alone; one is served by inflating its chunk (a few hundred
//!   KB at most, well under a millisecond) and copying it out.

use std::collections::HashMap;
use std::io::{Read, Write};

use bytes::Bytes;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use rayon::prelude::*;

/// How hard to compress (zlib's default).
const LEVEL: u32 = 6;

/// Gzip of `bytes`.
fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(
        Vec::with_capacity(bytes.len() / 6 + 64),
        Compression::new(LEVEL),
    );
    // Writing into a Vec cannot fail.
    encoder
        .write_all(bytes)
        .and_then(|()| encoder.finish())
        .unwrap_or_default()
}

/// `bytes` inflated (`capacity` is a hint).
fn gunzip(bytes: &[u8], capacity: usize) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(capacity);
    GzDecoder::new(bytes).read_to_end(&mut out)?;
    Ok(out)
}

/// An entity tag: a hash of the uncompressed document.
pub fn etag_of(bytes: &[u8]) -> String {
    format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(bytes))
}

/// One compressed document and its entity tag.
#[derive(Debug, Clone)]
pub struct Packed {
    /// The gzip stream.
    gz: Bytes,
    /// Its entity tag.
    etag: String,
    /// Length of the uncompressed document.
    len: usize,
}

impl Packed {
    /// Compresses `json`.
    pub fn new(json: &[u8]) -> Self {
        Self {
            gz: Bytes::from(gzip(json)),
            etag: etag_of(json),
            len: json.len(),
        }
    }

    /// The serialization of `value`, compressed.
    pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Self {
        Self::new(&serde_json::to_vec(value).unwrap_or_default())
    }

    /// The gzip stream (cheap to clone).
    pub fn gzip(&self) -> Bytes {
        self.gz.clone()
    }

    /// The document, inflated.
    pub fn inflate(&self) -> std::io::Result<Vec<u8>> {
        gunzip(&self.gz, self.len)
    }

    /// The entity tag.
    pub fn etag(&self) -> &str {
        &self.etag
    }

    /// Bytes held.
    pub fn compressed_len(&self) -> usize {
        self.gz.len()
    }
}

/// Where one document of a shelf lies.
#[derive(Debug, Clone, Copy)]
struct Slot {
    chunk: u32,
    start: u32,
    len: u32,
    etag: u64,
}

/// Many named documents, compressed together in chunks.
#[derive(Debug, Default)]
pub struct Shelf {
    /// Gzip streams; each inflates to its documents one after another.
    chunks: Vec<Bytes>,
    /// Inflated length of each chunk.
    chunk_lens: Vec<usize>,
    slots: HashMap<String, Slot>,
}

impl Shelf {
    /// Builds a shelf of `items`, in the order given (put neighbours together), at most
    /// `per_chunk` in a chunk; `render` writes one item's document (run in parallel).
    pub fn build<T: Sync>(
        items: &[T],
        per_chunk: usize,
        render: impl Fn(&T) -> (String, Vec<u8>) + Sync,
    ) -> Self {
        let built: Vec<(Vec<u8>, usize, Vec<(String, Slot)>)> = items
            .par_chunks(per_chunk.max(1))
            .enumerate()
            .map(|(chunk, items)| {
                let mut raw = Vec::new();
                let mut slots = Vec::with_capacity(items.len());
                for item in items {
                    let (name, doc) = render(item);
                    let slot = Slot {
                        chunk: chunk as u32,
                        start: raw.len() as u32,
                        len: doc.len() as u32,
                        etag: xxhash_rust::xxh3::xxh3_64(&doc),
                    };
                    raw.extend_from_slice(&doc);
                    slots.push((name, slot));
                }
                (gzip(&raw), raw.len(), slots)
            })
            .collect();
        let mut shelf = Self::default();
        for (gz, len, slots) in built {
            shelf.chunks.push(Bytes::from(gz));
            shelf.chunk_lens.push(len);
            shelf.slots.extend(slots);
        }
        shelf
    }

    /// The document named `name` and its entity tag; `None` when there is none, an error
    /// when its chunk does not inflate.
    pub fn get(&self, name: &str) -> Option<std::io::Result<(Vec<u8>, String)>> {
        let slot = *self.slots.get(name)?;
        let chunk = self.chunks.get(slot.chunk as usize)?;
        let capacity = self
            .chunk_lens
            .get(slot.chunk as usize)
            .copied()
            .unwrap_or(0);
        Some(gunzip(chunk, capacity).and_then(|raw| {
            let (start, end) = (slot.start as usize, (slot.start + slot.len) as usize);
            raw.get(start..end)
                .map(|doc| (doc.to_vec(), format!("\"{:016x}\"", slot.etag)))
                .ok_or_else(|| std::io::Error::other("document outside its chunk"))
        }))
    }

    /// The entity tag of `name`'s document, without inflating it.
    pub fn etag(&self, name: &str) -> Option<String> {
        self.slots
            .get(name)
            .map(|slot| format!("\"{:016x}\"", slot.etag))
    }

    /// Documents held.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Bytes held by the compressed chunks.
    pub fn compressed_len(&self) -> usize {
        self.chunks.iter().map(Bytes::len).sum()
    }
}

/// Whether an `Accept-Encoding` value admits gzip (`gzip`, `x-gzip` or `*`, unless
/// weighted `q=0`).
pub fn accepts_gzip(accept_encoding: &str) -> bool {
    accept_encoding.split(',').any(|item| {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or_default().trim();
        let zero = parts.any(|p| {
            p.trim()
                .strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        !zero
            && (coding.eq_ignore_ascii_case("gzip")
                || coding.eq_ignore_ascii_case("x-gzip")
                || coding == "*")
    })
}
