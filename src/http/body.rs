//! Reading a request body with a size limit: 413 as soon as it is known to be larger.

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;

/// Why a body could not be read: the status to answer, its `ErrorType` and message.
#[derive(Debug)]
pub(crate) struct BodyError {
    /// 413 (too large) or 400 (broken).
    pub(crate) status: u16,
    /// `ErrorType` of the error body.
    pub(crate) error_type: &'static str,
    /// `ErrorMessage` of the error body.
    pub(crate) message: String,
}

/// Reads the body up to `max` bytes; 413 as soon as it is known to be larger.
pub(crate) async fn read_body(
    body: Incoming,
    max: usize,
    content_length: Option<&str>,
) -> Result<Bytes, BodyError> {
    let too_large = || BodyError {
        status: 413,
        error_type: "PayloadTooLarge",
        message: format!("request body is larger than {max} bytes"),
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
        Err(err) => Err(BodyError {
            status: 400,
            error_type: "InvalidBody",
            message: format!("cannot read the request body: {err}"),
        }),
    }
}
