//! Strict answers: every property the documented sample answer shows must be in the live
//! answer too, at the same place (the API always answers all of them). Only properties the
//! schema names are required, so free-form dictionaries in a sample demand nothing; a root
//! field answered exactly as the request sent it (echoed) is not looked into.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::contract::types::resolve_ref;
use crate::contract::validate::Violation;

/// Deepest nesting compared.
const MAX_DEPTH: usize = 32;
/// Most missing properties reported per answer.
const MAX_MISSING: usize = 100;

/// Properties `sample` shows (and `schema` names) that `actual` lacks, with pointers;
/// root fields of `actual` equal to those of `sent` (the request body) are taken as echoed.
pub(crate) fn missing(
    sample: &Value,
    actual: &Value,
    schema: &Value,
    types: &BTreeMap<String, Value>,
    sent: Option<&Value>,
) -> Vec<Violation> {
    let mut out = Vec::new();
    let echoed = |key: &str| {
        sent.and_then(|s| s.get(key))
            .is_some_and(|value| actual.get(key) == Some(value))
    };
    let root = resolve_ref(types, schema);
    let root = if root.get("properties").is_some() {
        root
    } else {
        root.get("then").map_or(root, |s| resolve_ref(types, s))
    };
    match (
        sample,
        actual,
        root.get("properties").and_then(Value::as_object),
    ) {
        (Value::Object(shown), Value::Object(_), Some(props)) if sent.is_some() => {
            for (key, shown_value) in shown {
                let Some(prop) = props.get(key) else { continue };
                let child = format!("/{}", key.replace('~', "~0").replace('/', "~1"));
                match actual.get(key) {
                    Some(_) if echoed(key) => {}
                    Some(value) => walk(shown_value, value, prop, types, child, 1, &mut out),
                    None => out.push(absent(key, child)),
                }
            }
        }
        _ => walk(sample, actual, schema, types, String::new(), 0, &mut out),
    }
    out.truncate(MAX_MISSING);
    out
}

fn absent(key: &str, pointer: String) -> Violation {
    Violation {
        location: "body".into(),
        pointer,
        keyword: "required".into(),
        expected: format!("property `{key}` (the documented answer shows it)"),
        found: "nothing".into(),
    }
}

fn walk(
    sample: &Value,
    actual: &Value,
    schema: &Value,
    types: &BTreeMap<String, Value>,
    pointer: String,
    depth: usize,
    out: &mut Vec<Violation>,
) {
    if depth > MAX_DEPTH || out.len() >= MAX_MISSING {
        return;
    }
    let schema = resolve_ref(types, schema);
    match (sample, actual) {
        (Value::Object(shown), Value::Object(answered)) => {
            let schema = if schema.get("properties").is_some() {
                schema
            } else {
                schema.get("then").map_or(schema, |s| resolve_ref(types, s))
            };
            let Some(props) = schema.get("properties").and_then(Value::as_object) else {
                return;
            };
            for (key, shown_value) in shown {
                let Some(prop) = props.get(key) else { continue };
                let child = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                match answered.get(key) {
                    Some(value) => walk(shown_value, value, prop, types, child, depth + 1, out),
                    None if out.len() < MAX_MISSING => out.push(absent(key, child)),
                    None => return,
                }
            }
        }
        (Value::Array(shown), Value::Array(answered)) => {
            let items = schema
                .get("items")
                .or_else(|| schema.get("then").and_then(|t| t.get("items")));
            let (Some(first), Some(items)) = (shown.first(), items) else {
                return;
            };
            for (i, item) in answered.iter().enumerate() {
                walk(
                    first,
                    item,
                    items,
                    types,
                    format!("{pointer}/{i}"),
                    depth + 1,
                    out,
                );
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shown_properties_are_required_where_the_schema_names_them() {
        let schema = json!({"type": "object", "properties": {
            "Id": {"type": "integer"},
            "Tags": {"type": "array", "items": {"type": "object", "properties": {"Name": {"type": "string"}}}},
            "Extra": {"type": "object"}
        }});
        let sample = json!({"Id": 1, "Tags": [{"Name": "a"}], "Extra": {"free": 1}, "Unknown": 2});
        let types = BTreeMap::new();
        assert!(missing(&sample, &sample, &schema, &types, None).is_empty());
        let answer = json!({"Tags": [{}, {"Name": "b"}], "Extra": {}});
        let found = missing(&sample, &answer, &schema, &types, None);
        let pointers: Vec<&str> = found.iter().map(|v| v.pointer.as_str()).collect();
        assert_eq!(pointers, ["/Id", "/Tags/0/Name"]);
        assert_eq!(missing(&sample, &json!({}), &schema, &types, None).len(), 3);
        // Tags echoed as sent: not looked into.
        let sent = json!({"Tags": [{}, {"Name": "b"}]});
        let found = missing(&sample, &answer, &schema, &types, Some(&sent));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].pointer, "/Id");
    }
}
