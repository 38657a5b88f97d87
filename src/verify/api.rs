//! The library's way into verify: run the contract tests of a docs folder against a live
//! server, and read the report.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::outcome::{OpResult, Outcome};
use super::report::{Tally, junit};
use super::run::VerifyOptions;
use crate::Error;

/// What to verify and how: every setting has the default of `mockdown verify`.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct Options {
    inner: VerifyOptions,
}

impl Options {
    /// The defaults: the documented samples only, 16 requests in flight, 10 s per exchange.
    pub fn new() -> Options {
        Options::default()
    }

    /// `Authorization` value sent instead of the samples' own.
    pub fn auth(mut self, value: &str) -> Options {
        self.inner.auth = Some(value.to_string());
        self
    }

    /// Only the operations whose operationId matches one of these globs (`Contact*`).
    pub fn only<S: Into<String>>(mut self, patterns: impl IntoIterator<Item = S>) -> Options {
        self.inner.only = patterns.into_iter().map(Into::into).collect();
        self
    }

    /// Leave out the operations whose operationId matches one of these globs.
    pub fn skip<S: Into<String>>(mut self, patterns: impl IntoIterator<Item = S>) -> Options {
        self.inner.skip = patterns.into_iter().map(Into::into).collect();
        self
    }

    /// Also send `n` requests per operation generated from its request schema.
    pub fn generate(mut self, n: usize) -> Options {
        self.inner.generate = n;
        self
    }

    /// Also send requests broken in one place, which must be refused with a documented 4xx.
    pub fn negative(mut self, on: bool) -> Options {
        self.inner.negative = on;
        self
    }

    /// Also run save → read → update → read → delete → read per entity.
    pub fn stateful(mut self, on: bool) -> Options {
        self.inner.stateful = on;
        self
    }

    /// Seed of the generated cases: the same seed sends the same requests.
    pub fn seed(mut self, seed: u64) -> Options {
        self.inner.seed = seed;
        self
    }

    /// Requests in flight at once.
    pub fn concurrency(mut self, n: usize) -> Options {
        self.inner.concurrency = n;
        self
    }

    /// Time allowed for one exchange.
    pub fn timeout(mut self, timeout: Duration) -> Options {
        self.inner.timeout = timeout;
        self
    }

    /// A header sent with every request, replacing the samples' header of that name.
    pub fn header(mut self, name: &str, value: &str) -> Options {
        self.inner.headers.push((name.into(), value.into()));
        self
    }
}

/// What a verify run found, case by case.
#[derive(Debug, Clone)]
pub struct Report {
    results: Vec<OpResult>,
    target: String,
    elapsed: Duration,
}

impl Report {
    /// Results (an operation in one mode, or an entity's sequence) that kept the contract.
    pub fn passed(&self) -> usize {
        self.tally().passed
    }

    /// Results that broke it.
    pub fn failed(&self) -> usize {
        self.tally().failed
    }

    /// Results not run (the JUnit report says why).
    pub fn skipped(&self) -> usize {
        self.tally().skipped
    }

    /// One line per failure: `operationId (mode): reason`, with the shrunk request as a
    /// `curl` command when there is one.
    pub fn failures(&self) -> Vec<String> {
        self.results
            .iter()
            .filter_map(|r| match &r.outcome {
                Outcome::Failed { reason, .. } => Some(match &r.curl {
                    Some(curl) => format!("{} ({}): {reason}\n  {curl}", r.operation_id, r.mode),
                    None => format!("{} ({}): {reason}", r.operation_id, r.mode),
                }),
                _ => None,
            })
            .collect()
    }

    /// The JUnit XML report (what `--junit FILE` writes).
    pub fn junit(&self) -> Result<String, Error> {
        junit(&self.results, &self.target, self.elapsed).map_err(|e| Error::Verify(e.to_string()))
    }

    fn tally(&self) -> Tally {
        Tally::of(&self.results)
    }
}

/// Runs the contract tests of the pages in `docs` against the server at `target` (a base
/// URL: sample paths are appended).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), mockdown::Error> {
/// use mockdown::{MockServer, verify};
///
/// let server = MockServer::builder().docs("docs").start().await?;
/// let report = verify::run(&server.url(), "docs", verify::Options::new()).await?;
/// assert_eq!(report.failed(), 0, "{:?}", report.failures());
/// server.stop().await;
/// # Ok(())
/// # }
/// ```
pub async fn run(target: &str, docs: impl AsRef<Path>, options: Options) -> Result<Report, Error> {
    let docs = docs.as_ref();
    let set = crate::docs::load_dir(docs, &|| {}).map_err(|err| Error::Docs {
        path: docs.display().to_string(),
        reason: format!("{err:#}"),
    })?;
    let contract = crate::contract::build(set).contract;
    let mut inner = options.inner;
    inner.target = target.trim_end_matches('/').to_string();
    let started = std::time::Instant::now();
    let target = inner.target.clone();
    let results = super::run::run(
        Arc::new(contract),
        Arc::new(inner),
        Arc::new(|_: &OpResult| {}),
    )
    .await
    .map_err(|err| Error::Verify(format!("{err:#}")))?;
    Ok(Report {
        results,
        target,
        elapsed: started.elapsed(),
    })
}
