//! Printing for the commands: a closed pipe (`mockdown openapi docs | head`) ends the
//! command quietly with status 141 (128 + SIGPIPE, as a shell reports a tool a pipe
//! closed on), where `println!` would panic. Under `--log-format json` the long-running
//! commands' own lines (`mockdown serving ... on http://...`) are JSON objects too, so that
//! everything on standard output is one JSON object per line.

use std::fmt::Arguments;
use std::io::{ErrorKind, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// The status of a command whose output pipe was closed.
const BROKEN_PIPE: i32 = 141;

/// Whether standard output carries JSON log lines (`serve`/`proxy` with `--log-format json`).
static JSON_LINES: AtomicBool = AtomicBool::new(false);

/// From now on, lines written to standard output are written as JSON log objects.
pub(crate) fn json_lines() {
    JSON_LINES.store(true, Ordering::Relaxed);
}

/// Writes to standard output; exits quietly when the reader is gone.
pub(crate) fn stdout(args: Arguments) {
    if JSON_LINES.load(Ordering::Relaxed) {
        let text = args.to_string();
        let mut lines = String::with_capacity(text.len() + 128);
        for line in text.lines().filter(|line| !line.is_empty()) {
            lines.push_str(&json_line(line));
            lines.push('\n');
        }
        done(std::io::stdout().lock().write_all(lines.as_bytes()));
        return;
    }
    let result = std::io::stdout().lock().write_fmt(args);
    done(result);
}

/// `line` as the JSON log format writes an event: timestamp, level, message, target.
fn json_line(line: &str) -> String {
    let timestamp = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ");
    serde_json::json!({
        "timestamp": timestamp.to_string(),
        "level": "INFO",
        "message": line,
        "target": "mockdown",
    })
    .to_string()
}

/// Writes to standard error; exits quietly when the reader is gone.
pub(crate) fn stderr(args: Arguments) {
    let result = std::io::stderr().lock().write_fmt(args);
    done(result);
}

/// Flushes standard output (at the end of a command), exiting quietly on a closed pipe.
pub(crate) fn flush() {
    done(std::io::stdout().lock().flush());
}

fn done(result: std::io::Result<()>) {
    if let Err(err) = result
        && err.kind() == ErrorKind::BrokenPipe
    {
        std::process::exit(BROKEN_PIPE);
    }
}

/// `println!` that ends the command quietly on a closed pipe.
macro_rules! outln {
    () => { $crate::cli::out::stdout(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::cli::out::stdout(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `print!` that ends the command quietly on a closed pipe.
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::out::stdout(format_args!($($arg)*)) };
}

/// `eprintln!` that ends the command quietly on a closed pipe.
macro_rules! errln {
    ($($arg:tt)*) => { $crate::cli::out::stderr(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `eprint!` that ends the command quietly on a closed pipe.
macro_rules! err {
    ($($arg:tt)*) => { $crate::cli::out::stderr(format_args!($($arg)*)) };
}

pub(crate) use {err, errln, out, outln};
