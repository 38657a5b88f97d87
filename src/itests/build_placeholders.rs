//! How the build reads the docs generator's placeholders and gaps (issue 18): `null` for an
//! object it did not expand, types nothing describes, the family's integer width, string
//! types, dictionaries written as `{"fieldName": {…}}`, members shown under the type's name
//! elsewhere; and what the OpenAPI export makes of them.

use serde_json::{Value, json};

use super::pages::{Page, build, page};
use crate::contract::openapi;

fn int_rows(count: usize) -> String {
    (0..count)
        .map(|i| format!("| Count{i} | int32 |  |"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_value_shown_only_as_null_is_an_object_never_nullable_in_the_export() {
    let (_dir, build) = build(&[page(
        "v1A_Get",
        "Thing",
        "| Name | string |  |\n| Owner | Person |  |",
        json!({"Name": "a", "Owner": null, "Rights": null}),
    )]);
    let thing = &build.contract.types["Thing"];
    let rights = &thing["properties"]["Rights"];
    assert_eq!(rights["type"], json!(["object", "null"]), "{rights}");
    assert_eq!(rights["x-mockdown-unknown"], true);
    // The documented sample keeps its schema.
    assert_eq!(
        build.samples.valid, build.samples.checked,
        "{:?}",
        build.samples
    );
    // Person: referenced, never described.
    let person = &build.contract.types["Person"];
    assert_eq!(person["x-mockdown-unknown"], true);
    assert!(person.get("properties").is_none(), "{person}");

    let doc = openapi::export(&build.contract);
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["Thing"]["type"], "object");
    assert_eq!(schemas["Thing"]["properties"]["Rights"]["type"], "object");
    assert_eq!(
        schemas["Thing"]["properties"]["Rights"]["additionalProperties"],
        true
    );
    assert_eq!(
        schemas["Person"],
        json!({"title": "Person", "type": "object", "x-mockdown-origin": {"tables": 0, "samples": 0}, "x-mockdown-unknown": true, "additionalProperties": true})
    );
    // The example is written without the placeholders, and kept: it fits its schema.
    let example = &doc["paths"]["/api/v1/Test/v1A_Get"]["post"]["responses"]["200"]["content"]["application/json"]
        ["example"];
    assert_eq!(example, &json!({"Name": "a"}));
}

#[test]
fn integers_only_samples_show_take_the_width_every_typed_row_has() {
    let rows = int_rows(20);
    let (_dir, built) = build(&[page(
        "v1A_Get",
        "Thing",
        &rows,
        json!({"Count0": 1, "VisibleId": 42, "Big": 9_000_000_000_i64}),
    )]);
    let p = &built.contract.types["Thing"]["properties"];
    assert_eq!(p["VisibleId"]["format"], "int32", "{}", p["VisibleId"]);
    assert_eq!(p["Big"]["format"], "int64", "{}", p["Big"]);

    // Too few typed rows to show a default: no format.
    let (_dir, few) = build(&[page(
        "v1A_Get",
        "Thing",
        "| Count | int32 |  |",
        json!({"Count": 1, "VisibleId": 42}),
    )]);
    let visible = &few.contract.types["Thing"]["properties"]["VisibleId"];
    assert!(visible.get("format").is_none(), "{visible}");
}

#[test]
fn a_type_whose_samples_are_identifiers_is_a_string_of_those_values() {
    let (_dir, build) = build(&[
        page("v1A_GetStatus", "UserStatus", "", json!("Active")),
        page("v1B_GetStatus", "UserStatus", "", json!("Locked")),
    ]);
    let status = &build.contract.types["UserStatus"];
    assert_eq!(status["type"], "string", "{status}");
    assert_eq!(status["x-mockdown-enum-seen"], json!(["Active", "Locked"]));
    let doc = openapi::export_with(
        &build.contract,
        openapi::ExportOptions {
            enums: openapi::Enums::Seen,
        },
    )
    .0;
    assert_eq!(
        doc["components"]["schemas"]["UserStatus"]["enum"],
        json!(["Active", "Locked"])
    );
}

#[test]
fn a_sample_keyed_by_the_generators_member_names_is_a_dictionary() {
    let values = json!({"fieldName": {"FieldType": "System.Int32", "FieldLength": 0}});
    let (_dir, build) = build(&[
        page(
            "v1A_Get",
            "A",
            "| FieldProperties | object |  |",
            json!({"FieldProperties": values.clone()}),
        ),
        page(
            "v1B_Get",
            "B",
            "| FieldProperties | object |  |",
            json!({"FieldProperties": values.clone()}),
        ),
        // No table types these: the keys say what they are.
        page(
            "v1C_Get",
            "C",
            "| Name | string |  |",
            json!({"Name": "x", "Rights": values, "Extra": {"Extra1": "a", "Extra2": "b"}}),
        ),
    ]);
    let p = &build.contract.types["C"]["properties"];
    assert_eq!(
        p["Rights"]["type"],
        json!(["object", "null"]),
        "{}",
        p["Rights"]
    );
    assert!(p["Rights"].get("properties").is_none(), "{}", p["Rights"]);
    assert_eq!(
        p["Rights"]["additionalProperties"]["properties"]["FieldType"]["type"],
        "string"
    );
    assert_eq!(
        p["Extra"]["additionalProperties"]["type"], "string",
        "{}",
        p["Extra"]
    );
}

#[test]
fn a_type_without_evidence_borrows_the_members_shown_under_its_name() {
    let (_dir, build) = build(&[
        page(
            "v1A_Get",
            "Thing",
            "| Owner | Associate |  |",
            json!({"Owner": null}),
        ),
        page(
            "v1B_Get",
            "Holder",
            "| Associate |  | The associate |",
            json!({"Associate": {"AssociateId": 5, "Name": "Ola"}}),
        ),
    ]);
    let associate = &build.contract.types["Associate"];
    assert_eq!(
        associate["properties"]["AssociateId"]["type"], "integer",
        "{associate}"
    );
    assert_eq!(associate["properties"]["Name"]["type"], "string");
    assert!(associate.get("x-mockdown-unknown").is_none());
}

#[test]
fn the_export_documents_what_the_mock_answers_by_itself() {
    let with_body = Page {
        request: Some((
            "The Thing to be saved.",
            "| Name | string |  |",
            json!({"Name": "x"}),
        )),
        ..page(
            "v1A_Save",
            "Thing",
            "| Name | string |  |",
            json!({"Name": "x"}),
        )
    };
    let (_dir, build) = build(&[with_body]);
    let doc = openapi::export(&build.contract);
    let op = &doc["paths"]["/api/v1/Test/v1A_Save"]["post"];
    for code in ["200", "400", "401", "406", "413", "415"] {
        assert!(
            op["responses"].get(code).is_some(),
            "{code}: {}",
            op["responses"]
        );
    }
    assert!(op["responses"].get("404").is_none(), "no path parameter");
    assert_eq!(
        op["responses"]["400"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/MockdownRejection"
    );
    let media: Vec<&String> = op["requestBody"]["content"]
        .as_object()
        .map(|c| c.keys().collect())
        .unwrap_or_default();
    assert!(
        !media.iter().any(|m| *m == "application/json-patch+json"),
        "{media:?}"
    );
    assert!(media.iter().any(|m| *m == "application/json"), "{media:?}");
    assert!(
        doc["components"]["schemas"]
            .get("MockdownRejection")
            .is_some()
    );
    let value: &Value = &doc["servers"][0]["url"];
    assert!(value.is_string());
}
