//! State in Redis, shared by replicas: entities in one hash per entity (a tombstone for a
//! deleted id), id counters by INCR (no two replicas hand out one id), stubs in a hash with
//! a version key the replicas poll and a hash of hit counts. Keys live under a namespace so
//! parallel CI jobs never see each other. Every call has a short timeout: when Redis is
//! gone the caller answers 503 at once and recovers when it is back.

use std::time::Duration;

use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde_json::{Map, Value, json};

use super::{StateStore, StoreError, Stored, entries_of};

/// What a deleted id holds (no JSON text starts with `~`).
const TOMBSTONE: &str = "~";

/// State in a Redis server.
pub(crate) struct RedisStore {
    conn: ConnectionManager,
    namespace: String,
    url: String,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RedisStore({}, {})", self.url, self.namespace)
    }
}

fn unavailable(err: redis::RedisError) -> StoreError {
    StoreError::Unavailable(err.to_string())
}

impl RedisStore {
    /// A store at `url` (`redis://HOST:PORT[/DB]`) under `namespace`. Connects lazily, so
    /// the mock starts (and answers stateless calls) while Redis is away.
    pub(crate) fn open(url: &str, namespace: &str) -> anyhow::Result<Self> {
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_millis(500)))
            .set_response_timeout(Some(Duration::from_millis(1000)))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let conn = ConnectionManager::new_lazy_with_config(client, config)?;
        Ok(Self {
            conn,
            namespace: namespace.to_string(),
            url: url.to_string(),
        })
    }

    fn key(&self, parts: &[&str]) -> String {
        let mut key = self.namespace.clone();
        for part in parts {
            key.push(':');
            key.push_str(part);
        }
        key
    }

    async fn query<T: redis::FromRedisValue>(&self, cmd: &redis::Cmd) -> Result<T, StoreError> {
        let mut conn = self.conn.clone();
        cmd.query_async(&mut conn).await.map_err(unavailable)
    }

    async fn entity_names(&self) -> Result<Vec<String>, StoreError> {
        self.query(redis::cmd("SMEMBERS").arg(self.key(&["entities"])))
            .await
    }

    async fn remember(&self, entity: &str) -> Result<(), StoreError> {
        self.query::<()>(redis::cmd("SADD").arg(self.key(&["entities"])).arg(entity))
            .await
    }
}

#[async_trait]
impl StateStore for RedisStore {
    async fn get(&self, entity: &str, id: i64) -> Result<Stored, StoreError> {
        let text: Option<String> = self
            .query(redis::cmd("HGET").arg(self.key(&["e", entity])).arg(id))
            .await?;
        Ok(match text.as_deref() {
            None => Stored::Absent,
            Some(TOMBSTONE) => Stored::Deleted,
            Some(text) => Stored::Value(
                serde_json::from_str(text).map_err(|e| StoreError::Invalid(e.to_string()))?,
            ),
        })
    }

    async fn put(&self, entity: &str, id: i64, value: &Value) -> Result<(), StoreError> {
        self.remember(entity).await?;
        self.query::<()>(
            redis::cmd("HSET")
                .arg(self.key(&["e", entity]))
                .arg(id)
                .arg(value.to_string()),
        )
        .await
    }

    async fn delete(&self, entity: &str, id: i64) -> Result<bool, StoreError> {
        let was = self.get(entity, id).await?;
        self.remember(entity).await?;
        self.query::<()>(
            redis::cmd("HSET")
                .arg(self.key(&["e", entity]))
                .arg(id)
                .arg(TOMBSTONE),
        )
        .await?;
        Ok(matches!(was, Stored::Value(_)))
    }

    async fn next_id(&self, entity: &str) -> Result<i64, StoreError> {
        self.remember(entity).await?;
        loop {
            let id: i64 = self
                .query(redis::cmd("INCR").arg(self.key(&["c", entity])))
                .await?;
            let used: bool = self
                .query(redis::cmd("HEXISTS").arg(self.key(&["e", entity])).arg(id))
                .await?;
            if !used {
                return Ok(id);
            }
        }
    }

    async fn export(&self) -> Result<Value, StoreError> {
        let mut entities = Map::new();
        let mut names = self.entity_names().await?;
        names.sort();
        for name in names {
            let items: Vec<(String, String)> = self
                .query(redis::cmd("HGETALL").arg(self.key(&["e", &name])))
                .await?;
            let mut live: Vec<(i64, Value)> = Vec::new();
            for (id, text) in items {
                if text == TOMBSTONE {
                    continue;
                }
                let (Ok(id), Ok(value)) = (id.parse::<i64>(), serde_json::from_str(&text)) else {
                    continue;
                };
                live.push((id, value));
            }
            live.sort_by_key(|(id, _)| *id);
            if !live.is_empty() {
                let map: Map<String, Value> = live
                    .into_iter()
                    .map(|(id, v)| (id.to_string(), v))
                    .collect();
                entities.insert(name, Value::Object(map));
            }
        }
        Ok(json!({ "entities": entities }))
    }

    async fn import(&self, state: &Value) -> Result<(), StoreError> {
        let entries = entries_of(state)?;
        self.clear().await?;
        for (name, id, value) in entries {
            self.put(&name, id, &value).await?;
        }
        Ok(())
    }

    async fn clear(&self) -> Result<(), StoreError> {
        for name in self.entity_names().await? {
            self.query::<()>(
                redis::cmd("DEL")
                    .arg(self.key(&["e", &name]))
                    .arg(self.key(&["c", &name])),
            )
            .await?;
        }
        self.query::<()>(redis::cmd("DEL").arg(self.key(&["entities"])))
            .await
    }

    async fn stubs(&self) -> Result<(u64, Vec<(String, Value)>), StoreError> {
        let version = self.stubs_version().await?;
        let items: Vec<(String, String)> = self
            .query(redis::cmd("HGETALL").arg(self.key(&["stubs"])))
            .await?;
        let mut stubs: Vec<(String, Value)> = items
            .into_iter()
            .filter_map(|(id, text)| serde_json::from_str(&text).ok().map(|v| (id, v)))
            .collect();
        stubs.sort_by(|a, b| a.0.cmp(&b.0));
        Ok((version, stubs))
    }

    async fn stubs_version(&self) -> Result<u64, StoreError> {
        let version: Option<u64> = self
            .query(redis::cmd("GET").arg(self.key(&["stubs", "version"])))
            .await?;
        Ok(version.unwrap_or(0))
    }

    async fn put_stub(&self, id: &str, stub: &Value) -> Result<(), StoreError> {
        self.query::<()>(
            redis::cmd("HSET")
                .arg(self.key(&["stubs"]))
                .arg(id)
                .arg(stub.to_string()),
        )
        .await?;
        self.query::<()>(redis::cmd("HDEL").arg(self.key(&["stubs", "hits"])).arg(id))
            .await?;
        self.query::<()>(redis::cmd("INCR").arg(self.key(&["stubs", "version"])))
            .await
    }

    async fn delete_stubs(&self, id: Option<&str>) -> Result<usize, StoreError> {
        let removed: usize = match id {
            Some(id) => {
                self.query::<()>(redis::cmd("HDEL").arg(self.key(&["stubs", "hits"])).arg(id))
                    .await?;
                self.query(redis::cmd("HDEL").arg(self.key(&["stubs"])).arg(id))
                    .await?
            }
            None => {
                let count: usize = self
                    .query(redis::cmd("HLEN").arg(self.key(&["stubs"])))
                    .await?;
                self.query::<()>(
                    redis::cmd("DEL")
                        .arg(self.key(&["stubs"]))
                        .arg(self.key(&["stubs", "hits"])),
                )
                .await?;
                count
            }
        };
        self.query::<()>(redis::cmd("INCR").arg(self.key(&["stubs", "version"])))
            .await?;
        Ok(removed)
    }

    async fn hit_stub(&self, id: &str) -> Result<u64, StoreError> {
        self.query(
            redis::cmd("HINCRBY")
                .arg(self.key(&["stubs", "hits"]))
                .arg(id)
                .arg(1),
        )
        .await
    }

    async fn stub_hits(&self) -> Result<Vec<(String, u64)>, StoreError> {
        self.query(redis::cmd("HGETALL").arg(self.key(&["stubs", "hits"])))
            .await
    }

    fn describe(&self) -> String {
        format!("{} (namespace {})", self.url, self.namespace)
    }
}
