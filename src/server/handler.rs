//! One request through the pipeline: admin routes, CORS preflight, routing, validation,
//! the answer, the journal.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{Either, Full};
use hyper::body::Incoming;
use hyper::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, HeaderName, HeaderValue};
use hyper::http::request::Parts;
use hyper::{Request, Response};

use super::encode::{encode, negotiate, preflight};
use super::state::MockState;
use super::stateful;
use crate::contract::validate::Violation;
use crate::faults;
use crate::faults::{DripBody, Fault};
use crate::generate::{self, Echo, Prefer, Refusal, RequestSeed};
use crate::http::{
    self, Closed, ConnectionSlot, Exchange, error_response, error_response_with, parse_query,
    read_body,
};
use crate::router::RouteMatch;
use crate::validate::Rejection;

/// `Prefer`: example, code, dynamic, slow.
static PREFER: HeaderName = HeaderName::from_static("prefer");

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

    fn rejected(rejection: Rejection, operation: Option<(usize, String)>) -> Self {
        Self {
            response: error_response_with(
                rejection.status,
                rejection.error_type,
                &rejection.message,
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

impl From<Refusal> for Rejection {
    fn from(refusal: Refusal) -> Self {
        Rejection::new(400, refusal.error_type, refusal.message)
    }
}

impl From<http::BodyError> for Rejection {
    fn from(error: http::BodyError) -> Self {
        Rejection::new(error.status, error.error_type, error.message)
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
    let fault = faults::asked(
        parts
            .headers
            .get_all(&PREFER)
            .iter()
            .filter_map(|v| v.to_str().ok()),
    )
    .map(|asked| asked.or_else(|| state.chaos.pick(chaos_seed(&state, &parts, path_and_query))));
    // A request held open on purpose takes a held-request place instead of its
    // connection's place (the connection closes after it); none free: 503.
    let mut held = None;
    let fault = match fault {
        Ok(Some(fault @ (Fault::Timeout | Fault::Drip))) => match slot.hold() {
            Some(place) => {
                held = Some(place);
                Ok(Some(fault))
            }
            None => Err(held_full(&state, fault)),
        },
        Ok(other) => Ok(other),
        Err(message) => Err(error_response(400, "InvalidPrefer", &message, &[], None)),
    };
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

/// The answer to a `timeout` or `drip` fault when every held-request place is taken.
fn held_full(state: &MockState, fault: Fault) -> Response<Full<Bytes>> {
    let mut response = error_response(
        503,
        "TooManyHeldFaults",
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
    // Stubs answer before anything else; they need the body to match it.
    let stubs = state.stubs.stubs();
    let mut incoming = Some(incoming);
    if !stubs.is_empty() {
        if let Some(incoming) = incoming.take() {
            match read(state, parts, incoming).await {
                Ok(read) => *body = read,
                Err(rejection) => return Outcome::rejected(rejection, None),
            }
        }
        match super::stubbed::answer(state, &stubs, parts, body).await {
            Ok(Some(answered)) => {
                return Outcome {
                    response: answered.response,
                    operation: answered.operation,
                    violations: Vec::new(),
                    omitted: 0,
                    answered_by: Cow::Owned(format!("stub {}", answered.stub)),
                };
            }
            Ok(None) => {}
            Err(rejection) => return Outcome::rejected(rejection, None),
        }
    }
    let (op_index, path_params) = match state.router.find(method, path) {
        RouteMatch::Found { operation, params } => (operation, params),
        RouteMatch::MethodNotAllowed { allow } => {
            let mut response = error_response(
                405,
                "MethodNotAllowed",
                &format!(
                    "{method} is not documented for this path (methods are case-sensitive); allowed: {}",
                    allow.join(", ")
                ),
                &[],
                None,
            );
            if let Ok(value) = HeaderValue::from_str(&allow.join(", ")) {
                response.headers_mut().insert(hyper::header::ALLOW, value);
            }
            return Outcome::plain(response);
        }
        RouteMatch::NotFound { closest } => {
            let message = if closest.is_empty() {
                format!("no documented route matches {method} {path}")
            } else {
                format!(
                    "no documented route matches {method} {path}; closest: {}",
                    closest.join(" | ")
                )
            };
            return Outcome::plain(error_response(404, "NotFound", &message, &[], None));
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
        Err(rejection) => Outcome::rejected(rejection, operation),
    }
}

/// A request routed to an operation.
struct Routed<'a> {
    /// The operation's index.
    index: usize,
    /// The operation, prepared.
    prepared: &'a Arc<super::state::Prepared>,
    /// Its path parameters.
    path_params: &'a [(String, String)],
    /// Answer a documented error status (the `error` fault).
    error: bool,
}

/// Reads a request body within the limits.
async fn read(state: &MockState, parts: &Parts, incoming: Incoming) -> Result<Bytes, Rejection> {
    let length = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok());
    Ok(read_body(
        incoming,
        state.config.max_body_bytes,
        length,
        state.config.limits.body_timeout,
    )
    .await?)
}

/// The answer to a routed request, and what made it (`generated`, `example`, `state`).
async fn answer(
    state: &Arc<MockState>,
    routed: &Routed<'_>,
    parts: &Parts,
    incoming: Option<Incoming>,
    body_slot: &mut Bytes,
) -> Result<(Response<Full<Bytes>>, &'static str), Rejection> {
    let (index, prepared, path_params) = (routed.index, routed.prepared, routed.path_params);
    let op = &prepared.op;
    let headers = &parts.headers;
    let header = |name: &HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let query = parse_query(parts.uri.query().unwrap_or_default());
    super::checks::credentials_and_params(state, prepared, parts, path_params, &query)?;
    let mut prefer = Prefer::parse(
        headers
            .get_all(&PREFER)
            .iter()
            .filter_map(|v| v.to_str().ok()),
    )?;
    let format = negotiate(header(&ACCEPT), &op.accept)?;
    if let Some(incoming) = incoming {
        *body_slot = read(state, parts, incoming).await?;
    }
    let sent = super::bodies::check(state, prepared, header(&CONTENT_TYPE), body_slot).await?;
    let body = &**body_slot;
    let mut seed = RequestSeed::new(state.config.seed);
    seed.part(op.operation_id.as_bytes());
    seed.pairs(&pairs(path_params));
    // Query pairs in a stable order, so `?a=1&b=2` and `?b=2&a=1` give the same data.
    let mut sorted = pairs(&query);
    sorted.sort_by(|(k1, v1), (k2, v2)| joined(k1, v1).cmp(joined(k2, v2)));
    seed.pairs(&sorted);
    seed.part(body);
    let seed = seed.finish();
    if routed.error {
        // A documented error status of the operation (picked by the request's seed), in
        // the shape its page documents; a generic 500 where it documents none.
        let errors: Vec<u16> = op.statuses().into_iter().filter(|&s| s >= 400).collect();
        if errors.is_empty() {
            return Err(Rejection::new(
                500,
                "InjectedFault",
                format!(
                    "a fault was injected (Prefer fault=error or --fault-rate); {} documents no error status",
                    op.operation_id
                ),
            ));
        }
        prefer.code = Some(errors[(seed % errors.len() as u64) as usize]);
        prefer.example = false;
    }
    let members = sent.as_ref().map(|s| s.members());
    let admits = |status: u16, key: &str, value: &str| {
        prepared
            .echo
            .get(&status)
            .is_none_or(|check| check.admits(key, value))
    };
    let echo = Echo {
        path: path_params,
        query: &query,
        body: members.as_deref().unwrap_or_default(),
        admits: &admits,
        always: false,
    };
    let stored = if state.config.stateful {
        let ask = stateful::Ask {
            path: path_params,
            query: &query,
            body,
            prefer: &prefer,
            seed,
        };
        stateful::answer(state, index, prepared, &ask).await?
    } else {
        None
    };
    let answered_by = match (&stored, prefer.example) {
        (Some(_), _) => "state",
        (None, true) => "example",
        (None, false) => "generated",
    };
    let reply = match stored {
        Some(reply) => reply,
        None => generate::respond(
            op,
            &state.faker,
            &prepared.plans,
            prepared.example.as_ref(),
            &prefer,
            &echo,
            seed,
        )?,
    };
    let mut delay = state.config.latency;
    if prefer.slow
        && let Some(ms) = op.slow_threshold_ms
    {
        delay += Duration::from_millis(ms + 1);
    }
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    Ok((
        encode(reply, format, header(&ACCEPT), &prepared.operation_header),
        answered_by,
    ))
}

/// Borrowed pairs.
fn pairs(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// The bytes of `k=v`, without building it (the order query pairs are hashed in).
fn joined<'a>(k: &'a str, v: &'a str) -> impl Iterator<Item = u8> + 'a {
    k.bytes().chain(std::iter::once(b'=')).chain(v.bytes())
}
