//! JSON documents held gzip-compressed in memory.
//!
//! Documents are compressed as they are written at start-up, with a fast level (about 6×
//! smaller than the JSON, at some 200 MB/s), and compressed again just after, harder and
//! off the start-up path, by [`compress_in_background`] (about 10× smaller).
//!
//! - [`Blob`]: one document (the index), served as held: gzip to a browser that accepts
//!   it (every one does), inflated for a client that does not.
//! - [`Shelf`]: many small documents (operations, types) compressed together in chunks of
//!   neighbours (the operations of one group share most of their text), about 3× smaller
//!   than compressing each alone; one is served by inflating its chunk (a few hundred KB
//!   at most, well under a millisecond) and copying it out.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::sync::{Arc, PoisonError, RwLock};

use bytes::Bytes;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use rayon::prelude::*;

/// How hard to compress at start-up: fast.
const FAST: u32 = 1;
/// How hard to compress in the background (zlib's default).
const TIGHT: u32 = 6;

/// Gzip of `bytes` at `level`.
fn gzip(bytes: &[u8], level: u32) -> Vec<u8> {
    let mut encoder = GzEncoder::new(
        Vec::with_capacity(bytes.len() / 5 + 64),
        Compression::new(level),
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

/// An entity tag from a hash.
fn etag(hash: u64) -> String {
    format!("\"{hash:016x}\"")
}

/// What a blob holds: a gzip stream, its inflated length, and whether it is compressed
/// as hard as it will be.
#[derive(Debug, Clone)]
struct Stored {
    gz: Bytes,
    len: usize,
    tight: bool,
}

/// Bytes held gzip-compressed: fast at first, harder once [`Blob::compress`] has run.
#[derive(Debug)]
pub(super) struct Blob(RwLock<Stored>);

impl Blob {
    /// A blob of `bytes`, compressed fast.
    pub(super) fn new(bytes: &[u8]) -> Self {
        Self(RwLock::new(Stored {
            gz: Bytes::from(gzip(bytes, FAST)),
            len: bytes.len(),
            tight: false,
        }))
    }

    fn stored(&self) -> Stored {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Compresses the bytes again, harder (a no-op once done); readers are held up only
    /// for the swap.
    pub(super) fn compress(&self) {
        let stored = self.stored();
        if stored.tight {
            return;
        }
        let Ok(raw) = gunzip(&stored.gz, stored.len) else {
            return;
        };
        let again = gzip(&raw, TIGHT);
        // Whichever is smaller (on very repetitive text the fast level can win).
        let gz = if again.len() < stored.gz.len() {
            Bytes::from(again)
        } else {
            stored.gz
        };
        let tight = Stored {
            gz,
            len: raw.len(),
            tight: true,
        };
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = tight;
    }

    /// Whether it is compressed as hard as it will be.
    #[cfg(test)]
    pub(super) fn is_compressed(&self) -> bool {
        self.stored().tight
    }

    /// The bytes, inflated.
    pub(super) fn bytes(&self) -> std::io::Result<Bytes> {
        let stored = self.stored();
        gunzip(&stored.gz, stored.len).map(Bytes::from)
    }

    /// The gzip stream.
    pub(super) fn gzip(&self) -> Bytes {
        self.stored().gz
    }

    /// Bytes held.
    pub(super) fn held_len(&self) -> usize {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .gz
            .len()
    }
}

/// One document (the index) and its entity tag.
#[derive(Debug)]
pub(super) struct Packed {
    blob: Arc<Blob>,
    etag: String,
}

impl Packed {
    /// The serialization of `value`.
    pub(super) fn json<T: serde::Serialize + ?Sized>(value: &T) -> Self {
        let json = serde_json::to_vec(value).unwrap_or_default();
        Self {
            etag: etag(xxhash_rust::xxh3::xxh3_64(&json)),
            blob: Arc::new(Blob::new(&json)),
        }
    }

    /// Its blob.
    pub(super) fn blob(&self) -> &Blob {
        &self.blob
    }

    /// Its blob, shared (for the background compression).
    pub(super) fn shared_blob(&self) -> Arc<Blob> {
        self.blob.clone()
    }

    /// The entity tag.
    pub(super) fn etag(&self) -> &str {
        &self.etag
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

/// A chunk as written: its blob and where each document lies in it.
type WrittenChunk = (Blob, Vec<(String, Slot)>);

/// Many named documents, held together in chunks.
#[derive(Debug, Default)]
pub(super) struct Shelf {
    /// Each chunk holds its documents one after another.
    chunks: Vec<Arc<Blob>>,
    slots: HashMap<String, Slot>,
}

impl Shelf {
    /// Builds a shelf of `items`, in the order given (put neighbours together), at most
    /// `per_chunk` in a chunk; `render` writes one item's document (run in parallel).
    pub(super) fn build<T: Sync>(
        items: &[T],
        per_chunk: usize,
        render: impl Fn(&T) -> (String, Vec<u8>) + Sync,
    ) -> Self {
        let built: Vec<WrittenChunk> = items
            .par_chunks(per_chunk.max(1))
            .enumerate()
            .map(|(chunk, items)| {
                let mut raw = Vec::with_capacity(64 * 1024);
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
                (Blob::new(&raw), slots)
            })
            .collect();
        let mut shelf = Self::default();
        for (blob, slots) in built {
            shelf.chunks.push(Arc::new(blob));
            shelf.slots.extend(slots);
        }
        shelf
    }

    /// The document named `name` and its entity tag; `None` when there is none, an error
    /// when its chunk does not inflate.
    pub(super) fn get(&self, name: &str) -> Option<std::io::Result<(Bytes, String)>> {
        let slot = *self.slots.get(name)?;
        let chunk = self.chunks.get(slot.chunk as usize)?;
        Some(chunk.bytes().and_then(|raw| {
            let (start, end) = (slot.start as usize, (slot.start + slot.len) as usize);
            if end <= raw.len() {
                Ok((raw.slice(start..end), etag(slot.etag)))
            } else {
                Err(std::io::Error::other("document outside its chunk"))
            }
        }))
    }

    /// The entity tag of `name`'s document, without reading it.
    pub(super) fn etag(&self, name: &str) -> Option<String> {
        self.slots.get(name).map(|slot| etag(slot.etag))
    }

    /// Documents held.
    pub(super) fn len(&self) -> usize {
        self.slots.len()
    }

    /// Its chunks.
    pub(super) fn blobs(&self) -> impl Iterator<Item = &Arc<Blob>> {
        self.chunks.iter()
    }

    /// Bytes held by the chunks.
    pub(super) fn held_len(&self) -> usize {
        self.chunks.iter().map(|c| c.held_len()).sum()
    }
}

/// Compresses `blobs` again, harder, one after another on a thread of its own (off the
/// start-up path; on the calling thread when no thread can be started).
pub(super) fn compress_in_background(blobs: Vec<Arc<Blob>>) {
    let for_thread = blobs.clone();
    let spawned = std::thread::Builder::new()
        .name("explorer-gzip".into())
        .spawn(move || for_thread.iter().for_each(|b| b.compress()));
    if let Err(err) = spawned {
        tracing::debug!(%err, "explorer: compressing in the foreground");
        blobs.iter().for_each(|b| b.compress());
    }
}

/// Whether an `Accept-Encoding` value admits gzip (`gzip`, `x-gzip` or `*`, unless
/// weighted `q=0`).
pub(super) fn accepts_gzip(accept_encoding: &str) -> bool {
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
