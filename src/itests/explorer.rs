//! The explorer page through the real server: its routes are answered by the mock, its
//! documents come from the full contract (also when the served one is compacted), and
//! the page's own requests stay out of the journal. The page itself is driven in a real
//! browser by `.ci/explorer.sh`.

use super::common;

use crate::{AdminConfig, MockConfig, RunningServer};
use bytes::Bytes;
use common::{Reply, call, call_host, post_json, start};

/// GET without credentials: the page, its assets and its documents need none.
async fn get_bare(server: &RunningServer, path: &str) -> Reply {
    call(server, "GET", path, &[], Bytes::new()).await
}

#[tokio::test]
async fn the_mock_serves_the_page_its_assets_and_documents() {
    let server = start("docs", MockConfig::default()).await;
    let page = get_bare(&server, "/__mockdown/").await;
    assert_eq!(page.status, 200);
    assert!(page.header("content-type").starts_with("text/html"));
    assert!(page.text().contains("/__mockdown/explorer/app.js"));
    // No credentials needed for the page and its assets; no wildcard CORS (an admin route).
    assert!(page.headers.get("access-control-allow-origin").is_none());
    for asset in [
        "/__mockdown/explorer/app.js",
        "/__mockdown/explorer/app.css",
    ] {
        let reply = get_bare(&server, asset).await;
        assert_eq!(reply.status, 200, "{asset}");
        assert!(!reply.body.is_empty(), "{asset}");
    }
    let index = get_bare(&server, "/__mockdown/explorer/index.json").await;
    assert_eq!(index.status, 200);
    let index = index.json();
    assert_eq!(index["operations"].as_array().map(Vec::len), Some(5));
    let op = get_bare(
        &server,
        "/__mockdown/explorer/operations/v1UserAgent_SaveRoleEntity.json",
    )
    .await;
    assert_eq!(op.status, 200);
    assert_eq!(op.json()["operation"]["method"], "POST");
    let missing = get_bare(&server, "/__mockdown/explorer/types/NoSuchType.json").await;
    assert_eq!(missing.status, 404);
    // Other admin routes are answered as before.
    let health = get_bare(&server, "/__mockdown/health").await;
    assert_eq!(health.status, 200);
    // The page's requests are not the API's: the journal holds only the API call.
    let saved = post_json(
        &server,
        "/api/v1/Agents/User/SaveRoleEntity",
        r#"{"RoleId": 7, "Name": "Sales"}"#,
    )
    .await;
    assert_eq!(saved.status, 200);
    let journal = server.journal();
    assert_eq!(journal.len(), 1, "{journal:?}");
    assert_eq!(journal[0].path, "/api/v1/Agents/User/SaveRoleEntity");
    server.stop().await;
}

#[tokio::test]
async fn documents_keep_what_the_served_contract_drops() {
    // serve_docs compacts the contract it serves; the explorer is built before that.
    let config = MockConfig {
        port: 0,
        ..MockConfig::default()
    };
    let server = crate::serve_docs("docs", config)
        .await
        .expect("server starts");
    let op = get_bare(
        &server,
        "/__mockdown/explorer/operations/v1UserAgent_SaveRoleEntity.json",
    )
    .await
    .json();
    assert!(
        op["operation"]["summary"]
            .as_str()
            .is_some_and(|s| s.starts_with("Updates the existing RoleEntity"))
    );
    assert_eq!(
        op["operation"]["requestBody"]["schema"]["properties"]["RoleId"]["description"],
        "Primary key"
    );
    let associate = get_bare(&server, "/__mockdown/explorer/types/Associate.json")
        .await
        .json();
    assert_eq!(
        associate["schema"]["properties"]["AssociateId"]["x-mockdown-from"],
        serde_json::json!(["sample"])
    );
    server.stop().await;
}

#[tokio::test]
async fn with_an_admin_token_the_page_is_open_and_its_data_is_not() {
    let config = MockConfig {
        admin: AdminConfig {
            hosts: Vec::new(),
            token: Some("s3cret".into()),
        },
        ..MockConfig::default()
    };
    let server = start("docs", config).await;
    let host = format!("127.0.0.1:{}", server.addr().port());
    let token = [("x-mockdown-admin-token", "s3cret")];
    for asset in [
        "/__mockdown/",
        "/__mockdown/explorer/app.js",
        "/__mockdown/explorer/app.css",
    ] {
        let reply = call_host(&server, "GET", asset, &host, &[]).await;
        assert_eq!(reply.status, 200, "{asset}");
    }
    // What the page reads: its documents and the journal.
    for data in [
        "/__mockdown/explorer/index.json",
        "/__mockdown/explorer/operations/v1UserAgent_SaveRoleEntity.json",
        "/__mockdown/explorer/types/Associate.json",
        "/__mockdown/requests?limit=10",
    ] {
        let refused = call_host(&server, "GET", data, &host, &[]).await;
        assert_eq!(refused.status, 401, "{data}");
        let answered = call_host(&server, "GET", data, &host, &token).await;
        assert_eq!(answered.status, 200, "{data}");
        let rebound = call_host(&server, "GET", data, "evil.example", &token).await;
        assert_eq!(rebound.status, 403, "{data}");
    }
    server.stop().await;
}
