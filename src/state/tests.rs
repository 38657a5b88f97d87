//! The memory store keeps the contract of the trait (the Redis store is exercised against a
//! real redis-server by `.ci/run`).

use serde_json::json;

use super::*;

#[tokio::test]
async fn saves_reads_deletes_and_counts() {
    let store = MemoryStore::default();
    assert_eq!(store.get("Contact", 1).await.ok(), Some(Stored::Absent));
    store
        .put("Contact", 5, &json!({"ContactId": 5}))
        .await
        .expect("put");
    assert_eq!(
        store.get("Contact", 5).await.ok(),
        Some(Stored::Value(json!({"ContactId": 5})))
    );
    let ids: Vec<i64> = [
        store.next_id("Contact").await.expect("id"),
        store.next_id("Contact").await.expect("id"),
    ]
    .into();
    assert_eq!(ids, [1, 2]);
    store.put("Contact", 6, &json!({})).await.expect("put");
    assert_eq!(store.next_id("Contact").await.expect("id"), 3);
    assert!(store.delete("Contact", 5).await.expect("delete"));
    assert_eq!(store.get("Contact", 5).await.ok(), Some(Stored::Deleted));
    let exported = store.export().await.expect("export");
    assert_eq!(exported, json!({"entities": {"Contact": {"6": {}}}}));
    store
        .import(&json!({"entities": {"Person": {"9": {"PersonId": 9}}}}))
        .await
        .expect("import");
    assert_eq!(store.get("Contact", 6).await.ok(), Some(Stored::Absent));
    assert!(store.import(&json!({"nope": 1})).await.is_err());
    store.clear().await.expect("clear");
    assert_eq!(
        store.export().await.expect("export"),
        json!({"entities": {}})
    );
}

#[tokio::test]
async fn stubs_have_versions_and_hits() {
    let store = MemoryStore::default();
    let v0 = store.stubs_version().await.expect("version");
    store.put_stub("a", &json!({"x": 1})).await.expect("put");
    assert!(store.stubs_version().await.expect("version") > v0);
    assert_eq!(store.hit_stub("a").await.expect("hit"), 1);
    assert_eq!(store.hit_stub("a").await.expect("hit"), 2);
    assert_eq!(
        store.stub_hits().await.expect("hits"),
        [("a".to_string(), 2)]
    );
    assert_eq!(store.delete_stubs(None).await.expect("delete"), 1);
    assert!(store.stubs().await.expect("stubs").1.is_empty());
}

/// The Redis store against a real redis-server named by `MOCKDOWN_TEST_REDIS`: ignored by
/// a bare `cargo test`, which has no server; `.ci/redis.sh` starts one on a free loopback
/// port and runs it with `--include-ignored` (without the variable it fails, not passes).
#[cfg(feature = "redis")]
#[tokio::test]
#[ignore = "needs a redis-server: MOCKDOWN_TEST_REDIS=redis://HOST:PORT/DB cargo test --lib redis_store -- --include-ignored (.ci/redis.sh runs it)"]
async fn redis_store_keeps_the_same_contract() {
    let url = std::env::var("MOCKDOWN_TEST_REDIS")
        .expect("MOCKDOWN_TEST_REDIS names the redis-server to test against");
    let namespace = format!("mockdown-test-{}", std::process::id());
    let store = RedisStore::open(&url, &namespace).expect("url");
    store.clear().await.expect("clear");
    store.delete_stubs(None).await.expect("clear stubs");
    store
        .put("Contact", 5, &json!({"ContactId": 5}))
        .await
        .expect("put");
    assert_eq!(
        store.get("Contact", 5).await.ok(),
        Some(Stored::Value(json!({"ContactId": 5})))
    );
    assert_eq!(store.next_id("Contact").await.expect("id"), 1);
    store.put("Contact", 2, &json!({})).await.expect("put");
    assert_eq!(store.next_id("Contact").await.expect("id"), 3, "2 is taken");
    assert!(store.delete("Contact", 5).await.expect("delete"));
    assert_eq!(store.get("Contact", 5).await.ok(), Some(Stored::Deleted));
    assert_eq!(
        store.export().await.expect("export"),
        json!({"entities": {"Contact": {"2": {}}}})
    );
    let v0 = store.stubs_version().await.expect("version");
    store.put_stub("a", &json!({"x": 1})).await.expect("stub");
    assert!(store.stubs_version().await.expect("version") > v0);
    assert_eq!(store.hit_stub("a").await.expect("hit"), 1);
    assert_eq!(store.stubs().await.expect("stubs").1.len(), 1);
    store.clear().await.expect("clear");
    store.delete_stubs(None).await.expect("clear stubs");
    let other = RedisStore::open(&url, "elsewhere").expect("url");
    assert_eq!(
        other.get("Contact", 2).await.ok(),
        Some(Stored::Absent),
        "namespaces"
    );
}

#[tokio::test]
async fn the_memory_store_keeps_within_its_limits() {
    let store = MemoryStore::with_limits(super::StoreLimits {
        max_bytes: 1024,
        max_entries: 3,
    });
    let small = serde_json::json!({"Name": "x"});
    for id in 1..=3 {
        store.put("Contact", id, &small).await.expect("fits");
    }
    // A fourth entry is refused; replacing one that is held is not.
    assert!(matches!(
        store.put("Contact", 4, &small).await,
        Err(StoreError::Full(_))
    ));
    store
        .put("Contact", 2, &small)
        .await
        .expect("a replacement fits");
    // Too many bytes: refused, and nothing stored.
    store.clear().await.expect("cleared");
    let big = serde_json::json!({"Name": "y".repeat(2000)});
    assert!(matches!(
        store.put("Contact", 9, &big).await,
        Err(StoreError::Full(_))
    ));
    assert_eq!(
        store.get("Contact", 9).await.expect("answers"),
        Stored::Absent
    );
    // Cleared, it takes entries again.
    for id in 1..=3 {
        store
            .put("Contact", id, &small)
            .await
            .expect("fits after clear");
    }
}
