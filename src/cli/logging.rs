//! Logs of the long-running commands (`serve`, `proxy`): one line per request, written by a
//! background thread so a request never waits on the terminal or the log file, and coloured
//! only on a terminal (never with `NO_COLOR` set, never into a redirected file).

use std::io::IsTerminal;

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};

/// Starts logging at `level` on standard output. Keep the guard until the command ends: it
/// writes out what is still queued when dropped.
pub(super) fn init(level: tracing::Level) -> WorkerGuard {
    let stdout = std::io::stdout();
    let colour = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    // Not lossy: under a burst the request waits for the log rather than losing lines.
    // The writer thread drains what is queued, then flushes: one write for many lines.
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("mockdown-log")
        .finish(std::io::BufWriter::new(stdout));
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_ansi(colour)
        .event_format(super::logformat::LineFormat { colour })
        .with_writer(writer)
        .init();
    guard
}
