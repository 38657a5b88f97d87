//! The thin command layer: argument parsing and printing; the work happens in the stages.

mod build;
mod check;
mod completions;
mod config;
mod diff;
mod flags;
mod logformat;
mod logging;
mod logwriter;
mod out;
mod proxy;
mod routes;
mod serve;
mod verify;

use out::errln;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Default docs folder.
pub(crate) const DEFAULT_DOCS: &str = "docs";
/// Default bundle folder.
pub(crate) const DEFAULT_BUNDLE: &str = "schemas";

/// mockdown: markdown API reference pages → contract, mock server and contract tests.
#[derive(Debug, Parser)]
#[command(name = "mockdown", version, about)]
pub(crate) struct Cli {
    /// Read options from this TOML file instead of `./mockdown.toml` (an error when it
    /// does not exist). Command-line flags override the file.
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Do not read `./mockdown.toml`.
    #[arg(long, global = true, conflicts_with = "config")]
    pub(crate) no_config: bool,
    /// Format of the logs of `serve` and `proxy`: `text` lines, or `json` (one object a
    /// line: timestamp, level, message and fields) for log collectors.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t = logging::LogFormat::Text,
        env = "MOCKDOWN_LOG_FORMAT"
    )]
    pub(crate) log_format: logging::LogFormat,
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Build the contract bundle (JSON Schemas + examples) from reference pages.
    Build {
        /// Folder of reference pages (searched recursively).
        #[arg(default_value = DEFAULT_DOCS)]
        docs: PathBuf,
        /// Where to write the bundle.
        #[arg(long, default_value = DEFAULT_BUNDLE)]
        out: PathBuf,
        /// Treat docs warnings as errors.
        #[arg(long)]
        strict: bool,
        /// Do not write; exit 1 when the bundle in --out is not what the docs build.
        #[arg(long)]
        check: bool,
        /// Print no diagnostics, only the summary.
        #[arg(long, short)]
        quiet: bool,
        /// Also write a JSON report (counts and every diagnostic) to this file.
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// Serve a mock of the documented API.
    Serve(serve::ServeArgs),
    /// Forward every request to a real server and check both directions against the
    /// contract (violations in the log, the journal and `X-Mockdown-Violations`).
    Proxy(proxy::ProxyArgs),
    /// Send every documented sample request to a live server and check each answer
    /// against the contract (status, Content-Type, body schema).
    Verify(verify::VerifyArgs),
    /// Lint the pages: samples against their own tables, tables against each other,
    /// missing sections, unknown types, duplicate operationIds. Exit 1 on errors.
    Check {
        /// Folder of reference pages.
        #[arg(default_value = DEFAULT_DOCS)]
        docs: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = check::CheckFormat::Human)]
        format: check::CheckFormat,
    },
    /// Compare two versions of the docs: breaking and non-breaking contract changes.
    Diff {
        /// Folder of the old pages.
        old: PathBuf,
        /// Folder of the new pages.
        new: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = diff::DiffFormat::Human)]
        format: diff::DiffFormat,
        /// Exit 1 when there is a breaking change (`breaking`) or any change (`any`).
        #[arg(long, value_enum)]
        fail_on: Option<diff::FailOn>,
    },
    /// List the documented routes; with `--entities`, the entities the stateful mock
    /// keeps and which operations save, read, patch and delete each.
    Routes {
        /// Folder of reference pages.
        #[arg(default_value = DEFAULT_DOCS)]
        docs: PathBuf,
        /// Show the entities instead of the routes.
        #[arg(long)]
        entities: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = routes::RoutesFormat::Human)]
        format: routes::RoutesFormat,
    },
    /// Export the contract as one OpenAPI 3.1 document.
    Openapi {
        /// Folder of reference pages.
        #[arg(default_value = DEFAULT_DOCS)]
        docs: PathBuf,
        /// Output file (standard output when absent).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Which enums are closed (`enum`): the lists the pages give in full, or also the
        /// values the samples show (`x-mockdown-enum-seen`), for union types in generated
        /// clients.
        #[arg(long, value_enum, default_value_t = build::EnumsArg::Listed)]
        enums: build::EnumsArg,
    },
    /// A corpus gate of `.ci/run` (replay, stateful, mutant), against a running mock.
    #[command(hide = true)]
    Gate {
        /// Which gate.
        name: String,
        /// Its arguments.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Print a shell completion script (`mockdown completions bash > ...`).
    Completions {
        /// The shell the script is for.
        shell: clap_complete::Shell,
    },
}

/// Runs the command line (`std::env::args`); returns the process exit code. It is the
/// whole of the `mockdown` binary:
///
/// ```no_run
/// fn main() -> std::process::ExitCode {
///     mockdown::cli::run()
/// }
/// ```
pub fn run() -> ExitCode {
    let cli = match config::parse(std::env::args_os()) {
        Ok(cli) => cli,
        Err(config::Failure::Clap(err)) => err.exit(),
        Err(config::Failure::Config(err)) => {
            errln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    logging::set_format(cli.log_format);
    let result = match cli.command {
        Command::Build {
            docs,
            out,
            strict,
            check,
            quiet,
            report,
        } => build::build(&build::BuildArgs {
            docs: &docs,
            out: &out,
            strict,
            check,
            quiet,
            report: report.as_deref(),
        }),
        Command::Openapi {
            docs,
            output,
            enums,
        } => build::openapi(&docs, output.as_deref(), enums),
        Command::Serve(args) => serve::serve(&args),
        Command::Verify(args) => verify::verify(&args),
        Command::Proxy(args) => proxy::proxy(&args),
        Command::Check { docs, format } => check::check(&docs, format),
        Command::Routes {
            docs,
            entities,
            format,
        } => routes::routes(&docs, entities, format),
        Command::Diff {
            old,
            new,
            format,
            fail_on,
        } => diff::diff(&old, &new, format, fail_on),
        Command::Gate { name, args } => crate::gates::run(&name, &args).map(|()| ExitCode::SUCCESS),
        Command::Completions { shell } => completions::print(shell),
    };
    out::flush();
    match result {
        Ok(code) => code,
        Err(err) => {
            errln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
