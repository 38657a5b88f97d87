//! Stage 3: the mock server. A request goes router → request validator → responder (faker).
//!
//! [`start`] serves a [`Contract`] on a socket and returns a [`RunningServer`]; the CLI's
//! `serve` wraps it with signal handling.

mod admin;
mod body;
mod fake_text;
pub mod faker;
mod fastcheck;
mod handler;
mod images;
mod kinds;
mod names;
mod prepared;
mod proxy;
pub mod request;
pub mod respond;
pub mod router;
mod streams;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::contract::validate::{SchemaSet, Violation};
use crate::contract::{Contract, Operation};
use faker::Faker;
use prepared::{Prepared, PreparedSet};
use request::OpValidators;
use router::Router;

pub use proxy::{ProxyConfig, start_proxy};

/// How the mock behaves.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// Address to bind (default 127.0.0.1).
    pub host: String,
    /// Port (0 picks a free one).
    pub port: u16,
    /// Seed of the generated data.
    pub seed: u64,
    /// Require credentials (`--no-auth` turns it off).
    pub auth: bool,
    /// Reject body properties the contract does not know.
    pub strict: bool,
    /// Delay added to every response.
    pub latency: Duration,
    /// `Access-Control-Allow-Origin` value.
    pub cors_origin: String,
    /// Largest accepted body.
    pub max_body_bytes: usize,
    /// Requests kept in the journal.
    pub journal_size: usize,
    /// Most operations kept prepared (validators and plans compiled); the least recently
    /// used beyond it are dropped and prepared again when called.
    pub prepared_budget: usize,
}

impl Default for MockConfig {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 4010,
            seed: 0,
            auth: true,
            strict: false,
            latency: Duration::ZERO,
            cors_origin: "*".into(),
            max_body_bytes: 1024 * 1024,
            journal_size: 1000,
            prepared_budget: 128,
        }
    }
}

/// One journal line.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    /// Seconds since the Unix epoch.
    pub time: f64,
    /// Method.
    pub method: String,
    /// Path with query.
    pub path: String,
    /// Status answered.
    pub status: u16,
    /// Operation matched, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
    /// Violations found in the request.
    pub violations: Vec<Violation>,
    /// Time spent answering, in milliseconds.
    pub duration_ms: f64,
}

/// Everything a request handler needs, shared by all connections.
pub struct MockState {
    /// Each operation as compact JSON, prepared on its first request (memory follows use).
    operations: PreparedSet,
    router: Router,
    schemas: SchemaSet,
    faker: Faker,
    config: MockConfig,
    journal: Mutex<VecDeque<JournalEntry>>,
}

impl MockState {
    /// Prepares the state: router and named-type registry; each operation is parsed and its
    /// validators and generation plans compiled on its first request, so start-up stays fast.
    pub fn new(mut contract: Contract, config: MockConfig) -> anyhow::Result<Self> {
        let router = Router::new(&contract.operations);
        let types = Arc::new(std::mem::take(&mut contract.types));
        let operations = std::mem::take(&mut contract.operations);
        // Three independent pieces of start-up work, side by side: the schema registry,
        // the faker's value pools, and each operation stored as text (and dropped).
        let ((schemas, faker), operations) = rayon::join(
            || {
                rayon::join(
                    || SchemaSet::new(&types),
                    || Faker::new(types.clone(), config.seed),
                )
            },
            || {
                use rayon::prelude::*;
                operations
                    .into_par_iter()
                    .map(|op| Ok((op.operation_id.clone(), serde_json::to_string(&op)?)))
                    .collect::<anyhow::Result<Vec<_>>>()
            },
        );
        let (schemas, operations) = (schemas?, operations?);
        let operations = PreparedSet::new(operations, config.prepared_budget);
        Ok(Self {
            operations,
            router,
            schemas,
            faker,
            config,
            journal: Mutex::new(VecDeque::new()),
        })
    }

    fn prepared(&self, index: usize) -> Arc<Prepared> {
        self.operations.get(index, |text| {
            // The text was written from an Operation at start-up; it reads back.
            let mut op: Operation = serde_json::from_str(text).unwrap_or_default();
            let example = op
                .example
                .response
                .as_mut()
                .and_then(|r| r.body.take())
                .map(|b| Bytes::from(serde_json::to_vec(&b).unwrap_or_default()));
            op.example.request = None;
            Prepared {
                validators: OpValidators::compile(&self.schemas, self.faker.types(), &op),
                plans: respond::plans(&op, &self.faker),
                example,
                op,
            }
        })
    }

    /// Number of routes served.
    pub fn routes(&self) -> usize {
        self.router.len()
    }

    fn record(&self, entry: JournalEntry) {
        if let Ok(mut journal) = self.journal.lock() {
            if journal.len() >= self.config.journal_size.max(1) {
                journal.pop_front();
            }
            journal.push_back(entry);
        }
    }
}

/// A server running in the background.
pub struct RunningServer {
    /// The bound address.
    pub addr: SocketAddr,
    /// Number of routes.
    pub routes: usize,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl RunningServer {
    /// Stops accepting, lets open requests finish, and waits for the server to end.
    pub async fn stop(self) {
        let _ = self.shutdown.send(());
        let _ = self.task.await;
    }
}

/// Drops what only documentation needs (descriptions, summaries, header tables, query
/// examples) from a contract about to be served; validation and generation are unchanged.
pub fn compact(contract: &mut Contract) {
    fn strip(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                map.retain(|k, _| k != "description" && !k.starts_with("x-mockdown"));
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    for op in &mut contract.operations {
        op.summary = String::new();
        op.header_parameters.clear();
        op.query_examples.clear();
        for p in op
            .path_parameters
            .iter_mut()
            .chain(op.query_parameters.iter_mut())
        {
            p.description.clear();
            strip(&mut p.schema);
        }
        if let Some(body) = op.request_body.as_mut() {
            body.description.clear();
            strip(&mut body.schema);
        }
        for response in op.responses.values_mut() {
            strip(&mut response.schema);
        }
    }
    contract.types.values_mut().for_each(strip);
}

/// Binds and serves `contract` in the background.
pub async fn start(contract: Contract, config: MockConfig) -> anyhow::Result<RunningServer> {
    let listener = TcpListener::bind((config.host.as_str(), config.port)).await?;
    let addr = listener.local_addr()?;
    let started = std::time::Instant::now();
    let state = Arc::new(MockState::new(contract, config)?);
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "routes, schemas and value pools ready"
    );
    let routes = state.routes();
    let (shutdown, signal) = oneshot::channel();
    let handle = move |req| handler::handle(state.clone(), req);
    let task = tokio::spawn(accept_loop(listener, handle, signal));
    Ok(RunningServer {
        addr,
        routes,
        shutdown,
        task,
    })
}

/// Accepts connections and serves each request with `handle` until `signal`, then lets
/// open connections finish (at most five seconds). Shared by the mock and the proxy.
async fn accept_loop<H, F, B>(listener: TcpListener, handle: H, mut signal: oneshot::Receiver<()>)
where
    H: Fn(hyper::Request<hyper::body::Incoming>) -> F + Clone + Send + Sync + 'static,
    F: std::future::Future<Output = hyper::Response<B>> + Send + 'static,
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let graceful = GracefulShutdown::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let handle = handle.clone();
                let service = hyper::service::service_fn(move |req| {
                    let answer = handle(req);
                    async move { Ok::<_, std::convert::Infallible>(answer.await) }
                });
                let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
            _ = &mut signal => break,
        }
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(Duration::from_secs(5)) => {}
    }
}
