//! `mockdown serve`.

use super::out::{errln, outln};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;

use crate::contract::{self, Contract, bundle};
use crate::docs;
use crate::explorer::Explorer;
use crate::server::{MockConfig, compact, serve_built};

/// Arguments of `mockdown serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Folder of reference pages, compiled in memory at start-up.
    #[arg(default_value = super::DEFAULT_DOCS, conflicts_with = "bundle")]
    docs: PathBuf,
    /// Serve a bundle written by `mockdown build` instead of pages.
    #[arg(long)]
    bundle: Option<PathBuf>,
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port (0 picks a free one).
    #[arg(long, default_value_t = 4010)]
    port: u16,
    /// Seed of the generated data: same request + same seed = same response.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Do not require credentials.
    #[arg(long)]
    no_auth: bool,
    /// Accept only these credentials (repeatable): an `Authorization` value (`Basic
    /// dGplMDpUamUw`, `Bearer TOKEN`, `SoTicket TICKET`) or `X-XSRF-TOKEN TOKEN`. Without
    /// it any value of a documented scheme's form is accepted.
    #[arg(long, value_name = "VALUE", value_parser = crate::validate::accepted_credential)]
    credentials: Vec<String>,
    /// Reject body properties the contract does not know.
    #[arg(long)]
    strict: bool,
    /// Delay every response by this many milliseconds.
    #[arg(long, value_parser = super::flags::millis, default_value = "0", value_name = "MS")]
    latency: Duration,
    /// Value of Access-Control-Allow-Origin.
    #[arg(long, default_value = "*")]
    cors_origin: String,
    /// Largest accepted request body in bytes.
    #[arg(long, default_value_t = 1024 * 1024)]
    max_body: usize,
    /// Journal, limits and admin access.
    #[command(flatten)]
    server: super::flags::ServerFlags,
    /// Keep what clients save: saves store, reads answer what was stored, deletes forget
    /// (operations are grouped by entity from the contract; see `mockdown routes --entities`).
    #[arg(long)]
    stateful: bool,
    /// A state document (`{"entities": {Name: {id: entity}}}`) to load at start.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Keep state and stubs in Redis (`redis://HOST:PORT[/DB]`), shared by replicas.
    #[arg(long, value_name = "URL")]
    state_store: Option<String>,
    /// Namespace of this server's keys in the state store (parallel CI jobs apart).
    #[arg(long, default_value = "mockdown", value_name = "NAME")]
    state_namespace: String,
    /// Most bytes the in-memory state store holds (saved entities and stubs, about their
    /// size as JSON); a save beyond answers 507.
    #[arg(long, default_value_t = 256 * 1024 * 1024, value_name = "BYTES")]
    state_max_bytes: usize,
    /// Most entries the in-memory state store holds (entities, deleted ids, stubs).
    #[arg(long, default_value_t = 1_000_000, value_name = "N")]
    state_max_entries: usize,
    /// A folder of stub files (each a stub or a list of stubs) to load at start.
    #[arg(long, value_name = "DIR")]
    stubs: Option<PathBuf>,
    /// Operations kept prepared (validators and generation plans compiled); beyond this the
    /// least recently used are dropped and prepared again when called (memory stays bounded).
    #[arg(long, default_value_t = 128)]
    prepared_ops: usize,
    /// Share of requests (0 to 1) that get a random fault; which ones follows from each
    /// request and --seed. A request may also ask for one: `Prefer: fault=drip`.
    #[arg(long, default_value_t = 0.0, value_parser = super::flags::share, value_name = "SHARE")]
    fault_rate: f64,
    /// The faults --fault-rate picks among (reset, timeout, drip, error; default all).
    #[arg(long, value_delimiter = ',', value_name = "FAULT")]
    fault: Vec<crate::faults::Fault>,
    /// How long a `timeout` fault holds a request before closing the connection (seconds).
    #[arg(long, value_parser = super::flags::seconds, default_value = "60", value_name = "SECONDS")]
    fault_timeout: Duration,
    /// Follow the pages: on a change, rebuild in the background and swap the new contract
    /// in (state and stubs kept; a page that no longer builds keeps the last good build).
    #[arg(long, conflicts_with = "bundle")]
    watch: bool,
    /// Log level of the per-request lines: error, warn, info, debug.
    #[arg(long, default_value = "info")]
    log_level: tracing::Level,
    /// Worker threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
}

/// The contract to serve, compacted, and the explorer built from it before compaction.
fn load(args: &ServeArgs) -> anyhow::Result<(Contract, Explorer)> {
    let mut contract = load_full(&args.docs, args.bundle.as_deref())?;
    let started = Instant::now();
    let explorer = Explorer::new(&contract);
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        kb_held = explorer.held_bytes() / 1024,
        "explorer built"
    );
    compact(&mut contract);
    Ok((contract, explorer))
}

/// The contract to serve: built from `docs` in memory, or read from a bundle; compacted.
pub(super) fn load_contract(
    docs_dir: &std::path::Path,
    bundle_dir: Option<&std::path::Path>,
) -> anyhow::Result<Contract> {
    let mut contract = load_full(docs_dir, bundle_dir)?;
    compact(&mut contract);
    Ok(contract)
}

/// The full contract (descriptions and `x-mockdown-*` facts kept).
fn load_full(
    docs_dir: &std::path::Path,
    bundle_dir: Option<&std::path::Path>,
) -> anyhow::Result<Contract> {
    let started = Instant::now();
    let contract = match bundle_dir {
        Some(dir) => bundle::read(dir)?,
        None => {
            let set = docs::load_dir(docs_dir, &|| {})?;
            tracing::debug!(
                pages = set.pages.len(),
                ms = started.elapsed().as_millis() as u64,
                rss = %rss(),
                "pages parsed"
            );
            let build = contract::build_with(set, false);
            for d in build
                .diagnostics
                .iter()
                .filter(|d| d.severity == crate::diag::Severity::Error)
            {
                errln!("{d}");
            }
            build.contract
        }
    };
    tracing::debug!(
        operations = contract.operations.len(),
        ms = started.elapsed().as_millis() as u64,
        rss = %rss(),
        "contract built"
    );
    Ok(contract)
}

/// `mi_option_purge_delay` in mimalloc v3's `mimalloc.h` (the sys crate does not name it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
/// How long freed pages stay with the process while serving: long enough that requests
/// reuse them instead of faulting fresh pages in, short enough that memory goes back soon.
pub(super) const SERVING_PURGE_DELAY_MS: std::ffi::c_long = 1000;

/// Sets how long mimalloc keeps freed pages before returning them to the system.
pub(super) fn set_purge_delay(ms: std::ffi::c_long) {
    // SAFETY: setting an option is sound at any time; it only changes when free pages
    // are returned, and is a no-op when mimalloc is not the allocator in use.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, ms) };
}

/// The build's memory is garbage once the contract is compacted: return it all now.
pub(super) fn return_build_memory() {
    // SAFETY: `mi_collect` only frees mimalloc's own unused pages.
    unsafe { libmimalloc_sys::mi_collect(true) };
}

pub(super) fn serve(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    // While building, freed memory goes back at once (a server lives long, and its build's
    // memory is garbage at once); while serving, freed pages are kept a little for reuse.
    set_purge_delay(0);
    let _log = super::logging::init(args.log_level)?;
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(threads) = args.threads {
        runtime.worker_threads(threads.max(1));
    }
    let runtime = runtime.enable_all().build()?;
    runtime.block_on(async {
        let (contract, explorer) = load(args)?;
        return_build_memory();
        tracing::debug!(rss = %rss(), "build memory returned");
        let config = MockConfig {
            host: args.host.clone(),
            port: args.port,
            seed: args.seed,
            auth: !args.no_auth,
            credentials: args.credentials.clone(),
            strict: args.strict,
            latency: args.latency,
            cors_origin: args.cors_origin.clone(),
            max_body_bytes: args.max_body,
            journal: args.server.journal(),
            limits: args.server.limits(),
            admin: args.server.admin(),
            prepared_budget: args.prepared_ops,
            stateful: args.stateful,
            state_store: args.state_store.clone(),
            state_namespace: args.state_namespace.clone(),
            state_limits: crate::state::StoreLimits {
                max_bytes: args.state_max_bytes,
                max_entries: args.state_max_entries,
            },
            state_file: args.state.clone(),
            stubs_dir: args.stubs.clone(),
            fault_rate: args.fault_rate,
            faults: args.fault.clone(),
            fault_timeout: args.fault_timeout,
            watch: args.watch,
        };
        let server = serve_built(contract, explorer, config, &args.docs).await?;
        return_build_memory();
        set_purge_delay(SERVING_PURGE_DELAY_MS);
        tracing::debug!(rss = %rss(), "serving");
        outln!(
            "mockdown serving {} routes on http://{} (ready in {:.0} ms; Ctrl-C to stop)",
            server.routes(),
            server.addr(),
            started.elapsed().as_secs_f64() * 1000.0
        );
        outln!("explorer: http://{}/__mockdown/", server.addr());
        shutdown_signal().await;
        outln!("mockdown: shutting down");
        server.stop().await;
        anyhow::Ok(ExitCode::SUCCESS)
    })
}

pub(super) async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Resident and peak memory, for debug logs (Linux; empty elsewhere).
pub(super) fn rss() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(String::new(), |kb| format!("{} MB", kb / 1024))
    };
    format!("{} (peak {})", field("VmRSS:"), field("VmHWM:"))
}
