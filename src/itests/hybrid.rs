//! `proxy --fallback mock` (hybrid mode) with a real upstream: a second mockdown serving
//! part of the Gadget pages plays the half-built backend. What it lacks is mocked, what it
//! has is proxied (and held to the contract), and the header, the journal and the metrics
//! say which; an unreachable upstream is mocked; `--mock-only` never asks the upstream;
//! `--record` records the upstream's answers only.

use super::common;

use std::path::Path;
use std::time::Duration;

use crate::{MockConfig, ProxyConfig, RunningServer, proxy};
use crate::{contract, docs};
use serde_json::Value;

const PAGES: &str = "tests/fixtures/state";
/// The pages the upstream has: the REST save, read and delete of a Gadget.
const UPSTREAM_HAS: [&str; 3] = [
    "v1GadgetEntity_PostGadget.md",
    "v1GadgetEntity_GetGadget.md",
    "v1GadgetEntity_DeleteGadget.md",
];

/// A mockdown serving only `UPSTREAM_HAS`, statefully (a backend that keeps what it saves).
async fn half_built_backend() -> (RunningServer, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    for page in UPSTREAM_HAS {
        std::fs::copy(Path::new(PAGES).join(page), dir.path().join(page)).expect("copies");
    }
    let dir_name = dir.path().to_string_lossy().into_owned();
    let server = common::start(
        &dir_name,
        MockConfig {
            stateful: true,
            ..MockConfig::default()
        },
    )
    .await;
    (server, dir)
}

async fn hybrid(upstream: String, record: Option<&Path>) -> RunningServer {
    let set = docs::load_dir(Path::new(PAGES), &|| {}).expect("pages load");
    let config = ProxyConfig {
        upstream,
        port: 0,
        timeout: Duration::from_secs(5),
        record: record.map(Path::to_path_buf),
        fallback: Some(MockConfig {
            stateful: true,
            ..MockConfig::default()
        }),
        mock_only: vec!["*PutGadget".into()],
        ..ProxyConfig::default()
    };
    proxy(contract::build(set).contract, config)
        .await
        .expect("proxy starts")
}

async fn send(server: &RunningServer, method: &str, path: &str, body: &str) -> common::Reply {
    let mut headers = vec![("authorization", common::AUTH)];
    if !body.is_empty() {
        headers.push(("content-type", "application/json; charset=utf-8"));
    }
    common::call(server, method, path, &headers, body.to_string()).await
}

fn journal(server: &RunningServer) -> Vec<(String, String, u16, String)> {
    server
        .journal()
        .into_iter()
        .map(|e| (e.method, e.path, e.status, e.answered_by))
        .collect()
}

#[tokio::test]
async fn the_backend_answers_what_it_has_and_the_mock_the_rest() {
    let (backend, _pages) = half_built_backend().await;
    let recorded = tempfile::tempdir().expect("temp dir");
    let hybrid = hybrid(backend.url(), Some(recorded.path())).await;

    // The backend has the REST save: proxied, and it keeps what it saved.
    let saved = send(
        &hybrid,
        "POST",
        "/api/v1/Gadget",
        r#"{"GadgetId":0,"Name":"Real"}"#,
    )
    .await;
    assert_eq!(saved.status, 201, "{}", saved.text());
    assert_eq!(saved.header("x-mockdown-source"), "upstream");
    let id = saved.json()["GadgetId"].as_i64().expect("an id");
    let read = send(&hybrid, "GET", &format!("/api/v1/Gadget/{id}"), "").await;
    assert_eq!(read.header("x-mockdown-source"), "upstream");
    assert_eq!(read.json()["Name"], "Real");

    // It lacks the agent's read (its router answers 404, which the page does not document
    // for it): mocked.
    let agent = send(
        &hybrid,
        "POST",
        "/api/v1/Agents/Gadget/GetGadgetEntity?gadgetEntityId=5",
        "",
    )
    .await;
    assert_eq!(agent.status, 200, "{}", agent.text());
    assert_eq!(agent.header("x-mockdown-source"), "mock");
    assert!(agent.json()["GadgetId"].is_i64());

    // --mock-only: the PUT goes to the mock (stateful: the mock's read gives it back), and
    // the backend never sees it.
    let put = send(
        &hybrid,
        "PUT",
        "/api/v1/Gadget/9",
        r#"{"GadgetId":9,"Name":"Mocked"}"#,
    )
    .await;
    assert_eq!(put.status, 200, "{}", put.text());
    assert_eq!(put.header("x-mockdown-source"), "mock");
    let again = send(
        &hybrid,
        "POST",
        "/api/v1/Agents/Gadget/GetGadgetEntity?gadgetEntityId=9",
        "",
    )
    .await;
    assert_eq!(again.json()["Name"], "Mocked", "the mock keeps state");
    assert!(
        journal(&backend).iter().all(|(method, ..)| method != "PUT"),
        "the upstream was asked for a --mock-only operation"
    );

    // It lacks PATCH on a path it has (its router answers 405): mocked.
    let patch = send(&hybrid, "PATCH", "/api/v1/Gadget/9", r#"[]"#).await;
    assert_eq!(patch.status, 200, "{}", patch.text());
    assert_eq!(patch.header("x-mockdown-source"), "mock");

    // A 404 the page documents (GET of a deleted Gadget) is the API's own answer: passed
    // on, held to the contract, not mocked.
    let deleted = send(&hybrid, "DELETE", &format!("/api/v1/Gadget/{id}"), "").await;
    assert_eq!(deleted.header("x-mockdown-source"), "upstream");
    let gone = send(&hybrid, "GET", &format!("/api/v1/Gadget/{id}"), "").await;
    assert_eq!(gone.status, 404, "{}", gone.text());
    assert_eq!(gone.header("x-mockdown-source"), "upstream");
    assert!(gone.header("x-mockdown-violations").is_empty());

    // The journal says who answered each; the metrics count by source.
    let seen = journal(&hybrid);
    let by = |method: &str, path: &str| {
        seen.iter()
            .find(|(m, p, ..)| m == method && p == path)
            .map(|(.., by)| by.clone())
            .unwrap_or_default()
    };
    assert_eq!(by("POST", "/api/v1/Gadget"), "upstream");
    assert_eq!(
        by(
            "POST",
            "/api/v1/Agents/Gadget/GetGadgetEntity?gadgetEntityId=5"
        ),
        "mock"
    );
    assert_eq!(by("PUT", "/api/v1/Gadget/9"), "mock");
    let metrics = common::get(&hybrid, "/__mockdown/metrics").await.text();
    assert!(
        metrics.contains(r#"operation="v1GadgetEntity_PutGadget",status="200",source="mock""#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"operation="v1GadgetEntity_PostGadget",status="201",source="upstream""#),
        "{metrics}"
    );

    // --record wrote the upstream's answers, never the mock's.
    let files: Vec<Value> = std::fs::read_dir(recorded.path())
        .expect("recorded")
        .filter_map(|e| e.ok())
        .map(|e| {
            serde_json::from_str(&std::fs::read_to_string(e.path()).expect("reads")).expect("JSON")
        })
        .collect();
    let upstream_only = files.iter().all(|stub| {
        let method = stub["match"]["method"].as_str().unwrap_or_default();
        let path = stub["match"]["path"].as_str().unwrap_or_default();
        ["POST", "GET", "DELETE"].contains(&method) && !path.contains("Agents")
    });
    assert!(upstream_only, "mocked answers recorded: {files:#?}");
    assert_eq!(files.len(), 4, "the upstream's four answers: {files:#?}");

    // The mock's own admin routes answer through the proxy (its state here).
    let state = common::get(&hybrid, "/__mockdown/state").await;
    assert_eq!(state.status, 200);
    assert_eq!(state.json()["entities"]["Gadget"]["9"]["Name"], "Mocked");
    hybrid.stop().await;
    backend.stop().await;
}

#[tokio::test]
async fn an_unreachable_backend_is_mocked_and_a_broken_one_is_still_judged() {
    // Bind and drop: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let down = hybrid(format!("http://127.0.0.1:{port}"), None).await;
    let read = send(&down, "GET", "/api/v1/Gadget/3", "").await;
    assert_eq!(read.status, 200, "{}", read.text());
    assert_eq!(read.header("x-mockdown-source"), "mock");
    assert_eq!(read.json()["GadgetId"], 3);
    // An undocumented route has no mock answer: the proxy says the upstream is down.
    let nowhere = send(&down, "GET", "/api/v1/Nowhere", "").await;
    assert_eq!(nowhere.status, 502);
    assert_eq!(nowhere.header("x-mockdown-source"), "proxy");
    down.stop().await;

    // A backend that answers, wrongly: its answer is passed on with its violations.
    let broken = common::start_upstream(|_, _, _| {
        (
            200,
            "application/json; charset=utf-8",
            r#"{"GadgetId":"seven"}"#.into(),
        )
    })
    .await;
    let judged = hybrid(format!("http://{broken}"), None).await;
    let answer = send(&judged, "GET", "/api/v1/Gadget/7", "").await;
    assert_eq!(answer.header("x-mockdown-source"), "upstream");
    assert!(
        answer.header("x-mockdown-violations").contains("/GadgetId"),
        "{:?}",
        answer.headers
    );
    judged.stop().await;
}
