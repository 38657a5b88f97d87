//! One HTTP request through the pipeline: CORS, routing, validation, response, journal.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::{Request, Response, StatusCode};
use serde_json::{Value, json};

use super::request::{self, Rejection, media_type};
use super::respond::{self, Echo, Prefer, Reply};
use super::router::{RouteMatch, percent_decode};
use super::{JournalEntry, MockState, admin, images};

/// Response format chosen from `Accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Xml,
    /// A placeholder picture of this media type (see [`super::images`]).
    Image(&'static str),
}

/// What the handler learned about a request, for the journal.
struct Outcome {
    response: Response<Full<Bytes>>,
    operation: Option<String>,
    violations: Vec<crate::contract::validate::Violation>,
}

/// Answers one request.
pub async fn handle(state: Arc<MockState>, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let started = Instant::now();
    let (method, path_and_query) = request_line(&req);
    let is_admin = req.uri().path().starts_with("/__mockdown/");
    let mut outcome = if is_admin {
        Outcome {
            response: admin::handle(&state, &method, req.uri().path()),
            operation: None,
            violations: Vec::new(),
        }
    } else {
        dispatch(&state, req).await
    };
    cors(&state, outcome.response.headers_mut());
    if is_admin {
        return outcome.response;
    }
    let status = outcome.response.status().as_u16();
    let elapsed = started.elapsed();
    tracing::info!(
        method = %method, path = %path_and_query, status,
        operation = outcome.operation.as_deref().unwrap_or("-"),
        violations = outcome.violations.len(),
        ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    state.record(JournalEntry {
        time: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64()),
        method,
        path: path_and_query,
        status,
        operation_id: outcome.operation,
        violations: std::mem::take(&mut outcome.violations),
        duration_ms: elapsed.as_secs_f64() * 1000.0,
    });
    outcome.response
}

/// The method and the path with query of a request, for logs and the journal.
pub fn request_line<B>(req: &Request<B>) -> (String, String) {
    let path_and_query = req.uri().path_and_query().map_or("/", |p| p.as_str());
    (
        req.method().as_str().to_string(),
        path_and_query.to_string(),
    )
}

async fn dispatch(state: &MockState, req: Request<Incoming>) -> Outcome {
    let method = req.method().as_str().to_ascii_uppercase();
    if method == "OPTIONS" && req.headers().contains_key("access-control-request-method") {
        return Outcome {
            response: preflight(state, req.uri().path(), req.headers()),
            operation: None,
            violations: Vec::new(),
        };
    }
    let index = match state.router.find(&method, req.uri().path()) {
        RouteMatch::Found { operation, params } => (operation, params),
        RouteMatch::MethodNotAllowed { allow } => {
            let mut response = error_response(
                405,
                "MethodNotAllowed",
                &format!(
                    "{method} is not documented for this path; allowed: {}",
                    allow.join(", ")
                ),
                &[],
                None,
            );
            if let Ok(value) = HeaderValue::from_str(&allow.join(", ")) {
                response.headers_mut().insert(hyper::header::ALLOW, value);
            }
            return Outcome {
                response,
                operation: None,
                violations: Vec::new(),
            };
        }
        RouteMatch::NotFound { closest } => {
            let message = if closest.is_empty() {
                format!("no documented route matches {method} {}", req.uri().path())
            } else {
                format!(
                    "no documented route matches {method} {}; closest: {}",
                    req.uri().path(),
                    closest.join(" | ")
                )
            };
            let response = error_response(404, "NotFound", &message, &[], None);
            return Outcome {
                response,
                operation: None,
                violations: Vec::new(),
            };
        }
    };
    let (op_index, path_params) = index;
    let op = &state.prepared(op_index).op;
    match answer(state, op_index, &path_params, req).await {
        Ok(response) => Outcome {
            response,
            operation: Some(op.operation_id.clone()),
            violations: Vec::new(),
        },
        Err(rejection) => {
            let response = error_response(
                rejection.status,
                rejection.error_type,
                &rejection.message,
                &rejection.violations,
                Some(&op.operation_id),
            );
            Outcome {
                response,
                operation: Some(op.operation_id.clone()),
                violations: rejection.violations,
            }
        }
    }
}

async fn answer(
    state: &MockState,
    op_index: usize,
    path_params: &[(String, String)],
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Rejection> {
    let prepared = state.prepared(op_index);
    let op = &prepared.op;
    let validators = &prepared.validators;
    let (parts, incoming) = req.into_parts();
    let headers = &parts.headers;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if state.config.auth {
        request::check_auth(header("authorization"), header("x-xsrf-token"))?;
    }
    let query = parse_query(parts.uri.query().unwrap_or_default());
    let violations = request::check_params(validators, path_params, &query);
    if !violations.is_empty() {
        return Err(Rejection {
            status: 400,
            error_type: "ValidationError",
            message: format!("{} parameter violation(s)", violations.len()),
            violations,
        });
    }
    let prefer = Prefer::parse(
        headers
            .get_all("prefer")
            .iter()
            .filter_map(|v| v.to_str().ok()),
    )?;
    let format = negotiate(header("accept"), &op.accept)?;
    let body = read_body(
        incoming,
        state.config.max_body_bytes,
        header("content-length"),
    )
    .await?;
    let sent = request::check_body(
        op,
        validators,
        &state.schemas,
        &state.faker,
        header("content-type"),
        &body,
        state.config.strict,
    )?;
    let seed = respond::request_seed(
        state.config.seed,
        &[
            op.operation_id.as_bytes(),
            path_params_key(path_params).as_bytes(),
            sorted_query(&query).as_bytes(),
            &body,
        ],
    );
    let echo = Echo {
        path: path_params,
        query: &query,
        body: sent,
    };
    let reply = respond::respond(
        op,
        &state.faker,
        &prepared.plans,
        prepared.example.as_ref(),
        &prefer,
        &echo,
        seed,
    )?;
    let mut delay = state.config.latency;
    if prefer.slow
        && let Some(ms) = op.slow_threshold_ms
    {
        delay += Duration::from_millis(ms + 1);
    }
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    Ok(encode(reply, format, header("accept"), &op.operation_id))
}

fn path_params_key(params: &[(String, String)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Query pairs in a stable order, so `?a=1&b=2` and `?b=2&a=1` give the same data.
fn sorted_query(query: &[(String, String)]) -> String {
    let mut pairs: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    pairs.sort();
    pairs.join("&")
}

/// Splits and percent-decodes a query string.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Picks JSON, XML or (where the page documents pictures) an image from `Accept`; 406 for
/// anything else.
fn negotiate(accept: Option<&str>, documented: &[String]) -> Result<Format, Rejection> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Ok(Format::Json);
    };
    for item in accept.split(',') {
        let media = media_type(item);
        if media.starts_with("image/") {
            // Only picture requests look at the documented types.
            let documented: Vec<String> = documented.iter().map(|d| media_type(d)).collect();
            if let Some(picture) = images::choose(&media, &documented) {
                return Ok(Format::Image(picture));
            }
        }
        if request::is_json(&media) || media == "*/*" || media == "application/*" {
            return Ok(Format::Json);
        }
        if media == "application/xml" || media == "text/xml" || media == "text/*" {
            return Ok(Format::Xml);
        }
    }
    Err(Rejection::new(
        406,
        "NotAcceptable",
        format!(
            "cannot answer in `{accept}`: this API speaks application/json, text/json, application/xml and text/xml"
        ),
    ))
}

/// Reads the body up to `max` bytes; 413 as soon as it is known to be larger.
pub async fn read_body(
    body: Incoming,
    max: usize,
    content_length: Option<&str>,
) -> Result<Bytes, Rejection> {
    let too_large = || {
        Rejection::new(
            413,
            "PayloadTooLarge",
            format!("request body is larger than {max} bytes"),
        )
    };
    if content_length
        .and_then(|l| l.trim().parse::<usize>().ok())
        .is_some_and(|l| l > max)
    {
        return Err(too_large());
    }
    match Limited::new(body, max).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(err) if err.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Err(err) => Err(Rejection::new(
            400,
            "InvalidBody",
            format!("cannot read the request body: {err}"),
        )),
    }
}

fn encode(
    reply: Reply,
    format: Format,
    accept: Option<&str>,
    operation_id: &str,
) -> Response<Full<Bytes>> {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    let mut builder = Response::builder()
        .status(status)
        .header("x-mockdown-operation", operation_id);
    let body = match (reply.body, format) {
        (None, _) => Bytes::new(),
        (Some(_), Format::Image(media)) if reply.status < 400 => {
            builder = builder.header("content-type", media);
            Bytes::from_static(images::bytes(media))
        }
        (Some(value), Format::Json | Format::Image(_)) => {
            let flavour = accept
                .and_then(|a| a.split(',').map(media_type).find(|m| request::is_json(m)))
                .unwrap_or_else(|| "application/json".to_string());
            builder = builder.header("content-type", format!("{flavour}; charset=utf-8"));
            value.into_json()
        }
        (Some(value), Format::Xml) => {
            let flavour = accept
                .and_then(|a| a.split(',').map(media_type).find(|m| m.ends_with("/xml")))
                .unwrap_or_else(|| "application/xml".to_string());
            builder = builder.header("content-type", format!("{flavour}; charset=utf-8"));
            Bytes::from(respond::to_xml(&reply.type_name, &value.to_value()))
        }
    };
    builder
        .body(Full::new(body))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

/// An error in the API's own shape, extended with the violations.
pub fn error_response(
    status: u16,
    error_type: &str,
    message: &str,
    violations: &[crate::contract::validate::Violation],
    operation_id: Option<&str>,
) -> Response<Full<Bytes>> {
    let mut body = json!({
        "Error": true,
        "ErrorType": error_type,
        "ErrorMessage": message,
        "ErrorSource": "mockdown",
    });
    if !violations.is_empty() {
        body["Violations"] = serde_json::to_value(violations).unwrap_or(Value::Null);
    }
    let mut builder = Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST))
        .header("content-type", "application/json; charset=utf-8");
    if let Some(id) = operation_id {
        builder = builder.header("x-mockdown-operation", id);
    }
    if status == 413 {
        // The rest of the body was not read: the connection cannot be reused.
        builder = builder.header("connection", "close");
    }
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    builder
        .body(Full::new(Bytes::from(bytes)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

fn preflight(state: &MockState, path: &str, headers: &HeaderMap) -> Response<Full<Bytes>> {
    let allow = match state.router.find("OPTIONS", path) {
        RouteMatch::MethodNotAllowed { allow } => allow.join(", "),
        _ => "GET, POST, PUT, PATCH, DELETE".to_string(),
    };
    let mut response = Response::builder().status(StatusCode::NO_CONTENT);
    response = response.header("access-control-allow-methods", allow);
    let requested = headers
        .get("access-control-request-headers")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("authorization, content-type, accept, prefer, x-xsrf-token");
    response = response
        .header("access-control-allow-headers", requested)
        .header("access-control-max-age", "600");
    response
        .body(Full::new(Bytes::new()))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

fn cors(state: &MockState, headers: &mut HeaderMap) {
    let pairs = [
        (
            "access-control-allow-origin",
            state.config.cors_origin.as_str(),
        ),
        (
            "access-control-expose-headers",
            "x-mockdown-operation, x-mockdown-violations, allow",
        ),
        ("vary", "Origin"),
    ];
    for (name, value) in pairs {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
    if state.config.cors_origin != "*" {
        headers.insert(
            "access-control-allow-credentials",
            HeaderValue::from_static("true"),
        );
    }
}
