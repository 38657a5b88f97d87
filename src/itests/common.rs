//! Shared test harness: start the real mock server on an ephemeral port and speak HTTP to it.

#![allow(dead_code)]

use std::path::Path;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

use crate::{MockConfig, RunningServer};
use crate::{contract, docs};

/// The documented sample credentials.
pub(super) const AUTH: &str = "Basic dGplMDpUamUw";

/// Starts a mock of the pages in `dir` with `config` (port forced to 0).
pub(super) async fn start(dir: &str, config: MockConfig) -> RunningServer {
    let set = docs::load_dir(Path::new(dir), &|| {}).expect("pages load");
    let build = contract::build(set);
    crate::serve(build.contract, MockConfig { port: 0, ..config })
        .await
        .expect("server starts")
}

/// A response as the tests look at it.
#[derive(Debug)]
pub(super) struct Reply {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
}

impl Reply {
    /// The body as JSON.
    pub(super) fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }

    /// A header as text.
    pub(super) fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The body as text.
    pub(super) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends one request.
pub(super) async fn call(
    server: &RunningServer,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Reply {
    let client: Client<HttpConnector, Full<Bytes>> =
        Client::builder(TokioExecutor::new()).build_http();
    let mut req =
        Request::builder()
            .method(method)
            .uri(format!("http://{}{}", server.addr(), path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req.body(Full::new(body.into())).expect("request builds");
    let resp = client.request(req).await.expect("server answers");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp
        .into_body()
        .collect()
        .await
        .expect("body reads")
        .to_bytes();
    Reply {
        status,
        headers,
        body,
    }
}

/// GET with the sample credentials.
pub(super) async fn get(server: &RunningServer, path: &str) -> Reply {
    call(
        server,
        "GET",
        path,
        &[("authorization", AUTH)],
        Bytes::new(),
    )
    .await
}

/// POST JSON with the sample credentials.
pub(super) async fn post_json(server: &RunningServer, path: &str, body: &str) -> Reply {
    call(
        server,
        "POST",
        path,
        &[
            ("authorization", AUTH),
            ("content-type", "application/json; charset=utf-8"),
        ],
        body.to_string(),
    )
    .await
}

/// GET with the sample credentials and one more header.
pub(super) async fn get_with(server: &RunningServer, path: &str, header: (&str, &str)) -> Reply {
    call(
        server,
        "GET",
        path,
        &[("authorization", AUTH), header],
        Bytes::new(),
    )
    .await
}

/// The pointers of the violations an error body lists, in order.
pub(super) fn pointers(reply: &Reply) -> Vec<String> {
    reply.json()["Violations"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|v| v["pointer"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Sends every documented sample request of the pages in `dir` as written; returns
/// (operationId, reply) pairs.
pub(super) async fn send_samples(server: &RunningServer, dir: &str) -> Vec<(String, Reply)> {
    let set = docs::load_dir(Path::new(dir), &|| {}).expect("loads");
    let build = contract::build(set);
    let mut out = Vec::new();
    for op in &build.contract.operations {
        let Some(sample) = &op.example.request else {
            continue;
        };
        let body = sample
            .body
            .as_ref()
            .map(|b| b.to_string())
            .unwrap_or_default();
        let headers: Vec<(&str, &str)> = sample
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        out.push((
            op.operation_id.clone(),
            call(server, &sample.method, &sample.path, &headers, body).await,
        ));
    }
    out
}

/// A canned answer of a test upstream: status, content type, body.
pub(super) type Canned = (u16, &'static str, String);

/// Starts a small real HTTP server that answers every request with `answer(method, path,
/// body)`; returns its address. It lives as long as the test's runtime.
pub(super) async fn start_upstream(
    answer: impl Fn(&str, &str, &[u8]) -> Canned + Send + Sync + 'static,
) -> std::net::SocketAddr {
    start_upstream_after(std::time::Duration::ZERO, answer).await
}

/// An upstream's answer function, behind one pointer type.
type Answer = std::sync::Arc<dyn Fn(&str, &str, &[u8]) -> Canned + Send + Sync>;

/// Like [`start_upstream`], but every answer comes only after `delay` (without blocking).
pub(super) async fn start_upstream_after(
    delay: std::time::Duration,
    answer: impl Fn(&str, &str, &[u8]) -> Canned + Send + Sync + 'static,
) -> std::net::SocketAddr {
    // One server for every test's answer: a generic server here was compiled once per
    // caller (a hyper connection and two tasks each, about a tenth of the test build).
    serve_upstream(delay, std::sync::Arc::new(answer)).await
}

/// The upstream server behind [`start_upstream_after`].
async fn serve_upstream(delay: std::time::Duration, answer: Answer) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let addr = listener.local_addr().expect("has an address");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                let service =
                    hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                        let answer = answer.clone();
                        async move {
                            let method = req.method().to_string();
                            let path = req
                                .uri()
                                .path_and_query()
                                .map_or("/".to_string(), |p| p.to_string());
                            let body = req.into_body().collect().await?.to_bytes();
                            tokio::time::sleep(delay).await;
                            let (status, content_type, text) = answer(&method, &path, &body);
                            let mut response = hyper::Response::builder().status(status);
                            if !content_type.is_empty() {
                                response = response.header("content-type", content_type);
                            }
                            Ok::<_, hyper::Error>(
                                response
                                    .body(Full::new(Bytes::from(text)))
                                    .expect("response builds"),
                            )
                        }
                    });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

/// The fixture pages, each changed by `edit(file name, text)`, written to a temp dir.
pub(super) fn fixture_pages(edit: impl Fn(&str, String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir("tests/fixtures/api").expect("fixtures") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let text = std::fs::read_to_string(&path).expect("fixture reads");
        std::fs::write(dir.path().join(&name), edit(&name, text)).expect("page writes");
    }
    dir
}

/// Sends raw bytes on a new connection and reads until the server closes it or `wait`
/// passes; returns what was read.
pub(super) async fn raw(
    addr: std::net::SocketAddr,
    bytes: &[u8],
    wait: std::time::Duration,
) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connects");
    stream.write_all(bytes).await.expect("writes");
    let mut out = Vec::new();
    let _ = tokio::time::timeout(wait, stream.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

/// Sends one request with a chosen `Host` header (or none) through a real client.
pub(super) async fn call_host(
    server: &RunningServer,
    method: &str,
    path: &str,
    host: &str,
    headers: &[(&str, &str)],
) -> Reply {
    let mut all = vec![("host", host)];
    all.extend_from_slice(headers);
    call(server, method, path, &all, Bytes::new()).await
}
