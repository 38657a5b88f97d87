//! The mock of a page family in another vendor's wording (`tests/fixtures/other-vendor/`)
//! answers in that family's profile: its error shape, its auth schemes, its entities.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use serde_json::{Value, json};

use super::{MockConfig, serve_docs};
use crate::client::{http_client, send};

const FIXTURE: &str = "tests/fixtures/other-vendor";

fn fixture() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE)
}

/// (status, JSON body) of one request to the running mock.
async fn call(
    url: &str,
    path: &str,
    authorization: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = hyper::Request::builder()
        .method("POST")
        .uri(format!("{url}{path}"))
        .header("accept", "application/json");
    if let Some(auth) = authorization {
        request = request.header("authorization", auth);
    }
    let bytes = match body {
        Some(body) => {
            request = request.header("content-type", "application/json");
            Bytes::from(body.to_string())
        }
        None => Bytes::new(),
    };
    let client = http_client().expect("client");
    let request = request.body(Full::new(bytes)).expect("request");
    let answer = send(&client, request, Duration::from_secs(10))
        .await
        .expect("answer");
    let json = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
    (answer.status, json)
}

#[tokio::test]
async fn the_other_vendors_mock_answers_in_its_own_shape_and_schemes() {
    let config = MockConfig {
        port: 0,
        stateful: true,
        ..MockConfig::default()
    };
    let server = serve_docs(fixture(), config).await.expect("serves");
    let url = server.url();
    let fetch = "/api/v1/Agents/Widget/FetchWidgetResource?widgetId=7";
    let bearer = Some("Bearer eyJhbGciOi.abc");

    // No credentials, and Basic (a scheme these pages never name): 401 in `{code, message}`.
    for auth in [None, Some("Basic dGplMDpUamUw")] {
        let (status, body) = call(&url, fetch, auth, None).await;
        assert_eq!(status, 401, "{auth:?}: {body}");
        let object = body.as_object().expect("an object");
        assert_eq!(body["code"], 401, "{body}");
        assert!(body["message"].is_string(), "{body}");
        assert!(
            !object.contains_key("ErrorType"),
            "not the SuperOffice shape: {body}"
        );
    }
    // A route no page documents: 404 in the same shape.
    let (status, body) = call(&url, "/api/v1/Agents/Widget/Nothing", bearer, None).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["code"], 404, "{body}");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("no documented route"))
    );

    // Bearer is taken; the entity is kept under the fixture's key (`WidgetId`).
    let widget = json!({"WidgetId": 0, "Name": "Sprocket", "Colour": "blue"});
    let (status, saved) = call(
        &url,
        "/api/v1/Agents/Widget/UpsertWidgetResource",
        bearer,
        Some(widget),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    let id = saved["WidgetId"].as_i64().expect("a key");
    let path = format!("/api/v1/Agents/Widget/FetchWidgetResource?widgetId={id}");
    let (status, read) = call(&url, &path, bearer, None).await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(
        read["Colour"], "blue",
        "the stateful mock read what was upserted: {read}"
    );
    // Removed (the fixture's delete verb): then the stateful mock answers 404, in shape.
    let remove = format!("/api/v1/Agents/Widget/RemoveWidgetResource?widgetId={id}");
    let (status, _) = call(&url, &remove, bearer, None).await;
    assert_eq!(status, 204);
    let (status, gone) = call(&url, &path, bearer, None).await;
    assert_eq!(status, 404, "{gone}");
    assert_eq!(gone["code"], 404, "{gone}");
    server.stop().await;
}

#[test]
fn the_other_vendors_entities_group_by_its_key() {
    let set = crate::docs::load_dir(&fixture(), &|| {}).expect("pages load");
    let contract = crate::contract::build_with(set, false).contract;
    let map = crate::entities::EntityMap::of(&contract);
    let summary: Vec<(String, String, usize)> = map
        .entities
        .iter()
        .map(|e| (e.name.clone(), e.key.clone(), e.operations.len()))
        .collect();
    assert_eq!(
        summary,
        [
            ("Gadget".to_string(), "GadgetId".to_string(), 2),
            ("Widget".to_string(), "WidgetId".to_string(), 3),
        ]
    );
}
