//! Issue 12 §6: verify catches broken servers. Three of them, against the pages named by
//! `MOCKDOWN_CORPUS` (`.ci/run` runs it so on the corpus, as a gate of its own) and the
//! seed pages otherwise (a plain `cargo test`): `{}` to everything, 404 to everything, and the mock's own answers with every
//! string turned into a number. Each must fail at least 99 % of the operations it concerns.
//! Also: the values file and `-H` reach the server.

use super::common;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::contract::{self, Contract};
use crate::verify::run::{OpResult, VerifyOptions, run};
use crate::verify::values::Values;
use crate::{MockConfig, docs};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde_json::Value;

fn pages() -> String {
    match std::env::var("MOCKDOWN_CORPUS") {
        Ok(corpus) => {
            assert!(
                Path::new(&corpus).is_dir(),
                "MOCKDOWN_CORPUS={corpus} is no folder"
            );
            corpus
        }
        Err(_) => "docs".into(),
    }
}

fn contract_of(dir: &str) -> Contract {
    let set = docs::load_dir(Path::new(dir), &|| {}).expect("pages load");
    contract::build_with(set, false).contract
}

async fn verify(contract: &Contract, target: String) -> HashMap<String, OpResult> {
    let options = VerifyOptions {
        target,
        concurrency: 16,
        timeout: Duration::from_secs(30),
        ..VerifyOptions::default()
    };
    run(
        Arc::new(contract.clone()),
        Arc::new(options),
        Arc::new(|_: &OpResult| {}),
    )
    .await
    .expect("verify runs")
    .into_iter()
    .map(|r| (r.operation_id.clone(), r))
    .collect()
}

/// The share of `ids` that failed, in per cent.
fn failed_share(results: &HashMap<String, OpResult>, ids: &[String]) -> f64 {
    let failed = ids.iter().filter(|id| results[*id].failed()).count();
    100.0 * failed as f64 / ids.len().max(1) as f64
}

/// Operations with a sample request whose sample answers 2xx with a body.
fn with_2xx_body(contract: &Contract) -> Vec<String> {
    contract
        .operations
        .iter()
        .filter(|op| op.example.request.is_some())
        .filter(|op| {
            op.example
                .response
                .as_ref()
                .is_some_and(|r| (200..300).contains(&r.status) && r.body.is_some())
        })
        .map(|op| op.operation_id.clone())
        .collect()
}

fn holds_string(value: &Value) -> bool {
    match value {
        Value::String(_) => true,
        Value::Array(items) => items.iter().any(holds_string),
        Value::Object(map) => map.values().any(holds_string),
        _ => false,
    }
}

fn strings_to_numbers(value: &mut Value) {
    match value {
        Value::String(_) => *value = Value::from(7),
        Value::Array(items) => items.iter_mut().for_each(strings_to_numbers),
        Value::Object(map) => map.values_mut().for_each(strings_to_numbers),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_broken_servers_fail_at_least_99_percent() {
    let dir = pages();
    let contract = contract_of(&dir);
    let bodies = with_2xx_body(&contract);
    assert!(!bodies.is_empty());

    let empty = common::start_upstream(|_, _, _| (200, "application/json", "{}".into())).await;
    let results = verify(&contract, format!("http://{empty}")).await;
    let share = failed_share(&results, &bodies);
    println!(
        "`{{}}` everywhere: {share:.2} % of {} operations failed",
        bodies.len()
    );
    assert!(share >= 99.0, "{share:.2} %");

    let missing = common::start_upstream(|_, _, _| {
        (
            404,
            "application/json",
            r#"{"Error": true, "ErrorType": "NotFound", "ErrorMessage": "nothing here"}"#.into(),
        )
    })
    .await;
    let results = verify(&contract, format!("http://{missing}")).await;
    let share = failed_share(&results, &bodies);
    println!(
        "404 everywhere: {share:.2} % of {} operations failed",
        bodies.len()
    );
    assert!(share >= 99.0, "{share:.2} %");

    // The mock's own answers, every string turned into a number.
    let mock = common::start(&dir, MockConfig::default()).await;
    let base = mock.url();
    let client = crate::client::http_client().expect("a client");
    let numbers = numbers_server(client, base).await;
    let results = verify(&contract, numbers).await;
    let with_strings: Vec<String> = contract
        .operations
        .iter()
        .filter(|op| bodies.contains(&op.operation_id))
        .filter(|op| {
            op.example
                .response
                .as_ref()
                .and_then(|r| r.body.as_ref())
                .is_some_and(holds_string)
        })
        .map(|op| op.operation_id.clone())
        .collect();
    let share = failed_share(&results, &with_strings);
    println!(
        "strings as numbers: {share:.2} % of {} operations failed",
        with_strings.len()
    );
    assert!(share >= 99.0, "{share:.2} %");
    mock.stop().await;
}

/// A server that forwards to `base` and turns every string of a JSON answer into a number.
async fn numbers_server(client: crate::client::HttpClient, base: String) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (client, base) = (client.clone(), base.clone());
            tokio::spawn(async move {
                let service = hyper::service::service_fn(
                    move |req: hyper::Request<hyper::body::Incoming>| {
                        let (client, base) = (client.clone(), base.clone());
                        async move {
                            let (parts, body) = req.into_parts();
                            let body = body.collect().await?.to_bytes();
                            let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
                            let mut forward = hyper::Request::builder()
                                .method(parts.method.clone())
                                .uri(format!("{base}{path}"));
                            for (name, value) in &parts.headers {
                                if name != "host" {
                                    forward = forward.header(name, value);
                                }
                            }
                            let answer = client
                                .request(forward.body(Full::new(body)).expect("builds"))
                                .await
                                .expect("the mock answers");
                            let (mut head, body) = answer.into_parts();
                            let mut bytes = body.collect().await?.to_bytes();
                            if let Ok(mut json) = serde_json::from_slice::<Value>(&bytes) {
                                strings_to_numbers(&mut json);
                                bytes = Bytes::from(json.to_string());
                                head.headers.remove("content-length");
                            }
                            Ok::<_, hyper::Error>(hyper::Response::from_parts(
                                head,
                                Full::new(bytes),
                            ))
                        }
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn values_and_headers_reach_the_server() {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = seen.clone();
    let upstream = common::start_upstream(move |method, path, body| {
        if let Ok(mut log) = log.lock() {
            log.push(format!("{method} {path} {}", String::from_utf8_lossy(body)));
        }
        (500, "text/plain", "no".into())
    })
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("values.toml");
    std::fs::write(
        &file,
        r#"
["*"]
headers = { "X-Tenant" = "t1" }
["/api/v1/Thing/{id}"]
path = { id = 4242 }
query = { "$top" = 3 }
[v1ThingEntity_PostThing]
body = { Name = "From the values file" }
"#,
    )
    .expect("writes");
    let values = Values::load(&file).expect("loads");
    let contract = contract_of("tests/fixtures/api");
    let options = VerifyOptions {
        target: format!("http://{upstream}"),
        values,
        headers: vec![("SO-AppToken".into(), "abc".into())],
        ..VerifyOptions::default()
    };
    run(
        Arc::new(contract),
        Arc::new(options),
        Arc::new(|_: &OpResult| {}),
    )
    .await
    .expect("runs");
    let seen = seen.lock().expect("lock").join("\n");
    assert!(
        seen.contains("GET /api/v1/Thing/4242?%24top=3")
            || seen.contains("GET /api/v1/Thing/4242?$top=3"),
        "{seen}"
    );
    assert!(seen.contains("From the values file"), "{seen}");
}
