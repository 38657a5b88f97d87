//! Bodies whose values are text (form fields, XML elements), turned into the JSON value the
//! schema describes so they are held against the same schema as a JSON body: a text passes
//! when it parses as the schema's type (its format is then checked like any JSON string).

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use crate::contract::types::{primary_type, resolve_ref};

/// Nesting deeper than this is left as it is (the JSON path has the same limit).
pub(super) const MAX_DEPTH: usize = 128;

/// A tree of text values read from a form or an XML document, before its types are known.
#[derive(Debug, Default)]
pub(super) struct TextTree {
    /// Texts given directly (a repeated form key or XML element gives several).
    pub(super) texts: Vec<String>,
    /// `nil="true"`: an explicit null.
    pub(super) nil: bool,
    /// Named children, in the order first seen, each possibly repeated; looked up by name
    /// in constant time, so a body of n fields is read in time linear in n.
    pub(super) children: Children,
}

/// The children of a [`TextTree`] node by name, in the order first seen. The names come
/// from the client: hashed with std's keyed SipHash, so no set of names can be made to
/// collide.
pub(super) type Children = IndexMap<String, Vec<TextTree>, std::hash::RandomState>;

impl TextTree {
    /// The occurrences of child `name`, created when missing.
    pub(super) fn child(&mut self, name: &str) -> &mut Vec<TextTree> {
        if let Some(at) = self.children.get_index_of(name) {
            return &mut self.children[at];
        }
        self.children.entry(name.to_string()).or_default()
    }
}

/// The JSON value of `tree` under `schema` (`$ref`s resolved in `types`).
pub(super) fn to_value(
    tree: &TextTree,
    schema: &Value,
    types: &BTreeMap<String, Value>,
    depth: usize,
) -> Value {
    let schema = resolve_ref(types, schema);
    let schema = schema.get("then").unwrap_or(schema);
    if tree.nil {
        return Value::Null;
    }
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    match primary_type(schema) {
        Some("object") | None if !tree.children.is_empty() => object(tree, schema, types, depth),
        Some("object") if tree.texts.iter().all(|t| t.trim().is_empty()) => {
            object(tree, schema, types, depth)
        }
        Some("array") => {
            let items = schema.get("items").unwrap_or(&Value::Null);
            let mut out: Vec<Value> = tree
                .texts
                .iter()
                .map(|t| text_value(t, items, types))
                .collect();
            // Item elements inside the array's element: <Tags><string>a</string>...</Tags>.
            for (_, occurrences) in &tree.children {
                out.extend(
                    occurrences
                        .iter()
                        .map(|c| to_value(c, items, types, depth + 1)),
                );
            }
            Value::Array(out)
        }
        _ => match tree.texts.first() {
            Some(text) => text_value(text, schema, types),
            None => Value::String(String::new()),
        },
    }
}

fn object(tree: &TextTree, schema: &Value, types: &BTreeMap<String, Value>, depth: usize) -> Value {
    let props = schema.get("properties").and_then(Value::as_object);
    let open = schema.get("additionalProperties").unwrap_or(&Value::Null);
    let mut map = Map::new();
    for (name, occurrences) in &tree.children {
        // Names as the contract spells them (form and XML writers vary the case).
        let (key, prop) = match props.and_then(|p| {
            p.get_key_value(name)
                .or_else(|| p.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
        }) {
            Some((key, prop)) => (key.clone(), prop),
            None => (name.clone(), open),
        };
        let prop_schema = resolve_ref(types, prop);
        let value = if primary_type(prop_schema) == Some("array") && occurrences.len() > 1 {
            // A repeated element or key: one item each.
            let items = prop_schema.get("items").unwrap_or(&Value::Null);
            Value::Array(
                occurrences
                    .iter()
                    .map(|o| match (o.children.is_empty(), o.texts.len()) {
                        (true, 1) => text_value(&o.texts[0], items, types),
                        _ => to_value(o, items, types, depth + 1),
                    })
                    .collect(),
            )
        } else {
            match occurrences.first() {
                Some(first) => to_value(first, prop, types, depth + 1),
                None => continue,
            }
        };
        map.insert(key, value);
    }
    Value::Object(map)
}

/// A text as the JSON value `schema` describes; a text that does not parse stays a string
/// (the schema check then reports it).
fn text_value(text: &str, schema: &Value, types: &BTreeMap<String, Value>) -> Value {
    let schema = resolve_ref(types, schema);
    let trimmed = text.trim();
    let nullable = schema
        .get("type")
        .and_then(Value::as_array)
        .is_some_and(|t| t.iter().any(|t| t == "null"));
    match primary_type(schema) {
        Some("integer") => super::kinds::integer_text(trimmed).unwrap_or_else(|| json!(text)),
        Some("number") => trimmed
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map_or_else(|| json!(text), |n| json!(n)),
        Some("boolean") => match trimmed.to_ascii_lowercase().as_str() {
            "true" => json!(true),
            "false" => json!(false),
            _ => json!(text),
        },
        Some("string") | None => json!(text),
        // An empty text for an object or array that may be null: null.
        _ if trimmed.is_empty() && nullable => Value::Null,
        _ => json!(text),
    }
}
