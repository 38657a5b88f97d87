//! The log line format: `2026-11-27T11:02:08.461980Z  INFO request method=GET status=200 ...`,
//! tracing-subscriber's full format, written without `core::fmt` on the hot path (the
//! per-request line cost about a fifth of a GET's instructions through the default
//! formatter): the second is formatted once and kept, numbers go through itoa, plain
//! strings are copied as they are.

use std::cell::RefCell;
use std::fmt::{self, Write as _};
use std::time::{SystemTime, UNIX_EPOCH};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// The event formatter of `serve` and `proxy`.
pub(super) struct LineFormat {
    /// Colour the level (a terminal without `NO_COLOR`).
    pub(super) colour: bool,
}

thread_local! {
    /// The second last formatted, and its text (`2026-11-27T11:02:08`).
    static SECOND: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
}

impl<S, N> FormatEvent<S, N> for LineFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut line = String::with_capacity(192);
        timestamp(&mut line);
        let level = *event.metadata().level();
        let (name, colour) = match level {
            Level::ERROR => ("ERROR", "\x1b[31m"),
            Level::WARN => (" WARN", "\x1b[33m"),
            Level::INFO => (" INFO", "\x1b[32m"),
            Level::DEBUG => ("DEBUG", "\x1b[34m"),
            Level::TRACE => ("TRACE", "\x1b[35m"),
        };
        line.push(' ');
        if self.colour {
            line.push_str(colour);
            line.push_str(name);
            line.push_str("\x1b[0m");
        } else {
            line.push_str(name);
        }
        let mut fields = Fields {
            line: &mut line,
            first: true,
        };
        event.record(&mut fields);
        line.push('\n');
        writer.write_str(&line)
    }
}

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ` of now (UTC).
fn timestamp(line: &mut String) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs();
    SECOND.with(|cached| {
        let mut cached = cached.borrow_mut();
        if cached.0 != secs {
            let text = chrono::DateTime::from_timestamp(secs as i64, 0)
                .map(|d| d.format("%Y-%m-%dT%H:%M:%S").to_string())
                .unwrap_or_default();
            *cached = (secs, text);
        }
        line.push_str(&cached.1);
    });
    line.push('.');
    let micros = now.subsec_micros();
    let digits = itoa::Buffer::new().format(micros).len();
    for _ in digits..6 {
        line.push('0');
    }
    line.push_str(itoa::Buffer::new().format(micros));
    line.push('Z');
}

/// Writes the message, then `name=value` for each field.
struct Fields<'l> {
    line: &'l mut String,
    first: bool,
}

impl Fields<'_> {
    fn name(&mut self, field: &Field) {
        self.line.push(' ');
        if field.name() != "message" {
            self.line.push_str(field.name());
            self.line.push('=');
        }
        self.first = false;
    }
}

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.name(field);
        let plain = field.name() == "message"
            || (!value.is_empty() && !value.contains([' ', '"', '\\', '\n', '=']));
        if plain {
            self.line.push_str(value);
        } else {
            let _ = write!(self.line, "{value:?}");
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.name(field);
        self.line.push_str(itoa::Buffer::new().format(value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.name(field);
        self.line.push_str(itoa::Buffer::new().format(value));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.name(field);
        // Three decimals are what a log reader looks at (milliseconds to the microsecond).
        if value.is_finite() && value.abs() < 1e15 {
            let thousandths = (value * 1000.0).round() as i64;
            if thousandths < 0 {
                self.line.push('-');
            }
            let magnitude = thousandths.unsigned_abs();
            self.line
                .push_str(itoa::Buffer::new().format(magnitude / 1000));
            self.line.push('.');
            let fraction = magnitude % 1000;
            if fraction < 100 {
                self.line.push('0');
            }
            if fraction < 10 {
                self.line.push('0');
            }
            self.line.push_str(itoa::Buffer::new().format(fraction));
        } else {
            let _ = write!(self.line, "{value}");
        }
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.name(field);
        self.line.push_str(if value { "true" } else { "false" });
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.name(field);
        let _ = write!(self.line, "{value:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_have_six_fraction_digits() {
        let mut line = String::new();
        timestamp(&mut line);
        assert_eq!(line.len(), "2026-11-27T11:02:08.461990Z".len(), "{line}");
        assert!(
            chrono::DateTime::parse_from_rfc3339(&line).is_ok(),
            "{line}"
        );
    }
}
