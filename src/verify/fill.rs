//! Values made from a JSON Schema of the contract, by strategy: only what is required,
//! every field, the low or high boundaries (int32 edges, empty strings and lists, the
//! shortest or longest enum value), or seeded random choices. Each value is made to keep
//! the schema it is made for; the caller still checks the whole request before sending it.

use std::collections::BTreeMap;

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde_json::{Map, Value, json};

use crate::contract::types::{primary_type, resolve_ref};

/// Deepest nesting filled; below it objects are `{}` and lists empty.
const MAX_DEPTH: usize = 4;
/// Length of the long string of the high boundary.
const LONG_STRING: usize = 120;

/// How to fill a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fill {
    /// Only required properties, empty lists, the first enum value.
    Required,
    /// Every property, one item per list, the first enum value.
    All,
    /// Every property at its high boundary: maxima, long strings, two items per list, the
    /// longest enum value.
    Max,
    /// Every property at its low boundary: minima, empty strings and lists, the shortest
    /// enum value, `false`.
    Min,
    /// Seeded random choices: optional properties kept or not, values within bounds.
    Random,
}

/// Makes values for the schemas of one contract, from one seed.
pub(crate) struct Filler<'a> {
    types: &'a BTreeMap<String, Value>,
    rng: Xoshiro256PlusPlus,
}

const WORDS: [&str; 12] = [
    "alpha", "Bravo", "charlie", "Delta", "echo", "Foxtrot", "golf", "Hotel", "india", "Juliett",
    "kilo", "Lima",
];

impl<'a> Filler<'a> {
    /// A filler over the named `types`, its random choices drawn from `seed`.
    pub(crate) fn new(types: &'a BTreeMap<String, Value>, seed: u64) -> Self {
        Self {
            types,
            rng: Xoshiro256PlusPlus::seed_from_u64(seed),
        }
    }

    /// A random number in `0..n` (`0` for an empty range).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            self.rng.random_range(0..n)
        }
    }

    /// A value for `schema`.
    pub(crate) fn value(&mut self, schema: &Value, fill: Fill) -> Value {
        self.fill(schema, fill, 0)
    }

    /// A random text of a few words, for changed fields.
    pub(crate) fn words(&mut self) -> String {
        let first = WORDS[self.below(WORDS.len())];
        let second = WORDS[self.below(WORDS.len())];
        format!("{first} {second} {}", self.below(1000))
    }

    fn fill(&mut self, schema: &Value, fill: Fill, depth: usize) -> Value {
        let schema = resolve_ref(self.types, schema);
        if let Some(constant) = schema.get("const") {
            return constant.clone();
        }
        if let Some(members) = schema.get("enum").and_then(Value::as_array)
            && !members.is_empty()
        {
            return self.member(members, fill);
        }
        if let (Some(_), Some(otherwise)) = (schema.get("if"), schema.get("else")) {
            return self.fill(otherwise, fill, depth);
        }
        match primary_type(schema) {
            Some("string") => self.string(schema, fill),
            Some("integer") => self.integer(schema, fill),
            Some("number") => self.number(schema, fill),
            Some("boolean") => json!(match fill {
                Fill::Min => false,
                Fill::Random => self.rng.random_bool(0.5),
                _ => true,
            }),
            Some("array") => self.array(schema, fill, depth),
            Some("object") => self.object(schema, fill, depth),
            Some("null") => Value::Null,
            _ => json!(self.plain_text(fill)),
        }
    }

    fn member(&mut self, members: &[Value], fill: Fill) -> Value {
        let length = |v: &Value| v.as_str().map_or(0, str::len);
        let chosen = match fill {
            Fill::Required | Fill::All => members.first(),
            Fill::Max => members.iter().max_by_key(|v| length(v)),
            Fill::Min => members.iter().min_by_key(|v| length(v)),
            Fill::Random => members.get(self.below(members.len())),
        };
        chosen.cloned().unwrap_or(Value::Null)
    }

    fn plain_text(&mut self, fill: Fill) -> String {
        match fill {
            Fill::Min => String::new(),
            Fill::Max => "Long text ".repeat(LONG_STRING / 10),
            Fill::Random => self.words(),
            Fill::Required | Fill::All => "Sample text".into(),
        }
    }

    fn string(&mut self, schema: &Value, fill: Fill) -> Value {
        match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => json!(match fill {
                Fill::Min => "1900-01-01T00:00:00Z".to_string(),
                Fill::Max => "9999-12-31T23:59:59Z".to_string(),
                Fill::Random => {
                    let secs = self.rng.random_range(631_152_000_i64..2_051_222_400);
                    chrono::DateTime::from_timestamp(secs, 0)
                        .map_or_else(|| "2024-02-29T12:30:00Z".into(), |d| d.to_rfc3339())
                }
                _ => "2024-02-29T12:30:00Z".to_string(),
            }),
            Some("byte" | "binary") => json!(match fill {
                Fill::Min => "",
                _ => "bW9ja2Rvd24=",
            }),
            _ => {
                // Values the samples show for an open list: what a client really sends.
                let seen = schema
                    .get(crate::contract::enums::SEEN)
                    .and_then(Value::as_array)
                    .filter(|seen| seen.iter().all(Value::is_string) && !seen.is_empty());
                match (seen, fill) {
                    (Some(seen), Fill::All | Fill::Random) => self.member(seen, fill),
                    _ => json!(self.plain_text(fill)),
                }
            }
        }
    }

    fn integer(&mut self, schema: &Value, fill: Fill) -> Value {
        let int64 = schema.get("format").and_then(Value::as_str) == Some("int64");
        let (low, high) = if int64 {
            (i64::MIN, i64::MAX)
        } else {
            (i64::from(i32::MIN), i64::from(i32::MAX))
        };
        let min = schema.get("minimum").and_then(Value::as_i64).unwrap_or(low);
        let max = schema
            .get("maximum")
            .and_then(Value::as_i64)
            .unwrap_or(high)
            .max(min);
        json!(match fill {
            Fill::Min => min,
            Fill::Max => max,
            Fill::Random => {
                // Away from the small ids a stateful server hands out to new entities.
                let low = if max >= 1000 { min.max(1000) } else { min };
                let high = max.min(100_000).max(low);
                self.rng.random_range(low..=high)
            }
            Fill::Required | Fill::All => 1.clamp(min, max),
        })
    }

    fn number(&mut self, schema: &Value, fill: Fill) -> Value {
        let min = schema
            .get("minimum")
            .and_then(Value::as_f64)
            .unwrap_or(-1_000_000.5);
        let max = schema
            .get("maximum")
            .and_then(Value::as_f64)
            .unwrap_or(1_000_000.5)
            .max(min);
        let value = match fill {
            Fill::Min => min,
            Fill::Max => max,
            Fill::Random => (self.rng.random_range(0..100_000) as f64 / 100.0).clamp(min, max),
            Fill::Required | Fill::All => 1.5_f64.clamp(min, max),
        };
        serde_json::Number::from_f64(value).map_or(json!(0), Value::Number)
    }

    fn array(&mut self, schema: &Value, fill: Fill, depth: usize) -> Value {
        let items = schema.get("items").cloned().unwrap_or(json!({}));
        let count = match fill {
            _ if depth >= MAX_DEPTH => 0,
            Fill::Required | Fill::Min => 0,
            Fill::All => 1,
            Fill::Max => 2,
            Fill::Random => self.below(3),
        };
        Value::Array(
            (0..count)
                .map(|_| self.fill(&items, fill, depth + 1))
                .collect(),
        )
    }

    fn object(&mut self, schema: &Value, fill: Fill, depth: usize) -> Value {
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut out = Map::new();
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (name, prop) in props {
                let needed = required.contains(&name.as_str());
                let wanted = match fill {
                    _ if needed => true,
                    _ if depth >= MAX_DEPTH => false,
                    Fill::Required => false,
                    Fill::Random => self.rng.random_bool(0.6),
                    Fill::All | Fill::Max | Fill::Min => true,
                };
                if wanted {
                    out.insert(name.clone(), self.fill(prop, fill, depth + 1));
                }
            }
        } else if let Some(extra) = schema.get("additionalProperties").filter(|s| s.is_object())
            && matches!(fill, Fill::All | Fill::Max | Fill::Random)
            && depth < MAX_DEPTH
        {
            out.insert("key1".into(), self.fill(extra, fill, depth + 1));
        }
        Value::Object(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strategies_keep_the_schema() {
        let types = BTreeMap::new();
        let schema = json!({"type": "object", "required": ["Id"], "properties": {
            "Id": {"type": "integer", "format": "int32", "minimum": -2147483648, "maximum": 2147483647},
            "When": {"type": "string", "format": "date-time"},
            "State": {"type": "string", "enum": ["A", "Closed"]},
            "Tags": {"type": "array", "items": {"type": "string"}},
            "Owner": {"type": ["object", "null"], "properties": {"Name": {"type": "string"}}}
        }});
        let mut filler = Filler::new(&types, 7);
        assert_eq!(filler.value(&schema, Fill::Required), json!({"Id": 1}));
        let max = filler.value(&schema, Fill::Max);
        assert_eq!(max["Id"], 2147483647);
        assert_eq!(max["State"], "Closed");
        assert_eq!(max["Tags"].as_array().map(Vec::len), Some(2));
        let min = filler.value(&schema, Fill::Min);
        assert_eq!(min["Id"], -2147483648);
        assert_eq!(min["Owner"]["Name"], "");
        assert_eq!(min["Tags"], json!([]));
        let first = Filler::new(&types, 3).value(&schema, Fill::Random);
        assert_eq!(first, Filler::new(&types, 3).value(&schema, Fill::Random));
    }
}
