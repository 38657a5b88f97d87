//! Entities: which operations save, read, patch and delete the same thing, found from the
//! contract alone: the primary key the API profile gives a type, the types that share it
//! (REST's `ContactEntityWithLinks` and the agent's `ContactEntity` are one entity), and
//! what each operation takes and answers. Nothing here reads markdown, descriptions or
//! fixed names (the profile has them), or serves requests.

mod roles;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::contract::Contract;
use crate::contract::profile::ApiProfile;
use crate::contract::types::{ref_target, resolve_ref};

pub(crate) use roles::{IdSource, Role};

/// One entity and the operations that act on it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Entity {
    /// Its name: the main type's, without `Entity`/`WithLinks` (`Contact`).
    pub name: String,
    /// The primary key property (`ContactId`).
    pub key: String,
    /// The named types that are this entity (`ContactEntity`, `ContactEntityWithLinks`).
    pub types: Vec<String>,
    /// The operations acting on it, by operationId, with their role and where the id is.
    pub operations: Vec<EntityOperation>,
}

/// An operation of an entity.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EntityOperation {
    /// operationId.
    pub operation_id: String,
    /// `METHOD /path/template`.
    pub route: String,
    /// What it does to the entity.
    pub role: Role,
    /// Where the entity's id is.
    pub id: IdSource,
}

/// Every entity of a contract, and each operation's part in one.
#[derive(Debug, Clone, Default)]
pub(crate) struct EntityMap {
    /// The entities, by name.
    pub entities: Vec<Entity>,
    /// By operation index (the contract's order): its entity (index) and role.
    by_operation: Vec<Option<(usize, Role, IdSource)>>,
}

impl EntityMap {
    /// Groups the operations of `contract` by the entity they act on.
    pub(crate) fn of(contract: &Contract) -> Self {
        let groups = group_types(&contract.types, &contract.profile);
        let mut entities: Vec<Entity> = groups
            .iter()
            .map(|g| Entity {
                name: g.name.clone(),
                key: g.key.clone(),
                types: g.types.iter().cloned().collect(),
                operations: Vec::new(),
            })
            .collect();
        let type_group: BTreeMap<&str, usize> = groups
            .iter()
            .enumerate()
            .flat_map(|(i, g)| g.types.iter().map(move |t| (t.as_str(), i)))
            .collect();
        let by_operation = roles::assign(contract, &groups, &type_group);
        for (op, assigned) in contract.operations.iter().zip(&by_operation) {
            if let Some((entity, role, id)) = assigned {
                entities[*entity].operations.push(EntityOperation {
                    operation_id: op.operation_id.clone(),
                    route: format!("{} {}", op.method, op.path),
                    role: *role,
                    id: id.clone(),
                });
            }
        }
        // An entity nobody both saves and reads stays out: its operations are stateless.
        let keep: Vec<bool> = entities
            .iter()
            .map(|e| {
                let has = |r: Role| e.operations.iter().any(|o| o.role == r);
                has(Role::Save) && has(Role::Read)
            })
            .collect();
        let renumber: Vec<Option<usize>> = keep
            .iter()
            .scan(0, |next, &k| {
                let at = k.then_some(*next);
                *next += usize::from(k);
                Some(at)
            })
            .collect();
        let by_operation = by_operation
            .into_iter()
            .map(|a| a.and_then(|(e, r, id)| renumber[e].map(|e| (e, r, id))))
            .collect();
        let entities = entities
            .into_iter()
            .zip(keep)
            .filter_map(|(e, k)| k.then_some(e))
            .collect();
        Self {
            entities,
            by_operation,
        }
    }

    /// The entity (index into `entities`), role and id source of operation `index`.
    pub(crate) fn role(&self, index: usize) -> Option<&(usize, Role, IdSource)> {
        self.by_operation.get(index).and_then(Option::as_ref)
    }
}

/// Types sharing a primary key and most of their properties.
#[derive(Debug)]
pub(crate) struct TypeGroup {
    /// The entity's name.
    pub(crate) name: String,
    /// The primary key property.
    pub(crate) key: String,
    /// The member types.
    pub(crate) types: BTreeSet<String>,
}

fn property_names(schema: &Value) -> BTreeSet<&str> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

/// Groups the named types into entities: by primary key, each type joining the group of
/// the largest type with that key when they share at least half of its properties.
fn group_types(types: &BTreeMap<String, Value>, profile: &ApiProfile) -> Vec<TypeGroup> {
    let mut by_key: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for name in types.keys() {
        if let Some(key) = profile.primary_key(name) {
            by_key.entry(key).or_default().push(name);
        }
    }
    let mut groups = Vec::new();
    for (key, mut names) in by_key {
        // The largest type is the entity's core; ties by the shorter, then the first name.
        names.sort_by_key(|n| {
            let size = property_names(&types[*n]).len();
            (std::cmp::Reverse(size), n.len(), n.to_string())
        });
        let core = property_names(&types[names[0]]);
        let members: BTreeSet<String> = names
            .iter()
            .filter(|n| {
                let props = property_names(&types[**n]);
                let shared = props.intersection(&core).count();
                shared * 2 >= core.len().min(props.len()).max(1) && shared * 2 >= props.len().max(1)
            })
            .map(|n| n.to_string())
            .collect();
        let name = members
            .iter()
            .map(|t| profile.entity_name(t).to_string())
            .min_by_key(|n| (n.len(), n.clone()))
            .unwrap_or_else(|| key.trim_end_matches("Id").to_string());
        groups.push(TypeGroup {
            name,
            key: key.to_string(),
            types: members,
        });
    }
    groups
}

/// The named type a schema is (a `$ref`, or the items of nothing else).
pub(crate) fn named_type(schema: &Value) -> Option<&str> {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(ref_target)
}

/// Whether `schema` (a body) is an instance of `group`: one of its types, or an inline
/// object with its primary key and most of the core's properties.
pub(crate) fn is_instance(
    schema: &Value,
    group: &TypeGroup,
    types: &BTreeMap<String, Value>,
) -> bool {
    if let Some(name) = named_type(schema) {
        return group.types.contains(name);
    }
    let props = property_names(resolve_ref(types, schema));
    if !props.contains(group.key.as_str()) {
        return false;
    }
    let core = group
        .types
        .iter()
        .filter_map(|t| types.get(t))
        .map(property_names)
        .max_by_key(BTreeSet::len)
        .unwrap_or_default();
    props.intersection(&core).count() * 2 >= props.len().max(1)
}

#[cfg(test)]
mod tests;
