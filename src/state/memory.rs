//! The in-memory store: one replica's state, behind a mutex (state calls are rare next to
//! stateless ones, and each holds the lock for a map operation only).

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;
use serde_json::{Map, Value, json};

use super::{StateStore, StoreError, Stored, entries_of};

#[derive(Debug, Default)]
struct Inner {
    /// Entity → id → value (`None`: deleted).
    entities: BTreeMap<String, BTreeMap<i64, Option<Value>>>,
    counters: BTreeMap<String, i64>,
    stubs: BTreeMap<String, Value>,
    hits: BTreeMap<String, u64>,
    version: u64,
}

/// State kept in this process.
#[derive(Debug, Default)]
pub struct MemoryStore(Mutex<Inner>);

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl StateStore for MemoryStore {
    async fn get(&self, entity: &str, id: i64) -> Result<Stored, StoreError> {
        Ok(
            match self.inner().entities.get(entity).and_then(|m| m.get(&id)) {
                None => Stored::Absent,
                Some(None) => Stored::Deleted,
                Some(Some(v)) => Stored::Value(v.clone()),
            },
        )
    }

    async fn put(&self, entity: &str, id: i64, value: &Value) -> Result<(), StoreError> {
        self.inner()
            .entities
            .entry(entity.to_string())
            .or_default()
            .insert(id, Some(value.clone()));
        Ok(())
    }

    async fn delete(&self, entity: &str, id: i64) -> Result<bool, StoreError> {
        let mut inner = self.inner();
        let slot = inner.entities.entry(entity.to_string()).or_default();
        Ok(matches!(slot.insert(id, None), Some(Some(_))))
    }

    async fn next_id(&self, entity: &str) -> Result<i64, StoreError> {
        let mut inner = self.inner();
        let Inner {
            entities, counters, ..
        } = &mut *inner;
        let used = entities.get(entity);
        let counter = counters.entry(entity.to_string()).or_insert(0);
        loop {
            *counter += 1;
            if !used.is_some_and(|m| m.contains_key(counter)) {
                return Ok(*counter);
            }
        }
    }

    async fn export(&self) -> Result<Value, StoreError> {
        let inner = self.inner();
        let mut entities = Map::new();
        for (name, items) in &inner.entities {
            let live: Map<String, Value> = items
                .iter()
                .filter_map(|(id, v)| v.as_ref().map(|v| (id.to_string(), v.clone())))
                .collect();
            if !live.is_empty() {
                entities.insert(name.clone(), Value::Object(live));
            }
        }
        Ok(json!({ "entities": entities }))
    }

    async fn import(&self, state: &Value) -> Result<(), StoreError> {
        let entries = entries_of(state)?;
        let mut inner = self.inner();
        inner.entities.clear();
        inner.counters.clear();
        for (name, id, value) in entries {
            inner
                .entities
                .entry(name)
                .or_default()
                .insert(id, Some(value));
        }
        Ok(())
    }

    async fn clear(&self) -> Result<(), StoreError> {
        let mut inner = self.inner();
        inner.entities.clear();
        inner.counters.clear();
        Ok(())
    }

    async fn stubs(&self) -> Result<(u64, Vec<(String, Value)>), StoreError> {
        let inner = self.inner();
        Ok((
            inner.version,
            inner
                .stubs
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ))
    }

    async fn stubs_version(&self) -> Result<u64, StoreError> {
        Ok(self.inner().version)
    }

    async fn put_stub(&self, id: &str, stub: &Value) -> Result<(), StoreError> {
        let mut inner = self.inner();
        inner.stubs.insert(id.to_string(), stub.clone());
        inner.hits.remove(id);
        inner.version += 1;
        Ok(())
    }

    async fn delete_stubs(&self, id: Option<&str>) -> Result<usize, StoreError> {
        let mut inner = self.inner();
        let removed = match id {
            Some(id) => {
                inner.hits.remove(id);
                usize::from(inner.stubs.remove(id).is_some())
            }
            None => {
                inner.hits.clear();
                std::mem::take(&mut inner.stubs).len()
            }
        };
        inner.version += 1;
        Ok(removed)
    }

    async fn hit_stub(&self, id: &str) -> Result<u64, StoreError> {
        let mut inner = self.inner();
        let hits = inner.hits.entry(id.to_string()).or_insert(0);
        *hits += 1;
        Ok(*hits)
    }

    async fn stub_hits(&self) -> Result<Vec<(String, u64)>, StoreError> {
        Ok(self
            .inner()
            .hits
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect())
    }

    fn describe(&self) -> String {
        "memory".into()
    }
}
