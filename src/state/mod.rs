//! The state store of the stateful mock and of runtime stubs: entities saved by clients
//! (by entity and id, with tombstones for deleted ones), the id counters, and the stubs.
//! One trait, two homes: memory (the default) and Redis (shared by replicas). It knows
//! nothing of HTTP or of the contract; the server decides what to store.

mod memory;
#[cfg(feature = "redis")]
mod redis;

use async_trait::async_trait;
use serde_json::Value;

pub(crate) use memory::{MemoryStore, StoreLimits};
#[cfg(feature = "redis")]
pub(crate) use redis::RedisStore;

/// What the store holds for an entity id.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Stored {
    /// Never saved: the mock answers a generated entity.
    Absent,
    /// Saved, then deleted: the mock answers what the page documents for a missing one.
    Deleted,
    /// Saved.
    Value(Value),
}

/// Why the store could not answer.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StoreError {
    /// The store's server cannot be reached (Redis down): the mock answers 503. Only the
    /// Redis store gives it.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    #[error("the state store is unavailable: {0}")]
    Unavailable(String),
    /// What was given cannot be stored (a malformed state document).
    #[error("{0}")]
    Invalid(String),
    /// The store holds as much as it may (memory store: `--state-max-bytes`,
    /// `--state-max-entries`); nothing was stored.
    #[error("the state store is full: {0}")]
    Full(String),
}

/// Where state and stubs live.
#[async_trait]
pub(crate) trait StateStore: Send + Sync {
    /// The entity `id` of `entity`.
    async fn get(&self, entity: &str, id: i64) -> Result<Stored, StoreError>;
    /// Stores `value` as entity `id` of `entity`.
    async fn put(&self, entity: &str, id: i64, value: &Value) -> Result<(), StoreError>;
    /// Deletes entity `id` (a tombstone stays); whether it was stored.
    async fn delete(&self, entity: &str, id: i64) -> Result<bool, StoreError>;
    /// A new id for `entity`, never handed out before by any replica and not in use.
    async fn next_id(&self, entity: &str) -> Result<i64, StoreError>;
    /// All state as `{"entities": {Name: {id: value}}}` (tombstones left out).
    async fn export(&self) -> Result<Value, StoreError>;
    /// Replaces all state with a document of the [`StateStore::export`] shape.
    async fn import(&self, state: &Value) -> Result<(), StoreError>;
    /// Forgets every entity, tombstone and counter.
    async fn clear(&self) -> Result<(), StoreError>;
    /// The stubs, as stored, by id, and the version of the set (it changes on any change).
    async fn stubs(&self) -> Result<(u64, Vec<(String, Value)>), StoreError>;
    /// The version of the stub set alone (cheap: replicas poll it).
    async fn stubs_version(&self) -> Result<u64, StoreError>;
    /// Adds or replaces stub `id`.
    async fn put_stub(&self, id: &str, stub: &Value) -> Result<(), StoreError>;
    /// Removes stub `id`, or every stub when `None`; how many were removed.
    async fn delete_stubs(&self, id: Option<&str>) -> Result<usize, StoreError>;
    /// Counts one more answer by stub `id`; the count so far, this one included.
    async fn hit_stub(&self, id: &str) -> Result<u64, StoreError>;
    /// The answers given by each stub so far.
    async fn stub_hits(&self) -> Result<Vec<(String, u64)>, StoreError>;
    /// A name for logs and health (`memory`, `redis://host:port/db`).
    fn describe(&self) -> String;
}

/// Reads a state document (`{"entities": {Name: {id: value}}}`) into entries.
pub(crate) fn entries_of(state: &Value) -> Result<Vec<(String, i64, Value)>, StoreError> {
    let entities = state
        .get("entities")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            StoreError::Invalid("a state document is {\"entities\": {Name: {id: entity}}}".into())
        })?;
    let mut out = Vec::new();
    for (name, items) in entities {
        let items = items.as_object().ok_or_else(|| {
            StoreError::Invalid(format!("entities.{name} must map ids to entities"))
        })?;
        for (id, value) in items {
            let id: i64 = id.parse().map_err(|_| {
                StoreError::Invalid(format!("entities.{name}: `{id}` is not an integer id"))
            })?;
            out.push((name.clone(), id, value.clone()));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
