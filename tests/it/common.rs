//! What the integration tests share: an HTTP client for the mock, a canned upstream, raw
//! connections.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// The documented sample credentials.
pub const AUTH: &str = "Basic dGplMDpUamUw";

/// Sends `method` `url` with `body` (JSON when not empty) and the sample credentials;
/// returns the status and the body.
pub async fn send(method: &str, url: &str, body: &str) -> (u16, Bytes) {
    let client = Client::builder(TokioExecutor::new()).build_http();
    let mut request = Request::builder()
        .method(method)
        .uri(url)
        .header("authorization", AUTH)
        .header("accept", "application/json");
    if !body.is_empty() {
        request = request.header("content-type", "application/json");
    }
    let request = request
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("request builds");
    let response = client.request(request).await.expect("answered");
    let status = response.status().as_u16();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body reads")
        .to_bytes();
    (status, bytes)
}

/// What the canned upstream answers: status, Content-Type and body.
pub type Canned = (u16, &'static str, String);

/// A plain HTTP server on a free port answering every request with `answer(method, path,
/// body)`.
pub async fn start_upstream(
    answer: impl Fn(&str, &str, &[u8]) -> Canned + Send + Sync + 'static,
) -> std::net::SocketAddr {
    // One server for every caller's answer (a generic one is compiled once per caller).
    serve_upstream(std::sync::Arc::new(answer)).await
}

/// An upstream's answer function, behind one pointer type.
type Answer = std::sync::Arc<dyn Fn(&str, &str, &[u8]) -> Canned + Send + Sync>;

/// The server behind [`start_upstream`].
async fn serve_upstream(answer: Answer) -> std::net::SocketAddr {
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

/// Sends raw bytes on a new connection and reads until the server closes it or `wait`
/// passes; returns what was read.
pub async fn raw(addr: std::net::SocketAddr, bytes: &[u8], wait: std::time::Duration) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connects");
    stream.write_all(bytes).await.expect("writes");
    let mut out = Vec::new();
    let _ = tokio::time::timeout(wait, stream.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}
