//! Verify results for people (one block per failure, a summary line) and for CI systems
//! (JUnit XML: one test case per operation).

use std::fmt::Write as _;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::run::{OpResult, Outcome};

/// Counts of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Operations whose answer kept the contract.
    pub passed: usize,
    /// Operations whose answer broke it (or never came).
    pub failed: usize,
    /// Operations not run.
    pub skipped: usize,
}

impl Tally {
    /// Counts `results`.
    pub fn of(results: &[OpResult]) -> Self {
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

/// The human report of one failed operation: a headline and one line per violation.
pub fn failure_text(result: &OpResult) -> String {
    let Outcome::Failed { reason, violations } = &result.outcome else {
        return String::new();
    };
    let mut text = format!(
        "FAIL {}  {} {}  ({})\n     {reason}\n",
        result.operation_id, result.method, result.path, result.source
    );
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
    text
}

/// A JUnit XML report: one suite, one test case per operation (skipped ones marked so).
pub fn junit(results: &[OpResult], target: &str, elapsed: Duration) -> anyhow::Result<String> {
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
        let mut case = TestCase::new(result.operation_id.as_str(), status);
        case.set_classname(format!("{} {}", result.method, result.path));
        case.set_time(result.duration);
        suite.add_test_case(case);
    }
    let mut report = Report::new("mockdown");
    report.set_time(elapsed);
    report.add_test_suite(suite);
    report
        .to_string()
        .map_err(|e| anyhow::anyhow!("cannot write the JUnit report: {e}"))
}
