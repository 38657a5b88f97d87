//! Each operation's part in an entity: what it does (save, read, patch, delete) and where
//! it takes the entity's id from, decided from its method, its route, its parameters, and
//! the types of its body and its answer.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{TypeGroup, is_instance, named_type};
use crate::contract::profile::Verb;
use crate::contract::types::primary_type;
use crate::contract::{Contract, Operation};

/// What an operation does to its entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Role {
    /// Stores what was sent (POST, PUT, agent `Save…`).
    Save,
    /// Answers the entity of an id.
    Read,
    /// Applies a JSON Patch or merge patch to the entity of an id.
    Patch,
    /// Forgets the entity of an id.
    Delete,
}

/// Where an operation takes the entity's id from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "in", content = "name", rename_all = "lowercase")]
pub(crate) enum IdSource {
    /// A path parameter (`/Contact/{id}`).
    Path(String),
    /// A query parameter (`?contactEntityId=7`).
    Query(String),
    /// The primary key in the body sent.
    Body,
}

/// The role of every operation of `contract` (by index), with its entity (index into
/// `groups`).
pub(super) fn assign(
    contract: &Contract,
    groups: &[TypeGroup],
    type_group: &BTreeMap<&str, usize>,
) -> Vec<Option<(usize, Role, IdSource)>> {
    let ops = &contract.operations;
    let types = &contract.types;
    let profile = &contract.profile;
    // Folders whose operations are named by verbs (`/Agents/Contact`): there a name that
    // does not start with a save verb does not save (`DuplicateDashboard`).
    let verb_folders: std::collections::BTreeSet<&str> = ops
        .iter()
        .filter(|op| profile.verb_of(&op.path).is_some())
        .map(|op| split_last(&op.path).0)
        .collect();
    let saves_by_name = |op: &Operation| match profile.verb_of(&op.path) {
        Some((verb, _)) => verb == Verb::Save,
        None => !verb_folders.contains(split_last(&op.path).0) || op.path.ends_with('}'),
    };
    let answer_group = |op: &Operation| {
        let schema = &op.response(op.success_status)?.schema;
        type_group.get(named_type(schema)?).copied()
    };
    let body_group = |op: &Operation| {
        let schema = &op.request_body.as_ref()?.schema;
        groups.iter().position(|g| is_instance(schema, g, types))
    };
    let mut roles: Vec<Option<(usize, Role, IdSource)>> = vec![None; ops.len()];
    // Reads and writes first: they carry the entity's type.
    for (i, op) in ops.iter().enumerate() {
        let method = op.method.as_str();
        let answer = answer_group(op);
        roles[i] = match (method, answer) {
            ("PATCH", Some(g)) => last_path_id(op).map(|id| (g, Role::Patch, IdSource::Path(id))),
            ("POST" | "PUT", Some(g)) if body_group(op) == Some(g) && saves_by_name(op) => {
                let id = match (method, last_path_id(op)) {
                    ("PUT", Some(id)) => IdSource::Path(id),
                    _ => IdSource::Body,
                };
                Some((g, Role::Save, id))
            }
            ("GET" | "POST", Some(g)) if op.request_body.is_none() => last_path_id(op)
                .map(IdSource::Path)
                .or_else(|| query_id(op, &groups[g]).map(IdSource::Query))
                .filter(|id| only_required(op, id))
                .map(|id| (g, Role::Read, id)),
            _ => None,
        };
    }
    assign_deletes(contract, groups, &mut roles);
    roles
}

/// Deletes: the route of a read (REST), or the read's sibling named by a delete verb
/// (agents: `DeleteContactEntity` beside `GetContactEntity`).
fn assign_deletes(
    contract: &Contract,
    groups: &[TypeGroup],
    roles: &mut [Option<(usize, Role, IdSource)>],
) {
    let ops = &contract.operations;
    let profile = &contract.profile;
    let reads: Vec<(usize, &Operation)> = ops
        .iter()
        .zip(roles.iter())
        .filter_map(|(op, r)| match r {
            Some((g, Role::Read, _)) => Some((*g, op)),
            _ => None,
        })
        .collect();
    for (i, op) in ops.iter().enumerate() {
        if roles[i].is_some() || op.request_body.is_some() {
            continue;
        }
        roles[i] = match op.method.as_str() {
            "DELETE" => last_path_id(op).and_then(|id| {
                reads
                    .iter()
                    .find(|(_, read)| read.path.eq_ignore_ascii_case(&op.path))
                    .map(|(g, _)| (*g, Role::Delete, IdSource::Path(id)))
            }),
            "POST" => {
                let (parent, _) = split_last(&op.path);
                let rest = match profile.verb_of(&op.path) {
                    Some((Verb::Delete, rest)) => Some(rest),
                    _ => None,
                };
                rest.and_then(|rest| {
                    reads.iter().find_map(|(g, read)| {
                        let (read_parent, _) = split_last(&read.path);
                        let same = read_parent.eq_ignore_ascii_case(parent)
                            && matches!(profile.verb_of(&read.path), Some((Verb::Read, r)) if r == rest);
                        let id = query_id(op, &groups[*g])?;
                        same.then_some((*g, Role::Delete, IdSource::Query(id)))
                    })
                })
            }
            _ => None,
        };
    }
}

/// Whether the id is all a read needs: no other required query parameter (an operation
/// that needs more, `…/Copy?newName=`, is not a plain read).
fn only_required(op: &Operation, id: &IdSource) -> bool {
    op.query_parameters
        .iter()
        .filter(|p| p.required)
        .all(|p| matches!(id, IdSource::Query(name) if name.eq_ignore_ascii_case(&p.name)))
}

/// The path parameter of a route that ends in one (`/Contact/{id}`), if it is its only
/// one and an integer (a key: `{progidOrLabel}` names something else).
fn last_path_id(op: &Operation) -> Option<String> {
    let last = op.path.rsplit('/').next()?;
    let name = last.strip_prefix('{')?.strip_suffix('}')?;
    let param = op.path_parameters.first()?;
    (op.path_parameters.len() == 1 && primary_type(&param.schema) == Some("integer"))
        .then(|| name.to_string())
}

/// The integer query parameter that names the entity's id (`contactEntityId`): the one
/// that mentions the entity, else the only `…Id` one.
fn query_id(op: &Operation, group: &TypeGroup) -> Option<String> {
    let ids: Vec<&str> = op
        .query_parameters
        .iter()
        .filter(|p| {
            p.name.to_ascii_lowercase().ends_with("id")
                && primary_type(&p.schema) == Some("integer")
        })
        .map(|p| p.name.as_str())
        .collect();
    let entity = group.name.to_ascii_lowercase();
    ids.iter()
        .find(|n| n.to_ascii_lowercase().contains(&entity))
        .or_else(|| (ids.len() == 1).then(|| &ids[0]))
        .map(|n| n.to_string())
}

/// `/api/v1/Agents/Contact/GetContactEntity` → (`/api/v1/Agents/Contact`, `GetContactEntity`).
fn split_last(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}
