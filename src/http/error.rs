//! The API's own error shape (the profile's: by default `{"Error": true, "ErrorType",
//! "ErrorMessage", "ErrorSource"}`), extended with the violations found, as every refusal of the mock and the proxy answers it. Every
//! error body is bounded: at most 100 violations (with the count of the rest) and capped
//! texts, so no input can make an error answer larger than about 250 KB.

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Response, StatusCode};
use serde_json::{Value, json};

use super::kind::{ApiError, ErrorKind};
use crate::contract::profile::ErrorShape;
use crate::contract::validate::Violation;

/// Most violations an error body lists.
pub(crate) const MAX_LISTED: usize = 100;
/// Longest `ErrorMessage`, in bytes.
const MAX_MESSAGE: usize = 4096;
/// Longest text of one violation field, in bytes.
const MAX_FIELD: usize = 512;

/// An error in the API's own shape, extended with the violations.
pub(crate) fn error_response(
    error: impl ApiError,
    message: &str,
    violations: &[Violation],
    operation_id: Option<&str>,
) -> Response<Full<Bytes>> {
    error_response_with(error, message, violations, 0, operation_id)
}

/// An error body of `shape`: the one renderer every error answer uses.
fn render(shape: &ErrorShape, kind: ErrorKind, message: &str) -> Value {
    Value::Object(shape.render(
        kind.error_type(),
        &clip(message, MAX_MESSAGE),
        kind.status(),
    ))
}

/// [`error_response`] for a list that was already cut: `omitted` violations were found
/// beyond those given.
pub(crate) fn error_response_with(
    error: impl ApiError,
    message: &str,
    violations: &[Violation],
    omitted: usize,
    operation_id: Option<&str>,
) -> Response<Full<Bytes>> {
    let shape = ErrorShape::fallback();
    let error = ShapedError {
        kind: error.kind(),
        message,
    };
    shaped_response(&shape, error, violations, omitted, operation_id)
}

/// What an error answer says, before it takes a shape.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ShapedError<'a> {
    /// The kind: its HTTP status and `ErrorType` (or whatever field of the shape carries
    /// the kind).
    pub(crate) kind: ErrorKind,
    /// The text for people.
    pub(crate) message: &'a str,
}

/// An error in `shape` (the API profile's), extended with the violations: what the mock
/// answers on an API route.
pub(crate) fn shaped_response(
    shape: &ErrorShape,
    error: ShapedError<'_>,
    violations: &[Violation],
    omitted: usize,
    operation_id: Option<&str>,
) -> Response<Full<Bytes>> {
    let ShapedError { kind, message } = error;
    let status = kind.status();
    let mut body = render(shape, kind, message);
    if !violations.is_empty() {
        let listed: Vec<Value> = violations
            .iter()
            .take(MAX_LISTED)
            .map(|v| {
                json!({
                    "in": clip(&v.location, MAX_FIELD),
                    "pointer": clip(&v.pointer, MAX_FIELD),
                    "keyword": clip(&v.keyword, MAX_FIELD),
                    "expected": clip(&v.expected, MAX_FIELD),
                    "found": clip(&v.found, MAX_FIELD),
                })
            })
            .collect();
        body["Violations"] = Value::Array(listed);
        let omitted = omitted + violations.len().saturating_sub(MAX_LISTED);
        if omitted > 0 {
            body["ViolationsOmitted"] = json!(omitted);
        }
    }
    let mut builder = Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST))
        .header("content-type", "application/json; charset=utf-8");
    if let Some(id) = operation_id {
        builder = builder.header("x-mockdown-operation", clip(id, MAX_FIELD).as_ref());
    }
    if status == 413 || status == 408 {
        // The rest of the body was not read: the connection cannot be reused.
        builder = builder.header("connection", "close");
    }
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    builder
        .body(Full::new(Bytes::from(bytes)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

/// `text` cut to at most `max` bytes on a character boundary, `…` marking the cut.
pub(crate) fn clip(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if text.len() <= max {
        return text.into();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end]).into()
}

/// A JSON answer with status 200.
pub(crate) fn json_response(value: &Value) -> Response<Full<Bytes>> {
    Response::builder()
        .header("content-type", "application/json; charset=utf-8")
        .body(Full::new(Bytes::from(
            serde_json::to_vec(value).unwrap_or_default(),
        )))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

/// An empty answer with `status`.
pub(crate) fn empty_response(status: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}
