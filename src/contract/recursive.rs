//! Types named by their recursive rows.
//!
//! An unnamed table (`Response body: array`, a request table) can still say which type it
//! describes: a row of `array` type whose items repeat the table's own properties (a tree:
//! `ChildItems`, `Children`, `SubRestrictions`) and whose description names a type ("The
//! child items of the SelectableMDOListItem") tells that the table is that type, with items
//! of the same type. Such a table claims the type like a heading would, and the claim is
//! weighed with the others (see [`super::claims`]).
//!
//! The recursion must show in samples: the items under that row (on this page, or under the
//! same row, same description, on any page) hold most of the table's properties.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::claim::Claim;
use super::tables::{Side, tables, words};
use crate::docs::{Page, PropertyDoc};

/// Share of the item keys the table must list: the items of a tree row are instances of the
/// table itself, so nearly every key they show is a row; items of another type (a list of
/// links under a `ChildItems`-like row) show keys the table lacks and make no claim.
const ITEMS_IN_TABLE: f64 = 0.8;

/// Share of the table's rows the items must show: looser than the other way, since sample
/// items past the generator's depth limit leave out their own nested rows (the recursive row
/// itself, objects written `{}`).
const TABLE_IN_ITEMS: f64 = 0.6;

/// Shortest CamelCase word taken for a type name in a row's description: two words of two
/// letters at least (`ListItem`, `SelectableMDOListItem`); shorter capitalised words (`Id`,
/// `Of`) are no type names.
const MIN_TYPE_NAME: usize = 4;

/// Claims made by recursive rows of tables that have no named owner yet.
pub(super) fn claims(pages: &[Page], named_responses: &[Option<String>]) -> Vec<Claim> {
    // Item keys seen under each (row, description) that names a type, across all pages.
    let mut items: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
    for page in pages {
        for table in tables(page) {
            let objects = table.sample_objects();
            for row in table
                .rows
                .iter()
                .filter(|r| named_type(r, table.rows).is_some())
            {
                let keys = items
                    .entry((row.name.as_str(), row.description.as_str()))
                    .or_default();
                for object in &objects {
                    if let Some(Value::Array(list)) = object.get(&row.name) {
                        for item in list.iter().filter_map(Value::as_object) {
                            keys.extend(item.keys().map(String::as_str));
                        }
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    for (index, page) in pages.iter().enumerate() {
        for table in tables(page) {
            let named_heading = table.side == Side::Response
                && named_responses.get(index).is_some_and(Option::is_some);
            if named_heading || table.rows.is_empty() {
                continue;
            }
            let rows: BTreeSet<&str> = table.rows.iter().map(|r| r.name.as_str()).collect();
            let claim = table.rows.iter().find_map(|row| {
                let name = named_type(row, table.rows)?;
                let item_keys = items.get(&(row.name.as_str(), row.description.as_str()))?;
                recursive(item_keys, &rows).then(|| Claim {
                    type_name: name.to_string(),
                    page: index,
                    side: table.side,
                    keys: rows.iter().map(|k| k.to_string()).collect(),
                    line: row.line,
                    from_table: true,
                    supported: true,
                    self_row: false,
                    via_row: Some(row.name.clone()),
                })
            });
            out.extend(claim);
        }
    }
    out
}

/// The type an `array` row's description names: its last CamelCase word that is not a
/// property of the table (`SelectableMDOListItem`).
fn named_type<'a>(row: &'a PropertyDoc, rows: &[PropertyDoc]) -> Option<&'a str> {
    if !row.type_text.trim().eq_ignore_ascii_case("array") {
        return None;
    }
    words(&row.description)
        .filter(|w| is_camel_case(w) && !rows.iter().any(|r| r.name == *w))
        .last()
}

/// `SelectableMDOListItem`, `ListItem`: a capital, then another capital later.
fn is_camel_case(word: &str) -> bool {
    word.len() >= MIN_TYPE_NAME
        && word.starts_with(|c: char| c.is_ascii_uppercase())
        && word.chars().skip(1).any(|c| c.is_ascii_uppercase())
        && word.chars().any(|c| c.is_ascii_lowercase())
}

/// Whether items with `item_keys` are instances of the table with `rows`.
fn recursive(item_keys: &BTreeSet<&str>, rows: &BTreeSet<&str>) -> bool {
    if item_keys.is_empty() {
        return false;
    }
    let shared = item_keys.intersection(rows).count() as f64;
    shared >= ITEMS_IN_TABLE * item_keys.len() as f64
        && shared >= TABLE_IN_ITEMS * rows.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_words() {
        assert!(is_camel_case("SelectableMDOListItem"));
        assert!(is_camel_case("ListItem"));
        assert!(!is_camel_case("The"));
        assert!(!is_camel_case("MDO"));
    }
}
