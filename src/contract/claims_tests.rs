//! The weighing of claims, each rule on both sides of its threshold.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::*;
use crate::contract::testkit::{Generation, Md, md, pages, rows};
use crate::contract::unnamed::structural_owner;

fn keys(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|k| k.to_string()).collect()
}

/// Rows for the given property names, all `string`.
fn string_rows(names: &[&str]) -> String {
    let cells: Vec<(&str, &str, &str)> = names.iter().map(|n| (*n, "string", "")).collect();
    rows(&cells)
}

#[test]
fn same_thing_at_and_below_sixty_percent_of_the_smaller_set() {
    let a = keys(&["A", "B", "C", "D", "E"]);
    assert!(same_thing(&a, &keys(&["A", "B", "C", "X", "Y"])), "3 of 5");
    assert!(!same_thing(&a, &keys(&["A", "B", "X", "Y", "Z"])), "2 of 5");
    // The smaller set is the measure: 2 of 3 shared with a ten-key set is the same thing.
    let large = keys(&["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"]);
    assert!(same_thing(&large, &keys(&["A", "B", "Q"])));
    assert!(!same_thing(&large, &keys(&["A", "P", "Q"])));
}

#[test]
fn claims_that_share_enough_keys_shape_the_type_together() {
    let one = string_rows(&["A", "B", "C", "D", "E"]);
    let two = string_rows(&["A", "B", "C", "X", "Y"]);
    let set = pages(&[
        md("p1", "Thing", &one, json!({})),
        md("p2", "Thing", &two, json!({})),
    ]);
    let owners = weigh(&set);
    assert_eq!(
        owners.response,
        vec![Some("Thing".into()), Some("Thing".into())]
    );
    assert_eq!(
        owners.keys.get("Thing"),
        Some(&keys(&["A", "B", "C", "D", "E", "X", "Y"]))
    );
    assert!(owners.findings.is_empty());
}

#[test]
fn claims_that_disagree_and_no_page_names_the_type_are_all_rejected() {
    let one = string_rows(&["A", "B", "C", "D", "E"]);
    let two = string_rows(&["A", "B", "X", "Y", "Z"]);
    let set = pages(&[
        md("p1", "Thing", &one, json!({})),
        md("p2", "Thing", &two, json!({})),
    ]);
    let owners = weigh(&set);
    assert_eq!(owners.response, vec![None, None]);
    assert_eq!(owners.keys.get("Thing"), None);
    assert_eq!(owners.findings.len(), 2);
    assert!(
        owners.findings[0]
            .message
            .contains("describe 2 different things"),
        "{}",
        owners.findings[0].message
    );
}

#[test]
fn the_group_whose_page_names_the_type_wins() {
    let right = string_rows(&["Mask", "Reason"]);
    let other = string_rows(&["ExternalReference", "Success", "Value"]);
    let named = Md {
        summary: "Returns the WidgetRight of the current user.",
        ..md("v1Right_GetRight", "WidgetRight", &right, json!({}))
    };
    let set = pages(&[
        named,
        md("v1Doc_Checkout", "WidgetRight", &other, json!({})),
        md("v1Doc_Checkin", "WidgetRight", &other, json!({})),
    ]);
    let owners = weigh(&set);
    assert_eq!(owners.response[0].as_deref(), Some("WidgetRight"));
    assert_eq!(owners.response[1], None);
    assert_eq!(owners.response[2], None);
    assert_eq!(
        owners.keys.get("WidgetRight"),
        Some(&keys(&["Mask", "Reason"]))
    );
    assert_eq!(owners.findings.len(), 2);
}

#[test]
fn a_table_that_holds_its_own_type_is_rejected() {
    let table = rows(&[("TableRight", "TableRight", ""), ("Mask", "string", "")]);
    let set = pages(&[md("p", "TableRight", &table, json!({}))]);
    let owners = weigh(&set);
    assert_eq!(owners.response, vec![None]);
    assert!(owners.findings[0].message.contains("does not hold itself"));
}

#[test]
fn a_heading_the_page_contradicts_is_rehomed_to_the_primary_key_entity() {
    let table = rows(&[
        ("ConfigurableScreenDeltaId", "int32", "Primary key"),
        ("Name", "string", ""),
    ]);
    let set = pages(&[md(
        "v1Screen_GetConfigurableScreenDelta",
        "RecurrenceInfo",
        &table,
        json!({}),
    )]);
    let owners = weigh(&set);
    assert_eq!(
        owners.response[0].as_deref(),
        Some("ConfigurableScreenDelta")
    );
    assert!(owners.findings[0].message.contains("heads a table of"));
}

#[test]
fn a_primary_key_stem_needs_three_letters() {
    // `DocId` (stem `Doc`, 3 letters) rehomes; `AbId` (stem `Ab`) does not.
    for (key, uid, rehomed) in [
        ("DocId", "v1Thing_GetDoc", Some("Doc")),
        ("AbId", "v1Thing_GetAb", None),
    ] {
        let table = rows(&[(key, "int32", ""), ("Name", "string", "")]);
        let set = pages(&[md(uid, "RecurrenceInfo", &table, json!({}))]);
        let owners = weigh(&set);
        let expected = rehomed.or(Some("RecurrenceInfo"));
        assert_eq!(owners.response[0].as_deref(), expected, "{key}");
    }
}

/// The known key sets: one type `T` of `n` keys `K0..`.
fn known(n: usize) -> BTreeMap<String, BTreeSet<String>> {
    BTreeMap::from([("T".to_string(), (0..n).map(|i| format!("K{i}")).collect())])
}

fn table_keys(range: std::ops::Range<usize>, extra: &[&str]) -> BTreeSet<String> {
    range
        .map(|i| format!("K{i}"))
        .chain(extra.iter().map(|k| k.to_string()))
        .collect()
}

#[test]
fn structure_alone_needs_ninety_percent_coverage() {
    // 9 of 10 rows are the type's (0.9, similarity 9/11): the type. 8 of 10: not.
    let at = table_keys(0..9, &["Own"]);
    assert_eq!(structural_owner(&at, &known(10)), Some("T".into()));
    let below = table_keys(0..8, &["Own1", "Own2"]);
    assert_eq!(structural_owner(&below, &known(10)), None);
}

#[test]
fn structure_alone_needs_seventy_percent_similarity() {
    // All 10 rows are the type's, but the type has 14 (10/14 = 0.71) or 15 (0.67) keys.
    let rows_ = table_keys(0..10, &[]);
    assert_eq!(structural_owner(&rows_, &known(14)), Some("T".into()));
    assert_eq!(structural_owner(&rows_, &known(15)), None);
}

#[test]
fn structure_alone_needs_three_rows() {
    assert_eq!(
        structural_owner(&table_keys(0..3, &[]), &known(3)),
        Some("T".into())
    );
    assert_eq!(structural_owner(&table_keys(0..2, &[]), &known(2)), None);
}

#[test]
fn an_unnamed_array_table_that_matches_a_type_is_a_list_of_it() {
    let names = ["RoleId", "Name", "Tooltip", "Rank"];
    let table = string_rows(&names);
    let set = pages(&[
        md("v1Role_GetRole", "RoleEntity", &table, json!({})),
        md("v1Role_GetRoles", "array", &table, json!([{}])),
    ]);
    let owners = weigh(&set);
    assert_eq!(owners.response[1].as_deref(), Some("RoleEntity"));
    assert!(owners.response_list[1]);
    assert!(!owners.response_list[0]);
}

/// A save page whose request body (described as the RoleEntity) lists `request` rows, and
/// a read page whose `RoleEntity` table lists `entity` rows.
fn save_pages(entity: &[&str], request: &[&str], generation: Generation) -> Owners {
    let entity_rows = string_rows(entity);
    let request_rows = string_rows(request);
    let save = Md {
        generation,
        request: Some((
            "entity",
            "The RoleEntity to be saved.",
            request_rows.as_str(),
            json!({}),
        )),
        ..md("v1UserAgent_SaveThing", "object", "", json!({}))
    };
    let read = Md {
        generation,
        ..md("v1Role_GetRole", "RoleEntity", &entity_rows, json!({}))
    };
    weigh(&pages(&[read, save]))
}

#[test]
fn a_request_body_is_the_entity_it_names_at_eighty_percent_coverage() {
    let entity = ["RoleId", "Name", "Tooltip", "Rank", "Deleted"];
    for generation in [Generation::Id, Generation::Uid] {
        // 4 of 5 rows the entity's (0.8, similarity 4/6): the entity.
        let at = save_pages(
            &entity,
            &["RoleId", "Name", "Tooltip", "Rank", "Own"],
            generation,
        );
        assert_eq!(
            at.request[1].as_deref(),
            Some("RoleEntity"),
            "{generation:?}"
        );
        // 3 of 4 (0.75): stays inline.
        let below = save_pages(&entity, &["RoleId", "Name", "Tooltip", "Own"], generation);
        assert_eq!(below.request[1], None, "{generation:?}");
    }
}

#[test]
fn a_request_body_needs_sixty_percent_similarity() {
    let entity = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"];
    // All rows are the entity's; 6 of 10 keys (0.6): the entity; 5 of 10: not.
    let at = save_pages(&entity, &entity[..6], Generation::Uid);
    assert_eq!(at.request[1].as_deref(), Some("RoleEntity"));
    let below = save_pages(&entity, &entity[..5], Generation::Uid);
    assert_eq!(below.request[1], None);
}

#[test]
fn sample_keys_are_shown_four_at_most() {
    assert_eq!(sample_keys(&keys(&["A", "B"])), "A, B");
    assert_eq!(
        sample_keys(&keys(&["A", "B", "C", "D", "E", "F"])),
        "A, B, C, D, … 2 more"
    );
}
