//! One page → one operation: bodies, statuses, parameters and content types.

use serde_json::json;

use super::*;
use crate::contract::catalog::Catalog;
use crate::contract::lexicon::Lexicon;
use crate::contract::testkit::{Generation, Md, md, rows};

fn build(page: &Page, owners: Owners) -> Operation {
    let lexicon = Lexicon::build(std::slice::from_ref(page));
    let catalog = Catalog::default();
    let knowledge = Knowledge {
        lexicon: &lexicon,
        catalog: &catalog,
    };
    build_operation(page, owners, &knowledge, &mut Vec::new())
}

#[test]
fn both_generations_give_the_same_operation() {
    let table = rows(&[("Id", "int32", "Primary key"), ("Name", "string", "")]);
    let sample = json!({"Id": 1, "Name": "x"});
    let mut built = Vec::new();
    for generation in [Generation::Id, Generation::Uid] {
        let page = Md {
            generation,
            ..md("v1Thing_GetThing", "object", &table, sample.clone())
        }
        .page();
        assert_eq!(page.operation_id, "v1Thing_GetThing", "{generation:?}");
        let op = build(&page, Owners::default());
        assert_eq!(op.success_status, 200);
        assert_eq!(
            op.example.response.as_ref().and_then(|r| r.body.clone()),
            Some(sample.clone())
        );
        built.push(op.responses["200"].schema.clone());
    }
    assert_eq!(built[0], built[1]);
    assert_eq!(built[0]["properties"]["Id"]["format"], "int32");
    assert_eq!(built[0]["properties"]["Id"]["description"], "Primary key");
}

#[test]
fn untyped_columns_leave_the_samples_to_speak() {
    let table = rows(&[("Id", "int32", ""), ("When", "date-time", "")]);
    let page = Md {
        typed: false,
        ..md(
            "v1Thing_GetThing",
            "object",
            &table,
            json!({"Id": 1, "When": "2012-09-14T14:19:02Z"}),
        )
    }
    .page();
    let op = build(&page, Owners::default());
    let props = &op.responses["200"].schema["properties"];
    assert_eq!(props["Id"]["type"], "integer");
    assert_eq!(props["When"]["format"], "date-time");
}

#[test]
fn a_named_owner_is_a_reference_and_a_list_of_it() {
    let table = rows(&[("Id", "int32", "")]);
    let page = md("v1Thing_GetThings", "Thing", &table, json!([{"Id": 1}])).page();
    let one = Owners {
        response: Some("Thing"),
        ..Owners::default()
    };
    assert_eq!(build(&page, one).responses["200"].schema, type_ref("Thing"));
    let list = Owners {
        response: Some("Thing"),
        response_list: true,
        ..Owners::default()
    };
    assert_eq!(
        build(&page, list).responses["200"].schema,
        json!({"type": "array", "items": type_ref("Thing")})
    );
}

#[test]
fn a_rejected_heading_with_an_array_sample_is_a_list_of_its_table() {
    let table = rows(&[("Id", "int32", "")]);
    let page = md("v1Thing_GetThings", "Thing", &table, json!([{"Id": 1}])).page();
    let schema = build(&page, Owners::default()).responses["200"]
        .schema
        .clone();
    assert_eq!(schema["type"], "array");
    assert_eq!(schema["items"]["properties"]["Id"]["format"], "int32");
}

#[test]
fn an_enum_heading_is_a_complete_enum() {
    let page = md("v1Thing_GetState", "Enum: Open, Closed", "", json!("Open")).page();
    assert_eq!(
        build(&page, Owners::default()).responses["200"].schema,
        enums::complete(&["Open".into(), "Closed".into()])
    );
}

#[test]
fn statuses_without_bodies_and_errors() {
    assert!(bodyless(204) && bodyless(304) && bodyless(100));
    assert!(!bodyless(200) && !bodyless(400));
    let table = rows(&[("Id", "int32", "")]);
    let mut page = md("v1Thing_DeleteThing", "object", &table, json!({})).page();
    if let Some(resp) = page.response.as_mut() {
        resp.statuses.push(crate::docs::StatusDoc {
            code: 404,
            description: "Not Found".into(),
            line: 1,
        });
        resp.statuses[0].code = 204;
    }
    let op = build(&page, Owners::default());
    assert_eq!(op.success_status, 204);
    assert_eq!(op.responses["204"].schema, json!({"type": "null"}));
    assert_eq!(op.responses["404"].schema, type_ref(ERROR_TYPE));
}

#[test]
fn content_types_default_by_method() {
    let table = rows(&[("Id", "int32", "")]);
    let request = Some(("entity", "The Thing.", table.as_str(), json!({"Id": 1})));
    let post = Md {
        request: request.clone(),
        ..md("v1Thing_PostThing", "object", &table, json!({}))
    }
    .page();
    let body = build(&post, Owners::default()).request_body;
    assert_eq!(
        body.as_ref().map(|b| b.content_types.clone()),
        Some(vec![
            "application/json".to_string(),
            "text/json".to_string()
        ])
    );
    assert_eq!(body.map(|b| b.required), Some(true));
    let mut patch = Md {
        request,
        ..md("v1Thing_PatchThing", "object", &table, json!({}))
    }
    .page();
    patch.endpoint.method = "PATCH".into();
    let types = build(&patch, Owners::default())
        .request_body
        .map(|b| b.content_types)
        .unwrap_or_default();
    assert_eq!(types.len(), 4);
    assert!(types.contains(&"application/json-patch+json".to_string()));
}

#[test]
fn parameters_and_path_templates() {
    assert_eq!(
        template_params("/api/v1/Thing/{id}/Part/{name}"),
        ["id", "name"]
    );
    let doc = ParamDoc {
        name: "mode".into(),
        type_text: "Enum: Slim, Wide".into(),
        description: String::new(),
        required: false,
        line: 1,
    };
    assert_eq!(
        parameter(&doc, false).schema,
        enums::complete(&["Slim".into(), "Wide".into()])
    );
    let list = ParamDoc {
        type_text: "array".into(),
        ..doc.clone()
    };
    assert_eq!(parameter(&list, false).schema["items"]["type"], "string");
    let free = ParamDoc {
        type_text: "Something odd".into(),
        ..doc
    };
    assert_eq!(parameter(&free, true).schema, json!({"type": "string"}));
}
