//! Issue 12 §2 and §5 (HTTP side): header, idle and body timeouts, the connection limit,
//! back-off at the file-descriptor limit, and requests HTTP/1.1 refuses (no Host, a
//! lowercase method, `+` in a path).

use super::common;

use std::time::{Duration, Instant};

use crate::{Limits, MockConfig};
use common::{raw, start};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const API: &str = "tests/fixtures/api";

fn limits(header: u64, body: u64, connections: usize) -> MockConfig {
    MockConfig {
        auth: false,
        limits: Limits {
            header_timeout: Duration::from_secs(header),
            body_timeout: Duration::from_secs(body),
            max_connections: connections,
            ..Limits::default()
        },
        ..MockConfig::default()
    }
}

/// Reads until the server closes the connection (or `limit` passes); how long it took.
async fn time_to_close(stream: &mut TcpStream, limit: Duration) -> Duration {
    let started = Instant::now();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout(limit, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return started.elapsed(),
            Ok(Ok(_)) => {}
        }
    }
}

#[tokio::test]
async fn slowloris_and_idle_connections_end_at_the_header_timeout() {
    let server = start(API, limits(1, 30, 64)).await;
    let mut slow = TcpStream::connect(server.addr()).await.expect("connects");
    let started = Instant::now();
    // One header byte every 200 ms: hyper's deadline is for the whole head.
    let drip = async {
        for byte in b"GET /api/v1/Thing/1 HTTP/1.1\r\nHost: x\r\nX-Slow: 1234567890" {
            if slow.write_all(&[*byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), drip).await;
    let lived = started.elapsed();
    assert!(
        lived < Duration::from_millis(2500),
        "slowloris lived {lived:?}"
    );
    // An idle keep-alive connection is closed after the same time.
    let mut idle = TcpStream::connect(server.addr()).await.expect("connects");
    idle.write_all(b"GET /api/v1/Thing/1?$top=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("writes");
    let lived = time_to_close(&mut idle, Duration::from_secs(5)).await;
    assert!(
        lived >= Duration::from_millis(900) && lived < Duration::from_millis(2500),
        "idle keep-alive lived {lived:?}"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_slow_body_is_answered_408() {
    let server = start(API, limits(10, 1, 64)).await;
    let started = Instant::now();
    let answer = raw(
        server.addr(),
        b"POST /api/v1/Thing HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"Name\":",
        Duration::from_secs(5),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("RequestTimeout"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(3));
    server.stop().await;
}

#[tokio::test]
async fn connections_over_the_limit_get_a_clear_503() {
    let server = start(API, limits(10, 30, 2)).await;
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(server.addr()).await.expect("connects");
        stream
            .write_all(b"GET /api/v1/Thing/1?$top=1 HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .expect("writes");
        let mut buffer = [0u8; 1024];
        let n = stream.read(&mut buffer).await.expect("answered");
        assert!(buffer[..n].starts_with(b"HTTP/1.1 200"));
        held.push(stream);
    }
    let refused = raw(
        server.addr(),
        b"GET /api/v1/Thing/1?$top=1 HTTP/1.1\r\nHost: x\r\n\r\n",
        Duration::from_secs(3),
    )
    .await;
    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    assert!(refused.contains("TooManyConnections"), "{refused}");
    drop(held);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let served = raw(
        server.addr(),
        b"GET /api/v1/Thing/1?$top=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        Duration::from_secs(3),
    )
    .await;
    assert!(served.starts_with("HTTP/1.1 200"), "{served}");
    server.stop().await;
}

#[tokio::test]
async fn http11_without_host_lowercase_methods_and_plus_in_paths() {
    let server = start(API, limits(10, 30, 64)).await;
    let wait = Duration::from_secs(3);
    let no_host = raw(
        server.addr(),
        b"GET /api/v1/Thing/1?$top=1 HTTP/1.1\r\nConnection: close\r\n\r\n",
        wait,
    )
    .await;
    assert!(no_host.starts_with("HTTP/1.1 400"), "{no_host}");
    assert!(no_host.contains("Host"), "{no_host}");
    let two_hosts = raw(
        server.addr(),
        b"GET /api/v1/Thing/1?$top=1 HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n",
        wait,
    )
    .await;
    assert!(two_hosts.starts_with("HTTP/1.1 400"), "{two_hosts}");
    let http10 = raw(
        server.addr(),
        b"GET /api/v1/Thing/1?$top=1 HTTP/1.0\r\n\r\n",
        wait,
    )
    .await;
    assert!(http10.starts_with("HTTP/1.0 200"), "{http10}");
    let lowercase = raw(
        server.addr(),
        b"get /api/v1/Thing/1?$top=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        wait,
    )
    .await;
    assert!(lowercase.starts_with("HTTP/1.1 405"), "{lowercase}");
    assert!(lowercase.contains("allow: DELETE, GET"), "{lowercase}");
    // `+` in a path is a plus sign (the id is refused as `1+2`, not `1 2`).
    let plus = common::get(&server, "/api/v1/Thing/1+2?$top=1").await;
    assert_eq!(plus.status, 400);
    assert!(plus.text().contains(r#"1+2"#), "{}", plus.text());
    server.stop().await;
}
