//! The verbs of operation names, found from what the operations do: a prefix
//! (`SaveContactEntity` → `Save`) is a save verb when its operations take and answer the
//! same keyed entity that the rest of the name names, a read verb when they take no body and answer a keyed entity by an id,
//! a delete verb when they take no body and name what a read names (`DeleteContactEntity`
//! beside `GetContactEntity`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::contract::model::Operation;
use crate::contract::profile::{Fact, split_name};
use crate::contract::types::{primary_type, ref_target};

/// Operations (with different names after the prefix) that must show saving before their
/// prefix is taken as a save verb: one alone may be a one-off action on its entity
/// (`DuplicateDashboard`).
const MIN_SAVES: usize = 2;
/// The same for reading and deleting: one suffices, as its evidence already ties the name
/// to a keyed entity and an id (a delete names what a read names).
const MIN_OTHERS: usize = 1;

/// The verbs found, each `None` when no prefix showed the role.
#[derive(Debug, Default)]
pub(super) struct Found {
    pub(super) save: Option<Fact<Vec<String>>>,
    pub(super) read: Option<Fact<Vec<String>>>,
    pub(super) delete: Option<Fact<Vec<String>>>,
}

/// The named type a schema is.
fn named(schema: &Value) -> Option<&str> {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(ref_target)
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Seen {
    Save,
    Read,
    Delete,
}

/// The verbs of `operations`.
pub(super) fn verbs(operations: &[Operation], keys: &BTreeMap<String, Fact<String>>) -> Found {
    let key_of = |name: &str| keys.get(name).map(|k| k.value.as_str());
    // The keyed entity an operation answers, when the rest of its name names it: the
    // type (`SaveUser` → `User`) or the key's stem (`SaveContactEntity` → `ContactId`).
    let answer_key = |op: &Operation, rest: &str| {
        let schema = &op.response(op.success_status)?.schema;
        let name = named(schema)?;
        let key = key_of(name)?;
        let stem = key.to_ascii_lowercase();
        let stem = stem.strip_suffix("id").unwrap_or(&stem);
        let names = rest == name || rest.to_ascii_lowercase().starts_with(stem);
        names.then_some(key)
    };
    let takes_id = |op: &Operation| {
        !op.path_parameters.is_empty()
            || op.query_parameters.iter().any(|p| {
                p.name.to_ascii_lowercase().ends_with("id")
                    && primary_type(&p.schema) == Some("integer")
            })
    };
    let mut evidence: Vec<(&str, &str, Seen, &str)> = Vec::new();
    let mut read_rests: BTreeSet<&str> = BTreeSet::new();
    for op in operations {
        let Some((word, rest)) = split_name(&op.path) else {
            continue;
        };
        let answer = answer_key(op, rest);
        let seen = match (&op.request_body, answer) {
            (Some(body), Some(key)) => {
                let body_key = named(&body.schema).and_then(key_of).or_else(|| {
                    let props = body.schema.get("properties").and_then(Value::as_object)?;
                    props.contains_key(key).then_some(key)
                });
                (body_key == Some(key)).then_some(Seen::Save)
            }
            (None, Some(_)) if takes_id(op) => {
                read_rests.insert(rest);
                Some(Seen::Read)
            }
            _ => None,
        };
        if let Some(seen) = seen {
            evidence.push((word, rest, seen, &op.source));
        }
    }
    for op in operations {
        let Some((word, rest)) = split_name(&op.path) else {
            continue;
        };
        if op.request_body.is_none() && answer_key(op, rest).is_none() && read_rests.contains(rest)
        {
            evidence.push((word, rest, Seen::Delete, &op.source));
        }
    }
    choose(evidence)
}

/// Each word's role: the one most names show it in, when enough do (a save needs
/// `MIN_SAVES` names, a read or a delete `MIN_OTHERS`), with the first page that shows it.
fn choose(evidence: Vec<(&str, &str, Seen, &str)>) -> Found {
    // word → role → (names, first source).
    let mut by_word: BTreeMap<&str, BTreeMap<Seen, (BTreeSet<&str>, &str)>> = BTreeMap::new();
    for (word, rest, seen, source) in evidence {
        let entry = by_word
            .entry(word)
            .or_default()
            .entry(seen)
            .or_insert((BTreeSet::new(), source));
        entry.0.insert(rest);
    }
    let mut lists: BTreeMap<Seen, Vec<(&str, &str)>> = BTreeMap::new();
    for (word, roles) in &by_word {
        let best = roles
            .iter()
            .max_by_key(|(seen, (names, _))| (names.len(), std::cmp::Reverse(**seen)));
        if let Some((seen, (names, source))) = best
            && names.len()
                >= if *seen == Seen::Save {
                    MIN_SAVES
                } else {
                    MIN_OTHERS
                }
        {
            lists.entry(*seen).or_default().push((word, source));
        }
    }
    let fact = |seen: Seen| {
        let list = lists.get(&seen)?;
        let source = list.iter().map(|(_, s)| *s).min()?;
        Some(Fact::found(
            list.iter().map(|(w, _)| w.to_string()).collect(),
            source,
        ))
    };
    Found {
        save: fact(Seen::Save),
        read: fact(Seen::Read),
        delete: fact(Seen::Delete),
    }
}
