//! Checks of a request body: presence, documented media type, UTF-8, JSON syntax (with line
//! and column), the schema (fast path first, jsonschema when unsure), and in strict mode the
//! properties the contract does not know.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde_json::Value;

use super::cap::{Capped, capped, describe};
use super::json::{parse_json, top_level_fields};
use super::limits::{Budget, check_json_fields};
use super::patch::{check_patch, is_patch};
use super::textbody::TextTree;
use super::{BodyRules, Rejection, RequestCheck};
use super::{form, textbody, xml};
use crate::contract::Operation;
use crate::contract::media::{is_json, media_type};
use crate::contract::types::resolve_ref;
use crate::contract::validate::{SchemaSet, Violation};
use crate::http::ErrorKind;

/// A JSON body that keeps the contract: its text and, when the check placed them, its
/// root members as raw text (for echoing).
#[derive(Debug)]
pub(crate) struct SentJson<'b> {
    /// The body text.
    pub(crate) text: &'b str,
    /// The root object's members (raw key, raw value), if the fast path placed them.
    placed: Option<Vec<(&'b str, &'b str)>>,
}

impl<'b> SentJson<'b> {
    /// The members placed, as byte ranges of the body: what crosses back from a check run
    /// on another thread (see [`PlacedMembers::attach`]).
    pub(crate) fn detach(&self) -> PlacedMembers {
        let base = self.text.as_ptr() as usize;
        let range = |s: &str| {
            let start = (s.as_ptr() as usize).saturating_sub(base);
            start..start + s.len()
        };
        PlacedMembers(
            self.placed
                .as_ref()
                .map(|m| m.iter().map(|(k, v)| (range(k), range(v))).collect()),
        )
    }

    /// The root object's members (raw key without quotes, raw value as written), in order;
    /// empty when the body is not an object.
    pub(crate) fn members(&self) -> Cow<'_, [(&'b str, &'b str)]> {
        match &self.placed {
            Some(members) => Cow::Borrowed(members),
            None => Cow::Owned(top_level_fields(self.text)),
        }
    }
}

/// The root members of a checked JSON body as byte ranges of it, and that it was JSON: a
/// [`SentJson`] without its borrow.
#[derive(Debug)]
pub(crate) struct PlacedMembers(Option<Vec<(std::ops::Range<usize>, std::ops::Range<usize>)>>);

impl PlacedMembers {
    /// The [`SentJson`] of `body`, the body it was detached from (`None` if it is not that
    /// body: not UTF-8, or the ranges do not fall on it).
    pub(crate) fn attach(self, body: &[u8]) -> Option<SentJson<'_>> {
        let text = std::str::from_utf8(body).ok()?;
        let placed = match self.0 {
            None => None,
            Some(ranges) => Some(
                ranges
                    .into_iter()
                    .map(|(k, v)| Some((text.get(k)?, text.get(v)?)))
                    .collect::<Option<Vec<_>>>()?,
            ),
        };
        Some(SentJson { text, placed })
    }
}

/// Checks the body of a request; on success, the JSON sent, if any (it can be echoed).
pub(crate) fn check_body<'b>(
    op: &Operation,
    check: &RequestCheck,
    schemas: &SchemaSet,
    types: &BTreeMap<String, Value>,
    content_type: Option<&str>,
    body: &'b [u8],
    rules: &BodyRules,
) -> Result<Option<SentJson<'b>>, Rejection> {
    let (strict, limits) = (rules.strict, &rules.limits);
    let Some(spec) = &op.request_body else {
        return Ok(None);
    };
    let mut budget = Budget::for_body(limits.cpu, body.len());
    let media = content_type.map(media_type).unwrap_or_default();
    let empty = body.iter().all(u8::is_ascii_whitespace);
    // An empty form is a form without fields; any other empty body is no body.
    if empty && media != FORM {
        if spec.required {
            return Err(Rejection::new(
                ErrorKind::MissingBody,
                format!(
                    "this operation needs a `{}` body ({})",
                    spec.name,
                    spec.content_types.join(", ")
                ),
            ));
        }
        return Ok(None);
    }
    let documented = spec.content_types.iter().any(|ct| media_type(ct) == media);
    if !documented {
        return Err(Rejection::new(
            ErrorKind::UnsupportedMediaType,
            format!(
                "Content-Type `{}` is not accepted here; documented: {}",
                content_type.unwrap_or("(none)"),
                spec.content_types.join(", ")
            ),
        ));
    }
    if !is_json(&media) {
        // Form fields and XML elements are text: typed by the schema, then held against it
        // as a JSON body would be (they are not echoed).
        let Some(tree) = text_tree(&media, body, limits.max_fields, &mut budget)? else {
            // A documented media type we cannot read (e.g. a picture): accepted as sent.
            return Ok(None);
        };
        let value = textbody::to_value(&tree, &spec.schema, types, 0);
        return judge(check, schemas, types, &spec.schema, &value, strict).map(|()| None);
    }
    let text = utf8(body)?;
    check_json_fields(body, limits.max_fields, &mut budget)?;
    let patch = is_patch(op, &media, text);
    // The common case, a valid body, without building a Value; anything else below.
    if !strict
        && !patch
        && let Some(members) = check.fast.as_ref().and_then(|f| f.members(text))
    {
        return Ok(Some(SentJson {
            text,
            placed: Some(members),
        }));
    }
    let value: Value = parse_json(text).map_err(|e| invalid_json(&e))?;
    if patch {
        // RFC 6902 says what a patch is; the pages' item tables only describe it.
        check_patch(&value)?;
    } else {
        judge(check, schemas, types, &spec.schema, &value, strict)?;
    }
    Ok(Some(SentJson { text, placed: None }))
}

/// The fields of a form or the elements of an XML body, as text (`None` for a media type
/// that is neither).
fn text_tree(
    media: &str,
    body: &[u8],
    max_fields: usize,
    budget: &mut Budget,
) -> Result<Option<TextTree>, Rejection> {
    Ok(Some(if media == FORM {
        form::parse(body, max_fields, budget)?
    } else if media.ends_with("/xml") || media.ends_with("+xml") {
        let text = utf8(body)?;
        xml::parse(text, max_fields, budget).map_err(|e| match e {
            xml::XmlError::Malformed { message, position } => Rejection::new(
                ErrorKind::InvalidXml,
                format!("body is not well-formed XML: {message} (at byte {position})"),
            ),
            xml::XmlError::Limit(rejection) => rejection,
        })?
    } else {
        return Ok(None);
    }))
}

/// The refusal of a body that is not JSON.
fn invalid_json(e: &serde_json::Error) -> Rejection {
    Rejection::new(
        ErrorKind::InvalidJson,
        format!(
            "body is not valid JSON: {} at line {} column {}",
            json_error_text(e),
            e.line(),
            e.column()
        ),
    )
}

/// `form-urlencoded`, the one media type whose empty body is a value (no fields).
const FORM: &str = "application/x-www-form-urlencoded";

fn utf8(body: &[u8]) -> Result<&str, Rejection> {
    std::str::from_utf8(body).map_err(|e| {
        Rejection::new(
            ErrorKind::InvalidBody,
            format!("body is not valid UTF-8 (at byte {})", e.valid_up_to()),
        )
    })
}

/// Holds `value` against the body schema (compiled on first need); every violation at once.
fn judge(
    check: &RequestCheck,
    schemas: &SchemaSet,
    types: &BTreeMap<String, Value>,
    schema: &Value,
    value: &Value,
    strict: bool,
) -> Result<(), Rejection> {
    let validator = check
        .body
        .get_or_init(|| schemas.compile(schema).ok())
        .as_ref();
    let mut found = match validator {
        Some(validator) => capped(validator, value, "body"),
        None => Capped::default(),
    };
    if strict {
        unknown_properties(types, schema, value, String::new(), 0, &mut found);
    }
    if found.total() == 0 {
        Ok(())
    } else {
        Err(Rejection::violated("request body breaks", found))
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
    types: &BTreeMap<String, Value>,
    schema: &Value,
    value: &Value,
    pointer: String,
    depth: usize,
    out: &mut Capped,
) {
    if depth > 64 {
        return;
    }
    let schema = resolve_ref(types, schema);
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
                    Some(prop) => unknown_properties(types, prop, v, child, depth + 1, out),
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
                        types,
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
