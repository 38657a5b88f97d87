//! The answer to a valid request: `Prefer` modes, a deterministic generated body in the
//! documented shape, ids and sent fields echoed, `$select` applied; XML rendering.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};

use super::faker::Faker;
use super::request::{Rejection, coerce};
use crate::contract::types::ref_target;
use crate::contract::{Operation, bodyless};

/// What the client asked for with `Prefer`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Prefer {
    /// `example=true`: the documented sample response verbatim.
    pub example: bool,
    /// `code=N`: that documented status.
    pub code: Option<u16>,
    /// `slow=true`: delay by the page's NsApiSlow threshold.
    pub slow: bool,
}

impl Prefer {
    /// Parses every `Prefer` header value (`example=true, code=404`).
    pub fn parse<'a>(values: impl Iterator<Item = &'a str>) -> Result<Self, Rejection> {
        let mut prefer = Prefer::default();
        for item in values.flat_map(|v| v.split([',', ';'])) {
            let (key, value) = item.split_once('=').unwrap_or((item, "true"));
            let value = value.trim().trim_matches('"');
            match key.trim().to_ascii_lowercase().as_str() {
                "example" => prefer.example = value.eq_ignore_ascii_case("true"),
                "dynamic" => prefer.example &= !value.eq_ignore_ascii_case("true"),
                "slow" => prefer.slow = value.eq_ignore_ascii_case("true"),
                "code" => {
                    prefer.code = Some(value.parse().map_err(|_| {
                        Rejection::new(
                            400,
                            "InvalidPrefer",
                            format!("Prefer code=`{value}` is not a status code"),
                        )
                    })?)
                }
                _ => {}
            }
        }
        Ok(prefer)
    }
}

/// A response ready to be encoded.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Body, `None` for bodyless statuses.
    pub body: Option<Value>,
    /// Root element name for XML.
    pub type_name: String,
}

/// What the request carried that the response echoes.
#[derive(Debug, Default)]
pub struct Echo<'a> {
    /// Path parameters.
    pub path: &'a [(String, String)],
    /// Query pairs.
    pub query: &'a [(String, String)],
    /// The JSON body sent, if any.
    pub body: Option<&'a Value>,
}

/// Builds the reply for a valid request; `seed` already mixes the request and `--seed`.
pub fn respond(
    op: &Operation,
    faker: &Faker,
    prefer: &Prefer,
    echo: &Echo,
    seed: u64,
) -> Result<Reply, Rejection> {
    if prefer.example {
        let example = op.example.response.as_ref().ok_or_else(|| {
            Rejection::new(
                400,
                "NoExample",
                format!("{} documents no sample response", op.operation_id),
            )
        })?;
        return Ok(Reply {
            status: example.status,
            body: example.body.clone(),
            type_name: type_name(op, example.status),
        });
    }
    let status = prefer.code.unwrap_or(op.success_status);
    let Some(response) = op.response(status) else {
        let codes: Vec<String> = op.statuses().iter().map(u16::to_string).collect();
        return Err(Rejection::new(
            400,
            "UndocumentedStatus",
            format!(
                "Prefer code={status}: {} documents only {}",
                op.operation_id,
                codes.join(", ")
            ),
        ));
    };
    let type_name = type_name(op, status);
    if bodyless(status) {
        return Ok(Reply {
            status,
            body: None,
            type_name,
        });
    }
    if status >= 400 {
        let body = json!({
            "Error": true,
            "ErrorType": type_name_for_status(status),
            "ErrorMessage": response.description,
            "ErrorSource": "mockdown",
        });
        return Ok(Reply {
            status,
            body: Some(body),
            type_name,
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut body = faker.generate(&response.schema, "", &mut rng);
    if let Some(sent) = echo.body
        && matches!(op.method.as_str(), "POST" | "PUT" | "PATCH")
    {
        echo_fields(&mut body, sent);
    }
    echo_ids(&mut body, echo.path);
    if op
        .query_parameters
        .iter()
        .any(|p| p.name.eq_ignore_ascii_case("$select"))
        && let Some((_, select)) = echo
            .query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("$select"))
    {
        apply_select(&mut body, select);
    }
    Ok(Reply {
        status,
        body: Some(body),
        type_name,
    })
}

fn type_name_for_status(status: u16) -> &'static str {
    match status {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        409 => "Conflict",
        412 => "PreconditionFailed",
        _ => "Error",
    }
}

/// The type a response is named after (XML root element).
fn type_name(op: &Operation, status: u16) -> String {
    let schema = op.response(status).map(|r| &r.schema);
    let named = |s: &Value| {
        s.get("$ref")
            .and_then(Value::as_str)
            .and_then(ref_target)
            .map(str::to_string)
    };
    match schema {
        Some(s) if named(s).is_some() => named(s).unwrap_or_default(),
        Some(s) if s.get("type") == Some(&json!("array")) => match s.get("items").and_then(named) {
            Some(item) => format!("ArrayOf{item}"),
            None => "ArrayOfItem".to_string(),
        },
        _ => "Response".to_string(),
    }
}

/// Copies the fields the client sent over the generated ones (top level).
fn echo_fields(body: &mut Value, sent: &Value) {
    if let (Value::Object(out), Value::Object(sent)) = (body, sent) {
        for (key, value) in sent {
            if out.contains_key(key) {
                out.insert(key.clone(), value.clone());
            }
        }
    }
}

/// Puts the ids of the path into the primary key: `personId` → `PersonId`, `id` → the first
/// integer `*Id` property.
fn echo_ids(body: &mut Value, path: &[(String, String)]) {
    let Value::Object(map) = body else { return };
    for (name, raw) in path {
        let key = map
            .keys()
            .find(|k| k.eq_ignore_ascii_case(name))
            .or_else(|| {
                name.eq_ignore_ascii_case("id")
                    .then(|| {
                        map.iter()
                            .find(|(k, v)| k.ends_with("Id") && v.is_i64())
                            .map(|(k, _)| k)
                    })
                    .flatten()
            })
            .cloned();
        if let Some(key) = key {
            let value = match map.get(&key) {
                Some(Value::Number(_)) => coerce(raw, &json!({"type": "integer"})),
                _ => json!(raw),
            };
            map.insert(key, value);
        }
    }
}

/// `$select=a,b/c`: top-level fields not selected become null.
fn apply_select(body: &mut Value, select: &str) {
    let wanted: Vec<String> = select
        .split(',')
        .map(|s| {
            s.split('/')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|s| !s.is_empty())
        .collect();
    if wanted.is_empty() {
        return;
    }
    let apply = |map: &mut Map<String, Value>| {
        for (key, value) in map.iter_mut() {
            if !wanted.contains(&key.to_ascii_lowercase()) {
                *value = Value::Null;
            }
        }
    };
    match body {
        Value::Object(map) => apply(map),
        Value::Array(items) => items
            .iter_mut()
            .filter_map(Value::as_object_mut)
            .for_each(apply),
        _ => {}
    }
}

/// FNV-1a over the parts of a request: a stable seed across runs and platforms.
pub fn request_seed(seed: u64, parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for part in parts {
        for byte in part.iter().chain(&[0xff]) {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// An XML rendering of a JSON value, the root element named after the response type.
pub fn to_xml(root: &str, value: &Value) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    write_xml(&mut out, root, value);
    out
}

fn write_xml(out: &mut String, name: &str, value: &Value) {
    let name = xml_name(name);
    match value {
        Value::Null => out.push_str(&format!("<{name} nil=\"true\"/>")),
        Value::Object(map) => {
            out.push_str(&format!("<{name}>"));
            for (k, v) in map {
                write_xml(out, k, v);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::Array(items) => {
            out.push_str(&format!("<{name}>"));
            let item_name = name.strip_prefix("ArrayOf").unwrap_or("Item").to_string();
            for item in items {
                write_xml(out, &item_name, item);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::String(s) => out.push_str(&format!("<{name}>{}</{name}>", xml_escape(s))),
        other => out.push_str(&format!("<{name}>{other}</{name}>")),
    }
}

fn xml_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    match cleaned.chars().next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => cleaned,
        _ => format!("_{cleaned}"),
    }
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefer_parsing() {
        let p = Prefer::parse(["example=true", "code=404"].into_iter()).expect("parses");
        assert_eq!(
            p,
            Prefer {
                example: true,
                code: Some(404),
                slow: false
            }
        );
        assert!(Prefer::parse(["code=abc"].into_iter()).is_err());
    }

    #[test]
    fn select_nulls_the_rest() {
        let mut body = json!({"Name": "a", "Department": "b", "Category": {"Id": 1}});
        apply_select(&mut body, "name,category/id");
        assert_eq!(
            body,
            json!({"Name": "a", "Department": null, "Category": {"Id": 1}})
        );
    }

    #[test]
    fn xml_rendering() {
        let xml = to_xml(
            "Contact",
            &json!({"Name": "A & B", "Ids": [1, 2], "X": null}),
        );
        assert!(xml.contains("<Contact><Name>A &amp; B</Name><Ids><Item>1</Item><Item>2</Item></Ids><X nil=\"true\"/></Contact>"));
    }
}
