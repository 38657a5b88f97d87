//! Schemas as code generators read them: the contract's schemas say what the pages show
//! (`null` where the docs generator left an object unexpanded, byte stand-ins, enum values
//! seen); the export says what an answer holds.
//!
//! - `null` is the docs generator's placeholder for an object it does not expand: object
//!   schemas (named types at the top level included) are never nullable, unless their
//!   description says they may be null. A primitive or list the samples show as `null` is a
//!   value there and stays nullable.
//! - An object without members (a type nothing describes, a map of unknown values) is open:
//!   `additionalProperties: true`, never an object closed to every member.
//! - Byte stand-ins (`GIF89....File contents as raw bytes...`) are no base64: they stay in
//!   the bundle's documented sample, not as a schema example.
//! - `--enums seen` closes the lists of values the samples show (`enum`), for clients that
//!   prefer a union type to `string`.

use serde_json::{Map, Value, json};

use crate::contract::enums::{COMPLETE, SEEN};

/// Which enums the export closes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Enums {
    /// Only the lists the pages give in full (`Enum: A, B`, `One of: …`).
    #[default]
    Listed,
    /// Also the values seen in samples (`x-mockdown-enum-seen`).
    Seen,
}

/// The schema `schema` as the export writes it.
pub(crate) fn usable(schema: &Value, enums: Enums) -> Value {
    match schema {
        Value::Object(map) => Value::Object(usable_object(map, enums)),
        Value::Array(items) => Value::Array(items.iter().map(|s| usable(s, enums)).collect()),
        other => other.clone(),
    }
}

/// Keys whose values are schemas, or maps or lists of schemas.
const SCHEMA_KEYS: [&str; 10] = [
    "properties",
    "items",
    "additionalProperties",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
];

fn usable_object(map: &Map<String, Value>, enums: Enums) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in map {
        let value = match key.as_str() {
            "properties" => match value {
                Value::Object(props) => Value::Object(
                    props
                        .iter()
                        .map(|(name, prop)| (name.clone(), usable(prop, enums)))
                        .collect(),
                ),
                other => other.clone(),
            },
            k if SCHEMA_KEYS.contains(&k) => usable(value, enums),
            _ => value.clone(),
        };
        out.insert(key.clone(), value);
    }
    let is_object = types_of(&out).contains(&"object");
    if is_object && !says_nullable(&out) {
        drop_null(&mut out);
    }
    let no_members = out
        .get("properties")
        .is_none_or(|p| p.as_object().is_some_and(Map::is_empty));
    if is_object && no_members && !out.contains_key("additionalProperties") {
        out.remove("properties");
        out.insert("additionalProperties".into(), json!(true));
    }
    if out.get("format").and_then(Value::as_str) == Some("byte") {
        out.remove("examples");
    }
    if enums == Enums::Seen
        && !out.contains_key("enum")
        && let Some(seen) = out.get(SEEN).cloned()
    {
        out.insert("enum".into(), seen);
    }
    if out.get(COMPLETE).is_some() || out.contains_key("enum") {
        // A closed list: `null` only where it is listed.
        if let Some(Value::Array(members)) = out.get("enum")
            && !members.iter().any(Value::is_null)
        {
            drop_null(&mut out);
        }
    }
    out
}

/// The JSON types a schema names.
fn types_of(map: &Map<String, Value>) -> Vec<&str> {
    match map.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Removes `null` from the schema's types.
fn drop_null(map: &mut Map<String, Value>) {
    if let Some(Value::Array(types)) = map.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types.remove(0);
            map.insert("type".into(), only);
        }
    }
}

/// Whether the schema's description says the value may be `null` (`… or null`, `null if
/// …`, `can be null`).
fn says_nullable(map: &Map<String, Value>) -> bool {
    let Some(text) = map.get("description").and_then(Value::as_str) else {
        return false;
    };
    let lower = text.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.windows(2).any(|pair| {
        matches!(
            pair,
            ["or" | "be" | "is" | "are" | "returns" | "return", "null"]
                | ["null", "if" | "when" | "where"]
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_are_not_nullable_values_that_show_null_are() {
        let named = json!({"type": ["object", "null"], "properties": {
            "Inner": {"type": ["object", "null"], "properties": {"A": {"type": "string"}}},
            "Note": {"type": ["string", "null"]},
            "Items": {"type": "array", "items": {"type": ["object", "null"], "properties": {}}},
        }});
        let out = usable(&named, Enums::Listed);
        assert_eq!(out["type"], "object");
        assert_eq!(out["properties"]["Inner"]["type"], "object");
        assert_eq!(out["properties"]["Note"]["type"], json!(["string", "null"]));
        assert_eq!(out["properties"]["Items"]["items"]["type"], "object");
        assert_eq!(
            out["properties"]["Items"]["items"],
            json!({"type": "object", "additionalProperties": true})
        );
    }

    #[test]
    fn a_description_can_make_an_object_nullable() {
        let schema = json!({"type": ["object", "null"], "description": "The owner, or null when none is set"});
        assert_eq!(
            usable(&schema, Enums::Listed)["type"],
            json!(["object", "null"])
        );
        let schema = json!({"type": ["object", "null"], "description": "Null-terminated names"});
        assert_eq!(usable(&schema, Enums::Listed)["type"], "object");
    }

    #[test]
    fn objects_without_members_are_open() {
        let unknown = json!({"type": ["object", "null"], "x-mockdown-unknown": true});
        let out = usable(&unknown, Enums::Listed);
        assert_eq!(out["additionalProperties"], true);
        assert_eq!(out["x-mockdown-unknown"], true);
        let map = json!({"type": "object", "additionalProperties": {"type": "string"}});
        assert_eq!(usable(&map, Enums::Listed), map);
    }

    #[test]
    fn byte_stand_ins_are_no_schema_examples() {
        let bytes =
            json!({"type": "string", "format": "byte", "examples": ["GIF89....raw bytes..."]});
        assert!(usable(&bytes, Enums::Listed).get("examples").is_none());
    }

    #[test]
    fn seen_values_are_closed_on_request() {
        let seen = json!({"type": "string", "x-mockdown-enum-seen": ["Open", "Lost"]});
        assert!(usable(&seen, Enums::Listed).get("enum").is_none());
        let closed = usable(&seen, Enums::Seen);
        assert_eq!(closed["enum"], json!(["Open", "Lost"]));
        assert_eq!(closed["x-mockdown-enum-seen"], json!(["Open", "Lost"]));
    }
}
