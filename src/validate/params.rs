//! Checks of a request's path and query parameters, coerced from text to the JSON value
//! their schema describes before they are validated.

use mockdown_schema::Validator;
use serde_json::{Value, json};

use super::cap::{Capped, capped};
use crate::contract::types::primary_type;
use crate::contract::validate::Violation;

/// Turns a raw parameter into the JSON value its schema describes (so `12` is an integer).
pub(crate) fn coerce(raw: &str, schema: &Value) -> Value {
    match primary_type(schema) {
        Some("integer") => super::kinds::integer_text(raw).unwrap_or_else(|| json!(raw)),
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

/// A compiled parameter: its name, whether it is required, its validator (`None` when the
/// schema did not compile: left unchecked, the build reported it) and its schema.
pub(crate) struct ParamCheck {
    pub(crate) name: String,
    pub(crate) required: bool,
    pub(crate) validator: Option<Validator>,
    pub(crate) schema: Value,
}

/// Adds the violations of one parameter's `value` to `out` (capped), each pointer starting
/// with the parameter's name.
fn param_violations(
    validator: &Validator,
    value: &Value,
    location: &str,
    name: &str,
    out: &mut Capped,
) {
    let found = capped(validator, value, location);
    out.omitted += found.omitted;
    out.at_least |= found.at_least;
    for mut v in found.list {
        v.pointer = if v.pointer.is_empty() {
            name.to_string()
        } else {
            format!("{name}{}", v.pointer)
        };
        out.push(v);
    }
}

/// Violations of the path and query parameters: the first [`super::MAX_VIOLATIONS`], and
/// how many more.
pub(crate) fn check_params(
    path_checks: &[ParamCheck],
    query_checks: &[ParamCheck],
    path: &[(String, String)],
    query: &[(String, String)],
) -> Capped {
    let mut out = Capped::default();
    for check in path_checks {
        let Some(validator) = &check.validator else {
            continue;
        };
        if let Some((_, raw)) = path
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(&check.name))
        {
            let value = coerce(raw, &check.schema);
            param_violations(validator, &value, "path", &check.name, &mut out);
        }
    }
    for check in query_checks {
        let given = query
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(&check.name));
        match (given, &check.validator) {
            (None, _) if check.required => out.push(Violation {
                location: "query".into(),
                pointer: check.name.clone(),
                keyword: "required".into(),
                expected: "a value (the parameter is required)".into(),
                found: "nothing".into(),
            }),
            (Some((_, raw)), Some(validator)) => {
                let value = coerce(raw, &check.schema);
                param_violations(validator, &value, "query", &check.name, &mut out);
            }
            _ => {}
        }
    }
    out
}
