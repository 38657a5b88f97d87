//! Stage: the validating proxy (`mockdown proxy --upstream URL`), Prism's proxy mode: every
//! request goes to the real server and both directions are held against the contract.
//! It judges through `validate` and stands on `http` as the mock does; it never generates.
//!
//! Violations go to the log, to the journal at `/__mockdown/requests` and into an
//! `X-Mockdown-Violations` header; with `--errors` a request that breaks the contract gets
//! the mock's 400 instead of being forwarded. A valid exchange passes through unchanged.
//! Bodies up to the size limit are read whole so they can be checked; a larger response
//! body is streamed through as it comes (checked for status and Content-Type only).

mod headers;
mod stream;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Incoming};
use hyper::header::HeaderName;
use hyper::{Request, Response};
use serde_json::Value;
use tokio::net::TcpListener;

use crate::client::{HttpClient, error_chain, http_client};
use crate::contract::validate::{SchemaSet, Violation};
use crate::contract::{Contract, Operation};
use crate::http::{
    self, AdminView, Journal, JournalEntry, PreparedSet, RunningServer, error_response,
    parse_query, read_body, request_line,
};
use crate::router::{RouteMatch, Router};
use crate::validate::{Answer, RequestCheck, check_answer};
use headers::{HOP_BY_HOP, header_value, strip_hop_by_hop};
use stream::{read_up_to, streamed};

/// Response body of the proxy: buffered or streamed.
type ProxyBody = BoxBody<Bytes, hyper::Error>;

/// How the proxy runs.
#[derive(Debug, Clone)]
pub struct ProxyConfig {
    /// Base URL of the real server (`https://host/tenant`).
    pub upstream: String,
    /// Answer a request that breaks the contract with the mock's 400 instead of forwarding.
    pub errors: bool,
    /// Address to bind.
    pub host: String,
    /// Port (0 picks a free one).
    pub port: u16,
    /// Largest body read whole to be checked (request or answer).
    pub max_body_bytes: usize,
    /// Requests kept in the journal.
    pub journal_size: usize,
    /// Most operations kept prepared.
    pub prepared_budget: usize,
    /// Time allowed for the upstream to answer.
    pub timeout: Duration,
}

impl Default for ProxyConfig {
    fn default() -> Self {
        Self {
            upstream: String::new(),
            errors: false,
            host: "127.0.0.1".into(),
            port: 4010,
            max_body_bytes: 16 * 1024 * 1024,
            journal_size: 1000,
            prepared_budget: 128,
            timeout: Duration::from_secs(30),
        }
    }
}

/// What the proxy needs of an operation at request time.
struct ProxyOp {
    op: Operation,
    check: RequestCheck,
}

struct ProxyState {
    operations: PreparedSet<ProxyOp>,
    router: Router,
    schemas: SchemaSet,
    types: Arc<BTreeMap<String, Value>>,
    journal: Arc<Journal>,
    client: HttpClient,
    upstream: String,
    errors: bool,
    timeout: Duration,
    max_body_bytes: usize,
}

impl ProxyState {
    fn prepared(&self, index: usize) -> Arc<ProxyOp> {
        self.operations.get(index, |text| {
            let op: Operation = serde_json::from_str(text).unwrap_or_default();
            ProxyOp {
                check: RequestCheck::compile(&self.schemas, &self.types, &op),
                op,
            }
        })
    }

    fn admin_view(&self) -> AdminView<'_, ProxyOp> {
        AdminView {
            router: &self.router,
            operations: &self.operations,
            journal: &self.journal,
        }
    }
}

/// Starts the proxy in the background; it stops when [`RunningServer::stop`] is called.
pub async fn proxy(mut contract: Contract, config: ProxyConfig) -> anyhow::Result<RunningServer> {
    let listener = TcpListener::bind((config.host.as_str(), config.port)).await?;
    let router = Router::new(&contract.operations);
    let types = Arc::new(std::mem::take(&mut contract.types));
    let operations = contract
        .operations
        .iter()
        .map(|op| Ok((op.operation_id.clone(), serde_json::to_string(op)?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let state = Arc::new(ProxyState {
        operations: PreparedSet::new(operations, config.prepared_budget),
        router,
        schemas: SchemaSet::new(&types)?,
        types,
        journal: Arc::new(Journal::new(config.journal_size)),
        client: http_client()?,
        upstream: config.upstream.trim_end_matches('/').to_string(),
        errors: config.errors,
        timeout: config.timeout,
        max_body_bytes: config.max_body_bytes,
    });
    let routes = state.router.len();
    let journal = state.journal.clone();
    let handle = move |req| {
        let state = state.clone();
        async move { handle(&state, req).await }
    };
    http::spawn(listener, routes, journal, handle)
}

fn boxed(response: Response<Full<Bytes>>) -> Response<ProxyBody> {
    response.map(|body| body.map_err(|never| match never {}).boxed())
}

async fn handle(state: &ProxyState, req: Request<Incoming>) -> Response<ProxyBody> {
    let started = Instant::now();
    let (method, path_and_query) = request_line(&req);
    let seen = Seen {
        method: &method,
        path: &path_and_query,
        started,
    };
    if http::is_admin(req.uri().path()) {
        return boxed(http::admin(&state.admin_view(), &method, req.uri().path()));
    }
    let (parts, incoming) = req.into_parts();
    let limit = state.max_body_bytes;
    let content_length = parts
        .headers
        .get("content-length")
        .and_then(|v| v.to_str().ok());
    let body = match read_body(incoming, limit, content_length).await {
        Ok(body) => body,
        Err(error) => {
            return boxed(error_response(
                error.status,
                error.error_type,
                &error.message,
                &[],
                None,
            ));
        }
    };
    // Request side.
    let mut violations = Vec::new();
    let mut operation = None;
    let route = state
        .router
        .find(&method.to_ascii_uppercase(), parts.uri.path());
    match &route {
        RouteMatch::Found {
            operation: index,
            params,
        } => {
            let prepared = state.prepared(*index);
            operation = Some(prepared.clone());
            let query = parse_query(parts.uri.query().unwrap_or_default());
            violations.extend(prepared.check.params(params, &query));
            let content_type = parts
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok());
            if let Err(rejection) = prepared.check.body(
                &prepared.op,
                &state.schemas,
                &state.types,
                content_type,
                &body,
                false,
            ) {
                violations.extend(rejection.into_violations());
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
    let operation_id = operation.as_ref().map(|p| p.op.operation_id.clone());
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
    if let Some(prepared) = &operation {
        let answer = Answer {
            status,
            content_type,
            body: buffered.clone(),
        };
        if rest.is_none() {
            response_violations = check_answer(&prepared.op, &state.schemas, &answer);
        } else {
            // Too large to hold: status and Content-Type only (an empty body passes JSON checks
            // only when there is none, so check a bodiless copy against status alone).
            response_violations = check_answer(
                &prepared.op,
                &state.schemas,
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
    state.journal.record(JournalEntry {
        time: http::now(),
        method: method.to_string(),
        path: path.to_string(),
        status,
        operation_id,
        violations,
        duration_ms: elapsed.as_secs_f64() * 1000.0,
    });
}
