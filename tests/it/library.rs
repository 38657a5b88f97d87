//! The library API as a user's test suite calls it: a mock of the default pages, stubs
//! mounted in-process (and refused when they break the contract), the requests it received,
//! what the stateful mock kept, and `verify::run` against a good and a broken server.

use mockdown::{Error, MockServer, Stub, verify};
use serde_json::{Value, json};

use crate::common::{self, send};

const SAVE_ROLE: &str = "/api/v1/Agents/User/SaveRoleEntity";
/// Pages of one entity, Gadget, saved, read, patched and deleted in both styles.
const GADGETS: &str = "tests/fixtures/state";

#[tokio::test]
async fn start_call_and_read_the_journal() {
    let server = MockServer::start("docs").await.expect("mock starts");
    let url = format!("{}{SAVE_ROLE}", server.url());
    let (status, body) = send("POST", &url, r#"{"RoleId": 5, "Name": "Sales"}"#).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let answer: Value = serde_json::from_slice(&body).expect("JSON");
    assert!(answer.is_object(), "{answer}");
    // Credentials are required by default, as the pages say: a refusal in the API's shape.
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Full<bytes::Bytes>>();
    let bare = hyper::Request::post(&url)
        .body(Default::default())
        .expect("request builds");
    let refused = client.request(bare).await.expect("answered");
    assert_eq!(refused.status(), 401);
    let received = server.received_requests();
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].method(), "POST");
    assert_eq!(received[0].path(), SAVE_ROLE);
    assert_eq!(received[0].status(), 200);
    assert_eq!(
        received[0].operation_id(),
        Some("v1UserAgent_SaveRoleEntity")
    );
    assert_eq!(
        received[0].body(),
        Some(r#"{"RoleId": 5, "Name": "Sales"}"#)
    );
    assert_eq!(received[1].status(), 401);
    server.stop().await;
}

#[tokio::test]
async fn stubs_answer_and_are_held_to_the_contract() {
    let server = MockServer::builder()
        .docs("docs")
        .auth(false)
        .seed(7)
        .start()
        .await
        .expect("mock starts");
    server
        .mount(
            Stub::given("POST", SAVE_ROLE)
                .body_contains(json!({"Name": "Sales"}))
                .respond_with(200, json!({"RoleId": 77, "Name": "Sales"}))
                .times(1),
        )
        .await
        .expect("a stub that keeps the contract mounts");
    let url = format!("{}{SAVE_ROLE}", server.url());
    let (status, body) = send("POST", &url, r#"{"RoleId": 0, "Name": "Sales"}"#).await;
    assert_eq!(status, 200);
    let answer: Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(answer, json!({"RoleId": 77, "Name": "Sales"}));
    // Used once: the next answer is generated again.
    let (_, body) = send("POST", &url, r#"{"RoleId": 0, "Name": "Sales"}"#).await;
    let answer: Value = serde_json::from_slice(&body).expect("JSON");
    assert_ne!(answer, json!({"RoleId": 77, "Name": "Sales"}));
    let by = server.received_requests();
    assert!(
        by[0].answered_by().starts_with("stub "),
        "{}",
        by[0].answered_by()
    );

    // An answer that breaks the documented schema is refused, unless unchecked.
    let breaking = Stub::given("POST", SAVE_ROLE).respond_with(200, json!({"RoleId": "seven"}));
    match server.mount(breaking.clone()).await {
        Err(Error::StubRefused { reason, .. }) => assert!(reason.contains("RoleId"), "{reason}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    server
        .mount(breaking.unchecked())
        .await
        .expect("unchecked stubs mount");
    // A stub for a path no page documents is refused too.
    let nowhere = Stub::given("GET", "/api/v1/Nowhere").respond_with(200, json!({}));
    assert!(matches!(
        server.mount(nowhere).await,
        Err(Error::StubRefused { .. })
    ));
    // Stubs written as JSON, as the admin API takes them.
    let parsed =
        Stub::from_json(&json!({"match": {"method": "POST"}, "response": {"status": 200}}));
    assert!(parsed.is_ok());
    assert!(matches!(
        Stub::from_json(&json!({"respons": {}})),
        Err(Error::Stub(_))
    ));
    server.stop().await;
}

#[tokio::test]
async fn the_stateful_mock_keeps_what_is_saved() {
    let server = MockServer::builder()
        .docs(GADGETS)
        .auth(false)
        .stateful(true)
        .start()
        .await
        .expect("mock starts");
    let save = json!({"GadgetId": 0, "Name": "Kept", "Department": "R&D",
        "Updated": "2020-01-01T00:00:00Z", "Rank": 1, "Tags": [], "Status": "Open"});
    let url = format!("{}/api/v1/Agents/Gadget/SaveGadgetEntity", server.url());
    let (status, body) = send("POST", &url, &save.to_string()).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let saved: Value = serde_json::from_slice(&body).expect("JSON");
    let id = saved["GadgetId"].as_i64().expect("an id");
    assert!(id > 0, "id 0 gets a new id: {saved}");
    // What REST reads is what the agent saved, and what the library sees.
    let (status, body) = send("GET", &format!("{}/api/v1/Gadget/{id}", server.url()), "").await;
    assert_eq!(status, 200);
    let read: Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(read["Name"], "Kept");
    let kept = server.state().get("Gadget", id).await.expect("reads");
    assert_eq!(kept.expect("kept")["Name"], "Kept");
    assert_eq!(
        server
            .state()
            .get("Gadget", id + 1000)
            .await
            .expect("reads"),
        None
    );
    let document = server.state().export().await.expect("exports");
    assert_eq!(
        document["entities"]["Gadget"][id.to_string()]["Name"],
        "Kept",
        "{document}"
    );
    server
        .state()
        .replace(&json!({"entities": {"Gadget": {"5": {"GadgetId": 5, "Name": "Loaded"}}}}))
        .await
        .expect("replaces");
    assert_eq!(server.state().get("Gadget", id).await.expect("reads"), None);
    let (_, body) = send("GET", &format!("{}/api/v1/Gadget/5", server.url()), "").await;
    let read: Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(read["Name"], "Loaded");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_passes_the_mock_and_fails_a_broken_server() {
    let server = MockServer::start("docs").await.expect("mock starts");
    let report = verify::run(&server.url(), "docs", verify::Options::new().generate(3))
        .await
        .expect("verify runs");
    assert_eq!(report.failed(), 0, "{:?}", report.failures());
    assert!(report.passed() >= 10, "samples and generated cases pass");
    let junit = report.junit().expect("JUnit renders");
    assert!(junit.contains("<testsuite"), "{junit}");
    server.stop().await;

    let broken = common::start_upstream(|_, _, _| (500, "text/plain", "boom".into())).await;
    let report = verify::run(&format!("http://{broken}"), "docs", verify::Options::new())
        .await
        .expect("verify runs");
    assert_eq!(report.passed(), 0);
    assert_eq!(report.failed(), 5);
    assert!(
        report.failures()[0].contains("500"),
        "{:?}",
        report.failures()
    );
    assert!(matches!(
        verify::run(
            "http://127.0.0.1:9",
            "no-such-folder",
            verify::Options::new()
        )
        .await,
        Err(Error::Docs { .. })
    ));
}
