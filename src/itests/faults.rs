//! Issue 14 §3: faults on purpose, over real HTTP. `Prefer: fault=error` answers a documented
//! error status in the page's shape (a generic 500 where none is documented), `reset` closes
//! the connection without an answer, `timeout` holds the request until `--fault-timeout`
//! then closes, `drip` sends the whole body slowly; `--fault-rate` picks requests by the
//! request and the seed, not by arrival order; every fault is in the journal and the
//! metrics.

use super::common;

use std::time::{Duration, Instant};

use crate::{Fault, MockConfig, RunningServer};
use common::{AUTH, get, get_with};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const STATE: &str = "tests/fixtures/state";

/// Sends a raw GET and reads until the server closes: the bytes received and the time taken.
async fn raw_get(server: &RunningServer, path: &str, prefer: &str) -> (Vec<u8>, Duration) {
    let mut stream = TcpStream::connect(server.addr()).await.expect("connects");
    let request = format!(
        "GET {path} HTTP/1.1\r\nhost: {}\r\nauthorization: {AUTH}\r\nprefer: {prefer}\r\n\r\n",
        server.addr()
    );
    let started = Instant::now();
    stream
        .write_all(request.as_bytes())
        .await
        .expect("request sent");
    let mut received = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut received))
        .await
        .expect("the server closes within 10 s");
    // A reset may surface as an error instead of an end of stream; either way no answer.
    let _ = read;
    (received, started.elapsed())
}

fn answered_by(server: &RunningServer) -> Vec<(u16, String)> {
    server
        .journal()
        .into_iter()
        .map(|e| (e.status, e.answered_by))
        .collect()
}

#[tokio::test]
async fn error_answers_a_documented_error_status() {
    let server = start_with(MockConfig::default()).await;
    // GetGadget documents 200 and 404: the fault answers the 404.
    let reply = get_with(&server, "/api/v1/Gadget/3", ("prefer", "fault=error")).await;
    assert_eq!(reply.status, 404, "{}", reply.text());
    // The agent read documents only 200: a generic 500 in the API's error shape.
    let reply = call_agent(&server, "fault=error").await;
    assert_eq!(reply.status, 500, "{}", reply.text());
    assert_eq!(
        reply.json()["ErrorType"],
        "InjectedFault",
        "{}",
        reply.text()
    );
    // An unknown fault is the client's mistake.
    let reply = get_with(&server, "/api/v1/Gadget/3", ("prefer", "fault=explode")).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["ErrorType"], "InvalidPrefer");
    let journal = answered_by(&server);
    assert_eq!(journal[0], (404, "fault error".to_string()));
    assert_eq!(journal[1], (500, "fault error".to_string()));
    assert_eq!(journal[2], (400, "error".to_string()));
    server.stop().await;
}

async fn call_agent(server: &RunningServer, prefer: &str) -> common::Reply {
    common::call(
        server,
        "POST",
        "/api/v1/Agents/Gadget/GetGadgetEntity?gadgetEntityId=3",
        &[("authorization", AUTH), ("prefer", prefer)],
        bytes::Bytes::new(),
    )
    .await
}

async fn start_with(config: MockConfig) -> RunningServer {
    common::start(STATE, config).await
}

#[tokio::test]
async fn reset_closes_without_an_answer() {
    let server = start_with(MockConfig::default()).await;
    let (received, _) = raw_get(&server, "/api/v1/Gadget/3", "fault=reset").await;
    assert!(
        received.is_empty(),
        "{}",
        String::from_utf8_lossy(&received)
    );
    // The server is still there for the next request.
    assert_eq!(get(&server, "/api/v1/Gadget/3").await.status, 200);
    let journal = server.journal();
    assert_eq!(journal[0].answered_by, "fault reset");
    assert_eq!(journal[0].status, 0, "no status was sent");
    assert_eq!(
        journal[0].operation_id.as_deref(),
        Some("v1GadgetEntity_GetGadget")
    );
    server.stop().await;
}

#[tokio::test]
async fn timeout_holds_then_closes() {
    let config = MockConfig {
        fault_timeout: Duration::from_millis(400),
        ..MockConfig::default()
    };
    let server = start_with(config).await;
    let (received, took) = raw_get(&server, "/api/v1/Gadget/3", "fault=timeout").await;
    assert!(
        received.is_empty(),
        "{}",
        String::from_utf8_lossy(&received)
    );
    assert!(took >= Duration::from_millis(390), "held {took:?}");
    assert!(
        took < Duration::from_secs(5),
        "closed after the fault timeout"
    );
    // In the journal as soon as it is held, not only when it ends.
    assert_eq!(server.journal()[0].answered_by, "fault timeout");
    server.stop().await;
}

#[tokio::test]
async fn drip_sends_the_whole_body_slowly() {
    let server = start_with(MockConfig::default()).await;
    let whole = get(&server, "/api/v1/Gadget/3").await;
    let started = Instant::now();
    let dripped = get_with(&server, "/api/v1/Gadget/3", ("prefer", "fault=drip")).await;
    let took = started.elapsed();
    assert_eq!(dripped.status, 200);
    assert_eq!(dripped.body, whole.body, "the same answer, only slower");
    assert_eq!(
        dripped.header("content-length"),
        whole.body.len().to_string(),
        "its length is announced: a client sees a slow body, not a short one"
    );
    assert!(took >= Duration::from_millis(1500), "dripped in {took:?}");
    assert_eq!(server.journal()[1].answered_by, "fault drip");
    server.stop().await;
}

#[tokio::test]
async fn chaos_follows_the_request_and_the_seed() {
    let config = MockConfig {
        fault_rate: 0.5,
        faults: vec![Fault::Error],
        seed: 7,
        ..MockConfig::default()
    };
    let server = start_with(config).await;
    let mut first = Vec::new();
    for id in 1..=40 {
        first.push(get(&server, &format!("/api/v1/Gadget/{id}")).await.status);
    }
    // Backwards: another arrival order, the same faults.
    let mut second = Vec::new();
    for id in (1..=40).rev() {
        second.push(get(&server, &format!("/api/v1/Gadget/{id}")).await.status);
    }
    second.reverse();
    assert_eq!(
        first, second,
        "the request and the seed decide, not the order"
    );
    let faulted = first.iter().filter(|&&s| s == 404).count();
    assert!((8..=32).contains(&faulted), "{faulted} of 40 at rate 0.5");
    assert!(first.contains(&200));
    let metrics = get(&server, "/__mockdown/metrics").await;
    assert_eq!(metrics.status, 200);
    assert!(
        metrics
            .header("content-type")
            .starts_with("application/openmetrics-text"),
        "{}",
        metrics.header("content-type")
    );
    let text = metrics.text();
    let line = format!(
        r#"mockdown_requests_total{{operation="v1GadgetEntity_GetGadget",status="404",source="fault"}} {}"#,
        faulted * 2
    );
    assert!(text.contains(&line), "{line} not in\n{text}");
    assert!(
        text.contains("mockdown_request_duration_seconds_count 80"),
        "{text}"
    );
    server.stop().await;
}

#[tokio::test]
async fn metrics_count_violations_and_unrouted_requests() {
    let server = start_with(MockConfig::default()).await;
    get(&server, "/api/v1/Gadget/3").await;
    get(&server, "/api/v1/Gadget/not-a-number").await;
    get(&server, "/nowhere").await;
    let text = get(&server, "/__mockdown/metrics").await.text();
    for line in [
        r#"mockdown_requests_total{operation="v1GadgetEntity_GetGadget",status="200",source="generated"} 1"#,
        r#"mockdown_requests_total{operation="v1GadgetEntity_GetGadget",status="400",source="error"} 1"#,
        r#"mockdown_requests_total{operation="-",status="404",source="error"} 1"#,
        r#"mockdown_request_violations_total{operation="v1GadgetEntity_GetGadget"} 1"#,
    ] {
        assert!(text.contains(line), "{line} not in\n{text}");
    }
    server.stop().await;
}

#[tokio::test]
async fn timeout_ends_when_the_client_gives_up() {
    let server = start_with(MockConfig::default()).await;
    let mut stream = TcpStream::connect(server.addr()).await.expect("connects");
    let request = format!(
        "GET /api/v1/Gadget/3 HTTP/1.1\r\nhost: {}\r\nauthorization: {AUTH}\r\nprefer: fault=timeout\r\n\r\n",
        server.addr()
    );
    stream
        .write_all(request.as_bytes())
        .await
        .expect("request sent");
    tokio::time::sleep(Duration::from_millis(200)).await;
    drop(stream);
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Stopping waits for open connections: the held one must be gone already.
    let started = Instant::now();
    server.stop().await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the held request outlived its client: stop took {:?}",
        started.elapsed()
    );
}
