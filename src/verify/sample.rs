//! Concrete requests from documented samples: path parameters filled with values of their
//! documented type, required query parameters taken from the page's own example URLs, and
//! anything the values file gives on top.

use serde_json::{Value, json};

use super::case::Request;
use super::values::{OpValues, text};
use crate::contract::Operation;
use crate::contract::types::plausible_text;

/// A request ready to send.
#[derive(Debug, Clone)]
pub(crate) struct SampleCall {
    /// Method.
    pub method: String,
    /// Path with parameters filled and the query string appended.
    pub path_and_query: String,
    /// Headers as documented.
    pub headers: Vec<(String, String)>,
    /// JSON body, if the sample sends one.
    pub body: Option<Value>,
}

impl From<&Request> for SampleCall {
    fn from(request: &Request) -> Self {
        Self {
            method: request.method.clone(),
            path_and_query: request.path_and_query(),
            headers: request.headers.clone(),
            body: request.body.clone(),
        }
    }
}

/// Builds the concrete request of an operation's documented sample, if it has one, with
/// `values` (from the values file) in place of the sample's own.
pub(crate) fn sample_call(op: &Operation, values: Option<&OpValues>) -> Option<SampleCall> {
    sample_request(op, values).map(|request| SampleCall::from(&request))
}

/// [`sample_call`] in parts: path parameters of their documented type (or the values
/// file's), required query parameters from the page's example URLs, the sample's headers
/// and body, each with the values file's on top.
pub(crate) fn sample_request(op: &Operation, values: Option<&OpValues>) -> Option<Request> {
    let sample = op.example.request.as_ref()?;
    let mut request = base_request(op, values);
    request.method = sample.method.clone();
    let empty = OpValues::default();
    let values = values.unwrap_or(&empty);
    // A sample path may carry its query (`…/GetGadgetEntity?gadgetEntityId=77`).
    let (path, query) = sample
        .path
        .split_once('?')
        .unwrap_or((sample.path.as_str(), ""));
    request.template = path.to_string();
    for (name, value) in crate::http::parse_query(query) {
        if !values.query.keys().any(|k| k.eq_ignore_ascii_case(&name)) {
            request.set_query(&name, value);
        }
    }
    for (name, value) in &values.headers {
        request.set_header(name, value);
    }
    request.body = match (sample.body.clone(), &values.body) {
        (Some(Value::Object(mut base)), Some(Value::Object(top))) => {
            base.extend(top.clone());
            Some(Value::Object(base))
        }
        (_, Some(top)) => Some(top.clone()),
        (base, None) => base,
    };
    Some(request)
}

/// The request every case of `op` starts from: the documented method and path template,
/// path parameters of their documented type, required query parameters from the page's
/// example URLs, the sample's headers (if any), no body; the values file's on top.
pub(crate) fn base_request(op: &Operation, values: Option<&OpValues>) -> Request {
    let empty = OpValues::default();
    let values = values.unwrap_or(&empty);
    let path = op
        .path_parameters
        .iter()
        .map(|param| {
            let given = values
                .path
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(&param.name))
                .map(|(_, v)| text(v));
            (
                param.name.clone(),
                given.unwrap_or_else(|| plausible_text(&param.schema)),
            )
        })
        .collect();
    let mut request = Request {
        method: op.method.clone(),
        template: op.path.clone(),
        path,
        query: Vec::new(),
        headers: op
            .example
            .request
            .as_ref()
            .map(|s| s.headers.clone())
            .unwrap_or_default(),
        body: None,
    };
    for param in op.query_parameters.iter().filter(|p| p.required) {
        request.set_query(
            &param.name,
            documented_query(op, &param.name).unwrap_or_else(|| plausible_text(&param.schema)),
        );
    }
    for (name, value) in &values.query {
        request.set_query(name, text(value));
    }
    request
}

/// The value the page's example URLs give query parameter `name`, if any.
pub(crate) fn documented_query(op: &Operation, name: &str) -> Option<String> {
    op.query_examples
        .iter()
        .flatten()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
}

/// A copy of `body` with one typed field set to a value of the wrong type, and the JSON
/// pointer of that field. `schema_of` resolves `$ref`s of the request schema.
pub(crate) fn mutate_one_field<'s>(
    body: &Value,
    schema: &'s Value,
    resolve: impl Fn(&'s Value) -> &'s Value,
) -> Option<(Value, String)> {
    let schema = resolve(schema);
    let schema = schema.get("then").map_or(schema, |then| resolve(then));
    match body {
        Value::Object(map) => {
            let props = schema.get("properties")?.as_object()?;
            for (key, value) in map {
                let Some(prop) = props.get(key) else { continue };
                if let Some(wrong) = wrong_value(resolve(prop), value) {
                    let mut mutated = body.clone();
                    mutated[key.as_str()] = wrong;
                    return Some((
                        mutated,
                        format!("/{}", key.replace('~', "~0").replace('/', "~1")),
                    ));
                }
            }
            None
        }
        Value::Array(items) => {
            let item_schema = schema.get("items")?;
            let (first, pointer) = mutate_one_field(items.first()?, item_schema, resolve)?;
            let mut mutated = body.clone();
            mutated[0] = first;
            Some((mutated, format!("/0{pointer}")))
        }
        other => wrong_value(schema, other).map(|wrong| (wrong, String::new())),
    }
}

/// A value that breaks a primitive schema, when the schema is a primitive.
fn wrong_value(schema: &Value, current: &Value) -> Option<Value> {
    if current.is_null() {
        return None;
    }
    match schema.get("type").and_then(Value::as_str)? {
        "string" => Some(json!(12345)),
        "integer" | "number" => Some(json!("not a number")),
        "boolean" => Some(json!("maybe")),
        _ => None,
    }
}

/// Which field of a sample to break, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Break {
    /// A `date-time` string set to `"not a date"`, at any depth.
    DateTime,
    /// A string of an enum set to a value outside it, at any depth.
    Enum,
    /// An integer inside a nested object (not at the root) set to a string.
    NestedInteger,
}

/// A copy of `body` with the first field `kind` finds broken, and its JSON pointer.
pub(crate) fn break_one_field<'s>(
    body: &Value,
    schema: &'s Value,
    resolve: &impl Fn(&'s Value) -> &'s Value,
    kind: Break,
) -> Option<(Value, String)> {
    let mut mutated = body.clone();
    let pointer = break_in(&mut mutated, schema, resolve, kind, 0)?;
    Some((mutated, pointer))
}

fn break_in<'s>(
    value: &mut Value,
    schema: &'s Value,
    resolve: &impl Fn(&'s Value) -> &'s Value,
    kind: Break,
    depth: usize,
) -> Option<String> {
    if depth > 32 {
        return None;
    }
    let schema = resolve(schema);
    let schema = schema.get("then").map_or(schema, |then| resolve(then));
    let is_type = |t: &str| match schema.get("type") {
        Some(Value::String(s)) => s == t,
        Some(Value::Array(ts)) => ts.iter().any(|x| x == t),
        _ => false,
    };
    let broken = match (kind, &*value) {
        (Break::DateTime, Value::String(_))
            if schema.get("format").and_then(Value::as_str) == Some("date-time") =>
        {
            Some(json!("not a date"))
        }
        (Break::Enum, Value::String(_))
            if schema
                .get("enum")
                .and_then(Value::as_array)
                .is_some_and(|m| m.iter().all(Value::is_string)) =>
        {
            Some(json!("NotOneOfThem"))
        }
        (Break::NestedInteger, Value::Number(_)) if depth >= 2 && is_type("integer") => {
            Some(json!("not a number"))
        }
        _ => None,
    };
    if let Some(broken) = broken {
        *value = broken;
        return Some(String::new());
    }
    match value {
        Value::Object(map) => {
            let props = schema.get("properties").and_then(Value::as_object);
            let extra = schema.get("additionalProperties").filter(|s| s.is_object());
            for (key, child) in map.iter_mut() {
                let Some(child_schema) = props.and_then(|p| p.get(key)).or(extra) else {
                    continue;
                };
                if let Some(rest) = break_in(child, child_schema, resolve, kind, depth + 1) {
                    return Some(format!(
                        "/{}{rest}",
                        key.replace('~', "~0").replace('/', "~1")
                    ));
                }
            }
            None
        }
        Value::Array(items) => {
            let item_schema = schema.get("items")?;
            items.iter_mut().enumerate().find_map(|(i, item)| {
                break_in(item, item_schema, resolve, kind, depth + 1)
                    .map(|rest| format!("/{i}{rest}"))
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutates_the_first_typed_field() {
        let schema = json!({"type": "object", "properties": {
            "Owner": {"$ref": "../types/A.json"}, "Name": {"type": "string"}
        }});
        let body = json!({"Owner": {"X": 1}, "Name": "n"});
        let (mutated, pointer) = mutate_one_field(&body, &schema, |s| s).expect("mutates");
        assert_eq!(pointer, "/Name");
        assert_eq!(mutated["Name"], 12345);
    }

    #[test]
    fn breaks_dates_enums_and_nested_integers() {
        let schema = json!({"type": "object", "properties": {
            "Id": {"type": "integer"},
            "When": {"type": "string", "format": "date-time"},
            "Owner": {"type": "object", "properties": {
                "Id": {"type": "integer"}, "State": {"type": "string", "enum": ["A", "B"]}}}
        }});
        let body =
            json!({"Id": 1, "When": "2020-01-01T00:00:00Z", "Owner": {"Id": 2, "State": "A"}});
        let at = |kind| break_one_field(&body, &schema, &|s| s, kind).map(|(v, p)| (p, v));
        let (pointer, v) = at(Break::DateTime).expect("a date");
        assert_eq!(
            (pointer.as_str(), &v["When"]),
            ("/When", &json!("not a date"))
        );
        assert_eq!(at(Break::Enum).expect("an enum").0, "/Owner/State");
        assert_eq!(at(Break::NestedInteger).expect("nested").0, "/Owner/Id");
    }

    #[test]
    fn encodes_spaces_and_quotes() {
        use crate::verify::case::encode;
        assert_eq!(encode("name begins 'S'"), "name%20begins%20'S'");
    }
}
