//! Answering from stubs: the first stub (by priority, then the newest) that matches the
//! request answers it, before request validation unless the stub asks for it, and only as
//! many `times` as it allows (counted in the store, so replicas share the count).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use hyper::http::request::Parts;
use hyper::{Response, StatusCode};
use serde_json::Value;

use super::state::MockState;
use crate::http::ErrorKind;
use crate::http::parse_query;
use crate::router::RouteMatch;
use crate::stubs::{RequestView, Stub};
use crate::validate::Rejection;

/// `X-Mockdown-Stub`: which stub answered.
static STUB_HEADER: HeaderName = HeaderName::from_static("x-mockdown-stub");

/// A stub's answer.
pub(crate) struct Answered {
    pub(crate) response: Response<Full<Bytes>>,
    /// The stub's id.
    pub(crate) stub: String,
    /// The operation (index, operationId) the request routes to, if any.
    pub(crate) operation: Option<(usize, String)>,
}

/// The answer of the first stub that matches and may still answer, if any.
pub(crate) async fn answer(
    state: &Arc<MockState>,
    stubs: &[Stub],
    parts: &Parts,
    body: &Bytes,
) -> Result<Option<Answered>, Rejection> {
    let query = parse_query(parts.uri.query().unwrap_or_default());
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let view = RequestView {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: &query,
        headers: &headers,
        body: json.as_ref(),
    };
    for stub in stubs {
        if !stub.matches(&view) || state.stubs.is_stale(&stub.id) {
            continue;
        }
        let operation = routed(state, parts);
        if stub.validate {
            check(state, parts, &query, body).await?;
        }
        if !state.stubs.take(stub).await? {
            continue;
        }
        if stub.response.delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(stub.response.delay_ms)).await;
        }
        return Ok(Some(Answered {
            response: response(stub),
            stub: stub.id.clone(),
            operation,
        }));
    }
    Ok(None)
}

/// The operation (index, operationId) the request routes to.
fn routed(state: &MockState, parts: &Parts) -> Option<(usize, String)> {
    match state.router.find(parts.method.as_str(), parts.uri.path()) {
        RouteMatch::Found { operation, .. } => Some((
            operation,
            state.operations.operation_id(operation).to_string(),
        )),
        _ => None,
    }
}

/// The request checks a stub with `"validate": true` asks for: a documented route,
/// credentials, parameters and body.
async fn check(
    state: &Arc<MockState>,
    parts: &Parts,
    query: &[(String, String)],
    body: &Bytes,
) -> Result<(), Rejection> {
    let (index, params) = match state.router.find(parts.method.as_str(), parts.uri.path()) {
        RouteMatch::Found { operation, params } => (operation, params),
        RouteMatch::MethodNotAllowed { allow } => {
            return Err(Rejection::new(
                ErrorKind::MethodNotAllowed,
                format!("allowed: {}", allow.join(", ")),
            ));
        }
        RouteMatch::NotFound { .. } => {
            return Err(Rejection::new(
                ErrorKind::NotFound,
                "no documented route matches",
            ));
        }
    };
    let prepared = state.prepared(index);
    super::checks::credentials_and_params(state, &prepared, parts, &params, query)?;
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    super::bodies::check(state, &prepared, content_type, body).await?;
    Ok(())
}

/// The stub's canned answer.
fn response(stub: &Stub) -> Response<Full<Bytes>> {
    let canned = &stub.response;
    let mut response = Response::new(Full::new(
        canned
            .body
            .as_ref()
            .map(|b| Bytes::from(b.to_string()))
            .unwrap_or_default(),
    ));
    *response.status_mut() = StatusCode::from_u16(canned.status).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    for (name, value) in &canned.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.insert(name, value);
        }
    }
    if canned.body.is_some() && !headers.contains_key(CONTENT_TYPE) {
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
    }
    if let Ok(id) = HeaderValue::from_str(&stub.id) {
        headers.insert(STUB_HEADER.clone(), id);
    }
    response
}
