//! Empty type cells (older pages leave the Type column blank): each is resolved to the type
//! the rest of the docs set gives the same property.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::claims::Owners;
use super::types::{TypeCell, classify};
use crate::docs::{Page, PropertyDoc};

/// Resolves empty type cells (older pages) to named types: a typed table elsewhere with the
/// same property name and description wins, then a known type whose table keys cover the
/// sample object, then the type most tables give that property name, then the property name.
/// Returns the (type, property) pairs of the named types whose cells were resolved.
pub(super) fn resolve_empty_cells(pages: &mut [Page], owners: &Owners) -> Vec<(String, String)> {
    let mut marks = Vec::new();
    let mut by_name_desc: BTreeMap<(String, String), BTreeMap<String, usize>> = BTreeMap::new();
    let mut by_name: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for page in pages.iter() {
        for prop in page_tables(page).into_iter().flatten().flatten() {
            if let TypeCell::Named(t) = classify(&prop.type_text) {
                let key = (prop.name.clone(), prop.description.clone());
                *by_name_desc
                    .entry(key)
                    .or_default()
                    .entry(t.clone())
                    .or_default() += 1;
                *by_name
                    .entry(prop.name.clone())
                    .or_default()
                    .entry(t)
                    .or_default() += 1;
            }
        }
    }
    let known_keys = known_keys(pages, &owners.keys);
    let most = |m: &BTreeMap<String, usize>| {
        m.iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(t, _)| t.clone())
    };
    for (index, page) in pages.iter_mut().enumerate() {
        let owner = owners.response.get(index).cloned().flatten();
        let req_sample = page
            .sample_request
            .as_ref()
            .and_then(|s| s.body.as_ref())
            .and_then(|b| b.json.clone());
        let resp_sample = page
            .sample_response
            .as_ref()
            .and_then(|s| s.body.as_ref())
            .and_then(|b| b.json.clone());
        let tables = [
            (
                page.request_body.as_mut().map(|b| &mut b.properties),
                req_sample,
                None,
            ),
            (
                page.response.as_mut().map(|r| &mut r.properties),
                resp_sample,
                owner,
            ),
        ];
        for (props, sample, owner) in tables {
            let Some(props) = props else { continue };
            for prop in props.iter_mut().filter(|p| p.type_text.is_empty()) {
                let sample_value = sample
                    .as_ref()
                    .and_then(|s| first_object(s))
                    .and_then(|o| o.get(&prop.name));
                let resolved = by_name_desc
                    .get(&(prop.name.clone(), prop.description.clone()))
                    .and_then(most)
                    .or_else(|| sample_value.and_then(|v| structural_match(v, &known_keys)))
                    .or_else(|| by_name.get(&prop.name).and_then(most))
                    .unwrap_or_else(|| prop.name.clone());
                prop.type_text = resolved.clone();
                if let Some(owner) = owner.as_deref() {
                    marks.push((owner.to_string(), prop.name.clone()));
                }
            }
        }
    }
    marks
}

fn page_tables(page: &Page) -> [Option<&Vec<PropertyDoc>>; 2] {
    [
        page.request_body.as_ref().map(|b| &b.properties),
        page.response.as_ref().map(|r| &r.properties),
    ]
}

fn first_object(value: &Value) -> Option<&Map<String, Value>> {
    match value {
        Value::Object(map) => Some(map),
        Value::Array(items) => items.iter().find_map(|i| i.as_object()),
        _ => None,
    }
}

/// The property names known for each named type: from its tables, and from the sample
/// objects found where a typed table names it.
fn known_keys(
    pages: &[Page],
    accepted: &BTreeMap<String, BTreeSet<String>>,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut keys = accepted.clone();
    for page in pages {
        let samples = [
            page.sample_request.as_ref().and_then(|s| s.body.as_ref()),
            page.sample_response.as_ref().and_then(|s| s.body.as_ref()),
        ];
        for (props, sample) in page_tables(page).into_iter().zip(samples) {
            let (Some(props), Some(object)) = (
                props,
                sample.and_then(|b| b.json.as_ref()).and_then(first_object),
            ) else {
                continue;
            };
            for prop in props {
                if let (TypeCell::Named(name), Some(Value::Object(value))) =
                    (classify(&prop.type_text), object.get(&prop.name))
                {
                    keys.entry(name).or_default().extend(value.keys().cloned());
                }
            }
        }
    }
    keys
}

/// The known type whose keys best cover the keys of a sample object (at least 80 %).
fn structural_match(value: &Value, known: &BTreeMap<String, BTreeSet<String>>) -> Option<String> {
    let keys: Vec<&String> = value.as_object()?.keys().collect();
    if keys.is_empty() {
        return None;
    }
    let mut best: Option<(f64, &str)> = None;
    for (name, table) in known {
        let hits = keys.iter().filter(|k| table.contains(k.as_str())).count();
        let score = hits as f64 / keys.len() as f64;
        if score >= 0.8 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, name));
        }
    }
    best.map(|(_, n)| n.to_string())
}
