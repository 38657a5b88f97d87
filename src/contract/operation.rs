//! One page → one [`Operation`]: parameters, request body, responses and the example pair.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::enums;
use super::infer::{Shape, placeholders_as_objects};
use super::model::{
    Example, ExampleRequest, ExampleResponse, Operation, Parameter, RequestBody, Response,
};
use super::props::{Cell, Knowledge, Prop};
use super::types::{TypeCell, classify, type_ref};
use crate::diag::Diagnostic;
use crate::docs::{Page, ParamDoc, PropertyDoc};

/// What the weighing of claims decided for one page's bodies.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Owners<'a> {
    /// The named type the request body is.
    pub request: Option<&'a str>,
    /// The named type the response body is (the heading's claim stands, or the table
    /// matches it by structure).
    pub response: Option<&'a str>,
    /// The response body is a list of `response`.
    pub response_list: bool,
}

/// Name of the built-in error type (the API's own error shape).
pub(crate) const ERROR_TYPE: &str = "ErrorResponse";

/// Content types assumed when a page documents none.
const DEFAULT_CONTENT_TYPES: [&str; 2] = ["application/json", "text/json"];

/// Content types assumed for PATCH bodies when a page documents none.
const PATCH_CONTENT_TYPES: [&str; 4] = [
    "application/json",
    "text/json",
    "application/json-patch+json",
    "application/merge-patch+json",
];

/// Builds the operation a page documents.
pub(super) fn build_operation(
    page: &Page,
    owners: Owners,
    knowledge: &Knowledge,
    diagnostics: &mut Vec<Diagnostic>,
) -> Operation {
    let req_sample = sample_json(page.sample_request.as_ref().and_then(|s| s.body.as_ref()));
    let resp_sample = sample_json(page.sample_response.as_ref().and_then(|s| s.body.as_ref()));
    let (responses, success_status) = responses(page, resp_sample, owners, knowledge);
    Operation {
        operation_id: page.operation_id.clone(),
        method: page.endpoint.method.clone(),
        path: page.endpoint.path.clone(),
        title: page.title.clone(),
        summary: page.summary.clone(),
        source: format!("{}:{}", page.file, page.endpoint.line),
        online_restricted: page.online_restricted.clone(),
        slow_threshold_ms: page.slow_threshold_ms,
        path_parameters: path_parameters(page, diagnostics),
        query_parameters: page
            .query_params
            .iter()
            .map(|p| parameter(p, p.required))
            .collect(),
        header_parameters: page
            .request_headers
            .iter()
            .map(|h| Parameter {
                name: h.name.clone(),
                required: false,
                description: h.description.clone(),
                schema: json!({"type": "string"}),
            })
            .collect(),
        query_examples: page
            .query_examples
            .iter()
            .map(|e| e.pairs.clone())
            .collect(),
        request_body: request_body(page, req_sample, owners, knowledge),
        accept: if page.accept_content_types.is_empty() {
            DEFAULT_CONTENT_TYPES
                .iter()
                .map(|s| s.to_string())
                .collect()
        } else {
            page.accept_content_types.clone()
        },
        responses,
        success_status,
        example: example(page),
    }
}

fn sample_json(body: Option<&crate::docs::SampleBody>) -> Option<&Value> {
    body.and_then(|b| b.json.as_ref())
}

/// Names of the `{param}` segments of a path template, in order.
pub(crate) fn template_params(path: &str) -> Vec<String> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(str::to_string)
        .collect()
}

fn path_parameters(page: &Page, diagnostics: &mut Vec<Diagnostic>) -> Vec<Parameter> {
    let names = template_params(&page.endpoint.path);
    for doc in &page.path_params {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(&doc.name)) {
            diagnostics.push(Diagnostic::warning(
                &page.file,
                doc.line,
                "path-part-unused",
                format!(
                    "path part `{}` does not appear in `{}`",
                    doc.name, page.endpoint.path
                ),
            ));
        }
    }
    names
        .iter()
        .map(|name| {
            match page
                .path_params
                .iter()
                .find(|d| d.name.eq_ignore_ascii_case(name))
            {
                Some(doc) => Parameter {
                    name: name.clone(),
                    ..parameter(doc, true)
                },
                None => Parameter {
                    name: name.clone(),
                    required: true,
                    description: String::new(),
                    schema: json!({"type": "string"}),
                },
            }
        })
        .collect()
}

/// A path or query parameter: scalars as documented, lists as comma-separated strings.
fn parameter(doc: &ParamDoc, required: bool) -> Parameter {
    let schema = match classify(&doc.type_text) {
        TypeCell::Primitive(p) => p.schema(),
        TypeCell::Enum(members) => enums::complete(&members),
        TypeCell::Array => json!({"type": "array", "items": {"type": "string"}}),
        _ => json!({"type": "string"}),
    };
    Parameter {
        name: doc.name.clone(),
        required,
        description: doc.description.clone(),
        schema,
    }
}

/// An object schema from a property table; `sample` (the page's body) shows formats, items
/// and map values; the rest of the docs set (`knowledge`) settles cells and links items.
pub(super) fn inline_object(
    props: &[PropertyDoc],
    sample: Option<&Value>,
    knowledge: &Knowledge,
) -> Value {
    let mut shapes: BTreeMap<&str, Shape> = BTreeMap::new();
    let samples: Vec<&Map<String, Value>> = match sample {
        Some(Value::Object(map)) => vec![map],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_object).collect(),
        _ => Vec::new(),
    };
    for map in &samples {
        for prop in props {
            if let Some(v) = map.get(&prop.name) {
                shapes.entry(prop.name.as_str()).or_default().add(v, 0);
            }
        }
    }
    let empty = Shape::default();
    let mut properties = Map::new();
    for prop in props {
        let cell = match knowledge
            .lexicon
            .correct(&prop.name, &prop.description, &prop.type_text)
        {
            None => Cell::Written(&prop.type_text),
            Some(c) => match c.to {
                Some(_) => Cell::Corrected(knowledge.lexicon.corrected_cell(
                    &prop.name,
                    &prop.description,
                    &prop.type_text,
                )),
                None => Cell::Unknown,
            },
        };
        let mut schema = knowledge.property(&Prop {
            name: &prop.name,
            description: &prop.description,
            cell: &cell,
            shape: shapes.get(prop.name.as_str()).unwrap_or(&empty),
            owner: None,
        });
        if let (Value::Object(map), false) = (&mut schema, prop.description.is_empty()) {
            map.insert("description".into(), json!(prop.description));
        }
        properties.insert(prop.name.clone(), schema);
    }
    json!({"type": "object", "properties": properties})
}

fn request_body(
    page: &Page,
    sample: Option<&Value>,
    owners: Owners,
    knowledge: &Knowledge,
) -> Option<RequestBody> {
    let body = page.request_body.as_ref()?;
    let object = match owners.request {
        Some(name) => Some(type_ref(name)),
        None if !body.properties.is_empty() => {
            Some(inline_object(&body.properties, sample, knowledge))
        }
        None => None,
    };
    let schema = match object {
        Some(object) => match sample {
            Some(Value::Array(_)) if page.endpoint.method == "PATCH" => json!({
                "if": {"type": "array"},
                "then": {"items": object},
                "else": {"type": "object"},
                "description": "JSON Patch operations, or a merge-patch object"
            }),
            Some(Value::Array(_)) => json!({"type": "array", "items": object}),
            _ => object,
        },
        None => match (body.type_text.as_deref().map(classify), sample) {
            (Some(TypeCell::Primitive(p)), _) => p.schema(),
            (_, Some(sample)) => knowledge.sample_schema(&Shape::of(sample)),
            _ => json!({}),
        },
    };
    let content_types = if page.request_content_types.is_empty() && page.endpoint.method == "PATCH"
    {
        PATCH_CONTENT_TYPES.iter().map(|s| s.to_string()).collect()
    } else if page.request_content_types.is_empty() {
        DEFAULT_CONTENT_TYPES
            .iter()
            .map(|s| s.to_string())
            .collect()
    } else {
        page.request_content_types.clone()
    };
    Some(RequestBody {
        name: body.name.clone(),
        description: body.description.clone(),
        required: sample.is_some(),
        content_types,
        schema,
    })
}

/// The schema of the documented (successful) response body.
fn success_schema(
    page: &Page,
    sample: Option<&Value>,
    owners: Owners,
    knowledge: &Knowledge,
) -> Value {
    let Some(resp) = page.response.as_ref() else {
        return sample.map_or_else(|| json!({}), |s| knowledge.sample_schema(&Shape::of(s)));
    };
    let has_table = !resp.properties.is_empty();
    let declared = |text: &str| classify(text);
    let body_cell = match (owners.response, resp.body_type.as_deref().map(declared)) {
        (Some(name), _) if owners.response_list => {
            return json!({"type": "array", "items": type_ref(name)});
        }
        (Some(name), _) => TypeCell::Named(name.to_string()),
        // The heading names a type, but its claim was rejected: the table (or sample) is
        // this page's body only; `Response:array` still says whether it is a list.
        (None, Some(TypeCell::Named(_))) => match declared(&resp.type_text) {
            TypeCell::Array => TypeCell::Array,
            _ if matches!(sample, Some(Value::Array(_))) => TypeCell::Array,
            _ => TypeCell::Object,
        },
        (None, Some(cell)) => cell,
        (None, None) => declared(&resp.type_text),
    };
    match body_cell {
        TypeCell::Primitive(p) => p.schema(),
        TypeCell::Enum(members) => enums::complete(&members),
        TypeCell::Named(name) => type_ref(&name),
        TypeCell::Array if has_table => {
            json!({"type": "array", "items": inline_object(&resp.properties, sample, knowledge)})
        }
        TypeCell::Array => match sample.map(Shape::of) {
            Some(shape) if shape.array.is_some() => knowledge.sample_schema(&shape),
            _ => json!({"type": "array"}),
        },
        TypeCell::Object | TypeCell::Empty if has_table => {
            inline_object(&resp.properties, sample, knowledge)
        }
        TypeCell::Object | TypeCell::Empty => match sample {
            Some(s @ Value::Object(_)) => knowledge.sample_schema(&Shape::of(s)),
            _ => json!({"type": "object"}),
        },
    }
}

/// Whether a status never carries a body.
pub(crate) fn bodyless(status: u16) -> bool {
    matches!(status, 100..=199 | 204 | 205 | 304)
}

fn responses(
    page: &Page,
    sample: Option<&Value>,
    owners: Owners,
    knowledge: &Knowledge,
) -> (BTreeMap<String, Response>, u16) {
    let mut statuses: Vec<(u16, String)> = page
        .response
        .iter()
        .flat_map(|r| r.statuses.iter().map(|s| (s.code, s.description.clone())))
        .collect();
    if statuses.is_empty() {
        let code = page.sample_response.as_ref().map_or(200, |s| s.status);
        let reason = page
            .sample_response
            .as_ref()
            .map_or_else(|| "OK".to_string(), |s| s.reason.clone());
        statuses.push((code, reason));
    }
    let success = statuses
        .iter()
        .map(|(c, _)| *c)
        .find(|c| (200..300).contains(c))
        .unwrap_or(statuses[0].0);
    let body = success_schema(page, sample, owners, knowledge);
    let map = statuses
        .into_iter()
        .map(|(code, description)| {
            let schema = if bodyless(code) {
                json!({"type": "null"})
            } else if code >= 400 {
                type_ref(ERROR_TYPE)
            } else {
                body.clone()
            };
            (
                code.to_string(),
                Response {
                    description,
                    schema,
                },
            )
        })
        .collect();
    (map, success)
}

fn example(page: &Page) -> Example {
    Example {
        request: page.sample_request.as_ref().map(|s| ExampleRequest {
            method: s.method.clone(),
            path: s.path.clone(),
            headers: s.headers.clone(),
            body: sample_json(s.body.as_ref()).map(|b| placeholders_as_objects(b).into_owned()),
        }),
        response: page.sample_response.as_ref().map(|s| ExampleResponse {
            status: s.status,
            reason: s.reason.clone(),
            headers: s.headers.clone(),
            body: sample_json(s.body.as_ref()).map(|b| placeholders_as_objects(b).into_owned()),
        }),
    }
}

/// The schema of the API's error shape.
pub(super) fn error_type_schema(shape: &super::profile::ErrorShape) -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{}types/{ERROR_TYPE}.json", super::types::SCHEMA_BASE),
        "title": ERROR_TYPE,
        "description": "The API's error shape, as every 4xx/5xx response carries it.",
        "type": "object",
        "properties": shape.properties(),
        "x-mockdown-origin": "builtin"
    })
}

#[cfg(test)]
#[path = "operation_tests.rs"]
mod tests;
