//! Issue 12 §1 and §4 (journal side): violations and error bodies capped, the journal a
//! ring bounded in bytes with headers, body excerpts, masked secrets and pages.

use super::common;

use crate::{JournalConfig, MockConfig};
use common::{AUTH, call, get, post_json, start};
use serde_json::Value;

const API: &str = "tests/fixtures/api";

async fn journal(server: &crate::RunningServer, query: &str) -> Value {
    get(server, &format!("/__mockdown/requests{query}"))
        .await
        .json()
}

#[tokio::test]
async fn violations_and_error_bodies_are_capped() {
    // Past the default field limit, so that the violations are found and capped.
    let limits = crate::Limits {
        max_fields: 500_000,
        ..crate::Limits::default()
    };
    let server = start(
        API,
        MockConfig {
            limits,
            ..MockConfig::default()
        },
    )
    .await;
    // 400,000 wrong array items in a body just under 1 MiB.
    let items = vec!["1"; 400_000].join(",");
    let body = format!(r#"{{"Name": "x", "Tags": [{items}]}}"#);
    assert!(body.len() < 1024 * 1024);
    let reply = post_json(&server, "/api/v1/Thing", &body).await;
    assert_eq!(reply.status, 400);
    assert!(
        reply.body.len() < 64 * 1024,
        "error body {} bytes",
        reply.body.len()
    );
    let json = reply.json();
    assert_eq!(json["Violations"].as_array().map(Vec::len), Some(100));
    assert_eq!(json["ViolationsOmitted"], 399_900);
    assert!(
        json["ErrorMessage"]
            .as_str()
            .is_some_and(|m| m.contains("400000 place(s)")),
        "{}",
        json["ErrorMessage"]
    );
    let page = journal(&server, "").await;
    let entry = &page["requests"][0];
    assert_eq!(entry["violations"].as_array().map(Vec::len), Some(100));
    assert_eq!(entry["violationsOmitted"], 399_900);
    assert_eq!(entry["request"]["bodyBytes"], body.len());
    assert_eq!(entry["request"]["bodyTruncated"], true);
    assert!(
        entry["request"]["body"]
            .as_str()
            .is_some_and(|b| b.len() <= 4096)
    );
    server.stop().await;
}

#[tokio::test]
async fn journal_keeps_headers_excerpts_and_masks_secrets() {
    let server = start(API, MockConfig::default()).await;
    call(
        &server,
        "GET",
        "/api/v1/Thing/7?$top=1&ticket=7T:secret&MyToken=abc",
        &[
            ("authorization", AUTH),
            ("cookie", "session=abc"),
            ("x-xsrf-token", "xyz"),
            ("x-trace", "visible"),
        ],
        "",
    )
    .await;
    post_json(
        &server,
        "/api/v1/Thing",
        r#"{"Name": "n", "Password": "hunter2", "ApiSecret": 42}"#,
    )
    .await;
    let page = journal(&server, "").await;
    let text = page.to_string();
    for secret in [
        "secret\"",
        "abc",
        "xyz",
        "hunter2",
        "dGplMDpUamUw",
        "ApiSecret\\\": 42",
    ] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    let get = &page["requests"][0];
    assert_eq!(get["path"], "/api/v1/Thing/7?$top=1&ticket=***&MyToken=***");
    let headers = &get["request"]["headers"];
    assert_eq!(headers["authorization"], "Basic ***");
    assert_eq!(headers["cookie"], "***");
    assert_eq!(headers["x-xsrf-token"], "***");
    assert_eq!(headers["x-trace"], "visible");
    assert_eq!(
        get["response"]["headers"]["content-type"],
        "application/json; charset=utf-8"
    );
    let excerpt = get["response"]["body"].as_str().unwrap_or_default();
    assert!(excerpt.starts_with('{'), "{excerpt}");
    let post = &page["requests"][1];
    assert_eq!(
        post["request"]["body"],
        r#"{"Name": "n", "Password": "***", "ApiSecret": "***"}"#
    );
    server.stop().await;
}

#[tokio::test]
async fn journal_is_a_ring_bounded_in_bytes_and_pages() {
    let config = MockConfig {
        journal: JournalConfig {
            bytes: 64 * 1024,
            body_bytes: 512,
            ..JournalConfig::default()
        },
        ..MockConfig::default()
    };
    let server = start(API, config).await;
    for i in 0..400 {
        get(&server, &format!("/api/v1/Thing/{i}?$top=1")).await;
    }
    let all = get(&server, "/__mockdown/requests?limit=1000").await;
    let page = all.json();
    let held = page["total"].as_u64().unwrap_or_default();
    assert!(held > 10 && held < 400, "{held} entries held in 64 KiB");
    assert!(all.body.len() < 256 * 1024, "{} bytes", all.body.len());
    let entries = page["requests"].as_array().cloned().unwrap_or_default();
    let ids: Vec<u64> = entries.iter().filter_map(|e| e["id"].as_u64()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "oldest first");
    assert_eq!(ids.last(), Some(&400), "the newest is kept");
    // The latest ten, then five after a cursor.
    let latest = journal(&server, "?limit=10").await;
    let latest_ids: Vec<u64> = latest["requests"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["id"].as_u64()).collect())
        .unwrap_or_default();
    assert_eq!(latest_ids, (391..=400).collect::<Vec<_>>());
    assert_eq!(latest["more"], false);
    let since = ids[0];
    let after = journal(&server, &format!("?since={since}&limit=5")).await;
    let after_ids: Vec<u64> = after["requests"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["id"].as_u64()).collect())
        .unwrap_or_default();
    assert_eq!(after_ids, ids[1..6].to_vec());
    assert_eq!(after["next"], ids[5]);
    assert_eq!(after["more"], true);
    assert_eq!(
        get(&server, "/__mockdown/requests?limit=many").await.status,
        400
    );
    server.stop().await;
}

#[tokio::test]
async fn a_journal_of_zero_bytes_keeps_nothing() {
    let config = MockConfig {
        journal: JournalConfig {
            bytes: 0,
            ..JournalConfig::default()
        },
        ..MockConfig::default()
    };
    let server = start(API, config).await;
    get(&server, "/api/v1/Thing/1?$top=1").await;
    let page = journal(&server, "").await;
    assert_eq!(page["enabled"], false);
    assert_eq!(page["requests"], serde_json::json!([]));
    server.stop().await;
}
