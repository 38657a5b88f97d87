//! The mock's own admin routes, beside those it shares with the proxy (`http`'s health,
//! routes and journal): state (`GET|PUT|DELETE /__mockdown/state`), entities, stubs
//! (`GET|POST|DELETE /__mockdown/stubs[/ID]`) and request verification
//! (`POST /__mockdown/requests/find|count`). Same Host and token rules as every admin route.

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::http::request::Parts;
use hyper::{Response, StatusCode};
use serde_json::{Value, json};

use super::state::MockState;
use crate::http::ErrorKind;
use crate::http::{self, error_response, error_response_with, json_response, read_body};
use crate::state::StoreError;
use crate::stubs::{Match, RequestView, Stub};

/// Answers an admin request.
pub(crate) async fn handle(
    state: &MockState,
    parts: &Parts,
    incoming: Incoming,
) -> Response<Full<Bytes>> {
    let route = parts
        .uri
        .path()
        .trim_start_matches("/__mockdown/")
        .trim_end_matches('/');
    let ours = matches!(
        route,
        "state" | "entities" | "stubs" | "requests/find" | "requests/count" | "metrics"
    ) || route.starts_with("stubs/");
    if !ours {
        return http::admin(
            &state.admin_view(),
            &parts.method,
            &parts.uri,
            &parts.headers,
        );
    }
    if let Some(refusal) = http::admin_refusal(
        &state.config.admin,
        &parts.method,
        route,
        &parts.uri,
        &parts.headers,
    ) {
        return refusal;
    }
    let body = match read_body(
        incoming,
        &parts.headers,
        state.config.max_body_bytes,
        state.config.limits.body_timeout,
    )
    .await
    {
        Ok(body) => body,
        Err(e) => return error_response(&e, &e.message, &[], None),
    };
    answer(state, parts.method.as_str(), route, &body)
        .await
        .unwrap_or_else(store_error)
}

/// The answer to admin route `route` of ours, by `method`, with the request's `body`.
async fn answer(
    state: &MockState,
    method: &str,
    route: &str,
    body: &Bytes,
) -> Result<Response<Full<Bytes>>, StoreError> {
    match (method, route) {
        ("GET", "state") => state.store.export().await.map(|v| json_response(&v)),
        ("PUT", "state") => match json_of(body) {
            Ok(document) => state
                .store
                .import(&document)
                .await
                .map(|()| http::empty_response(StatusCode::NO_CONTENT)),
            Err(response) => Ok(*response),
        },
        ("DELETE", "state") => state
            .store
            .clear()
            .await
            .map(|()| http::empty_response(StatusCode::NO_CONTENT)),
        ("GET", "metrics") => Ok(metrics(state)),
        ("GET", "entities") => Ok(json_response(&json!({
            "stateful": state.config.stateful,
            "store": state.store.describe(),
            "entities": state.entities.entities,
        }))),
        ("GET", "stubs") => state.stubs.listing().await.map(|v| json_response(&v)),
        ("POST", "stubs") => add_stubs(state, body).await,
        ("DELETE", "stubs") => state
            .stubs
            .remove(None)
            .await
            .map(|removed| json_response(&json!({ "removed": removed }))),
        ("DELETE", id) if id.starts_with("stubs/") => {
            let id = &id["stubs/".len()..];
            state.stubs.remove(Some(id)).await.map(|removed| {
                if removed == 0 {
                    error_response(ErrorKind::NotFound, &format!("no stub `{id}`"), &[], None)
                } else {
                    json_response(&json!({ "removed": removed }))
                }
            })
        }
        ("POST", "requests/find") => Ok(find(state, body, false)),
        ("POST", "requests/count") => Ok(find(state, body, true)),
        _ => Ok(error_response(
            ErrorKind::MethodNotAllowed,
            "GET|PUT|DELETE state, GET entities, GET metrics, GET|POST|DELETE stubs, DELETE stubs/ID, POST requests/find|count",
            &[],
            None,
        )),
    }
}

/// The answer to a state store that failed.
fn store_error(error: StoreError) -> Response<Full<Bytes>> {
    match error {
        StoreError::Full(_) => error_response(ErrorKind::StateFull, &error.to_string(), &[], None),
        StoreError::Invalid(_) => {
            error_response(ErrorKind::StateInvalid, &error.to_string(), &[], None)
        }
        StoreError::Unavailable(_) => {
            error_response(ErrorKind::StateUnavailable, &error.to_string(), &[], None)
        }
    }
}

/// The metrics in the OpenMetrics text format Prometheus scrapes.
fn metrics(state: &MockState) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(state.metrics.render())));
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        ),
    );
    response
}

/// The JSON of an admin body, or the 400 answering it.
fn json_of(body: &Bytes) -> Result<Value, Box<Response<Full<Bytes>>>> {
    serde_json::from_slice(body).map_err(|e| {
        Box::new(error_response(
            ErrorKind::InvalidJson,
            &format!("the body is not JSON: {e}"),
            &[],
            None,
        ))
    })
}

/// Adds the stubs of a body (one stub or a list): each held to the contract first; one
/// refused, none added.
async fn add_stubs(state: &MockState, body: &Bytes) -> Result<Response<Full<Bytes>>, StoreError> {
    let value = match json_of(body) {
        Ok(value) => value,
        Err(response) => return Ok(*response),
    };
    let items = match value {
        Value::Array(items) => items,
        one => vec![one],
    };
    let mut stubs = Vec::with_capacity(items.len());
    for item in &items {
        let stub = match Stub::parse(item) {
            Ok(stub) => stub,
            Err(err) => {
                let message = err.to_string();
                return Ok(error_response(&err, &message, &[], None));
            }
        };
        if let Err(refusal) = state.check_stub(&stub) {
            return Ok(error_response_with(
                ErrorKind::StubBreaksContract,
                &refusal.message,
                &refusal.violations,
                0,
                None,
            ));
        }
        stubs.push(stub);
    }
    for stub in &stubs {
        state.stubs.add(stub).await?;
    }
    let ids: Vec<&str> = stubs.iter().map(|s| s.id.as_str()).collect();
    let mut response = json_response(&json!({ "stubs": ids }));
    *response.status_mut() = StatusCode::CREATED;
    Ok(response)
}

/// The journal entries a matcher (the stubs' `match`) finds, or their number.
fn find(state: &MockState, body: &Bytes, count: bool) -> Response<Full<Bytes>> {
    let matcher: Match = if body.iter().all(u8::is_ascii_whitespace) {
        Match::default()
    } else {
        match serde_json::from_slice(body) {
            Ok(m) => m,
            Err(e) => {
                return error_response(
                    ErrorKind::InvalidMatch,
                    &format!("not a matcher: {e}"),
                    &[],
                    None,
                );
            }
        }
    };
    let probe = Stub {
        id: String::new(),
        matcher,
        response: crate::stubs::StubResponse {
            status: 200,
            headers: Default::default(),
            body: None,
            delay_ms: 0,
        },
        times: None,
        priority: 0,
        unchecked: true,
        validate: false,
    };
    let found: Vec<_> = state
        .journal
        .entries()
        .into_iter()
        .filter(|entry| {
            let (path, query) = entry.path.split_once('?').unwrap_or((&entry.path, ""));
            let query = http::parse_query(query);
            let body = entry
                .request
                .body
                .as_deref()
                .and_then(|b| serde_json::from_str::<Value>(b).ok());
            probe.matches(&RequestView {
                method: &entry.method,
                path,
                query: &query,
                headers: &entry.request.headers,
                body: body.as_ref(),
            })
        })
        .collect();
    if count {
        json_response(&json!({ "count": found.len() }))
    } else {
        json_response(&json!({ "requests": found }))
    }
}
