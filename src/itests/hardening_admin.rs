//! Issue 12 §4: the admin routes answer only a loopback, IP-literal or configured Host,
//! never with a wildcard CORS origin, and with the admin token when one is set.

use super::common;

use crate::{AdminConfig, MockConfig};
use common::{AUTH, call_host, get, start};

const API: &str = "tests/fixtures/api";

#[tokio::test]
async fn admin_routes_refuse_foreign_hosts_and_never_allow_any_origin() {
    let config = MockConfig {
        admin: AdminConfig {
            hosts: vec!["mock.test".into()],
            token: None,
        },
        ..MockConfig::default()
    };
    let server = start(API, config).await;
    get(&server, "/api/v1/Thing/1?$top=1").await;
    let port = server.addr().port();
    for host in [
        format!("evil.example:{port}"),
        "localhost.evil.example".into(),
    ] {
        let reply = call_host(&server, "GET", "/__mockdown/requests", &host, &[]).await;
        assert_eq!(reply.status, 403, "{host}");
        assert_eq!(reply.json()["ErrorType"], "Forbidden");
        let cleared = call_host(&server, "DELETE", "/__mockdown/requests", &host, &[]).await;
        assert_eq!(cleared.status, 403);
    }
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        "mock.test".into(),
    ] {
        let reply = call_host(&server, "GET", "/__mockdown/requests", &host, &[]).await;
        assert_eq!(reply.status, 200, "{host}");
        assert!(
            reply.headers.get("access-control-allow-origin").is_none(),
            "no CORS on admin answers"
        );
        assert_eq!(reply.json()["total"], 1, "the journal was not cleared");
    }
    // The API itself keeps its CORS headers.
    let api = get(&server, "/api/v1/Thing/1?$top=1").await;
    assert_eq!(api.header("access-control-allow-origin"), "*");
    server.stop().await;
}

#[tokio::test]
async fn the_admin_token_guards_all_but_health() {
    let config = MockConfig {
        admin: AdminConfig {
            hosts: Vec::new(),
            token: Some("s3cret".into()),
        },
        ..MockConfig::default()
    };
    let server = start(API, config).await;
    let host = format!("localhost:{}", server.addr().port());
    let refused = call_host(&server, "GET", "/__mockdown/requests", &host, &[]).await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.header("www-authenticate"), "Bearer");
    let wrong = call_host(
        &server,
        "GET",
        "/__mockdown/requests",
        &host,
        &[("authorization", "Bearer nope")],
    )
    .await;
    assert_eq!(wrong.status, 401);
    // The API's own credentials are not the admin token.
    let api_auth = call_host(
        &server,
        "DELETE",
        "/__mockdown/requests",
        &host,
        &[("authorization", AUTH)],
    )
    .await;
    assert_eq!(api_auth.status, 401);
    for header in [
        ("authorization", "Bearer s3cret"),
        ("x-mockdown-admin-token", "s3cret"),
    ] {
        let ok = call_host(&server, "GET", "/__mockdown/routes", &host, &[header]).await;
        assert_eq!(ok.status, 200, "{header:?}");
    }
    let health = call_host(&server, "GET", "/__mockdown/health", &host, &[]).await;
    assert_eq!(health.status, 200);
    server.stop().await;
}
