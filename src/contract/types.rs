//! Type cells of the pages (`int32`, `Integer`, `Enum: A, B`, `Associate`, ...) → JSON Schema.

use serde_json::{Value, json};

/// Base URI under which named types and operations live while validating.
pub(crate) const SCHEMA_BASE: &str = "https://mockdown.invalid/";

/// What a type cell says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TypeCell {
    /// A primitive with its schema.
    Primitive(Primitive),
    /// `array`: items come from samples.
    Array,
    /// `object`: an open object (dictionary).
    Object,
    /// `Enum: A, B, C`.
    Enum(Vec<String>),
    /// A named type such as `Associate`.
    Named(String),
    /// Nothing written.
    Empty,
}

/// Primitive types the pages use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Primitive {
    /// `int32` / `Integer`.
    Int32,
    /// `int64` / `long`.
    Int64,
    /// `double` / `Number` / `decimal`.
    Number,
    /// `bool` / `Boolean`.
    Boolean,
    /// `date-time`.
    DateTime,
    /// `string` / `String`.
    String,
    /// `byte` (base64 text).
    Bytes,
    /// `binary` (raw bytes, e.g. an image body).
    Binary,
}

impl Primitive {
    /// The JSON Schema of this primitive.
    pub(crate) fn schema(self) -> Value {
        match self {
            Primitive::Int32 => json!({
                "type": "integer", "format": "int32",
                "minimum": i32::MIN, "maximum": i32::MAX
            }),
            Primitive::Int64 => json!({
                "type": "integer", "format": "int64",
                "minimum": i64::MIN, "maximum": i64::MAX
            }),
            Primitive::Number => json!({"type": "number", "format": "double"}),
            Primitive::Boolean => json!({"type": "boolean"}),
            Primitive::DateTime => json!({"type": "string", "format": "date-time"}),
            Primitive::String => json!({"type": "string"}),
            Primitive::Bytes => json!({"type": "string", "format": "byte"}),
            Primitive::Binary => json!({"type": "string", "format": "binary"}),
        }
    }
}

impl Primitive {
    /// The JSON kind of this primitive's values.
    pub(crate) fn kind(self) -> &'static str {
        match self {
            Primitive::Int32 | Primitive::Int64 => "integer",
            Primitive::Number => "number",
            Primitive::Boolean => "boolean",
            Primitive::DateTime | Primitive::String | Primitive::Bytes | Primitive::Binary => {
                "string"
            }
        }
    }
}

impl TypeCell {
    /// The JSON kind of the values the cell allows (`None` when it says nothing).
    pub(crate) fn kind(&self) -> Option<&'static str> {
        match self {
            TypeCell::Primitive(p) => Some(p.kind()),
            TypeCell::Array => Some("array"),
            TypeCell::Object | TypeCell::Named(_) => Some("object"),
            TypeCell::Enum(_) => Some("string"),
            TypeCell::Empty => None,
        }
    }

    /// Whether a sample value of JSON kind `kind` fits the cell (`null` always fits).
    pub(crate) fn admits(&self, kind: &str) -> bool {
        match (self.kind(), kind) {
            (_, "null") | (None, _) => true,
            (Some("number"), "integer") => true,
            (Some(own), other) => own == other,
        }
    }
}

/// Reads one type cell.
pub(crate) fn classify(type_text: &str) -> TypeCell {
    let text = type_text.trim();
    if text.is_empty() {
        return TypeCell::Empty;
    }
    if let Some(rest) = text.strip_prefix("Enum:") {
        let members: Vec<String> = rest
            .split(',')
            .map(|m| m.trim().to_string())
            .filter(|m| !m.is_empty())
            .collect();
        return TypeCell::Enum(members);
    }
    let primitive = match text.to_ascii_lowercase().as_str() {
        "int32" | "integer" | "int" | "int16" | "short" => Some(Primitive::Int32),
        "int64" | "long" => Some(Primitive::Int64),
        "double" | "number" | "decimal" | "float" | "single" => Some(Primitive::Number),
        "bool" | "boolean" => Some(Primitive::Boolean),
        "date-time" | "datetime" | "date" => Some(Primitive::DateTime),
        "string" | "guid" | "uuid" => Some(Primitive::String),
        "byte" | "byte[]" => Some(Primitive::Bytes),
        "binary" => Some(Primitive::Binary),
        "array" => return TypeCell::Array,
        "object" | "dictionary" => return TypeCell::Object,
        _ => None,
    };
    match primitive {
        Some(p) => TypeCell::Primitive(p),
        None if is_type_name(text) => TypeCell::Named(text.to_string()),
        // Anything else (free text in a type cell) says nothing we can check.
        None => TypeCell::Object,
    }
}

/// Whether `text` can name a type (an identifier, dots allowed).
pub(crate) fn is_type_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

/// File-safe form of a name (operationId or type name).
pub(crate) fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `$ref` to a named type, as written in every bundle file.
pub(crate) fn type_ref(name: &str) -> Value {
    json!({ "$ref": format!("../types/{}.json", file_stem(name)) })
}

/// The named type a `$ref` produced by [`type_ref`] points at.
pub(crate) fn ref_target(reference: &str) -> Option<&str> {
    reference.strip_prefix("../types/")?.strip_suffix(".json")
}

/// The named type a schema refers to, or the schema itself when it is no bundle `$ref`.
pub(crate) fn resolve_ref<'a>(
    types: &'a std::collections::BTreeMap<String, Value>,
    schema: &'a Value,
) -> &'a Value {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(ref_target)
        .and_then(|name| types.get(name))
        .unwrap_or(schema)
}

/// The first non-null type of a schema (`object` when it only lists properties).
pub(crate) fn primary_type(schema: &Value) -> Option<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null"),
        _ if schema.get("properties").is_some() => Some("object"),
        _ => None,
    }
}

/// A value of the schema's type as URL text, for a parameter no page gives a value: its first
/// enum member, else a number, a boolean, a list, a date-time or a word. The one home of this
/// choice for verify's sample calls and the explorer's try-it URLs.
pub(crate) fn plausible_text(schema: &Value) -> String {
    if let Some(first) = schema.get("enum").and_then(|e| e.get(0)) {
        return first
            .as_str()
            .map_or_else(|| first.to_string(), str::to_string);
    }
    match (
        primary_type(schema),
        schema.get("format").and_then(Value::as_str),
    ) {
        (Some("integer" | "number"), _) => "123".into(),
        (Some("boolean"), _) => "true".into(),
        (Some("array"), _) => "1,2".into(),
        (_, Some("date-time")) => "2024-01-31T12:00:00Z".into(),
        _ => "sample".into(),
    }
}

/// Property names → their position in a schema's `properties`, looked up on the hot path
/// (a request body's keys, the fields to echo). foldhash with a fixed seed: the table is
/// fixed at compile time, so lookups need no protection from chosen keys.
pub(crate) type NameIndex = std::collections::HashMap<Box<str>, usize, foldhash::fast::FixedState>;

/// A [`NameIndex`] of `names`; a repeated name keeps its first position.
pub(crate) fn name_index<'a>(names: impl IntoIterator<Item = &'a str>) -> NameIndex {
    let mut index = NameIndex::default();
    for (position, name) in names.into_iter().enumerate() {
        index.entry(Box::from(name)).or_insert(position);
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plausible_text_follows_enum_type_and_format() {
        assert_eq!(
            plausible_text(&serde_json::json!({"enum": ["Low", "High"]})),
            "Low"
        );
        assert_eq!(plausible_text(&serde_json::json!({"enum": [3, 4]})), "3");
        let nullable = serde_json::json!({"type": ["integer", "null"]});
        assert_eq!(plausible_text(&nullable), "123");
        assert_eq!(
            plausible_text(&serde_json::json!({"type": "boolean"})),
            "true"
        );
        assert_eq!(plausible_text(&serde_json::json!({"type": "array"})), "1,2");
        let when = serde_json::json!({"type": "string", "format": "date-time"});
        assert_eq!(plausible_text(&when), "2024-01-31T12:00:00Z");
        assert_eq!(
            plausible_text(&serde_json::json!({"type": "string"})),
            "sample"
        );
    }

    #[test]
    fn generations_of_type_cells() {
        assert_eq!(classify("int32"), TypeCell::Primitive(Primitive::Int32));
        assert_eq!(classify("Integer"), TypeCell::Primitive(Primitive::Int32));
        assert_eq!(classify("Boolean"), TypeCell::Primitive(Primitive::Boolean));
        assert_eq!(classify("binary"), TypeCell::Primitive(Primitive::Binary));
        assert_eq!(classify("byte"), TypeCell::Primitive(Primitive::Bytes));
        assert_eq!(classify("Array"), TypeCell::Array);
        assert_eq!(classify(""), TypeCell::Empty);
        assert_eq!(classify("Associate"), TypeCell::Named("Associate".into()));
        assert_eq!(
            classify("Enum: Slim, Wide, Full"),
            TypeCell::Enum(vec!["Slim".into(), "Wide".into(), "Full".into()])
        );
    }

    #[test]
    fn refs_round_trip() {
        let r = type_ref("TableRight");
        let target = r["$ref"].as_str().and_then(ref_target);
        assert_eq!(target, Some("TableRight"));
    }
}
