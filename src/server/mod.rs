//! Stage: the mock server. A request goes router → validate → generate, and the answer is
//! encoded for HTTP here; the journal, admin routes and accept loop come from `http`.
//! It owns no judgement and no generation of its own: it only wires the stages together.

mod admin;
mod bodies;
mod checks;
mod encode;
mod handler;
mod reload;
mod routed;
mod served;
mod state;
mod stateful;
mod stubbed;

#[cfg(test)]
mod profile_tests;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::contract::Contract;
use crate::explorer::Explorer;
use crate::http::{AdminConfig, JournalConfig, Limits, RunningServer};
#[cfg(feature = "redis")]
use crate::state::RedisStore;
use crate::state::{MemoryStore, StateStore};
use crate::stubs::StubBook;
use arc_swap::ArcSwap;
pub(crate) use served::{Mounting, Served};
use state::{Lasting, MockState};

/// How the mock behaves.
#[derive(Debug, Clone)]
pub(crate) struct MockConfig {
    /// Address to bind (default 127.0.0.1).
    pub host: String,
    /// Port (0 picks a free one).
    pub port: u16,
    /// Seed of the generated data.
    pub seed: u64,
    /// Require credentials (`--no-auth` turns it off).
    pub auth: bool,
    /// The credentials accepted (`--credentials`): `Authorization` values (`Basic …`,
    /// `Bearer …`, `SoTicket …`) or `X-XSRF-TOKEN …`; empty accepts any value of a
    /// documented scheme's form.
    pub credentials: Vec<String>,
    /// Reject body properties the contract does not know.
    pub strict: bool,
    /// Delay added to every response.
    pub latency: Duration,
    /// `Access-Control-Allow-Origin` value.
    pub cors_origin: String,
    /// Largest accepted body.
    pub max_body_bytes: usize,
    /// What the journal keeps (bytes, body excerpts, redaction).
    pub journal: JournalConfig,
    /// Timeouts and the connection limit.
    pub limits: Limits,
    /// Who may use the admin routes.
    pub admin: AdminConfig,
    /// Most operations kept prepared (validators and plans compiled); the least recently
    /// used beyond it are dropped and prepared again when called.
    pub prepared_budget: usize,
    /// Keep what clients save: saves store, reads answer what was stored (`--stateful`).
    pub stateful: bool,
    /// Where state and stubs live: `redis://HOST:PORT[/DB]`, or memory when `None`.
    pub state_store: Option<String>,
    /// The namespace of this server's keys in a shared store (read by the Redis store only).
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub state_namespace: String,
    /// How much the in-memory store may hold (a save beyond answers 507 `StateFull`); a
    /// Redis store is bounded by Redis's own `maxmemory`.
    pub state_limits: crate::state::StoreLimits,
    /// A state document (`{"entities": {Name: {id: entity}}}`) loaded at start.
    pub state_file: Option<PathBuf>,
    /// A folder of stub files (each a stub or a list of them) loaded at start.
    pub stubs_dir: Option<PathBuf>,
    /// Share of requests (0 to 1) that get a random fault (`--fault-rate`), decided by each
    /// request and the seed.
    pub fault_rate: f64,
    /// The faults the random ones are picked among (`--fault`); all four when empty.
    pub faults: Vec<crate::faults::Fault>,
    /// How long a `timeout` fault holds a request before closing the connection.
    pub fault_timeout: Duration,
    /// Follow the pages [`serve_docs`] serves: each change is rebuilt and swapped in.
    pub watch: bool,
}

impl Default for MockConfig {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 4010,
            seed: 0,
            auth: true,
            credentials: Vec::new(),
            strict: false,
            latency: Duration::ZERO,
            cors_origin: "*".into(),
            max_body_bytes: 1024 * 1024,
            journal: JournalConfig::default(),
            limits: Limits::default(),
            admin: AdminConfig::default(),
            prepared_budget: 128,
            stateful: false,
            state_store: None,
            state_namespace: "mockdown".into(),
            state_limits: crate::state::StoreLimits::default(),
            state_file: None,
            stubs_dir: None,
            fault_rate: 0.0,
            faults: Vec::new(),
            fault_timeout: Duration::from_secs(60),
            watch: false,
        }
    }
}

/// Drops what only documentation needs (descriptions, summaries, header tables, query
/// examples) from a contract about to be served; validation and generation are unchanged.
pub(crate) fn compact(contract: &mut Contract) {
    /// Keeps the keywords validation and generation read: `description` goes (the primary
    /// keys are in the contract's profile), `x-mockdown-*` annotations go but the values an
    /// enum was seen with. Property names are never touched.
    fn strip(schema: &mut serde_json::Value) {
        match schema {
            serde_json::Value::Object(map) => {
                map.retain(|k, _| {
                    k != "description"
                        && (!k.starts_with("x-mockdown") || k == crate::contract::enums::SEEN)
                });
                for (key, value) in map.iter_mut() {
                    match (key.as_str(), value) {
                        ("properties" | "$defs", serde_json::Value::Object(props)) => {
                            props.values_mut().for_each(strip)
                        }
                        ("enum" | "const" | "default" | "examples", _) => {}
                        (_, value) => strip(value),
                    }
                }
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

/// Binds and serves `contract` in the background (the explorer at `/__mockdown/` shows it).
pub(crate) async fn serve(contract: Contract, config: MockConfig) -> anyhow::Result<RunningServer> {
    let explorer = Explorer::new(&contract);
    start(contract, explorer, config, None).await
}

/// Binds and serves `contract`, built from the pages in `docs` (with `explorer`, built from
/// the full contract); with [`MockConfig::watch`], follows the pages: each change is built
/// in the background and swapped in, explorer included (`mockdown serve --watch`).
pub(crate) async fn serve_built(
    contract: Contract,
    explorer: Explorer,
    config: MockConfig,
    docs: &Path,
) -> anyhow::Result<RunningServer> {
    let watch = config.watch.then(|| docs.to_path_buf());
    start(contract, explorer, config, watch).await
}

async fn start(
    contract: Contract,
    explorer: Explorer,
    config: MockConfig,
    watch: Option<PathBuf>,
) -> anyhow::Result<RunningServer> {
    Ok(start_served(contract, explorer, config, watch)
        .await?
        .running)
}

/// Binds and serves `contract`, keeping a handle on what serves it.
async fn start_served(
    contract: Contract,
    explorer: Explorer,
    config: MockConfig,
    watch: Option<PathBuf>,
) -> anyhow::Result<Served> {
    let listener = crate::http::bind(&config.host, config.port, config.limits.backlog).await?;
    let limits = config.limits.clone();
    let started = std::time::Instant::now();
    let store: Arc<dyn StateStore> = match &config.state_store {
        #[cfg(feature = "redis")]
        Some(url) => Arc::new(RedisStore::open(url, &config.state_namespace)?),
        #[cfg(not(feature = "redis"))]
        Some(url) => anyhow::bail!(
            "--state-store {url}: this mockdown was built without the Redis store; build it with `--features redis` (cargo build --release --features redis)"
        ),
        None => Arc::new(MemoryStore::with_limits(config.state_limits)),
    };
    let lasting = Lasting {
        stubs: Arc::new(StubBook::new(store.clone())),
        store,
        journal: Arc::new(crate::http::Journal::new(&config.journal)),
        metrics: Arc::new(crate::metrics::Metrics::new()),
    };
    let state = Arc::new(MockState::new(contract, config, &lasting, explorer)?);
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "routes, schemas and value pools ready"
    );
    if let Err(err) = lasting.stubs.reload().await {
        tracing::warn!(error = %err, "stubs not read from the store at start");
    }
    load_at_start(&state).await?;
    tokio::spawn(StubBook::follow(Arc::downgrade(&lasting.stubs)));
    tracing::debug!(store = state.store.describe(), "state store");
    let routes = state.router.len();
    let journal = lasting.journal.clone();
    let current = Arc::new(ArcSwap::new(state));
    if let Some(docs) = watch {
        reload::follow(docs, Arc::downgrade(&current), lasting)?;
    }
    let served = current.clone();
    let handle = move |req, slot| handler::handle(current.load_full(), req, slot);
    let running = crate::http::spawn(listener, limits, routes, journal, handle)?;
    Ok(Served {
        running,
        current: served,
    })
}

/// Loads the fixtures (`--state FILE`) and the stub files (`--stubs DIR`), each stub held
/// to the contract unless it says `"unchecked": true`.
async fn load_at_start(state: &MockState) -> anyhow::Result<()> {
    if let Some(file) = &state.config.state_file {
        let text = std::fs::read_to_string(file)
            .map_err(|e| anyhow::anyhow!("cannot read --state {}: {e}", file.display()))?;
        let document: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("--state {} is not JSON: {e}", file.display()))?;
        state
            .store
            .import(&document)
            .await
            .map_err(|e| anyhow::anyhow!("--state {}: {e}", file.display()))?;
    }
    if let Some(dir) = &state.config.stubs_dir {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| anyhow::anyhow!("cannot read --stubs {}: {e}", dir.display()))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for file in files {
            let text = std::fs::read_to_string(&file)?;
            let value: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| anyhow::anyhow!("{}: not JSON: {e}", file.display()))?;
            let items = match value {
                serde_json::Value::Array(items) => items,
                one => vec![one],
            };
            for item in items {
                let stub = crate::stubs::Stub::parse(&item)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
                if let Err(refusal) = state.check_stub(&stub) {
                    anyhow::bail!(
                        "{}: stub {} refused: {}",
                        file.display(),
                        stub.id,
                        refusal.reason()
                    );
                }
                state.stubs.add(&stub).await?;
            }
        }
    }
    Ok(())
}

/// Builds the pages under `docs` and serves them in the background (build errors are
/// logged; pages that fail to build are left out, as `mockdown serve` does); with
/// [`MockConfig::watch`], follows the pages as they change.
#[cfg(test)]
pub(crate) async fn serve_docs(
    docs: impl AsRef<Path>,
    config: MockConfig,
) -> anyhow::Result<RunningServer> {
    let set = crate::docs::load_dir(docs.as_ref(), &|| {})?;
    Ok(serve_docs_served(docs.as_ref(), set, config).await?.running)
}

/// [`serve_docs`], keeping a handle on what serves the pages (the library's `MockServer`).
pub(crate) async fn serve_docs_served(
    docs: &Path,
    set: crate::docs::DocSet,
    config: MockConfig,
) -> anyhow::Result<Served> {
    let mut contract = crate::contract::build_with(set, false).contract;
    let explorer = Explorer::new(&contract);
    compact(&mut contract);
    let watch = config.watch.then(|| docs.to_path_buf());
    start_served(contract, explorer, config, watch).await
}
