//! The answer to a valid request: `Prefer` modes, a deterministic generated body in the
//! documented shape, ids and sent fields echoed, `$select` applied; XML rendering.

use serde_json::{Value, json};

use std::borrow::Cow;
use std::collections::BTreeMap;

use bytes::Bytes;

use super::faker::{Faker, Overrides, Plan};
use super::request::{Rejection, SentJson};
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

/// A response body, as JSON text.
#[derive(Debug, Clone)]
pub struct Body(pub Bytes);

impl Body {
    /// The body as a JSON value (for XML rendering).
    pub fn to_value(&self) -> Value {
        serde_json::from_slice(&self.0).unwrap_or(Value::Null)
    }

    /// The body as JSON bytes.
    pub fn into_json(self) -> Bytes {
        self.0
    }

    fn of(value: &Value) -> Self {
        Body(Bytes::from(serde_json::to_vec(value).unwrap_or_default()))
    }
}

/// A response ready to be encoded.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Body, `None` for bodyless statuses.
    pub body: Option<Body>,
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
    /// The JSON body sent, if any, as sent (already checked to keep the contract).
    pub body: Option<SentJson<'a>>,
}

/// Compiled generation plans of one operation, by status.
pub fn plans(op: &Operation, faker: &Faker) -> BTreeMap<u16, Plan> {
    op.statuses()
        .into_iter()
        .filter(|s| !bodyless(*s) && *s < 400)
        .filter_map(|s| op.response(s).map(|r| (s, faker.plan(&r.schema))))
        .collect()
}

/// Builds the reply for a valid request; `seed` already mixes the request and `--seed`.
pub fn respond(
    op: &Operation,
    faker: &Faker,
    plans: &BTreeMap<u16, Plan>,
    example_body: Option<&Bytes>,
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
            body: example_body
                .filter(|_| !bodyless(example.status))
                .map(|b| Body(b.clone())),
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
    let Some(plan) = plans.get(&status) else {
        let body = json!({
            "Error": true,
            "ErrorType": type_name_for_status(status),
            "ErrorMessage": response.description,
            "ErrorSource": "mockdown",
        });
        return Ok(Reply {
            status,
            body: Some(Body::of(&body)),
            type_name,
        });
    };
    let mut overrides = Overrides::default();
    let keys = plan.root_keys();
    for (name, raw) in echo.path {
        let index = keys
            .iter()
            .position(|k| k.eq_ignore_ascii_case(name))
            .or_else(|| {
                name.eq_ignore_ascii_case("id")
                    .then(|| {
                        (0..keys.len())
                            .find(|&i| keys[i].ends_with("Id") && plan.root_is_integer(i))
                    })
                    .flatten()
            });
        if let Some(index) = index {
            let value = match raw.parse::<i64>() {
                Ok(n) if plan.root_is_integer(index) => n.to_string(),
                _ => Value::String(raw.clone()).to_string(),
            };
            overrides.fix(index, Cow::Owned(value));
        }
    }
    // The fields sent are echoed byte for byte as the client wrote them (a later duplicate
    // key wins, as in the parsed body), where the response property admits their kind.
    if let Some(sent) = echo
        .body
        .as_ref()
        .filter(|_| matches!(op.method.as_str(), "POST" | "PUT" | "PATCH"))
    {
        let scanned;
        let members = match &sent.members {
            Some(members) => members,
            None => {
                scanned = super::body::top_level_fields(sent.text);
                &scanned
            }
        };
        for &(key, value) in members {
            if let Some(index) = plan
                .root_position(key)
                .filter(|&i| plan.root_admits(i, value))
            {
                overrides.fix(index, Cow::Borrowed(value));
            }
        }
    }
    if op
        .query_parameters
        .iter()
        .any(|p| p.name.eq_ignore_ascii_case("$select"))
        && let Some((_, select)) = echo
            .query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("$select"))
    {
        overrides.select = select
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
    }
    let mut out = Vec::with_capacity(32 * 1024);
    faker.write(plan, seed, &overrides, &mut out);
    Ok(Reply {
        status,
        body: Some(Body(Bytes::from(out))),
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

/// A hash of the parts of a request: a stable seed across runs and platforms.
pub fn request_seed(seed: u64, parts: &[&[u8]]) -> u64 {
    // XXH3: a fixed, documented algorithm (stable across versions and platforms) that
    // hashes a body at memory speed.
    let mut hasher = xxhash_rust::xxh3::Xxh3::with_seed(seed);
    for part in parts {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher.digest()
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
    fn xml_rendering() {
        let xml = to_xml(
            "Contact",
            &json!({"Name": "A & B", "Ids": [1, 2], "X": null}),
        );
        assert!(xml.contains("<Contact><Name>A &amp; B</Name><Ids><Item>1</Item><Item>2</Item></Ids><X nil=\"true\"/></Contact>"));
    }
}
