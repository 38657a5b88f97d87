//! Corpus gate for the stateful mock (issue 13): against a running `mockdown serve
//! --stateful`, for every entity with a save and a read operation, save a changed documented
//! sample (its text fields changed, its primary key 0 for a new id) and read it back with
//! every read operation of the entity: the saved fields must come back unchanged (what was
//! sent is in what is read: a stored entity is completed with what the sent objects lack), and the
//! answer must keep the read operation's contract. At least 95 % of entities must pass.
//!
//! ```text
//! mockdown gate stateful http://127.0.0.1:4010 ../shared/corpus
//! ```

use std::path::Path;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde_json::{Value, json};

use crate::client::HttpClient;
use crate::contract::types::resolve_ref;
use crate::contract::validate::{SchemaSet, violations};
use crate::contract::{Contract, Operation};
use crate::verify::sample::sample_call;
use crate::{contract, docs};

async fn send(
    client: &HttpClient,
    method: &str,
    url: &str,
    body: Option<&Value>,
) -> anyhow::Result<(u16, Value)> {
    let mut req = hyper::Request::builder()
        .method(method)
        .uri(url)
        .header("authorization", "Basic dGplMDpUamUw")
        .header("accept", "application/json");
    if body.is_some() {
        req = req.header("content-type", "application/json");
    }
    let bytes = body.map(|b| b.to_string()).unwrap_or_default();
    let resp = client
        .request(req.body(Full::new(Bytes::from(bytes)))?)
        .await?;
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await?.to_bytes();
    Ok((status, serde_json::from_slice(&body).unwrap_or(Value::Null)))
}

/// The sample body with its plain text fields changed (a save that is not the sample's).
fn changed(body: &Value, schema: &Value, contract: &Contract, key: &str) -> Value {
    let mut body = body.clone();
    let props = resolve_ref(&contract.types, schema)
        .get("properties")
        .cloned()
        .unwrap_or(Value::Null);
    if let Value::Object(map) = &mut body {
        for (name, value) in map.iter_mut() {
            let prop = resolve_ref(&contract.types, &props[name.as_str()]);
            let plain_text = prop.get("type") == Some(&json!("string"))
                && prop.get("format").is_none()
                && prop.get("enum").is_none();
            if plain_text && value.is_string() {
                *value = json!(format!("Changed {name}"));
            }
        }
        map.insert(key.to_string(), json!(0));
    }
    body
}

/// Whether what was sent is in what is read: equal scalars, the same keys with values in,
/// lists of the same length item by item (a server completes what it stores: an `Emails`
/// item sent without `TableRight` reads back with one).
fn contains(got: &Value, sent: &Value) -> bool {
    match (got, sent) {
        (Value::Object(got), Value::Object(sent)) => sent
            .iter()
            .all(|(k, v)| got.get(k).is_some_and(|g| contains(g, v))),
        (Value::Array(got), Value::Array(sent)) => {
            got.len() == sent.len() && got.iter().zip(sent).all(|(g, s)| contains(g, s))
        }
        (got, sent) => got == sent,
    }
}

/// The URL of a read operation for entity `id`.
fn read_url(base: &str, op: &Operation, id: &Value, source: &Value) -> String {
    let id = id.to_string();
    match source["in"].as_str() {
        Some("path") => {
            let name = source["name"].as_str().unwrap_or("id");
            format!("{base}{}", op.path.replace(&format!("{{{name}}}"), &id))
        }
        _ => format!(
            "{base}{}?{}={id}",
            op.path,
            source["name"].as_str().unwrap_or("id")
        ),
    }
}

/// Runs the gate; `args[0]` is its name, the rest its arguments.
pub(crate) fn main(args: Vec<String>) -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(gate(args))
}

/// What one entity's save-and-read-back came to: `None` when it has no save with a body or
/// no read (not tried), else the failures found (empty: passed).
async fn check_entity(
    client: &HttpClient,
    base: &str,
    contract: &Contract,
    schemas: &SchemaSet,
    entity: &Value,
) -> anyhow::Result<Option<Vec<String>>> {
    let by_id = |id: &str| contract.operations.iter().find(|op| op.operation_id == id);
    let name = entity["name"].as_str().unwrap_or_default();
    let key = entity["key"].as_str().unwrap_or_default();
    let ops = entity["operations"].as_array().cloned().unwrap_or_default();
    let role = |r: &'static str| ops.iter().filter(move |o| o["role"] == r);
    // A save whose sample sends a body, and the entity's reads.
    let save = role("save").find_map(|o| {
        let op = by_id(o["operationId"].as_str()?)?;
        let call = sample_call(op, None)?;
        (op.method == "POST" && call.body.is_some()).then_some((op, call))
    });
    let reads: Vec<(&Operation, Value)> = role("read")
        .filter_map(|o| Some((by_id(o["operationId"].as_str()?)?, o["id"].clone())))
        .collect();
    let (Some((save, call)), false) = (save, reads.is_empty()) else {
        return Ok(None);
    };
    let schema = save
        .request_body
        .as_ref()
        .map(|b| &b.schema)
        .unwrap_or(&Value::Null);
    let sent = changed(
        call.body.as_ref().unwrap_or(&Value::Null),
        schema,
        contract,
        key,
    );
    let url = format!("{base}{}", call.path_and_query);
    let (status, stored) = send(client, "POST", &url, Some(&sent)).await?;
    let id = stored[key].clone();
    if !(200..300).contains(&status) || id.as_i64().is_none_or(|i| i <= 0) {
        let failure = format!("{name}: save {} answered {status}", save.operation_id);
        return Ok(Some(vec![failure]));
    }
    let mut failures = Vec::new();
    for (read, source) in &reads {
        let url = read_url(base, read, &id, source);
        let (status, got) = send(client, &read.method, &url, None).await?;
        let shape = read.response(read.success_status).map(|r| &r.schema);
        let read_props = shape
            .map(|s| resolve_ref(&contract.types, s))
            .and_then(|s| s.get("properties"));
        let lost: Vec<&String> = sent
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| *k != key && read_props.is_some_and(|p| p.get(k.as_str()).is_some()))
            .filter(|(k, v)| !got.get(k.as_str()).is_some_and(|g| contains(g, v)))
            .map(|(k, _)| k)
            .collect();
        let broken = match shape.map(|s| schemas.compile(s)) {
            Some(Ok(validator)) => violations(&validator, &got, "body"),
            _ => Vec::new(),
        };
        if status != read.success_status || !lost.is_empty() || !broken.is_empty() || got[key] != id
        {
            failures.push(format!(
                "{name}: {} answered {status}; fields changed: {lost:?}; violations: {}",
                read.operation_id,
                broken
                    .iter()
                    .map(|v| format!("{} {}", v.pointer, v.expected))
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
    }
    Ok(Some(failures))
}

async fn gate(args: Vec<String>) -> anyhow::Result<()> {
    let base = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "http://127.0.0.1:4010".into());
    let dir = args
        .get(2)
        .cloned()
        .unwrap_or_else(|| "../shared/corpus".into());
    let contract = contract::build_with(docs::load_dir(Path::new(&dir), &|| {})?, false).contract;
    let schemas = SchemaSet::new(&contract.types)?;
    let client: HttpClient = crate::client::http_client()?;
    let (status, listing) =
        send(&client, "GET", &format!("{base}/__mockdown/entities"), None).await?;
    anyhow::ensure!(
        status == 200 && listing["stateful"] == true,
        "the mock is not --stateful"
    );
    let entities = listing["entities"].as_array().cloned().unwrap_or_default();
    let (mut tried, mut passed) = (0, 0);
    let mut failures = Vec::new();
    for entity in &entities {
        if let Some(found) = check_entity(&client, &base, &contract, &schemas, entity).await? {
            tried += 1;
            passed += usize::from(found.is_empty());
            failures.extend(found);
        }
    }
    report(&entities, failures, passed, tried)
}

/// Prints the failures and the share, and exits 0 when at least 95 % of the entities tried
/// passed.
fn report(entities: &[Value], mut failures: Vec<String>, passed: usize, tried: usize) -> ! {
    failures.sort();
    for failure in failures.iter().take(30) {
        println!("  {failure}");
    }
    let share = if tried == 0 {
        0.0
    } else {
        passed as f64 * 100.0 / tried as f64
    };
    let names: Vec<&str> = entities.iter().filter_map(|e| e["name"].as_str()).collect();
    println!(
        "entity groups found: {} ({})",
        names.len(),
        names.join(", ")
    );
    println!("entities saved and read back unchanged and valid: {passed}/{tried} ({share:.1} %)");
    std::process::exit(if tried > 0 && share >= 95.0 { 0 } else { 1 });
}
