//! The export's examples kept to their own schemas: each documented sample is written
//! without the docs generator's `null` placeholders (an object it did not expand is left
//! out, as the export's schemas say), then held to the schema beside it; one that still
//! breaks it (`99.99` where the pages type an `int64`, a byte stand-in that is no base64) is
//! dropped rather than shown to tools that trust it (Prism answers examples verbatim).

use mockdown_schema::{Draft, Registry};
use serde_json::{Value, json};

use crate::contract::validate::is_base64;

/// Where the export document is registered while its examples are checked.
const DOCUMENT: &str = "https://mockdown.invalid/openapi.json";

/// What became of the examples of one export.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ExampleStats {
    /// Examples kept (valid against their schema).
    pub kept: usize,
    /// Examples dropped (they break their schema).
    pub dropped: usize,
}

/// The sample without `null` members or items (the generator's placeholders).
pub(crate) fn without_placeholders(value: &Value) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_placeholders(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .filter(|v| !v.is_null())
                .map(without_placeholders)
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Checks every `example` of the media types of `doc` against the schema beside it and
/// removes those that break it.
pub(super) fn keep_valid_examples(doc: &mut Value) -> ExampleStats {
    let places = example_places(doc);
    let mut stats = ExampleStats::default();
    if places.is_empty() {
        return stats;
    }
    let registry = match Registry::new()
        .draft(Draft::Draft202012)
        .extend([(DOCUMENT.to_string(), doc.clone())])
        .and_then(|r| r.prepare())
    {
        Ok(registry) => registry,
        Err(_) => {
            // A document that cannot be read as schemas keeps no example it cannot check.
            for place in &places {
                remove_example(doc, place);
            }
            stats.dropped = places.len();
            return stats;
        }
    };
    let options = mockdown_schema::options()
        .with_draft(Draft::Draft202012)
        .with_registry(&registry)
        .should_validate_formats(true)
        .with_format("byte", is_base64);
    for place in &places {
        let schema = doc
            .pointer(&format!("{place}/schema"))
            .map_or(Value::Bool(false), in_document);
        let valid = match (
            options.build(&schema),
            doc.pointer(&format!("{place}/example")),
        ) {
            (Ok(validator), Some(example)) => validator.is_valid(example),
            _ => false,
        };
        if valid {
            stats.kept += 1;
        } else {
            stats.dropped += 1;
            remove_example(doc, place);
        }
    }
    stats
}

/// JSON pointers of every media type object (under `requestBody` or `responses`) that has
/// an `example`, in document order.
fn example_places(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            let base = format!("/paths/{}/{}", escape(path), escape(method));
            let mut media_of = |prefix: String, content: Option<&Value>| {
                for (media, object) in content.and_then(Value::as_object).into_iter().flatten() {
                    if object.get("example").is_some() {
                        out.push(format!("{prefix}/content/{}", escape(media)));
                    }
                }
            };
            media_of(
                format!("{base}/requestBody"),
                op.pointer("/requestBody/content"),
            );
            for (code, response) in op
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                media_of(
                    format!("{base}/responses/{}", escape(code)),
                    response.get("content"),
                );
            }
        }
    }
    out
}

fn remove_example(doc: &mut Value, place: &str) {
    if let Some(Value::Object(media)) = doc.pointer_mut(place) {
        media.remove("example");
    }
}

/// The schema with its document-local `$ref`s (`#/components/schemas/X`) made absolute,
/// so they resolve in the registered document.
fn in_document(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| match (k.as_str(), v.as_str()) {
                    ("$ref", Some(local)) if local.starts_with('#') => {
                        (k.clone(), json!(format!("{DOCUMENT}{local}")))
                    }
                    _ => (k.clone(), in_document(v)),
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(in_document).collect()),
        other => other.clone(),
    }
}

/// A JSON pointer token (RFC 6901).
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_left_out() {
        let sample = json!({"A": null, "B": [null, {"C": null, "D": 1}], "E": "x"});
        assert_eq!(
            without_placeholders(&sample),
            json!({"B": [{"D": 1}], "E": "x"})
        );
    }

    #[test]
    fn examples_that_break_their_schema_are_dropped() {
        let mut doc = json!({
            "openapi": "3.1.0",
            "paths": {"/a/{id}": {"get": {"responses": {
                "200": {"content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/T"},
                    "example": {"Id": 99.99}
                }}},
                "201": {"content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/T"},
                    "example": {"Id": 7, "Blob": "aGVsbG8="}
                }}},
                "202": {"content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/T"},
                    "example": {"Blob": "GIF89....File contents as raw bytes..."}
                }}}
            }}}},
            "components": {"schemas": {"T": {"type": "object", "properties": {
                "Id": {"type": "integer", "format": "int64"},
                "Blob": {"type": "string", "format": "byte"}
            }}}}
        });
        let stats = keep_valid_examples(&mut doc);
        assert_eq!(
            stats,
            ExampleStats {
                kept: 1,
                dropped: 2
            }
        );
        let responses = &doc["paths"]["/a/{id}"]["get"]["responses"];
        assert!(
            responses["200"]["content"]["application/json"]
                .get("example")
                .is_none()
        );
        assert!(
            responses["201"]["content"]["application/json"]
                .get("example")
                .is_some()
        );
        assert!(
            responses["202"]["content"]["application/json"]
                .get("example")
                .is_none()
        );
    }
}
