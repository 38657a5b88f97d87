//! The validating proxy in front of a small real upstream started in the test.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use mockdown::{ProxyConfig, RunningServer, proxy};
use mockdown::{contract, docs};
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
