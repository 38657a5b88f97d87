//! Running the cases of one operation in one mode: each case sent (within the run's bound
//! on requests in flight) and judged; the first that fails is shrunk to the smallest
//! request that still fails the same way and reported as a `curl` command.

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::Value;
use tokio::sync::Semaphore;

use super::case::{Case, Expect};
use super::curl::curl;
use super::exchange::{ExchangeError, exchange};
use super::judge::{Judge, expected_status};
use super::local::LocalCheck;
use super::options::VerifyOptions;
use super::outcome::{OpResult, Outcome};
use super::shrink::smaller;
use crate::client::HttpClient;
use crate::contract::Operation;
use crate::contract::validate::Violation;
use crate::validate::Answer;

/// What sending needs: the client, the options and the bound on requests in flight.
pub(crate) struct Sender<'a> {
    pub(crate) client: &'a HttpClient,
    pub(crate) options: &'a VerifyOptions,
    pub(crate) limit: &'a Semaphore,
}

/// A case sent and judged: the answer (or why there was none) and what it broke.
pub(crate) struct Judged {
    pub(crate) answer: Result<Answer, ExchangeError>,
    pub(crate) violations: Vec<Violation>,
}

impl Judged {
    /// Whether the case failed.
    pub(crate) fn failed(&self) -> bool {
        self.answer.is_err() || !self.violations.is_empty()
    }

    /// The status answered, if any.
    pub(crate) fn status(&self) -> Option<u16> {
        self.answer.as_ref().ok().map(|a| a.status)
    }

    /// How it failed, to tell a smaller request that fails the same way: the status, and
    /// where and how the first violation breaks the contract.
    fn signature(&self) -> (Option<u16>, String, String) {
        let first = self.violations.first();
        (
            self.status(),
            first.map(|v| v.location.clone()).unwrap_or_default(),
            first.map(|v| v.keyword.clone()).unwrap_or_default(),
        )
    }

    /// One line saying what went wrong.
    pub(crate) fn reason(&self, op: &Operation) -> String {
        let answer = match &self.answer {
            Err(err) => return err.to_string(),
            Ok(answer) => answer,
        };
        let Some(first) = self.violations.first() else {
            return String::new();
        };
        match (first.location.as_str(), first.keyword.as_str()) {
            ("status", "expected") => format!(
                "status {} where the documented sample answers {}",
                answer.status,
                expected_status(op)
            ),
            ("status", "refused") => format!(
                "status {}: an invalid request was not refused ({})",
                answer.status, first.expected
            ),
            ("status", "gone") | ("body", "gone") => {
                format!("status {}: a deleted entity still reads", answer.status)
            }
            ("status", _) => format!("status {} is not documented", answer.status),
            ("header", _) => format!("Content-Type {} is not documented", first.found),
            ("body", "read back") => format!(
                "status {}: what was saved does not read back in {} place(s)",
                answer.status,
                self.violations.len()
            ),
            _ => format!(
                "status {}: body breaks the contract in {} place(s)",
                answer.status,
                self.violations.len()
            ),
        }
    }
}

impl Sender<'_> {
    /// Sends `case` and judges its answer.
    pub(crate) async fn judged(&self, judge: &Judge<'_>, case: &Case) -> Judged {
        let answer = {
            let _permit = self.limit.acquire().await;
            exchange(self.client, &case.request, self.options).await
        };
        let violations = match &answer {
            Ok(answer) => judge.violations(&case.expect, &case.request, answer),
            Err(_) => Vec::new(),
        };
        Judged { answer, violations }
    }
}

/// What a group of cases is judged with.
pub(crate) struct Checks<'a> {
    pub(crate) op: &'a Operation,
    pub(crate) types: &'a BTreeMap<String, Value>,
    pub(crate) judge: &'a Judge<'a>,
    pub(crate) local: &'a LocalCheck<'a>,
}

/// Runs `cases` into `result`: every case sent; the first failure shrunk and reported.
pub(crate) async fn run_cases(
    sender: &Sender<'_>,
    checks: &Checks<'_>,
    cases: Vec<Case>,
    mut result: OpResult,
) -> OpResult {
    let started = Instant::now();
    let mut first: Option<(Case, Judged)> = None;
    for case in cases {
        let judged = sender.judged(checks.judge, &case).await;
        result.cases += 1;
        if judged.failed() {
            result.failed_cases += 1;
            if first.is_none() {
                first = Some((case, judged));
            }
        } else if first.is_none() {
            result.status = judged.status();
            result.method = case.request.method.clone();
            result.path = case.request.path_and_query();
        }
    }
    if let Some((case, judged)) = first {
        let (case, judged) = shrink(sender, checks, case, judged, &mut result.cases).await;
        result.status = judged.status();
        result.method = case.request.method.clone();
        result.path = case.request.path_and_query();
        result.curl = Some(curl(&case.request, sender.options));
        result.outcome = Outcome::Failed {
            reason: judged.reason(checks.op),
            violations: judged.violations,
        };
        result.case = Some(case.label);
    }
    result.duration = started.elapsed();
    result
}

/// The smallest request found that fails as `failed` does (at most the options' shrink
/// budget of requests spent); a sample is what it is and is not shrunk.
async fn shrink(
    sender: &Sender<'_>,
    checks: &Checks<'_>,
    mut case: Case,
    mut judged: Judged,
    sent: &mut usize,
) -> (Case, Judged) {
    if case.mode == super::case::Mode::Sample || judged.answer.is_err() {
        return (case, judged);
    }
    let keep = match &case.expect {
        Expect::Refusal { broken } => Some(broken.clone()),
        _ => None,
    };
    let signature = judged.signature();
    let mut spent = 0;
    // Requests already tried (each is sent at most once).
    let mut tried_before: std::collections::HashSet<String> = std::collections::HashSet::new();
    'smaller: while spent < sender.options.shrink_budget {
        for request in smaller(&case.request, checks.op, checks.types, keep.as_deref()) {
            let meant = match case.expect {
                Expect::Refusal { .. } => !checks.local.keeps(&request),
                _ => checks.local.keeps(&request),
            };
            let text = format!(
                "{} {}",
                request.path_and_query(),
                request
                    .body
                    .as_ref()
                    .map(|b| b.to_string())
                    .unwrap_or_default()
            );
            if !meant || !tried_before.insert(text) {
                continue;
            }
            if spent >= sender.options.shrink_budget {
                break 'smaller;
            }
            spent += 1;
            *sent += 1;
            let trial = Case {
                request,
                ..case.clone()
            };
            let tried = sender.judged(checks.judge, &trial).await;
            if tried.failed() && tried.signature() == signature {
                case = trial;
                judged = tried;
                continue 'smaller;
            }
        }
        break;
    }
    (case, judged)
}
