//! The real mock server over HTTP: every kind of rejected request, in the API's error shape.

use super::common;

use crate::MockConfig;
use common::{AUTH, call, get, pointers, post_json, send_samples, start};

const API: &str = "tests/fixtures/api";

#[tokio::test]
async fn auth_is_required_unless_disabled() {
    let server = start(API, MockConfig::default()).await;
    let none = call(&server, "GET", "/api/v1/Thing/1?$top=1", &[], "").await;
    assert_eq!(none.status, 401);
    assert_eq!(none.json()["ErrorType"], "Unauthorized");
    assert_eq!(none.json()["ErrorSource"], "mockdown");
    let wrong = call(
        &server,
        "GET",
        "/api/v1/Thing/1?$top=1",
        &[("authorization", "Digest abc")],
        "",
    )
    .await;
    assert_eq!(wrong.status, 401);
    // Credentials of a documented scheme that are not of its form.
    for malformed in ["Basic invalid", "Basic dGplMA==", "Bearer ", "SoTicket"] {
        let refused = call(
            &server,
            "GET",
            "/api/v1/Thing/1?$top=1",
            &[("authorization", malformed)],
            "",
        )
        .await;
        assert_eq!(refused.status, 401, "{malformed}");
        assert_eq!(refused.json()["ErrorType"], "Unauthorized", "{malformed}");
        assert_eq!(refused.json()["ErrorSource"], "mockdown", "{malformed}");
    }
    for auth in [AUTH, "SoTicket 7T:abc", "Bearer eyJ0"] {
        let ok = call(
            &server,
            "GET",
            "/api/v1/Thing/1?$top=1",
            &[("authorization", auth)],
            "",
        )
        .await;
        assert_eq!(ok.status, 200, "{auth}");
    }
    let xsrf = call(
        &server,
        "GET",
        "/api/v1/Thing/1?$top=1",
        &[("x-xsrf-token", "t0k3n")],
        "",
    )
    .await;
    assert_eq!(xsrf.status, 200);
    server.stop().await;

    let open = start(
        API,
        MockConfig {
            auth: false,
            ..MockConfig::default()
        },
    )
    .await;
    assert_eq!(
        call(&open, "GET", "/api/v1/Thing/1?$top=1", &[], "")
            .await
            .status,
        200
    );
    let malformed = call(
        &open,
        "GET",
        "/api/v1/Thing/1?$top=1",
        &[("authorization", "Basic invalid")],
        "",
    )
    .await;
    assert_eq!(malformed.status, 200, "--no-auth turns every check off");
    open.stop().await;
}

#[tokio::test]
async fn path_and_query_parameters_are_typed() {
    let server = start(API, MockConfig::default()).await;
    let bad_id = get(&server, "/api/v1/Thing/abc?$top=1").await;
    assert_eq!(bad_id.status, 400);
    let v = &bad_id.json()["Violations"][0];
    assert_eq!(
        (v["in"].as_str(), v["pointer"].as_str()),
        (Some("path"), Some("id"))
    );
    let overflow = get(&server, "/api/v1/Thing/99999999999?$top=1").await;
    assert_eq!(overflow.status, 400, "beyond int32");

    let missing = get(&server, "/api/v1/Thing/1").await;
    assert_eq!(missing.status, 400);
    assert_eq!(missing.json()["Violations"][0]["keyword"], "required");
    assert_eq!(missing.json()["Violations"][0]["pointer"], "$top");

    let all = get(&server, "/api/v1/Thing/1?$top=x&fk=maybe&$mode=Huge").await;
    assert_eq!(all.status, 400);
    let pointers = pointers(&all);
    assert_eq!(
        pointers,
        ["fk", "$mode", "$top"],
        "every violation is listed"
    );
    let ok = get(&server, "/api/v1/Thing/1?$top=3&fk=False&$mode=Wide").await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    server.stop().await;
}

#[tokio::test]
async fn bodies_are_checked() {
    let server = start(API, MockConfig::default()).await;
    let good = r#"{"ThingId": 0, "Name": "A", "Owner": null, "Tags": ["x"], "Status": "Open"}"#;
    assert_eq!(post_json(&server, "/api/v1/Thing", good).await.status, 201);

    let violations = post_json(
        &server,
        "/api/v1/Thing",
        r#"{"ThingId": "seven", "Name": 5, "Status": "Maybe"}"#,
    )
    .await;
    assert_eq!(violations.status, 400);
    let body = violations.json();
    assert_eq!(body["ErrorType"], "ValidationError");
    let list = body["Violations"].as_array().cloned().unwrap_or_default();
    assert_eq!(list.len(), 3, "all violations: {list:?}");
    let thing_id = list
        .iter()
        .find(|v| v["pointer"] == "/ThingId")
        .expect("ThingId reported");
    assert_eq!(thing_id["keyword"], "type");
    assert!(
        thing_id["found"]
            .as_str()
            .unwrap_or_default()
            .contains("seven")
    );
    assert!(
        list.iter()
            .any(|v| v["pointer"] == "/Status" && v["keyword"] == "enum")
    );

    let syntax = post_json(&server, "/api/v1/Thing", "{\n  \"Name\": \"A\",\n  oops\n}").await;
    assert_eq!(syntax.status, 400);
    let message = syntax.json()["ErrorMessage"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(message.contains("line 3 column 3"), "{message}");

    let missing = post_json(&server, "/api/v1/Thing", "").await;
    assert_eq!(missing.status, 400);
    assert_eq!(missing.json()["ErrorType"], "MissingBody");

    let form = call(
        &server,
        "POST",
        "/api/v1/Thing",
        &[
            ("authorization", AUTH),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        "Name=A",
    )
    .await;
    assert_eq!(form.status, 415, "form is not documented for this page");
    let xml = call(
        &server,
        "POST",
        "/api/v1/Thing",
        &[("authorization", AUTH), ("content-type", "application/xml")],
        "<ThingEntity><Name>A</Name></ThingEntity>",
    )
    .await;
    assert_eq!(xml.status, 201, "documented XML that keeps the schema");

    let deep = format!(
        "{{\"Tags\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let deep = post_json(&server, "/api/v1/Thing", &deep).await;
    assert_eq!(
        deep.status, 400,
        "deep nesting is refused, not a stack overflow"
    );

    let utf8 = call(
        &server,
        "POST",
        "/api/v1/Thing",
        &[
            ("authorization", AUTH),
            ("content-type", "application/json"),
        ],
        b"{\"Name\": \"\xff\xfe\"}".to_vec(),
    )
    .await;
    assert_eq!(utf8.status, 400);
    assert!(
        utf8.json()["ErrorMessage"]
            .as_str()
            .unwrap_or_default()
            .contains("UTF-8")
    );
    server.stop().await;
}

#[tokio::test]
async fn oversized_bodies_get_413() {
    let server = start(
        API,
        MockConfig {
            max_body_bytes: 1024,
            ..MockConfig::default()
        },
    )
    .await;
    let big = format!("{{\"Name\": \"{}\"}}", "x".repeat(4096));
    let reply = post_json(&server, "/api/v1/Thing", &big).await;
    assert_eq!(reply.status, 413);
    assert_eq!(reply.json()["ErrorType"], "PayloadTooLarge");
    server.stop().await;
}

#[tokio::test]
async fn strict_mode_catches_unknown_properties() {
    let body = r#"{"Name": "A", "Nmae": "typo", "Owner": {"AssociateId": 1, "Nme": 2}}"#;
    let lenient = start(API, MockConfig::default()).await;
    assert_eq!(post_json(&lenient, "/api/v1/Thing", body).await.status, 201);
    lenient.stop().await;

    let strict = start(
        API,
        MockConfig {
            strict: true,
            ..MockConfig::default()
        },
    )
    .await;
    let reply = post_json(&strict, "/api/v1/Thing", body).await;
    assert_eq!(reply.status, 400);
    let pointers = pointers(&reply);
    assert_eq!(pointers, ["/Nmae", "/Owner/Nme"]);
    strict.stop().await;
}

#[tokio::test]
async fn unknown_routes_and_methods() {
    let server = start(API, MockConfig::default()).await;
    let unknown = get(&server, "/api/v1/Thingz/1").await;
    assert_eq!(unknown.status, 404);
    let message = unknown.json()["ErrorMessage"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        message.contains("GET /api/v1/Thing/{id}"),
        "names the closest routes: {message}"
    );
    let wrong = call(
        &server,
        "PUT",
        "/api/v1/Thing/1",
        &[("authorization", AUTH)],
        "",
    )
    .await;
    assert_eq!(wrong.status, 405);
    assert_eq!(wrong.header("allow"), "DELETE, GET");
    let case = get(&server, "/API/V1/thing/1?$top=1").await;
    assert_eq!(
        case.status, 200,
        "literal segments match case-insensitively"
    );
    server.stop().await;
}

#[tokio::test]
async fn every_seed_sample_request_is_accepted() {
    let server = start("docs", MockConfig::default()).await;
    let replies = send_samples(&server, "docs").await;
    assert_eq!(replies.len(), 5);
    for (id, reply) in replies {
        assert_eq!(reply.status, 200, "{id}: {}", reply.text());
    }
    server.stop().await;
}

#[tokio::test]
async fn xml_and_form_bodies_are_held_against_the_schema() {
    let server = start(API, MockConfig::default()).await;
    let xml = |body: &'static str| {
        call(
            &server,
            "POST",
            "/api/v1/Thing",
            &[("authorization", AUTH), ("content-type", "application/xml")],
            body,
        )
    };
    let good = xml(r#"<?xml version="1.0" encoding="utf-8"?>
        <ThingEntity xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
          <ThingId>12</ThingId><Name>Hills &amp; Sons</Name><Owner i:nil="true"/>
          <Updated>2016-09-15T14:19:10.1234567+02:00</Updated>
          <Tags><string>red</string><string>blue</string></Tags><Status>Open</Status>
        </ThingEntity>"#)
    .await;
    assert_eq!(good.status, 201, "{}", good.text());
    let bad = xml(
        "<ThingEntity><ThingId>twelve</ThingId><Status>Maybe</Status>\
         <Updated>not a date</Updated></ThingEntity>",
    )
    .await;
    assert_eq!(bad.status, 400, "{}", bad.text());
    let mut found = pointers(&bad);
    found.sort();
    assert_eq!(found, ["/Status", "/ThingId", "/Updated"]);
    let broken = xml("<ThingEntity><Name>A</ThingEntity>").await;
    assert_eq!(broken.status, 400);
    assert_eq!(broken.json()["ErrorType"], "InvalidXml");
    server.stop().await;

    // The seed pages document form bodies.
    let seeds = start("docs", MockConfig::default()).await;
    let form = |body: &'static str| {
        call(
            &seeds,
            "POST",
            "/api/v1/Agents/User/SaveRoleEntity",
            &[
                ("authorization", AUTH),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            body,
        )
    };
    assert_eq!(form("RoleId=7&Name=Sales+team").await.status, 200);
    let empty = form("").await;
    assert_eq!(
        empty.status,
        200,
        "an empty form is a form without fields: {}",
        empty.text()
    );
    let bad = form("RoleId=seven&Rank=1").await;
    assert_eq!(bad.status, 400, "{}", bad.text());
    assert_eq!(pointers(&bad), ["/RoleId"]);
    seeds.stop().await;
}
