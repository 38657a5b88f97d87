//! Flags `serve` and `proxy` share (journal, limits, admin access), and the parsers of
//! durations, which refuse what no timer can hold (`1e30`, NaN, negatives) by the flag's name.

use std::time::Duration;

use clap::Args;

use crate::http::{AdminConfig, DEFAULT_WORDS, JournalConfig, Limits};

/// Longest duration a flag takes: one day.
const MAX_SECONDS: f64 = 86_400.0;

/// Why a flag's value is refused: the one error type of the command line's parsers, each
/// message naming the value given (clap puts the flag's name before it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum FlagError {
    /// Not a number of seconds.
    #[error("`{0}` is not a number of seconds")]
    NotSeconds(String),
    /// Seconds not above 0 and at most a day (or not finite).
    #[error("`{0}` is out of range: give a number of seconds above 0 and at most {MAX_SECONDS}")]
    SecondsOutOfRange(String),
    /// Seconds no [`Duration`] holds.
    #[error("`{text}`: {why}")]
    NoDuration {
        /// The value given.
        text: String,
        /// Why no duration holds it.
        why: String,
    },
    /// Not a number.
    #[error("`{0}` is not a number")]
    NotShare(String),
    /// A number outside 0 to 1.
    #[error("`{0}` is out of range: give a share from 0 to 1")]
    ShareOutOfRange(String),
    /// Not a whole number of milliseconds.
    #[error("`{0}` is not a whole number of milliseconds")]
    NotMillis(String),
    /// More milliseconds than a day.
    #[error("`{0}` is out of range: at most {max} ms", max = MAX_SECONDS * 1000.0)]
    MillisOutOfRange(String),
    /// A `-H` value without a `:`.
    #[error("`{0}` is not NAME:VALUE")]
    NotHeader(String),
    /// A `-H` name that is no header name.
    #[error("`{0}` is not a header name")]
    HeaderName(String),
    /// A `-H` value that cannot stand in a header.
    #[error("the value of `{0}` cannot stand in a header")]
    HeaderValue(String),
}

/// Parses a number of seconds (fractions allowed): more than 0, at most a day.
pub(super) fn seconds(text: &str) -> Result<Duration, FlagError> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| FlagError::NotSeconds(text.to_string()))?;
    if !(value.is_finite() && value > 0.0 && value <= MAX_SECONDS) {
        return Err(FlagError::SecondsOutOfRange(text.to_string()));
    }
    Duration::try_from_secs_f64(value).map_err(|e| FlagError::NoDuration {
        text: text.to_string(),
        why: e.to_string(),
    })
}

/// Parses a share: a number from 0 to 1.
pub(super) fn share(text: &str) -> Result<f64, FlagError> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| FlagError::NotShare(text.to_string()))?;
    if !(0.0..=1.0).contains(&value) {
        return Err(FlagError::ShareOutOfRange(text.to_string()));
    }
    Ok(value)
}

/// Parses a number of milliseconds: 0 up to a day.
pub(super) fn millis(text: &str) -> Result<Duration, FlagError> {
    let value: u64 = text
        .trim()
        .parse()
        .map_err(|_| FlagError::NotMillis(text.to_string()))?;
    if value as f64 > MAX_SECONDS * 1000.0 {
        return Err(FlagError::MillisOutOfRange(text.to_string()));
    }
    Ok(Duration::from_millis(value))
}

/// Journal, limits and admin flags of a long-running server.
#[derive(Debug, Args)]
pub(super) struct ServerFlags {
    /// Bytes of exchanges the journal at /__mockdown/requests keeps (oldest dropped
    /// first); 0 turns it off.
    #[arg(long, default_value_t = 8 * 1024 * 1024, value_name = "BYTES")]
    journal_bytes: usize,
    /// Bytes of each request and response body the journal keeps.
    #[arg(long, default_value_t = 4096, value_name = "BYTES")]
    journal_body_bytes: usize,
    /// Words that make a query, header or body field secret in the journal (any case,
    /// part of the name; comma-separated; `--redact ''` masks only credentials).
    #[arg(long, value_delimiter = ',', default_values_t = DEFAULT_WORDS.map(String::from))]
    redact: Vec<String>,
    /// Seconds a client has to send a request's headers; also how long an idle
    /// keep-alive connection is kept.
    #[arg(long, value_parser = seconds, default_value = "10", value_name = "SECONDS")]
    header_timeout: Duration,
    /// Seconds a client has to send a request body.
    #[arg(long, value_parser = seconds, default_value = "30", value_name = "SECONDS")]
    body_timeout: Duration,
    /// Connections served at once; more are answered 503 and closed.
    #[arg(long, default_value_t = 1024, value_name = "N")]
    max_connections: usize,
    /// Listen backlog.
    #[arg(long, default_value_t = 1024, value_name = "N")]
    backlog: u32,
    /// Requests held open on purpose at once (`Prefer: fault=timeout|drip`, `--fault-rate`),
    /// apart from --max-connections: a held request gives its connection's place back; more
    /// are answered 503.
    #[arg(long, default_value_t = 256, value_name = "N")]
    max_held_faults: usize,
    /// Most fields one request body may have (form keys, XML elements, JSON object members
    /// and array items, over the whole body); more are answered 413.
    #[arg(long, default_value_t = crate::http::DEFAULT_MAX_FIELDS, value_name = "N")]
    max_fields: usize,
    /// CPU time, in milliseconds, the parse and check of one request body may take; more
    /// is answered 413.
    #[arg(long = "body-cpu-ms", value_parser = millis, default_value = "250", value_name = "MS")]
    body_cpu: Duration,
    /// Host name (besides localhost and IP addresses) admin requests may be sent to
    /// (repeatable; `*` allows any).
    #[arg(long, value_name = "HOST")]
    admin_host: Vec<String>,
    /// Token the admin routes require (`Authorization: Bearer TOKEN` or
    /// `X-Mockdown-Admin-Token`); GET /__mockdown/health stays open.
    #[arg(
        long,
        env = "MOCKDOWN_ADMIN_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    admin_token: Option<String>,
}

impl ServerFlags {
    /// What the journal keeps.
    pub(super) fn journal(&self) -> JournalConfig {
        JournalConfig {
            bytes: self.journal_bytes,
            body_bytes: self.journal_body_bytes,
            redact: self.redact.clone(),
        }
    }

    /// Timeouts and connection limits.
    pub(super) fn limits(&self) -> Limits {
        Limits {
            header_timeout: self.header_timeout,
            body_timeout: self.body_timeout,
            max_connections: self.max_connections.max(1),
            backlog: self.backlog,
            max_held: self.max_held_faults.max(1),
            max_fields: self.max_fields,
            body_cpu: self.body_cpu.max(Duration::from_millis(1)),
        }
    }

    /// Admin access.
    pub(super) fn admin(&self) -> AdminConfig {
        AdminConfig {
            hosts: self.admin_host.clone(),
            token: self.admin_token.clone().filter(|t| !t.is_empty()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_out_of_range_are_refused() {
        for bad in ["1e30", "NaN", "-1", "0", "inf", "ten"] {
            assert!(seconds(bad).is_err(), "{bad}");
        }
        assert_eq!(seconds("2.5"), Ok(Duration::from_millis(2500)));
        assert!(millis("18446744073709551615").is_err());
        assert_eq!(millis("0"), Ok(Duration::ZERO));
    }

    #[test]
    fn flag_errors_name_the_value() {
        let said = |r: Result<Duration, FlagError>| r.map_err(|e| e.to_string());
        assert_eq!(seconds("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(
            said(seconds("abc")),
            Err("`abc` is not a number of seconds".into())
        );
        assert_eq!(
            said(seconds("1e30")),
            Err(
                "`1e30` is out of range: give a number of seconds above 0 and at most 86400".into()
            )
        );
        assert_eq!(
            said(millis("86400001")),
            Err("`86400001` is out of range: at most 86400000 ms".into())
        );
        assert_eq!(
            share("2").map_err(|e| e.to_string()),
            Err("`2` is out of range: give a share from 0 to 1".into())
        );
    }
}
