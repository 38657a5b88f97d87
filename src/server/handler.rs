//! One request through the pipeline: admin routes, CORS preflight, routing, validation,
//! the answer, the journal.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{Either, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_LENGTH, HeaderValue};
use hyper::http::request::Parts;
use hyper::{Request, Response};
use tokio::sync::OwnedSemaphorePermit;

use super::encode::preflight;
use super::routed::{PREFER, Routed, answer, read};
use super::state::MockState;
use crate::contract::validate::Violation;
use crate::faults;
use crate::faults::{DripBody, Fault};
use crate::generate::PreferRefusal;
use crate::http::{
    self, Closed, ConnectionSlot, Exchange, ShapedError, error_response, shaped_response,
};
use crate::http::{ApiError, ErrorKind};
use crate::router::RouteMatch;
use crate::validate::Rejection;

/// The body of the mock's answers: whole, or dripped (`Prefer: fault=drip`).
pub(crate) type MockBody = Either<Full<Bytes>, DripBody>;

/// Pieces a dripped body is cut into.
const DRIP_PIECES: usize = 20;
/// Pause between the pieces of a dripped body.
const DRIP_INTERVAL: Duration = Duration::from_millis(100);

/// What the handler learned about a request, for the journal.
struct Outcome {
    response: Response<Full<Bytes>>,
    /// The operation routed to: its index and operationId.
    operation: Option<(usize, String)>,
    violations: Vec<Violation>,
    omitted: usize,
    answered_by: Cow<'static, str>,
}

impl Outcome {
    fn plain(response: Response<Full<Bytes>>) -> Self {
        let answered_by = if response.status().is_success() {
            "generated"
        } else {
            "error"
        };
        Self {
            response,
            operation: None,
            violations: Vec::new(),
            omitted: 0,
            answered_by: Cow::Borrowed(answered_by),
        }
    }

    /// A refusal, in the API's error shape (the profile's).
    fn rejected(
        state: &MockState,
        rejection: Rejection,
        operation: Option<(usize, String)>,
    ) -> Self {
        let error = ShapedError {
            kind: rejection.kind,
            message: &rejection.message,
        };
        Self {
            response: shaped_response(
                &state.profile.error_shape.value,
                error,
                &rejection.violations,
                rejection.omitted,
                operation.as_ref().map(|(_, id)| id.as_str()),
            ),
            operation,
            violations: rejection.violations,
            omitted: rejection.omitted,
            answered_by: Cow::Borrowed("error"),
        }
    }
}

impl From<PreferRefusal> for Rejection {
    fn from(refusal: PreferRefusal) -> Self {
        Rejection::new(refusal.kind, refusal.message)
    }
}

impl From<http::BodyError> for Rejection {
    fn from(error: http::BodyError) -> Self {
        Rejection::new(error.kind, error.message)
    }
}

/// Answers one request ([`Closed`] when a fault closes the connection instead).
pub(crate) async fn handle(
    state: Arc<MockState>,
    req: Request<Incoming>,
    slot: ConnectionSlot,
) -> Result<Response<MockBody>, Closed> {
    let started = Instant::now();
    let (parts, incoming) = req.into_parts();
    if http::is_admin(parts.uri.path()) {
        // The explorer's page and assets (no token), its documents (admin rules), or the
        // other admin routes.
        let mut response = match state.explorer.answer(&parts, &state.config.admin) {
            Some(response) => response,
            None => super::admin::handle(&state, &parts, incoming).await,
        };
        // Never `*` on admin answers: only an origin the user named may read them.
        if state.config.cors_origin != "*" {
            state.cors.apply(response.headers_mut());
        }
        return Ok(response.map(Either::Left));
    }
    let mut body = Bytes::new();
    let path_and_query = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let (fault, held) = pick_fault(&state, &parts, path_and_query, &slot);
    let (mut outcome, fault) = match fault {
        Err(response) => (Outcome::plain(response), None),
        Ok(Some(fault @ (Fault::Reset | Fault::Timeout))) => {
            (closing(&state, &parts, fault), Some(fault))
        }
        Ok(fault) => {
            let error = fault == Some(Fault::Error);
            (
                dispatch(&state, &parts, incoming, &mut body, error).await,
                fault,
            )
        }
    };
    if let Some(fault) = fault {
        outcome.answered_by = Cow::Borrowed(fault.journal_name());
    }
    state.cors.apply(outcome.response.headers_mut());
    let status = match fault {
        Some(Fault::Reset | Fault::Timeout) => 0,
        _ => outcome.response.status().as_u16(),
    };
    let elapsed = started.elapsed();
    log(&state, &parts, path_and_query, &outcome, status, elapsed);
    let journaled = state.journal.enabled();
    let drip = fault == Some(Fault::Drip);
    let (response, sent) = if journaled || drip {
        let (response, sent) = http::full_bytes(outcome.response);
        (response, Some(sent))
    } else {
        (outcome.response, None)
    };
    if journaled {
        let request_bytes = if body.is_empty() && status == 413 {
            declared_length(&parts.headers)
        } else {
            body.len() as u64
        };
        let sent = sent.as_deref().unwrap_or_default();
        state.journal.record(Exchange {
            method: &parts.method,
            path_and_query,
            request_headers: &parts.headers,
            request_body: &body,
            request_bytes,
            status,
            response_headers: response.headers(),
            response_body: sent,
            response_bytes: sent.len() as u64,
            operation_id: outcome.operation.map(|(_, id)| id),
            violations: std::mem::take(&mut outcome.violations),
            omitted: outcome.omitted,
            elapsed,
            answered_by: outcome.answered_by,
        });
    }
    send(&state, response, sent, fault, held).await
}

/// The fault picked for a request (`None`: none), or the answer that refuses it.
type Picked = Result<Option<Fault>, Response<Full<Bytes>>>;

/// The fault a request asks for (`Prefer: fault=...`) or chaos picks for it, and the
/// held-request place one that holds the request open takes; `Err` is the answer when
/// the `Prefer` header is wrong or no place is free.
fn pick_fault(
    state: &MockState,
    parts: &Parts,
    path_and_query: &str,
    slot: &ConnectionSlot,
) -> (Picked, Option<OwnedSemaphorePermit>) {
    let asked = faults::asked(
        parts
            .headers
            .get_all(&PREFER)
            .iter()
            .filter_map(|v| v.to_str().ok()),
    )
    .map(|asked| asked.or_else(|| state.chaos.pick(chaos_seed(state, parts, path_and_query))));
    // A request held open on purpose takes a held-request place instead of its
    // connection's place (the connection closes after it); none free: 503.
    let mut held = None;
    let fault = match asked {
        Ok(Some(fault @ (Fault::Timeout | Fault::Drip))) => match slot.hold() {
            Some(place) => {
                held = Some(place);
                Ok(Some(fault))
            }
            None => Err(held_full(state, fault)),
        },
        Ok(other) => Ok(other),
        Err(refused) => Err(api_error(state, refused.kind(), &refused.to_string())),
    };
    (fault, held)
}

/// Logs the request and counts it in the metrics.
fn log(
    state: &MockState,
    parts: &Parts,
    path_and_query: &str,
    outcome: &Outcome,
    status: u16,
    elapsed: Duration,
) {
    let label = outcome
        .operation
        .as_ref()
        .and_then(|(i, _)| state.labels.get(*i));
    let violations = outcome.violations.len() + outcome.omitted;
    tracing::info!(
        method = parts.method.as_str(),
        path = path_and_query,
        status,
        operation = outcome
            .operation
            .as_ref()
            .map_or("-", |(_, id)| id.as_str()),
        violations,
        ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    state.metrics.record(
        label,
        status,
        source(&outcome.answered_by),
        violations,
        elapsed,
    );
}

/// Sends the answer as the fault asks: whole, dripped (`sent` is its body), or not at
/// all (the connection closes, after `--fault-timeout` for `timeout`).
async fn send(
    state: &MockState,
    response: Response<Full<Bytes>>,
    sent: Option<Bytes>,
    fault: Option<Fault>,
    held: Option<OwnedSemaphorePermit>,
) -> Result<Response<MockBody>, Closed> {
    match fault {
        Some(Fault::Reset) => Err(Closed),
        Some(Fault::Timeout) => {
            tokio::time::sleep(state.config.fault_timeout).await;
            drop(held);
            Err(Closed)
        }
        Some(Fault::Drip) => {
            let sent = sent.unwrap_or_default();
            let piece = sent.len().div_ceil(DRIP_PIECES).max(1);
            let (mut parts, _) = response.into_parts();
            // The connection gave its place up for the held place: it ends with the body.
            parts
                .headers
                .insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
            Ok(Response::from_parts(
                parts,
                Either::Right(DripBody::new(sent, piece, DRIP_INTERVAL).holding(held)),
            ))
        }
        _ => Ok(response.map(Either::Left)),
    }
}

/// An error of the API (no violations, no operation) in the profile's shape.
fn api_error(state: &MockState, kind: ErrorKind, message: &str) -> Response<Full<Bytes>> {
    let error = ShapedError { kind, message };
    shaped_response(&state.profile.error_shape.value, error, &[], 0, None)
}

/// The answer to a `timeout` or `drip` fault when every held-request place is taken.
fn held_full(state: &MockState, fault: Fault) -> Response<Full<Bytes>> {
    let mut response = error_response(
        ErrorKind::TooManyHeldFaults,
        &format!(
            "fault={fault} holds the request open, and {} requests are held already (--max-held-faults); try again",
            state.config.limits.max_held
        ),
        &[],
        None,
    );
    let headers = response.headers_mut();
    headers.insert(hyper::header::RETRY_AFTER, HeaderValue::from_static("1"));
    // A chaos client past the limit does not keep a connection place either.
    headers.insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// The outcome of a request a fault closes without an answer: nothing is read or
/// answered, but the journal learns which operation it was for.
fn closing(state: &MockState, parts: &Parts, fault: Fault) -> Outcome {
    let operation = match state.router.find(parts.method.as_str(), parts.uri.path()) {
        RouteMatch::Found { operation, .. } => Some((
            operation,
            state.operations.operation_id(operation).to_string(),
        )),
        _ => None,
    };
    let mut outcome = Outcome::plain(http::empty_response(hyper::StatusCode::OK));
    outcome.operation = operation;
    outcome.answered_by = Cow::Borrowed(fault.journal_name());
    outcome
}

/// The seed that decides whether a request gets a random fault: the request line and
/// `--seed`, so the same request gets the same fault whatever arrives before it.
fn chaos_seed(state: &MockState, parts: &Parts, path_and_query: &str) -> u64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::with_seed(state.config.seed);
    hasher.update(parts.method.as_str().as_bytes());
    hasher.update(b" ");
    hasher.update(path_and_query.as_bytes());
    hasher.digest()
}

/// What answered, as the metrics label it.
fn source(answered_by: &str) -> &'static str {
    match answered_by {
        "generated" => "generated",
        "example" => "example",
        "state" => "state",
        "error" => "error",
        other if other.starts_with("stub") => "stub",
        other if other.starts_with("fault") => "fault",
        _ => "other",
    }
}

/// The size a request declares in `Content-Length` (0 without one).
fn declared_length(headers: &hyper::HeaderMap) -> u64 {
    headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// Routes a request and answers it (`error`: with a documented error status, as the
/// `error` fault asks).
async fn dispatch(
    state: &Arc<MockState>,
    parts: &Parts,
    incoming: Incoming,
    body: &mut Bytes,
    error: bool,
) -> Outcome {
    let method = parts.method.as_str();
    let path = parts.uri.path();
    if method == "OPTIONS" && parts.headers.contains_key("access-control-request-method") {
        return Outcome::plain(preflight(&state.router, path, &parts.headers));
    }
    let mut incoming = Some(incoming);
    if let Some(outcome) = stubbed(state, parts, &mut incoming, body).await {
        return outcome;
    }
    let (op_index, path_params) = match state.router.find(method, path) {
        RouteMatch::Found { operation, params } => (operation, params),
        RouteMatch::MethodNotAllowed { allow } => {
            return Outcome::plain(method_not_allowed(state, method, &allow));
        }
        RouteMatch::NotFound { closest } => {
            return Outcome::plain(not_found(state, method, path, &closest));
        }
    };
    let prepared = state.prepared(op_index);
    let operation = Some((op_index, prepared.op.operation_id.clone()));
    let ask = Routed {
        index: op_index,
        prepared: &prepared,
        path_params: &path_params,
        error,
    };
    match answer(state, &ask, parts, incoming, body).await {
        Ok((response, answered_by)) => Outcome {
            response,
            operation,
            violations: Vec::new(),
            omitted: 0,
            answered_by: Cow::Borrowed(answered_by),
        },
        Err(rejection) => Outcome::rejected(state, rejection, operation),
    }
}

/// The answer of the stub that matches the request, if one does. Stubs answer before
/// anything else; they need the body to match it (read into `body`, `incoming` taken).
async fn stubbed(
    state: &Arc<MockState>,
    parts: &Parts,
    incoming: &mut Option<Incoming>,
    body: &mut Bytes,
) -> Option<Outcome> {
    let stubs = state.stubs.stubs();
    if !stubs.is_empty() {
        if let Some(incoming) = incoming.take() {
            match read(state, parts, incoming).await {
                Ok(read) => *body = read,
                Err(rejection) => return Some(Outcome::rejected(state, rejection, None)),
            }
        }
        match super::stubbed::answer(state, &stubs, parts, body).await {
            Ok(Some(answered)) => {
                return Some(Outcome {
                    response: answered.response,
                    operation: answered.operation,
                    violations: Vec::new(),
                    omitted: 0,
                    answered_by: Cow::Owned(format!("stub {}", answered.stub)),
                });
            }
            Ok(None) => {}
            Err(rejection) => return Some(Outcome::rejected(state, rejection, None)),
        }
    }
    None
}

/// The 405 answer to a method `allow` does not list.
fn method_not_allowed(state: &MockState, method: &str, allow: &[String]) -> Response<Full<Bytes>> {
    let mut response = api_error(
        state,
        ErrorKind::MethodNotAllowed,
        &format!(
            "{method} is not documented for this path (methods are case-sensitive); allowed: {}",
            allow.join(", ")
        ),
    );
    if let Ok(value) = HeaderValue::from_str(&allow.join(", ")) {
        response.headers_mut().insert(hyper::header::ALLOW, value);
    }
    response
}

/// The 404 answer to a path no route matches, naming the `closest` routes.
fn not_found(
    state: &MockState,
    method: &str,
    path: &str,
    closest: &[String],
) -> Response<Full<Bytes>> {
    let message = if closest.is_empty() {
        format!("no documented route matches {method} {path}")
    } else {
        format!(
            "no documented route matches {method} {path}; closest: {}",
            closest.join(" | ")
        )
    };
    api_error(state, ErrorKind::NotFound, &message)
}
