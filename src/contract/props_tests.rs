//! A property's schema from its cell, its samples and the rest of the docs set.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::*;
use crate::contract::testkit::{Generation, Md, md, pages, rows};

fn schema(lexicon: &Lexicon, catalog: &Catalog, name: &str, cell: &Cell, value: &Value) -> Value {
    let knowledge = Knowledge { lexicon, catalog };
    let shape = Shape::of(value);
    knowledge.property(&Prop {
        name,
        description: "",
        cell,
        shape: &shape,
        owner: None,
    })
}

/// A lexicon from one page of `n` typed integer rows written `cell`.
fn integer_family(n: usize, cell: &str, generation: Generation) -> Lexicon {
    let table: String = (0..n)
        .map(|i| format!("| Count{i} | {cell} |  |\n"))
        .collect();
    let page = Md {
        generation,
        ..md("counts", "object", &table, json!({}))
    };
    Lexicon::build(&pages(&[page]))
}

#[test]
fn sample_only_integers_take_the_familys_width() {
    let catalog = Catalog::default();
    for (cell, generation) in [("int32", Generation::Uid), ("Integer", Generation::Id)] {
        let family = integer_family(20, cell, generation);
        let narrow = schema(&family, &catalog, "VisibleId", &Cell::None, &json!(42));
        assert_eq!(narrow, Primitive::Int32.schema(), "{cell}");
        let wide = schema(
            &family,
            &catalog,
            "VisibleId",
            &Cell::None,
            &json!(3_000_000_000_i64),
        );
        assert_eq!(wide, Primitive::Int64.schema(), "{cell}");
    }
    // Too few typed rows to show a habit: an integer, no format.
    let small = integer_family(19, "int32", Generation::Uid);
    let plain = schema(&small, &catalog, "VisibleId", &Cell::None, &json!(42));
    assert_eq!(plain, json!({"type": "integer"}));
}

#[test]
fn written_cells_win_over_samples() {
    let lexicon = Lexicon::default();
    let catalog = Catalog::default();
    let cell = Cell::Written("int32");
    assert_eq!(
        schema(&lexicon, &catalog, "Rank", &cell, &json!(7)),
        Primitive::Int32.schema()
    );
    // `Integer` (older pages) widens when the sample leaves the int32 range; `int32` does not.
    let wide = json!(3_000_000_000_i64);
    assert_eq!(
        schema(&lexicon, &catalog, "Rank", &Cell::Written("Integer"), &wide),
        Primitive::Int64.schema()
    );
    assert_eq!(
        schema(&lexicon, &catalog, "Rank", &cell, &wide),
        Primitive::Int32.schema()
    );
    // A `string` cell whose samples are all date-times is a date-time.
    assert_eq!(
        schema(
            &lexicon,
            &catalog,
            "Updated",
            &Cell::Written("String"),
            &json!("2012-09-14T14:19:02Z")
        ),
        Primitive::DateTime.schema()
    );
}

#[test]
fn an_enum_typed_bare_string_answers_the_values_seen() {
    // `Response body: UserStatus` shows only identifiers: a string of those values.
    let lexicon = Lexicon::default();
    let catalog = Catalog::default();
    let knowledge = Knowledge {
        lexicon: &lexicon,
        catalog: &catalog,
    };
    let mut shape = Shape::of(&json!("Active"));
    shape.add(&json!("Locked"), 0);
    shape.add(&json!("Active"), 0);
    shape.add(&json!("Active"), 0);
    let got = knowledge.property(&Prop {
        name: "Status",
        description: "",
        cell: &Cell::Written("UserStatus"),
        shape: &shape,
        owner: None,
    });
    assert_eq!(
        got,
        json!({"type": "string", enums::SEEN: ["Active", "Locked"]})
    );
    // A named cell with object samples (or none) stays a reference.
    let object = schema(
        &lexicon,
        &catalog,
        "Status",
        &Cell::Written("UserStatus"),
        &json!({"A": 1}),
    );
    assert_eq!(object, type_ref("UserStatus"));
}

#[test]
fn seen_enums_need_values_that_repeat() {
    let lexicon = Lexicon::default();
    let catalog = Catalog::default();
    let cell = Cell::Written("string");
    // Two distinct values over four samples (one per two): seen; over three: names.
    let repeated = json!(["Open", "Closed", "Open", "Open"]);
    let varied = json!(["Open", "Closed", "Open"]);
    let items = |v: &Value| {
        let shape = Shape::of(v).array.map(|b| *b).unwrap_or_default();
        let knowledge = Knowledge {
            lexicon: &lexicon,
            catalog: &catalog,
        };
        knowledge.property(&Prop {
            name: "State",
            description: "",
            cell: &cell,
            shape: &shape,
            owner: None,
        })
    };
    assert_eq!(items(&repeated)[enums::SEEN], json!(["Open", "Closed"]));
    assert_eq!(items(&varied), json!({"type": "string"}));
}

#[test]
fn sample_keys_under_dictionary_names_are_a_map() {
    // `fieldName` is the generator's dictionary member name on two `object` rows.
    let table = rows(&[("FieldProperties", "object", "")]);
    let sample = json!({"FieldProperties": {"fieldName": {"FieldLength": 3}}});
    let lexicon = Lexicon::build(&pages(&[
        md("a", "object", &table, sample.clone()),
        md("b", "object", &table, sample),
    ]));
    let catalog = Catalog::default();
    let value = json!({"fieldName": {"FieldLength": 839}});
    let got = schema(&lexicon, &catalog, "Rights", &Cell::None, &value);
    assert_eq!(got["type"], json!(["object", "null"]));
    assert!(got.get("properties").is_none(), "{got}");
    assert_eq!(
        got[MAP_VALUES]["properties"]["FieldLength"]["type"],
        json!("integer")
    );
    // The same keys with only one dictionary row: read as plain members.
    let one = Lexicon::build(&pages(&[md(
        "a",
        "object",
        &table,
        json!({"FieldProperties": {"fieldName": {}}}),
    )]));
    let flat = schema(&one, &catalog, "Rights", &Cell::None, &value);
    assert!(flat["properties"].get("fieldName").is_some(), "{flat}");
}

#[test]
fn an_object_cell_is_a_dictionary_of_the_members_shape() {
    let lexicon = Lexicon::default();
    let catalog = Catalog::default();
    let value = json!({"x": {"FieldType": "System.Int32"}, "y": {"FieldType": "System.String"}});
    let got = schema(
        &lexicon,
        &catalog,
        "FieldProperties",
        &Cell::Written("object"),
        &value,
    );
    assert_eq!(got["type"], json!("object"));
    assert!(
        got[MAP_VALUES]["properties"].get("FieldType").is_some(),
        "{got}"
    );
}

#[test]
fn only_null_is_the_placeholder_of_an_object() {
    let lexicon = Lexicon::default();
    let catalog = Catalog::default();
    let got = schema(&lexicon, &catalog, "Associate", &Cell::None, &json!(null));
    assert_eq!(got, placeholder_object());
    assert_eq!(
        schema(
            &lexicon,
            &catalog,
            "Associate",
            &Cell::Unknown,
            &json!(null)
        ),
        json!({"type": ["object", "null"], UNKNOWN: true})
    );
}

#[test]
fn array_items_are_the_named_type_their_keys_show() {
    let lexicon = Lexicon::default();
    let set = |k: &[&str]| -> BTreeSet<String> { k.iter().map(|s| s.to_string()).collect() };
    let catalog = Catalog::new(BTreeMap::from([(
        "Person".to_string(),
        set(&["PersonId", "Name", "Email"]),
    )]));
    let cell = Cell::Written("array");
    let three = json!([{"PersonId": 1, "Name": "a", "Email": "e"}]);
    assert_eq!(
        schema(&lexicon, &catalog, "Members", &cell, &three)["items"],
        type_ref("Person")
    );
    // Two keys: only when the property's name names the type.
    let two = json!([{"PersonId": 1, "Name": "a"}]);
    assert_eq!(
        schema(&lexicon, &catalog, "Persons", &cell, &two)["items"],
        type_ref("Person")
    );
    assert_ne!(
        schema(&lexicon, &catalog, "Members", &cell, &two)["items"],
        type_ref("Person")
    );
    // `[{}, {}]`, the generator's depth limit: no items.
    assert_eq!(
        schema(&lexicon, &catalog, "Members", &cell, &json!([{}, {}])),
        json!({"type": "array"})
    );
}

#[test]
fn array_items_borrow_the_same_rows_samples_elsewhere() {
    let table = rows(&[("Tags", "array", "The tags")]);
    let lexicon = Lexicon::build(&pages(&[md("a", "object", &table, json!({"Tags": ["x"]}))]));
    let catalog = Catalog::default();
    let knowledge = Knowledge {
        lexicon: &lexicon,
        catalog: &catalog,
    };
    let shape = Shape::of(&json!([]));
    let got = knowledge.property(&Prop {
        name: "Tags",
        description: "The tags",
        cell: &Cell::Written("array"),
        shape: &shape,
        owner: None,
    });
    assert_eq!(got, json!({"type": "array", "items": {"type": "string"}}));
}
