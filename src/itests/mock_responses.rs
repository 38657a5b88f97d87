//! The real mock server over HTTP: what valid requests get back.

use super::common;

use std::time::{Duration, Instant};

use crate::MockConfig;
use common::{AUTH, call, get, get_with, post_json, send_samples, start};

const API: &str = "tests/fixtures/api";

#[tokio::test]
async fn generated_bodies_follow_the_documented_shape() {
    let server = start(API, MockConfig::default()).await;
    let reply = get(&server, "/api/v1/Thing/123?$top=1").await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("x-mockdown-operation"),
        "v1ThingEntity_GetThing"
    );
    assert!(reply.header("content-type").starts_with("application/json"));
    let body = reply.json();
    assert_eq!(
        body["ThingId"], 123,
        "the path id is echoed in the primary key"
    );
    assert!(
        body["EmailAddress"]
            .as_str()
            .is_some_and(|e| e.contains('@')),
        "{body}"
    );
    assert!(
        body["Updated"]
            .as_str()
            .is_some_and(|d| chrono::DateTime::parse_from_rfc3339(d).is_ok())
    );
    assert!(["Open", "Closed"].contains(&body["Status"].as_str().unwrap_or_default()));
    assert!(
        body["Owner"].is_object(),
        "named types are filled, not null"
    );
    let tags = body["Tags"].as_array().map_or(0, Vec::len);
    assert!((1..=3).contains(&tags));
    server.stop().await;
}

#[tokio::test]
async fn a_requested_limit_bounds_the_items_answered() {
    let server = start(API, MockConfig::default()).await;
    for id in 1..40 {
        let none = get(&server, &format!("/api/v1/Thing/{id}?$top=0"))
            .await
            .json();
        assert_eq!(none["Tags"], serde_json::json!([]), "$top=0: {none}");
        let one = get(&server, &format!("/api/v1/Thing/{id}?$top=1"))
            .await
            .json();
        let tags = one["Tags"].as_array().map_or(0, Vec::len);
        assert!(tags <= 1, "$top=1 answered {tags} items: {one}");
    }
    server.stop().await;
}

#[tokio::test]
async fn responses_are_deterministic_per_request_and_seed() {
    let server = start(API, MockConfig::default()).await;
    let a = get(&server, "/api/v1/Thing/5?$top=1").await.body;
    let b = get(&server, "/api/v1/Thing/5?$top=1").await.body;
    let c = get(&server, "/api/v1/Thing/6?$top=1").await.body;
    assert_eq!(a, b, "same request, same bytes");
    assert_ne!(a, c, "different ids, different data");
    server.stop().await;
    let other_seed = start(
        API,
        MockConfig {
            seed: 9,
            ..MockConfig::default()
        },
    )
    .await;
    let d = get(&other_seed, "/api/v1/Thing/5?$top=1").await.body;
    assert_ne!(a, d, "another seed, other data");
    other_seed.stop().await;
}

#[tokio::test]
async fn posts_echo_what_the_client_sent() {
    let server = start(API, MockConfig::default()).await;
    let reply = post_json(
        &server,
        "/api/v1/Thing",
        r#"{"Name": "Sent Name", "Tags": ["only"]}"#,
    )
    .await;
    assert_eq!(reply.status, 201);
    let body = reply.json();
    assert_eq!(body["Name"], "Sent Name");
    assert_eq!(body["Tags"], serde_json::json!(["only"]));
    assert!(body["Department"].is_string(), "the rest is generated");
    server.stop().await;
}

#[tokio::test]
async fn prefer_modes() {
    let server = start(API, MockConfig::default()).await;
    let with =
        |prefer: &'static str| get_with(&server, "/api/v1/Thing/1?$top=1", ("prefer", prefer));
    let example = with("example=true").await;
    assert_eq!(example.status, 200);
    assert_eq!(
        example.json()["Name"],
        "Hills Group",
        "the documented sample, verbatim"
    );
    assert_eq!(
        example.json()["Updated"],
        "2016-09-15T14:19:10.1623498+02:00"
    );

    let not_found = with("code=404").await;
    assert_eq!(not_found.status, 404);
    assert_eq!(not_found.json()["Error"], true);
    assert_eq!(not_found.json()["ErrorMessage"], "Not Found.");

    let not_modified = with("code=304").await;
    assert_eq!(not_modified.status, 304);
    assert!(not_modified.body.is_empty());

    let undocumented = with("code=418").await;
    assert_eq!(undocumented.status, 400);
    let message = undocumented.json()["ErrorMessage"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(message.contains("200, 304, 404"), "{message}");

    let dynamic = with("dynamic=true").await;
    assert_eq!(
        dynamic.body,
        get(&server, "/api/v1/Thing/1?$top=1").await.body
    );

    let deleted = call(
        &server,
        "DELETE",
        "/api/v1/Thing/1",
        &[("authorization", AUTH)],
        "",
    )
    .await;
    assert_eq!(deleted.status, 204);
    assert!(deleted.body.is_empty());
    server.stop().await;
}

#[tokio::test]
async fn select_leaves_unselected_fields_out() {
    let server = start(API, MockConfig::default()).await;
    let body = get(&server, "/api/v1/Thing/1?$top=1&$select=name,department")
        .await
        .json();
    assert!(body["Name"].is_string() && body["Department"].is_string());
    let mut keys: Vec<&String> = body.as_object().expect("an object").keys().collect();
    keys.sort();
    assert_eq!(keys, ["Department", "Name"], "{body}");
    // Names the answer does not hold at its root select nothing of it: answered whole.
    let whole = get(&server, "/api/v1/Thing/1?$top=1&$select=category/id")
        .await
        .json();
    assert!(
        whole["ThingId"].is_number() && whole["Name"].is_string(),
        "{whole}"
    );
    server.stop().await;
}

#[tokio::test]
async fn accept_negotiates_json_xml_or_406() {
    let server = start(API, MockConfig::default()).await;
    let ask =
        |accept: &'static str| get_with(&server, "/api/v1/Thing/1?$top=1", ("accept", accept));
    let xml = ask("application/xml").await;
    assert_eq!(xml.status, 200);
    assert!(xml.header("content-type").starts_with("application/xml"));
    assert!(
        xml.text().contains("<ThingEntity><ThingId>1</ThingId>"),
        "{}",
        xml.text()
    );
    assert!(
        ask("text/xml")
            .await
            .header("content-type")
            .starts_with("text/xml")
    );
    assert!(
        ask("text/json")
            .await
            .header("content-type")
            .starts_with("text/json")
    );
    let refused = ask("image/png").await;
    assert_eq!(refused.status, 406);
    assert_eq!(refused.json()["ErrorType"], "NotAcceptable");
    server.stop().await;
}

#[tokio::test]
async fn cors_for_browser_apps() {
    let server = start(
        API,
        MockConfig {
            cors_origin: "http://localhost:3000".into(),
            ..MockConfig::default()
        },
    )
    .await;
    let preflight = call(
        &server,
        "OPTIONS",
        "/api/v1/Thing/1",
        &[
            ("origin", "http://localhost:3000"),
            ("access-control-request-method", "DELETE"),
        ],
        "",
    )
    .await;
    assert_eq!(preflight.status, 204);
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        "http://localhost:3000"
    );
    assert_eq!(
        preflight.header("access-control-allow-methods"),
        "DELETE, GET"
    );
    assert!(
        preflight
            .header("access-control-allow-headers")
            .contains("authorization")
    );
    let normal = get(&server, "/api/v1/Thing/1?$top=1").await;
    assert_eq!(
        normal.header("access-control-allow-origin"),
        "http://localhost:3000"
    );
    let rejected = call(&server, "GET", "/api/v1/Thing/1", &[], "").await;
    assert_eq!(
        rejected.header("access-control-allow-origin"),
        "http://localhost:3000",
        "errors too"
    );
    server.stop().await;
}

#[tokio::test]
async fn latency_and_slow_pages() {
    let server = start(
        API,
        MockConfig {
            latency: Duration::from_millis(120),
            ..MockConfig::default()
        },
    )
    .await;
    let started = Instant::now();
    assert_eq!(get(&server, "/api/v1/Thing/1?$top=1").await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(120));
    server.stop().await;

    let server = start(API, MockConfig::default()).await;
    let started = Instant::now();
    let slow = call(
        &server,
        "GET",
        "/api/v1/Thing/1?$top=1",
        &[("authorization", AUTH), ("prefer", "slow=true")],
        "",
    )
    .await;
    assert_eq!(slow.status, 200);
    assert!(
        started.elapsed() > Duration::from_millis(50),
        "beyond the page's NsApiSlow threshold"
    );
    server.stop().await;
}

#[tokio::test]
async fn admin_surface_and_journal() {
    let server = start(API, MockConfig::default()).await;
    let health = get(&server, "/__mockdown/health").await.json();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["routes"], 3);
    let routes = get(&server, "/__mockdown/routes").await.json();
    assert_eq!(routes[0]["method"], "DELETE");
    assert_eq!(routes[0]["operationId"], "v1ThingEntity_DeleteThing");

    get(&server, "/api/v1/Thing/1?$top=1").await;
    post_json(&server, "/api/v1/Thing", r#"{"Name": 1}"#).await;
    let journal = get(&server, "/__mockdown/requests").await.json();
    let entries = journal["requests"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        entries.len(),
        2,
        "admin calls are not journaled: {entries:?}"
    );
    assert_eq!(entries[0]["status"], 200);
    assert_eq!(entries[0]["operationId"], "v1ThingEntity_GetThing");
    assert_eq!(entries[1]["status"], 400);
    assert_eq!(entries[1]["violations"][0]["pointer"], "/Name");
    assert!(entries[1]["durationMs"].is_number());

    let cleared = call(&server, "DELETE", "/__mockdown/requests", &[], "").await;
    assert_eq!(cleared.status, 204);
    assert_eq!(
        get(&server, "/__mockdown/requests").await.json()["requests"],
        serde_json::json!([])
    );
    server.stop().await;
}

#[tokio::test]
async fn seed_operation_responses_snapshot() {
    let server = start("docs", MockConfig::default()).await;
    for (id, reply) in send_samples(&server, "docs").await {
        let pretty = serde_json::to_string_pretty(&reply.json()).unwrap_or_default();
        let snapshot = format!(
            "{} {}\n{pretty}",
            reply.status,
            reply.header("x-mockdown-operation")
        );
        insta::with_settings!({snapshot_path => "../../snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(format!("mock__{id}"), snapshot);
        });
    }
    server.stop().await;
}

#[tokio::test]
async fn pages_that_document_pictures_answer_pictures() {
    let server = common::start("tests/fixtures/images", MockConfig::default()).await;
    let png = common::get_with(&server, "/api/v1/Thing/7/Image", ("accept", "image/png")).await;
    assert_eq!(png.status, 200);
    assert_eq!(png.header("content-type"), "image/png");
    assert!(png.body.starts_with(b"\x89PNG\r\n\x1a\n"));
    // What a browser's <img> sends.
    let browser = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";
    let img = common::get_with(&server, "/api/v1/Thing/7/Image", ("accept", browser)).await;
    assert_eq!(img.header("content-type"), "image/png");
    let gif = common::get_with(&server, "/api/v1/Thing/7/Image", ("accept", "image/gif")).await;
    assert!(gif.body.starts_with(b"GIF89a"));
    // Not documented here: 406, in the API's error shape.
    let tiff = common::get_with(&server, "/api/v1/Thing/7/Image", ("accept", "image/tiff")).await;
    assert_eq!(tiff.status, 406);
    assert_eq!(tiff.json()["ErrorType"], "NotAcceptable");
    // Errors stay JSON even when a picture was asked for.
    let call = common::call(
        &server,
        "GET",
        "/api/v1/Thing/7/Image",
        &[
            ("authorization", common::AUTH),
            ("accept", "image/png"),
            ("prefer", "code=404"),
        ],
        bytes::Bytes::new(),
    )
    .await;
    assert_eq!(call.status, 404);
    assert!(call.header("content-type").starts_with("application/json"));
    server.stop().await;
}

#[tokio::test]
async fn prepared_operations_stay_within_budget_and_answers_do_not_change() {
    let unbounded = start("docs", MockConfig::default()).await;
    let expected = send_samples(&unbounded, "docs").await;
    unbounded.stop().await;
    let bounded = start(
        "docs",
        MockConfig {
            prepared_budget: 2,
            ..MockConfig::default()
        },
    )
    .await;
    // Twice round: every operation is dropped and prepared again at least once.
    for round in 0..2 {
        let replies = send_samples(&bounded, "docs").await;
        assert_eq!(replies.len(), expected.len());
        for ((id, reply), (_, want)) in replies.iter().zip(&expected) {
            assert_eq!(reply.status, want.status, "{id} round {round}");
            assert_eq!(reply.body, want.body, "{id} round {round}: same bytes");
        }
        let health = get(&bounded, "/__mockdown/health").await.json();
        let live = health["preparedOperations"].as_u64().unwrap_or(99);
        assert!((1..=2).contains(&live), "{live} prepared");
    }
    bounded.stop().await;
}
