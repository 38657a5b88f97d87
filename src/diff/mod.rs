//! Breaking-change review between two contracts (`mockdown diff OLD NEW`).
//!
//! Operations are matched by operationId. Each schema is flattened into JSON-pointer-like
//! places (`/Contact/Emails/*/Value`) that stop at `$ref`s; named types are compared once,
//! on their own, so a change to `Associate` is one finding (with the operations that use
//! it), not one per operation. Removals, retypes, narrowed enums, new required parameters
//! and removed status codes are breaking; additions are not.

pub(crate) mod render;
mod schema;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::contract::types::ref_target;
use crate::contract::{Contract, Operation, Parameter, RequestBody};
use schema::{schema_changes, slot, slot_changes};

/// One difference between the old and the new contract.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Change {
    /// Whether clients written against the old docs can break.
    pub breaking: bool,
    /// What changed: `operation` or `type Name`.
    pub subject: String,
    /// Where in it: `response 200 /ContactId`, `query $top`, ...
    pub place: String,
    /// A short stable code: `operation-removed`, `property-retyped`, `enum-narrowed`, ...
    pub kind: &'static str,
    /// Human readable detail.
    pub detail: String,
}

/// Every difference from `old` to `new`, breaking ones first.
pub(crate) fn diff(old: &Contract, new: &Contract) -> Vec<Change> {
    let mut changes = Vec::new();
    let old_ops: BTreeMap<&str, &Operation> = old
        .operations
        .iter()
        .map(|op| (op.operation_id.as_str(), op))
        .collect();
    let new_ops: BTreeMap<&str, &Operation> = new
        .operations
        .iter()
        .map(|op| (op.operation_id.as_str(), op))
        .collect();
    for (id, op) in &old_ops {
        if !new_ops.contains_key(id) {
            changes.push(change(
                true,
                id,
                "",
                "operation-removed",
                format!("{} {} is gone", op.method, op.path),
            ));
        }
    }
    for (id, op) in &new_ops {
        match old_ops.get(id) {
            None => changes.push(change(
                false,
                id,
                "",
                "operation-added",
                format!("{} {}", op.method, op.path),
            )),
            Some(before) => operation_changes(before, op, &mut changes),
        }
    }
    type_changes(old, new, &mut changes);
    changes.sort_by(|a, b| {
        (!a.breaking, &a.subject, &a.place, a.kind).cmp(&(
            !b.breaking,
            &b.subject,
            &b.place,
            b.kind,
        ))
    });
    changes
}

fn change(
    breaking: bool,
    subject: &str,
    place: &str,
    kind: &'static str,
    detail: String,
) -> Change {
    Change {
        breaking,
        subject: subject.to_string(),
        place: place.to_string(),
        kind,
        detail,
    }
}

fn operation_changes(old: &Operation, new: &Operation, out: &mut Vec<Change>) {
    let id = new.operation_id.as_str();
    if !old.method.eq_ignore_ascii_case(&new.method) || !same_route(&old.path, &new.path) {
        out.push(change(
            true,
            id,
            "route",
            "route-changed",
            format!("{} {} → {} {}", old.method, old.path, new.method, new.path),
        ));
    }
    for (kind, before, after) in [
        ("path", &old.path_parameters, &new.path_parameters),
        ("query", &old.query_parameters, &new.query_parameters),
        ("header", &old.header_parameters, &new.header_parameters),
    ] {
        parameter_changes(id, kind, before, after, out);
    }
    body_changes(
        id,
        old.request_body.as_ref(),
        new.request_body.as_ref(),
        out,
    );
    for (status, before) in &old.responses {
        let place = format!("response {status}");
        match new.responses.get(status) {
            None => out.push(change(
                true,
                id,
                &place,
                "status-removed",
                format!("status {status} is no longer documented"),
            )),
            Some(after) => schema_changes(id, &place, &before.schema, &after.schema, out),
        }
    }
    for status in new
        .responses
        .keys()
        .filter(|s| !old.responses.contains_key(*s))
    {
        out.push(change(
            false,
            id,
            &format!("response {status}"),
            "status-added",
            format!("status {status} is now documented"),
        ));
    }
}

/// What changed in the request body of operation `id`.
fn body_changes(
    id: &str,
    old: Option<&RequestBody>,
    new: Option<&RequestBody>,
    out: &mut Vec<Change>,
) {
    match (old, new) {
        (Some(before), Some(after)) => {
            if !before.required && after.required {
                out.push(change(
                    true,
                    id,
                    "request body",
                    "body-now-required",
                    "the request body became required".into(),
                ));
            }
            for ct in &before.content_types {
                if !after
                    .content_types
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(ct))
                {
                    out.push(change(
                        true,
                        id,
                        "request body",
                        "content-type-removed",
                        format!("`{ct}` is no longer accepted"),
                    ));
                }
            }
            schema_changes(id, "request body", &before.schema, &after.schema, out);
        }
        (None, Some(after)) if after.required => out.push(change(
            true,
            id,
            "request body",
            "body-now-required",
            "a request body is now required".into(),
        )),
        (None, Some(_)) => out.push(change(
            false,
            id,
            "request body",
            "body-added",
            "an optional request body was added".into(),
        )),
        (Some(_), None) => out.push(change(
            true,
            id,
            "request body",
            "body-removed",
            "the request body is no longer documented".into(),
        )),
        (None, None) => {}
    }
}

/// Routes compare without regard to parameter names or case (`{id}` = `{contactId}`).
fn same_route(a: &str, b: &str) -> bool {
    let shape = |p: &str| -> Vec<String> {
        p.split('/')
            .map(|s| {
                if s.starts_with('{') {
                    "{}".to_string()
                } else {
                    s.to_ascii_lowercase()
                }
            })
            .collect()
    };
    shape(a) == shape(b)
}

fn parameter_changes(
    id: &str,
    kind: &str,
    old: &[Parameter],
    new: &[Parameter],
    out: &mut Vec<Change>,
) {
    let find = |list: &'_ [Parameter], name: &str| {
        list.iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .cloned()
    };
    for before in old {
        let place = format!("{kind} {}", before.name);
        match find(new, &before.name) {
            None => out.push(change(
                true,
                id,
                &place,
                "parameter-removed",
                format!("{kind} parameter `{}` is gone", before.name),
            )),
            Some(after) => {
                if !before.required && after.required {
                    out.push(change(
                        true,
                        id,
                        &place,
                        "parameter-now-required",
                        format!("`{}` became required", before.name),
                    ));
                } else if before.required && !after.required {
                    out.push(change(
                        false,
                        id,
                        &place,
                        "parameter-now-optional",
                        format!("`{}` became optional", before.name),
                    ));
                }
                slot_changes(id, &place, &slot(&before.schema), &slot(&after.schema), out);
            }
        }
    }
    for after in new.iter().filter(|p| find(old, &p.name).is_none()) {
        let place = format!("{kind} {}", after.name);
        if after.required {
            out.push(change(
                true,
                id,
                &place,
                "required-parameter-added",
                format!("new required {kind} parameter `{}`", after.name),
            ));
        } else {
            out.push(change(
                false,
                id,
                &place,
                "parameter-added",
                format!("new optional {kind} parameter `{}`", after.name),
            ));
        }
    }
}

/// Named types: compared once each; the detail says which operations use them.
fn type_changes(old: &Contract, new: &Contract, out: &mut Vec<Change>) {
    let users = type_users(new);
    for (name, before) in &old.types {
        let Some(after) = new.types.get(name) else {
            continue; // no longer referenced: the places that used it report a retype
        };
        let mut found = Vec::new();
        schema_changes(&format!("type {name}"), "", before, after, &mut found);
        let used_by = users.get(name.as_str()).map_or(0, |u| u.len());
        for mut c in found {
            c.place = c.place.trim().to_string();
            c.detail = format!("{} (used by {used_by} operation(s))", c.detail);
            out.push(c);
        }
    }
}

/// Which operations use each named type directly.
fn type_users(contract: &Contract) -> BTreeMap<&str, BTreeSet<&str>> {
    fn refs<'a>(v: &'a Value, found: &mut BTreeSet<&'a str>) {
        match v {
            Value::Object(map) => {
                if let Some(t) = map.get("$ref").and_then(Value::as_str).and_then(ref_target) {
                    found.insert(t);
                }
                map.values().for_each(|v| refs(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }
    let mut users: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for op in &contract.operations {
        let mut found = BTreeSet::new();
        if let Some(body) = &op.request_body {
            refs(&body.schema, &mut found);
        }
        for response in op.responses.values() {
            refs(&response.schema, &mut found);
        }
        for t in found {
            users.entry(t).or_default().insert(op.operation_id.as_str());
        }
    }
    users
}
