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
    /// Entries held (entities, tombstones and stubs).
    entries: usize,
    /// Their weight (about the bytes they take).
    bytes: usize,
}

/// How much the memory store may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StoreLimits {
    /// Most bytes of saved entities and stubs (about their size as JSON).
    pub max_bytes: usize,
    /// Most entries (entities, deleted ids remembered, stubs).
    pub max_entries: usize,
}

impl Default for StoreLimits {
    fn default() -> Self {
        Self {
            max_bytes: 256 * 1024 * 1024,
            max_entries: 1_000_000,
        }
    }
}

/// State kept in this process, within [`StoreLimits`].
#[derive(Debug, Default)]
pub(crate) struct MemoryStore {
    inner: Mutex<Inner>,
    limits: StoreLimits,
}

/// The weight of an entry: about its size as JSON, plus what holding it costs.
fn weight(value: Option<&Value>) -> usize {
    fn size(value: &Value) -> usize {
        match value {
            Value::Null | Value::Bool(_) | Value::Number(_) => 8,
            Value::String(s) => s.len() + 2,
            Value::Array(items) => 2 + items.iter().map(|v| size(v) + 1).sum::<usize>(),
            Value::Object(map) => {
                2 + map
                    .iter()
                    .map(|(k, v)| k.len() + 4 + size(v))
                    .sum::<usize>()
            }
        }
    }
    48 + value.map_or(0, size)
}

impl MemoryStore {
    /// An empty store holding at most `limits`.
    pub(crate) fn with_limits(limits: StoreLimits) -> Self {
        Self {
            inner: Mutex::default(),
            limits,
        }
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether `inner` may take an entry of weight `added` in place of one of weight
    /// `replaced` (`None`: a new entry).
    fn admit(
        &self,
        inner: &Inner,
        added: usize,
        replaced: Option<usize>,
    ) -> Result<(), StoreError> {
        let entries = inner.entries + usize::from(replaced.is_none());
        let bytes = inner.bytes + added - replaced.unwrap_or(0).min(inner.bytes + added);
        if entries > self.limits.max_entries {
            return Err(StoreError::Full(format!(
                "it holds {} entries, its limit (--state-max-entries)",
                self.limits.max_entries
            )));
        }
        if bytes > self.limits.max_bytes {
            return Err(StoreError::Full(format!(
                "this would take it past {} bytes (--state-max-bytes)",
                self.limits.max_bytes
            )));
        }
        Ok(())
    }
}

/// Books an entry of weight `added` in place of one of weight `replaced` into `inner`.
fn book(inner: &mut Inner, added: usize, replaced: Option<usize>) {
    if replaced.is_none() {
        inner.entries += 1;
    }
    inner.bytes = (inner.bytes + added).saturating_sub(replaced.unwrap_or(0));
}

/// The entries and weight of the stubs `inner` holds.
fn stub_weight(inner: &Inner) -> (usize, usize) {
    (
        inner.stubs.len(),
        inner.stubs.values().map(|v| weight(Some(v))).sum(),
    )
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
        let mut inner = self.inner();
        let added = weight(Some(value));
        let replaced = inner
            .entities
            .get(entity)
            .and_then(|m| m.get(&id))
            .map(|old| weight(old.as_ref()));
        self.admit(&inner, added, replaced)?;
        book(&mut inner, added, replaced);
        inner
            .entities
            .entry(entity.to_string())
            .or_default()
            .insert(id, Some(value.clone()));
        Ok(())
    }

    async fn delete(&self, entity: &str, id: i64) -> Result<bool, StoreError> {
        let mut inner = self.inner();
        let replaced = inner
            .entities
            .get(entity)
            .and_then(|m| m.get(&id))
            .map(|old| weight(old.as_ref()));
        // A tombstone weighs less than what it replaces; a new one must fit.
        self.admit(&inner, weight(None), replaced)?;
        book(&mut inner, weight(None), replaced);
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
        let (stub_entries, stub_bytes) = stub_weight(&inner);
        let mut loaded = Inner {
            entries: stub_entries,
            bytes: stub_bytes,
            ..Inner::default()
        };
        for (name, id, value) in entries {
            let added = weight(Some(&value));
            let replaced = loaded
                .entities
                .get(&name)
                .and_then(|m| m.get(&id))
                .map(|old| weight(old.as_ref()));
            self.admit(&loaded, added, replaced)?;
            book(&mut loaded, added, replaced);
            loaded
                .entities
                .entry(name)
                .or_default()
                .insert(id, Some(value));
        }
        inner.entities = loaded.entities;
        inner.counters.clear();
        inner.entries = loaded.entries;
        inner.bytes = loaded.bytes;
        Ok(())
    }

    async fn clear(&self) -> Result<(), StoreError> {
        let mut inner = self.inner();
        inner.entities.clear();
        inner.counters.clear();
        let (entries, bytes) = stub_weight(&inner);
        inner.entries = entries;
        inner.bytes = bytes;
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
        let added = weight(Some(stub));
        let replaced = inner.stubs.get(id).map(|old| weight(Some(old)));
        self.admit(&inner, added, replaced)?;
        book(&mut inner, added, replaced);
        inner.stubs.insert(id.to_string(), stub.clone());
        inner.hits.remove(id);
        inner.version += 1;
        Ok(())
    }

    async fn delete_stubs(&self, id: Option<&str>) -> Result<usize, StoreError> {
        let mut inner = self.inner();
        let gone: Vec<Value> = match id {
            Some(id) => {
                inner.hits.remove(id);
                inner.stubs.remove(id).into_iter().collect()
            }
            None => {
                inner.hits.clear();
                std::mem::take(&mut inner.stubs).into_values().collect()
            }
        };
        let removed = gone.len();
        for stub in &gone {
            inner.entries = inner.entries.saturating_sub(1);
            inner.bytes = inner.bytes.saturating_sub(weight(Some(stub)));
        }
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
