//! The ways the mutant server breaks the answers of an entity operation, one at a time.
//! Each body mutation is a real break of the contract: the mutated answer is checked
//! against the operation's schema (a property dropped must be one the documented answer
//! shows), and a mutation that would still keep the contract is not made.

use std::collections::BTreeMap;

use crate::contract::Operation;
use crate::contract::types::resolve_ref;
use crate::contract::validate::violations;
use crate::verify::sample::{Break, break_one_field};
use mockdown_schema::Validator;
use serde_json::Value;

/// A kind of mutation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Kind {
    /// A property the documented answer shows is left out.
    DropRequired,
    /// A nested value is `null` where its schema allows none.
    NullNested,
    /// An integer is answered as a string.
    IntAsString,
    /// A date-time is a word.
    DateTimeWord,
    /// An enum value is outside the enum.
    EnumOut,
    /// An integer is past its documented maximum (an int64 in an int32 field).
    IntOutOfRange,
    /// A success is answered with another success status (200 ↔ 201).
    WrongStatus,
    /// A JSON answer says it is text/plain.
    WrongContentType,
    /// A save answers as if stored, but nothing is kept.
    SaveNotKept,
}

impl Kind {
    /// Every kind.
    pub(super) const ALL: [Kind; 9] = [
        Kind::DropRequired,
        Kind::NullNested,
        Kind::IntAsString,
        Kind::DateTimeWord,
        Kind::EnumOut,
        Kind::IntOutOfRange,
        Kind::WrongStatus,
        Kind::WrongContentType,
        Kind::SaveNotKept,
    ];

    /// The name the `X-Mutant` header gives.
    pub(super) fn name(self) -> &'static str {
        match self {
            Kind::DropRequired => "drop-required",
            Kind::NullNested => "null-nested",
            Kind::IntAsString => "int-as-string",
            Kind::DateTimeWord => "datetime-word",
            Kind::EnumOut => "enum-out",
            Kind::IntOutOfRange => "int-out-of-range",
            Kind::WrongStatus => "wrong-status",
            Kind::WrongContentType => "wrong-content-type",
            Kind::SaveNotKept => "save-not-kept",
        }
    }

    /// The kind an `X-Mutant` header names.
    pub(super) fn named(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// An answer as the mutant relays it.
pub(super) struct Relayed {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: bytes::Bytes,
}

/// What a mutation needs to know of the operation.
pub(super) struct Context<'a> {
    pub op: &'a Operation,
    pub types: &'a BTreeMap<String, Value>,
    /// The validator of the answer's schema for its status.
    pub validator: Option<&'a Validator>,
    /// The entity's primary key.
    pub key: &'a str,
}

/// `answer` broken the `kind` way, or `None` when that kind finds nothing to break in it
/// (save-not-kept is done by forwarding, not here).
pub(super) fn mutate(kind: Kind, ctx: &Context<'_>, answer: &Relayed) -> Option<Relayed> {
    if !(200..300).contains(&answer.status) {
        return None;
    }
    match kind {
        Kind::WrongStatus => Some(Relayed {
            status: if answer.status == 200 { 201 } else { 200 },
            content_type: answer.content_type.clone(),
            body: answer.body.clone(),
        }),
        Kind::WrongContentType => (!answer.body.is_empty()).then(|| Relayed {
            status: answer.status,
            content_type: Some("text/plain; charset=utf-8".into()),
            body: answer.body.clone(),
        }),
        Kind::SaveNotKept => None,
        _ => {
            let value: Value = serde_json::from_slice(&answer.body).ok()?;
            let schema = &ctx.op.response(answer.status)?.schema;
            let broken = match kind {
                Kind::DropRequired => drop_shown(ctx, &value)?,
                Kind::NullNested => null_nested(ctx, schema, &value)?,
                Kind::IntAsString => int_as_string(ctx, schema, &value, false)?,
                Kind::IntOutOfRange => int_as_string(ctx, schema, &value, true)?,
                Kind::DateTimeWord => {
                    let resolve = |s| resolve_ref(ctx.types, s);
                    break_one_field(&value, schema, &resolve, Break::DateTime)?.0
                }
                Kind::EnumOut => {
                    let resolve = |s| resolve_ref(ctx.types, s);
                    break_one_field(&value, schema, &resolve, Break::Enum)?.0
                }
                _ => return None,
            };
            if kind != Kind::DropRequired && !breaks(ctx, &broken) {
                return None;
            }
            Some(Relayed {
                status: answer.status,
                content_type: answer.content_type.clone(),
                body: bytes::Bytes::from(broken.to_string()),
            })
        }
    }
}

/// Whether `value` breaks the answer's schema.
fn breaks(ctx: &Context<'_>, value: &Value) -> bool {
    ctx.validator
        .is_some_and(|validator| !violations(validator, value, "body").is_empty())
}

/// The answer without the first property (not the key) the documented answer shows at the
/// root (of every item, for a list).
fn drop_shown(ctx: &Context<'_>, value: &Value) -> Option<Value> {
    let sample = ctx.op.example.response.as_ref()?.body.as_ref()?;
    let shown = match sample {
        Value::Array(items) => items.first()?.as_object()?,
        other => other.as_object()?,
    };
    let first_object = match value {
        Value::Array(items) => items.first()?.as_object()?,
        other => other.as_object()?,
    };
    let victim = first_object
        .keys()
        .find(|k| shown.contains_key(*k) && !k.eq_ignore_ascii_case(ctx.key))?
        .clone();
    let mut broken = value.clone();
    match &mut broken {
        Value::Array(items) => {
            for item in items {
                if let Value::Object(map) = item {
                    map.remove(&victim);
                }
            }
        }
        Value::Object(map) => {
            map.remove(&victim);
        }
        _ => return None,
    }
    Some(broken)
}

/// Places depth-first (pointer, value's schema) below `value`.
fn places<'s>(
    ctx: &Context<'s>,
    value: &Value,
    schema: &'s Value,
    pointer: String,
    depth: usize,
    out: &mut Vec<(String, usize, &'s Value)>,
) {
    if depth > 16 || out.len() > 256 {
        return;
    }
    let schema = resolve_ref(ctx.types, schema);
    out.push((pointer.clone(), depth, schema));
    match value {
        Value::Object(map) => {
            let props = schema.get("properties").and_then(Value::as_object);
            let extra = schema.get("additionalProperties").filter(|s| s.is_object());
            for (key, child) in map {
                if let Some(child_schema) = props.and_then(|p| p.get(key)).or(extra) {
                    let escaped = key.replace('~', "~0").replace('/', "~1");
                    places(
                        ctx,
                        child,
                        child_schema,
                        format!("{pointer}/{escaped}"),
                        depth + 1,
                        out,
                    );
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    places(
                        ctx,
                        item,
                        item_schema,
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

fn allows_null(schema: &Value) -> bool {
    match schema.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(types)) => types.iter().any(|t| t == "null"),
        None => true,
        _ => false,
    }
}

/// The answer with the first nested value (below a root member) that may not be null set
/// to null.
fn null_nested(ctx: &Context<'_>, schema: &Value, value: &Value) -> Option<Value> {
    let mut found = Vec::new();
    places(ctx, value, schema, String::new(), 0, &mut found);
    let root_items = usize::from(value.is_array());
    for (pointer, depth, place_schema) in found.iter().take(64) {
        if *depth < 2 + root_items || allows_null(place_schema) {
            continue;
        }
        if value.pointer(pointer).is_none_or(Value::is_null) {
            continue;
        }
        let mut broken = value.clone();
        if let Some(slot) = broken.pointer_mut(pointer) {
            *slot = Value::Null;
        }
        if breaks(ctx, &broken) {
            return Some(broken);
        }
    }
    None
}

/// The answer with its first integer (any depth) as a string, or (`past`) past the
/// maximum its schema documents.
fn int_as_string(ctx: &Context<'_>, schema: &Value, value: &Value, past: bool) -> Option<Value> {
    let mut found = Vec::new();
    places(ctx, value, schema, String::new(), 0, &mut found);
    for (pointer, _, place_schema) in found.iter().take(64) {
        let is_integer = place_schema.get("type") == Some(&Value::String("integer".into()));
        let Some(number) = value.pointer(pointer).and_then(Value::as_i64) else {
            continue;
        };
        if !is_integer {
            continue;
        }
        let broken_value = if past {
            match place_schema.get("maximum").and_then(Value::as_i64) {
                Some(max) if max < i64::MAX => Value::from(max + 1),
                _ => continue,
            }
        } else {
            Value::String(number.to_string())
        };
        let mut broken = value.clone();
        if let Some(slot) = broken.pointer_mut(pointer) {
            *slot = broken_value;
        }
        if breaks(ctx, &broken) {
            return Some(broken);
        }
    }
    None
}

/// Whether a fault of `kind` shows for a request: for one request in three, by a hash of
/// the request (a bug that depends on the data, as most do); a save not kept is never kept.
pub(super) fn fires(kind: Kind, method: &str, path_and_query: &str, body: &[u8]) -> bool {
    if kind == Kind::SaveNotKept {
        return true;
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in kind
        .name()
        .bytes()
        .chain(method.bytes())
        .chain(path_and_query.bytes())
        .chain(body.iter().copied())
    {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash.is_multiple_of(3)
}
