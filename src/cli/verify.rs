//! `mockdown verify`: the documented samples against a live server.

use super::out::{err, errln, outln};
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
use crate::verify::values::Values;

/// Parses `-H 'Name: value'`.
fn header(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| format!("`{text}` is not NAME:VALUE"))?;
    let name = name.trim();
    if name.is_empty() || hyper::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Err(format!("`{name}` is not a header name"));
    }
    let value = value.trim();
    if hyper::header::HeaderValue::from_str(value).is_err() {
        return Err(format!("the value of `{name}` cannot stand in a header"));
    }
    Ok((name.to_string(), value.to_string()))
}

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
    #[arg(long, value_parser = super::flags::seconds, default_value = "10", value_name = "SECONDS")]
    timeout: Duration,
    /// Accept any status the page documents, not only the one its sample answers.
    #[arg(long)]
    accept_documented_status: bool,
    /// Do not require every property the documented answer shows.
    #[arg(long)]
    lenient: bool,
    /// Values to send per operation instead of the samples' own (TOML or JSON: tables of
    /// `path`, `query`, `headers`, `body` keyed by operationId, path template or `*`).
    #[arg(long, value_name = "FILE")]
    values: Option<PathBuf>,
    /// A header sent with every request, replacing the samples' own of that name
    /// (repeatable): `-H 'SO-AppToken: abc'`.
    #[arg(short = 'H', long = "header", value_name = "NAME:VALUE", value_parser = header)]
    headers: Vec<(String, String)>,
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
    let values = match &args.values {
        Some(path) => Values::load(path)?,
        None => Values::default(),
    };
    let options = Arc::new(VerifyOptions {
        target: args.target.clone(),
        auth: args.auth.clone(),
        only: args.only.clone(),
        skip: args.skip.clone(),
        concurrency: args.concurrency,
        timeout: args.timeout,
        accept_documented_status: args.accept_documented_status,
        lenient: args.lenient,
        values,
        headers: args.headers.clone(),
    });
    let contract = load(args)?;
    for key in options.values.unmatched(&contract.operations) {
        errln!("warning: the values file names `{key}`, which is no operationId or path template");
    }
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
                bar.suspend(|| err!("{}", failure_text(result)));
            } else if verbose {
                bar.suspend(|| {
                    errln!(
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
    outln!(
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
