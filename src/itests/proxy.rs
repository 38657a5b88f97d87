//! The validating proxy in front of a small real upstream started in the test.

use super::common;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::{ProxyConfig, RunningServer, proxy};
use crate::{contract, docs};
use bytes::Bytes;
use serde_json::Value;

const FIXTURES: &str = "tests/fixtures/api";
const THING: &str = r#"{"ThingId":12,"Name":"Hills Group","Department":"","EmailAddress":"ola@example.com","Updated":"2016-09-15T14:19:10+02:00","Owner":null,"Tags":["red"],"Status":"Open"}"#;

async fn proxy_to(upstream: String, errors: bool, max_body: usize) -> RunningServer {
    let set = docs::load_dir(Path::new(FIXTURES), &|| {}).expect("pages load");
    let config = ProxyConfig {
        upstream,
        errors,
        timeout: Duration::from_secs(5),
        port: 0,
        max_body_bytes: max_body,
        ..ProxyConfig::default()
    };
    proxy(contract::build(set).contract, config)
        .await
        .expect("proxy starts")
}

/// An upstream answering GET Thing with `body`, counting the requests it sees.
async fn upstream(body: &'static str, hits: Arc<AtomicUsize>) -> String {
    let addr = common::start_upstream(move |_, _, _| {
        hits.fetch_add(1, Ordering::SeqCst);
        (200, "application/json; charset=utf-8", body.to_string())
    })
    .await;
    format!("http://{addr}")
}

fn violations(reply: &common::Reply) -> Vec<Value> {
    let header = reply.header("x-mockdown-violations");
    if header.is_empty() {
        return Vec::new();
    }
    serde_json::from_str(header).expect("violations header is JSON")
}

async fn journal(proxy: &RunningServer) -> Vec<Value> {
    let reply = common::get(proxy, "/__mockdown/requests").await;
    reply.json()["requests"]
        .as_array()
        .cloned()
        .or_else(|| reply.json().as_array().cloned())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_valid_exchange_passes_through_unchanged() {
    let hits = Arc::new(AtomicUsize::new(0));
    let proxy = proxy_to(upstream(THING, hits.clone()).await, false, 1 << 20).await;
    let reply = common::get(&proxy, "/api/v1/Thing/12?$top=5").await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.body,
        Bytes::from_static(THING.as_bytes()),
        "body byte for byte"
    );
    assert_eq!(
        reply.header("content-type"),
        "application/json; charset=utf-8"
    );
    assert!(reply.headers.get("x-mockdown-violations").is_none());
    assert!(
        reply.headers.get("x-mockdown-operation").is_none(),
        "nothing added"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    let entries = journal(&proxy).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["operationId"], "v1ThingEntity_GetThing");
    assert_eq!(entries[0]["violations"], serde_json::json!([]));
    proxy.stop().await;
}

#[tokio::test]
async fn violations_both_ways_are_reported_not_enforced() {
    let hits = Arc::new(AtomicUsize::new(0));
    let broken = r#"{"ThingId":"twelve","Name":"x","Tags":["a"],"Status":"Open"}"#;
    let proxy = proxy_to(upstream(broken, hits.clone()).await, false, 1 << 20).await;
    // A path id that is not an int32, and a wrong-typed field in the answer.
    let reply = common::get(&proxy, "/api/v1/Thing/abc?$top=5").await;
    assert_eq!(reply.status, 200, "forwarded as is");
    assert_eq!(reply.body, Bytes::from_static(broken.as_bytes()));
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    let found = violations(&reply);
    let places: Vec<(String, String)> = found
        .iter()
        .map(|v| {
            (
                v["in"].as_str().unwrap_or_default().to_string(),
                v["pointer"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert!(places.contains(&("path".into(), "id".into())), "{found:?}");
    assert!(
        places.contains(&("response body".into(), "/ThingId".into())),
        "{found:?}"
    );
    let entries = journal(&proxy).await;
    assert_eq!(
        entries[0]["violations"].as_array().map(Vec::len),
        Some(found.len())
    );
    proxy.stop().await;
}

#[tokio::test]
async fn with_errors_a_bad_request_gets_the_mock_400_and_is_not_forwarded() {
    let hits = Arc::new(AtomicUsize::new(0));
    let proxy = proxy_to(upstream(THING, hits.clone()).await, true, 1 << 20).await;
    let reply = common::get(&proxy, "/api/v1/Thing/abc?$top=5").await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["ErrorType"], "ValidationError");
    assert_eq!(common::pointers(&reply), vec!["id".to_string()]);
    assert_eq!(hits.load(Ordering::SeqCst), 0, "not forwarded");
    // A valid one still goes through.
    let ok = common::get(&proxy, "/api/v1/Thing/12?$top=5").await;
    assert_eq!(ok.status, 200);
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    proxy.stop().await;
}

#[tokio::test]
async fn large_bodies_stream_through_and_dead_upstreams_are_502() {
    let big: &'static str =
        Box::leak(format!("{{\"Name\":\"{}\"}}", "x".repeat(3 << 20)).into_boxed_str());
    let hits = Arc::new(AtomicUsize::new(0));
    let proxy = proxy_to(upstream(big, hits).await, false, 1 << 20).await;
    let reply = common::get(&proxy, "/api/v1/Thing/12?$top=5").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body.len(), big.len(), "streamed in full");
    assert!(violations(&reply).is_empty(), "too large to check the body");
    proxy.stop().await;

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let dead = proxy_to(format!("http://127.0.0.1:{port}"), false, 1 << 20).await;
    let reply = common::get(&dead, "/api/v1/Thing/12?$top=5").await;
    assert_eq!(reply.status, 502);
    assert_eq!(reply.json()["ErrorType"], "BadGateway");
    dead.stop().await;
}

/// A raw upstream that answers every connection with `head` (status line and headers)
/// and `body`, then stalls (`close` false) or closes.
async fn raw_upstream(head: &'static str, body: &'static str, close: bool) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buffer = [0u8; 4096];
                let _ = stream.read(&mut buffer).await;
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(body.as_bytes()).await;
                if close {
                    return;
                }
                tokio::time::sleep(Duration::from_secs(30)).await;
            });
        }
    });
    format!("http://{addr}")
}

async fn proxy_with_timeout(upstream: String, timeout: Duration) -> RunningServer {
    let set = docs::load_dir(Path::new(FIXTURES), &|| {}).expect("pages load");
    let config = ProxyConfig {
        upstream,
        timeout,
        port: 0,
        ..ProxyConfig::default()
    };
    proxy(contract::build(set).contract, config)
        .await
        .expect("proxy starts")
}

#[tokio::test]
async fn an_upstream_that_stalls_after_its_headers_is_a_504_in_the_journal() {
    let upstream = raw_upstream(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n",
        "{\"ThingId\":",
        false,
    )
    .await;
    let proxy = proxy_with_timeout(upstream, Duration::from_millis(500)).await;
    let started = std::time::Instant::now();
    let reply = common::get(&proxy, "/api/v1/Thing/12?$top=5").await;
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(reply.status, 504);
    assert_eq!(reply.json()["ErrorType"], "GatewayTimeout");
    let entries = journal(&proxy).await;
    assert_eq!(entries[0]["status"], 504);
    assert_eq!(entries[0]["violations"][0]["keyword"], "timeout");
    proxy.stop().await;
}

#[tokio::test]
async fn a_truncated_upstream_body_is_a_502_never_passed_on_as_whole() {
    let upstream = raw_upstream(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n",
        "{\"ThingId\":12",
        true,
    )
    .await;
    let proxy = proxy_with_timeout(upstream, Duration::from_secs(5)).await;
    let reply = common::get(&proxy, "/api/v1/Thing/12?$top=5").await;
    assert_eq!(reply.status, 502);
    let json = reply.json();
    assert_eq!(json["ErrorType"], "BadGateway");
    assert_eq!(json["Violations"][0]["keyword"], "truncated");
    assert_eq!(json["Violations"][0]["in"], "response body");
    let entries = journal(&proxy).await;
    assert_eq!(entries[0]["status"], 502);
    assert_eq!(entries[0]["violations"][0]["keyword"], "truncated");
    proxy.stop().await;
}

#[tokio::test]
async fn request_bodies_over_the_limit_are_forwarded_whole() {
    let addr = common::start_upstream(|_, _, body| {
        (
            200,
            "application/json",
            format!("{{\"ThingId\": {}}}", body.len()),
        )
    })
    .await;
    let proxy = proxy_to(format!("http://{addr}"), false, 1024).await;
    let body = format!(r#"{{"Name": "{}"}}"#, "x".repeat(20_000));
    let reply = common::post_json(&proxy, "/api/v1/Thing", &body).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        reply.json()["ThingId"],
        body.len(),
        "the upstream got it all"
    );
    let entries = journal(&proxy).await;
    assert_eq!(entries[0]["request"]["bodyBytes"], body.len());
    assert_eq!(entries[0]["request"]["bodyTruncated"], true);
    proxy.stop().await;
}

#[tokio::test]
async fn preflights_pass_and_dot_segments_are_refused() {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let addr = common::start_upstream(move |method, _, _| {
        counter.fetch_add(1, Ordering::SeqCst);
        match method {
            "OPTIONS" => (204, "", String::new()),
            _ => (200, "application/json; charset=utf-8", THING.to_string()),
        }
    })
    .await;
    let proxy = proxy_to(format!("http://{addr}"), true, 1 << 20).await;
    let preflight = common::call(
        &proxy,
        "OPTIONS",
        "/api/v1/Thing/12",
        &[
            ("origin", "http://app.example"),
            ("access-control-request-method", "GET"),
        ],
        Bytes::new(),
    )
    .await;
    assert_eq!(preflight.status, 204, "{}", preflight.text());
    assert!(violations(&preflight).is_empty());
    assert_eq!(hits.load(Ordering::SeqCst), 1, "forwarded");
    for path in ["/api/v1/../../admin", "/api/v1/Thing/%2e%2e/%2E%2E/x"] {
        let reply = common::get(&proxy, path).await;
        assert_eq!(reply.status, 400, "{path}");
        assert_eq!(reply.json()["ErrorType"], "InvalidPath");
    }
    assert_eq!(hits.load(Ordering::SeqCst), 1, "not forwarded");
    proxy.stop().await;
}

/// Issue 13 §2: `proxy --record DIR` writes each exchange as a stub file that
/// `serve --stubs DIR` answers later, offline.
#[tokio::test]
async fn recorded_exchanges_play_back_offline() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let hits = Arc::new(AtomicUsize::new(0));
    let set = docs::load_dir(Path::new(FIXTURES), &|| {}).expect("pages load");
    let recorder = proxy(
        contract::build(set).contract,
        ProxyConfig {
            upstream: upstream(THING, hits.clone()).await,
            port: 0,
            record: Some(dir.path().to_path_buf()),
            ..ProxyConfig::default()
        },
    )
    .await
    .expect("proxy starts");
    let live = common::get(&recorder, "/api/v1/Thing/12?$top=5").await;
    assert_eq!(live.status, 200);
    recorder.stop().await;
    let files: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert_eq!(files.len(), 1, "one exchange, one stub file");
    // Offline: the mock answers the recorded exchange, not the upstream, not the faker.
    let mock = common::start(
        FIXTURES,
        crate::MockConfig {
            stubs_dir: Some(dir.path().to_path_buf()),
            ..crate::MockConfig::default()
        },
    )
    .await;
    let played = common::get(&mock, "/api/v1/Thing/12?$top=5").await;
    assert_eq!(played.status, 200);
    assert_eq!(played.json(), live.json(), "the recorded answer");
    assert!(played.header("x-mockdown-stub").starts_with("recorded-"));
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "the upstream was asked once"
    );
    let other = common::get(&mock, "/api/v1/Thing/13?$top=5").await;
    assert_ne!(
        other.json()["Name"],
        "Hills Group",
        "another id is generated"
    );
    mock.stop().await;
}

#[tokio::test]
async fn large_bodies_both_ways_are_checked_whole() {
    // Over 64 KiB each way: the proxy checks them on the blocking pool; the violations it
    // finds there reach the header and the journal like any others.
    let big_name = "x".repeat(100 * 1024);
    let answer: &'static str = Box::leak(
        format!(r#"{{"ThingId":"twelve","Name":"{big_name}","Status":"Open"}}"#).into_boxed_str(),
    );
    let addr = common::start_upstream(move |_, _, _| {
        (201, "application/json; charset=utf-8", answer.to_string())
    })
    .await;
    let proxy = proxy_to(format!("http://{addr}"), false, 1024 * 1024).await;
    let body = format!(r#"{{"ThingId": "seven", "Name": "{big_name}"}}"#);
    let reply = common::post_json(&proxy, "/api/v1/Thing", &body).await;
    assert_eq!(
        reply.status, 201,
        "forwarded: the proxy reports, it does not refuse"
    );
    let found = violations(&reply);
    let pointers: Vec<(&str, &str)> = found
        .iter()
        .map(|v| {
            (
                v["in"].as_str().unwrap_or_default(),
                v["pointer"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert!(pointers.contains(&("body", "/ThingId")), "{found:?}");
    assert!(
        pointers.contains(&("response body", "/ThingId")),
        "{found:?}"
    );
    let entries = journal(&proxy).await;
    assert_eq!(
        entries[0]["violations"].as_array().map(Vec::len),
        Some(found.len())
    );
    proxy.stop().await;
}
