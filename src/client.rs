//! The HTTP(S) client `verify` and the validating proxy use to talk to real servers.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::validate::Answer;

/// A pooled HTTP/1.1 client for `http://` and `https://` targets (webpki roots), sending
/// bodies of type `B`.
pub(crate) type HttpClientOf<B> = Client<HttpsConnector<HttpConnector>, B>;
/// The client for whole bodies.
pub(crate) type HttpClient = HttpClientOf<Full<Bytes>>;

/// A client for `http://` and `https://` URLs.
pub(crate) fn http_client<B>() -> anyhow::Result<HttpClientOf<B>>
where
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let provider = rustls::crypto::ring::default_provider();
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_webpki_roots(provider)
        .map_err(|e| anyhow::anyhow!("cannot set up TLS: {e}"))?
        .https_or_http()
        .enable_http1()
        .build();
    Ok(Client::builder(TokioExecutor::new()).build(connector))
}

/// Largest answer read; a larger one is a failure, not read further.
const MAX_ANSWER_BYTES: usize = 64 * 1024 * 1024;

/// Why an exchange did not finish.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SendError {
    /// No answer in time.
    #[error("no answer within {0:.1} s")]
    Timeout(f64),
    /// Connection refused, reset, DNS, TLS, ...
    #[error("cannot reach the server: {0}")]
    Connect(String),
}

/// Sends `request` and reads the whole answer within `timeout`.
pub(crate) async fn send(
    client: &HttpClient,
    request: hyper::Request<Full<Bytes>>,
    timeout: Duration,
) -> Result<Answer, SendError> {
    let exchange = async {
        let response: hyper::Response<Incoming> = client
            .request(request)
            .await
            .map_err(|e| SendError::Connect(error_chain(&e)))?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(hyper::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = http_body_util::Limited::new(response.into_body(), MAX_ANSWER_BYTES)
            .collect()
            .await
            .map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    SendError::Connect(format!(
                        "an answer larger than {} MiB (not read further)",
                        MAX_ANSWER_BYTES >> 20
                    ))
                } else {
                    SendError::Connect(format!("body cut short: {}", error_chain(e.as_ref())))
                }
            })?
            .to_bytes();
        Ok(Answer {
            status,
            content_type,
            body,
        })
    };
    match tokio::time::timeout(timeout, exchange).await {
        Ok(result) => result,
        Err(_) => Err(SendError::Timeout(timeout.as_secs_f64())),
    }
}

/// An error and its sources, `: `-joined (hyper's top-level messages alone say little).
pub(crate) fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
