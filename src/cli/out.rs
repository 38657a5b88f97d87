//! Printing for the commands: a closed pipe (`mockdown openapi docs | head`) ends the
//! command quietly with status 141 (128 + SIGPIPE, as a shell reports a tool a pipe
//! closed on), where `println!` would panic.

use std::fmt::Arguments;
use std::io::{ErrorKind, Write};

/// The status of a command whose output pipe was closed.
const BROKEN_PIPE: i32 = 141;

/// Writes to standard output; exits quietly when the reader is gone.
pub(crate) fn stdout(args: Arguments) {
    let result = std::io::stdout().lock().write_fmt(args);
    done(result);
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
