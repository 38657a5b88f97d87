//! The admin surface under `/__mockdown/`: `health`, `routes`, `requests` (the journal).

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Response, StatusCode};
use serde_json::{Value, json};

use super::MockState;
use super::handler::error_response;

/// Answers an admin request.
pub fn handle(state: &MockState, method: &str, path: &str) -> Response<Full<Bytes>> {
    let route = path
        .trim_start_matches("/__mockdown/")
        .trim_end_matches('/');
    match (method, route) {
        ("GET", "health") => json_response(json!({
            "status": "ok",
            "routes": state.routes(),
            "preparedOperations": state.operations.live(),
        })),
        ("GET", "routes") => {
            let routes: Vec<Value> = state
                .router
                .list()
                .into_iter()
                .map(|(method, template, idx)| {
                    json!({
                        "method": method,
                        "path": template,
                        "operationId": state.operations.operation_id(idx),
                    })
                })
                .collect();
            json_response(Value::Array(routes))
        }
        ("GET", "requests") => {
            let entries: Vec<Value> = state
                .journal
                .lock()
                .map(|j| {
                    j.iter()
                        .filter_map(|e| serde_json::to_value(e).ok())
                        .collect()
                })
                .unwrap_or_default();
            json_response(Value::Array(entries))
        }
        ("DELETE", "requests") => {
            if let Ok(mut journal) = state.journal.lock() {
                journal.clear();
            }
            Response::builder()
                .status(StatusCode::NO_CONTENT)
                .body(Full::new(Bytes::new()))
                .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
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

fn json_response(value: Value) -> Response<Full<Bytes>> {
    Response::builder()
        .header("content-type", "application/json; charset=utf-8")
        .body(Full::new(Bytes::from(
            serde_json::to_vec(&value).unwrap_or_default(),
        )))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}
