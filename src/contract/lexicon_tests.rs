//! The lexicon's rules, each on both sides of its threshold, with small hand-written pages.

use serde_json::json;

use super::*;
use crate::contract::testkit::{Generation, Md, md, pages, rows};

/// A page whose response table has the given rows, and whose sample is `sample`.
fn table_page<'a>(uid: &'a str, rows: &'a str, sample: serde_json::Value) -> Md<'a> {
    md(uid, "object", rows, sample)
}

/// `n` pages that type `Owner` ("The owner") with `cell`.
fn owner_pages(prefix: &str, cell: &str, n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| {
            (
                format!("{prefix}{i}"),
                rows(&[("Owner", cell, "The owner"), ("Name", "string", "")]),
            )
        })
        .collect()
}

fn lexicon_of(specs: &[(String, String)]) -> Lexicon {
    let mds: Vec<Md> = specs
        .iter()
        .map(|(uid, rows)| table_page(uid, rows, json!({})))
        .collect();
    Lexicon::build(&pages(&mds))
}

#[test]
fn named_cells_two_thirds_of_pages_win() {
    // 2 of 3 pages: exactly the majority share; the third page's cell is overruled.
    let mut specs = owner_pages("a", "Person", 2);
    specs.extend(owner_pages("b", "Company", 1));
    let lexicon = lexicon_of(&specs);
    assert_eq!(lexicon.correct("Owner", "The owner", "Person"), None);
    let correction = lexicon.correct("Owner", "The owner", "Company");
    assert_eq!(
        correction.map(|c| c.to),
        Some(Some("Person".to_string())),
        "the minority cell follows the majority"
    );
    assert_eq!(
        lexicon.corrected_cell("Owner", "The owner", "Company"),
        TypeCell::Named("Person".into())
    );
    let findings = lexicon.findings();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].code, "mislabeled-type-cell");
    assert_eq!(findings[0].file, "b0.md");
}

#[test]
fn named_cells_below_two_thirds_leave_the_type_unknown() {
    // 3 of 5 pages (0.6, just below 2/3): no side is clearly the mislabel.
    let mut specs = owner_pages("a", "Person", 3);
    specs.extend(owner_pages("b", "Company", 2));
    let lexicon = lexicon_of(&specs);
    for cell in ["Person", "Company"] {
        let correction = lexicon.correct("Owner", "The owner", cell);
        assert_eq!(correction.as_ref().map(|c| c.to.clone()), Some(None));
        assert_eq!(
            lexicon.corrected_cell("Owner", "The owner", cell),
            TypeCell::Object
        );
    }
    assert_eq!(lexicon.findings().len(), 2);
}

#[test]
fn a_cell_naming_the_property_wins_over_any_majority() {
    // `TableRight | TableRight` on one page beats `RecurrenceInfo` on three.
    let mut specs: Vec<(String, String)> = (0..3)
        .map(|i| {
            (
                format!("a{i}"),
                rows(&[("TableRight", "RecurrenceInfo", "")]),
            )
        })
        .collect();
    specs.push(("b".into(), rows(&[("TableRight", "TableRight", "")])));
    let lexicon = lexicon_of(&specs);
    assert_eq!(lexicon.correct("TableRight", "", "TableRight"), None);
    assert_eq!(
        lexicon
            .correct("TableRight", "", "RecurrenceInfo")
            .and_then(|c| c.to),
        Some("TableRight".to_string())
    );
}

#[test]
fn one_named_cell_and_primitive_cells_are_never_corrected() {
    let mut specs = owner_pages("a", "Person", 1);
    specs.extend(owner_pages("b", "string", 3));
    let lexicon = lexicon_of(&specs);
    assert_eq!(lexicon.correct("Owner", "The owner", "Person"), None);
    assert_eq!(lexicon.correct("Owner", "The owner", "string"), None);
    assert!(lexicon.findings().is_empty());
}

#[test]
fn request_and_response_tables_of_one_page_count_once() {
    // Page `a` types `Owner` as `Person` in both its tables: one vote, so `Company` on one
    // other page ties it (1 of 2 < 2/3): unknown, not a `Person` majority.
    let table = rows(&[("Owner", "Person", "The owner")]);
    let both = Md {
        request: Some(("entity", "The entity.", table.as_str(), json!({}))),
        ..table_page("a", &table, json!({}))
    };
    let other_rows = rows(&[("Owner", "Company", "The owner")]);
    let other = table_page("b", &other_rows, json!({}));
    let lexicon = Lexicon::build(&pages(&[both, other]));
    let group = lexicon.group("Owner", "The owner").map(|g| {
        g.cells
            .iter()
            .map(|c| (c.text.clone(), c.count))
            .collect::<Vec<_>>()
    });
    assert_eq!(
        group,
        Some(vec![("Person".to_string(), 1), ("Company".to_string(), 1)])
    );
    assert_eq!(
        lexicon.corrected_cell("Owner", "The owner", "Person"),
        TypeCell::Object
    );
}

/// Pages typing `Rank` (one per cell in `cells`) and one sample-only shape to look up.
fn rank_lexicon(cells: &[&str]) -> Lexicon {
    let specs: Vec<(String, String)> = cells
        .iter()
        .enumerate()
        .map(|(i, cell)| (format!("p{i}"), rows(&[("Rank", cell, "")])))
        .collect();
    lexicon_of(&specs)
}

#[test]
fn by_name_follows_three_rows_in_four() {
    // An integer sample fits `int32` and `double` alike: 3 of 4 compatible rows agree.
    let lexicon = rank_lexicon(&["int32", "int32", "int32", "double"]);
    let sample = Shape::of(&json!(5));
    assert_eq!(
        lexicon.by_name("Rank", &sample),
        Some(TypeCell::Primitive(Primitive::Int32))
    );
}

#[test]
fn by_name_below_three_in_four_is_no_evidence() {
    // 2 of 3 (just below 0.75).
    let lexicon = rank_lexicon(&["int32", "int32", "double"]);
    assert_eq!(lexicon.by_name("Rank", &Shape::of(&json!(5))), None);
    assert_eq!(lexicon.by_name("Unlisted", &Shape::of(&json!(5))), None);
}

#[test]
fn by_name_counts_only_the_cells_the_sample_fits() {
    // A string sample rules the integer rows out: the one `string` row is the whole consensus.
    let lexicon = rank_lexicon(&["int32", "int32", "int32", "string"]);
    assert_eq!(
        lexicon.by_name("Rank", &Shape::of(&json!("first"))),
        Some(TypeCell::Primitive(Primitive::String))
    );
}

#[test]
fn a_null_sample_fits_only_a_named_type() {
    let strings = rank_lexicon(&["string", "string"]);
    let null = Shape::of(&json!(null));
    assert_eq!(strings.by_name("Rank", &null), None);
    let named = rank_lexicon(&["RankInfo", "RankInfo", "string"]);
    assert_eq!(
        named.by_name("Rank", &null),
        Some(TypeCell::Named("RankInfo".into()))
    );
}

/// One page of `n` typed integer rows (`int32`, then `wide` of them `int64`).
fn integer_rows(n: usize, wide: usize, narrow_cell: &str) -> String {
    (0..n)
        .map(|i| {
            let cell = if i < wide { "int64" } else { narrow_cell };
            format!("| Count{i} | {cell} |  |\n")
        })
        .collect()
}

fn integer_lexicon(n: usize, wide: usize, narrow_cell: &str, generation: Generation) -> Lexicon {
    let table = integer_rows(n, wide, narrow_cell);
    let page = Md {
        generation,
        ..table_page("counts", &table, json!({}))
    };
    Lexicon::build(&pages(&[page]))
}

#[test]
fn the_integer_default_needs_twenty_typed_rows() {
    let twenty = integer_lexicon(20, 0, "int32", Generation::Uid);
    assert_eq!(twenty.integer_default(), Some(Primitive::Int32));
    let nineteen = integer_lexicon(19, 0, "int32", Generation::Uid);
    assert_eq!(nineteen.integer_default(), None);
}

#[test]
fn the_integer_default_needs_ninety_nine_percent() {
    // 99 of 100 int32: a default; 98 of 100: the family mixes widths, no default.
    let ninety_nine = integer_lexicon(100, 1, "int32", Generation::Uid);
    assert_eq!(ninety_nine.integer_default(), Some(Primitive::Int32));
    let ninety_eight = integer_lexicon(100, 2, "int32", Generation::Uid);
    assert_eq!(ninety_eight.integer_default(), None);
    let wide = integer_lexicon(100, 100, "int32", Generation::Uid);
    assert_eq!(wide.integer_default(), Some(Primitive::Int64));
}

#[test]
fn older_integer_cells_count_as_int32() {
    // The older generation writes `Integer`: the same default as `int32`.
    let older = integer_lexicon(20, 0, "Integer", Generation::Id);
    assert_eq!(older.integer_default(), Some(Primitive::Int32));
}

#[test]
fn untyped_tables_teach_no_integer_default() {
    let table = integer_rows(40, 0, "int32");
    let page = Md {
        typed: false,
        ..table_page("counts", &table, json!({}))
    };
    let lexicon = Lexicon::build(&pages(&[page]));
    assert_eq!(lexicon.integer_default(), None);
    assert_eq!(
        lexicon.group("Count0", "").map(|g| g.cells[0].text.clone()),
        Some(String::new())
    );
}

#[test]
fn refine_widens_only_generic_integers() {
    // Same property typed `int64` elsewhere: `Integer` (older pages) widens, `int32` stays.
    let specs = vec![
        ("a".to_string(), rows(&[("Size", "int64", "Bytes")])),
        ("b".to_string(), rows(&[("Size", "Integer", "Bytes")])),
    ];
    let lexicon = lexicon_of(&specs);
    let none = Shape::default();
    assert_eq!(
        lexicon.refine("Size", "Bytes", "Integer", &none),
        TypeCell::Primitive(Primitive::Int64)
    );
    assert_eq!(
        lexicon.refine("Size", "Bytes", "int32", &none),
        TypeCell::Primitive(Primitive::Int32)
    );
    // No `int64` row elsewhere: a sample beyond the int32 range widens `Integer` too.
    let lexicon = lexicon_of(&[("c".to_string(), rows(&[("Size", "Integer", "")]))]);
    let wide = Shape::of(&json!(3_000_000_000_i64));
    assert_eq!(
        lexicon.refine("Size", "", "Integer", &wide),
        TypeCell::Primitive(Primitive::Int64)
    );
    assert_eq!(
        lexicon.refine("Size", "", "Integer", &Shape::of(&json!(7))),
        TypeCell::Primitive(Primitive::Int32)
    );
}

#[test]
fn refine_takes_the_date_time_other_rows_give_unless_samples_contradict() {
    let specs = vec![
        ("a".to_string(), rows(&[("Updated", "date-time", "When")])),
        ("b".to_string(), rows(&[("Updated", "String", "When")])),
    ];
    let lexicon = lexicon_of(&specs);
    let date = Shape::of(&json!("2012-09-14T14:19:02Z"));
    assert_eq!(
        lexicon.refine("Updated", "When", "String", &date),
        TypeCell::Primitive(Primitive::DateTime)
    );
    assert_eq!(
        lexicon.refine("Updated", "When", "String", &Shape::default()),
        TypeCell::Primitive(Primitive::DateTime)
    );
    assert_eq!(
        lexicon.refine("Updated", "When", "String", &Shape::of(&json!("soon"))),
        TypeCell::Primitive(Primitive::String)
    );
}

/// Pages with byte-typed rows: (name, description, sample text) each on its own page.
fn byte_lexicon(rows_: &[(&str, &str, &str)]) -> Lexicon {
    let tables: Vec<(String, serde_json::Value)> = rows_
        .iter()
        .map(|(name, description, text)| {
            let mut sample = serde_json::Map::new();
            sample.insert(name.to_string(), json!(text));
            (
                rows(&[(name, "byte", description)]),
                serde_json::Value::Object(sample),
            )
        })
        .collect();
    let uids: Vec<String> = (0..rows_.len()).map(|i| format!("b{i}")).collect();
    let mds: Vec<Md> = tables
        .iter()
        .zip(&uids)
        .map(|((table, sample), uid)| table_page(uid, table, sample.clone()))
        .collect();
    Lexicon::build(&pages(&mds))
}

const GIF: &str = "GIF89....File contents as raw bytes...";

#[test]
fn a_byte_exemplar_shows_in_two_places() {
    let two = byte_lexicon(&[("Blob", "The file", GIF), ("Data", "The image", GIF)]);
    assert!(two.is_byte_text(GIF));
    let shape = Shape::of(&json!(GIF));
    assert_eq!(two.string_format(&shape, None), Some(Primitive::Bytes));
    let one = byte_lexicon(&[("Blob", "The file", GIF)]);
    assert!(!one.is_byte_text(GIF));
    assert_eq!(one.string_format(&shape, None), None);
}

#[test]
fn the_same_property_on_two_pages_is_one_place() {
    // One (name, description): its distinct texts count once, whatever the pages.
    let same = byte_lexicon(&[("Blob", "The file", GIF), ("Blob", "The file", GIF)]);
    assert!(!same.is_byte_text(GIF));
}

/// Pages with a dictionary row `FieldProperties | object` whose sample is keyed `fieldName`.
fn dictionary_lexicon(pages_: usize) -> Lexicon {
    let table = rows(&[("FieldProperties", "object", "")]);
    let uids: Vec<String> = (0..pages_).map(|i| format!("d{i}")).collect();
    let sample = json!({"FieldProperties": {"fieldName": {"FieldLength": 3}}});
    let mds: Vec<Md> = uids
        .iter()
        .map(|uid| table_page(uid, &table, sample.clone()))
        .collect();
    Lexicon::build(&pages(&mds))
}

#[test]
fn dictionary_keys_show_on_two_rows() {
    let two = dictionary_lexicon(2);
    assert!(two.is_dictionary("Rights", &["fieldName"]));
    assert!(!two.is_dictionary("Rights", &["fieldName", "Other"]));
    let one = dictionary_lexicon(1);
    assert!(!one.is_dictionary("Rights", &["fieldName"]));
}

#[test]
fn numbered_keys_under_the_holders_name_are_a_dictionary() {
    let lexicon = Lexicon::default();
    assert!(lexicon.is_dictionary("CustomFields", &["CustomFields1", "CustomFields2"]));
    assert!(!lexicon.is_dictionary("CustomFields", &["CustomFields", "CustomFieldsX"]));
    assert!(!lexicon.is_dictionary("", &["1"]));
    assert!(!lexicon.is_dictionary("CustomFields", &[]));
}

#[test]
fn name_shapes_merge_the_samples_of_every_page() {
    // `Associate` has no table of its own; its members show under the same key on two pages.
    let table = rows(&[("Associate", "Associate", "")]);
    let a = table_page("a", &table, json!({"Associate": {"AssociateId": 1}}));
    let b = table_page("b", &table, json!({"Associate": {"Name": "x"}}));
    let lexicon = Lexicon::build(&pages(&[a, b]));
    let shape = lexicon.name_shape("Associate").map(Shape::keys);
    assert_eq!(shape, Some(vec!["AssociateId", "Name"]));
}

#[test]
fn type_rows_name_the_first_row_in_reading_order() {
    let specs = vec![
        ("b".to_string(), rows(&[("Owner", "Person", "")])),
        ("a".to_string(), rows(&[("Holder", "Person", "")])),
    ];
    let lexicon = lexicon_of(&specs);
    let first = lexicon
        .type_rows()
        .get("Person")
        .cloned()
        .unwrap_or_default();
    assert!(first.starts_with("a.md:"), "{first}");
    assert_eq!(split_source("a.md:12"), ("a.md", 12));
    assert_eq!(split_source("a.md"), ("a.md", 1));
}
