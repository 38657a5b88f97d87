//! Violations collected with a bound: the first [`MAX_VIOLATIONS`] are described and the
//! rest only counted, so a body with half a million wrong items costs time, not memory.

use jsonschema::Validator;
use serde_json::Value;

use crate::contract::validate::Violation;

/// Most violations described per check; the rest are counted.
pub(crate) const MAX_VIOLATIONS: usize = 100;
/// Longest text of a value shown in `found`.
const SHOWN: usize = 60;

/// Violations found, the first [`MAX_VIOLATIONS`] of them, and how many more there were.
#[derive(Debug, Default)]
pub(crate) struct Capped {
    /// The first violations.
    pub(crate) list: Vec<Violation>,
    /// How many more were found.
    pub(crate) omitted: usize,
}

impl Capped {
    /// Adds one violation (counted only, once the list is full).
    pub(crate) fn push(&mut self, violation: Violation) {
        if self.list.len() < MAX_VIOLATIONS {
            self.list.push(violation);
        } else {
            self.omitted += 1;
        }
    }

    /// Whether the list is full (later violations are only counted).
    pub(crate) fn full(&self) -> bool {
        self.list.len() >= MAX_VIOLATIONS
    }

    /// Violations found in all.
    pub(crate) fn total(&self) -> usize {
        self.list.len() + self.omitted
    }
}

/// Every violation of `value` against `validator` (located `in` the given place), capped.
pub(crate) fn capped(validator: &Validator, value: &Value, location: &str) -> Capped {
    let mut found = Capped::default();
    // Valid documents (the common case) take the short-circuiting path.
    if validator.is_valid(value) {
        return found;
    }
    for err in validator.iter_errors(value) {
        if found.full() {
            found.omitted += 1;
            continue;
        }
        let keyword = err.kind().keyword().to_string();
        let message = err.masked_with("value").to_string();
        let message = message.trim_start_matches("value ");
        // "is not of type \"integer\"" → "of type \"integer\"": what was expected.
        let expected = message
            .strip_prefix("is not ")
            .unwrap_or(message)
            .to_string();
        found.push(Violation {
            location: location.to_string(),
            pointer: err.instance_path().to_string(),
            keyword,
            expected,
            found: describe(err.instance()),
        });
    }
    found
}

/// A short description of a JSON value (its type and the start of its text), without
/// writing out the whole of a large value.
pub(crate) fn describe(value: &Value) -> String {
    let kind = match value {
        Value::Null => return "null".to_string(),
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let mut head = Head(Vec::with_capacity(SHOWN + 8));
    // The writer refuses bytes past the limit, which ends the serialisation early.
    let cut = serde_json::to_writer(&mut head, value).is_err();
    let text = String::from_utf8_lossy(&head.0);
    let short: String = text.chars().take(SHOWN).collect();
    let ellipsis = if cut || short.len() < text.len() {
        "…"
    } else {
        ""
    };
    format!("{kind} {short}{ellipsis}")
}

/// A writer that keeps the first bytes and refuses the rest.
struct Head(Vec<u8>);

impl std::io::Write for Head {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let room = (SHOWN * 4).saturating_sub(self.0.len());
        if room == 0 {
            return Err(std::io::Error::other("enough"));
        }
        let n = buf.len().min(room);
        self.0.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn large_values_are_described_briefly() {
        let big = Value::Array((0..100_000).map(|i| json!(i)).collect());
        let text = describe(&big);
        assert!(text.starts_with("array [0,1,2"), "{text}");
        assert!(text.ends_with('…') && text.len() < 100, "{text}");
        assert_eq!(describe(&json!("ab")), "string \"ab\"");
    }
}
