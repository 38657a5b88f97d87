//! The mutant server of the verify gate (issue 20): a small proxy in front of a running
//! `mockdown serve --stateful` that breaks the answers of the entity operations one way at
//! a time, the way the request's `X-Mutant: KIND` header names (sent by `verify -H`), so
//! one mutant serves every kind. A fault shows for one request in three (by a hash of the
//! request: a bug that depends on the data, which the one documented sample may or may
//! not hit). Saves of a `save-not-kept` run all go to a second, stateless mock: answered
//! as if stored (with a new id), kept nowhere. Every other request passes through as is.
//!
//! ```text
//! mockdown gate mutant 127.0.0.1:4850 http://127.0.0.1:4851 \
//!     http://127.0.0.1:4852 ../shared/corpus
//! ```
//!
//! `GET /__mutant/mutated?kind=KIND` lists the operations whose answers it broke (for a
//! save-not-kept run: the saves it did not keep); `DELETE /__mutant/mutated` forgets them.

mod kinds;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::convert::Infallible;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use crate::client::HttpClient;
use crate::contract::validate::SchemaSet;
use crate::contract::{Contract, Operation};
use crate::{contract, docs};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use kinds::{Context, Kind, Relayed, fires, mutate};
use mockdown_schema::Validator;
use serde_json::{Value, json};
use tokio::net::TcpListener;

/// The answer validators, by operation index and status (`None`: no schema compiled).
type Validators = HashMap<(usize, u16), Option<Arc<Validator>>>;

/// A route: method, segments (`None` for a parameter), the operation's index.
struct Route {
    method: String,
    segments: Vec<Option<String>>,
    index: usize,
}

/// What every exchange shares.
struct Mutant {
    contract: Contract,
    schemas: SchemaSet,
    routes: Vec<Route>,
    /// Entity operations by index: their role and the entity's key.
    entity_ops: HashMap<usize, (String, String)>,
    mock: String,
    stateless: String,
    client: HttpClient,
    validators: Mutex<Validators>,
    mutated: Mutex<BTreeMap<&'static str, BTreeSet<String>>>,
    /// The ids saves that are not kept answer.
    next_id: AtomicI64,
}

impl Mutant {
    /// The operation a request is for: the route with the most literal segments that
    /// matches.
    fn route(&self, method: &str, path: &str) -> Option<usize> {
        let parts: Vec<&str> = path.split('/').collect();
        self.routes
            .iter()
            .filter(|r| r.method == method && r.segments.len() == parts.len())
            .filter(|r| {
                r.segments.iter().zip(&parts).all(|(s, p)| match s {
                    Some(literal) => literal.eq_ignore_ascii_case(p),
                    None => !p.is_empty(),
                })
            })
            .max_by_key(|r| r.segments.iter().filter(|s| s.is_some()).count())
            .map(|r| r.index)
    }

    fn validator(&self, index: usize, status: u16) -> Option<Arc<Validator>> {
        let mut cache = self.validators.lock().ok()?;
        cache
            .entry((index, status))
            .or_insert_with(|| {
                let op: &Operation = &self.contract.operations[index];
                let schema = &op.response(status)?.schema;
                self.schemas.compile(schema).ok().map(Arc::new)
            })
            .clone()
    }

    fn record(&self, kind: Kind, op: &str) {
        if let Ok(mut mutated) = self.mutated.lock() {
            mutated
                .entry(kind.name())
                .or_default()
                .insert(op.to_string());
        }
    }
}

fn routes_of(contract: &Contract) -> Vec<Route> {
    contract
        .operations
        .iter()
        .enumerate()
        .map(|(index, op)| Route {
            method: op.method.clone(),
            segments: op
                .path
                .split('/')
                .map(|s| (!s.starts_with('{')).then(|| s.to_string()))
                .collect(),
            index,
        })
        .collect()
}

fn reply(status: u16, content_type: Option<&str>, body: Bytes) -> hyper::Response<Full<Bytes>> {
    let mut builder = hyper::Response::builder().status(status);
    if let Some(content_type) = content_type {
        builder = builder.header("content-type", content_type);
    }
    builder
        .body(Full::new(body))
        .unwrap_or_else(|_| hyper::Response::new(Full::new(Bytes::new())))
}

async fn forward(
    client: &HttpClient,
    base: &str,
    parts: &hyper::http::request::Parts,
    body: Bytes,
) -> anyhow::Result<Relayed> {
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut request = hyper::Request::builder()
        .method(parts.method.clone())
        .uri(format!("{base}{path}"));
    for (name, value) in &parts.headers {
        let name = name.as_str();
        if !matches!(
            name,
            "host" | "connection" | "content-length" | "transfer-encoding" | "x-mutant"
        ) {
            request = request.header(name, value);
        }
    }
    let answer = client.request(request.body(Full::new(body))?).await?;
    let status = answer.status().as_u16();
    let content_type = answer
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = answer.into_body().collect().await?.to_bytes();
    Ok(Relayed {
        status,
        content_type,
        body,
    })
}

async fn handle(
    mutant: Arc<Mutant>,
    request: hyper::Request<hyper::body::Incoming>,
) -> hyper::Response<Full<Bytes>> {
    let (parts, incoming) = request.into_parts();
    if parts.uri.path() == "/__mutant/mutated" {
        let mut mutated = match mutant.mutated.lock() {
            Ok(mutated) => mutated,
            Err(_) => return reply(500, None, Bytes::new()),
        };
        if parts.method == hyper::Method::DELETE {
            mutated.clear();
            return reply(204, None, Bytes::new());
        }
        let kind = parts
            .uri
            .query()
            .and_then(|q| q.strip_prefix("kind="))
            .unwrap_or_default();
        let listed: Vec<&String> = mutated
            .get(kind)
            .map(|s| s.iter().collect())
            .unwrap_or_default();
        let body = json!({"kind": kind, "operations": listed}).to_string();
        return reply(200, Some("application/json"), Bytes::from(body));
    }
    let body = match incoming.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(err) => return reply(400, None, Bytes::from(err.to_string())),
    };
    let path_and_query = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let kind = parts
        .headers
        .get("x-mutant")
        .and_then(|v| v.to_str().ok())
        .and_then(Kind::named)
        .filter(|kind| fires(*kind, parts.method.as_str(), path_and_query, &body));
    let index = mutant.route(parts.method.as_str(), parts.uri.path());
    let entity = index.and_then(|i| mutant.entity_ops.get(&i).map(|e| (i, e)));
    let not_kept =
        matches!((kind, entity), (Some(Kind::SaveNotKept), Some((_, (role, _)))) if role == "save");
    let base = if not_kept {
        &mutant.stateless
    } else {
        &mutant.mock
    };
    let answer = match forward(&mutant.client, base, &parts, body).await {
        Ok(answer) => answer,
        Err(err) => return reply(502, None, Bytes::from(err.to_string())),
    };
    let op_id = |i: usize| mutant.contract.operations[i].operation_id.clone();
    let relayed = match (kind, entity) {
        (Some(kind), Some((i, (_, key)))) if not_kept => {
            mutant.record(kind, &op_id(i));
            with_new_id(&mutant, answer, key)
        }
        (Some(kind), Some((i, (_, key)))) => {
            let validator = mutant.validator(i, answer.status);
            let ctx = Context {
                op: &mutant.contract.operations[i],
                types: &mutant.contract.types,
                validator: validator.as_deref(),
                key,
            };
            match mutate(kind, &ctx, &answer) {
                Some(broken) => {
                    mutant.record(kind, &op_id(i));
                    broken
                }
                None => answer,
            }
        }
        _ => answer,
    };
    reply(
        relayed.status,
        relayed.content_type.as_deref(),
        relayed.body,
    )
}

/// A save answered by the stateless mock with the new id a store would have given (the
/// sent id, 0 for a new entity, comes back as it was sent).
fn with_new_id(mutant: &Mutant, answer: Relayed, key: &str) -> Relayed {
    let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(&answer.body) else {
        return answer;
    };
    if map
        .get(key)
        .and_then(Value::as_i64)
        .is_some_and(|id| id > 0)
    {
        return answer;
    }
    let id = mutant.next_id.fetch_add(1, Ordering::Relaxed);
    map.insert(key.to_string(), Value::from(id));
    Relayed {
        body: Bytes::from(Value::Object(map).to_string()),
        ..answer
    }
}

/// Runs the gate; `args[0]` is its name, the rest its arguments.
pub(crate) fn main(args: Vec<String>) -> anyhow::Result<()> {
    let [_, listen, mock, stateless, corpus, ..] = args.as_slice() else {
        anyhow::bail!("usage: mutant LISTEN MOCK_URL STATELESS_MOCK_URL CORPUS");
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let set = docs::load_dir(Path::new(corpus), &|| {})?;
        let contract = contract::build_with(set, false).contract;
        let client: HttpClient = crate::client::http_client()?;
        // The entity operations, as the stateful mock groups them.
        let listing = client
            .request(
                hyper::Request::builder()
                    .uri(format!("{mock}/__mockdown/entities"))
                    .body(Full::new(Bytes::new()))?,
            )
            .await?;
        let listing: Value =
            serde_json::from_slice(&listing.into_body().collect().await?.to_bytes())?;
        anyhow::ensure!(
            listing["stateful"] == true,
            "the mock at {mock} is not --stateful"
        );
        let by_id: HashMap<&str, usize> = contract
            .operations
            .iter()
            .enumerate()
            .map(|(i, op)| (op.operation_id.as_str(), i))
            .collect();
        let mut entity_ops = HashMap::new();
        for entity in listing["entities"].as_array().into_iter().flatten() {
            let key = entity["key"].as_str().unwrap_or_default();
            for op in entity["operations"].as_array().into_iter().flatten() {
                if let (Some(&i), Some(role)) = (
                    op["operationId"].as_str().and_then(|id| by_id.get(id)),
                    op["role"].as_str(),
                ) {
                    entity_ops.insert(i, (role.to_string(), key.to_string()));
                }
            }
        }
        let mutant = Arc::new(Mutant {
            schemas: SchemaSet::new(&contract.types)?,
            routes: routes_of(&contract),
            contract,
            entity_ops,
            mock: mock.trim_end_matches('/').to_string(),
            stateless: stateless.trim_end_matches('/').to_string(),
            client,
            validators: Mutex::new(HashMap::new()),
            mutated: Mutex::new(BTreeMap::new()),
            next_id: AtomicI64::new(900_000_000),
        });
        let listener = TcpListener::bind(listen.as_str()).await?;
        println!(
            "mutant on http://{listen} in front of {mock} ({} entity operations; kinds: {})",
            mutant.entity_ops.len(),
            Kind::ALL.map(Kind::name).join(", ")
        );
        loop {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            let mutant = mutant.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let mutant = mutant.clone();
                    async move { Ok::<_, Infallible>(handle(mutant, req).await) }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}
