//! JSON kinds as bits: which kinds a schema admits, and which kind a JSON text is. Used to
//! echo only sent fields the response admits, and by the request fast path.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::contract::types::ref_target;

/// `null`.
pub(crate) const NULL: u8 = 1;
/// `true` / `false`.
pub(crate) const BOOL: u8 = 2;
/// A number without fraction.
pub(crate) const INTEGER: u8 = 4;
/// A number with a fraction or exponent.
pub(crate) const NUMBER: u8 = 8;
/// A string.
pub(crate) const STRING: u8 = 16;
/// An array.
pub(crate) const ARRAY: u8 = 32;
/// An object.
pub(crate) const OBJECT: u8 = 64;
/// Every kind.
pub(crate) const ANY: u8 = 127;

/// The kinds a JSON Schema `type` name admits (`number` admits integers); `None` for a
/// name that is not a JSON type.
pub(crate) fn of_type_name(name: &str) -> Option<u8> {
    Some(match name {
        "null" => NULL,
        "boolean" => BOOL,
        "integer" => INTEGER,
        "number" => INTEGER | NUMBER,
        "string" => STRING,
        "array" => ARRAY,
        "object" => OBJECT,
        _ => return None,
    })
}

/// The kind of a valid JSON text, as one bit (integers are numbers without `.`/`e`).
pub(crate) fn of_json_text(text: &str) -> u8 {
    match text.as_bytes().first() {
        Some(b'n') => NULL,
        Some(b't' | b'f') => BOOL,
        Some(b'"') => STRING,
        Some(b'[') => ARRAY,
        Some(b'{') => OBJECT,
        Some(_) if text.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) => NUMBER,
        Some(_) => INTEGER,
        None => 0,
    }
}

/// The kinds `schema` admits (`$ref`s resolved in `types`; anything unclear admits all).
pub(crate) fn admitted(schema: &Value, types: &BTreeMap<String, Value>) -> u8 {
    let mut schema = schema;
    for _ in 0..16 {
        let Some(target) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(ref_target)
        else {
            break;
        };
        match types.get(target) {
            Some(resolved) => schema = resolved,
            None => return ANY,
        }
    }
    if let Some(members) = schema.get("enum").and_then(Value::as_array) {
        return members
            .iter()
            .fold(0, |bits, m| bits | of_json_text(&m.to_string()));
    }
    let names: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => return ANY,
    };
    names
        .iter()
        .fold(0, |bits, name| bits | of_type_name(name).unwrap_or(ANY))
}
