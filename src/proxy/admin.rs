//! The proxy's admin routes: those it shares with the mock (`http`'s health, routes and
//! journal), its metrics (`GET /__mockdown/metrics`, requests by what answered them:
//! upstream, mock or the proxy itself), and in hybrid mode the fallback mock's own routes
//! (state, entities, stubs), passed to that mock. The same Host and token rules for all.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use hyper::http::request::Parts;
use hyper::{Method, Response};

use super::ProxyState;
use super::fallback::MockBackend;
use super::headers::strip_hop_by_hop;
use super::stream::{Relayed, whole};
use crate::http::ErrorKind;
use crate::http::{self, error_response, read_body};

/// Answers an admin request.
pub(super) async fn handle(
    state: &Arc<ProxyState>,
    parts: Parts,
    incoming: Incoming,
) -> Response<Relayed> {
    let route = parts
        .uri
        .path()
        .trim_start_matches("/__mockdown/")
        .trim_end_matches('/')
        .to_string();
    let mocks =
        matches!(route.as_str(), "state" | "entities" | "stubs") || route.starts_with("stubs/");
    let ours = route == "metrics" || (mocks && state.mock.is_some());
    if !ours {
        return whole(http::admin(
            &state.admin_view(),
            &parts.method,
            &parts.uri,
            &parts.headers,
        ));
    }
    if let Some(refusal) = http::admin_refusal(
        &state.config.admin,
        &parts.method,
        &route,
        &parts.uri,
        &parts.headers,
    ) {
        return whole(refusal);
    }
    if route == "metrics" {
        return metrics(state, &parts);
    }
    let Some(mock) = &state.mock else {
        return whole(error_response(
            ErrorKind::NotFound,
            "no fallback mock",
            &[],
            None,
        ));
    };
    to_mock(state, mock, &parts, incoming).await
}

/// The proxy's metrics (`GET` only), in the OpenMetrics text format Prometheus scrapes.
fn metrics(state: &ProxyState, parts: &Parts) -> Response<Relayed> {
    if parts.method != Method::GET {
        return whole(error_response(
            ErrorKind::MethodNotAllowed,
            "GET metrics",
            &[],
            None,
        ));
    }
    let mut response = Response::new(Full::new(Bytes::from(state.metrics.render())));
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    whole(response)
}

/// Passes an admin request of the fallback mock's own to it, its body read first.
async fn to_mock(
    state: &ProxyState,
    mock: &MockBackend,
    parts: &Parts,
    incoming: Incoming,
) -> Response<Relayed> {
    let body = match read_body(
        incoming,
        &parts.headers,
        state.config.max_body_bytes,
        state.config.limits.body_timeout,
    )
    .await
    {
        Ok(body) => body,
        Err(e) => {
            return whole(error_response(&e, &e.message, &[], None));
        }
    };
    let deadline = tokio::time::Instant::now() + state.config.timeout;
    match mock.answer(&state.client, parts, body, deadline).await {
        Ok((mut head, body)) => {
            strip_hop_by_hop(&mut head.headers);
            head.headers.remove(CONTENT_LENGTH);
            Response::from_parts(
                head,
                Full::new(body).map_err(|never| match never {}).boxed(),
            )
        }
        Err(err) => whole(error_response(
            &err,
            &format!("the fallback mock failed: {err}"),
            &[],
            None,
        )),
    }
}
