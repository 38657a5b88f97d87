//! `mockdown diff`: breaking-change review between two versions of the docs.

use super::out::{out, outln};
use std::path::Path;
use std::process::ExitCode;

use crate::contract::{self, Contract};
use crate::diff::{diff as compare, render};
use crate::docs;

/// Output format of `mockdown diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum DiffFormat {
    /// One line per change.
    Human,
    /// One JSON document.
    Json,
    /// A markdown section for a pull request.
    Markdown,
}

/// When `mockdown diff` exits 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum FailOn {
    /// Any breaking change.
    Breaking,
    /// Any change at all.
    Any,
}

fn contract_of(dir: &Path) -> anyhow::Result<Contract> {
    if !dir.is_dir() {
        anyhow::bail!("{} is not a folder of pages", dir.display());
    }
    let set = docs::load_dir(dir, &|| {})?;
    Ok(contract::build_with(set, false).contract)
}

/// Runs `mockdown diff OLD NEW`.
pub(super) fn diff(
    old: &Path,
    new: &Path,
    format: DiffFormat,
    fail_on: Option<FailOn>,
) -> anyhow::Result<ExitCode> {
    let changes = compare(&contract_of(old)?, &contract_of(new)?);
    let text = match format {
        DiffFormat::Human => render::human(&changes),
        DiffFormat::Json => render::json(&changes),
        DiffFormat::Markdown => render::markdown(&changes),
    };
    out!("{text}");
    if !text.ends_with('\n') {
        outln!();
    }
    let (breaking, _) = render::counts(&changes);
    let fail = match fail_on {
        Some(FailOn::Breaking) => breaking > 0,
        Some(FailOn::Any) => !changes.is_empty(),
        None => false,
    };
    Ok(if fail {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
