//! Stage: the validating proxy (`mockdown proxy --upstream URL`), Prism's proxy mode: every
//! request goes to the real server and both directions are held against the contract.
//! It judges through `validate` and stands on `http` as the mock does; it never generates.
//!
//! Violations go to the log, to the journal at `/__mockdown/requests` and into an
//! `X-Mockdown-Violations` header; with `--errors` a request that breaks the contract gets
//! the mock's 400 instead of being forwarded. A valid exchange passes through unchanged.
//! With `--fallback mock` (`fallback`) a mock of the same contract answers what the
//! upstream lacks, each answer marked `X-Mockdown-Source: mock|upstream|proxy`.
//! Bodies up to the size limit are read whole so they can be checked; larger ones (either
//! way) stream through as they come. The whole exchange has one deadline (504 before the
//! answer starts); a body cut short is never passed on as whole (502, or a broken stream).

mod admin;
mod checks;
mod exchange;
mod fallback;
mod headers;
mod path;
mod pending;
mod record;
mod stream;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::client::{HttpClientOf, http_client};
use crate::contract::validate::SchemaSet;
use crate::contract::{Contract, Operation};
use crate::http::{
    self, AdminConfig, AdminView, Journal, JournalConfig, Limits, PreparedSet, RunningServer,
};
use crate::router::Router;
use crate::validate::{AnswerCheck, RequestCheck};
use stream::Relayed;

/// How the proxy runs.
#[derive(Debug, Clone)]
pub(crate) struct ProxyConfig {
    /// Base URL of the real server (`https://host/tenant`).
    pub upstream: String,
    /// Answer a request that breaks the contract with the mock's 400 instead of forwarding.
    pub errors: bool,
    /// Address to bind.
    pub host: String,
    /// Port (0 picks a free one).
    pub port: u16,
    /// Largest body read whole to be checked (request or answer); larger ones stream
    /// through unchecked.
    pub max_body_bytes: usize,
    /// What the journal keeps.
    pub journal: JournalConfig,
    /// Most operations kept prepared.
    pub prepared_budget: usize,
    /// Time allowed for the whole exchange with the upstream, answer body included.
    pub timeout: Duration,
    /// Timeouts and the connection limit of the proxy's own listener.
    pub limits: Limits,
    /// Who may use the admin routes.
    pub admin: AdminConfig,
    /// Write each exchange as a stub file here (`--record DIR`), for `serve --stubs DIR`.
    pub record: Option<std::path::PathBuf>,
    /// Hybrid mode (`--fallback mock`): a mock of the same contract, configured so (its host
    /// and port are its own: loopback, free), answers what the upstream lacks: an operation
    /// `mock_only` names, any documented one while the upstream cannot be reached, and one
    /// the upstream answers 501, or 404 / 405 where the page documents no such status.
    pub fallback: Option<crate::server::MockConfig>,
    /// operationId globs the fallback mock answers without asking the upstream
    /// (`--mock-only`).
    pub mock_only: Vec<String>,
}

impl Default for ProxyConfig {
    fn default() -> Self {
        Self {
            upstream: String::new(),
            errors: false,
            host: "127.0.0.1".into(),
            port: 4010,
            max_body_bytes: 16 * 1024 * 1024,
            journal: JournalConfig::default(),
            prepared_budget: 128,
            timeout: Duration::from_secs(30),
            limits: Limits::default(),
            admin: AdminConfig::default(),
            record: None,
            fallback: None,
            mock_only: Vec::new(),
        }
    }
}

/// What the proxy needs of an operation at request time.
struct ProxyOp {
    op: Operation,
    check: RequestCheck,
    /// The answer validators, compiled once per status.
    answers: AnswerCheck,
}

/// What every exchange of the proxy shares.
struct ProxyState {
    operations: PreparedSet<ProxyOp>,
    router: Router,
    schemas: SchemaSet,
    types: Arc<BTreeMap<String, Value>>,
    journal: Arc<Journal>,
    client: HttpClientOf<Relayed>,
    upstream: String,
    config: ProxyConfig,
    /// Large bodies checked at once.
    heavy: http::Heavy,
    /// What checking one request body may cost (`--max-fields`, `--body-cpu-ms`).
    body_rules: crate::validate::BodyRules,
    /// Requests by operation, status and what answered them.
    metrics: crate::metrics::Metrics,
    /// The fallback mock, in hybrid mode.
    mock: Option<fallback::MockBackend>,
}

impl ProxyState {
    fn prepared(&self, index: usize) -> Arc<ProxyOp> {
        self.operations.get(index, |text| {
            let op: Operation = serde_json::from_str(text).unwrap_or_default();
            ProxyOp {
                check: RequestCheck::compile(&self.schemas, &self.types, &op),
                answers: AnswerCheck::new(&op),
                op,
            }
        })
    }

    fn admin_view(&self) -> AdminView<'_, ProxyOp> {
        AdminView {
            router: &self.router,
            operations: &self.operations,
            journal: &self.journal,
            config: &self.config.admin,
        }
    }
}

/// Starts the proxy in the background; it stops when [`RunningServer::stop`] is called.
pub(crate) async fn proxy(
    mut contract: Contract,
    config: ProxyConfig,
) -> anyhow::Result<RunningServer> {
    let listener = http::bind(&config.host, config.port, config.limits.backlog).await?;
    let mock = match &config.fallback {
        Some(mock) => Some(
            fallback::MockBackend::start(
                contract.clone(),
                mock.clone(),
                &config.admin,
                &config.mock_only,
            )
            .await?,
        ),
        None => None,
    };
    let router = Router::new(&contract.operations);
    let types = Arc::new(std::mem::take(&mut contract.types));
    let operations = contract
        .operations
        .iter()
        .map(|op| Ok((op.operation_id.clone(), serde_json::to_string(op)?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let heavy = http::Heavy::new(config.max_body_bytes);
    let body_rules = crate::validate::BodyRules {
        strict: false,
        limits: crate::validate::BodyLimits {
            max_fields: config.limits.max_fields,
            cpu: config.limits.body_cpu,
        },
    };
    let state = Arc::new(ProxyState {
        body_rules,
        operations: PreparedSet::new(operations, config.prepared_budget),
        router,
        schemas: SchemaSet::new(&types)?,
        types,
        journal: Arc::new(Journal::new(&config.journal)),
        client: http_client()?,
        upstream: config.upstream.trim_end_matches('/').to_string(),
        config,
        heavy,
        metrics: crate::metrics::Metrics::new(),
        mock,
    });
    let routes = state.router.len();
    let journal = state.journal.clone();
    let limits = state.config.limits.clone();
    let handle = move |req, _slot| {
        let answer = exchange::handle(state.clone(), req);
        async move { Ok::<_, http::Closed>(answer.await) }
    };
    http::spawn(listener, limits, routes, journal, handle)
}
