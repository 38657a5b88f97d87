//! The parts of a request line the mock and the proxy both read: method and path for logs
//! and the journal, and the query string split into decoded pairs.

use hyper::Request;

use crate::router::percent_decode;

/// The method and the path with query of a request, for logs and the journal.
pub(crate) fn request_line<B>(req: &Request<B>) -> (String, String) {
    let path_and_query = req.uri().path_and_query().map_or("/", |p| p.as_str());
    (
        req.method().as_str().to_string(),
        path_and_query.to_string(),
    )
}

/// Splits and percent-decodes a query string.
pub(crate) fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}
