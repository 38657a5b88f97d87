//! Request bodies: JSON parsed into a `serde_json::Value` for validation (maps built at
//! their final size), and the raw top-level members of a sent object for echoing.

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Parses JSON text into a [`Value`], like `serde_json::from_str`, but collects each
/// object's members first and builds its map at the final size (no rehashing as it grows).
/// Errors (with line and column) and the nesting limit are serde_json's own.
pub(crate) fn parse_json(text: &str) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = ValueSeed.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

struct ValueSeed;

impl<'de> DeserializeSeed<'de> for ValueSeed {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(ValueSeed)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut members: Vec<(String, Value)> = Vec::new();
        while let Some(key) = access.next_key::<String>()? {
            let value = access.next_value_seed(ValueSeed)?;
            members.push((key, value));
        }
        let mut map = Map::with_capacity(members.len());
        // A later duplicate key wins, as with serde_json.
        map.extend(members);
        Ok(Value::Object(map))
    }
}

/// The top-level members of a JSON object already known to be valid: raw key text (without
/// quotes, escapes left as written) and the raw value text. Anything else gives nothing.
pub(crate) fn top_level_fields(text: &str) -> Vec<(&str, &str)> {
    let body = text.as_bytes();
    let mut fields = Vec::new();
    let mut i = skip_ws(body, 0);
    if body.get(i) != Some(&b'{') {
        return fields;
    }
    i += 1;
    loop {
        i = skip_ws(body, i);
        if body.get(i) != Some(&b'"') {
            return fields;
        }
        let Some(key_end) = string_end(body, i) else {
            return fields;
        };
        let Some(key) = text.get(i + 1..key_end - 1) else {
            return fields;
        };
        i = skip_ws(body, key_end);
        if body.get(i) != Some(&b':') {
            return fields;
        }
        let start = skip_ws(body, i + 1);
        // Just past the value at `start`: strings and nested containers are skipped with
        // memchr (brackets of the other kind inside a container are balanced, and brackets
        // inside strings are jumped over).
        let value_end = match body.get(start) {
            Some(b'"') => string_end(body, start),
            Some(&open @ (b'{' | b'[')) => container_end(body, start, open),
            Some(_) => Some(
                start + memchr::memchr2(b',', b'}', &body[start..]).unwrap_or(body.len() - start),
            ),
            None => None,
        };
        let Some(mut end) = value_end else {
            return fields;
        };
        i = skip_ws(body, end);
        while end > start && body[end - 1].is_ascii_whitespace() {
            end -= 1;
        }
        if let Some(value) = text.get(start..end) {
            fields.push((key, value));
        }
        match body.get(i) {
            Some(b',') => i += 1,
            _ => return fields,
        }
    }
}

/// The position of the first byte at or after `i` that is not whitespace.
#[inline]
fn skip_ws(body: &[u8], mut i: usize) -> usize {
    while body.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// Just past the closing quote of the string whose opening quote is at `i`.
#[inline]
fn string_end(body: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    loop {
        let found = i + memchr::memchr2(b'"', b'\\', body.get(i..)?)?;
        if body[found] == b'"' {
            return Some(found + 1);
        }
        i = found + 2;
    }
}

/// Just past the container opened by `open` at `start`.
#[inline]
fn container_end(body: &[u8], start: usize, open: u8) -> Option<usize> {
    let close = if open == b'{' { b'}' } else { b']' };
    let mut depth = 1usize;
    let mut j = start + 1;
    loop {
        let k = j + memchr::memchr3(b'"', open, close, body.get(j..)?)?;
        if body[k] == b'"' {
            j = string_end(body, k)?;
        } else if body[k] == open {
            depth += 1;
            j = k + 1;
        } else {
            depth -= 1;
            j = k + 1;
            if depth == 0 {
                return Some(j);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_serde_json() {
        for text in [
            r#"{"a": 1, "b": [true, null, 2.5, -3, "x\u00e9"], "c": {"d": {}}, "a": 2}"#,
            "[]",
            "18446744073709551615",
            "  \"s\"  ",
        ] {
            let ours = parse_json(text).expect("parses");
            let theirs: Value = serde_json::from_str(text).expect("parses");
            assert_eq!(ours, theirs, "{text}");
            assert_eq!(ours.to_string(), theirs.to_string(), "key order kept");
        }
        for bad in ["{\"a\": }", "[1,]", "{} x", ""] {
            let ours = parse_json(bad).expect_err("fails").to_string();
            let theirs = serde_json::from_str::<Value>(bad)
                .expect_err("fails")
                .to_string();
            assert_eq!(ours, theirs);
        }
        let deep = "[".repeat(10_000);
        assert!(
            parse_json(&deep).is_err(),
            "nesting limit, no stack overflow"
        );
    }

    #[test]
    fn top_level_fields_are_raw_slices() {
        let body = r#" { "A" : 1 , "B\"x":"s,}\"]" ,"C": {"D": [1, {"E": "}"}]},
            "F": [ ] , "G" : null } "#;
        let fields = top_level_fields(body);
        let expected = [
            ("A", "1"),
            ("B\\\"x", "\"s,}\\\"]\""),
            ("C", "{\"D\": [1, {\"E\": \"}\"}]}"),
            ("F", "[ ]"),
            ("G", "null"),
        ];
        assert_eq!(fields.len(), expected.len(), "{fields:?}");
        for ((k, v), (ek, ev)) in fields.iter().zip(expected) {
            assert_eq!((*k, *v), (ek, ev));
        }
        assert!(top_level_fields("[1, 2]").is_empty());
        assert!(top_level_fields("").is_empty());
        for prefix in 0..body.len() {
            let _ = top_level_fields(&body[..prefix]); // truncated input never panics
        }
    }
}
