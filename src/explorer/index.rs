//! Builds the explorer's documents from the full contract: the index (served whole, small)
//! and one detail document per operation and per named type (served on demand), each
//! packed on its own so memory holds only compressed JSON.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::json;

use super::data::{Group, Mentions, TryIt, group_of, short_summary, try_it};
use super::packed::{Packed, Shelf};
use crate::contract::{Contract, Example, Operation, Parameter, RequestBody, Response};

/// The index document: everything the page lists and searches, nothing it shows only
/// on demand.
#[derive(Debug, Serialize)]
pub(super) struct Index<'a> {
    /// Operations in contract order (by operationId).
    pub operations: Vec<IndexOperation>,
    /// Groups, agents first, each by label.
    pub groups: Vec<Group>,
    /// Named types by name.
    pub types: Vec<IndexType>,
    /// Request headers, each written once; operations refer to them by position.
    pub headers: Vec<&'a Parameter>,
    /// Property names, sorted; operations and types refer to them by position.
    pub props: Vec<String>,
}

/// One operation in the index.
#[derive(Debug, Serialize)]
pub(super) struct IndexOperation {
    /// operationId.
    pub id: String,
    /// Method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// Page title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// First sentence of the summary.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub summary: String,
    /// Position in `groups`.
    pub group: usize,
    /// Positions in `props` of the property and parameter names it mentions inline.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub props: Vec<u32>,
    /// Positions in `types` of the named types it refers to directly.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<u32>,
}

/// One named type in the index.
#[derive(Debug, Serialize)]
pub(super) struct IndexType {
    /// Name.
    pub name: String,
    /// Positions in `props` of its property names (inline ones at any depth).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub props: Vec<u32>,
    /// How many operations refer to it directly.
    pub uses: usize,
}

/// An operation as the detail document holds it: the contract's fields, but its request
/// headers as positions in the index's `headers` (the same dozen headers recur on every
/// page of an API; written once, they are not compressed two thousand times).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OperationView<'a> {
    operation_id: &'a str,
    method: &'a str,
    path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "str::is_empty")]
    summary: &'a str,
    source: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    online_restricted: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    slow_threshold_ms: Option<u64>,
    path_parameters: &'a [Parameter],
    query_parameters: &'a [Parameter],
    header_parameters: &'a [u32],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    query_examples: &'a [Vec<(String, String)>],
    #[serde(skip_serializing_if = "Option::is_none")]
    request_body: Option<&'a RequestBody>,
    accept: &'a [String],
    responses: &'a BTreeMap<String, Response>,
    success_status: u16,
    example: &'a Example,
}

/// The detail document of one operation.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OperationDetail<'a> {
    operation: OperationView<'a>,
    group: &'a Group,
    /// Named types it refers to directly.
    types: &'a BTreeSet<String>,
    try_it: TryIt,
    statuses: Vec<u16>,
}

/// An operation's group and what it mentions.
type OperationFacts = (Group, Mentions);
/// A named type and what it mentions.
type TypeFacts<'a> = (&'a String, Mentions);

/// The built documents.
pub(super) struct Built {
    /// The index, packed.
    pub index: Packed,
    /// Detail documents by operationId.
    pub operations: Shelf,
    /// Detail documents by type name.
    pub types: Shelf,
}

/// Documents per compressed chunk: neighbours compress together (a group's operations
/// share their schemas); a document is served by inflating its chunk.
const PER_CHUNK: usize = 16;

/// Who refers to each named type, by name.
type Users<'a> = BTreeMap<&'a str, Vec<&'a str>>;

/// Builds every document of `contract`.
pub(super) fn build(contract: &Contract) -> Built {
    let ops = &contract.operations;
    let (facts, type_mentions) = mentions(contract);
    let (groups, group_of_op) = groups(&facts);
    let (headers, header_refs) = shared_headers(ops);
    let (used_by, referenced_by) = users(ops, &facts, &type_mentions);
    let index = index(
        ops,
        &facts,
        &type_mentions,
        &group_of_op,
        groups,
        headers,
        &used_by,
    );
    let operations = operation_shelf(ops, &facts, &group_of_op, &header_refs);
    let types = Shelf::build(&type_mentions, PER_CHUNK, |(name, mentions)| {
        let detail = json!({
            "name": name,
            "schema": contract.types.get(*name),
            "refers": mentions.types.iter().filter(|t| t != name).collect::<Vec<_>>(),
            "referencedBy": referenced_by.get(name.as_str()).cloned().unwrap_or_default(),
            "usedBy": used_by.get(name.as_str()).cloned().unwrap_or_default(),
        });
        (
            (*name).clone(),
            serde_json::to_vec(&detail).unwrap_or_default(),
        )
    });
    Built {
        index: Packed::json(&index),
        operations,
        types,
    }
}

/// Each operation's group and mentions, and each named type's mentions, in parallel.
fn mentions(contract: &Contract) -> (Vec<OperationFacts>, Vec<TypeFacts<'_>>) {
    rayon::join(
        || {
            contract
                .operations
                .par_iter()
                .map(|op| (group_of(op), Mentions::of_operation(op)))
                .collect()
        },
        || {
            contract
                .types
                .par_iter()
                .map(|(name, schema)| {
                    let mut mentions = Mentions::default();
                    mentions.walk(schema);
                    (name, mentions)
                })
                .collect()
        },
    )
}

/// The groups, agents first, each by label; and each operation's position among them.
fn groups(facts: &[OperationFacts]) -> (Vec<Group>, Vec<usize>) {
    let mut groups: Vec<Group> = facts
        .iter()
        .map(|(g, _)| g.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    groups.sort_by(|a, b| {
        (a.kind, a.label.to_ascii_lowercase()).cmp(&(b.kind, b.label.to_ascii_lowercase()))
    });
    let group_pos: HashMap<&str, usize> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.key.as_str(), i))
        .collect();
    let group_of_op: Vec<usize> = facts
        .iter()
        .map(|(g, _)| group_pos.get(g.key.as_str()).copied().unwrap_or(0))
        .collect();
    (groups, group_of_op)
}

/// The request headers, each written once; and each operation's, as positions among them.
fn shared_headers(ops: &[Operation]) -> (Vec<&Parameter>, Vec<Vec<u32>>) {
    let mut headers: Vec<&Parameter> = Vec::new();
    let mut header_pos: HashMap<String, u32> = HashMap::new();
    let header_refs: Vec<Vec<u32>> = ops
        .iter()
        .map(|op| {
            op.header_parameters
                .iter()
                .map(|p| {
                    let key = serde_json::to_string(p).unwrap_or_default();
                    *header_pos.entry(key).or_insert_with(|| {
                        headers.push(p);
                        headers.len() as u32 - 1
                    })
                })
                .collect()
        })
        .collect();
    (headers, header_refs)
}

/// Who uses each type: operations directly, and other types.
fn users<'a>(
    ops: &'a [Operation],
    facts: &'a [OperationFacts],
    type_mentions: &'a [TypeFacts<'a>],
) -> (Users<'a>, Users<'a>) {
    let mut used_by: Users<'a> = BTreeMap::new();
    for (op, (_, mentions)) in ops.iter().zip(facts) {
        for name in &mentions.types {
            used_by.entry(name).or_default().push(&op.operation_id);
        }
    }
    let mut referenced_by: Users<'a> = BTreeMap::new();
    for (name, mentions) in type_mentions {
        for target in &mentions.types {
            if target != *name {
                referenced_by.entry(target).or_default().push(name);
            }
        }
    }
    (used_by, referenced_by)
}

/// The index document: operations and types, with the property names they mention
/// written once and referred to by position.
fn index<'a>(
    ops: &[Operation],
    facts: &[OperationFacts],
    type_mentions: &[TypeFacts<'_>],
    group_of_op: &[usize],
    groups: Vec<Group>,
    headers: Vec<&'a Parameter>,
    used_by: &Users<'_>,
) -> Index<'a> {
    let props: Vec<String> = facts
        .iter()
        .flat_map(|(_, m)| m.props.iter())
        .chain(type_mentions.iter().flat_map(|(_, m)| m.props.iter()))
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let prop_pos: HashMap<&str, u32> = props
        .iter()
        .enumerate()
        .map(|(i, p)| (p.as_str(), i as u32))
        .collect();
    let type_pos: HashMap<&str, u32> = type_mentions
        .iter()
        .enumerate()
        .map(|(i, (name, _))| (name.as_str(), i as u32))
        .collect();
    let positions = |names: &BTreeSet<String>, table: &HashMap<&str, u32>| -> Vec<u32> {
        names
            .iter()
            .filter_map(|n| table.get(n.as_str()).copied())
            .collect()
    };
    Index {
        operations: ops
            .iter()
            .zip(facts)
            .zip(group_of_op)
            .map(|((op, (_, mentions)), &group)| IndexOperation {
                id: op.operation_id.clone(),
                method: op.method.clone(),
                path: op.path.clone(),
                title: op.title.clone(),
                summary: short_summary(&op.summary),
                group,
                props: positions(&mentions.props, &prop_pos),
                types: positions(&mentions.types, &type_pos),
            })
            .collect(),
        types: type_mentions
            .iter()
            .map(|(name, mentions)| IndexType {
                name: (*name).clone(),
                props: positions(&mentions.props, &prop_pos),
                uses: used_by.get(name.as_str()).map_or(0, Vec::len),
            })
            .collect(),
        groups,
        headers,
        props,
    }
}

/// The operations' detail documents, shelved by group so that neighbours compress
/// together.
fn operation_shelf(
    ops: &[Operation],
    facts: &[OperationFacts],
    group_of_op: &[usize],
    header_refs: &[Vec<u32>],
) -> Shelf {
    let mut order: Vec<usize> = (0..ops.len()).collect();
    order.sort_by_key(|&i| group_of_op[i]);
    Shelf::build(&order, PER_CHUNK, |&i| {
        let op = &ops[i];
        let (group, mentions) = &facts[i];
        let detail = OperationDetail {
            operation: OperationView {
                operation_id: &op.operation_id,
                method: &op.method,
                path: &op.path,
                title: op.title.as_deref(),
                summary: &op.summary,
                source: &op.source,
                online_restricted: op.online_restricted.as_deref(),
                slow_threshold_ms: op.slow_threshold_ms,
                path_parameters: &op.path_parameters,
                query_parameters: &op.query_parameters,
                header_parameters: &header_refs[i],
                query_examples: &op.query_examples,
                request_body: op.request_body.as_ref(),
                accept: &op.accept,
                responses: &op.responses,
                success_status: op.success_status,
                example: &op.example,
            },
            group,
            types: &mentions.types,
            try_it: try_it(op),
            statuses: op.statuses(),
        };
        (
            op.operation_id.clone(),
            serde_json::to_vec(&detail).unwrap_or_default(),
        )
    })
}

/// The index of `contract`, unpacked (for tests).
#[cfg(test)]
pub(super) fn index_value(built: &Built) -> serde_json::Value {
    built
        .index
        .blob()
        .bytes()
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}
