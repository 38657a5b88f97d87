//! Sending one case's request to the target as verify sends every request: the sample's
//! headers with `--auth` and `-H` on top, an `Accept` of JSON unless one is given, a JSON
//! body with its Content-Type, and the whole answer read within the timeout.

use bytes::Bytes;
use http_body_util::Full;

use super::case::Request;
use super::options::VerifyOptions;
use crate::client::{HttpClient, send};
use crate::validate::Answer;

/// Sends `request` to the target of `options`: the answer, or why there is none.
pub(crate) async fn exchange(
    client: &HttpClient,
    request: &Request,
    options: &VerifyOptions,
) -> Result<Answer, String> {
    let built = build(request, options)?;
    send(client, built, options.timeout)
        .await
        .map_err(|e| e.to_string())
}

fn build(
    request: &Request,
    options: &VerifyOptions,
) -> Result<hyper::Request<Full<Bytes>>, String> {
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
        .map_err(|e| format!("cannot build the request for {url}: {e}"))
}
