//! JSON kinds as bits, as the request fast path compiles a schema's `type`.

/// `null`.
pub(crate) const NULL: u8 = 1;
/// `true` / `false`.
pub(crate) const BOOL: u8 = 2;
/// A number without fraction.
pub(crate) const INTEGER: u8 = 4;
/// A number with a fraction or exponent.
pub(crate) const NUMBER: u8 = 8;
/// A string.
pub(crate) const STRING: u8 = 16;
/// An array.
pub(crate) const ARRAY: u8 = 32;
/// An object.
pub(crate) const OBJECT: u8 = 64;
/// Every kind.
pub(crate) const ANY: u8 = 127;

/// The kinds a JSON Schema `type` name admits (`number` admits integers); `None` for a
/// name that is not a JSON type.
pub(crate) fn of_type_name(name: &str) -> Option<u8> {
    Some(match name {
        "null" => NULL,
        "boolean" => BOOL,
        "integer" => INTEGER,
        "number" => INTEGER | NUMBER,
        "string" => STRING,
        "array" => ARRAY,
        "object" => OBJECT,
        _ => return None,
    })
}

/// The JSON number an integer written as text stands for: `12`, `-3`, beyond 64 bits
/// (`499673839837874421760`) or with a zero fraction (`25194731.0`, an integer in JSON
/// Schema's sense); `None` when the text is no integer.
pub(crate) fn integer_text(text: &str) -> Option<serde_json::Value> {
    if let Ok(n) = text.parse::<i64>() {
        return Some(n.into());
    }
    if let Ok(n) = text.parse::<u64>() {
        return Some(n.into());
    }
    let looks_numeric = text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
    text.parse::<f64>()
        .ok()
        .filter(|f| looks_numeric && f.is_finite() && f.fract() == 0.0)
        .and_then(serde_json::Number::from_f64)
        .map(serde_json::Value::Number)
}

#[cfg(test)]
mod integer_text_tests {
    use super::integer_text;
    use serde_json::json;

    #[test]
    fn integers_as_text() {
        assert_eq!(integer_text("12"), Some(json!(12)));
        assert_eq!(integer_text("18446744073709551615"), Some(json!(u64::MAX)));
        assert_eq!(integer_text("25194731.0"), Some(json!(25194731.0)));
        assert!(integer_text("499673839837874421760").is_some());
        assert_eq!(integer_text("1.5"), None);
        assert_eq!(integer_text("abc"), None);
        assert_eq!(integer_text("inf"), None);
        assert_eq!(integer_text("NaN"), None);
    }
}
