//! Running the documented samples against a live server, concurrently with a bound.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use tokio::sync::Semaphore;
use wildmatch::WildMatch;

use super::sample::{SampleCall, sample_call};
use super::shown::missing;
use super::values::Values;
use crate::client::{HttpClient, http_client, send};
use crate::contract::validate::{SchemaSet, Violation};
use crate::contract::{Contract, Operation};
use crate::validate::{Answer, AnswerCheck};

/// What to verify and how.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// Base URL of the server; sample paths are appended (`https://host/tenant`).
    pub target: String,
    /// `Authorization` value sent instead of the one in the samples.
    pub auth: Option<String>,
    /// Glob patterns over operationIds (`Contact*`); empty runs all.
    pub only: Vec<String>,
    /// Glob patterns over operationIds to leave out.
    pub skip: Vec<String>,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Time allowed for one exchange.
    pub timeout: Duration,
    /// Accept any documented status, not only the one the sample answers.
    pub accept_documented_status: bool,
    /// Do not require the properties the documented answer shows.
    pub lenient: bool,
    /// Values to send instead of the samples' own (`--values FILE`).
    pub values: Values,
    /// Headers sent with every request, replacing the samples' headers of the same name.
    pub headers: Vec<(String, String)>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self {
            target: String::new(),
            auth: None,
            only: Vec::new(),
            skip: Vec::new(),
            concurrency: 16,
            timeout: Duration::from_secs(10),
            accept_documented_status: false,
            lenient: false,
            values: Values::default(),
            headers: Vec::new(),
        }
    }
}

/// How one operation fared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The answer kept the contract.
    Passed,
    /// The answer broke the contract, or there was none.
    Failed {
        /// One line saying what went wrong.
        reason: String,
        /// Every violation found (empty for timeouts and connection errors).
        violations: Vec<Violation>,
    },
    /// Not run, and why.
    Skipped(String),
}

/// The result for one operation.
#[derive(Debug, Clone)]
pub struct OpResult {
    /// operationId.
    pub operation_id: String,
    /// HTTP method sent (or documented, when skipped).
    pub method: String,
    /// Path and query sent (or the documented template, when skipped).
    pub path: String,
    /// Page and line the operation comes from.
    pub source: String,
    /// Status answered, if any.
    pub status: Option<u16>,
    /// Pass, fail or skip.
    pub outcome: Outcome,
    /// Time from sending to the checked answer.
    pub duration: Duration,
}

impl OpResult {
    /// Whether this is a failure.
    pub fn failed(&self) -> bool {
        matches!(self.outcome, Outcome::Failed { .. })
    }
}

/// Whether the options select operation `id` (`--only` / `--skip`, case-insensitive).
pub fn selected(options: &VerifyOptions, id: &str) -> bool {
    let matches = |patterns: &[String]| {
        patterns
            .iter()
            .any(|p| WildMatch::new_case_insensitive(p).matches(id))
    };
    (options.only.is_empty() || matches(&options.only)) && !matches(&options.skip)
}

/// Verifies every selected operation; `on_result` sees each result as it arrives. Results
/// come back in the contract's operation order.
pub async fn run(
    contract: Arc<Contract>,
    options: Arc<VerifyOptions>,
    on_result: Arc<dyn Fn(&OpResult) + Send + Sync>,
) -> anyhow::Result<Vec<OpResult>> {
    let schemas = Arc::new(SchemaSet::new(&contract.types)?);
    let client = http_client()?;
    let limit = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    let chosen: Vec<usize> = (0..contract.operations.len())
        .filter(|&i| selected(&options, &contract.operations[i].operation_id))
        .collect();
    for (slot, index) in chosen.iter().copied().enumerate() {
        let (contract, schemas, client, options, limit, on_result) = (
            contract.clone(),
            schemas.clone(),
            client.clone(),
            options.clone(),
            limit.clone(),
            on_result.clone(),
        );
        tasks.spawn(async move {
            let op = &contract.operations[index];
            let values = options.values.for_operation(op);
            let result = match sample_call(op, values.as_ref()) {
                None => skipped(op, "the page documents no sample request"),
                Some(call) => {
                    let _permit = limit.acquire().await;
                    let judge = Judge {
                        op,
                        schemas: &schemas,
                        types: &contract.types,
                        options: &options,
                    };
                    verify_one(&judge, &call, &client).await
                }
            };
            on_result(&result);
            (slot, result)
        });
    }
    let mut results: Vec<Option<OpResult>> = vec![None; chosen.len()];
    while let Some(joined) = tasks.join_next().await {
        if let Ok((slot, result)) = joined {
            results[slot] = Some(result);
        }
    }
    Ok(results
        .into_iter()
        .zip(&chosen)
        .map(|(result, &index)| {
            result.unwrap_or_else(|| {
                let op = &contract.operations[index];
                let mut lost = skipped(op, "");
                lost.outcome = Outcome::Failed {
                    reason: "the check itself crashed".into(),
                    violations: Vec::new(),
                };
                lost
            })
        })
        .collect())
}

fn skipped(op: &Operation, reason: &str) -> OpResult {
    OpResult {
        operation_id: op.operation_id.clone(),
        method: op.method.clone(),
        path: op.path.clone(),
        source: op.source.clone(),
        status: None,
        outcome: Outcome::Skipped(reason.to_string()),
        duration: Duration::ZERO,
    }
}

/// What an answer is held against.
struct Judge<'a> {
    op: &'a Operation,
    schemas: &'a SchemaSet,
    types: &'a std::collections::BTreeMap<String, serde_json::Value>,
    options: &'a VerifyOptions,
}

/// The status the documented sample answers (the operation's success status without one).
fn expected_status(op: &Operation) -> u16 {
    op.example
        .response
        .as_ref()
        .map_or(op.success_status, |r| r.status)
}

impl Judge<'_> {
    /// Every way `answer` falls short: an undocumented status, another status than the
    /// sample's (unless any documented one is accepted), a Content-Type or body that breaks
    /// the schema, and (unless lenient) properties of the documented answer left out.
    fn violations(&self, answer: &Answer, sent: Option<&serde_json::Value>) -> Vec<Violation> {
        let op = self.op;
        let expected = expected_status(op);
        if answer.status != expected
            && !self.options.accept_documented_status
            && op.response(answer.status).is_some()
        {
            return vec![Violation {
                location: "status".into(),
                pointer: String::new(),
                keyword: "expected".into(),
                expected: format!("{expected}, the status the documented sample answers"),
                found: answer.status.to_string(),
            }];
        }
        let (found, parsed) = AnswerCheck::new(op).check_parsed(op, self.schemas, answer);
        let mut violations = found.list;
        if !self.options.lenient
            && answer.status == expected
            && let (Some(value), Some(sample), Some(response)) = (
                parsed,
                op.example.response.as_ref().and_then(|r| r.body.as_ref()),
                op.response(expected),
            )
        {
            violations.extend(missing(sample, &value, &response.schema, self.types, sent));
        }
        violations
    }
}

async fn verify_one(judge: &Judge<'_>, call: &SampleCall, client: &HttpClient) -> OpResult {
    let (op, options) = (judge.op, judge.options);
    let started = Instant::now();
    let mut result = OpResult {
        operation_id: op.operation_id.clone(),
        method: call.method.clone(),
        path: call.path_and_query.clone(),
        source: op.source.clone(),
        status: None,
        outcome: Outcome::Passed,
        duration: Duration::ZERO,
    };
    let outcome = match build_request(call, options) {
        Err(reason) => Outcome::Failed {
            reason,
            violations: Vec::new(),
        },
        Ok(request) => match send(client, request, options.timeout).await {
            Err(err) => Outcome::Failed {
                reason: err.to_string(),
                violations: Vec::new(),
            },
            Ok(answer) => {
                result.status = Some(answer.status);
                let violations = judge.violations(&answer, call.body.as_ref());
                if violations.is_empty() {
                    Outcome::Passed
                } else {
                    let first = &violations[0];
                    let reason = match (first.location.as_str(), first.keyword.as_str()) {
                        ("status", "expected") => format!(
                            "status {} where the documented sample answers {}",
                            answer.status,
                            expected_status(op)
                        ),
                        ("status", _) => format!("status {} is not documented", answer.status),
                        ("header", _) => {
                            format!("Content-Type {} is not documented", first.found)
                        }
                        _ => format!(
                            "status {}: body breaks the contract in {} place(s)",
                            answer.status,
                            violations.len()
                        ),
                    };
                    Outcome::Failed { reason, violations }
                }
            }
        },
    };
    result.outcome = outcome;
    result.duration = started.elapsed();
    result
}

fn build_request(
    call: &SampleCall,
    options: &VerifyOptions,
) -> Result<hyper::Request<Full<Bytes>>, String> {
    let url = format!(
        "{}{}",
        options.target.trim_end_matches('/'),
        call.path_and_query
    );
    let mut builder = hyper::Request::builder()
        .method(call.method.as_str())
        .uri(url.as_str());
    let mut has_accept = false;
    let mut has_content_type = false;
    for (name, value) in &call.headers {
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "host" | "content-length" | "connection" | "transfer-encoding" => continue,
            "authorization" if options.auth.is_some() => continue,
            "accept" => has_accept = true,
            "content-type" => has_content_type = true,
            _ => {}
        }
        builder = builder.header(name.as_str(), value.as_str());
    }
    if let Some(auth) = &options.auth {
        builder = builder.header("authorization", auth.as_str());
    }
    for (name, value) in &options.headers {
        if let Some(headers) = builder.headers_mut() {
            headers.remove(name.as_str());
        }
        builder = builder.header(name.as_str(), value.as_str());
        has_accept |= name.eq_ignore_ascii_case("accept");
        has_content_type |= name.eq_ignore_ascii_case("content-type");
    }
    if !has_accept {
        builder = builder.header("accept", "application/json");
    }
    let body = match &call.body {
        Some(body) => {
            if !has_content_type {
                builder = builder.header("content-type", "application/json; charset=utf-8");
            }
            Bytes::from(body.to_string())
        }
        None => Bytes::new(),
    };
    builder
        .body(Full::new(body))
        .map_err(|e| format!("cannot build the request for {url}: {e}"))
}
