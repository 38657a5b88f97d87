//! Logs of the long-running commands (`serve`, `proxy`): one line per request, written by a
//! background thread so a request never waits on the terminal or the log file. As text
//! (coloured only on a terminal, never with `NO_COLOR` set, never into a redirected file)
//! or, with `--log-format json`, as one JSON object per line for log collectors.

use std::io::IsTerminal;
use std::sync::OnceLock;

use super::logwriter::{Batched, Guard};

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LogFormat {
    /// `2026-11-27T11:02:08.461980Z  INFO request method=GET status=200 ...`
    #[default]
    Text,
    /// `{"timestamp":"2026-11-27T11:02:08.461980Z","level":"INFO","message":"request",
    /// "method":"GET","status":200,...,"target":"mockdown::server::handler"}`
    Json,
}

/// The format chosen on the command line (or in the config file), set once at start.
static FORMAT: OnceLock<LogFormat> = OnceLock::new();

/// Sets the format [`init`] uses (the first call wins).
pub(super) fn set_format(format: LogFormat) {
    let _ = FORMAT.set(format);
}

/// Starts logging at `level` on standard output. Keep the guard until the command ends: it
/// writes out what is still gathered when dropped.
pub(super) fn init(level: tracing::Level) -> std::io::Result<Guard> {
    let stdout = std::io::stdout();
    let colour = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    // Not lossy: under a burst the request waits for the log rather than losing lines.
    // The writer thread writes many lines at once, every few milliseconds.
    let (writer, guard) = Batched::new(stdout)?;
    let builder = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(writer);
    match FORMAT.get().copied().unwrap_or_default() {
        LogFormat::Text => builder
            .with_ansi(colour)
            .event_format(super::logformat::LineFormat { colour })
            .init(),
        LogFormat::Json => {
            super::out::json_lines();
            builder
                .with_ansi(false)
                .json()
                .flatten_event(true)
                .with_current_span(false)
                .with_span_list(false)
                .init();
        }
    }
    Ok(guard)
}
