//! How a test fared: one result per operation and mode (one per entity for the stateful
//! sequences), with the case that failed, shrunk, as a `curl` command.

use std::time::Duration;

use super::case::Mode;
use crate::contract::Operation;
use crate::contract::validate::Violation;

/// How one test fared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Every answer kept the contract.
    Passed,
    /// An answer broke the contract, or there was none.
    Failed {
        /// One line saying what went wrong.
        reason: String,
        /// Every violation found (empty for timeouts and connection errors).
        violations: Vec<Violation>,
    },
    /// Not run, and why.
    Skipped(String),
}

/// The result of one operation in one mode (or of one entity's sequence).
#[derive(Debug, Clone)]
pub(crate) struct OpResult {
    /// operationId (for a stateful sequence: the operation of the step that failed, else
    /// of its first step).
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
    /// Time from the first request sent to the last answer checked.
    pub duration: Duration,
    /// The mode.
    pub mode: Mode,
    /// A stateful test: its entity, what it tests and with which operation (`Contact
    /// update via v1ContactEntity_PutContactEntity`).
    pub sequence: Option<String>,
    /// Requests sent (shrinking included).
    pub cases: usize,
    /// Cases whose answer broke the contract.
    pub failed_cases: usize,
    /// What the reported failing case tried (`boundary max`, `wrong type: body /Name`,
    /// `read after save`).
    pub case: Option<String>,
    /// The reported failing request, shrunk, as a `curl` command (for a sequence: every
    /// step up to the failing one).
    pub curl: Option<String>,
    /// Every operation the test involved, by operationId (a sequence's steps).
    pub operations: Vec<String>,
    /// Cases not sent because the contract itself judged them otherwise than meant (a
    /// generated request it refuses, a broken one it accepts).
    pub dropped: usize,
}

impl OpResult {
    /// Whether this is a failure.
    pub(crate) fn failed(&self) -> bool {
        matches!(self.outcome, Outcome::Failed { .. })
    }

    /// A result for `op` in `mode` with nothing sent yet.
    pub(crate) fn start(op: &Operation, mode: Mode) -> Self {
        Self {
            operation_id: op.operation_id.clone(),
            method: op.method.clone(),
            path: op.path.clone(),
            source: op.source.clone(),
            status: None,
            outcome: Outcome::Passed,
            duration: Duration::ZERO,
            mode,
            sequence: None,
            cases: 0,
            failed_cases: 0,
            case: None,
            curl: None,
            operations: vec![op.operation_id.clone()],
            dropped: 0,
        }
    }

    /// A result for `op` in `mode` that was not run, and why.
    pub(crate) fn skipped(op: &Operation, mode: Mode, reason: &str) -> Self {
        Self {
            outcome: Outcome::Skipped(reason.to_string()),
            ..Self::start(op, mode)
        }
    }
}
