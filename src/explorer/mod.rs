//! Room: the explorer page at `/__mockdown/`, a browser view of what the mock serves:
//! operations grouped by agent or entity with a search, named types as expandable trees,
//! "try it" against the mock itself, and the live request journal.
//!
//! It owns the page's assets (HTML, CSS, JS; embedded, so the page works offline) and the
//! documents the page reads, built once from the *full* contract (before `compact` drops
//! descriptions and `x-mockdown-*` facts) and held gzip-compressed: an index served whole
//! and one detail document per operation and per named type, served on demand.
//! It never routes, validates or generates: "try it" sends real requests to the mock.
//!
//! Routes (all `GET`/`HEAD`; see [`Explorer::answer`]):
//!
//! | path | what | admin token |
//! |---|---|---|
//! | `/__mockdown/` | the page | no (no data) |
//! | `/__mockdown/explorer/app.js`, `app.css` | its assets | no |
//! | `/__mockdown/explorer/index.json` | the index | yes |
//! | `/__mockdown/explorer/operations/{operationId}.json` | one operation | yes |
//! | `/__mockdown/explorer/types/{Name}.json` | one named type | yes |

mod assets;
mod data;
mod index;
mod packed;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_packing;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{
    ACCEPT_ENCODING, ALLOW, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH,
    LOCATION, VARY,
};
use hyper::http::request::Parts;
use hyper::{Method, Response, StatusCode};

use crate::contract::Contract;
use crate::http::{AdminConfig, ErrorKind, ShapedError, shaped_response};
use packed::{Packed, Shelf, accepts_gzip, compress_in_background};

/// Where the explorer lives.
pub(crate) const BASE: &str = "/__mockdown/";
/// Where its assets and documents live.
const FILES: &str = "/__mockdown/explorer/";

/// The explorer's documents, compressed, and its routes.
pub(crate) struct Explorer {
    index: Packed,
    operations: Shelf,
    types: Shelf,
    /// The API's error shape (the profile's), for the explorer's own 404s.
    error_shape: crate::contract::profile::ErrorShape,
}

impl std::fmt::Debug for Explorer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Explorer")
            .field("operations", &self.operations.len())
            .field("types", &self.types.len())
            .field("bytes", &self.held_bytes())
            .finish()
    }
}

impl Default for Explorer {
    /// An explorer of an empty contract.
    fn default() -> Self {
        Self::new(&Contract::default())
    }
}

impl Explorer {
    /// Builds the explorer's documents from `contract`. Give it the full contract, before
    /// [`compact`](crate::compact): the page shows descriptions and where each fact of a
    /// named type came from, which compaction drops. The documents are compressed fast
    /// as they are written, and again, harder, just after on a thread of their own.
    pub(crate) fn new(contract: &Contract) -> Self {
        let explorer = Self::written(contract);
        compress_in_background(explorer.blobs());
        explorer
    }

    /// The documents of `contract`, compressed fast only.
    fn written(contract: &Contract) -> Self {
        let built = index::build(contract);
        Self {
            index: built.index,
            operations: built.operations,
            types: built.types,
            error_shape: contract.profile.error_shape.value.clone(),
        }
    }

    /// Every blob held.
    fn blobs(&self) -> Vec<std::sync::Arc<packed::Blob>> {
        let mut blobs: Vec<_> = self.operations.blobs().cloned().collect();
        blobs.extend(self.types.blobs().cloned());
        blobs.push(self.index.shared_blob());
        blobs
    }

    /// Whether every document is compressed as hard as it will be (the background work
    /// is done).
    #[cfg(test)]
    pub(crate) fn is_compressed(&self) -> bool {
        self.blobs().iter().all(|b| b.is_compressed())
    }

    /// Operations listed.
    #[cfg(test)]
    pub(crate) fn operations(&self) -> usize {
        self.operations.len()
    }

    /// Memory held by the compressed documents, in bytes.
    pub(crate) fn held_bytes(&self) -> usize {
        self.index.blob().held_len() + self.operations.held_len() + self.types.held_len()
    }

    /// Whether `path` is one of the explorer's assets (the page, its script and style):
    /// they hold no data and are served without the admin token. Its documents
    /// (`index.json`, operations, types) are not assets: they need the token when one is set.
    #[cfg(test)]
    pub(crate) fn is_public(path: &str) -> bool {
        matches!(
            path,
            "/__mockdown" | "/__mockdown/" | "/__mockdown/index.html"
        ) || assets::by_path(path).is_some()
    }

    /// Answers a request for one of the explorer's routes; `None` for any other path
    /// (other admin routes, the API), which the caller answers as before. The page and its
    /// assets are served to anyone; the documents follow the rules of every admin route
    /// (`admin`: the Host check, and the admin token when one is set).
    pub(crate) fn answer(&self, req: &Parts, admin: &AdminConfig) -> Option<Response<Full<Bytes>>> {
        let path = req.uri.path();
        let page = matches!(
            path,
            "/__mockdown" | "/__mockdown/" | "/__mockdown/index.html"
        );
        if !page && !path.starts_with(FILES) {
            return None;
        }
        if req.method != Method::GET && req.method != Method::HEAD {
            let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "GET or HEAD only\n");
            response
                .headers_mut()
                .insert(ALLOW, hyper::header::HeaderValue::from_static("GET, HEAD"));
            return Some(response);
        }
        if path == "/__mockdown" {
            let mut response = plain(StatusCode::PERMANENT_REDIRECT, "");
            response
                .headers_mut()
                .insert(LOCATION, hyper::header::HeaderValue::from_static(BASE));
            return Some(response);
        }
        let asset = if page {
            assets::page()
        } else {
            assets::by_path(path)
        };
        if let Some(asset) = asset {
            return Some(asset.respond(if_none_match(req)));
        }
        let route = path.trim_start_matches(BASE);
        if let Some(refusal) =
            crate::http::admin_refusal(admin, &req.method, route, &req.uri, &req.headers)
        {
            return Some(refusal);
        }
        let rest = &path[FILES.len()..];
        if rest == "index.json" {
            return Some(serve_packed(&self.index, req));
        }
        let (shelf, name) = if let Some(id) = document_name(rest, "operations/") {
            (&self.operations, id)
        } else if let Some(name) = document_name(rest, "types/") {
            (&self.types, name)
        } else {
            return Some(not_found(&self.error_shape, path));
        };
        Some(match shelf.etag(&name) {
            None => not_found(&self.error_shape, path),
            Some(tag) if current(req, &tag) => not_modified(&tag),
            Some(_) => match shelf.get(&name) {
                Some(Ok((json, tag))) => json_document(json, &tag),
                Some(Err(_)) => plain(StatusCode::INTERNAL_SERVER_ERROR, "corrupt document\n"),
                None => not_found(&self.error_shape, path),
            },
        })
    }
}

/// `operations/{name}.json` → `name` (percent-decoded).
fn document_name(rest: &str, folder: &str) -> Option<String> {
    let name = rest.strip_prefix(folder)?.strip_suffix(".json")?;
    let decoded = percent_encoding::percent_decode_str(name)
        .decode_utf8()
        .ok()?;
    Some(decoded.into_owned()).filter(|n| !n.is_empty())
}

fn if_none_match(req: &Parts) -> Option<&str> {
    req.headers.get(IF_NONE_MATCH).and_then(|v| v.to_str().ok())
}

/// Whether the client's copy (`If-None-Match`) is the one tagged `tag`.
fn current(req: &Parts, tag: &str) -> bool {
    if_none_match(req).is_some_and(|tags| {
        tags.split(',')
            .any(|t| t.trim().trim_start_matches("W/") == tag)
    })
}

fn json_headers(tag: &str) -> hyper::http::response::Builder {
    Response::builder()
        .header(CONTENT_TYPE, "application/json; charset=utf-8")
        .header(CACHE_CONTROL, "no-cache")
        .header(VARY, "Accept-Encoding")
        .header(ETAG, tag)
}

fn not_modified(tag: &str) -> Response<Full<Bytes>> {
    json_headers(tag)
        .status(StatusCode::NOT_MODIFIED)
        .body(Full::new(Bytes::new()))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

/// A detail document, as JSON (small: served uncompressed).
fn json_document(json: Bytes, tag: &str) -> Response<Full<Bytes>> {
    json_headers(tag)
        .body(Full::new(json))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

/// A packed JSON document: gzip as held when the client accepts it, else inflated;
/// 304 when the client's copy is current.
fn serve_packed(packed: &Packed, req: &Parts) -> Response<Full<Bytes>> {
    if current(req, packed.etag()) {
        return not_modified(packed.etag());
    }
    let builder = json_headers(packed.etag());
    let gzip = req
        .headers
        .get(ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(accepts_gzip);
    let result = if gzip {
        builder
            .header(CONTENT_ENCODING, "gzip")
            .body(Full::new(packed.blob().gzip()))
    } else {
        match packed.blob().bytes() {
            Ok(json) => builder.body(Full::new(json)),
            Err(_) => return plain(StatusCode::INTERNAL_SERVER_ERROR, "corrupt document\n"),
        }
    };
    result.unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

/// A JSON 404 in the API's error shape.
fn not_found(shape: &crate::contract::profile::ErrorShape, path: &str) -> Response<Full<Bytes>> {
    let message = format!("the explorer has no document at {path}");
    let error = ShapedError {
        kind: ErrorKind::NotFound,
        message: &message,
    };
    shaped_response(shape, error, &[], 0, None)
}

fn plain(status: StatusCode, text: &'static str) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(Full::new(Bytes::from_static(text.as_bytes())))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}
