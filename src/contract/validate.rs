//! Compiling contract schemas into validators and turning failures into [`Violation`]s.

use std::collections::BTreeMap;

use mockdown_schema::{Draft, Registry, ValidationError, Validator};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::types::{SCHEMA_BASE, file_stem};

/// One way a value breaks its schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Violation {
    /// Where the value is: `body`, `path`, `query`, `header`.
    #[serde(rename = "in")]
    pub location: String,
    /// JSON pointer into the body, or the parameter name.
    pub pointer: String,
    /// The schema keyword that failed (`type`, `enum`, `maximum`, ...).
    pub keyword: String,
    /// What the schema expects.
    pub expected: String,
    /// What was found.
    pub found: String,
}

impl std::fmt::Display for Violation {
    /// One line: `body /RoleId: expected …, found …` (for logs and refusals).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: expected {}, found {}",
            self.location, self.pointer, self.expected, self.found
        )
    }
}

/// All named types, ready to compile schemas that refer to them.
pub(crate) struct SchemaSet {
    registry: Registry<'static>,
    /// The docs' stand-ins for raw bytes that the named types' `byte` values show as their
    /// `examples` (`GIF89....File contents as raw bytes...`): accepted as bytes.
    stand_ins: std::sync::Arc<std::collections::BTreeSet<String>>,
}

impl std::fmt::Debug for SchemaSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SchemaSet")
    }
}

impl SchemaSet {
    /// Registers every named type under its bundle URI.
    pub(crate) fn new(types: &BTreeMap<String, Value>) -> anyhow::Result<Self> {
        let pairs = types.iter().map(|(name, schema)| {
            (
                format!("{SCHEMA_BASE}types/{}.json", file_stem(name)),
                schema.clone(),
            )
        });
        let mut stand_ins = std::collections::BTreeSet::new();
        types
            .values()
            .for_each(|t| collect_stand_ins(t, &mut stand_ins));
        let registry = Registry::new()
            .draft(Draft::Draft202012)
            .extend(pairs)
            .map_err(|e| anyhow::anyhow!("cannot register named types: {e}"))?
            .prepare()
            .map_err(|e| anyhow::anyhow!("cannot resolve named types: {e}"))?;
        Ok(Self {
            registry,
            stand_ins: std::sync::Arc::new(stand_ins),
        })
    }

    /// Compiles a schema that sits in an operation file (refs like `../types/X.json`).
    pub(crate) fn compile(&self, schema: &Value) -> anyhow::Result<Validator> {
        let mut own = std::collections::BTreeSet::new();
        collect_stand_ins(schema, &mut own);
        let shared = self.stand_ins.clone();
        let is_bytes =
            move |text: &str| is_base64(text) || shared.contains(text) || own.contains(text);
        mockdown_schema::options()
            .with_draft(Draft::Draft202012)
            .with_registry(&self.registry)
            .with_base_uri(format!("{SCHEMA_BASE}operations/operation.json"))
            .should_validate_formats(true)
            .with_format("byte", is_bytes)
            .build(schema)
            .map_err(|e| anyhow::anyhow!("schema does not compile: {e}"))
    }
}

/// The `examples` of every `byte` string in `schema` that are no base64: the docs'
/// stand-ins for raw bytes.
fn collect_stand_ins(schema: &Value, out: &mut std::collections::BTreeSet<String>) {
    match schema {
        Value::Object(map) => {
            if map.get("format").and_then(Value::as_str) == Some("byte")
                && let Some(examples) = map.get("examples").and_then(Value::as_array)
            {
                out.extend(
                    examples
                        .iter()
                        .filter_map(Value::as_str)
                        .filter(|t| !is_base64(t))
                        .map(str::to_string),
                );
            }
            map.values().for_each(|v| collect_stand_ins(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_stand_ins(v, out)),
        _ => {}
    }
}

/// The `byte` format (OpenAPI): base64 text, standard alphabet, padded.
pub(crate) fn is_base64(text: &str) -> bool {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .is_ok()
}

/// Every violation of `value` against `validator`, located `in` the given place.
pub(crate) fn violations(validator: &Validator, value: &Value, location: &str) -> Vec<Violation> {
    // Valid documents (the common case) take the short-circuiting path.
    if validator.is_valid(value) {
        return Vec::new();
    }
    validator
        .iter_errors(value)
        .map(|err| {
            let pointer = err.instance_path().to_string();
            violation(&err, location, pointer)
        })
        .collect()
}

/// The violation a validation error stands for, located `in` the given place at `pointer`.
pub(crate) fn violation(err: &ValidationError<'_>, location: &str, pointer: String) -> Violation {
    let message = err.masked_with("value").to_string();
    let message = message.trim_start_matches("value ");
    // "is not of type \"integer\"" → "of type \"integer\"": what was expected.
    let expected = message.strip_prefix("is not ").unwrap_or(message);
    Violation {
        location: location.to_string(),
        pointer,
        keyword: err.kind().keyword().to_string(),
        expected: expected.to_string(),
        found: describe(err.instance()),
    }
}

/// Longest text of a value shown in a violation's `found`.
const SHOWN: usize = 60;

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
