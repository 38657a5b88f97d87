//! Issue 12 §6: PATCH operations that document JSON Patch take RFC 6902 arrays and refuse
//! malformed operations with 400.

use super::common;

use crate::MockConfig;
use common::{AUTH, call, start};

const PATCH: &str = "tests/fixtures/state";
const PATH: &str = "/api/v1/Gadget/7";

async fn patch(server: &crate::RunningServer, content_type: &str, body: &str) -> common::Reply {
    call(
        server,
        "PATCH",
        PATH,
        &[("authorization", AUTH), ("content-type", content_type)],
        body.to_string(),
    )
    .await
}

#[tokio::test]
async fn json_patch_documents_are_checked_as_rfc_6902() {
    let server = start(PATCH, MockConfig::default()).await;
    let standard = r#"[{"op": "replace", "path": "/Name", "value": "New name"},
        {"op": "remove", "path": "/Rank"}, {"op": "test", "path": "/Status", "value": "Open"}]"#;
    for content_type in ["application/json-patch+json", "application/json"] {
        let reply = patch(&server, content_type, standard).await;
        assert_eq!(reply.status, 200, "{content_type}: {}", reply.text());
    }
    // The page's own sample (paths without the leading `/`, as the real API reads them).
    let set = crate::docs::load_dir(std::path::Path::new(PATCH), &|| {}).expect("loads");
    let contract = crate::contract::build(set).contract;
    let sample = contract
        .operations
        .iter()
        .find(|op| op.method == "PATCH")
        .expect("the PATCH page")
        .example
        .request
        .as_ref()
        .and_then(|r| r.body.as_ref())
        .expect("a sample body")
        .to_string();
    assert!(sample.contains(r#""path":"Name""#), "{sample}");
    let reply = patch(&server, "application/json", &sample).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let broken = r#"[{"op": "replace", "path": "/Name", "value": 1},
        {"op": "frobnicate", "path": "/Name"}, {"op": "add", "path": "/Name"}, {"path": "/x"}]"#;
    let reply = patch(&server, "application/json-patch+json", broken).await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert_eq!(common::pointers(&reply), ["/1/op", "/2/value", "/3/op"]);
    let not_array = patch(&server, "application/json-patch+json", r#"{"Name": "x"}"#).await;
    assert_eq!(not_array.status, 400);
    // A merge patch (an object) is still taken as JSON.
    let merge = patch(&server, "application/merge-patch+json", r#"{"Name": "x"}"#).await;
    assert_eq!(merge.status, 200, "{}", merge.text());
    server.stop().await;
}
