//! `mockdown check`: the docs lint.

use super::out::outln;
use std::path::Path;
use std::process::ExitCode;

use serde_json::json;

use crate::lint::{counts, lint, notes};

/// Output format of `mockdown check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum CheckFormat {
    /// One line per finding and a summary.
    Human,
    /// One JSON document: counts and every finding.
    Json,
}

/// Runs the lint over `docs_dir`; exit 1 when there are errors.
pub(super) fn check(docs_dir: &Path, format: CheckFormat) -> anyhow::Result<ExitCode> {
    let build = super::build::compile(docs_dir)?;
    let findings = lint(&build);
    let notes = notes(&build);
    let (errors, warnings) = counts(&findings);
    let mut by_code: std::collections::BTreeMap<&str, usize> = Default::default();
    for finding in &findings {
        *by_code.entry(finding.code).or_default() += 1;
    }
    match format {
        CheckFormat::Human => {
            for finding in findings.iter().chain(&notes) {
                outln!("{finding}");
            }
            let codes: Vec<String> = by_code.iter().map(|(c, n)| format!("{c} {n}")).collect();
            let noted = if notes.is_empty() {
                String::new()
            } else {
                format!("; {} notes (enums listed in full)", notes.len())
            };
            outln!(
                "mockdown check {}: {} pages, {errors} errors, {warnings} warnings{}{noted}",
                docs_dir.display(),
                build.pages_built,
                if codes.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", codes.join(", "))
                }
            );
        }
        CheckFormat::Json => {
            let report = json!({
                "pages": build.pages_built,
                "errors": errors,
                "warnings": warnings,
                "byCode": by_code,
                "findings": findings,
                "notes": notes,
            });
            outln!("{}", serde_json::to_string_pretty(&report)?);
        }
    }
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
