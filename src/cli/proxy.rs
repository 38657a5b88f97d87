//! `mockdown proxy`: the validating proxy in front of a real server, and with `--fallback
//! mock` the hybrid mode (a mock answers what the real server does not have yet).

use super::out::outln;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;

use super::serve::{
    SERVING_PURGE_DELAY_MS, load_contract, return_build_memory, set_purge_delay, shutdown_signal,
};
use crate::proxy::{ProxyConfig, proxy as start_proxy};
use crate::server::MockConfig;

/// Arguments of `mockdown proxy`.
#[derive(Debug, Args)]
pub(crate) struct ProxyArgs {
    /// Base URL of the real server (`https://staging.example.com/Cust12345`).
    #[arg(long)]
    upstream: String,
    /// Folder of reference pages.
    #[arg(default_value = super::DEFAULT_DOCS)]
    docs: PathBuf,
    /// Read a built bundle instead of pages.
    #[arg(long, conflicts_with = "docs")]
    bundle: Option<PathBuf>,
    /// Interface to bind.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on.
    #[arg(long, default_value_t = 4010)]
    port: u16,
    /// Answer requests that break the contract with a 400 instead of forwarding them.
    #[arg(long)]
    errors: bool,
    /// Largest body checked in full, in bytes; larger bodies (request or answer) stream
    /// through unchecked.
    #[arg(long, default_value_t = 16 * 1024 * 1024)]
    max_body: usize,
    /// Seconds allowed for a whole exchange with the upstream, its answer's body included.
    #[arg(long, value_parser = super::flags::seconds, default_value = "30", value_name = "SECONDS")]
    timeout: Duration,
    /// Journal, limits and admin access.
    #[command(flatten)]
    server: super::flags::ServerFlags,
    /// Write each exchange as a stub file in this folder (answered later, offline, by
    /// `mockdown serve --stubs DIR`).
    #[arg(long, value_name = "DIR")]
    record: Option<std::path::PathBuf>,
    /// Hybrid mode: a mock of the same pages answers what the upstream lacks (an
    /// operation --mock-only names, any while the upstream cannot be reached, one it answers
    /// 501, or 404 / 405 where the page documents none); answers carry X-Mockdown-Source.
    #[arg(long, value_enum, value_name = "mock")]
    fallback: Option<FallbackKind>,
    /// Answer operations whose operationId matches this glob from the mock, without asking
    /// the upstream (repeatable; needs --fallback mock): `--mock-only 'v1Sale*'`.
    #[arg(long, value_name = "GLOB", requires = "fallback")]
    mock_only: Vec<String>,
    /// The fallback mock keeps what clients save (as `serve --stateful`).
    #[arg(long, requires = "fallback")]
    stateful: bool,
    /// A folder of stub files the fallback mock answers (as `serve --stubs DIR`).
    #[arg(long, value_name = "DIR", requires = "fallback")]
    stubs: Option<PathBuf>,
    /// A state document the fallback mock loads at start (as `serve --state FILE`).
    #[arg(long, value_name = "FILE", requires = "fallback")]
    state: Option<PathBuf>,
    /// Seed of the fallback mock's generated data.
    #[arg(long, default_value_t = 0, requires = "fallback")]
    seed: u64,
    /// Log level: error, warn (violations only), info (every exchange), debug.
    #[arg(long, default_value = "info")]
    log_level: tracing::Level,
}

/// What answers where the upstream cannot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum FallbackKind {
    /// A mock of the same pages.
    Mock,
}

/// Runs the proxy until Ctrl-C / SIGTERM.
pub(super) fn proxy(args: &ProxyArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    if !(args.upstream.starts_with("http://") || args.upstream.starts_with("https://")) {
        anyhow::bail!("--upstream must be an http:// or https:// URL");
    }
    set_purge_delay(0);
    let _log = super::logging::init(args.log_level)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let contract = load_contract(&args.docs, args.bundle.as_deref())?;
        return_build_memory();
        set_purge_delay(SERVING_PURGE_DELAY_MS);
        let config = ProxyConfig {
            upstream: args.upstream.clone(),
            errors: args.errors,
            timeout: args.timeout,
            host: args.host.clone(),
            port: args.port,
            max_body_bytes: args.max_body,
            journal: args.server.journal(),
            limits: args.server.limits(),
            admin: args.server.admin(),
            record: match &args.record {
                Some(dir) => {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        anyhow::anyhow!("cannot create --record {}: {e}", dir.display())
                    })?;
                    Some(dir.clone())
                }
                None => None,
            },
            fallback: args.fallback.map(|FallbackKind::Mock| MockConfig {
                seed: args.seed,
                stateful: args.stateful,
                stubs_dir: args.stubs.clone(),
                state_file: args.state.clone(),
                max_body_bytes: args.max_body,
                ..MockConfig::default()
            }),
            mock_only: args.mock_only.clone(),
            ..ProxyConfig::default()
        };
        let server = start_proxy(contract, config).await?;
        outln!(
            "mockdown proxy on http://{} → {}{} ({} routes checked; ready in {:.0} ms; Ctrl-C to stop)",
            server.addr(),
            args.upstream,
            if args.fallback.is_some() {
                ", a mock for what it lacks"
            } else {
                ""
            },
            server.routes(),
            started.elapsed().as_secs_f64() * 1000.0
        );
        shutdown_signal().await;
        outln!("mockdown: shutting down");
        server.stop().await;
        anyhow::Ok(ExitCode::SUCCESS)
    })
}
