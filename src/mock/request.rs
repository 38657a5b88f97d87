//! Request validation against an operation: auth, path and query parameters, content type,
//! body (size, UTF-8, JSON syntax, depth, schema, unknown properties in strict mode).

use std::sync::OnceLock;

use jsonschema::Validator;
use serde_json::{Value, json};

use super::faker::{Faker, primary_type};
use crate::contract::validate::{SchemaSet, Violation, describe, violations};
use crate::contract::{Operation, Parameter};

/// Compiled validators of one operation.
#[derive(Default)]
pub struct OpValidators {
    path: Vec<(String, Option<Validator>, Value)>,
    query: Vec<(String, bool, Option<Validator>, Value)>,
    /// The body validator, compiled when a body first needs the full path (most bodies are
    /// settled by the fast path, and compiled validators are large).
    body: OnceLock<Option<Validator>>,
    /// The body schema compiled for the streaming fast path.
    fast: Option<super::fastcheck::FastCheck>,
}

impl OpValidators {
    /// Compiles the parameter and body schemas of `op` (`$ref`s resolved in `types`). A
    /// schema that does not compile is left unchecked (the build already reported it).
    pub fn compile(
        schemas: &SchemaSet,
        types: &std::collections::BTreeMap<String, Value>,
        op: &Operation,
    ) -> Self {
        let param = |p: &Parameter| schemas.compile(&p.schema).ok();
        Self {
            path: op
                .path_parameters
                .iter()
                .map(|p| (p.name.clone(), param(p), p.schema.clone()))
                .collect(),
            query: op
                .query_parameters
                .iter()
                .map(|p| (p.name.clone(), p.required, param(p), p.schema.clone()))
                .collect(),
            body: OnceLock::new(),
            fast: op
                .request_body
                .as_ref()
                .map(|b| super::fastcheck::FastCheck::compile(&b.schema, types)),
        }
    }
}

/// A request that failed validation: the status to answer and why.
#[derive(Debug)]
pub struct Rejection {
    /// 400, 401, 413, 415 ...
    pub status: u16,
    /// `ErrorType` of the error body.
    pub error_type: &'static str,
    /// `ErrorMessage` of the error body.
    pub message: String,
    /// Every violation found.
    pub violations: Vec<Violation>,
}

impl Rejection {
    /// A rejection without violations.
    pub fn new(status: u16, error_type: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            error_type,
            message: message.into(),
            violations: Vec::new(),
        }
    }
}

/// Documented auth schemes.
const AUTH_SCHEMES: [&str; 3] = ["basic", "soticket", "bearer"];

/// 401 unless `Authorization` uses a documented scheme or `X-XSRF-TOKEN` is present.
pub fn check_auth(authorization: Option<&str>, xsrf: Option<&str>) -> Result<(), Rejection> {
    if xsrf.is_some_and(|t| !t.trim().is_empty()) {
        return Ok(());
    }
    let Some(auth) = authorization else {
        return Err(Rejection::new(
            401,
            "Unauthorized",
            "missing credentials: send `Authorization: Basic|SoTicket|Bearer ...` or an X-XSRF-TOKEN header",
        ));
    };
    let mut parts = auth.trim().splitn(2, ' ');
    let scheme = parts.next().unwrap_or_default().to_ascii_lowercase();
    let credentials = parts.next().unwrap_or_default().trim();
    if AUTH_SCHEMES.contains(&scheme.as_str()) && !credentials.is_empty() {
        Ok(())
    } else {
        Err(Rejection::new(
            401,
            "Unauthorized",
            format!("unsupported Authorization scheme `{scheme}`: use Basic, SoTicket or Bearer"),
        ))
    }
}

/// Turns a raw parameter into the JSON value its schema describes (so `12` is an integer).
pub fn coerce(raw: &str, schema: &Value) -> Value {
    match primary_type(schema) {
        Some("integer") => raw.parse::<i64>().map_or_else(|_| json!(raw), |n| json!(n)),
        Some("number") => raw
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map_or_else(|| json!(raw), |n| json!(n)),
        Some("boolean") => match raw.to_ascii_lowercase().as_str() {
            "true" => json!(true),
            "false" => json!(false),
            _ => json!(raw),
        },
        Some("array") => Value::Array(
            raw.split(',')
                .filter(|s| !s.is_empty())
                .map(|s| coerce(s, schema.get("items").unwrap_or(&json!({"type": "string"}))))
                .collect(),
        ),
        _ if schema.get("format").and_then(Value::as_str) == Some("date-time") => {
            json!(normalize_date_time(raw))
        }
        _ => json!(raw),
    }
}

/// Query strings carry dates the way the pages' example URLs write them
/// (`01/12/1998 14:19:11`, US order) as well as RFC 3339; the former is rewritten to RFC 3339
/// before validation, anything else is left for the `date-time` format check to refuse.
fn normalize_date_time(raw: &str) -> String {
    for pattern in [
        "%m/%d/%Y %H:%M:%S",
        "%m/%d/%Y",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
    ] {
        if let Ok(dt) = chrono::NaiveDateTime::parse_from_str(raw, pattern) {
            return dt.and_utc().to_rfc3339();
        }
        if let Ok(d) = chrono::NaiveDate::parse_from_str(raw, pattern) {
            return d
                .and_hms_opt(0, 0, 0)
                .map_or_else(|| raw.to_string(), |dt| dt.and_utc().to_rfc3339());
        }
    }
    raw.to_string()
}

fn param_violations(
    validator: &Validator,
    value: &Value,
    location: &str,
    name: &str,
) -> Vec<Violation> {
    violations(validator, value, location)
        .into_iter()
        .map(|mut v| {
            v.pointer = if v.pointer.is_empty() {
                name.to_string()
            } else {
                format!("{name}{}", v.pointer)
            };
            v
        })
        .collect()
}

/// Violations of the path and query parameters.
pub fn check_params(
    v: &OpValidators,
    path: &[(String, String)],
    query: &[(String, String)],
) -> Vec<Violation> {
    let mut out = Vec::new();
    for (name, validator, schema) in &v.path {
        let Some(validator) = validator else { continue };
        if let Some((_, raw)) = path.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            let value = coerce(raw, schema);
            out.extend(param_violations(validator, &value, "path", name));
        }
    }
    for (name, required, validator, schema) in &v.query {
        let given = query.iter().find(|(n, _)| n.eq_ignore_ascii_case(name));
        match (given, validator) {
            (None, _) if *required => out.push(Violation {
                location: "query".into(),
                pointer: name.clone(),
                keyword: "required".into(),
                expected: "a value (the parameter is required)".into(),
                found: "nothing".into(),
            }),
            (Some((_, raw)), Some(validator)) => {
                out.extend(param_violations(
                    validator,
                    &coerce(raw, schema),
                    "query",
                    name,
                ));
            }
            _ => {}
        }
    }
    out
}

pub use crate::contract::media::{is_json, media_type};

/// A JSON body that keeps the contract: its text and, when the check placed them, its
/// root members as raw text (for echoing).
#[derive(Debug)]
pub struct SentJson<'b> {
    /// The body text.
    pub text: &'b str,
    /// The root object's members (raw key, raw value), if already known.
    pub members: Option<Vec<(&'b str, &'b str)>>,
}

/// Checks the body of a request; on success, the JSON sent, if any (it can be echoed).
pub fn check_body<'b>(
    op: &Operation,
    v: &OpValidators,
    schemas: &SchemaSet,
    faker: &Faker,
    content_type: Option<&str>,
    body: &'b [u8],
    strict: bool,
) -> Result<Option<SentJson<'b>>, Rejection> {
    let Some(spec) = &op.request_body else {
        return Ok(None);
    };
    if body.iter().all(u8::is_ascii_whitespace) {
        if spec.required {
            return Err(Rejection::new(
                400,
                "MissingBody",
                format!(
                    "this operation needs a `{}` body ({})",
                    spec.name,
                    spec.content_types.join(", ")
                ),
            ));
        }
        return Ok(None);
    }
    let media = content_type.map(media_type).unwrap_or_default();
    let documented = spec.content_types.iter().any(|ct| media_type(ct) == media);
    if !documented {
        return Err(Rejection::new(
            415,
            "UnsupportedMediaType",
            format!(
                "Content-Type `{}` is not accepted here; documented: {}",
                content_type.unwrap_or("(none)"),
                spec.content_types.join(", ")
            ),
        ));
    }
    if !is_json(&media) {
        // XML and form bodies are accepted as documented, without schema validation.
        return Ok(None);
    }
    let text = std::str::from_utf8(body).map_err(|e| {
        Rejection::new(
            400,
            "InvalidBody",
            format!("body is not valid UTF-8 (at byte {})", e.valid_up_to()),
        )
    })?;
    // The common case, a valid body, without building a Value; anything else below.
    if !strict && let Some(members) = v.fast.as_ref().and_then(|f| f.members(text)) {
        return Ok(Some(SentJson {
            text,
            members: Some(members),
        }));
    }
    let value: Value = super::body::parse_json(text).map_err(|e| {
        Rejection::new(
            400,
            "InvalidJson",
            format!(
                "body is not valid JSON: {} at line {} column {}",
                json_error_text(&e),
                e.line(),
                e.column()
            ),
        )
    })?;
    let validator = v
        .body
        .get_or_init(|| schemas.compile(&spec.schema).ok())
        .as_ref();
    let mut found = match validator {
        Some(validator) => violations(validator, &value, "body"),
        None => Vec::new(),
    };
    if strict {
        unknown_properties(faker, &spec.schema, &value, String::new(), 0, &mut found);
    }
    if found.is_empty() {
        Ok(Some(SentJson {
            text,
            members: None,
        }))
    } else {
        Err(Rejection {
            status: 400,
            error_type: "ValidationError",
            message: format!(
                "request body breaks the contract in {} place(s)",
                found.len()
            ),
            violations: found,
        })
    }
}

fn json_error_text(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.find(" at line ") {
        Some(idx) => text[..idx].to_string(),
        None => text,
    }
}

/// Strict mode: properties the contract does not know (typo catching).
fn unknown_properties(
    faker: &Faker,
    schema: &Value,
    value: &Value,
    pointer: String,
    depth: usize,
    out: &mut Vec<Violation>,
) {
    if depth > 64 {
        return;
    }
    let schema = faker.resolve(schema);
    let schema = schema.get("then").unwrap_or(schema);
    match value {
        Value::Object(map) => {
            let Some(props) = schema
                .get("properties")
                .and_then(Value::as_object)
                .filter(|p| !p.is_empty())
            else {
                return;
            };
            for (key, v) in map {
                let child = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                match props.get(key) {
                    Some(prop) => unknown_properties(faker, prop, v, child, depth + 1, out),
                    None => out.push(Violation {
                        location: "body".into(),
                        pointer: child,
                        keyword: "additionalProperties".into(),
                        expected: format!(
                            "one of the documented properties ({} known)",
                            props.len()
                        ),
                        found: format!("unknown property `{key}` = {}", describe(v)),
                    }),
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    unknown_properties(
                        faker,
                        item_schema,
                        item,
                        format!("{pointer}/{i}"),
                        depth + 1,
                        out,
                    );
                }
            }
        }
        _ => {}
    }
}
