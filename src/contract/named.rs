//! Named types inferred across the whole docs set: every property table that describes a
//! type and every sample object that instantiates it are merged into one schema, keeping
//! track of where each fact came from (table or sample).

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use super::infer::Shape;
use super::types::{SCHEMA_BASE, TypeCell, cell_schema, classify, file_stem};
use crate::docs::{Page, PropertyDoc};

/// Deepest nesting of sample objects followed into named types.
const MAX_DEPTH: usize = 64;

/// What is known about one property of a named type.
#[derive(Debug, Default)]
struct PropFacts {
    /// Type cells from tables with how often each was seen, first-seen first.
    table_types: Vec<(String, usize)>,
    /// Where each of `table_types` was first seen (`file:line`), same order.
    table_sources: Vec<String>,
    /// First non-empty description from a table.
    description: String,
    /// Whether the type was resolved from an empty cell.
    resolved: bool,
    /// Shape of sample values (used for array items and sample-only properties).
    shape: Shape,
}

impl PropFacts {
    /// The type cell most tables agree on (first seen wins ties).
    fn chosen_type(&self) -> Option<&str> {
        let mut best: Option<&(String, usize)> = None;
        for entry in &self.table_types {
            if best.is_none_or(|b| entry.1 > b.1) {
                best = Some(entry);
            }
        }
        best.map(|(t, _)| t.as_str())
    }
}

/// Facts about one named type.
#[derive(Debug, Default)]
struct TypeFacts {
    props: IndexMap<String, PropFacts>,
    tables: usize,
    samples: usize,
}

impl TypeFacts {
    fn prop_mut(&mut self, name: &str) -> &mut PropFacts {
        self.props.entry(name.to_string()).or_default()
    }
}

/// A conflict between tables about one property of a named type.
#[derive(Debug, Clone)]
pub struct TypeConflict {
    /// The named type.
    pub type_name: String,
    /// The property.
    pub property: String,
    /// The type cells seen, with counts.
    pub seen: Vec<(String, usize)>,
    /// Where each cell of `seen` was first written (`file:line`), same order.
    pub sources: Vec<String>,
}

/// Collects facts about named types from tables and samples.
#[derive(Debug, Default)]
pub struct TypeBook {
    types: BTreeMap<String, TypeFacts>,
}

impl TypeBook {
    /// Adds a property table that describes the named type `name`.
    pub fn add_table(&mut self, name: &str, file: &str, props: &[PropertyDoc]) {
        let facts = self.types.entry(name.to_string()).or_default();
        facts.tables += 1;
        for prop in props {
            let entry = facts.prop_mut(&prop.name);
            match entry
                .table_types
                .iter_mut()
                .find(|(t, _)| *t == prop.type_text)
            {
                Some((_, count)) => *count += 1,
                None => {
                    entry.table_types.push((prop.type_text.clone(), 1));
                    entry.table_sources.push(format!("{file}:{}", prop.line));
                }
            }
            if entry.description.is_empty() {
                entry.description = prop.description.clone();
            }
        }
        self.note_references(props);
    }

    /// Makes sure every named type a table refers to exists.
    pub fn note_references(&mut self, props: &[PropertyDoc]) {
        for prop in props {
            if let TypeCell::Named(name) = classify(&prop.type_text) {
                self.types.entry(name).or_default();
            }
        }
    }

    /// Marks a property whose type was resolved from an empty cell.
    pub fn mark_resolved(&mut self, type_name: &str, property: &str) {
        if let Some(facts) = self.types.get_mut(type_name) {
            facts.prop_mut(property).resolved = true;
        }
    }

    /// The property names tables give for `name`.
    pub fn table_keys(&self, name: &str) -> Vec<&str> {
        self.types
            .get(name)
            .map(|f| {
                f.props
                    .iter()
                    .filter(|(_, p)| !p.table_types.is_empty())
                    .map(|(n, _)| n.as_str())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Names of all known types.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.types.keys().map(String::as_str)
    }

    /// Feeds a sample value of an inline table (request body or inline response): values of
    /// named-typed properties are instances of those types.
    pub fn feed_table(&mut self, props: &[PropertyDoc], value: &Value) {
        let Value::Object(map) = value else { return };
        for prop in props {
            if let (TypeCell::Named(name), Some(v)) =
                (classify(&prop.type_text), map.get(&prop.name))
            {
                self.feed_named(&name, v, 0);
            }
        }
    }

    /// Feeds a sample value that instantiates the named type `name`.
    pub fn feed_named(&mut self, name: &str, value: &Value, depth: usize) {
        let Value::Object(map) = value else { return };
        if depth > MAX_DEPTH {
            return;
        }
        let facts = self.types.entry(name.to_string()).or_default();
        facts.samples += 1;
        let mut nested = Vec::new();
        for (key, v) in map {
            let prop = facts.prop_mut(key);
            match prop.chosen_type().map(classify) {
                Some(TypeCell::Named(inner)) => nested.push((inner, v)),
                _ => prop.shape.add(v, 0),
            }
        }
        for (inner, v) in nested {
            self.feed_named(&inner, v, depth + 1);
        }
    }

    /// Conflicts between tables (one property typed differently on different pages).
    pub fn conflicts(&self) -> Vec<TypeConflict> {
        let mut out = Vec::new();
        for (type_name, facts) in &self.types {
            for (property, prop) in &facts.props {
                if prop.table_types.len() > 1 {
                    out.push(TypeConflict {
                        type_name: type_name.clone(),
                        property: property.clone(),
                        seen: prop.table_types.clone(),
                        sources: prop.table_sources.clone(),
                    });
                }
            }
        }
        out
    }

    /// The JSON Schema documents of all named types.
    pub fn schemas(&self) -> BTreeMap<String, Value> {
        self.types
            .iter()
            .map(|(name, facts)| (name.clone(), type_schema(name, facts)))
            .collect()
    }
}

/// The item schema from the shape of array samples, if any items were seen.
pub fn items_of(shape: &Shape) -> Option<Value> {
    shape
        .array
        .as_ref()
        .filter(|items| items.seen > 0)
        .map(|items| items.schema())
}

fn type_schema(name: &str, facts: &TypeFacts) -> Value {
    let mut properties = Map::new();
    for (prop_name, prop) in &facts.props {
        let mut schema = match prop.chosen_type() {
            Some(cell) => {
                let cell = classify(cell);
                let items = matches!(cell, TypeCell::Array)
                    .then(|| items_of(&prop.shape))
                    .flatten();
                cell_schema(&cell, items)
            }
            None => prop.shape.schema(),
        };
        if let Value::Object(map) = &mut schema {
            if !prop.description.is_empty() {
                map.insert("description".into(), json!(prop.description));
            }
            let mut from = Vec::new();
            if !prop.table_types.is_empty() {
                from.push("table");
            }
            if prop.shape.seen > 0 {
                from.push("sample");
            }
            map.insert("x-mockdown-from".into(), json!(from));
            if prop.resolved {
                map.insert("x-mockdown-type-resolved".into(), json!(true));
            }
            if prop.table_types.len() > 1 {
                let seen: Vec<&str> = prop.table_types.iter().map(|(t, _)| t.as_str()).collect();
                map.insert("x-mockdown-table-types".into(), json!(seen));
            }
        }
        properties.insert(prop_name.clone(), schema);
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{SCHEMA_BASE}types/{}.json", file_stem(name)),
        "title": name,
        "type": ["object", "null"],
        "properties": properties,
        "x-mockdown-origin": {"tables": facts.tables, "samples": facts.samples},
    })
}

/// Resolves empty type cells (older pages) to named types: a typed table elsewhere with the
/// same property name and description wins, then a known type whose table keys cover the
/// sample object, then the type most tables give that property name, then the property name.
pub fn resolve_empty_cells(pages: &mut [Page], book: &mut TypeBook) {
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
    let known_keys = known_keys(pages, book);
    let most = |m: &BTreeMap<String, usize>| {
        m.iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(t, _)| t.clone())
    };
    for page in pages.iter_mut() {
        let owner = page.response.as_ref().and_then(|r| r.body_type.clone());
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
                    book.mark_resolved(owner, &prop.name);
                }
            }
        }
    }
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
fn known_keys(pages: &[Page], book: &TypeBook) -> BTreeMap<String, BTreeSet<String>> {
    let mut keys: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for name in book.names() {
        let table = book.table_keys(name);
        if !table.is_empty() {
            keys.entry(name.to_string())
                .or_default()
                .extend(table.into_iter().map(str::to_string));
        }
    }
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
