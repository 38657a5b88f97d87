//! One exchange through the proxy: the request read (whole up to the limit, streamed past
//! it) and checked, forwarded, the answer read and checked within the same deadline, and
//! everything logged and journaled, including exchanges that fail.

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Incoming};
use hyper::header::{CONTENT_LENGTH, HeaderName, HeaderValue};
use hyper::http::request::Parts;
use hyper::{Method, Request, Response};

use super::fallback::{MockBackend, stands_in};
use super::headers::{HOP_BY_HOP, header_value, strip_hop_by_hop};
use super::pending::{Pending, SOURCE_HEADER, Source, violation};
use super::stream::{Relayed, read_up_to, streamed};
use super::{ProxyOp, ProxyState, checks, path};
use crate::client::error_chain;
use crate::http::{self, MAX_LISTED};
use crate::http::{ApiError, ErrorKind};

/// Why an exchange stops short of relaying the upstream's answer.
enum Stop<'a> {
    /// An error in the API's shape: its kind (status and `ErrorType`), message, and
    /// whether this exchange's violations are listed.
    Refuse(ErrorKind, String, bool),
    /// The fallback mock answers, for the reason given.
    Mock(&'a MockBackend, &'static str),
}

impl Stop<'_> {
    /// A refusal that does not list the violations.
    fn refuse(kind: ErrorKind, message: impl Into<String>) -> Self {
        Stop::Refuse(kind, message.into(), false)
    }
}

/// Proxies one request.
pub(super) async fn handle(state: Arc<ProxyState>, req: Request<Incoming>) -> Response<Relayed> {
    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + state.config.timeout;
    let (parts, incoming) = req.into_parts();
    if http::is_admin(parts.uri.path()) {
        return super::admin::handle(&state, parts, incoming).await;
    }
    let mut pending = Pending {
        method: parts.method.clone(),
        path: parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_string(),
        headers: parts.headers.clone(),
        request_body: Bytes::new(),
        request_bytes: 0,
        operation_id: None,
        violations: Vec::new(),
        omitted: 0,
        started,
        source: Source::Upstream,
    };
    let (head, rest) = match read_request(&state, &parts, incoming, &mut pending).await {
        Ok(read) => read,
        Err(stop) => return stopped(&state, &parts, Bytes::new(), pending, deadline, stop).await,
    };
    let preflight = parts.method == Method::OPTIONS
        && parts.headers.contains_key("access-control-request-method");
    let held = rest.is_none();
    let operation = match check_request(&state, &parts, &head, held, preflight, &mut pending).await
    {
        Ok(operation) => operation,
        Err(stop) => return stopped(&state, &parts, Bytes::new(), pending, deadline, stop).await,
    };
    // Hybrid mode: what the mock answers without asking the upstream. It needs the
    // request's body whole (one past the limit streams to the upstream only).
    let mock = state.mock.as_ref().filter(|_| held && operation.is_some());
    if let (Some(mock), Some(prepared)) = (mock, &operation)
        && mock.only(&prepared.op.operation_id)
    {
        let reason = "--mock-only names it";
        return from_mock(&state, mock, &parts, head, pending, deadline, reason).await;
    }
    let url = format!("{}{}", state.upstream, pending.path);
    let sent = head.clone();
    let upstream = match forward(&state, &parts, &url, head, rest, mock, deadline).await {
        Ok(upstream) => upstream,
        Err(stop) => return stopped(&state, &parts, sent, pending, deadline, stop).await,
    };
    // The answer: whole up to the limit (checked), the rest streamed on.
    let (head, upstream_body) = upstream.into_parts();
    let status = head.status.as_u16();
    if let (Some(mock), Some(prepared)) = (mock, &operation)
        && let Some(reason) = stands_in(status, &prepared.op)
    {
        drop(upstream_body);
        return from_mock(&state, mock, &parts, sent, pending, deadline, reason).await;
    }
    let read = read_answer(&state, upstream_body, &url, status, deadline, &mut pending).await;
    let (buffered, rest) = match read {
        Ok(read) => read,
        Err(stop) => return stopped(&state, &parts, sent, pending, deadline, stop).await,
    };
    if !preflight && let Some(prepared) = &operation {
        let whole = rest.is_none();
        checks::answer(
            &state,
            prepared,
            &head.headers,
            status,
            &buffered,
            whole,
            &mut pending,
        )
        .await;
    }
    relay(&state, head, buffered, rest, pending, deadline)
}

/// Answers an exchange stopped short: refused, or answered by the fallback mock with the
/// request's `body`.
async fn stopped(
    state: &Arc<ProxyState>,
    parts: &Parts,
    body: Bytes,
    pending: Pending,
    deadline: tokio::time::Instant,
    stop: Stop<'_>,
) -> Response<Relayed> {
    match stop {
        Stop::Refuse(kind, message, list) => pending.refuse(state, kind, &message, list),
        Stop::Mock(mock, reason) => {
            from_mock(state, mock, parts, body, pending, deadline, reason).await
        }
    }
}

/// Reads the request body: whole up to the limit, the rest (returned) streamed on
/// unchecked. A path that climbs out of the upstream's base path is refused first.
async fn read_request(
    state: &ProxyState,
    parts: &Parts,
    incoming: Incoming,
    pending: &mut Pending,
) -> Result<(Bytes, Option<Incoming>), Stop<'static>> {
    if path::climbs(parts.uri.path()) {
        let message = "the path holds a `.` or `..` segment: not forwarded (it could leave the upstream's base path)";
        return Err(Stop::refuse(ErrorKind::InvalidPath, message));
    }
    let limit = state.config.max_body_bytes;
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let read = tokio::time::timeout(
        state.config.limits.body_timeout,
        read_up_to(incoming, limit, declared),
    )
    .await;
    let (head, rest) = match read {
        Ok(Ok(read)) => read,
        Ok(Err(err)) => {
            let message = format!("cannot read the request body: {err}");
            return Err(Stop::refuse(ErrorKind::InvalidBody, message));
        }
        Err(_) => {
            let message = "the request body did not arrive in time";
            return Err(Stop::refuse(ErrorKind::RequestTimeout, message));
        }
    };
    pending.request_body = head.clone();
    pending.request_bytes = declared.unwrap_or(head.len() as u64);
    Ok((head, rest))
}

/// Routes the request and checks its parameters and its body (when `held` whole); the
/// operation matched. With `--errors`, a request that breaks the contract is refused.
async fn check_request(
    state: &Arc<ProxyState>,
    parts: &Parts,
    head: &Bytes,
    held: bool,
    preflight: bool,
    pending: &mut Pending,
) -> Result<Option<Arc<ProxyOp>>, Stop<'static>> {
    let (operation, route_error) = if preflight {
        // A CORS preflight is the browser's question, not an API call: passed on as is.
        (None, None)
    } else {
        checks::route(state, parts, pending)
    };
    // A body too large to hold goes through unchecked.
    if let Some(prepared) = &operation
        && held
        && checks::request_body(state, prepared, &parts.headers, head, pending)
            .await
            .is_err()
    {
        let message = "the check of the request body did not finish";
        return Err(Stop::refuse(ErrorKind::InternalError, message));
    }
    if state.config.errors && !pending.violations.is_empty() {
        let kind = route_error.unwrap_or(ErrorKind::ValidationError);
        let message = format!(
            "the request breaks the contract in {} place(s); not forwarded",
            pending.violations.len() + pending.omitted
        );
        return Err(Stop::Refuse(kind, message, true));
    }
    Ok(operation)
}

/// Forwards the request to `url` (its body `head`, then `rest` streamed) and waits for the
/// answer's head by `deadline`. An upstream that cannot be reached leaves it to `mock`.
async fn forward<'a>(
    state: &ProxyState,
    parts: &Parts,
    url: &str,
    head: Bytes,
    rest: Option<Incoming>,
    mock: Option<&'a MockBackend>,
    deadline: tokio::time::Instant,
) -> Result<Response<Incoming>, Stop<'a>> {
    let mut forward = Request::builder().method(parts.method.clone()).uri(url);
    for (name, value) in &parts.headers {
        if !HOP_BY_HOP.contains(&name.as_str()) {
            forward = forward.header(name, value);
        }
    }
    let body: Relayed = match rest {
        None => Full::new(head).map_err(|never| match never {}).boxed(),
        Some(rest) => streamed(head, rest, deadline, |_| {}),
    };
    let request = match forward.body(body) {
        Ok(request) => request,
        Err(err) => {
            let message = format!("cannot forward to {url}: {err}");
            return Err(Stop::refuse(ErrorKind::BadGateway, message));
        }
    };
    let timeout = state.config.timeout.as_secs_f64();
    match tokio::time::timeout_at(deadline, state.client.request(request)).await {
        Ok(Ok(response)) => Ok(response),
        Ok(Err(err)) => {
            if let Some(mock) = mock {
                return Err(Stop::Mock(mock, "the upstream cannot be reached"));
            }
            let message = format!("upstream {url} failed: {}", error_chain(&err));
            Err(Stop::refuse(ErrorKind::BadGateway, message))
        }
        Err(_) => {
            let message = format!("upstream {url} gave no answer within {timeout:.1} s");
            Err(Stop::refuse(ErrorKind::GatewayTimeout, message))
        }
    }
}

/// Reads the upstream's answer body (`status`) by `deadline`: whole up to the limit, the
/// rest returned to be streamed on. A body cut short or late is a violation and a refusal.
async fn read_answer(
    state: &ProxyState,
    body: Incoming,
    url: &str,
    status: u16,
    deadline: tokio::time::Instant,
    pending: &mut Pending,
) -> Result<(Bytes, Option<Incoming>), Stop<'static>> {
    let timeout = state.config.timeout.as_secs_f64();
    let limit = state.config.max_body_bytes;
    let declared = body.size_hint().exact();
    let read = tokio::time::timeout_at(deadline, read_up_to(body, limit, declared)).await;
    match read {
        Ok(Ok(read)) => Ok(read),
        Ok(Err(err)) => {
            pending.add([violation(
                "response body",
                "truncated",
                "the whole body the upstream announced",
                format!("a body cut short: {}", error_chain(&err)),
            )]);
            let message = format!(
                "upstream {url} answered {status} but its body broke off: {}",
                error_chain(&err)
            );
            Err(Stop::Refuse(ErrorKind::BadGateway, message, true))
        }
        Err(_) => {
            pending.add([violation(
                "response body",
                "timeout",
                "the whole body within the exchange's time",
                format!("no end of the body within {timeout:.1} s"),
            )]);
            let message = format!(
                "upstream {url} answered {status} but its body did not arrive within {timeout:.1} s"
            );
            Err(Stop::Refuse(ErrorKind::GatewayTimeout, message, true))
        }
    }
}

/// Relays the upstream's answer (`buffered`, then `rest` streamed by `deadline`), marked
/// with its source and its violations; the exchange is journaled once the body has ended.
fn relay(
    state: &Arc<ProxyState>,
    mut head: hyper::http::response::Parts,
    buffered: Bytes,
    rest: Option<Incoming>,
    pending: Pending,
    deadline: tokio::time::Instant,
) -> Response<Relayed> {
    let status = head.status.as_u16();
    strip_hop_by_hop(&mut head.headers);
    if state.mock.is_some() {
        head.headers
            .insert(SOURCE_HEADER.clone(), HeaderValue::from_static("upstream"));
    }
    if !pending.violations.is_empty()
        && let Some(value) =
            header_value(&pending.violations[..pending.violations.len().min(MAX_LISTED)])
    {
        head.headers
            .insert(HeaderName::from_static("x-mockdown-violations"), value);
    }
    match rest {
        None => {
            pending.finish(
                state,
                status,
                &head.headers,
                &buffered,
                buffered.len() as u64,
            );
            Response::from_parts(
                head,
                Full::new(buffered).map_err(|never| match never {}).boxed(),
            )
        }
        Some(rest) => {
            head.headers.remove(CONTENT_LENGTH);
            let headers = head.headers.clone();
            let excerpt = buffered.clone();
            let state = state.clone();
            let body = streamed(buffered, rest, deadline, move |(relayed, problem)| {
                let mut pending = pending;
                if let Some(problem) = problem {
                    pending.add([violation(
                        "response body",
                        "truncated",
                        "the whole body the upstream announced",
                        problem,
                    )]);
                }
                pending.finish(&state, status, &headers, &excerpt, relayed);
            });
            Response::from_parts(head, body)
        }
    }
}

/// Answers from the fallback mock (`reason` says why), marked so in the header, the
/// journal, the log and the metrics; a mock that fails is a 502.
async fn from_mock(
    state: &Arc<ProxyState>,
    mock: &MockBackend,
    parts: &Parts,
    body: Bytes,
    mut pending: Pending,
    deadline: tokio::time::Instant,
    reason: &str,
) -> Response<Relayed> {
    match mock.answer(&state.client, parts, body, deadline).await {
        Ok((mut head, body)) => {
            strip_hop_by_hop(&mut head.headers);
            head.headers.remove(CONTENT_LENGTH);
            head.headers
                .insert(SOURCE_HEADER.clone(), HeaderValue::from_static("mock"));
            let status = head.status.as_u16();
            tracing::debug!(path = pending.path.as_str(), status, reason, "mocked");
            pending.source = Source::Mock;
            pending.finish(state, status, &head.headers, &body, body.len() as u64);
            Response::from_parts(
                head,
                Full::new(body).map_err(|never| match never {}).boxed(),
            )
        }
        Err(err) => {
            let message = format!("the fallback mock failed ({reason}): {err}");
            pending.refuse(state, err.kind(), &message, false)
        }
    }
}
