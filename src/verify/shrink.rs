//! Shrinking a failing case: smaller requests of the same kind, biggest cuts first (every
//! optional query parameter or body field at once, then halves, quarters, … one at a time,
//! then lists and objects emptied, then values simplified). The runner sends them and keeps
//! the smallest that still fails the same way; this file only proposes.

use serde_json::{Map, Value, json};

use super::case::Request;
use crate::contract::Operation;
use crate::contract::types::resolve_ref;

/// How big a request is: its path, query and body as sent.
pub(crate) fn size(request: &Request) -> usize {
    request.path_and_query().len() + request.body.as_ref().map_or(0, |b| b.to_string().len())
}

/// Smaller variants of `request`, biggest cuts first. `keep` names what a negative case
/// breaks (`body /Owner/Id`, `query Top`): it is never touched.
pub(crate) fn smaller(
    request: &Request,
    op: &Operation,
    types: &std::collections::BTreeMap<String, Value>,
    keep: Option<&str>,
) -> Vec<Request> {
    let kept_query = keep.and_then(|k| k.strip_prefix("query "));
    let kept_root = keep.and_then(|k| k.strip_prefix("body /")).map(|p| {
        p.split('/')
            .next()
            .unwrap_or_default()
            .replace("~1", "/")
            .replace("~0", "~")
    });
    let body_kept = keep.is_some_and(|k| k.starts_with("body"));
    let mut out = fewer_query(request, op, kept_query);
    if let Some(body) = &request.body {
        out.extend(smaller_bodies(
            request,
            body,
            op,
            types,
            kept_root.as_deref(),
            body_kept,
        ));
    }
    let limit = size(request);
    out.retain(|variant| size(variant) < limit);
    out
}

/// The request with fewer optional query parameters (`kept_query` stays): every one at
/// once, then halves, … one at a time.
fn fewer_query(request: &Request, op: &Operation, kept_query: Option<&str>) -> Vec<Request> {
    let mut out = Vec::new();
    let optional: Vec<&String> = request
        .query
        .iter()
        .map(|(k, _)| k)
        .filter(|k| {
            !op.query_parameters
                .iter()
                .any(|p| p.required && p.name.eq_ignore_ascii_case(k))
                && kept_query.is_none_or(|q| !q.eq_ignore_ascii_case(k))
        })
        .collect();
    for chunk in chunks(optional.len()) {
        let dropped: Vec<&String> = chunk.iter().map(|&i| optional[i]).collect();
        let mut fewer = request.clone();
        fewer.query.retain(|(k, _)| !dropped.contains(&k));
        out.push(fewer);
    }
    out
}

/// Smaller variants of the request's `body` (`kept_root` and, with `body_kept`, the body
/// itself stay): no body, fewer optional fields, simpler values, fewer items.
fn smaller_bodies(
    request: &Request,
    body: &Value,
    op: &Operation,
    types: &std::collections::BTreeMap<String, Value>,
    kept_root: Option<&str>,
    body_kept: bool,
) -> Vec<Request> {
    let mut out = Vec::new();
    let required_body = op.request_body.as_ref().is_some_and(|b| b.required);
    if !required_body && !body_kept {
        let mut none = request.clone();
        none.body = None;
        out.push(none);
    }
    let schema = op
        .request_body
        .as_ref()
        .map(|b| resolve_ref(types, &b.schema))
        .unwrap_or(&Value::Null);
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let with_body = |body: Value| {
        let mut variant = request.clone();
        variant.body = Some(body);
        variant
    };
    match body {
        Value::Object(map) => {
            let droppable: Vec<&String> = map
                .keys()
                .filter(|k| !required.contains(&k.as_str()) && kept_root != Some(k))
                .collect();
            for chunk in chunks(droppable.len()) {
                let dropped: Vec<&String> = chunk.iter().map(|&i| droppable[i]).collect();
                let rest: Map<String, Value> = map
                    .iter()
                    .filter(|(k, _)| !dropped.contains(k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                out.push(with_body(Value::Object(rest)));
            }
            for (key, value) in map {
                if kept_root == Some(key) {
                    continue;
                }
                for simpler in simpler(value) {
                    let mut changed = map.clone();
                    changed.insert(key.clone(), simpler);
                    out.push(with_body(Value::Object(changed)));
                }
            }
        }
        Value::Array(items) if !body_kept => {
            for chunk in chunks(items.len()) {
                let rest: Vec<Value> = items
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !chunk.contains(i))
                    .map(|(_, v)| v.clone())
                    .collect();
                out.push(with_body(Value::Array(rest)));
            }
        }
        other if !body_kept => {
            for simpler in simpler(other) {
                out.push(with_body(simpler));
            }
        }
        _ => {}
    }
    out
}

/// Which of `n` parts to drop, biggest cuts first (delta debugging): all of them, then
/// halves, quarters, … down to one at a time.
fn chunks(n: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    if n == 0 {
        return out;
    }
    out.push((0..n).collect());
    let mut size = n / 2;
    while size >= 1 {
        let mut start = 0;
        while start < n {
            out.push((start..(start + size).min(n)).collect());
            start += size;
        }
        if size == 1 {
            break;
        }
        size /= 2;
    }
    out
}

/// Simpler forms of one value: lists emptied or cut to their first item, objects emptied
/// or without one member, strings emptied or halved, numbers 0, `true` false.
fn simpler(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(items) if !items.is_empty() => {
            let mut out = vec![json!([])];
            if items.len() > 1 {
                out.push(json!([items[0].clone()]));
            }
            out
        }
        Value::Object(map) if !map.is_empty() => {
            let mut out = vec![json!({})];
            for key in map.keys() {
                let mut rest = map.clone();
                rest.remove(key);
                out.push(Value::Object(rest));
            }
            out
        }
        Value::String(text) if !text.is_empty() => {
            let mut out = vec![json!("")];
            if text.chars().count() > 2 {
                let half: String = text.chars().take(text.chars().count() / 2).collect();
                out.push(json!(half));
            }
            out
        }
        Value::Number(n) if n.as_f64() != Some(0.0) => vec![json!(0)],
        Value::Bool(true) => vec![json!(false)],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{Parameter, RequestBody};

    #[test]
    fn proposes_smaller_requests_and_keeps_the_broken_place() {
        let op = Operation {
            query_parameters: vec![Parameter {
                name: "id".into(),
                required: true,
                ..Parameter::default()
            }],
            request_body: Some(RequestBody {
                required: true,
                schema: json!({"type": "object"}),
                ..RequestBody::default()
            }),
            ..Operation::default()
        };
        let request = Request {
            method: "POST".into(),
            template: "/x".into(),
            path: Vec::new(),
            query: vec![("id".into(), "1".into()), ("top".into(), "5".into())],
            headers: Vec::new(),
            body: Some(json!({"Name": "long name", "Tags": ["a", "b"], "When": "x"})),
        };
        let types = Default::default();
        let variants = smaller(&request, &op, &types, None);
        assert!(variants.iter().all(|v| size(v) < size(&request)));
        assert!(variants.iter().all(|v| v.query_value("id") == Some("1")));
        assert!(variants.iter().any(|v| v.body == Some(json!({}))));
        assert_eq!(
            chunks(4),
            vec![
                vec![0, 1, 2, 3],
                vec![0, 1],
                vec![2, 3],
                vec![0],
                vec![1],
                vec![2],
                vec![3]
            ]
        );
        let kept = smaller(&request, &op, &types, Some("body /When"));
        assert!(
            kept.iter()
                .all(|v| v.body.as_ref().is_some_and(|b| b["When"] == "x"))
        );
        assert!(kept.iter().any(|v| v.body == Some(json!({"When": "x"}))));
    }
}
