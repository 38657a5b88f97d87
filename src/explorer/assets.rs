//! The page's assets, embedded in the binary: no CDN, no web fonts, nothing fetched from
//! the network. The script is split by concern in `assets/js/` and joined here into one
//! file inside one function scope.

use std::sync::LazyLock;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, HeaderValue};
use hyper::{Response, StatusCode};

/// One embedded file.
pub(super) struct Asset {
    /// Media type.
    content_type: &'static str,
    /// Contents.
    body: &'static str,
    /// Hash of the contents, as an entity tag.
    etag: String,
    /// Extra headers (the page's Content-Security-Policy).
    page: bool,
}

impl Asset {
    fn new(content_type: &'static str, body: &'static str, page: bool) -> Self {
        Self {
            content_type,
            body,
            etag: format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(body.as_bytes())),
            page,
        }
    }

    /// The asset, or 304 when `if_none_match` names its current tag.
    pub(super) fn respond(&self, if_none_match: Option<&str>) -> Response<Full<Bytes>> {
        let current = if_none_match.is_some_and(|tags| {
            tags.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == self.etag)
        });
        let mut builder = Response::builder()
            .header(CONTENT_TYPE, self.content_type)
            .header(CACHE_CONTROL, "no-cache")
            .header(ETAG, self.etag.as_str())
            .header("x-content-type-options", "nosniff");
        if self.page {
            builder = builder
                .header(
                    "content-security-policy",
                    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; \
                     script-src 'self'; connect-src 'self'; base-uri 'none'; \
                     form-action 'none'; frame-ancestors 'none'",
                )
                .header("referrer-policy", "no-referrer");
        }
        let result = if current {
            builder
                .status(StatusCode::NOT_MODIFIED)
                .body(Full::new(Bytes::new()))
        } else {
            builder.body(Full::new(Bytes::from_static(self.body.as_bytes())))
        };
        result.unwrap_or_else(|_| {
            let mut fallback = Response::new(Full::new(Bytes::new()));
            fallback
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
            fallback
        })
    }

    /// Length of the contents.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.body.len()
    }
}

/// The script: every part, in one function scope, `core.js` last (it starts the page).
const SCRIPT: &str = concat!(
    "(() => {\n'use strict';\n",
    include_str!("assets/js/util.js"),
    include_str!("assets/js/schema.js"),
    include_str!("assets/js/operation.js"),
    include_str!("assets/js/tryit.js"),
    include_str!("assets/js/journal.js"),
    include_str!("assets/js/core.js"),
    "})();\n"
);

static PAGE: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "text/html; charset=utf-8",
        include_str!("assets/index.html"),
        true,
    )
});
static SCRIPT_ASSET: LazyLock<Asset> =
    LazyLock::new(|| Asset::new("text/javascript; charset=utf-8", SCRIPT, false));
static STYLE: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "text/css; charset=utf-8",
        include_str!("assets/app.css"),
        false,
    )
});

/// The page.
pub(super) fn page() -> Option<&'static Asset> {
    Some(&PAGE)
}

/// The asset served at `path`, if any.
pub(super) fn by_path(path: &str) -> Option<&'static Asset> {
    match path {
        "/__mockdown/explorer/app.js" => Some(&SCRIPT_ASSET),
        "/__mockdown/explorer/app.css" => Some(&STYLE),
        _ => None,
    }
}
