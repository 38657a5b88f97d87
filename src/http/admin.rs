//! The admin routes under `/__mockdown/` that the mock and the proxy share: `health`,
//! `routes`, and `requests` (the journal: GET reads it, DELETE clears it).

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Response, StatusCode};
use serde_json::{Value, json};

use super::error::{empty_response, error_response, json_response};
use super::journal::Journal;
use super::prepared::PreparedSet;
use crate::router::Router;

/// What the admin routes look at.
pub(crate) struct AdminView<'a, T> {
    /// The routes served.
    pub(crate) router: &'a Router,
    /// The operations, with how many are prepared.
    pub(crate) operations: &'a PreparedSet<T>,
    /// The request journal.
    pub(crate) journal: &'a Journal,
}

/// Whether `path` is an admin route.
pub(crate) fn is_admin(path: &str) -> bool {
    path.starts_with("/__mockdown/")
}

/// Answers an admin request.
pub(crate) fn handle<T>(view: &AdminView<T>, method: &str, path: &str) -> Response<Full<Bytes>> {
    let route = path
        .trim_start_matches("/__mockdown/")
        .trim_end_matches('/');
    match (method, route) {
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
        ("GET", "requests") => {
            let entries = view.journal.entries();
            json_response(&serde_json::to_value(entries).unwrap_or(Value::Null))
        }
        ("DELETE", "requests") => {
            view.journal.clear();
            empty_response(StatusCode::NO_CONTENT)
        }
        _ => error_response(
            404,
            "NotFound",
            "admin routes: GET health, GET routes, GET|DELETE requests",
            &[],
            None,
        ),
    }
}
