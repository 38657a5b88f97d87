//! The values file (`--values FILE`, TOML or JSON): per operation (operationId, path
//! template, or `METHOD template`; `*` for every operation) the path, query, header and
//! body values to send instead of the samples' own, e.g. ids that exist on a staging server.
//!
//! ```toml
//! ["*"]
//! query = { culture = "en" }
//! ["/api/v1/Contact/{contactId}"]
//! path = { contactId = 5 }
//! [v1ContactEntity_SaveContactEntity]
//! body = { ContactId = 5, Name = "Test tenant" }   # merged over the sample body
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use serde::Deserialize;
use serde_json::Value;

use crate::contract::Operation;

/// Values to send for one operation.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct OpValues {
    /// Path parameters by name.
    #[serde(default)]
    pub path: BTreeMap<String, Value>,
    /// Query parameters by name (set, or added when the sample has none).
    #[serde(default)]
    pub query: BTreeMap<String, Value>,
    /// Headers by name.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The body: an object is merged over the sample's object body; anything else
    /// replaces it.
    #[serde(default)]
    pub body: Option<Value>,
}

impl OpValues {
    /// `self` with `later`'s values on top.
    fn merged(mut self, later: &OpValues) -> Self {
        self.path.extend(later.path.clone());
        self.query.extend(later.query.clone());
        self.headers.extend(later.headers.clone());
        self.body = match (self.body.take(), &later.body) {
            (Some(Value::Object(mut base)), Some(Value::Object(top))) => {
                base.extend(top.clone());
                Some(Value::Object(base))
            }
            (base, None) => base,
            (_, Some(top)) => Some(top.clone()),
        };
        self
    }
}

/// Every entry of a values file, by key.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Values(BTreeMap<String, OpValues>);

impl Values {
    /// Reads a values file: TOML for `.toml`, JSON for `.json`, else whichever parses.
    pub(crate) fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the values file {}", path.display()))?;
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let parsed = match extension {
            "json" => serde_json::from_str(&text).map_err(anyhow::Error::from),
            "toml" => toml::from_str(&text).map_err(anyhow::Error::from),
            _ => serde_json::from_str(&text)
                .map_err(anyhow::Error::from)
                .or_else(|_| toml::from_str(&text).map_err(anyhow::Error::from)),
        };
        parsed.with_context(|| {
            format!(
                "{} is not a values file (tables of path, query, headers, body per operation)",
                path.display()
            )
        })
    }

    /// The values for `op`: `*`, then its path template, then `METHOD template`, then its
    /// operationId, each on top of the one before.
    pub(crate) fn for_operation(&self, op: &Operation) -> Option<OpValues> {
        let keys = [
            "*".to_string(),
            op.path.clone(),
            format!("{} {}", op.method, op.path),
            op.operation_id.clone(),
        ];
        let mut found: Option<OpValues> = None;
        for key in &keys {
            if let Some(values) = self.0.get(key) {
                found = Some(found.unwrap_or_default().merged(values));
            }
        }
        found
    }

    /// Keys that name no operation of `operations` (likely typos).
    pub(crate) fn unmatched(&self, operations: &[Operation]) -> Vec<String> {
        self.0
            .keys()
            .filter(|key| {
                key.as_str() != "*"
                    && !operations.iter().any(|op| {
                        *key == &op.operation_id
                            || *key == &op.path
                            || **key == format!("{} {}", op.method, op.path)
                    })
            })
            .cloned()
            .collect()
    }
}

/// A value as text for a URL (strings as they are, anything else as JSON).
pub(crate) fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_and_precedence() {
        let values: Values = toml::from_str(
            r#"
["*"]
query = { culture = "en" }
["/api/v1/Contact/{contactId}"]
path = { contactId = 5 }
[v1ContactEntity_GetContact]
path = { contactId = 7 }
body = { Name = "x" }
"#,
        )
        .expect("parses");
        let op = Operation {
            operation_id: "v1ContactEntity_GetContact".into(),
            method: "GET".into(),
            path: "/api/v1/Contact/{contactId}".into(),
            ..Operation::default()
        };
        let found = values.for_operation(&op).expect("values");
        assert_eq!(found.path["contactId"], 7);
        assert_eq!(found.query["culture"], "en");
        assert_eq!(found.body, Some(serde_json::json!({"Name": "x"})));
        assert!(values.unmatched(std::slice::from_ref(&op)).is_empty());
    }
}
