//! What reading one request body may cost: how many fields it may have (form keys, XML
//! elements, JSON object members and array items) and how much CPU time its parse and check
//! may take. Over either, the body is refused with a 413 before more work is spent on it.

use std::time::Duration;

use super::Rejection;
use crate::http::ErrorKind;

/// The bounds on one body's parse and check.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyLimits {
    /// Most fields a body may have: form keys, XML elements, JSON object members and array
    /// items, counted together over the whole body (`--max-fields`).
    pub(crate) max_fields: usize,
    /// CPU time the parse and check of one body may take (`--body-cpu-ms`).
    pub(crate) cpu: Duration,
}

/// Units of work between two readings of the CPU clock.
const TICKS_PER_READING: u32 = 1024;
/// Bytes of JSON scanned between two readings of the CPU clock.
const CLOCK_EVERY_BYTES: usize = 64 * 1024;

/// Bodies smaller than this cannot take a noticeable share of any budget: their CPU time is
/// not measured (the clock is a system call, which every request would pay).
const UNMEASURED: usize = 16 * 1024;

/// The CPU time one body's check has used, against its limit.
#[derive(Debug)]
pub(crate) struct Budget {
    limit: Duration,
    /// The thread's CPU time when the check started; `None`: not measured (a small body).
    started: Option<Duration>,
    ticks: u32,
}

impl Budget {
    /// Starts counting the calling thread's CPU time against `limit`.
    pub(crate) fn start(limit: Duration) -> Self {
        Self {
            limit,
            started: Some(thread_cpu_time()),
            ticks: 0,
        }
    }

    /// The budget of a body of `len` bytes: measured unless the body is small.
    pub(crate) fn for_body(limit: Duration, len: usize) -> Self {
        if len < UNMEASURED {
            Self {
                limit,
                started: None,
                ticks: 0,
            }
        } else {
            Self::start(limit)
        }
    }

    /// One unit of work done (a field, an element); every so often the clock is read and
    /// the body refused once its CPU time is over the limit.
    pub(crate) fn tick(&mut self) -> Result<(), Rejection> {
        self.ticks += 1;
        if self.ticks < TICKS_PER_READING {
            return Ok(());
        }
        self.ticks = 0;
        self.check()
    }

    /// Refuses the body if its CPU time is over the limit.
    pub(crate) fn check(&self) -> Result<(), Rejection> {
        let Some(started) = self.started else {
            return Ok(());
        };
        let used = thread_cpu_time().saturating_sub(started);
        if used > self.limit {
            return Err(Rejection::new(
                ErrorKind::BodyTooComplex,
                format!(
                    "reading and checking this body took more than its {} ms of CPU time (--body-cpu-ms); send a smaller body",
                    self.limit.as_millis()
                ),
            ));
        }
        Ok(())
    }
}

/// The refusal of a body with more fields than `max` allows.
pub(crate) fn too_many_fields(max: usize) -> Rejection {
    Rejection::new(
        ErrorKind::TooManyFields,
        format!(
            "the body has more than {max} fields (form keys, XML elements, JSON object members and array items count); --max-fields allows {max}"
        ),
    )
}

/// The CPU time the calling thread has used (wall time where no thread clock is known).
fn thread_cpu_time() -> Duration {
    #[cfg(unix)]
    {
        let mut now = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `now` is a valid, writable timespec; the call only writes to it.
        let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
        if rc == 0 {
            return Duration::new(
                u64::try_from(now.tv_sec).unwrap_or(0),
                u32::try_from(now.tv_nsec).unwrap_or(0),
            );
        }
    }
    wall_clock()
}

/// Time since the first call: the fallback of [`thread_cpu_time`].
fn wall_clock() -> Duration {
    static ORIGIN: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    ORIGIN.get_or_init(std::time::Instant::now).elapsed()
}

/// Checks that JSON `text` has at most `max` fields (object members and array items over
/// the whole document), in one pass over its bytes that skips string contents. A text of
/// fewer than `2 * max` bytes cannot have more (each field takes a byte and a separator),
/// so small bodies, the common case, are not scanned.
pub(crate) fn check_json_fields(
    text: &[u8],
    max: usize,
    budget: &mut Budget,
) -> Result<(), Rejection> {
    if text.len() < max.saturating_mul(2) {
        return Ok(());
    }
    let mut fields = 0usize;
    let mut depth = 0usize;
    // After `[` or `{`: the next non-space byte opens a first field unless it closes.
    let mut opened = false;
    let mut at = 0;
    let mut next_reading = CLOCK_EVERY_BYTES;
    while at < text.len() {
        let byte = text[at];
        if opened && !byte.is_ascii_whitespace() {
            opened = false;
            if byte != b']' && byte != b'}' {
                fields += 1;
            }
        }
        match byte {
            b'"' => {
                // Skip to the closing quote (escaped quotes included in the string).
                at += 1;
                loop {
                    match memchr::memchr2(b'"', b'\\', &text[at.min(text.len())..]) {
                        Some(offset) if text[at + offset] == b'\\' => at += offset + 2,
                        Some(offset) => {
                            at += offset;
                            break;
                        }
                        // Unterminated: the JSON parser reports it.
                        None => return Ok(()),
                    }
                    if at >= text.len() {
                        return Ok(());
                    }
                }
            }
            b'[' | b'{' => {
                opened = true;
                depth += 1;
                // Deeper than any body may nest: the JSON parser refuses it (400).
                if depth > super::textbody::MAX_DEPTH {
                    return Ok(());
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' => fields += 1,
            _ => {}
        }
        if fields > max {
            return Err(too_many_fields(max));
        }
        if at >= next_reading {
            next_reading = at + CLOCK_EVERY_BYTES;
            budget.check()?;
        }
        at += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str, max: usize) -> bool {
        check_json_fields(
            text.as_bytes(),
            max,
            &mut Budget::start(Duration::from_secs(5)),
        )
        .is_ok()
    }

    #[test]
    fn json_fields_are_counted_exactly_outside_strings() {
        // 4 members (a, b, c, d) and 3 items (1, 2, the object): 7 fields.
        let text = r#"{"a": [1, 2], "b,[{": "x,\"y,[", "c": [{"d": []}]}"#;
        assert!(fields(text, 7));
        assert!(!fields(text, 6));
        assert!(fields("[]", 0));
        assert!(fields("[ ]", 0));
        assert!(!fields("[ 1 ]", 0));
        assert!(fields("{} ", 0));
        // An unterminated string is left to the parser.
        assert!(fields(r#"["a", "b\"#, 2));
        // 100,000 keys against a limit of 10,000.
        let many: String = format!(
            "{{{}}}",
            (0..100_000)
                .map(|i| format!("\"k{i}\":1"))
                .collect::<Vec<_>>()
                .join(",")
        );
        assert!(!fields(&many, 10_000));
        assert!(fields(&many, 100_000));
        // Nesting past the parser's depth is left to the parser (a 400 there).
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(fields(&deep, 10_000));
    }

    #[test]
    fn a_spent_budget_refuses() {
        let mut budget = Budget::start(Duration::ZERO);
        let spin = std::time::Instant::now();
        while spin.elapsed() < Duration::from_millis(5) {
            std::hint::black_box(0u64);
        }
        let refusal = budget.check().expect_err("over the budget");
        assert_eq!(
            (refusal.status(), refusal.kind.error_type()),
            (413, "BodyTooComplex")
        );
        assert!((0..TICKS_PER_READING - 1).all(|_| budget.tick().is_ok()));
        assert!(budget.tick().is_err());
    }
}
