//! How the build infers types from evidence spread over pages: mislabeled headings, request
//! bodies that name their entity, cells settled across tables, maps, enums, formats and
//! recursive items. Each test writes a small page set.

use std::path::Path;

use serde_json::{Value, json};

use super::pages::{Page, build, page};
use crate::contract::{self, Build, openapi, types::resolve_ref};
use crate::diag::{Diagnostic, Severity};
use crate::lint;

fn operation<'a>(build: &'a Build, uid: &str) -> &'a contract::Operation {
    build
        .contract
        .operations
        .iter()
        .find(|o| o.operation_id == uid)
        .unwrap_or_else(|| panic!("{uid} is built"))
}

fn response<'a>(build: &'a Build, uid: &str) -> &'a Value {
    let schema = &operation(build, uid).responses["200"].schema;
    resolve_ref(&build.contract.types, schema)
}

fn props(schema: &Value) -> Vec<&str> {
    schema["properties"]
        .as_object()
        .map(|p| p.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

fn findings(build: &Build, code: &str) -> Vec<Diagnostic> {
    lint::lint(build)
        .into_iter()
        .chain(lint::notes(build))
        .filter(|d| d.code == code)
        .collect()
}

const RIGHT_ROWS: &str = "| Mask | string |  |\n| Reason | string |  |";
const RETURN_ROWS: &str =
    "| ExternalReference | string |  |\n| Success | bool |  |\n| Value | string |  |";

#[test]
fn a_heading_its_page_contradicts_does_not_shape_the_type() {
    let right = json!({"Mask": "Delete", "Reason": ""});
    let other = json!({"ExternalReference": "x", "Success": true, "Value": "v"});
    let (_dir, build) = build(&[
        Page {
            summary: "Returns the WidgetRight of the current user.",
            ..page("v1Right_GetWidgetRight", "WidgetRight", RIGHT_ROWS, right)
        },
        page("v1Doc_Checkout", "WidgetRight", RETURN_ROWS, other.clone()),
        page("v1Doc_Checkin", "WidgetRight", RETURN_ROWS, other),
    ]);
    // The two mislabeled tables outnumber the one page that names the type; they still lose.
    assert_eq!(
        props(&build.contract.types["WidgetRight"]),
        ["Mask", "Reason"]
    );
    // Their tables describe their own pages' bodies.
    let checkout = response(&build, "v1Doc_Checkout");
    assert_eq!(props(checkout), ["ExternalReference", "Success", "Value"]);
    assert!(
        operation(&build, "v1Doc_Checkout").responses["200"]
            .schema
            .get("$ref")
            .is_none()
    );
    let rejected = findings(&build, "mislabeled-heading");
    assert_eq!(rejected.len(), 2, "{rejected:#?}");
    assert!(
        rejected
            .iter()
            .all(|d| d.file.starts_with("v1Doc_") && d.line > 1)
    );
    assert!(
        rejected[0].message.contains("name `WidgetRight`"),
        "{}",
        rejected[0]
    );
}

#[test]
fn irreconcilable_headings_leave_the_type_unknown() {
    let (_dir, build) = build(&[
        page("v1A_Get", "Filler", RETURN_ROWS, json!({"Success": true})),
        page("v1B_Get", "Filler", RIGHT_ROWS, json!({"Mask": "x"})),
    ]);
    // No union of strangers: the type holds nothing (nothing else refers to it, so it is not
    // even written), each page keeps its own table.
    let filler = build.contract.types.get("Filler");
    assert_eq!(filler.map(props).unwrap_or_default(), Vec::<&str>::new());
    assert_eq!(props(response(&build, "v1B_Get")), ["Mask", "Reason"]);
    let rejected = findings(&build, "mislabeled-heading");
    assert_eq!(rejected.len(), 2);
    assert!(
        rejected[0].message.contains("stays unknown"),
        "{}",
        rejected[0]
    );
}

#[test]
fn a_table_of_another_entity_is_taken_for_it_and_request_bodies_name_their_entity() {
    let delta_rows = "| GadgetDeltaId | int32 | Primary key |\n| Name | string |  |\n| Changed | date-time |  |\n| WidgetRight | WidgetRight |  |\n| FieldProperties | object |  |";
    let delta = json!({"GadgetDeltaId": 1, "Name": "n", "Changed": "2020-01-01T10:00:00+02:00",
        "WidgetRight": null, "FieldProperties": {"fieldName": {"FieldType": "System.String", "FieldLength": 20}}});
    // The older generation: `Integer`/`String` cells, no WidgetRight/FieldProperties rows.
    let old_rows =
        "| GadgetDeltaId | Integer | Primary key |\n| Name | String |  |\n| Changed | String |  |";
    let (_dir, build) = build(&[
        Page {
            summary: "Returns the WidgetRight.",
            ..page(
                "v1Right_GetWidgetRight",
                "WidgetRight",
                RIGHT_ROWS,
                json!({"Mask": "Delete", "Reason": ""}),
            )
        },
        // The generator's heading names the wrong type; the title and primary key name it.
        page(
            "v1Config_GetGadgetDelta",
            "WidgetRight",
            delta_rows,
            delta.clone(),
        ),
        Page {
            request: Some((
                "The GadgetDelta to be saved.",
                old_rows,
                json!({"GadgetDeltaId": 2, "Name": "m", "Changed": "2021-01-01T10:00:00Z"}),
            )),
            ..page("v1Config_SaveGadgetDelta", "WidgetRight", delta_rows, delta)
        },
    ]);
    let types = &build.contract.types;
    assert_eq!(props(&types["WidgetRight"]), ["Mask", "Reason"]);
    let gadget = &types["GadgetDelta"];
    assert_eq!(gadget["properties"]["Changed"]["format"], "date-time");
    assert_eq!(
        gadget["properties"]["WidgetRight"]["$ref"],
        "../types/WidgetRight.json"
    );
    // The request body is the entity its description names: its rows and the rest.
    let save = operation(&build, "v1Config_SaveGadgetDelta");
    assert_eq!(
        save.request_body.as_ref().expect("body").schema,
        json!({"$ref": "../types/GadgetDelta.json"})
    );
    assert_eq!(
        save.responses["200"].schema["$ref"],
        "../types/GadgetDelta.json"
    );
    let rehomed = findings(&build, "mislabeled-heading");
    assert_eq!(rehomed.len(), 2, "{rehomed:#?}");
    assert!(
        rehomed[0]
            .message
            .contains("taken as evidence for `GadgetDelta`")
    );
    assert_eq!(
        build.samples.checked, build.samples.valid,
        "{:#?}",
        build.diagnostics
    );
}

#[test]
fn cells_the_other_tables_overrule_and_dictionaries() {
    let rows = |right: &str| {
        format!(
            "| ThingId | int32 |  |\n| WidgetRight | {right} |  |\n| FieldProperties | object |  |\n| CustomFields | object |  |"
        )
    };
    let (a, b, c) = (rows("WidgetRight"), rows("WidgetRight"), rows("Filler"));
    let sample = json!({"ThingId": 1, "WidgetRight": null,
        "FieldProperties": {"fieldName": {"FieldRight": null, "FieldType": "System.Int32", "FieldLength": 7}},
        "CustomFields": {"CustomFields1": "a", "CustomFields2": "b"}});
    let (_dir, build) = build(&[
        page("v1A_GetThing", "Thing", &a, sample.clone()),
        page("v1B_GetOther", "Other", &b, sample.clone()),
        page("v1C_GetThird", "Third", &c, sample),
    ]);
    let third = &build.contract.types["Third"]["properties"];
    // The property names its own type, as the other pages type it: the mislabel is overruled.
    assert_eq!(third["WidgetRight"]["$ref"], "../types/WidgetRight.json");
    let overruled = findings(&build, "mislabeled-type-cell");
    assert_eq!(overruled.len(), 1, "{overruled:#?}");
    assert_eq!(overruled[0].file, "v1C_GetThird.md");
    // `object` cells are dictionaries: their values' shape is known from the samples.
    let values = &third["FieldProperties"][contract_map_key()];
    assert_eq!(values["type"], serde_json::json!(["object", "null"]));
    assert_eq!(values["properties"]["FieldType"]["type"], "string");
    assert_eq!(
        third["CustomFields"][contract_map_key()],
        json!({"type": "string"})
    );
    // The export writes them as the standard keyword.
    let doc = openapi::export(&build.contract);
    let exported = &doc["components"]["schemas"]["Third"]["properties"]["CustomFields"];
    assert_eq!(exported["additionalProperties"], json!({"type": "string"}));
}

fn contract_map_key() -> &'static str {
    "additionalProperties"
}

#[test]
fn enums_listed_in_full_are_validated_and_seen_values_only_answered() {
    let rows = "| State | Enum: Open, Closed |  |\n| Level | string | One of: Low, High. |\n| Status | string | The status |\n| Name | string |  |";
    let sample = |status: &str, name: &str| json!({"State": "Open", "Level": "Low", "Status": status, "Name": name});
    let (_dir, build) = build(&[
        page("v1A_Get", "Thing", rows, sample("Closed", "Walker LLC")),
        page("v1B_Get", "Thing", rows, sample("Closed", "porro")),
        page("v1C_Get", "Thing", rows, sample("Lost", "et")),
        page("v1D_Get", "Thing", rows, sample("Closed", "Hills Group")),
    ]);
    let p = &build.contract.types["Thing"]["properties"];
    assert_eq!(p["State"]["enum"], json!(["Open", "Closed"]));
    assert_eq!(p["State"]["x-mockdown-enum-complete"], true);
    assert_eq!(p["Level"]["enum"], json!(["Low", "High"]));
    // Values only seen in samples say what to answer, never what to reject.
    assert!(p["Status"].get("enum").is_none());
    assert_eq!(
        p["Status"]["x-mockdown-enum-seen"],
        json!(["Closed", "Lost"])
    );
    assert!(p["Name"].get("x-mockdown-enum-seen").is_none());
    let notes = findings(&build, "enum-complete");
    assert_eq!(notes.len(), 2, "{notes:#?}");
    assert!(notes.iter().all(|n| n.severity == Severity::Note));
}

#[test]
fn formats_come_from_samples_and_other_rows() {
    let bytes = json!("GIF89....File contents as raw bytes...");
    let (_dir, build) = build(&[
        page(
            "v1A_Get",
            "Thing",
            "| Updated | String |  |\n| Image | String |  |\n| Rank | int32 |  |",
            json!({"Updated": "2012-09-14T14:19:02.7125533+02:00", "Image": bytes.clone(), "LastChanged": "2006-07-27T14:19:02+02:00", "Extra": {"Rank": 5, "Id": 9}}),
        ),
        page("v1B_GetBlob", "byte", "", bytes.clone()),
        page("v1C_GetBlob", "byte", "", bytes),
    ]);
    let p = &build.contract.types["Thing"]["properties"];
    assert_eq!(p["Updated"]["format"], "date-time");
    assert_eq!(p["Image"]["format"], "byte");
    // A property only samples show.
    assert_eq!(p["LastChanged"]["format"], "date-time");
    // Nested sample-only keys take the format the tables give that name.
    assert_eq!(p["Extra"]["properties"]["Rank"]["format"], "int32");
    assert!(p["Extra"]["properties"]["Id"].get("format").is_none());
    let doc = openapi::export(&build.contract);
    assert_eq!(
        doc["components"]["schemas"]["Thing"]["properties"]["Updated"]["format"],
        "date-time"
    );
}

#[test]
fn recursive_items_are_the_type_their_row_names() {
    let rows = "| Id | int32 |  |\n| Name | string |  |\n| ChildItems | array | The child items of the TreeItem |";
    let node = |id: i64, children: Value| json!({"Id": id, "Name": "n", "ChildItems": children});
    let tree = json!([node(1, json!([node(2, json!([{}, {}]))]))]);
    let (_dir, build) = build(&[
        Page {
            heading: "array",
            ..page("v1List_GetTree", "array", rows, tree)
        },
        // Elsewhere only a sample shows such items, at the generator's depth limit.
        page(
            "v1List_GetHolder",
            "Holder",
            "| Items | array |  |",
            json!({"Items": [node(3, json!([{}, {}]))]}),
        ),
    ]);
    let tree_type = &build.contract.types["TreeItem"];
    assert_eq!(
        tree_type["properties"]["ChildItems"]["items"],
        json!({"$ref": "../types/TreeItem.json"})
    );
    assert_eq!(
        operation(&build, "v1List_GetTree").responses["200"].schema,
        json!({"type": "array", "items": {"$ref": "../types/TreeItem.json"}})
    );
    let holder = &build.contract.types["Holder"]["properties"]["Items"];
    assert_eq!(holder["items"], json!({"$ref": "../types/TreeItem.json"}));
    assert_eq!(
        build.samples.checked, build.samples.valid,
        "{:#?}",
        build.diagnostics
    );
}

#[test]
fn nulls_depth_limits_and_placeholders_show_only_what_they_show() {
    let (_dir, build) = build(&[
        // Tables elsewhere type `Type` as a string and `Owner` as a named type.
        page(
            "v1A_Get",
            "Thing",
            "| Type | string |  |\n| Owner | Person |  |",
            json!({"Type": "x", "Owner": null}),
        ),
        page(
            "v1P_Get",
            "Person",
            "| Name | string |  |",
            json!({"Name": "n"}),
        ),
        // A type no table lists: the samples show `null` for both, `{}` items at the
        // generator's depth limit, and the generator's placeholder for map values.
        page(
            "v1H_Get",
            "Holder",
            "| Entries | array |  |\n| Values | object |  |",
            json!({
                "Entries": [{"Type": null, "Owner": null, "Tags": [[{}], [{}]]}],
                "Values": {"1": "An object of some kind", "2": "An object of some kind"}
            }),
        ),
    ]);
    let holder = &build.contract.types["Holder"]["properties"];
    let entry = &holder["Entries"]["items"]["properties"];
    // `null` never shows a string: only a named type the tables give the name follows;
    // otherwise it is the generator's placeholder for an object of unknown members.
    assert_eq!(
        entry["Type"],
        json!({"type": ["object", "null"], "x-mockdown-unknown": true}),
        "{holder}"
    );
    assert_eq!(entry["Owner"], json!({"$ref": "../types/Person.json"}));
    // `[[{}], [{}]]`: arrays of arrays, items unknown.
    assert_eq!(entry["Tags"]["items"], json!({"type": "array"}));
    // The placeholder stands for an object; the sample stays valid against its schema.
    let values = &holder["Values"]["additionalProperties"];
    assert_eq!(values["type"], json!(["object", "null"]), "{holder}");
    assert_eq!(
        build.samples.checked, build.samples.valid,
        "{:#?}",
        build.diagnostics
    );
}

#[test]
fn the_docs_build_stays_deterministic() {
    let pages = || {
        vec![
            page("v1A_Get", "Thing", RIGHT_ROWS, json!({"Mask": "A"})),
            page("v1B_Get", "Thing", RETURN_ROWS, json!({"Success": true})),
        ]
    };
    let (_a, first) = build(&pages());
    let (_b, second) = build(&pages());
    let render = |b: &Build| contract::bundle::render(&b.contract).expect("renders");
    assert_eq!(render(&first), render(&second));
    assert!(Path::new("docs").is_dir());
}
