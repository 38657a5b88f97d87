//! `mockdown verify`: contract tests against a live server: the documented samples, and
//! with `--generate N`, `--negative` and `--stateful` generated, broken and chained cases.

use super::flags::FlagError;
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
fn header(text: &str) -> Result<(String, String), FlagError> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| FlagError::NotHeader(text.to_string()))?;
    let name = name.trim();
    if name.is_empty() || hyper::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Err(FlagError::HeaderName(name.to_string()));
    }
    let value = value.trim();
    if hyper::header::HeaderValue::from_str(value).is_err() {
        return Err(FlagError::HeaderValue(name.to_string()));
    }
    Ok((name.to_string(), value.to_string()))
}

/// Arguments of `mockdown verify`.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
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
    /// Also send N requests per operation generated from its request schema (every field,
    /// only the required ones, boundaries, each enum value, documented query examples,
    /// seeded random ones); a failing one is shrunk and printed as a curl command.
    #[arg(long, value_name = "N", default_value_t = 0)]
    generate: usize,
    /// Also send requests broken in one place (wrong type, bad date-time, out of enum,
    /// missing required part); each must be refused with a documented 4xx.
    #[arg(long)]
    negative: bool,
    /// Also run, per entity of `mockdown routes --entities`, save → read → update → patch →
    /// read → delete → read, with the ids the answers give.
    #[arg(long)]
    stateful: bool,
    /// Seed of the generated cases: the same seed sends the same requests.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Most requests spent shrinking one failing case.
    #[arg(long, default_value_t = 24, value_name = "N")]
    shrink_budget: usize,
    /// Print passing tests too.
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

/// The run's options, from the command line and the values file.
fn options(args: &VerifyArgs) -> anyhow::Result<VerifyOptions> {
    let values = match &args.values {
        Some(path) => Values::load(path)?,
        None => Values::default(),
    };
    Ok(VerifyOptions {
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
        generate: args.generate,
        negative: args.negative,
        stateful: args.stateful,
        seed: args.seed,
        shrink_budget: args.shrink_budget,
    })
}

/// What each result does as it arrives: a failure printed (and, with `verbose`, every
/// other result), the progress `bar` moved on.
fn progress(bar: &ProgressBar, verbose: bool) -> Arc<dyn Fn(&OpResult) + Send + Sync> {
    let bar = bar.clone();
    Arc::new(move |result: &OpResult| {
        if result.failed() {
            bar.suspend(|| err!("{}", failure_text(result)));
        } else if verbose {
            bar.suspend(|| {
                errln!(
                    "{:4} {:8} {}  {} {}  ({} requests)",
                    match result.outcome {
                        crate::verify::run::Outcome::Passed => "ok",
                        _ => "skip",
                    },
                    result.mode,
                    result.sequence.as_deref().unwrap_or(&result.operation_id),
                    result.method,
                    result.path,
                    result.cases
                )
            });
        }
        if bar.position() >= bar.length().unwrap_or(0) {
            bar.inc_length(1);
        }
        bar.inc(1);
    })
}

/// Runs `mockdown verify`; exit 1 when any operation failed.
pub(super) fn verify(args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let options = Arc::new(options(args)?);
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
    let modes = 1 + usize::from(args.generate > 0) + usize::from(args.negative);
    let bar = ProgressBar::new((total * modes) as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} tests {msg}") {
        bar.set_style(style);
    }
    let on_result = progress(&bar, args.verbose);
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
    let requests: usize = results.iter().map(|r| r.cases).sum();
    let dropped: usize = results.iter().map(|r| r.dropped).sum();
    if dropped > 0 {
        errln!(
            "note: {dropped} generated case(s) not sent: the contract's own check judged them otherwise than meant"
        );
    }
    let seconds = elapsed.as_secs_f64();
    outln!(
        "mockdown verify {}: {tally} ({} {} in {seconds:.1} s; {requests} requests, {:.0}/s)",
        args.target,
        results.len(),
        if modes == 1 && !args.stateful {
            "operations"
        } else {
            "tests"
        },
        requests as f64 / seconds.max(0.001)
    );
    Ok(if tally.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
