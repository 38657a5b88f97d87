//! Issue 13 §1: the stateful mock over HTTP on an ephemeral port: saves are read back in
//! both styles (REST and agent), patched, deleted; new ids for id 0; fixtures load and
//! export; a save that would break the answer's contract is refused and nothing stored.

use super::common;

use crate::MockConfig;
use common::{AUTH, call, get, post_json, start};
use serde_json::{Value, json};

const STATE: &str = "tests/fixtures/state";

fn stateful() -> MockConfig {
    MockConfig {
        stateful: true,
        ..MockConfig::default()
    }
}

async fn patch(server: &crate::RunningServer, path: &str, body: &str) -> common::Reply {
    call(
        server,
        "PATCH",
        path,
        &[
            ("authorization", AUTH),
            ("content-type", "application/json-patch+json"),
        ],
        body.to_string(),
    )
    .await
}

async fn agent_get(server: &crate::RunningServer, id: i64) -> common::Reply {
    post_json(
        server,
        &format!("/api/v1/Agents/Gadget/GetGadgetEntity?gadgetEntityId={id}"),
        "",
    )
    .await
}

#[tokio::test]
async fn save_read_patch_delete_in_both_styles() {
    let server = start(STATE, stateful()).await;
    let sent = json!({"GadgetId": 0, "Name": "Acme", "Department": "Sales",
        "Updated": "2024-05-01T10:00:00+02:00", "Rank": 4, "Tags": ["a", "b"], "Status": "Closed"});
    let saved = post_json(&server, "/api/v1/Gadget", &sent.to_string()).await;
    assert_eq!(saved.status, 201, "{}", saved.text());
    let saved = saved.json();
    let id = saved["GadgetId"].as_i64().expect("an id");
    assert!(id > 0, "id 0 gets a new id");
    for (key, value) in sent.as_object().expect("object").iter().skip(1) {
        assert_eq!(&saved[key], value, "the answer is what was stored: {key}");
    }
    // Read back, REST and agent style: the same entity.
    let rest = get(&server, &format!("/api/v1/Gadget/{id}")).await;
    assert_eq!(rest.status, 200);
    assert_eq!(rest.json()["Name"], "Acme");
    assert_eq!(rest.json()["Tags"], json!(["a", "b"]));
    let agent = agent_get(&server, id).await;
    assert_eq!(agent.status, 200);
    assert_eq!(agent.json()["Name"], "Acme");
    assert_eq!(agent.json()["GadgetId"], id);
    assert_eq!(
        rest.header("content-type"),
        "application/json; charset=utf-8"
    );
    // Patch, then read the patch back.
    let patched = patch(
        &server,
        &format!("/api/v1/Gadget/{id}"),
        r#"[{"op": "test", "path": "/Status", "value": "Closed"},
            {"op": "replace", "path": "Name", "value": "Renamed"}]"#,
    )
    .await;
    assert_eq!(patched.status, 200, "{}", patched.text());
    assert_eq!(patched.json()["Name"], "Renamed");
    assert_eq!(agent_get(&server, id).await.json()["Name"], "Renamed");
    // A failed test is the status the page documents for it; nothing changes.
    let conflict = patch(
        &server,
        &format!("/api/v1/Gadget/{id}"),
        r#"[{"op": "test", "path": "/Name", "value": "Acme"},
            {"op": "replace", "path": "/Name", "value": "Lost"}]"#,
    )
    .await;
    assert_eq!(conflict.status, 409, "{}", conflict.text());
    assert_eq!(conflict.json()["ErrorSource"], "mockdown");
    // A patch that breaks the entity's contract is refused with the violation.
    let broken = patch(
        &server,
        &format!("/api/v1/Gadget/{id}"),
        r#"[{"op": "replace", "path": "/Rank", "value": "high"}]"#,
    )
    .await;
    assert_eq!(broken.status, 400, "{}", broken.text());
    assert_eq!(common::pointers(&broken), ["/Rank"]);
    assert_eq!(
        get(&server, &format!("/api/v1/Gadget/{id}")).await.json()["Rank"],
        4
    );
    // Delete: REST reads 404; the agent read documents only 200: 200 with null.
    let deleted = call(
        &server,
        "DELETE",
        &format!("/api/v1/Gadget/{id}"),
        &[("authorization", AUTH)],
        "",
    )
    .await;
    assert_eq!(deleted.status, 204);
    let gone = get(&server, &format!("/api/v1/Gadget/{id}")).await;
    assert_eq!(gone.status, 404, "{}", gone.text());
    assert_eq!(gone.json()["ErrorType"], "NotFound");
    let gone = agent_get(&server, id).await;
    assert_eq!((gone.status, gone.text().as_str()), (200, "null"));
    // An id never saved is generated, as without state.
    let generated = get(&server, "/api/v1/Gadget/424242").await;
    assert_eq!(generated.status, 200);
    assert_eq!(generated.json()["GadgetId"], 424242);
    // The journal says who answered.
    let journal = server.journal();
    let by: Vec<&str> = journal.iter().map(|e| e.answered_by.as_str()).collect();
    assert!(by.contains(&"state") && by.contains(&"generated"), "{by:?}");
    server.stop().await;
}

#[tokio::test]
async fn agent_saves_get_new_ids_and_are_read_by_rest() {
    let server = start(STATE, stateful()).await;
    let save = |name: &str| {
        json!({"GadgetId": 0, "Name": name, "Department": "R&D", "Updated": "2020-01-01T00:00:00Z",
            "Rank": 1, "Tags": [], "Status": "Open"})
        .to_string()
    };
    let first = post_json(
        &server,
        "/api/v1/Agents/Gadget/SaveGadgetEntity",
        &save("One"),
    )
    .await;
    let second = post_json(
        &server,
        "/api/v1/Agents/Gadget/SaveGadgetEntity",
        &save("Two"),
    )
    .await;
    assert_eq!(
        (first.status, second.status),
        (200, 200),
        "{}",
        first.text()
    );
    let (a, b) = (
        first.json()["GadgetId"].clone(),
        second.json()["GadgetId"].clone(),
    );
    assert_ne!(a, b, "every id 0 gets its own new id");
    let rest = get(&server, &format!("/api/v1/Gadget/{b}")).await;
    assert_eq!(rest.json()["Name"], "Two");
    // PUT to an id stores there; the agent deletes it; REST then reads 404.
    let put = call(
        &server,
        "PUT",
        "/api/v1/Gadget/900",
        &[
            ("authorization", AUTH),
            ("content-type", "application/json"),
        ],
        save("Nine hundred"),
    )
    .await;
    assert_eq!(put.status, 200, "{}", put.text());
    assert_eq!(put.json()["GadgetId"], 900);
    assert_eq!(
        get(&server, "/api/v1/Gadget/900").await.json()["Name"],
        "Nine hundred"
    );
    let deleted = post_json(
        &server,
        "/api/v1/Agents/Gadget/DeleteGadgetEntity?GadgetEntityId=900",
        "",
    )
    .await;
    assert_eq!(deleted.status, 204);
    assert_eq!(get(&server, "/api/v1/Gadget/900").await.status, 404);
    // Prefer: example still wins over state.
    let example = call(
        &server,
        "GET",
        &format!("/api/v1/Gadget/{b}"),
        &[("authorization", AUTH), ("prefer", "example=true")],
        "",
    )
    .await;
    assert_eq!(example.json()["Name"], "Hills Group");
    server.stop().await;
}

#[tokio::test]
async fn fixtures_load_export_and_clear() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let file = dir.path().join("fixtures.json");
    let fixtures = json!({"entities": {"Gadget": {"5": {"GadgetId": 5, "Name": "Fixture",
        "Department": "QA", "Updated": "2021-02-03T04:05:06Z", "Rank": 2, "Tags": ["x"],
        "Status": "Open"}}}});
    std::fs::write(&file, fixtures.to_string()).expect("written");
    let server = start(
        STATE,
        MockConfig {
            state_file: Some(file),
            ..stateful()
        },
    )
    .await;
    assert_eq!(
        get(&server, "/api/v1/Gadget/5").await.json()["Name"],
        "Fixture"
    );
    let exported = get(&server, "/__mockdown/state").await;
    assert_eq!(exported.status, 200);
    assert_eq!(
        exported.json(),
        fixtures,
        "the round trip keeps every field"
    );
    let other = json!({"entities": {"Gadget": {"6": {"GadgetId": 6, "Name": "Loaded",
        "Department": "QA", "Updated": "2021-02-03T04:05:06Z", "Rank": 2, "Tags": [],
        "Status": "Open"}}}});
    let put = call(
        &server,
        "PUT",
        "/__mockdown/state",
        &[("content-type", "application/json")],
        other.to_string(),
    )
    .await;
    assert_eq!(put.status, 204, "{}", put.text());
    assert_eq!(
        get(&server, "/api/v1/Gadget/6").await.json()["Name"],
        "Loaded"
    );
    assert_ne!(
        get(&server, "/api/v1/Gadget/5").await.json()["Name"],
        "Fixture"
    );
    let cleared = call(&server, "DELETE", "/__mockdown/state", &[], "").await;
    assert_eq!(cleared.status, 204);
    assert_eq!(
        get(&server, "/__mockdown/state").await.json(),
        json!({"entities": {}})
    );
    let entities = get(&server, "/__mockdown/entities").await.json();
    assert_eq!(entities["entities"][0]["name"], "Gadget");
    assert_eq!(
        entities["entities"][0]["operations"]
            .as_array()
            .map(Vec::len),
        Some(8)
    );
    server.stop().await;
}

/// A contract whose save accepts a `Rank` as text while its answer holds a number: the
/// stored entity would break the answer, so the save is refused and nothing is stored.
#[tokio::test]
async fn a_save_that_would_break_the_answer_is_refused() {
    let set = crate::docs::load_dir(std::path::Path::new(STATE), &|| {}).expect("loads");
    let mut contract = crate::contract::build(set).contract;
    let post = contract
        .operations
        .iter_mut()
        .find(|op| op.operation_id == "v1GadgetEntity_PostGadget")
        .expect("the POST page");
    let mut body = contract.types["GadgetEntityWithLinks"].clone();
    body["properties"]["Rank"] = json!({"type": "string"});
    if let Some(request) = post.request_body.as_mut() {
        request.schema = body;
    }
    let server = crate::serve(
        contract,
        MockConfig {
            port: 0,
            ..stateful()
        },
    )
    .await
    .expect("serves");
    let sent = json!({"GadgetId": 0, "Name": "Bad", "Rank": "high"});
    let refused = post_json(&server, "/api/v1/Gadget", &sent.to_string()).await;
    assert_eq!(refused.status, 400, "{}", refused.text());
    assert_eq!(common::pointers(&refused), ["/Rank"]);
    let state = get(&server, "/__mockdown/state").await.json();
    assert_eq!(state, json!({"entities": {}}), "nothing stored");
    server.stop().await;
}

#[tokio::test]
async fn without_stateful_nothing_is_kept() {
    let server = start(STATE, MockConfig::default()).await;
    let sent = json!({"GadgetId": 0, "Name": "Acme", "Department": "Sales",
        "Updated": "2024-05-01T10:00:00+02:00", "Rank": 4, "Tags": [], "Status": "Closed"});
    let saved = post_json(&server, "/api/v1/Gadget", &sent.to_string())
        .await
        .json();
    let id = saved["GadgetId"].as_i64().unwrap_or(1).max(1);
    let read: Value = get(&server, &format!("/api/v1/Gadget/{id}")).await.json();
    assert_ne!(read["Name"], "Acme", "stateless reads are generated");
    server.stop().await;
}

#[tokio::test]
async fn a_full_store_refuses_saves_in_the_api_error_shape() {
    let config = MockConfig {
        state_limits: crate::StoreLimits {
            max_bytes: 1024 * 1024,
            max_entries: 2,
        },
        ..stateful()
    };
    let server = start(STATE, config).await;
    let save = |n: i64| {
        json!({"GadgetId": n, "Name": format!("G{n}"), "Department": "Sales",
            "Updated": "2024-05-01T10:00:00Z", "Rank": 1, "Tags": [], "Status": "Open"})
        .to_string()
    };
    for n in 1..=2 {
        let saved = post_json(&server, "/api/v1/Gadget", &save(n)).await;
        assert_eq!(saved.status, 201, "{}", saved.text());
    }
    let full = post_json(&server, "/api/v1/Gadget", &save(3)).await;
    assert_eq!(full.status, 507, "{}", full.text());
    assert_eq!(full.json()["ErrorType"], "StateFull");
    assert_ne!(
        get(&server, "/api/v1/Gadget/3").await.json()["Name"],
        "G3",
        "nothing stored"
    );
    let cleared = call(&server, "DELETE", "/__mockdown/state", &[], "").await;
    assert_eq!(cleared.status, 204);
    let saved = post_json(&server, "/api/v1/Gadget", &save(3)).await;
    assert_eq!(saved.status, 201, "room again after clearing");
    server.stop().await;
}
