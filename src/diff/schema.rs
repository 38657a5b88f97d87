//! Two schemas compared place by place: each is flattened into JSON-pointer-like places
//! (`/Emails/*/Value`) that stop at `$ref`s, each place summed up as its type and enum.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Change, change};
use crate::contract::types::ref_target;

/// The summary of one schema place: its type and, for enums, the members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Slot {
    ty: String,
    members: Option<BTreeSet<String>>,
}

/// Compares two schemas place by place (stopping at `$ref`s).
pub(super) fn schema_changes(
    subject: &str,
    place: &str,
    old: &Value,
    new: &Value,
    out: &mut Vec<Change>,
) {
    let before = flatten(old);
    let after = flatten(new);
    for (pointer, was) in &before {
        let here = format!("{place} {pointer}").trim_end().to_string();
        match after.get(pointer) {
            None => out.push(change(
                true,
                subject,
                &here,
                "property-removed",
                format!("was {}", was.ty),
            )),
            Some(now) => slot_changes(subject, &here, was, now, out),
        }
    }
    for (pointer, now) in after.iter().filter(|(p, _)| !before.contains_key(*p)) {
        let here = format!("{place} {pointer}").trim_end().to_string();
        out.push(change(
            false,
            subject,
            &here,
            "property-added",
            format!("new, {}", now.ty),
        ));
    }
}

pub(super) fn slot_changes(
    subject: &str,
    place: &str,
    was: &Slot,
    now: &Slot,
    out: &mut Vec<Change>,
) {
    if was.ty != now.ty {
        out.push(change(
            true,
            subject,
            place,
            "property-retyped",
            format!("{} → {}", was.ty, now.ty),
        ));
        return;
    }
    if let (Some(before), Some(after)) = (&was.members, &now.members) {
        let gone: Vec<&str> = before.difference(after).map(String::as_str).collect();
        let new: Vec<&str> = after.difference(before).map(String::as_str).collect();
        if !gone.is_empty() {
            out.push(change(
                true,
                subject,
                place,
                "enum-narrowed",
                format!("no longer allows {}", gone.join(", ")),
            ));
        }
        if !new.is_empty() {
            out.push(change(
                false,
                subject,
                place,
                "enum-widened",
                format!("now also allows {}", new.join(", ")),
            ));
        }
    }
}

/// The type summary of one schema node (enums summarised by their members' type).
pub(super) fn slot(schema: &Value) -> Slot {
    if let Some(target) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(ref_target)
    {
        return Slot {
            ty: target.to_string(),
            members: None,
        };
    }
    let members = schema.get("enum").and_then(Value::as_array).map(|m| {
        m.iter()
            .filter(|v| !v.is_null())
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .collect()
    });
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect(),
        _ if schema.get("properties").is_some() => vec!["object"],
        _ => vec!["any"],
    };
    let mut ty = types.join("|");
    if let Some(format) = schema.get("format").and_then(Value::as_str) {
        ty = format!("{ty} ({format})");
    }
    Slot { ty, members }
}

/// Places of a schema: `""` for the root, `/Name` for properties, `/*` for array items.
fn flatten(schema: &Value) -> BTreeMap<String, Slot> {
    let mut out = BTreeMap::new();
    walk(schema, String::new(), 0, &mut out);
    out
}

fn walk(schema: &Value, pointer: String, depth: usize, out: &mut BTreeMap<String, Slot>) {
    if depth > 16 {
        return;
    }
    let node = match schema.get("then") {
        Some(then) => then,
        None => schema,
    };
    out.insert(pointer.clone(), slot(node));
    if node.get("$ref").is_some() {
        return;
    }
    if let Some(props) = node.get("properties").and_then(Value::as_object) {
        for (name, prop) in props {
            walk(prop, format!("{pointer}/{name}"), depth + 1, out);
        }
    }
    if let Some(items) = node.get("items") {
        walk(items, format!("{pointer}/*"), depth + 1, out);
    }
}
