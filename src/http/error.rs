//! The API's own error shape (`{"Error": true, "ErrorType", "ErrorMessage", ...}`), extended
//! with the violations found, as every refusal of the mock and the proxy answers it.

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Response, StatusCode};
use serde_json::{Value, json};

use crate::contract::validate::Violation;

/// An error in the API's own shape, extended with the violations.
pub(crate) fn error_response(
    status: u16,
    error_type: &str,
    message: &str,
    violations: &[Violation],
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
