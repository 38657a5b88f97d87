//! `mockdown build` and `mockdown openapi`.

use super::out::{errln, out, outln};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use crate::contract::{self, Build, bundle, openapi};
use crate::diag::Severity;
use crate::docs;

/// Loads the pages under `docs_dir` (with a progress bar on a terminal) and builds them.
pub(super) fn compile(docs_dir: &Path) -> anyhow::Result<Build> {
    let total = docs::list_files(docs_dir)?.len() as u64;
    let bar = if total >= 200 {
        ProgressBar::new(total)
    } else {
        ProgressBar::hidden()
    };
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} pages {msg}") {
        bar.set_style(style);
    }
    let set = docs::load_dir(docs_dir, &|| bar.inc(1))?;
    bar.finish_and_clear();
    Ok(contract::build(set))
}

/// Arguments of `mockdown build`.
pub(super) struct BuildArgs<'a> {
    pub docs: &'a Path,
    pub out: &'a Path,
    pub strict: bool,
    pub check: bool,
    pub quiet: bool,
    pub report: Option<&'a Path>,
}

pub(super) fn build(args: &BuildArgs) -> anyhow::Result<ExitCode> {
    let BuildArgs {
        docs: docs_dir,
        out,
        strict,
        check,
        quiet,
        report,
    } = *args;
    let started = Instant::now();
    let build = compile(docs_dir)?;
    if !quiet {
        for d in &build.diagnostics {
            errln!("{d}");
        }
    }
    let warnings = build
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    let errors = build
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let mut failed = errors > 0 || (strict && warnings > 0);
    if check {
        if drifted(&build, out, docs_dir)? {
            failed = true;
        }
    } else {
        bundle::write(&build.contract, out)?;
    }
    if !quiet {
        for r in bundle::operation_files(&build.contract).1 {
            errln!(
                "note: {} is written to {}/{} ({})",
                r.operation_id,
                out.display(),
                r.file,
                r.reason
            );
        }
    }
    if let Some(path) = report {
        write_report(path, &build, warnings, errors)?;
    }
    outln!(
        "{} pages built, {} skipped, {} warnings, {} errors; samples valid: {}/{} ({:.2} %); {} named types; {:.2} s",
        build.pages_built,
        build.pages_skipped,
        warnings,
        errors,
        build.samples.valid,
        build.samples.checked,
        build.samples.percent_valid(),
        build.contract.types.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Whether the bundle in `out` differs from what `docs_dir` builds (`--check`); the first
/// differences printed.
fn drifted(build: &Build, out: &Path, docs_dir: &Path) -> anyhow::Result<bool> {
    let changes = bundle::diff(&build.contract, out)?;
    for (file, what) in changes.iter().take(20) {
        errln!("drift: {}/{file} {what}", out.display());
    }
    let drifted = !changes.is_empty();
    if drifted {
        errln!(
            "the bundle in {} is not what {} builds ({} files differ): run `mockdown build` and review the diff",
            out.display(),
            docs_dir.display(),
            changes.len()
        );
    }
    Ok(drifted)
}

/// Writes the `--report` JSON: the build's figures and its diagnostics.
fn write_report(path: &Path, build: &Build, warnings: usize, errors: usize) -> anyhow::Result<()> {
    let json = serde_json::json!({
        "pagesBuilt": build.pages_built,
        "pagesSkipped": build.pages_skipped,
        "warnings": warnings,
        "errors": errors,
        "samplesChecked": build.samples.checked,
        "samplesValid": build.samples.valid,
        "namedTypes": build.contract.types.len(),
        "diagnostics": build.diagnostics,
    });
    std::fs::write(path, serde_json::to_string_pretty(&json)? + "\n")?;
    Ok(())
}

/// `--enums` of `mockdown openapi`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum EnumsArg {
    /// Only the lists the pages give in full.
    Listed,
    /// Also the values the samples show.
    Seen,
}

pub(super) fn openapi(
    docs_dir: &Path,
    output: Option<&Path>,
    enums: EnumsArg,
) -> anyhow::Result<ExitCode> {
    let build = compile(docs_dir)?;
    let options = openapi::ExportOptions {
        enums: match enums {
            EnumsArg::Listed => openapi::Enums::Listed,
            EnumsArg::Seen => openapi::Enums::Seen,
        },
    };
    let (doc, examples) = openapi::export_with(&build.contract, options);
    if examples.dropped > 0 {
        errln!(
            "examples: {} kept, {} dropped (they break their own schema)",
            examples.kept,
            examples.dropped
        );
    }
    let mut text = serde_json::to_string_pretty(&doc)?;
    text.push('\n');
    match output {
        Some(path) => std::fs::write(path, text)?,
        None => out!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}
