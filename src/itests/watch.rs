//! Issue 14 §2: `serve --watch` over real HTTP. A client keeps calling while pages are
//! added, broken, fixed and removed: no request fails, new operations appear, removed ones
//! answer 404, a page that no longer builds keeps the last good build, saved state survives
//! every reload, and a stub the new contract refuses is marked stale and stops answering.

use super::common;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::{MockConfig, RunningServer, serve_docs};
use common::{AUTH, call, get, post_json};
use serde_json::json;

const STATE: &str = "tests/fixtures/state";

/// A copy of the Gadget pages in a folder of its own.
fn pages() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(STATE).expect("fixtures") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("a file name");
        std::fs::copy(&path, dir.path().join(name)).expect("copied");
    }
    dir
}

/// Waits until `path` answers `status` (10 s at most); the time it took.
async fn until(server: &RunningServer, path: &str, status: u16) -> Duration {
    let started = Instant::now();
    loop {
        let reply = get(server, path).await;
        if reply.status == status {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{path} still answers {} ({}), not {status}",
            reply.status,
            reply.text()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn widget_page(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("v1GadgetEntity_GetGadget.md"))
        .expect("page")
        .replace("Gadget", "Widget")
}

async fn watching(dir: &Path, stateful: bool) -> RunningServer {
    let config = MockConfig {
        port: 0,
        watch: true,
        stateful,
        ..MockConfig::default()
    };
    serve_docs(dir, config).await.expect("serves")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_during_load_loses_no_request() {
    let dir = pages();
    let server = Arc::new(watching(dir.path(), true).await);
    // Saved state must outlive the reloads.
    let saved = post_json(
        &server,
        "/api/v1/Gadget",
        &json!({"GadgetId": 0, "Name": "Kept", "Department": "Sales",
            "Updated": "2024-05-01T10:00:00Z", "Rank": 1, "Tags": [], "Status": "Open"})
        .to_string(),
    )
    .await;
    assert_eq!(saved.status, 201, "{}", saved.text());
    let id = saved.json()["GadgetId"].as_i64().expect("an id");

    // A client that keeps calling an operation every build has.
    let stop = Arc::new(AtomicBool::new(false));
    let (sent, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let client = {
        let (server, stop, sent, failed) =
            (server.clone(), stop.clone(), sent.clone(), failed.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let reply = get(
                    &server,
                    &format!("/api/v1/Gadget/{}", 1 + sent.load(Ordering::Relaxed) % 50),
                )
                .await;
                sent.fetch_add(1, Ordering::Relaxed);
                if reply.status != 200 {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
    };

    // A new page: its operation appears.
    assert_eq!(get(&server, "/api/v1/Widget/3").await.status, 404);
    std::fs::write(
        dir.path().join("v1WidgetEntity_GetWidget.md"),
        widget_page(dir.path()),
    )
    .expect("written");
    let appeared = until(&server, "/api/v1/Widget/3", 200).await;
    assert!(appeared < Duration::from_secs(5), "took {appeared:?}");
    // The explorer's index (which the open page polls) shows the new operation.
    let index = get(&server, "/__mockdown/explorer/index.json").await;
    assert!(
        index.text().contains("v1WidgetEntity_GetWidget"),
        "the explorer follows the reload"
    );

    // The page half-written (sections but no endpoint line yet): it no longer builds, and
    // the last good build keeps serving it.
    std::fs::write(
        dir.path().join("v1WidgetEntity_GetWidget.md"),
        "---\nuid: v1WidgetEntity_GetWidget\n---\n\n# GET Widget/{id}\n\n## Response:\n\n| Response | Description |\n|---|---|\n| 200 | OK |\n",
    )
    .expect("written");
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        get(&server, "/api/v1/Widget/3").await.status,
        200,
        "last good build"
    );

    // Another page changed meanwhile still reloads once the broken one is fixed.
    std::fs::write(
        dir.path().join("v1WidgetEntity_GetWidget.md"),
        widget_page(dir.path()),
    )
    .expect("written");
    // Removed: 404.
    std::fs::remove_file(dir.path().join("v1WidgetEntity_GetWidget.md")).expect("removed");
    until(&server, "/api/v1/Widget/3", 404).await;

    stop.store(true, Ordering::Relaxed);
    client.await.expect("client ends");
    let (sent, failed) = (sent.load(Ordering::Relaxed), failed.load(Ordering::Relaxed));
    assert!(sent > 20, "the client kept calling: {sent}");
    assert_eq!(
        failed, 0,
        "{failed} of {sent} requests failed during reloads"
    );

    let kept = get(&server, &format!("/api/v1/Gadget/{id}")).await;
    assert_eq!(kept.json()["Name"], "Kept", "state survives reloads");
    if let Ok(server) = Arc::try_unwrap(server) {
        server.stop().await;
    }
}

#[tokio::test]
async fn stubs_the_new_contract_refuses_go_stale() {
    let dir = pages();
    let server = watching(dir.path(), false).await;
    let added = call(
        &server,
        "POST",
        "/__mockdown/stubs",
        &[("content-type", "application/json")],
        json!({"id": "missing", "match": {"method": "GET", "path": "/api/v1/Gadget/{id}"},
               "response": {"status": 404, "headers": {"Content-Type": "application/json"},
                            "body": {"Error": true}}})
        .to_string(),
    )
    .await;
    assert_eq!(added.status, 201, "{}", added.text());
    assert_eq!(
        get(&server, "/api/v1/Gadget/3").await.status,
        404,
        "the stub answers"
    );
    // The page stops documenting 404.
    let page = dir.path().join("v1GadgetEntity_GetGadget.md");
    let text = std::fs::read_to_string(&page).expect("page");
    let without: String = text
        .lines()
        .filter(|l| !l.starts_with("| 404 |"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(text, without, "the page documented 404");
    std::fs::write(&page, without).expect("written");
    until(&server, "/api/v1/Gadget/3", 200).await;
    let listed = get(&server, "/__mockdown/stubs").await.json();
    let stale = listed["stubs"][0]["stale"].as_str().unwrap_or_default();
    assert!(stale.contains("404"), "{listed}");
    let journal = server.journal();
    assert_eq!(
        journal.last().map(|e| e.answered_by.as_str()),
        Some("generated"),
        "a stale stub does not answer"
    );
    let _ = AUTH;
    server.stop().await;
}
