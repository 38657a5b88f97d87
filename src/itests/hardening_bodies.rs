//! Issue 19: bodies that cost CPU (fields capped, a CPU budget, large bodies checked off the
//! async workers), the exact int64 fast path, violation counts past the cap, and held
//! faults that do not take the places of other clients.

use super::common;

use std::time::Duration;

use crate::{Limits, MockConfig};
use common::{AUTH, Reply, call, post_json, start};
use tokio::io::AsyncWriteExt;

const LIMITS: &str = "tests/fixtures/limits";
const BULK: &str = "/api/v1/Bulk";

/// The mock of the limits fixture with `limits`.
async fn bulk_mock(limits: Limits) -> crate::RunningServer {
    start(
        LIMITS,
        MockConfig {
            limits,
            ..MockConfig::default()
        },
    )
    .await
}

async fn post(server: &crate::RunningServer, content_type: &str, body: String) -> Reply {
    call(
        server,
        "POST",
        BULK,
        &[("authorization", AUTH), ("content-type", content_type)],
        body,
    )
    .await
}

/// Asserts a 413 in the API's error shape with `error_type`.
fn assert_refused(reply: &Reply, error_type: &str) {
    assert_eq!(reply.status, 413, "{}", reply.text());
    let json = reply.json();
    assert_eq!(json["ErrorType"], error_type, "{json}");
    assert!(json["ErrorMessage"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(json.get("Error").is_some(), "the API's error shape: {json}");
}

const FORM: &str = "application/x-www-form-urlencoded";

#[tokio::test]
async fn form_xml_and_json_bodies_are_held_to_the_field_limit() {
    let server = bulk_mock(Limits {
        max_fields: 10_000,
        ..Limits::default()
    })
    .await;
    // At the limit: read (in linear time) and checked; the unknown keys are allowed.
    let at_limit: String = (0..10_000).map(|i| format!("k{i}=&")).collect();
    let reply = post(&server, FORM, at_limit).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    // One over: 413 before any more work.
    let over: String = (0..10_001).map(|i| format!("k{i}=&")).collect();
    assert_refused(&post(&server, FORM, over).await, "TooManyFields");
    // 100,000 sibling XML elements.
    let xml = format!("<BulkEntity>{}</BulkEntity>", "<Name/>".repeat(100_000));
    assert_refused(
        &post(&server, "application/xml", xml).await,
        "TooManyFields",
    );
    // JSON with 100,000 keys, and with 100,000 array items.
    let json = format!("{{{}}}", vec![r#""k":1"#; 100_000].join(","));
    assert_refused(&post_json(&server, BULK, &json).await, "TooManyFields");
    let items = format!(
        r#"{{"Name": "x", "More": [{}]}}"#,
        vec!["1"; 100_000].join(",")
    );
    assert_refused(&post_json(&server, BULK, &items).await, "TooManyFields");
    // Small bodies are not counted at all, and a valid one is answered.
    let reply = post_json(&server, BULK, r#"{"Name": "Few", "Total": 7}"#).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    server.stop().await;
}

#[tokio::test]
async fn a_body_over_its_cpu_budget_is_refused() {
    let server = bulk_mock(Limits {
        max_fields: 1_000_000,
        body_cpu: Duration::from_millis(1),
        ..Limits::default()
    })
    .await;
    let form: String = (0..100_000).map(|i| format!("k{i}=&")).collect();
    assert_refused(&post(&server, FORM, form).await, "BodyTooComplex");
    // A small body is far within the budget.
    let reply = post(&server, FORM, "Name=Few&Total=7".to_string()).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    server.stop().await;
}

#[tokio::test]
async fn a_large_valid_body_is_checked_off_the_workers_and_echoed() {
    let server = bulk_mock(Limits::default()).await;
    // Over 64 KiB: checked on the blocking pool; the members found there are echoed.
    let name = "n".repeat(100 * 1024);
    let body = format!(r#"{{"BulkId": 3, "Name": "{name}", "Total": 9223372036854775807}}"#);
    let reply = post_json(&server, BULK, &body).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let json = reply.json();
    assert_eq!(json["Name"].as_str().map(str::len), Some(name.len()));
    assert_eq!(json["Total"], 9_223_372_036_854_775_807_i64);
    // The same body, broken, over 64 KiB: the violation is found there too.
    let broken = body.replace(r#""BulkId": 3"#, r#""BulkId": "three""#);
    let reply = post_json(&server, BULK, &broken).await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert_eq!(common::pointers(&reply), ["/BulkId"]);
    server.stop().await;
}

#[tokio::test]
async fn int64_bounds_are_exact() {
    let server = bulk_mock(Limits::default()).await;
    for (total, status) in [
        ("9223372036854775807", 200),
        ("-9223372036854775808", 200),
        ("9223372036854775808", 400),
        ("18446744073709551615", 400),
        ("9223372036854775808.0", 400),
    ] {
        let body = format!(r#"{{"Name": "x", "Total": {total}}}"#);
        let reply = post_json(&server, BULK, &body).await;
        assert_eq!(reply.status, status, "Total {total}: {}", reply.text());
        if status == 400 {
            assert_eq!(common::pointers(&reply), ["/Total"], "Total {total}");
        }
    }
    server.stop().await;
}

/// A page whose GET takes `n` int32 query parameters `p0` … `p{n-1}`.
fn many_parameters_page(n: usize) -> String {
    let rows: String = (0..n)
        .map(|i| format!("| p{i} | int32 | Parameter {i}. |\n"))
        .collect();
    format!(
        "---\ntitle: GET Many\nuid: v1ManyEntity_GetMany\n---\n\n# GET Many\n\n```http\nGET /api/v1/Many\n```\n\nGets many.\n\n\
         ## Query String Parameters\n\n| Parameter Name | Type |  Description |\n|----------------|------|--------------|\n{rows}\n\
         ## Request Headers\n\n| Parameter Name | Description |\n|----------------|-------------|\n\
         | Authorization  | Supports 'Basic', 'SoTicket' and 'Bearer' schemes, depending on installation type. |\n\n\
         ## Response:\n\nOK\n\n| Response | Description |\n|----------------|-------------|\n| 200 | OK |\n\n\
         ### Response body: ManyEntity\n\n| Property Name | Type |  Description |\n|----------------|------|--------------|\n\
         | ManyId | int32 | Primary key |\n"
    )
}

#[tokio::test]
async fn parameter_violations_past_the_cap_are_counted() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("v1ManyEntity_GetMany.md"),
        many_parameters_page(120),
    )
    .expect("page written");
    let server = start(
        dir.path().to_str().expect("UTF-8 path"),
        MockConfig::default(),
    )
    .await;
    let query: Vec<String> = (0..120).map(|i| format!("p{i}=x")).collect();
    let reply = common::get(&server, &format!("/api/v1/Many?{}", query.join("&"))).await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    let json = reply.json();
    assert_eq!(json["Violations"].as_array().map(Vec::len), Some(100));
    assert_eq!(json["ViolationsOmitted"], 20);
    assert!(
        json["ErrorMessage"]
            .as_str()
            .is_some_and(|m| m.contains("120 place(s)")),
        "{json}"
    );
    let journal = common::get(&server, "/__mockdown/requests").await.json();
    assert_eq!(journal["requests"][0]["violationsOmitted"], 20);
    server.stop().await;
}

/// Sends a request with `Prefer: fault=timeout` on a raw connection and keeps it open.
async fn held_timeout(server: &crate::RunningServer) -> tokio::net::TcpStream {
    let mut stream = tokio::net::TcpStream::connect(server.addr())
        .await
        .expect("connects");
    let request = format!(
        "GET /api/v1/Thing/1?$top=1 HTTP/1.1\r\nHost: x\r\nAuthorization: {AUTH}\r\nPrefer: fault=timeout\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .await
        .expect("request sent");
    stream
}

#[tokio::test]
async fn held_faults_have_their_own_limit_apart_from_connections() {
    let server = start(
        "tests/fixtures/api",
        MockConfig {
            limits: Limits {
                max_connections: 2,
                max_held: 2,
                ..Limits::default()
            },
            fault_timeout: Duration::from_secs(5),
            ..MockConfig::default()
        },
    )
    .await;
    let _held = [held_timeout(&server).await, held_timeout(&server).await];
    // Until they are read, the two take both connection places: a client now could be
    // refused. Once read, they are held (the journal records them before the hold).
    tokio::time::sleep(Duration::from_millis(300)).await;
    for _ in 0..100 {
        let journal = common::get(&server, "/__mockdown/requests").await.json();
        let held = journal["requests"].as_array().map_or(0, |r| {
            r.iter()
                .filter(|e| e["answeredBy"] == "fault timeout")
                .count()
        });
        if held == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // A third held request: no held place left, 503 in the API's error shape.
    let third = common::get_with(
        &server,
        "/api/v1/Thing/1?$top=1",
        ("prefer", "fault=timeout"),
    )
    .await;
    assert_eq!(third.status, 503, "{}", third.text());
    assert_eq!(third.json()["ErrorType"], "TooManyHeldFaults");
    assert_eq!(third.header("retry-after"), "1");
    // The two held requests took no connection places: with --max-connections 2, two
    // clients at once are still served (once the server has seen the clients before close).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (a, b) = tokio::join!(
        common::get(&server, "/api/v1/Thing/1?$top=1"),
        common::get(&server, "/api/v1/Thing/2?$top=1")
    );
    assert_eq!(
        (a.status, b.status),
        (200, 200),
        "{} {}",
        a.text(),
        b.text()
    );
    server.stop().await;
}
