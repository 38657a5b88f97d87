//! `mockdown verify`: the documented samples against a live server.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::contract::{self, Contract, bundle};
use crate::docs;
use crate::verify::report::{Tally, failure_text, junit};
use crate::verify::run::{OpResult, VerifyOptions, run, selected};

/// Arguments of `mockdown verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Base URL of the server under test (`https://staging.example.com/Cust12345`).
    #[arg(long)]
    target: String,
    /// Folder of reference pages.
    #[arg(default_value = super::DEFAULT_DOCS)]
    docs: PathBuf,
    /// Read a built bundle instead of pages.
    #[arg(long, conflicts_with = "docs")]
    bundle: Option<PathBuf>,
    /// Authorization header value sent instead of the samples' own (`Bearer eyJ...`).
    #[arg(long)]
    auth: Option<String>,
    /// Write a JUnit XML report here.
    #[arg(long)]
    junit: Option<PathBuf>,
    /// Only operations whose operationId matches this glob (repeatable): `'Contact*'`.
    #[arg(long)]
    only: Vec<String>,
    /// Leave out operations whose operationId matches this glob (repeatable).
    #[arg(long)]
    skip: Vec<String>,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Seconds allowed per exchange.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
    /// Print passing operations too.
    #[arg(long, short)]
    verbose: bool,
}

fn load(args: &VerifyArgs) -> anyhow::Result<Contract> {
    match &args.bundle {
        Some(dir) => bundle::read(dir),
        None => {
            let set = docs::load_dir(&args.docs, &|| {})?;
            Ok(contract::build_with(set, false).contract)
        }
    }
}

/// Runs `mockdown verify`; exit 1 when any operation failed.
pub fn verify(args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    if !(args.timeout.is_finite() && args.timeout > 0.0) {
        anyhow::bail!("--timeout must be a positive number of seconds");
    }
    let options = Arc::new(VerifyOptions {
        target: args.target.clone(),
        auth: args.auth.clone(),
        only: args.only.clone(),
        skip: args.skip.clone(),
        concurrency: args.concurrency,
        timeout: Duration::from_secs_f64(args.timeout),
    });
    let contract = load(args)?;
    let total = contract
        .operations
        .iter()
        .filter(|op| selected(&options, &op.operation_id))
        .count();
    if total == 0 {
        anyhow::bail!("no operation matches the --only/--skip patterns");
    }
    let bar = ProgressBar::new(total as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} operations {msg}") {
        bar.set_style(style);
    }
    let verbose = args.verbose;
    let on_result = {
        let bar = bar.clone();
        Arc::new(move |result: &OpResult| {
            if result.failed() {
                bar.suspend(|| eprint!("{}", failure_text(result)));
            } else if verbose {
                bar.suspend(|| {
                    eprintln!(
                        "{:4} {}  {} {}",
                        match result.outcome {
                            crate::verify::run::Outcome::Passed => "ok",
                            _ => "skip",
                        },
                        result.operation_id,
                        result.method,
                        result.path
                    )
                });
            }
            bar.inc(1);
        })
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let results = runtime.block_on(run(Arc::new(contract), options, on_result))?;
    bar.finish_and_clear();
    let tally = Tally::of(&results);
    let elapsed = started.elapsed();
    if let Some(path) = &args.junit {
        let xml = junit(&results, &args.target, elapsed)?;
        std::fs::write(path, xml)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    }
    println!(
        "mockdown verify {}: {tally} ({} operations in {:.1} s)",
        args.target,
        results.len(),
        elapsed.as_secs_f64()
    );
    Ok(if tally.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
