//! Corpus gate for the mock server: replays every documented sample request against a
//! running `mockdown serve` (all must be answered 2xx), then the same requests broken in
//! one field four ways: a root field of the wrong type, a date-time set to "not a date",
//! a string outside its (complete) enum, an integer inside a nested object set to a string
//! (of each, at least 99 % must be answered 400 with a pointer to that field). No answer may be a 5xx. The 2xx answers are also read for realism (see
//! `realism.rs`): at least 95 % of the values whose context says what they are must parse
//! as that.
//!
//! ```text
//! mockdown gate replay http://127.0.0.1:4010 ../shared/corpus
//! ```

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde_json::Value;
use tokio::sync::Semaphore;

use crate::client::HttpClient;
use crate::contract::Contract;
use crate::contract::types::resolve_ref;
use crate::verify::sample::{Break, SampleCall, break_one_field, mutate_one_field, sample_call};
use crate::{contract, docs};

mod realism;

async fn send(
    client: &HttpClient,
    base: &str,
    call: &SampleCall,
    body: Option<&Value>,
) -> anyhow::Result<(u16, Value)> {
    let mut req = hyper::Request::builder()
        .method(call.method.as_str())
        .uri(format!("{base}{}", call.path_and_query));
    for (k, v) in &call.headers {
        req = req.header(k.as_str(), v.as_str());
    }
    let bytes = body.map(|b| b.to_string()).unwrap_or_default();
    let resp = client
        .request(req.body(Full::new(Bytes::from(bytes)))?)
        .await?;
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await?.to_bytes();
    Ok((status, serde_json::from_slice(&body).unwrap_or(Value::Null)))
}

/// The sample call with its first complete-enum query parameter set outside the enum, and
/// the parameter's name (the pointer a violation names).
fn break_enum_query(
    op: &crate::contract::Operation,
    call: &SampleCall,
) -> Option<(SampleCall, String)> {
    let param = op.query_parameters.iter().find(|p| {
        p.schema
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|m| !m.is_empty() && m.iter().all(Value::is_string))
    })?;
    let (path, query) = call
        .path_and_query
        .split_once('?')
        .unwrap_or((call.path_and_query.as_str(), ""));
    let mut pairs: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let key = p.split('=').next().unwrap_or_default();
            !key.eq_ignore_ascii_case(&param.name)
        })
        .map(str::to_string)
        .collect();
    pairs.push(format!("{}=NotOneOfThem", param.name));
    let mut broken = call.clone();
    broken.path_and_query = format!("{path}?{}", pairs.join("&"));
    Some((broken, param.name.clone()))
}

/// Runs the gate; `args[0]` is its name, the rest its arguments.
pub(crate) fn main(args: Vec<String>) -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(gate(args))
}

/// What one operation's replay came to: its id, the replayed sample's (status, answer, sent
/// body) when it has a sample, and each mutation's kind with (status, pointer named, pointer).
type Exercised = (
    String,
    Option<Result<(u16, Value, Option<Value>), String>>,
    Vec<(&'static str, (u16, bool, String))>,
);

/// Replays operation `idx`'s sample, then sends it broken each way that applies.
async fn exercise(contract: &Contract, idx: usize, client: &HttpClient, base: &str) -> Exercised {
    let op = &contract.operations[idx];
    let Some(call) = sample_call(op, None) else {
        return (op.operation_id.clone(), None, Vec::new());
    };
    let replay = send(client, base, &call, call.body.as_ref())
        .await
        .map_err(|e| e.to_string());
    let types = &contract.types;
    let resolve = |s| resolve_ref(types, s);
    let mut mutations = Vec::new();
    if let (Some(body), Some(schema)) = (
        call.body.as_ref(),
        op.request_body.as_ref().map(|b| &b.schema),
    ) {
        let broken = [
            ("type", mutate_one_field(body, schema, resolve)),
            (
                "date-time",
                break_one_field(body, schema, &resolve, Break::DateTime),
            ),
            ("enum", break_one_field(body, schema, &resolve, Break::Enum)),
            (
                "nested integer",
                break_one_field(body, schema, &resolve, Break::NestedInteger),
            ),
        ];
        for (kind, found) in broken {
            let Some((mutated, pointer)) = found else {
                continue;
            };
            let outcome = sent_broken(client, base, &call, Some(&mutated), pointer).await;
            mutations.push((kind, outcome));
        }
    }
    // A complete enum among the query parameters (bodies rarely have one).
    if let Some((broken_call, pointer)) = break_enum_query(op, &call) {
        let outcome = sent_broken(client, base, &broken_call, call.body.as_ref(), pointer).await;
        mutations.push(("enum (query)", outcome));
    }
    let replay = replay.map(|(status, answer)| (status, answer, call.body.clone()));
    (op.operation_id.clone(), Some(replay), mutations)
}

/// Sends a request broken at `pointer`: (status, whether the refusal's `Violations` name
/// `pointer`, the pointer or what failed).
async fn sent_broken(
    client: &HttpClient,
    base: &str,
    call: &SampleCall,
    body: Option<&Value>,
    pointer: String,
) -> (u16, bool, String) {
    match send(client, base, call, body).await {
        Ok((status, answer)) => {
            let pointed = answer["Violations"]
                .as_array()
                .is_some_and(|v| v.iter().any(|v| v["pointer"] == pointer.as_str()));
            (status, pointed, pointer)
        }
        Err(e) => (0, false, format!("{pointer}: {e}")),
    }
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
    let build = contract::build_with(docs::load_dir(Path::new(&dir), &|| {})?, false);
    let contract = Arc::new(build.contract);
    let client: HttpClient = crate::client::http_client()?;
    let limit = Arc::new(Semaphore::new(16));
    let mut tasks = tokio::task::JoinSet::new();
    for idx in 0..contract.operations.len() {
        let (contract, client, base, limit) = (
            contract.clone(),
            client.clone(),
            base.clone(),
            limit.clone(),
        );
        tasks.spawn(async move {
            let _permit = limit.acquire().await;
            exercise(&contract, idx, &client, &base).await
        });
    }
    let (mut replayed, mut replay_ok, mut server_errors) = (0, 0, 0);
    // Per kind of mutation: (sent, answered 400 naming the field).
    let mut mutated: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    let mut failures = Vec::new();
    let mut realism = realism::Tally::default();
    while let Some(joined) = tasks.join_next().await {
        let (id, replay, mutation) = joined?;
        if let Some(replay) = replay {
            replayed += 1;
            match replay {
                Ok((status, body, sent)) if (200..300).contains(&status) => {
                    replay_ok += 1;
                    realism.add(&id, &body, sent.as_ref());
                }
                Ok((status, _, _)) => {
                    server_errors += usize::from(status >= 500);
                    failures.push(format!("replay {id}: status {status}"));
                }
                Err(e) => failures.push(format!("replay {id}: {e}")),
            }
        }
        for (kind, (status, pointed, pointer)) in mutation {
            let tally = mutated.entry(kind).or_default();
            tally.0 += 1;
            server_errors += usize::from(status >= 500);
            if status == 400 && pointed {
                tally.1 += 1;
            } else {
                failures.push(format!(
                    "{kind} mutation {id} at {pointer}: status {status}, pointer reported: {pointed}"
                ));
            }
        }
    }
    report(
        failures,
        (replayed, replay_ok, server_errors),
        &mutated,
        &realism,
    )
}

/// Prints the failures and the tallies, and exits 0 when every sample was answered 2xx, every
/// kind of mutation was sent and at least 99 % of each answered 400 naming the field, no
/// answer was a 5xx and at least 95 % of the classified values parse.
fn report(
    mut failures: Vec<String>,
    (replayed, replay_ok, server_errors): (usize, usize, usize),
    mutated: &std::collections::BTreeMap<&str, (usize, usize)>,
    realism: &realism::Tally,
) -> ! {
    failures.sort();
    for f in failures.iter().take(30) {
        println!("  {f}");
    }
    // A share of nothing is no pass: 0 % (and the gate below also wants cases measured).
    let pct = |a: usize, b: usize| {
        if b == 0 {
            0.0
        } else {
            a as f64 * 100.0 / b as f64
        }
    };
    println!(
        "replayed samples: {replay_ok}/{replayed} answered 2xx ({:.2} %)",
        pct(replay_ok, replayed)
    );
    // Every kind of mutation must have been sent at least once (an enum broken in a body
    // or in a query: the corpus's request bodies hold no complete enum).
    let mut mutations_ok = true;
    let kinds: [&[&str]; 4] = [
        &["type"],
        &["date-time"],
        &["nested integer"],
        &["enum", "enum (query)"],
    ];
    for group in kinds {
        let sent: usize = group
            .iter()
            .filter_map(|kind| mutated.get(kind))
            .map(|(sent, _)| sent)
            .sum();
        if sent == 0 {
            println!(
                "mutated ({}): none sent: nothing measured",
                group.join(" or ")
            );
            mutations_ok = false;
        }
    }
    for (kind, (sent, ok)) in mutated {
        println!(
            "mutated bodies ({kind}): {ok}/{sent} answered 400 with the field's pointer ({:.2} %)",
            pct(*ok, *sent)
        );
        mutations_ok &= pct(*ok, *sent) >= 99.0;
    }
    println!("5xx answers: {server_errors}");
    let (classified, parsed) = realism.totals();
    for (kind, (n, ok)) in &realism.kinds {
        println!("  realism {kind:?}: {ok}/{n} ({:.1} %)", pct(*ok, *n));
    }
    if std::env::var_os("REALISM_MISSES").is_some() {
        for miss in &realism.misses {
            println!("  realism miss: {miss}");
        }
    }
    println!(
        "realism: {parsed}/{classified} values parse as what their context says ({:.2} %)",
        pct(parsed, classified)
    );
    let ok = replayed > 0
        && replay_ok == replayed
        && mutations_ok
        && server_errors == 0
        && pct(parsed, classified) >= 95.0;
    std::process::exit(if ok { 0 } else { 1 })
}
