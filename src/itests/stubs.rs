//! Issue 13 §2: runtime stubs over HTTP, WireMock-style but held to the contract: every
//! matcher, a contract-breaking stub refused with its pointer, `times`, precedence (stub,
//! then state, then generation), request verification, and stub files loaded at start.

use super::common;

use crate::MockConfig;
use common::{AUTH, call, get, post_json, start};
use serde_json::{Value, json};

const STATE: &str = "tests/fixtures/state";

fn gadget(name: &str) -> Value {
    json!({"GadgetId": 3, "Name": name, "Department": "Stubbed", "Updated": "2020-01-01T00:00:00Z",
        "Rank": 1, "Tags": [], "Status": "Open", "_Links": {}})
}

async fn add(server: &crate::RunningServer, stub: Value) -> common::Reply {
    call(
        server,
        "POST",
        "/__mockdown/stubs",
        &[("content-type", "application/json")],
        stub.to_string(),
    )
    .await
}

#[tokio::test]
async fn matchers_times_and_the_contract() {
    let server = start(STATE, MockConfig::default()).await;
    // Path template + method, twice only.
    let added = add(
        &server,
        json!({"match": {"method": "GET", "path": "/api/v1/Gadget/{id}"},
               "response": {"status": 200, "body": gadget("Stubbed")}, "times": 2}),
    )
    .await;
    assert_eq!(added.status, 201, "{}", added.text());
    let id = added.json()["stubs"][0]
        .as_str()
        .expect("an id")
        .to_string();
    for _ in 0..2 {
        let reply = get(&server, "/api/v1/Gadget/3").await;
        assert_eq!(reply.json()["Name"], "Stubbed");
        assert_eq!(reply.header("x-mockdown-stub"), id);
    }
    let third = get(&server, "/api/v1/Gadget/3").await;
    assert_ne!(
        third.json()["Name"],
        "Stubbed",
        "times used up: generated again"
    );
    let listed = get(&server, "/__mockdown/stubs").await.json();
    assert_eq!(listed["stubs"][0]["hits"], 2, "answers given: {listed}");
    assert_eq!(
        listed["stubs"][0]["matched"], 3,
        "requests matched: {listed}"
    );
    // Query, header and body matchers.
    add(
        &server,
        json!({"match": {"method": "POST", "path": "/api/v1/Gadget",
                         "query": {"fk": "true"}, "headers": {"x-team": "blue*"},
                         "body": {"Name": "Acme", "Tags": ["b"]}},
               "response": {"status": 201, "body": gadget("Matched")}}),
    )
    .await;
    let body = json!({"GadgetId": 0, "Name": "Acme", "Tags": ["a", "b"], "Rank": 1}).to_string();
    async fn send(
        server: &crate::RunningServer,
        path: &str,
        team: &str,
        body: String,
    ) -> common::Reply {
        call(
            server,
            "POST",
            path,
            &[
                ("authorization", AUTH),
                ("content-type", "application/json"),
                ("x-team", team),
            ],
            body,
        )
        .await
    }
    let matched = send(&server, "/api/v1/Gadget?fk=true", "blue-7", body.clone()).await;
    assert_eq!(matched.json()["Name"], "Matched");
    for miss in [
        send(&server, "/api/v1/Gadget", "blue-7", body.clone()).await,
        send(&server, "/api/v1/Gadget?fk=true", "red", body.clone()).await,
        send(
            &server,
            "/api/v1/Gadget?fk=true",
            "blue",
            json!({"Name": "Other"}).to_string(),
        )
        .await,
    ] {
        assert_ne!(miss.json()["Name"], "Matched");
    }
    // A stub whose answer breaks the contract is refused with the pointer, expected, found.
    let refused = add(
        &server,
        json!({"match": {"method": "GET", "path": "/api/v1/Gadget/{id}"},
               "response": {"status": 200, "body": {"GadgetId": 3, "Rank": "high"}}}),
    )
    .await;
    assert_eq!(refused.status, 400, "{}", refused.text());
    assert_eq!(refused.json()["ErrorType"], "StubBreaksContract");
    let violation = &refused.json()["Violations"][0];
    assert_eq!(violation["pointer"], "/Rank");
    assert!(
        violation["found"]
            .as_str()
            .is_some_and(|f| f.contains("high"))
    );
    // An undocumented status too; unless the stub says unchecked.
    let teapot = json!({"match": {"method": "GET", "path": "/api/v1/Gadget/{id}"},
                        "response": {"status": 418, "body": {"Short": "and stout"}}});
    assert_eq!(add(&server, teapot.clone()).await.status, 400);
    let mut unchecked = teapot;
    unchecked["unchecked"] = json!(true);
    unchecked["match"]["path"] = json!("/api/v1/Teapot/*");
    assert_eq!(add(&server, unchecked).await.status, 201);
    let tea = get(&server, "/api/v1/Teapot/earl/grey").await;
    assert_eq!(
        (tea.status, tea.json()["Short"].as_str()),
        (418, Some("and stout"))
    );
    // Request verification, as WireMock's.
    let found = call(
        &server,
        "POST",
        "/__mockdown/requests/find",
        &[],
        json!({"method": "POST", "path": "/api/v1/Gadget", "body": {"Name": "Acme"}}).to_string(),
    )
    .await;
    assert_eq!(found.json()["requests"].as_array().map(Vec::len), Some(3));
    let count = call(
        &server,
        "POST",
        "/__mockdown/requests/count",
        &[],
        json!({"path": "/api/v1/Gadget/{id}"}).to_string(),
    )
    .await;
    assert_eq!(count.json()["count"], 3);
    // Removing a stub by id, then all.
    let removed = call(
        &server,
        "DELETE",
        &format!("/__mockdown/stubs/{id}"),
        &[],
        "",
    )
    .await;
    assert_eq!(removed.json()["removed"], 1);
    let all = call(&server, "DELETE", "/__mockdown/stubs", &[], "").await;
    assert_eq!(all.json()["removed"], 2);
    assert_eq!(
        get(&server, "/__mockdown/stubs").await.json()["stubs"],
        json!([])
    );
    server.stop().await;
}

#[tokio::test]
async fn stubs_win_over_state_and_state_over_generation() {
    let server = start(
        STATE,
        MockConfig {
            stateful: true,
            ..MockConfig::default()
        },
    )
    .await;
    let saved = post_json(
        &server,
        "/api/v1/Gadget",
        &json!({"GadgetId": 0, "Name": "Stored", "Rank": 2}).to_string(),
    )
    .await
    .json();
    let id = saved["GadgetId"].as_i64().expect("an id");
    let path = format!("/api/v1/Gadget/{id}");
    assert_eq!(get(&server, &path).await.json()["Name"], "Stored");
    let stub = add(
        &server,
        json!({"match": {"method": "GET", "path": path}, "response": {"body": gadget("From a stub")}}),
    )
    .await;
    assert_eq!(stub.status, 201, "{}", stub.text());
    assert_eq!(get(&server, &path).await.json()["Name"], "From a stub");
    call(&server, "DELETE", "/__mockdown/stubs", &[], "").await;
    assert_eq!(get(&server, &path).await.json()["Name"], "Stored");
    // A stub may answer an invalid request on purpose; with validate it may not.
    add(
        &server,
        json!({"match": {"method": "POST", "path": "/api/v1/Gadget"},
               "response": {"status": 201, "body": gadget("Anything goes")}}),
    )
    .await;
    let invalid = json!({"Rank": "not a number"}).to_string();
    assert_eq!(
        post_json(&server, "/api/v1/Gadget", &invalid).await.json()["Name"],
        "Anything goes"
    );
    add(
        &server,
        json!({"match": {"method": "POST", "path": "/api/v1/Gadget"}, "priority": -1, "validate": true,
               "response": {"status": 201, "body": gadget("Only valid ones")}}),
    )
    .await;
    assert_eq!(
        post_json(&server, "/api/v1/Gadget", &invalid).await.status,
        400
    );
    let journal = server.journal();
    assert!(journal.iter().any(|e| e.answered_by.starts_with("stub ")));
    assert!(journal.iter().any(|e| e.answered_by == "state"));
    server.stop().await;
}

#[tokio::test]
async fn stub_files_load_at_start_and_bad_ones_stop_it() {
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::write(
        dir.path().join("one.json"),
        json!([{"id": "gadget-3", "match": {"method": "GET", "path": "/api/v1/Gadget/3"},
                "response": {"body": gadget("From a file")}}])
        .to_string(),
    )
    .expect("written");
    let server = start(
        STATE,
        MockConfig {
            stubs_dir: Some(dir.path().to_path_buf()),
            ..MockConfig::default()
        },
    )
    .await;
    let reply = get(&server, "/api/v1/Gadget/3").await;
    assert_eq!(reply.json()["Name"], "From a file");
    assert_eq!(reply.header("x-mockdown-stub"), "gadget-3");
    server.stop().await;
    std::fs::write(
        dir.path().join("two.json"),
        json!({"match": {"method": "GET", "path": "/api/v1/Gadget/{id}"},
               "response": {"body": {"Rank": "high"}}})
        .to_string(),
    )
    .expect("written");
    let set = crate::docs::load_dir(std::path::Path::new(STATE), &|| {}).expect("loads");
    let refused = crate::serve(
        crate::contract::build(set).contract,
        MockConfig {
            port: 0,
            stubs_dir: Some(dir.path().to_path_buf()),
            ..MockConfig::default()
        },
    )
    .await;
    let Err(err) = refused else {
        panic!("a stub that breaks the contract stops the start");
    };
    assert!(format!("{err:#}").contains("/Rank"), "{err:#}");
}
