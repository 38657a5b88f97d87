//! The validating proxy (`mockdown proxy --upstream URL`), Prism's proxy mode: every
//! request goes to the real server and both directions are held against the contract.
//! Violations go to the log, to the journal at `/__mockdown/requests` and into an
//! `X-Mockdown-Violations` header; with `--errors` a request that breaks the contract gets
//! the mock's 400 instead of being forwarded. A valid exchange passes through unchanged.
//!
//! Bodies up to the size limit are read whole so they can be checked; a larger response
//! body is streamed through as it comes (checked for status and Content-Type only).

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Frame, Incoming};
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::{Request, Response};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};

use super::handler::{error_response, parse_query, read_body, request_line};
use super::request::{self, Rejection};
use super::router::RouteMatch;
use super::{JournalEntry, MockConfig, MockState, RunningServer, admin};
use crate::client::{HttpClient, error_chain, http_client};
use crate::contract::Contract;
use crate::contract::conformance::{Answer, check_answer};
use crate::contract::validate::Violation;

/// Response body of the proxy: buffered or streamed.
type ProxyBody = BoxBody<Bytes, hyper::Error>;

/// Longest `X-Mockdown-Violations` value; later violations are left to the journal.
const MAX_HEADER_BYTES: usize = 8 * 1024;

/// Hop-by-hop headers, never forwarded (RFC 9110 §7.6.1), and `host`.
const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
];

/// How the proxy runs.
#[derive(Debug, Clone)]
pub struct ProxyConfig {
    /// Base URL of the real server (`https://host/tenant`).
    pub upstream: String,
    /// Answer a request that breaks the contract with the mock's 400 instead of forwarding.
    pub errors: bool,
    /// Interface, port, body limit and journal size (other fields are unused).
    pub server: MockConfig,
    /// Time allowed for the upstream to answer.
    pub timeout: Duration,
}

struct ProxyState {
    mock: MockState,
    client: HttpClient,
    upstream: String,
    errors: bool,
    timeout: Duration,
}

/// Starts the proxy; stops when [`RunningServer::stop`] is called.
pub async fn start_proxy(contract: Contract, config: ProxyConfig) -> anyhow::Result<RunningServer> {
    let listener = TcpListener::bind((config.server.host.as_str(), config.server.port)).await?;
    let addr = listener.local_addr()?;
    let state = Arc::new(ProxyState {
        mock: MockState::new(contract, config.server)?,
        client: http_client()?,
        upstream: config.upstream.trim_end_matches('/').to_string(),
        errors: config.errors,
        timeout: config.timeout,
    });
    let routes = state.mock.routes();
    let (shutdown, signal) = oneshot::channel::<()>();
    let handle = move |req| {
        let state = state.clone();
        async move { handle(&state, req).await }
    };
    let task = tokio::spawn(super::accept_loop(listener, handle, signal));
    Ok(RunningServer {
        addr,
        routes,
        shutdown,
        task,
    })
}

fn boxed(response: Response<Full<Bytes>>) -> Response<ProxyBody> {
    response.map(|body| body.map_err(|never| match never {}).boxed())
}

/// The violation a rejection stands for (415, bad JSON, ...) when it lists none itself.
fn as_violations(rejection: Rejection) -> Vec<Violation> {
    if !rejection.violations.is_empty() {
        return rejection.violations;
    }
    vec![Violation {
        location: "request".into(),
        pointer: String::new(),
        keyword: rejection.error_type.to_string(),
        expected: "a request the contract accepts".into(),
        found: rejection.message,
    }]
}

async fn handle(state: &ProxyState, req: Request<Incoming>) -> Response<ProxyBody> {
    let started = Instant::now();
    let (method, path_and_query) = request_line(&req);
    let seen = Seen {
        method: &method,
        path: &path_and_query,
        started,
    };
    if req.uri().path().starts_with("/__mockdown/") {
        return boxed(admin::handle(&state.mock, &method, req.uri().path()));
    }
    let (parts, incoming) = req.into_parts();
    let limit = state.mock.config.max_body_bytes;
    let content_length = parts
        .headers
        .get("content-length")
        .and_then(|v| v.to_str().ok());
    let body = match read_body(incoming, limit, content_length).await {
        Ok(body) => body,
        Err(rejection) => {
            return boxed(error_response(
                rejection.status,
                rejection.error_type,
                &rejection.message,
                &[],
                None,
            ));
        }
    };
    // Request side.
    let mut violations = Vec::new();
    let mut operation = None;
    let route = state
        .mock
        .router
        .find(&method.to_ascii_uppercase(), parts.uri.path());
    match &route {
        RouteMatch::Found {
            operation: index,
            params,
        } => {
            let prepared = state.mock.prepared(*index);
            operation = Some(*index);
            let query = parse_query(parts.uri.query().unwrap_or_default());
            violations.extend(request::check_params(&prepared.validators, params, &query));
            let content_type = parts
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok());
            if let Err(rejection) = request::check_body(
                &prepared.op,
                &prepared.validators,
                &state.mock.schemas,
                &state.mock.faker,
                content_type,
                &body,
                false,
            ) {
                violations.extend(as_violations(rejection));
            }
        }
        RouteMatch::MethodNotAllowed { allow } => violations.push(Violation {
            location: "path".into(),
            pointer: String::new(),
            keyword: "method".into(),
            expected: format!("one of {}", allow.join(", ")),
            found: method.clone(),
        }),
        RouteMatch::NotFound { .. } => violations.push(Violation {
            location: "path".into(),
            pointer: String::new(),
            keyword: "route".into(),
            expected: "a documented route".into(),
            found: format!("{method} {}", parts.uri.path()),
        }),
    }
    let operation_id = operation.map(|i| state.mock.prepared(i).op.operation_id.clone());
    if state.errors && !violations.is_empty() {
        let (status, error_type) = match route {
            RouteMatch::NotFound { .. } => (404, "NotFound"),
            RouteMatch::MethodNotAllowed { .. } => (405, "MethodNotAllowed"),
            RouteMatch::Found { .. } => (400, "ValidationError"),
        };
        let message = format!(
            "the request breaks the contract in {} place(s); not forwarded",
            violations.len()
        );
        let response = error_response(
            status,
            error_type,
            &message,
            &violations,
            operation_id.as_deref(),
        );
        finish(state, &seen, status, operation_id, violations);
        return boxed(response);
    }
    // Forward.
    let url = format!("{}{path_and_query}", state.upstream);
    let mut forward = Request::builder()
        .method(parts.method.clone())
        .uri(url.as_str());
    for (name, value) in &parts.headers {
        if !HOP_BY_HOP.contains(&name.as_str()) {
            forward = forward.header(name, value);
        }
    }
    let upstream = match forward.body(Full::new(body)) {
        Ok(request) => tokio::time::timeout(state.timeout, state.client.request(request)).await,
        Err(err) => {
            let message = format!("cannot forward to {url}: {err}");
            return boxed(error_response(502, "BadGateway", &message, &[], None));
        }
    };
    let upstream = match upstream {
        Ok(Ok(response)) => response,
        Ok(Err(err)) => {
            let message = format!("upstream {url} failed: {}", error_chain(&err));
            finish(state, &seen, 502, operation_id, violations);
            return boxed(error_response(502, "BadGateway", &message, &[], None));
        }
        Err(_) => {
            let message = format!(
                "upstream {url} gave no answer within {:.1} s",
                state.timeout.as_secs_f64()
            );
            finish(state, &seen, 504, operation_id, violations);
            return boxed(error_response(504, "GatewayTimeout", &message, &[], None));
        }
    };
    // Response side.
    let (mut head, upstream_body) = upstream.into_parts();
    let status = head.status.as_u16();
    let content_type = head
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let declared = upstream_body.size_hint().exact();
    let (buffered, rest) = read_up_to(upstream_body, limit, declared).await;
    let mut response_violations = Vec::new();
    if let Some(index) = operation {
        let prepared = state.mock.prepared(index);
        let answer = Answer {
            status,
            content_type,
            body: buffered.clone(),
        };
        if rest.is_none() {
            response_violations = check_answer(&prepared.op, &state.mock.schemas, &answer);
        } else {
            // Too large to hold: status and Content-Type only (an empty body passes JSON checks
            // only when there is none, so check a bodiless copy against status alone).
            response_violations = check_answer(
                &prepared.op,
                &state.mock.schemas,
                &Answer {
                    body: Bytes::new(),
                    ..answer
                },
            )
            .into_iter()
            .filter(|v| v.location != "body")
            .collect();
        }
    }
    for v in &mut response_violations {
        v.location = format!("response {}", v.location);
    }
    violations.extend(response_violations);
    strip_hop_by_hop(&mut head.headers);
    if !violations.is_empty()
        && let Some(value) = header_value(&violations)
    {
        head.headers
            .insert(HeaderName::from_static("x-mockdown-violations"), value);
    }
    let body: ProxyBody = match rest {
        None => Full::new(buffered).map_err(|never| match never {}).boxed(),
        Some(rest) => {
            head.headers.remove("content-length");
            streamed(buffered, rest)
        }
    };
    finish(state, &seen, status, operation_id, violations);
    Response::from_parts(head, body)
}

fn strip_hop_by_hop(headers: &mut HeaderMap) {
    for name in HOP_BY_HOP {
        headers.remove(name);
    }
}

/// The violations as compact JSON, non-ASCII escaped, cut to [`MAX_HEADER_BYTES`].
fn header_value(violations: &[Violation]) -> Option<HeaderValue> {
    let mut kept: Vec<&Violation> = Vec::new();
    let mut text = String::from("[]");
    for v in violations {
        kept.push(v);
        let candidate = serde_json::to_string(&kept).unwrap_or_default();
        if candidate.len() > MAX_HEADER_BYTES {
            break;
        }
        text = candidate;
    }
    let ascii: String = text
        .chars()
        .flat_map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                vec![c]
            } else {
                let mut units = [0u16; 2];
                c.encode_utf16(&mut units)
                    .iter()
                    .flat_map(|u| format!("\\u{u:04x}").chars().collect::<Vec<_>>())
                    .collect()
            }
        })
        .collect();
    HeaderValue::from_str(&ascii).ok()
}

/// The request as the log and the journal show it.
struct Seen<'a> {
    method: &'a str,
    path: &'a str,
    started: Instant,
}

/// Logs the exchange and records it in the journal.
fn finish(
    state: &ProxyState,
    seen: &Seen,
    status: u16,
    operation_id: Option<String>,
    violations: Vec<Violation>,
) {
    let Seen {
        method,
        path,
        started,
    } = *seen;
    let elapsed = started.elapsed();
    if violations.is_empty() {
        tracing::info!(
            method,
            path,
            status,
            operation = operation_id.as_deref().unwrap_or("-"),
            "proxied"
        );
    } else {
        let listed: Vec<String> = violations
            .iter()
            .map(|v| {
                format!(
                    "{} {}: expected {}, found {}",
                    v.location, v.pointer, v.expected, v.found
                )
            })
            .collect();
        tracing::warn!(method, path, status, operation = operation_id.as_deref().unwrap_or("-"), violations = %listed.join("; "), "contract violation");
    }
    state.mock.record(JournalEntry {
        time: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64()),
        method: method.to_string(),
        path: path.to_string(),
        status,
        operation_id,
        violations,
        duration_ms: elapsed.as_secs_f64() * 1000.0,
    });
}

/// Reads `body` up to `limit` bytes. Returns what was read and, when the body is larger,
/// the unread rest (to be streamed on).
async fn read_up_to(
    mut body: Incoming,
    limit: usize,
    declared: Option<u64>,
) -> (Bytes, Option<Incoming>) {
    if declared.is_some_and(|n| n > limit as u64) {
        return (Bytes::new(), Some(body));
    }
    let mut buffer = Vec::new();
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else { break };
        if let Ok(data) = frame.into_data() {
            buffer.extend_from_slice(&data);
            if buffer.len() > limit {
                return (Bytes::from(buffer), Some(body));
            }
        }
    }
    (Bytes::from(buffer), None)
}

/// A body that yields `head` and then whatever `rest` still has, as it arrives.
fn streamed(head: Bytes, mut rest: Incoming) -> ProxyBody {
    let (sender, receiver) = mpsc::channel::<Result<Frame<Bytes>, hyper::Error>>(16);
    tokio::spawn(async move {
        if !head.is_empty() && sender.send(Ok(Frame::data(head))).await.is_err() {
            return;
        }
        while let Some(frame) = rest.frame().await {
            if sender.send(frame).await.is_err() {
                return;
            }
        }
    });
    ChannelBody(receiver).boxed()
}

/// Body frames from a channel.
struct ChannelBody(mpsc::Receiver<Result<Frame<Bytes>, hyper::Error>>);

impl Body for ChannelBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        self.0.poll_recv(cx)
    }
}
