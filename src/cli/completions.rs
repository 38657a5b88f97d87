//! `mockdown completions SHELL`: the shell completion script, on standard output.

use std::process::ExitCode;

use clap::CommandFactory;
use clap_complete::Shell;

use super::out::out;

/// Prints the completion script of `shell` for every command and flag.
pub(super) fn print(shell: Shell) -> anyhow::Result<ExitCode> {
    let mut command = super::Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "mockdown", &mut script);
    out!("{}", String::from_utf8_lossy(&script));
    Ok(ExitCode::SUCCESS)
}
