//! The proxy's judgement of one exchange: the route and parameters, the request body and
//! the answer, each held to the contract; a large body is checked on the blocking pool.

use std::sync::Arc;

use bytes::Bytes;
use hyper::header::{CONTENT_TYPE, HeaderMap};
use hyper::http::request::Parts;

use super::pending::{Pending, violation};
use super::{ProxyOp, ProxyState};
use crate::http::ErrorKind;
use crate::http::{Heavy, parse_query};
use crate::router::RouteMatch;
use crate::validate::Answer;

/// Runs `check` where it costs no other exchange its turn: inline for a small body, on
/// tokio's blocking pool for a large one, holding the heavy-body permit; `None` if it did
/// not finish (the runtime is stopping).
async fn off_workers<T: Send + 'static>(
    state: &ProxyState,
    len: usize,
    check: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    if !Heavy::is_large(len) {
        return Some(check());
    }
    let permit = state.heavy.permit(len).await;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        check()
    })
    .await
    .ok()
}

/// Routes the request and checks its parameters; the operation matched, and for an
/// undocumented route the status `--errors` answers.
pub(super) fn route(
    state: &ProxyState,
    parts: &Parts,
    pending: &mut Pending,
) -> (Option<Arc<ProxyOp>>, Option<ErrorKind>) {
    let method = parts.method.as_str();
    match state.router.find(method, parts.uri.path()) {
        RouteMatch::Found { operation, params } => {
            let prepared = state.prepared(operation);
            pending.operation_id = Some(prepared.op.operation_id.clone());
            let query = parse_query(parts.uri.query().unwrap_or_default());
            let found = prepared.check.params(&params, &query);
            pending.omitted += found.omitted;
            pending.add(found.list);
            (Some(prepared), None)
        }
        RouteMatch::MethodNotAllowed { allow } => {
            pending.add([violation(
                "path",
                "method",
                &format!("one of {}", allow.join(", ")),
                method.to_string(),
            )]);
            (None, Some(ErrorKind::MethodNotAllowed))
        }
        RouteMatch::NotFound { .. } => {
            pending.add([violation(
                "path",
                "route",
                "a documented route",
                format!("{method} {}", parts.uri.path()),
            )]);
            (None, Some(ErrorKind::NotFound))
        }
    }
}

/// Checks the request body held whole. One over the field or CPU limits (413) goes through
/// unchecked: what it costs to check is no contract fault. `Err` if the check did not finish.
pub(super) async fn request_body(
    state: &Arc<ProxyState>,
    prepared: &Arc<ProxyOp>,
    headers: &HeaderMap,
    body: &Bytes,
    pending: &mut Pending,
) -> Result<(), ()> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let (shared, op, bytes) = (state.clone(), prepared.clone(), body.clone());
    let refused = off_workers(state, body.len(), move || {
        op.check
            .body(
                &op.op,
                &shared.schemas,
                &shared.types,
                content_type.as_deref(),
                &bytes,
                &shared.body_rules,
            )
            .err()
    })
    .await
    .ok_or(())?;
    match refused {
        Some(rejection) if rejection.status() == 413 => {
            tracing::warn!(reason = %rejection.message, "request body passed on unchecked");
        }
        Some(rejection) => {
            pending.omitted += rejection.omitted;
            pending.add(rejection.into_violations());
        }
        None => {}
    }
    Ok(())
}

/// Checks the answer: all of it when held whole, else its status and Content-Type.
pub(super) async fn answer(
    state: &Arc<ProxyState>,
    prepared: &Arc<ProxyOp>,
    headers: &HeaderMap,
    status: u16,
    body: &Bytes,
    whole: bool,
    pending: &mut Pending,
) {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let answer = Answer {
        status,
        content_type,
        body: if whole { body.clone() } else { Bytes::new() },
    };
    let (shared, op) = (state.clone(), prepared.clone());
    let len = answer.body.len();
    let Some(found) = off_workers(state, len, move || {
        op.answers.check(&op.op, &shared.schemas, &answer)
    })
    .await
    else {
        pending.add([violation(
            "response",
            "checked",
            "the answer checked against the contract",
            "the check did not finish".to_string(),
        )]);
        return;
    };
    let omitted = found.omitted;
    let mut list = found.list;
    if !whole {
        // Too large to hold: the body was not checked (an empty copy stood in for it).
        list.retain(|v| v.location != "body");
    }
    for v in &mut list {
        v.location = format!("response {}", v.location);
    }
    pending.add(list);
    pending.omitted += omitted;
}
