//! Reading a request body with a size limit and a time limit: 413 as soon as it is known to
//! be larger, 408 when it does not arrive in time, 400 when the connection breaks.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::HeaderMap;
use hyper::body::Incoming;
use hyper::header::CONTENT_LENGTH;

use super::kind::{ApiError, ErrorKind};

/// Why a body could not be read: the kind to answer (its status and `ErrorType`) and the
/// message.
#[derive(Debug)]
pub(crate) struct BodyError {
    /// [`ErrorKind::PayloadTooLarge`] (413), [`ErrorKind::RequestTimeout`] (408) or
    /// [`ErrorKind::InvalidBody`] (400, broken).
    pub(crate) kind: ErrorKind,
    /// `ErrorMessage` of the error body.
    pub(crate) message: String,
}

impl ApiError for BodyError {
    fn kind(&self) -> ErrorKind {
        self.kind
    }
}

/// Whether `Content-Length` declares more than `max` bytes.
fn declared_over(content_length: Option<&str>, max: usize) -> bool {
    content_length
        .and_then(|l| l.trim().parse::<u64>().ok())
        .is_some_and(|l| l > max as u64)
}

/// Reads the body of a request with `headers` up to `max` bytes within `timeout`; 413 as
/// soon as it is known to be larger (its `Content-Length` says so), 408 when it is late.
pub(crate) async fn read_body(
    body: Incoming,
    headers: &HeaderMap,
    max: usize,
    timeout: Duration,
) -> Result<Bytes, BodyError> {
    let content_length = headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok());
    let too_large = || BodyError {
        kind: ErrorKind::PayloadTooLarge,
        message: format!("request body is larger than {max} bytes"),
    };
    if declared_over(content_length, max) {
        return Err(too_large());
    }
    match tokio::time::timeout(timeout, Limited::new(body, max).collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(err)) if err.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Ok(Err(err)) => Err(BodyError {
            kind: ErrorKind::InvalidBody,
            message: format!("cannot read the request body: {err}"),
        }),
        Err(_) => Err(BodyError {
            kind: ErrorKind::RequestTimeout,
            message: format!(
                "the request body did not arrive within {:.0} s",
                timeout.as_secs_f64()
            ),
        }),
    }
}
