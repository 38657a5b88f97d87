//! The real mock over HTTP answers no placeholder `null` (issue 18): an object the pages
//! show only as `null` is an object, a sent `null` or a value outside the property's enum
//! is not echoed.

use serde_json::{Value, json};

use super::common::{AUTH, call, start};
use super::pages::{Page, page, write};
use crate::MockConfig;

fn nulls(value: &Value, at: &str, out: &mut Vec<String>) {
    match value {
        Value::Null => out.push(at.to_string()),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                nulls(item, &format!("{at}/{i}"), out);
            }
        }
        Value::Object(members) => {
            for (key, member) in members {
                nulls(member, &format!("{at}/{key}"), out);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn placeholders_are_answered_as_objects_and_never_echoed() {
    let rows = "| ThingId | int32 |  |\n| Name | string |  |\n| Owner | Associate |  |\n| Status | string |  |";
    let sample =
        json!({"ThingId": 1, "Name": "x", "Owner": null, "Rights": null, "Status": "Open"});
    // An RPC-style request: its own fields, not the entity.
    let save = Page {
        request: Some((
            "The values to set.",
            "| Name | string |  |\n| Status | string |  |",
            json!({"Name": "x", "Status": "Pending"}),
        )),
        ..page("v1B_Save", "Thing", rows, sample.clone())
    };
    let dir = write(&[page("v1A_Get", "Thing", rows, sample), save]);
    let server = start(
        dir.path().to_str().expect("utf-8 path"),
        MockConfig::default(),
    )
    .await;

    let answer = call(
        &server,
        "POST",
        "/api/v1/Test/v1A_Get",
        &[("authorization", AUTH)],
        "",
    )
    .await
    .json();
    assert!(answer["Owner"].is_object(), "{answer}");
    assert!(answer["Rights"].is_object(), "{answer}");
    let mut found = Vec::new();
    nulls(&answer, "", &mut found);
    assert!(found.is_empty(), "nulls at {found:?} in {answer}");

    let body = r#"{"Name": "sent", "Owner": null, "Status": "Weird"}"#;
    let saved = call(
        &server,
        "POST",
        "/api/v1/Test/v1B_Save",
        &[
            ("authorization", AUTH),
            ("content-type", "application/json"),
        ],
        body,
    )
    .await;
    assert_eq!(saved.status, 200, "{}", saved.text());
    let saved = saved.json();
    assert_eq!(saved["Name"], "sent", "{saved}");
    assert!(
        saved["Owner"].is_object(),
        "a sent null is not echoed: {saved}"
    );
    assert_eq!(
        saved["Status"], "Open",
        "a value outside the answer's own enum is not echoed: {saved}"
    );

    // `Prefer: example=true` answers the documented sample verbatim, placeholders and all.
    let documented = call(
        &server,
        "POST",
        "/api/v1/Test/v1A_Get",
        &[("authorization", AUTH), ("prefer", "example=true")],
        "",
    )
    .await
    .json();
    assert!(documented["Owner"].is_null(), "{documented}");
    server.stop().await;
}
