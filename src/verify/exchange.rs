//! Sending one case's request to the target as verify sends every request: the sample's
//! headers with `--auth` and `-H` on top, an `Accept` of JSON unless one is given, a JSON
//! body with its Content-Type, and the whole answer read within the timeout.

use bytes::Bytes;
use http_body_util::Full;

use super::case::Request;
use super::options::VerifyOptions;
use crate::client::{HttpClient, SendError, send};
use crate::validate::Answer;

/// Why a case got no answer: the one error type of this room, shown in the report.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ExchangeError {
    /// The case's request cannot be built (a header or URL hyper refuses).
    #[error("cannot build the request for {url}: {why}")]
    Build {
        /// The URL it was sent to.
        url: String,
        /// What hyper refused.
        why: hyper::http::Error,
    },
    /// The target gave no answer (unreachable, or not in time).
    #[error(transparent)]
    Send(#[from] SendError),
}

/// Sends `request` to the target of `options`: the answer, or why there is none.
pub(crate) async fn exchange(
    client: &HttpClient,
    request: &Request,
    options: &VerifyOptions,
) -> Result<Answer, ExchangeError> {
    let built = build(request, options)?;
    Ok(send(client, built, options.timeout).await?)
}

fn build(
    request: &Request,
    options: &VerifyOptions,
) -> Result<hyper::Request<Full<Bytes>>, ExchangeError> {
    let url = format!(
        "{}{}",
        options.target.trim_end_matches('/'),
        request.path_and_query()
    );
    let mut builder = hyper::Request::builder()
        .method(request.method.as_str())
        .uri(url.as_str());
    let mut has_accept = false;
    let mut has_content_type = false;
    for (name, value) in &request.headers {
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "host" | "content-length" | "connection" | "transfer-encoding" => continue,
            "authorization" if options.auth.is_some() => continue,
            "accept" => has_accept = true,
            "content-type" => has_content_type = true,
            _ => {}
        }
        builder = builder.header(name.as_str(), value.as_str());
    }
    if let Some(auth) = &options.auth {
        builder = builder.header("authorization", auth.as_str());
    }
    for (name, value) in &options.headers {
        if let Some(headers) = builder.headers_mut() {
            headers.remove(name.as_str());
        }
        builder = builder.header(name.as_str(), value.as_str());
        has_accept |= name.eq_ignore_ascii_case("accept");
        has_content_type |= name.eq_ignore_ascii_case("content-type");
    }
    if !has_accept {
        builder = builder.header("accept", "application/json");
    }
    let body = match &request.body {
        Some(body) => {
            if !has_content_type {
                builder = builder.header("content-type", "application/json; charset=utf-8");
            }
            Bytes::from(body.to_string())
        }
        None => Bytes::new(),
    };
    builder
        .body(Full::new(body))
        .map_err(|why| ExchangeError::Build { url, why })
}
