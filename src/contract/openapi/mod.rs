//! Export of the contract as one OpenAPI 3.1 document, written for the tools that read
//! one: code generators (schemas in [`usable`] form), linters, and contract testers that
//! send what it documents to the mock (every status the mock answers, only the media types
//! it takes, examples valid against their schemas).

mod examples;
mod statuses;
mod usable;

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::media::media_type;
use super::model::{Contract, Operation, Parameter, RequestBody};
use super::profile::{ApiProfile, PRIMARY_KEY, PROFILE, VERB};
use super::props::MAP_VALUES;
use super::types::{file_stem, primary_type, ref_target, resolve_ref};
pub(crate) use examples::{ExampleStats, without_placeholders};
pub(crate) use statuses::REJECTION;
pub(crate) use usable::{Enums, usable};

/// The JSON Patch media type.
const JSON_PATCH: &str = "application/json-patch+json";
/// The component holding an RFC 6902 JSON Patch document, as the mock checks one.
const JSON_PATCH_COMPONENT: &str = "JsonPatch";
/// Where `mockdown serve` listens unless told otherwise.
const DEFAULT_SERVER: &str = "http://127.0.0.1:4010";

/// Auth schemes OpenAPI writes as `type: http`.
const HTTP_SCHEMES: [&str; 3] = ["basic", "bearer", "digest"];
/// Headers OpenAPI describes by other means; never listed as parameters.
const RESERVED_HEADERS: [&str; 3] = ["accept", "content-type", "authorization"];

/// How to export.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ExportOptions {
    /// Which enums are closed (`enum`).
    pub enums: Enums,
}

/// The contract as an OpenAPI 3.1 document (only the enums the pages list in full closed).
#[cfg(test)]
pub(crate) fn export(contract: &Contract) -> Value {
    export_with(contract, ExportOptions::default()).0
}

/// The contract as an OpenAPI 3.1 document, and what became of its examples.
pub(crate) fn export_with(contract: &Contract, options: ExportOptions) -> (Value, ExampleStats) {
    let mut paths: Map<String, Value> = Map::new();
    let mut bodies: Map<String, Value> = Map::new();
    let mut headers: Map<String, Value> = Map::new();
    let mut sorted: Vec<&Operation> = contract.operations.iter().collect();
    sorted.sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
    let enums = options.enums;
    for op in sorted {
        let item = paths.entry(op.path.clone()).or_insert_with(|| json!({}));
        if let Value::Object(item) = item {
            let method = op.method.to_ascii_lowercase();
            if !item.contains_key(&method) {
                let context = (enums, &contract.types, &contract.profile);
                item.insert(method, operation(op, context, &mut bodies, &mut headers));
            }
        }
    }
    mark_same_routes(&mut paths);
    let mut schemas: Map<String, Value> = contract
        .types
        .iter()
        .map(|(name, schema)| {
            let mut schema = usable(&rewrite_refs(schema), enums);
            if let Value::Object(map) = &mut schema {
                map.remove("$schema");
                map.remove("$id");
            }
            (file_stem(name), schema)
        })
        .collect();
    schemas.extend(bodies);
    for (name, key) in &contract.profile.primary_keys {
        if let Some(Value::Object(schema)) = schemas.get_mut(&file_stem(name)) {
            schema.insert(PRIMARY_KEY.into(), json!(key.value));
        }
    }
    let shape = &contract.profile.error_shape.value;
    schemas.insert(REJECTION.into(), statuses::rejection_schema(shape));
    let (security_schemes, security) = security(&contract.profile);
    let profile = serde_json::to_value(&contract.profile).unwrap_or_default();
    schemas.insert(JSON_PATCH_COMPONENT.into(), json_patch_schema());
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "API contract built by mockdown from its reference pages",
            "version": "1.0.0"
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "servers": [{"url": DEFAULT_SERVER, "description": "`mockdown serve` at its default address"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": headers,
            "securitySchemes": security_schemes,
        },
        "security": security,
        (PROFILE): profile,
    });
    let stats = examples::keep_valid_examples(&mut doc);
    (doc, stats)
}

fn is_form(media: &str) -> bool {
    media_type(media) == "application/x-www-form-urlencoded"
}

fn is_xml(media: &str) -> bool {
    let media = media_type(media);
    media.ends_with("/xml") || media.ends_with("+xml")
}

/// Whether a body schema is an object.
fn is_object(schema: &Value, types: &BTreeMap<String, Value>) -> bool {
    primary_type(resolve_ref(types, schema)) == Some("object")
}

/// Whether a body schema is an object whose properties are plain values or lists of them
/// (what form fields can carry).
fn flat_object(schema: &Value, types: &BTreeMap<String, Value>) -> bool {
    let schema = resolve_ref(types, schema);
    let plain = |s: &Value| {
        let s = resolve_ref(types, s);
        s.get("$ref").is_none() && !matches!(primary_type(s), Some("object" | "array") | None)
    };
    primary_type(schema) == Some("object")
        && schema
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|props| {
                props.values().all(|p| {
                    let p = resolve_ref(types, p);
                    match primary_type(p) {
                        Some("array") => p.get("items").is_some_and(plain),
                        _ => plain(p),
                    }
                })
            })
}

/// Marks path items whose templates differ only in parameter names (`/List/{id}`,
/// `/List/{name}`): OpenAPI cannot tell them apart, the mock's router does, by the
/// documented type of the value (an integer goes to `{id}`).
fn mark_same_routes(paths: &mut Map<String, Value>) {
    let mut by_shape: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for path in paths.keys() {
        by_shape
            .entry(route_shape(path))
            .or_default()
            .push(path.clone());
    }
    for group in by_shape.values().filter(|g| g.len() > 1) {
        for path in group {
            let others: Vec<&String> = group.iter().filter(|p| *p != path).collect();
            if let Some(Value::Object(item)) = paths.get_mut(path) {
                item.insert("x-mockdown-same-route".into(), json!(others));
                item.insert(
                    "description".into(),
                    json!(format!(
                        "Differs from {} only in a parameter name: the mock routes a request to the template whose parameter types take its values.",
                        others.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
                    )),
                );
            }
        }
    }
}

/// A path template with its parameter names left out (`/List/{}`).
fn route_shape(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') && segment.ends_with('}') {
                "{}"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
        .to_ascii_lowercase()
}

/// An RFC 6902 JSON Patch document as the mock accepts one: each operation's `op`, a
/// `path` pointer (the leading `/` may be left out, as the pages' samples do), and the
/// `value` or `from` the operation needs.
fn json_patch_schema() -> Value {
    let pointer = json!({"type": "string", "pattern": "^([^~]|~[01])*$"});
    json!({
        "title": JSON_PATCH_COMPONENT,
        "description": "JSON Patch operations (RFC 6902), as the mock checks them.",
        "type": "array",
        "items": {"oneOf": [
            {"type": "object", "required": ["op", "path", "value"], "properties": {
                "op": {"type": "string", "enum": ["add", "replace", "test"]},
                "path": pointer, "value": {}}},
            {"type": "object", "required": ["op", "path"], "properties": {
                "op": {"type": "string", "enum": ["remove"]}, "path": pointer}},
            {"type": "object", "required": ["op", "path", "from"], "properties": {
                "op": {"type": "string", "enum": ["move", "copy"]},
                "path": pointer, "from": pointer}}
        ]}
    })
}

/// Parameters of one operation, each (name, location) once.
#[derive(Default)]
struct ParamList {
    seen: Vec<(String, String)>,
    items: Vec<Value>,
}

impl ParamList {
    fn param(&self, p: &Parameter, location: &str, required: bool, enums: Enums) -> Value {
        let mut param = json!({
            "name": p.name,
            "in": location,
            "required": required,
            "schema": usable(&rewrite_refs(&p.schema), enums),
        });
        if !p.description.is_empty() {
            param["description"] = json!(p.description);
        }
        if p.schema["type"] == "array" {
            param["style"] = json!("form");
            param["explode"] = json!(false);
        }
        param
    }

    fn push(
        &mut self,
        p: &Parameter,
        (location, required, enums): (&str, bool, Enums),
        reference: Option<Value>,
    ) {
        let key = (p.name.to_ascii_lowercase(), location.to_string());
        if self.seen.contains(&key) {
            return;
        }
        self.seen.push(key);
        let item = reference.unwrap_or_else(|| self.param(p, location, required, enums));
        self.items.push(item);
    }
}

/// The schema of a body, as a `$ref`: bare type refs stay, inline schemas become a
/// component of their own (named after the operation) so each is written once.
fn body_ref(
    schema: &Value,
    component: String,
    enums: Enums,
    bodies: &mut Map<String, Value>,
) -> Value {
    let rewritten = usable(&plain_patch(rewrite_refs(schema)), enums);
    let is_bare_ref = rewritten
        .as_object()
        .is_some_and(|m| m.len() == 1 && m.contains_key("$ref"));
    if is_bare_ref {
        return rewritten;
    }
    let name = file_stem(&component);
    bodies.insert(name.clone(), rewritten);
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// The security schemes the profile lists: an HTTP scheme where OpenAPI has one (`basic`,
/// `bearer`, `digest`), else an `Authorization` header of that scheme; and each header
/// that stands for credentials. Any one of them is enough.
fn security(profile: &ApiProfile) -> (Map<String, Value>, Vec<Value>) {
    let mut schemes = Map::new();
    let mut security = Vec::new();
    let lower_first = |name: &str| {
        let mut chars = name.chars();
        chars.next().map_or_else(String::new, |c| {
            c.to_ascii_lowercase().to_string() + chars.as_str()
        })
    };
    for scheme in &profile.auth_schemes.value {
        let key = lower_first(scheme);
        let lower = scheme.to_ascii_lowercase();
        let value = if HTTP_SCHEMES.contains(&lower.as_str()) {
            json!({"type": "http", "scheme": lower})
        } else {
            json!({"type": "apiKey", "in": "header", "name": "Authorization",
                   "description": format!("`{scheme} <value>`")})
        };
        schemes.insert(key.clone(), value);
        security.push(json!({ key: [] }));
    }
    for header in &profile.credential_headers.value {
        let key = file_stem(header);
        schemes.insert(
            key.clone(),
            json!({"type": "apiKey", "in": "header", "name": header}),
        );
        security.push(json!({ key: [] }));
    }
    (schemes, security)
}

fn operation(
    op: &Operation,
    (enums, types, profile): (Enums, &BTreeMap<String, Value>, &ApiProfile),
    bodies: &mut Map<String, Value>,
    headers: &mut Map<String, Value>,
) -> Value {
    let parameters = parameters(op, enums, headers);
    let mut out = json!({
        "operationId": op.operation_id,
        "summary": op.title.clone().unwrap_or_else(|| op.operation_id.clone()),
        "parameters": parameters,
        "responses": responses(op, enums, bodies),
        "x-mockdown-source": op.source,
    });
    if let Some((verb, _)) = profile.verb_of(&op.path) {
        out[VERB] = json!(verb.as_str());
    }
    if !op.summary.is_empty() {
        out["description"] = json!(op.summary);
    }
    if let Some(body) = &op.request_body {
        let content = request_content(op, body, (enums, types), bodies);
        out["requestBody"] = json!({"required": body.required, "content": content});
        if !body.description.is_empty() {
            out["requestBody"]["description"] = json!(body.description);
        }
    }
    out
}

/// The parameters of `op`: path, query, then headers (each header a shared component in
/// `headers`, unless another page describes it otherwise).
fn parameters(op: &Operation, enums: Enums, headers: &mut Map<String, Value>) -> Vec<Value> {
    let mut list = ParamList::default();
    for p in &op.path_parameters {
        list.push(p, ("path", true, enums), None);
    }
    for p in &op.query_parameters {
        list.push(p, ("query", p.required, enums), None);
    }
    for p in &op.header_parameters {
        if RESERVED_HEADERS.contains(&p.name.to_ascii_lowercase().as_str()) {
            continue;
        }
        // Headers repeat on every page: each (name, description) is one shared component.
        let key = file_stem(&p.name);
        let param = list.param(p, "header", false, enums);
        match headers.get(&key) {
            Some(existing) if *existing != param => list.push(p, ("header", false, enums), None),
            _ => {
                headers.insert(key.clone(), param);
                let reference = json!({"$ref": format!("#/components/parameters/{key}")});
                list.push(p, ("header", false, enums), Some(reference));
            }
        }
    }
    list.items
}

/// The request body's `content` of `op`, by media type: the media types the mock reads
/// it in, each with its schema (a component in `bodies`) and the sample as example.
fn request_content(
    op: &Operation,
    body: &RequestBody,
    (enums, types): (Enums, &BTreeMap<String, Value>),
    bodies: &mut Map<String, Value>,
) -> Map<String, Value> {
    let example = op
        .example
        .request
        .as_ref()
        .and_then(|r| r.body.as_ref())
        .map(without_placeholders);
    let schema = body_ref(
        &body.schema,
        format!("{}.request", op.operation_id),
        enums,
        bodies,
    );
    let takes_patch = op.method == "PATCH" && body.content_types.iter().any(|c| c == JSON_PATCH);
    let patch = json!({"$ref": format!("#/components/schemas/{JSON_PATCH_COMPONENT}")});
    body.content_types
        .iter()
        // A JSON Patch is read as one only where the page documents it on a PATCH:
        // elsewhere the mock refuses that media type's body.
        .filter(|ct| takes_patch || *ct != JSON_PATCH)
        // Form fields and XML elements are text: a form carries flat values only, an
        // XML document one root element; other bodies the mock cannot read from them.
        .filter(|ct| !is_form(ct) || flat_object(&body.schema, types))
        .filter(|ct| !is_xml(ct) || is_object(&body.schema, types))
        .map(|ct| {
            // A merge patch: any members of the entity (RFC 7396).
            let merge = json!({"type": "object", "additionalProperties": true});
            let schema = match (takes_patch, ct.as_str()) {
                (true, JSON_PATCH) => patch.clone(),
                (true, "application/merge-patch+json") => merge,
                (true, _) => json!({"anyOf": [patch, merge]}),
                _ => schema.clone(),
            };
            let mut media = json!({"schema": schema});
            if let (Some(example), true) = (&example, ct == "application/json") {
                media["example"] = example.clone();
            }
            (ct.clone(), media)
        })
        .collect()
}

fn responses(op: &Operation, enums: Enums, bodies: &mut Map<String, Value>) -> Value {
    let example = op.example.response.as_ref();
    let mut out = Map::new();
    for (code, resp) in &op.responses {
        let description = if resp.description.is_empty() {
            "Response".to_string()
        } else {
            resp.description.clone()
        };
        let mut entry = json!({"description": description});
        if resp.schema != json!({"type": "null"}) {
            let mut content = Map::new();
            let schema = body_ref(
                &resp.schema,
                format!("{}.response{code}", op.operation_id),
                enums,
                bodies,
            );
            // Documented: the Accept row, and what the page's own sample answers with (as
            // the conformance check counts it).
            let mut media_types: Vec<String> = op.accept.clone();
            if let Some(sample_type) = example
                .filter(|e| e.status.to_string() == *code)
                .and_then(|e| {
                    e.headers
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                })
                .map(|(_, v)| media_type(v))
                .filter(|t| !t.is_empty() && !op.accept.iter().any(|a| media_type(a) == *t))
            {
                media_types.push(sample_type);
            }
            for ct in &media_types {
                let mut media = json!({"schema": schema});
                if let Some(ex) =
                    example.filter(|e| e.status.to_string() == *code && ct == "application/json")
                    && let Some(body) = &ex.body
                {
                    media["example"] = without_placeholders(body);
                }
                content.insert(ct.clone(), media);
            }
            entry["content"] = Value::Object(content);
        }
        out.insert(code.clone(), entry);
    }
    statuses::add_mock_statuses(op, &mut out);
    Value::Object(out)
}

/// The contract's PATCH body (`if array then items … else object`) in the plain form tools
/// read: `type: [array, object]` with `items` (which JSON Schema applies to arrays only), the
/// same constraint.
fn plain_patch(schema: Value) -> Value {
    let Value::Object(map) = &schema else {
        return schema;
    };
    let is_patch = map.get("if") == Some(&json!({"type": "array"}))
        && map.get("else") == Some(&json!({"type": "object"}))
        && map
            .get("then")
            .and_then(Value::as_object)
            .is_some_and(|t| t.len() == 1 && t.contains_key("items"));
    if !is_patch {
        return schema;
    }
    let mut plain = Map::new();
    plain.insert("type".into(), json!(["array", "object"]));
    plain.insert("items".into(), map["then"]["items"].clone());
    if let Some(description) = map.get("description") {
        plain.insert("description".into(), description.clone());
    }
    Value::Object(plain)
}

/// Rewrites bundle refs (`../types/X.json`) to `#/components/schemas/X`, and dictionary
/// value schemas (`x-mockdown-map-values`) to the standard `additionalProperties`.
pub(crate) fn rewrite_refs(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = match (k.as_str(), v.as_str().and_then(ref_target)) {
                        ("$ref", Some(target)) => json!(format!("#/components/schemas/{target}")),
                        _ => rewrite_refs(v),
                    };
                    let k = if k == MAP_VALUES {
                        "additionalProperties".to_string()
                    } else {
                        k.clone()
                    };
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(rewrite_refs).collect()),
        other => other.clone(),
    }
}
