//! The statuses the mock answers on its own, documented on every operation they can happen
//! on, each with the body the mock sends (`MockdownRejection`: the API's error shape plus the
//! violations found).
//!
//! - 400: parameters or body that break the contract (every operation);
//! - 401: no credentials, or credentials not of their scheme's form (every operation: the
//!   mock checks them unless started with `--no-auth`);
//! - 404: a path value no route takes, or (stateful) an id it does not hold (operations with
//!   path parameters);
//! - 406: an `Accept` the operation cannot answer (operations that answer a body);
//! - 413 and 415: a body over `--max-body`, or of a media type the page does not document
//!   (operations that take a body).
//!
//! 405 (with `Allow`) answers a method a path does not document: OpenAPI has no operation
//! to write it on. A status the page documents keeps its own schema, with the rejection
//! shape beside it when both can be answered.

use serde_json::{Map, Value, json};

use crate::contract::model::Operation;
use crate::contract::profile::ErrorShape;

/// The component holding the mock's rejection body.
pub(crate) const REJECTION: &str = "MockdownRejection";

/// The schema of the mock's rejection body (what `http/error.rs` writes): the profile's
/// error shape and the violations.
pub(super) fn rejection_schema(shape: &ErrorShape) -> Value {
    let text = json!({"type": "string"});
    let mut properties = shape.properties();
    properties.extend(json!({
            "Violations": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "in": text, "pointer": text, "keyword": text, "expected": text, "found": text
                    }
                }
            },
            "ViolationsOmitted": {"type": "integer", "minimum": 1}
    }).as_object().cloned().unwrap_or_default());
    json!({
        "title": REJECTION,
        "description": "The API's error shape as the mock answers a request it refuses, with the contract violations found (at most 100; `ViolationsOmitted` counts the rest).",
        "type": "object",
        "properties": properties,
        "required": shape.names(),
    })
}

/// The statuses the mock may answer on `op` by itself, with their descriptions.
pub(crate) fn mock_statuses(op: &Operation) -> Vec<(u16, &'static str)> {
    let mut out = vec![
        (
            400,
            "The parameters or the body break the contract (mockdown's validation).",
        ),
        (
            401,
            "No credentials, or credentials not of their scheme's form (`Basic` base64 of `user:password`, a non-empty `Bearer` or `SoTicket`).",
        ),
    ];
    if !op.path_parameters.is_empty() {
        out.push((
            404,
            "No route takes this path value, or (stateful mock) no entity has this id.",
        ));
    }
    if answers_body(op) {
        out.push((
            406,
            "The `Accept` header asks for a media type this operation cannot answer.",
        ));
    }
    if op.request_body.is_some() {
        out.push((413, "The body is larger than the mock's `--max-body`."));
        out.push((
            415,
            "The body's Content-Type is not one this operation takes.",
        ));
    }
    out
}

/// Whether some documented status of `op` answers a body.
fn answers_body(op: &Operation) -> bool {
    op.responses
        .values()
        .any(|r| r.schema != json!({"type": "null"}))
}

/// Adds the mock's own statuses to the `responses` object of an exported operation.
pub(super) fn add_mock_statuses(op: &Operation, responses: &mut Map<String, Value>) {
    let rejection = json!({"$ref": format!("#/components/schemas/{REJECTION}")});
    for (status, description) in mock_statuses(op) {
        let code = status.to_string();
        match responses.get_mut(&code) {
            Some(documented) => {
                // Documented by the page (answered with `Prefer: code=`): its own body, or
                // the mock's refusal.
                let schema = documented
                    .pointer("/content/application~1json/schema")
                    .cloned();
                let either = match schema {
                    Some(own) if own != rejection => json!({"anyOf": [own, rejection]}),
                    _ => rejection.clone(),
                };
                let content = documented
                    .as_object_mut()
                    .map(|d| d.entry("content").or_insert_with(|| json!({})));
                if let Some(Value::Object(content)) = content {
                    content.insert("application/json".into(), json!({"schema": either}));
                }
            }
            None => {
                responses.insert(
                    code,
                    json!({
                        "description": description,
                        "content": {"application/json": {"schema": rejection}}
                    }),
                );
            }
        }
    }
}
