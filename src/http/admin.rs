//! The admin routes under `/__mockdown/` that the mock and the proxy share: `health`,
//! `routes`, and `requests` (the journal: GET pages through it, DELETE clears it), answered
//! only for a loopback, IP-literal or configured Host and, when set, with the admin token.

use std::net::IpAddr;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{AUTHORIZATION, HOST, HeaderMap, HeaderName, HeaderValue, WWW_AUTHENTICATE};
use hyper::{Method, Response, StatusCode, Uri};
use serde_json::{Value, json};

use super::error::{empty_response, error_response, json_response};
use super::journal::Journal;
use super::kind::ErrorKind;
use super::prepared::PreparedSet;
use super::query::parse_query;
use crate::router::Router;

/// Entries a journal page lists when `?limit=` is not given.
const DEFAULT_PAGE: usize = 100;
/// Most entries one journal page lists.
const MAX_PAGE: usize = 1000;
/// Most bytes of journal entries one page holds (more pages follow with `?since=`).
const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;

/// `X-Mockdown-Admin-Token`: the admin token, as an alternative to `Authorization: Bearer`.
static TOKEN_HEADER: HeaderName = HeaderName::from_static("x-mockdown-admin-token");

/// Who may use the admin routes.
#[derive(Debug, Clone, Default)]
pub(crate) struct AdminConfig {
    /// Host names (besides `localhost` and IP literals) admin requests may name in `Host`;
    /// `*` allows any.
    pub hosts: Vec<String>,
    /// When set, admin requests (all but `GET health`) must carry this token.
    pub token: Option<String>,
}

/// What the admin routes look at.
pub(crate) struct AdminView<'a, T> {
    /// The routes served.
    pub(crate) router: &'a Router,
    /// The operations, with how many are prepared.
    pub(crate) operations: &'a PreparedSet<T>,
    /// The request journal.
    pub(crate) journal: &'a Journal,
    /// Who may ask.
    pub(crate) config: &'a AdminConfig,
}

/// Whether `path` is an admin route.
pub(crate) fn is_admin(path: &str) -> bool {
    path.starts_with("/__mockdown/")
}

/// Answers an admin request (no CORS headers: a web page of another origin cannot read it).
pub(crate) fn handle<T>(
    view: &AdminView<T>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Response<Full<Bytes>> {
    let route = uri
        .path()
        .trim_start_matches("/__mockdown/")
        .trim_end_matches('/');
    if let Some(refusal) = refused(view.config, method, route, uri, headers) {
        return refusal;
    }
    match (method.as_str(), route) {
        ("GET", "health") => json_response(&json!({
            "status": "ok",
            "routes": view.router.len(),
            "preparedOperations": view.operations.live(),
        })),
        ("GET", "routes") => {
            let routes: Vec<Value> = view
                .router
                .list()
                .into_iter()
                .map(|(method, template, idx)| {
                    json!({
                        "method": method,
                        "path": template,
                        "operationId": view.operations.operation_id(idx),
                    })
                })
                .collect();
            json_response(&Value::Array(routes))
        }
        ("GET", "requests") => requests(view.journal, uri.query().unwrap_or_default()),
        ("DELETE", "requests") => {
            view.journal.clear();
            empty_response(StatusCode::NO_CONTENT)
        }
        _ => error_response(
            ErrorKind::NotFound,
            "admin routes: GET health, GET routes, GET|DELETE requests",
            &[],
            None,
        ),
    }
}

/// A page of the journal: `?limit=N` (at most 1000) entries after `?since=ID`, or the
/// latest ones.
fn requests(journal: &Journal, query: &str) -> Response<Full<Bytes>> {
    let mut limit = DEFAULT_PAGE;
    let mut since = None;
    for (key, value) in parse_query(query) {
        let parsed = value.parse::<u64>();
        match (key.as_str(), parsed) {
            ("limit", Ok(n)) => limit = (n as usize).min(MAX_PAGE),
            ("since", Ok(n)) => since = Some(n),
            ("limit" | "since", Err(_)) => {
                return error_response(
                    ErrorKind::InvalidQuery,
                    &format!("`{key}` must be a whole number, found `{value}`"),
                    &[],
                    None,
                );
            }
            _ => {}
        }
    }
    let page = journal.page(since, limit, MAX_PAGE_BYTES);
    let next = page.entries.last().map(|e| e.id).or(since).unwrap_or(0);
    json_response(&json!({
        "requests": page.entries,
        "total": page.total,
        "next": next,
        "more": page.more,
        "enabled": journal.enabled(),
    }))
}

/// The refusal of a request whose Host could be a DNS-rebound name (403) or that lacks
/// the admin token (401), if it is one.
pub(crate) fn refused(
    config: &AdminConfig,
    method: &Method,
    route: &str,
    uri: &Uri,
    headers: &HeaderMap,
) -> Option<Response<Full<Bytes>>> {
    let host = headers
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| uri.authority().map(|a| a.as_str()));
    if let Some(host) = host
        && !host_allowed(config, host)
    {
        return Some(error_response(
            ErrorKind::Forbidden,
            "admin routes answer only requests to localhost, an IP address or a host named with --admin-host",
            &[],
            None,
        ));
    }
    let Some(token) = &config.token else {
        return None;
    };
    if method == Method::GET && route == "health" {
        return None;
    }
    let bearer = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let given = headers
        .get(&TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .or(bearer);
    if given.is_some_and(|g| same(g.trim().as_bytes(), token.as_bytes())) {
        return None;
    }
    let mut response = error_response(
        ErrorKind::Unauthorized,
        "admin routes need the admin token: `Authorization: Bearer TOKEN` or `X-Mockdown-Admin-Token: TOKEN`",
        &[],
        None,
    );
    response
        .headers_mut()
        .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    Some(response)
}

/// Whether `Host` names this machine in a way no other site can make a browser use:
/// `localhost` (and `*.localhost`), an IP literal, or a configured name.
pub(crate) fn host_allowed(config: &AdminConfig, host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => match host.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => host,
        },
    };
    let lower = name.trim_end_matches('.').to_ascii_lowercase();
    lower == "localhost"
        || lower.ends_with(".localhost")
        || lower.parse::<IpAddr>().is_ok()
        || config
            .hosts
            .iter()
            .any(|h| h == "*" || h.eq_ignore_ascii_case(&lower))
}

/// Compares without stopping at the first difference (the token is a secret).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        let config = AdminConfig {
            hosts: vec!["mock.internal".into()],
            token: None,
        };
        for ok in [
            "localhost:4010",
            "127.0.0.1:4010",
            "[::1]:4010",
            "app.localhost",
            "10.0.0.7",
            "MOCK.internal:80",
        ] {
            assert!(host_allowed(&config, ok), "{ok}");
        }
        for refused in [
            "evil.example:4010",
            "localhost.evil.example",
            "mock.internal.evil",
        ] {
            assert!(!host_allowed(&config, refused), "{refused}");
        }
    }
}
