//! The query string of a request, as the mock, the proxy and the admin routes read it:
//! split into pairs, each percent-decoded (`+` is a space here, and only here).

use crate::router::query_decode;

/// Splits and decodes a query string (`%XX` escapes, `+` as a space).
pub(crate) fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (query_decode(k), query_decode(v))
        })
        .collect()
}
