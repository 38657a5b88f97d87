//! The stubs a server answers with: kept in memory for the request path (a read lock and an
//! `Arc` clone), following the store, where they live so replicas share them. A replica
//! polls the store's stub version; when Redis is away it keeps answering with the stubs it
//! knows.

use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use serde_json::{Value, json};

use super::{Stub, ordered};
use crate::state::{StateStore, StoreError};

/// How often a replica asks the store whether the stubs changed.
const FOLLOW_EVERY: Duration = Duration::from_millis(250);

/// The stubs of one server.
pub(crate) struct StubBook {
    store: Arc<dyn StateStore>,
    /// The store's version they were read at, and the stubs in the order they are tried.
    current: RwLock<(u64, Arc<Vec<Stub>>)>,
    /// Stubs the contract served now refuses (after a reload of the docs), by id, with why:
    /// they no longer answer until replaced.
    stale: RwLock<BTreeMap<String, String>>,
}

impl StubBook {
    /// An empty book over `store` (call [`StubBook::reload`] to read what it holds).
    pub(crate) fn new(store: Arc<dyn StateStore>) -> Self {
        Self {
            store,
            current: RwLock::new((u64::MAX, Arc::new(Vec::new()))),
            stale: RwLock::new(BTreeMap::new()),
        }
    }

    /// Whether stub `id` is stale (it breaks the contract served now).
    pub(crate) fn is_stale(&self, id: &str) -> bool {
        let stale = self.stale.read().unwrap_or_else(PoisonError::into_inner);
        !stale.is_empty() && stale.contains_key(id)
    }

    /// Marks the stubs that break the contract served now (id → why); the others answer.
    pub(crate) fn mark_stale(&self, stale: BTreeMap<String, String>) {
        *self.stale.write().unwrap_or_else(PoisonError::into_inner) = stale;
    }

    /// The stubs, in the order they are tried.
    pub(crate) fn stubs(&self) -> Arc<Vec<Stub>> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .1
            .clone()
    }

    /// Reads the stubs from the store.
    pub(crate) async fn reload(&self) -> Result<(), StoreError> {
        let (version, stored) = self.store.stubs().await?;
        let stubs = stored
            .iter()
            .filter_map(|(_, value)| {
                let seq = value.get("seq").and_then(Value::as_u64).unwrap_or(0);
                Stub::parse(value.get("stub")?).ok().map(|s| (seq, s))
            })
            .collect();
        *self.current.write().unwrap_or_else(PoisonError::into_inner) =
            (version, Arc::new(ordered(stubs)));
        Ok(())
    }

    /// Adds (or replaces) a stub, already checked, in the store, and reads them again.
    pub(crate) async fn add(&self, stub: &Stub) -> Result<(), StoreError> {
        let seq = self.store.stubs_version().await? + 1;
        let value = serde_json::to_value(stub).map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.store
            .put_stub(&stub.id, &json!({"seq": seq, "stub": value}))
            .await?;
        // Checked against the contract served now: no longer stale.
        self.stale
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&stub.id);
        self.reload().await
    }

    /// Removes stub `id` (every stub with `None`); how many went.
    pub(crate) async fn remove(&self, id: Option<&str>) -> Result<usize, StoreError> {
        let removed = self.store.delete_stubs(id).await?;
        self.reload().await?;
        Ok(removed)
    }

    /// Counts one answer by `stub`; whether it may still answer (its `times` not used up).
    /// While the store is away the stubs a replica knows keep answering (their counts are
    /// lost for that time).
    pub(crate) async fn take(&self, stub: &Stub) -> Result<bool, StoreError> {
        match self.store.hit_stub(&stub.id).await {
            Ok(hits) => Ok(stub.times.is_none_or(|times| hits <= times)),
            Err(StoreError::Unavailable(why)) => {
                tracing::warn!(stub = %stub.id, error = %why, "stub answered uncounted");
                Ok(true)
            }
            Err(other) => Err(other),
        }
    }

    /// The stubs with their hit counts (`hits`: answers given; `matched`: requests that
    /// matched, used-up ones included), as `GET /__mockdown/stubs` lists them.
    pub(crate) async fn listing(&self) -> Result<Value, StoreError> {
        let hits = self.store.stub_hits().await?;
        let stubs: Vec<Value> = self
            .stubs()
            .iter()
            .map(|stub| {
                let count = hits
                    .iter()
                    .find(|(id, _)| *id == stub.id)
                    .map_or(0, |h| h.1);
                let mut value = serde_json::to_value(stub).unwrap_or(Value::Null);
                // Answers given (a stub whose `times` are used up matches but no longer
                // answers), and requests matched.
                value["hits"] = json!(stub.times.map_or(count, |times| count.min(times)));
                value["matched"] = json!(count);
                if let Some(reason) = self
                    .stale
                    .read()
                    .unwrap_or_else(PoisonError::into_inner)
                    .get(&stub.id)
                {
                    value["stale"] = json!(reason);
                }
                value
            })
            .collect();
        Ok(json!({ "stubs": stubs }))
    }

    /// Follows the store: reads the stubs again whenever their version moves. Runs until
    /// the book is dropped; errors (Redis away) keep the stubs known.
    pub(crate) async fn follow(book: std::sync::Weak<StubBook>) {
        let mut tick = tokio::time::interval(FOLLOW_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(book) = book.upgrade() else { return };
            let known = book
                .current
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            if let Ok(version) = book.store.stubs_version().await
                && version != known
                && let Err(err) = book.reload().await
            {
                tracing::warn!(error = %err, "stubs not reloaded");
            }
        }
    }
}
