//! Violations collected with a bound: the first [`MAX_VIOLATIONS`] are described and the
//! rest only counted, so a body with half a million wrong items costs time, not memory.
//! (jsonschema gathers every error of a document before handing out the first, so a large
//! document is checked in pieces: its long arrays cut to their first items, then the rest
//! of each long array a chunk at a time.)

use mockdown_schema::Validator;
use serde_json::Value;

pub(crate) use crate::contract::validate::describe;
use crate::contract::validate::{Violation, violation};

/// Most violations described per check; the rest are counted.
pub(crate) const MAX_VIOLATIONS: usize = 100;

/// Violations found, the first [`MAX_VIOLATIONS`] of them, and how many more there were.
#[derive(Debug, Default)]
pub(crate) struct Capped {
    /// The first violations.
    pub(crate) list: Vec<Violation>,
    /// How many more were found.
    pub(crate) omitted: usize,
    /// Whether the count is a lower bound (long arrays nested in the far items of another
    /// long array are counted as far as their first items).
    pub(crate) at_least: bool,
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

/// Array items a document may hold in all before it is checked in pieces.
const WHOLE: usize = 20_000;
/// Items of a long array checked at once.
const CHUNK: usize = 1_000;

/// Every violation of `value` against `validator` (located `in` the given place), capped.
pub(crate) fn capped(validator: &Validator, value: &Value, location: &str) -> Capped {
    let mut found = Capped::default();
    // Valid documents (the common case) take the short-circuiting path.
    if validator.is_valid(value) {
        return found;
    }
    if items(value, 0) <= WHOLE {
        collect(validator, value, location, &mut found, |_| true, |p| p);
        return found;
    }
    // A copy with long arrays cut to their first CHUNK items; what was cut (left in
    // `value`, not copied) is checked afterwards, a chunk at a time.
    let mut cut = Vec::new();
    let mut pruned = pruned_copy(value, String::new(), &mut cut);
    collect(validator, &pruned, location, &mut found, |_| true, |p| p);
    for (pointer, rest) in cut {
        let prefix = format!("{pointer}/");
        for (n, chunk) in rest.chunks(CHUNK).enumerate() {
            let offset = CHUNK * (n + 1);
            let mut nested = Vec::new();
            let piece: Vec<Value> = chunk
                .iter()
                .enumerate()
                .map(|(i, item)| pruned_copy(item, format!("{prefix}{}", offset + i), &mut nested))
                .collect();
            // Long arrays inside the cut items are checked as far as their first items.
            found.at_least |= !nested.is_empty();
            if let Some(slot) = pruned.pointer_mut(&pointer) {
                *slot = Value::Array(piece);
            }
            let shift = |path: String| match path.strip_prefix(&prefix) {
                Some(rest) => {
                    let (index, tail) = rest.split_once('/').map_or((rest, ""), |(i, t)| (i, t));
                    let index = index.parse::<usize>().map_or(0, |i| i + offset);
                    if tail.is_empty() {
                        format!("{prefix}{index}")
                    } else {
                        format!("{prefix}{index}/{tail}")
                    }
                }
                None => path,
            };
            // Only what lies in the chunk: the rest of the document was counted already.
            collect(
                validator,
                &pruned,
                location,
                &mut found,
                |path| path.starts_with(&prefix),
                shift,
            );
        }
        if let Some(slot) = pruned.pointer_mut(&pointer) {
            *slot = Value::Array(Vec::new());
        }
    }
    found
}

/// Array items in `value`, counted up to a little past [`WHOLE`].
fn items(value: &Value, mut sum: usize) -> usize {
    match value {
        Value::Array(list) => {
            sum += list.len();
            for item in list {
                if sum > WHOLE {
                    break;
                }
                sum = items(item, sum);
            }
        }
        Value::Object(map) => {
            for item in map.values() {
                if sum > WHOLE {
                    break;
                }
                sum = items(item, sum);
            }
        }
        _ => {}
    }
    sum
}

/// A copy of `value` whose arrays longer than [`CHUNK`] keep only their first items; the
/// rest of each (left in `value`) goes to `cut` with the array's pointer.
fn pruned_copy<'v>(
    value: &'v Value,
    pointer: String,
    cut: &mut Vec<(String, &'v [Value])>,
) -> Value {
    match value {
        Value::Array(list) => {
            let kept = list
                .iter()
                .take(CHUNK)
                .enumerate()
                .map(|(i, item)| pruned_copy(item, format!("{pointer}/{i}"), cut))
                .collect();
            if let Some(rest) = list.get(CHUNK..).filter(|r| !r.is_empty()) {
                cut.push((pointer, rest));
            }
            Value::Array(kept)
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, item)| {
                    let child = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                    (key.clone(), pruned_copy(item, child, cut))
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Adds the violations of `value` whose pointers `keep` accepts, pointers mapped by `map`.
fn collect(
    validator: &Validator,
    value: &Value,
    location: &str,
    found: &mut Capped,
    keep: impl Fn(&str) -> bool,
    map: impl Fn(String) -> String,
) {
    for err in validator.iter_errors(value) {
        let pointer = err.instance_path().to_string();
        if !keep(&pointer) {
            continue;
        }
        if found.full() {
            found.omitted += 1;
            continue;
        }
        found.push(violation(&err, location, map(pointer)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn long_arrays_are_checked_in_pieces_with_exact_counts_and_pointers() {
        let schema = json!({"type": "object", "properties": {
            "A": {"type": "array", "items": {"type": "string"}},
            "B": {"type": "array", "items": {"type": "object", "properties": {
                "C": {"type": "array", "items": {"type": "integer"}}}}},
            "D": {"type": "integer"}
        }});
        let validator = mockdown_schema::validator_for(&schema).expect("compiles");
        let mut a: Vec<Value> = (0..30_000).map(|i| json!(i)).collect();
        a[2500] = json!("fine");
        let b: Vec<Value> = (0..1_500).map(|_| json!({"C": [1, "x", 3]})).collect();
        let value = json!({"A": a, "B": b, "D": "nope"});
        let found = capped(&validator, &value, "body");
        // 29,999 wrong items in A, one wrong C item in each of 1,500 B items, and D.
        assert_eq!(found.total(), 29_999 + 1_500 + 1);
        assert_eq!(found.list.len(), MAX_VIOLATIONS);
        assert_eq!(found.list[0].pointer, "/A/0");
        // A violation found in a later piece keeps its real index.
        let mut a: Vec<Value> = (0..30_000).map(|i| json!(format!("s{i}"))).collect();
        a[25_001] = json!(7);
        let found = capped(&validator, &json!({"A": a}), "body");
        assert_eq!(found.total(), 1);
        assert_eq!(found.list[0].pointer, "/A/25001");
        // Whole and in pieces agree on what they list first.
        let small = json!({"A": [1, 2], "D": "nope"});
        let pointers: Vec<String> = capped(&validator, &small, "body")
            .list
            .into_iter()
            .map(|v| v.pointer)
            .collect();
        assert_eq!(pointers, ["/A/0", "/A/1", "/D"]);
    }

    #[test]
    fn large_values_are_described_briefly() {
        let big = Value::Array((0..100_000).map(|i| json!(i)).collect());
        let text = describe(&big);
        assert!(text.starts_with("array [0,1,2"), "{text}");
        assert!(text.ends_with('…') && text.len() < 100, "{text}");
        assert_eq!(describe(&json!("ab")), "string \"ab\"");
    }
}
