//! The bundle of the five seed pages in `docs/`: snapshots (reviewed by eye), determinism
//! and the OpenAPI export.

use std::path::Path;

use crate::contract::{self, bundle, openapi};
use crate::docs;

fn build_docs() -> contract::Build {
    let set = docs::load_dir(Path::new("docs"), &|| {}).expect("docs/ is readable");
    contract::build(set)
}

#[test]
fn seed_pages_build_cleanly() {
    let build = build_docs();
    assert_eq!(build.pages_built, 5);
    assert!(build.diagnostics.is_empty(), "{:#?}", build.diagnostics);
    assert_eq!(build.samples.checked, build.samples.valid);
    assert!(
        build.samples.checked >= 6,
        "the seeds carry at least six JSON sample bodies"
    );
}

#[test]
fn seed_bundle_snapshots() {
    let build = build_docs();
    let files = bundle::render(&build.contract).expect("renders");
    insta::with_settings!({snapshot_path => "../../snapshots", prepend_module_to_snapshot => false}, {
        for (name, content) in &files {
            let snap = name.trim_end_matches(".json").replace('/', "__");
            insta::assert_snapshot!(snap, content);
        }
    });
}

#[test]
fn generations_of_the_format_agree() {
    let build = build_docs();
    let op = |id: &str| {
        build
            .contract
            .operations
            .iter()
            .find(|o| o.operation_id == id)
            .unwrap_or_else(|| panic!("{id} is built"))
    };
    // `uid:` + typed `Integer` columns and `id:` + `int32` columns give the same schema.
    let save_user = op("v1UserAgent_SaveUser");
    let save_chat = op("v1ChatAgent_SaveChatSessionEntity");
    // A body that names its entity (`The User that is saved`) is that named type.
    let body_of = |o: &contract::Operation| {
        let schema = &o.request_body.as_ref().expect("has a body").schema;
        contract::types::resolve_ref(&build.contract.types, schema).clone()
    };
    assert_eq!(
        save_user.request_body.as_ref().expect("body").schema["$ref"],
        "../types/User.json"
    );
    let int_of = |o: &contract::Operation, prop: &str| {
        let mut schema = body_of(o)["properties"][prop].clone();
        if let Some(m) = schema.as_object_mut() {
            m.retain(|k, _| k != "description" && !k.starts_with("x-mockdown"));
        }
        schema
    };
    assert_eq!(int_of(save_user, "AssociateId")["type"], "integer");
    assert_eq!(
        int_of(save_user, "AssociateId"),
        int_of(save_chat, "ChatSessionId")
    );
    // `### Response body: User` → a shared named type; `Response body: object` → inline.
    assert_eq!(
        save_user.responses["200"].schema["$ref"],
        "../types/User.json"
    );
    assert_eq!(save_chat.responses["200"].schema["type"], "object");
    // Named types are nullable: real responses carry null for absent objects.
    assert_eq!(
        build.contract.types["Person"]["type"],
        serde_json::json!(["object", "null"])
    );
    // Double-escaped entities are decoded.
    let chat_body = body_of(save_chat);
    let fetched = &chat_body["properties"]["WhenFetched"];
    assert!(
        fetched["description"]
            .as_str()
            .is_some_and(|d| d.contains("customer's client"))
    );
    assert_eq!(fetched["format"], "date-time");
    // Front matter notes survive.
    assert_eq!(save_user.slow_threshold_ms, Some(2000));
    assert!(
        save_user
            .online_restricted
            .as_deref()
            .is_some_and(|n| n.starts_with("The User agent"))
    );
    // The page documents a body and its sample sends one: the body is required.
    let post_chat = op("v1ChatSessionEntity_PostChatSessionEntity");
    assert!(post_chat.request_body.as_ref().expect("body").required);
    assert_eq!(post_chat.query_parameters[0].name, "$select");
}

#[test]
fn two_builds_are_byte_identical() {
    let first = bundle::render(&build_docs().contract).expect("renders");
    let second = bundle::render(&build_docs().contract).expect("renders");
    assert_eq!(first, second);
}

#[test]
fn committed_bundle_matches_docs() {
    let build = build_docs();
    let drift = bundle::diff(&build.contract, Path::new("schemas")).expect("diffs");
    assert!(
        drift.is_empty(),
        "schemas/ is stale, run `mockdown build`: {drift:?}"
    );
}

#[test]
fn bundle_reads_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let build = build_docs();
    bundle::write(&build.contract, dir.path()).expect("writes");
    let read = bundle::read(dir.path()).expect("reads");
    assert_eq!(
        bundle::render(&read).expect("renders"),
        bundle::render(&build.contract).expect("renders")
    );
}

#[test]
fn openapi_export_refs_resolve() {
    let doc = openapi::export(&build_docs().contract);
    assert_eq!(doc["openapi"], "3.1.0");
    let text = doc.to_string();
    for piece in text.split("\"$ref\":\"").skip(1) {
        let target = piece.split('"').next().unwrap_or_default();
        let pointer = target.trim_start_matches('#');
        assert!(doc.pointer(pointer).is_some(), "dangling ref {target}");
    }
    let save = &doc["paths"]["/api/v1/Agents/User/SaveUser"]["post"];
    assert_eq!(save["operationId"], "v1UserAgent_SaveUser");
    assert!(save["requestBody"]["content"]["application/json"]["example"].is_object());
}
