//! `verify --negative`: requests broken in exactly one place, the kinds the mock refuses: a
//! field of the wrong type (at the root, and an integer inside a nested object), a
//! date-time that is no date, a value outside a complete enum, a required parameter, body
//! or property left out, and path and query parameters of the wrong type. Each is made
//! from a request that keeps the contract, and each must break it (the contract's own
//! check says so before it is sent); the server must refuse it with a documented 4xx.

use serde_json::Value;

use super::case::{Case, Expect, Mode, Request};
use super::local::LocalCheck;
use super::sample::{Break, break_one_field, mutate_one_field};
use crate::contract::types::{primary_type, resolve_ref};
use crate::contract::{Operation, RequestBody};

/// The negative cases of `op`, broken from `valid` (a request that keeps the contract,
/// with as many fields as the schema has); `dropped` counts the candidates the contract
/// does not refuse (they test nothing and are not sent). Path parameters are not broken
/// where another operation's route takes the same path with any value there
/// (`/List/{id}/Items` beside `/List/{name}/Items`): the request is then that one's.
pub(crate) fn negative(
    op: &Operation,
    operations: &[Operation],
    types: &std::collections::BTreeMap<String, Value>,
    valid: &Request,
    local: &LocalCheck<'_>,
    dropped: &mut usize,
) -> Vec<Case> {
    let mut candidates = match (&valid.body, &op.request_body) {
        (Some(body), Some(spec)) => broken_bodies(body, spec, types, valid),
        _ => Vec::new(),
    };
    candidates.extend(broken_params(op, operations, valid));
    candidates
        .into_iter()
        .filter_map(|(label, request)| {
            if local.keeps(&request) {
                *dropped += 1;
                return None;
            }
            let broken = label
                .split_once(": ")
                .map_or(label.clone(), |(_, place)| place.to_string());
            Some(Case {
                mode: Mode::Negative,
                label,
                request,
                expect: Expect::Refusal { broken },
            })
        })
        .collect()
}

/// The candidates broken in the request body `body` (of `valid`): a field of the wrong
/// type, no date-time, outside the enum, a nested integer as text; the required body or
/// its first required property left out.
fn broken_bodies(
    body: &Value,
    spec: &RequestBody,
    types: &std::collections::BTreeMap<String, Value>,
    valid: &Request,
) -> Vec<(String, Request)> {
    let mut candidates: Vec<(String, Request)> = Vec::new();
    let resolve = |s| resolve_ref(types, s);
    let schema = &spec.schema;
    let broken = [
        ("wrong type", mutate_one_field(body, schema, resolve)),
        (
            "not a date-time",
            break_one_field(body, schema, &resolve, Break::DateTime),
        ),
        (
            "outside the enum",
            break_one_field(body, schema, &resolve, Break::Enum),
        ),
        (
            "nested integer as text",
            break_one_field(body, schema, &resolve, Break::NestedInteger),
        ),
    ];
    for (kind, found) in broken {
        if let Some((mutated, pointer)) = found {
            let mut request = valid.clone();
            request.body = Some(mutated);
            candidates.push((format!("{kind}: body {}", shown(&pointer)), request));
        }
    }
    if spec.required {
        let mut request = valid.clone();
        request.body = None;
        candidates.push(("missing required: the body".into(), request));
    }
    let required = resolve(schema)
        .get("required")
        .and_then(Value::as_array)
        .and_then(|r| r.first())
        .and_then(Value::as_str);
    if let (Some(name), Some(Value::Object(map))) = (required, &valid.body)
        && map.contains_key(name)
    {
        let mut request = valid.clone();
        if let Some(Value::Object(map)) = request.body.as_mut() {
            map.remove(name);
        }
        candidates.push((format!("missing required: body /{name}"), request));
    }
    candidates
}

/// The candidates broken in the parameters of `valid`: a required query parameter left
/// out; a path or query parameter of the wrong type, outside its enum, no date-time (path
/// parameters only where no other route of `operations` takes the same path).
fn broken_params(
    op: &Operation,
    operations: &[Operation],
    valid: &Request,
) -> Vec<(String, Request)> {
    let mut candidates: Vec<(String, Request)> = Vec::new();
    if let Some(param) = op.query_parameters.iter().find(|p| p.required) {
        let mut request = valid.clone();
        request
            .query
            .retain(|(k, _)| !k.eq_ignore_ascii_case(&param.name));
        candidates.push((format!("missing required: query {}", param.name), request));
    }
    let shared = operations.iter().any(|other| same_route_shape(op, other));
    for (place, params) in [
        ("query", &op.query_parameters),
        ("path", &op.path_parameters),
    ] {
        if place == "path" && shared {
            continue;
        }
        let typed = params.iter().find(|p| {
            matches!(
                primary_type(&p.schema),
                Some("integer" | "number" | "boolean")
            )
        });
        if let Some(param) = typed {
            let mut request = valid.clone();
            set(&mut request, place, &param.name, "not-a-number");
            candidates.push((format!("wrong type: {place} {}", param.name), request));
        }
        let enumerated = params
            .iter()
            .find(|p| p.schema.get("enum").and_then(Value::as_array).is_some());
        if let Some(param) = enumerated {
            let mut request = valid.clone();
            set(&mut request, place, &param.name, "NotOneOfThem");
            candidates.push((format!("outside the enum: {place} {}", param.name), request));
        }
        let dated = params
            .iter()
            .find(|p| p.schema.get("format").and_then(Value::as_str) == Some("date-time"));
        if let Some(param) = dated {
            let mut request = valid.clone();
            set(&mut request, place, &param.name, "not a date");
            candidates.push((format!("not a date-time: {place} {}", param.name), request));
        }
    }
    candidates
}

/// Whether `other` (another operation of the same method) has a route of the same shape:
/// the same literal segments, parameters at the same places.
fn same_route_shape(op: &Operation, other: &Operation) -> bool {
    if other.operation_id == op.operation_id || other.method != op.method {
        return false;
    }
    let ours: Vec<&str> = op.path.split('/').collect();
    let theirs: Vec<&str> = other.path.split('/').collect();
    ours.len() == theirs.len()
        && ours.iter().zip(&theirs).all(|(a, b)| {
            let param = |s: &str| s.starts_with('{');
            (param(a) && param(b)) || (!param(a) && !param(b) && a.eq_ignore_ascii_case(b))
        })
}

/// A body pointer as the report shows it (`/` for the root).
fn shown(pointer: &str) -> &str {
    if pointer.is_empty() { "/" } else { pointer }
}

/// Sets path or query parameter `name` of `request` to `value`.
fn set(request: &mut Request, place: &str, name: &str, value: &str) {
    if place == "query" {
        request.set_query(name, value.to_string());
    } else if let Some(pair) = request
        .path
        .iter_mut()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
    {
        pair.1 = value.to_string();
    }
}
