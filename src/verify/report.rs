//! Verify results for people (one block per failure, a summary line) and for CI systems
//! (JUnit XML: one test case per operation and mode, one per entity sequence, each failure
//! naming its mode, operation, case and the shrunk request as a `curl` command).

use std::fmt::Write as _;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::case::Mode;
use super::outcome::{OpResult, Outcome};

/// Counts of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    /// Operations whose answer kept the contract.
    pub passed: usize,
    /// Operations whose answer broke it (or never came).
    pub failed: usize,
    /// Operations not run.
    pub skipped: usize,
}

impl Tally {
    /// Counts `results`.
    pub(crate) fn of(results: &[OpResult]) -> Self {
        let mut tally = Self::default();
        for result in results {
            match result.outcome {
                Outcome::Passed => tally.passed += 1,
                Outcome::Failed { .. } => tally.failed += 1,
                Outcome::Skipped(_) => tally.skipped += 1,
            }
        }
        tally
    }
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        )
    }
}

/// The name of a result's test: the operationId for a sample (one per operation, as
/// before the other modes), `MODE operationId` for the others, `stateful ENTITY` for a
/// sequence.
pub(crate) fn test_name(result: &OpResult) -> String {
    match (result.mode, &result.sequence) {
        (Mode::Sample, _) => result.operation_id.clone(),
        (Mode::Stateful, Some(sequence)) => format!("stateful {sequence}"),
        (mode, _) => format!("{mode} {}", result.operation_id),
    }
}

/// The human report of one failed test: a headline, the case, one line per violation,
/// and the request to replay it.
pub(crate) fn failure_text(result: &OpResult) -> String {
    let Outcome::Failed { reason, violations } = &result.outcome else {
        return String::new();
    };
    let name = match result.mode {
        Mode::Sample => result.operation_id.clone(),
        Mode::Stateful => format!(
            "stateful {} at {}",
            result.sequence.as_deref().unwrap_or_default(),
            result.operation_id
        ),
        mode => format!("{mode} {}", result.operation_id),
    };
    let mut text = format!(
        "FAIL {name}  {} {}  ({})\n     {reason}\n",
        result.method, result.path, result.source
    );
    if let Some(case) = &result.case
        && result.mode != Mode::Sample
    {
        let _ = writeln!(
            text,
            "     case: {case} ({} of {} requests failed)",
            result.failed_cases, result.cases
        );
    }
    for v in violations {
        let place = if v.pointer.is_empty() {
            v.location.clone()
        } else {
            format!("{} {}", v.location, v.pointer)
        };
        let _ = writeln!(
            text,
            "     - {place}: expected {}, found {} [{}]",
            v.expected, v.found, v.keyword
        );
    }
    if let Some(curl) = &result.curl
        && result.mode != Mode::Sample
    {
        let label = if result.mode == Mode::Stateful {
            "the steps"
        } else {
            "smallest failing request"
        };
        let _ = writeln!(text, "     {label}:");
        for line in curl.lines() {
            let _ = writeln!(text, "       {line}");
        }
    }
    text
}

/// A JUnit XML report: one suite, one test case per result (skipped ones marked so); a
/// failure's properties name its mode, case, operations and request.
pub(crate) fn junit(
    results: &[OpResult],
    target: &str,
    elapsed: Duration,
) -> anyhow::Result<String> {
    let mut suite = TestSuite::new(format!("mockdown verify {target}"));
    suite.set_time(elapsed);
    for result in results {
        let status = match &result.outcome {
            Outcome::Passed => TestCaseStatus::success(),
            Outcome::Skipped(reason) => {
                let mut status = TestCaseStatus::skipped();
                status.set_message(reason.as_str());
                status
            }
            Outcome::Failed { reason, .. } => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(reason.as_str());
                status.set_type("contract");
                status.set_description(failure_text(result));
                status
            }
        };
        let mut case = TestCase::new(test_name(result), status);
        let classname = match &result.sequence {
            Some(sequence) if result.mode == Mode::Stateful => {
                let entity = sequence.split(' ').next().unwrap_or_default();
                format!("entity {entity}")
            }
            _ => format!("{} {}", result.method, result.path),
        };
        case.set_classname(classname);
        case.set_time(result.duration);
        case.add_property(Property::new("mode", result.mode.as_str()));
        case.add_property(Property::new("operations", result.operations.join(" ")));
        case.add_property(Property::new("requests", result.cases.to_string()));
        if result.failed() {
            if let Some(label) = &result.case {
                case.add_property(Property::new("case", label.as_str()));
            }
            if let Some(curl) = &result.curl {
                case.add_property(Property::new("request", curl.as_str()));
            }
        }
        suite.add_test_case(case);
    }
    let mut report = Report::new("mockdown");
    report.set_time(elapsed);
    report.add_test_suite(suite);
    report
        .to_string()
        .map_err(|e| anyhow::anyhow!("cannot write the JUnit report: {e}"))
}
