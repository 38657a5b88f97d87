//! One request through the pipeline: admin routes, CORS preflight, routing, validation,
//! the answer, the journal.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderName, HeaderValue};
use hyper::http::request::Parts;
use hyper::{Request, Response};

use super::encode::{encode, negotiate, preflight};
use super::state::MockState;
use super::stateful;
use crate::contract::validate::Violation;
use crate::generate::{self, Echo, Prefer, Refusal, RequestSeed};
use crate::http::{self, Exchange, error_response, error_response_with, parse_query, read_body};
use crate::router::RouteMatch;
use crate::validate::{self, Rejection};

/// `X-XSRF-TOKEN`: credentials taken from the cookie instead of `Authorization`.
static XSRF_TOKEN: HeaderName = HeaderName::from_static("x-xsrf-token");
/// `Prefer`: example, code, dynamic, slow.
static PREFER: HeaderName = HeaderName::from_static("prefer");

/// What the handler learned about a request, for the journal.
struct Outcome {
    response: Response<Full<Bytes>>,
    operation: Option<String>,
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

    fn rejected(rejection: Rejection, operation_id: Option<String>) -> Self {
        Self {
            response: error_response_with(
                rejection.status,
                rejection.error_type,
                &rejection.message,
                &rejection.violations,
                rejection.omitted,
                operation_id.as_deref(),
            ),
            operation: operation_id,
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

/// Answers one request.
pub(crate) async fn handle(state: Arc<MockState>, req: Request<Incoming>) -> Response<Full<Bytes>> {
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
        return response;
    }
    let mut body = Bytes::new();
    let mut outcome = dispatch(&state, &parts, incoming, &mut body).await;
    state.cors.apply(outcome.response.headers_mut());
    let status = outcome.response.status().as_u16();
    let elapsed = started.elapsed();
    let path_and_query = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    tracing::info!(
        method = parts.method.as_str(),
        path = path_and_query,
        status,
        operation = outcome.operation.as_deref().unwrap_or("-"),
        violations = outcome.violations.len() + outcome.omitted,
        ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    if !state.journal.enabled() {
        return outcome.response;
    }
    let (response, sent) = http::full_bytes(outcome.response);
    let request_bytes = if body.is_empty() && status == 413 {
        declared_length(&parts.headers)
    } else {
        body.len() as u64
    };
    state.journal.record(Exchange {
        method: &parts.method,
        path_and_query,
        request_headers: &parts.headers,
        request_body: &body,
        request_bytes,
        status,
        response_headers: response.headers(),
        response_body: &sent,
        response_bytes: sent.len() as u64,
        operation_id: outcome.operation,
        violations: std::mem::take(&mut outcome.violations),
        omitted: outcome.omitted,
        elapsed,
        answered_by: outcome.answered_by,
    });
    response
}

/// The size a request declares in `Content-Length` (0 without one).
fn declared_length(headers: &hyper::HeaderMap) -> u64 {
    headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

async fn dispatch(
    state: &MockState,
    parts: &Parts,
    incoming: Incoming,
    body: &mut Bytes,
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
    let operation_id = prepared.op.operation_id.clone();
    match answer(
        state,
        op_index,
        &prepared,
        &path_params,
        parts,
        incoming,
        body,
    )
    .await
    {
        Ok((response, answered_by)) => Outcome {
            response,
            operation: Some(operation_id),
            violations: Vec::new(),
            omitted: 0,
            answered_by: Cow::Borrowed(answered_by),
        },
        Err(rejection) => Outcome::rejected(rejection, Some(operation_id)),
    }
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
    state: &MockState,
    index: usize,
    prepared: &super::state::Prepared,
    path_params: &[(String, String)],
    parts: &Parts,
    incoming: Option<Incoming>,
    body_slot: &mut Bytes,
) -> Result<(Response<Full<Bytes>>, &'static str), Rejection> {
    let op = &prepared.op;
    let headers = &parts.headers;
    let header = |name: &HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if state.config.auth {
        validate::check_auth(header(&AUTHORIZATION), header(&XSRF_TOKEN))?;
    }
    let query = parse_query(parts.uri.query().unwrap_or_default());
    let violations = prepared.check.params(path_params, &query);
    if !violations.is_empty() {
        return Err(Rejection {
            status: 400,
            error_type: "ValidationError",
            message: format!("{} parameter violation(s)", violations.len()),
            violations,
            omitted: 0,
        });
    }
    let prefer = Prefer::parse(
        headers
            .get_all(&PREFER)
            .iter()
            .filter_map(|v| v.to_str().ok()),
    )?;
    let format = negotiate(header(&ACCEPT), &op.accept)?;
    if let Some(incoming) = incoming {
        *body_slot = read(state, parts, incoming).await?;
    }
    let body = &*body_slot;
    let _permit = state.heavy.permit(body.len()).await;
    let sent = prepared.check.body(
        op,
        &state.schemas,
        &state.types,
        header(&CONTENT_TYPE),
        body,
        state.config.strict,
    )?;
    let mut seed = RequestSeed::new(state.config.seed);
    seed.part(op.operation_id.as_bytes());
    seed.pairs(&pairs(path_params));
    // Query pairs in a stable order, so `?a=1&b=2` and `?b=2&a=1` give the same data.
    let mut sorted = pairs(&query);
    sorted.sort_by(|(k1, v1), (k2, v2)| joined(k1, v1).cmp(joined(k2, v2)));
    seed.pairs(&sorted);
    seed.part(body);
    let seed = seed.finish();
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
