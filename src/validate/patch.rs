//! JSON Patch bodies (RFC 6902): an array of operations, each checked for its shape (`op`
//! one of the six, `path` a JSON pointer, `value` or `from` where the operation needs one)
//! with the `json-patch` crate. A `path` without its leading `/` is read as if it had one,
//! as the real API's ASP.NET JSON Patch reader does (the pages' own samples write them so).

use serde_json::Value;

use super::Rejection;
use super::cap::{Capped, describe};
use crate::contract::Operation;
use crate::contract::validate::Violation;
use crate::http::ErrorKind;

/// The JSON Patch media type.
pub(crate) const JSON_PATCH: &str = "application/json-patch+json";

/// Whether a JSON body of media type `media` is a JSON Patch: sent as one, or a JSON array
/// sent to a PATCH operation that documents JSON Patch.
pub(crate) fn is_patch(op: &Operation, media: &str, text: &str) -> bool {
    media == JSON_PATCH
        || (op.method == "PATCH"
            && text.trim_start().starts_with('[')
            && op
                .request_body
                .as_ref()
                .is_some_and(|b| b.content_types.iter().any(|c| c.contains(JSON_PATCH))))
}

/// Checks a JSON Patch document: 400 listing every malformed operation.
pub(crate) fn check_patch(value: &Value) -> Result<(), Rejection> {
    let mut found = Capped::default();
    match value {
        Value::Array(operations) => {
            for (i, operation) in operations.iter().enumerate() {
                if let Err((member, problem)) = check_operation(operation) {
                    let pointer = match member {
                        Some(member) => format!("/{i}/{member}"),
                        None => format!("/{i}"),
                    };
                    let shown = match member.and_then(|m| operation.get(m)) {
                        Some(value) => describe(value),
                        None if member.is_some() => "nothing".to_string(),
                        None => describe(operation),
                    };
                    found.push(violation(pointer, problem, shown));
                }
            }
        }
        other => found.push(violation(
            String::new(),
            "an array of JSON Patch operations (RFC 6902)".into(),
            describe(other),
        )),
    }
    if found.total() == 0 {
        return Ok(());
    }
    Err(Rejection {
        kind: ErrorKind::ValidationError,
        message: format!(
            "the JSON Patch breaks RFC 6902 in {} place(s)",
            found.total()
        ),
        violations: found.list,
        omitted: found.omitted,
    })
}

/// The six operations of RFC 6902 and the member each needs besides `path`.
const OPERATIONS: [(&str, Option<&str>); 6] = [
    ("add", Some("value")),
    ("remove", None),
    ("replace", Some("value")),
    ("move", Some("from")),
    ("copy", Some("from")),
    ("test", Some("value")),
];

/// What is wrong with one operation, if anything: the member at fault and what was
/// expected.
fn check_operation(operation: &Value) -> Result<(), (Option<&'static str>, String)> {
    let Value::Object(members) = operation else {
        return Err((None, "an operation object (`op`, `path`, ...)".into()));
    };
    let names = "one of add, remove, replace, move, copy, test";
    let op = members
        .get("op")
        .and_then(Value::as_str)
        .ok_or((Some("op"), format!("an `op` string, {names}")))?;
    let needs = OPERATIONS
        .iter()
        .find(|(name, _)| *name == op)
        .ok_or((Some("op"), format!("an `op` {names}")))?
        .1;
    if !members.get("path").is_some_and(Value::is_string) {
        return Err((Some("path"), "a `path` string (a JSON pointer)".into()));
    }
    match needs {
        Some("from") if !members.get("from").is_some_and(Value::is_string) => {
            return Err((Some("from"), format!("a `from` pointer for `{op}`")));
        }
        Some("value") if !members.contains_key("value") => {
            return Err((Some("value"), format!("a `value` for `{op}`")));
        }
        _ => {}
    }
    let mut normalised = members.clone();
    for key in ["path", "from"] {
        if let Some(Value::String(pointer)) = normalised.get_mut(key)
            && !pointer.is_empty()
            && !pointer.starts_with('/')
        {
            pointer.insert(0, '/');
        }
    }
    serde_json::from_value::<json_patch::PatchOperation>(Value::Object(normalised))
        .map(|_| ())
        .map_err(|e| (Some("path"), format!("JSON pointers (RFC 6901): {e}")))
}

fn violation(pointer: String, expected: String, found: String) -> Violation {
    Violation {
        location: "body".into(),
        pointer,
        keyword: "jsonPatch".into(),
        expected,
        found,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patches() {
        let good = json!([
            {"op": "replace", "path": "/Name", "value": "x"},
            {"op": "add", "path": "voluptate", "value": {}},
            {"op": "remove", "path": "/Tags/0"},
            {"op": "move", "from": "/a", "path": "/b"},
        ]);
        assert!(check_patch(&good).is_ok());
        let bad = json!([
            {"op": "replace", "path": "/Name", "value": "x"},
            {"op": "frobnicate", "path": "/Name"},
            {"op": "add", "path": "/Name"},
            {"op": "move", "path": "/b"},
            "remove",
        ]);
        let rejection = check_patch(&bad).expect_err("invalid operations");
        let pointers: Vec<&str> = rejection
            .violations
            .iter()
            .map(|v| v.pointer.as_str())
            .collect();
        assert_eq!(pointers, ["/1/op", "/2/value", "/3/from", "/4"]);
        let bad_pointer = json!([{"op": "remove", "path": "/a~2b"}]);
        let rejection = check_patch(&bad_pointer).expect_err("~2 is no escape");
        assert_eq!(rejection.violations[0].pointer, "/0/path");
        assert!(check_patch(&json!({"op": "add"})).is_err());
    }
}
