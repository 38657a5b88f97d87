//! Stage: judging requests and answers against the contract. Owns the request checks
//! (credentials, parameters, bodies by media type), the streaming fast path, the check of
//! what may be echoed into an answer, and the check of a real server's answer.
//! It never builds answers and never touches sockets: it takes text and says what is wrong.

mod answer;
mod body;
mod cap;
mod credentials;
mod fastcheck;
mod form;
mod json;
mod kinds;
mod limits;
mod params;
mod patch;
mod textbody;
mod xml;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use mockdown_schema::Validator;
use serde_json::Value;

use crate::contract::Operation;
use crate::contract::types::resolve_ref;
use crate::contract::types::{NameIndex, name_index};
use crate::contract::validate::{SchemaSet, Violation};
use crate::http::ErrorKind;
use fastcheck::FastCheck;
use params::ParamCheck;

pub(crate) use crate::contract::media::{is_json, media_type};
pub(crate) use answer::{Answer, AnswerCheck, check_answer};
pub(crate) use body::SentJson;
pub(crate) use cap::{Capped, MAX_VIOLATIONS, capped};
pub(crate) use limits::BodyLimits;

/// How request bodies are judged: strictly or not, and within which limits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyRules {
    /// Refuse properties the contract does not know.
    pub(crate) strict: bool,
    /// Fields and CPU time one body may take.
    pub(crate) limits: BodyLimits,
}
pub(crate) use credentials::{accepted_credential, check_auth};

/// A request that failed validation: the kind to answer (its status and `ErrorType`) and
/// why.
#[derive(Debug)]
pub(crate) struct Rejection {
    /// What went wrong: 400 `ValidationError`, 401 `Unauthorized`, 413, 415 ...
    pub(crate) kind: ErrorKind,
    /// `ErrorMessage` of the error body.
    pub(crate) message: String,
    /// The violations found (the first [`MAX_VIOLATIONS`]).
    pub(crate) violations: Vec<Violation>,
    /// How many more violations were found than are listed.
    pub(crate) omitted: usize,
}

impl Rejection {
    /// A rejection without violations.
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            violations: Vec::new(),
            omitted: 0,
        }
    }

    /// The 400 of a request part that breaks the contract in the places `found` lists and
    /// counts; `what` says which and its verb (`request body breaks`).
    pub(crate) fn violated(what: &str, found: Capped) -> Self {
        Self {
            kind: ErrorKind::ValidationError,
            message: format!(
                "{what} the contract in {}{} place(s)",
                if found.at_least { "at least " } else { "" },
                found.total()
            ),
            violations: found.list,
            omitted: found.omitted,
        }
    }

    /// The HTTP status that answers it.
    pub(crate) fn status(&self) -> u16 {
        self.kind.status()
    }

    /// The violations this rejection stands for: its own, or one naming its reason
    /// (415, bad JSON, ...) when it lists none.
    pub(crate) fn into_violations(self) -> Vec<Violation> {
        if !self.violations.is_empty() {
            return self.violations;
        }
        vec![Violation {
            location: "request".into(),
            pointer: String::new(),
            keyword: self.kind.error_type().to_string(),
            expected: "a request the contract accepts".into(),
            found: self.message,
        }]
    }
}

/// The compiled checks of one operation's requests: the entry point of this stage.
#[derive(Default)]
pub(crate) struct RequestCheck {
    path: Vec<ParamCheck>,
    query: Vec<ParamCheck>,
    /// The body validator, compiled when a body first needs the full path (most bodies are
    /// settled by the fast path, and compiled validators are large).
    body: OnceLock<Option<Validator>>,
    /// The body schema compiled for the streaming fast path.
    fast: Option<FastCheck>,
}

impl RequestCheck {
    /// Compiles the parameter and body schemas of `op` (`$ref`s resolved in `types`). A
    /// schema that does not compile is left unchecked (the build already reported it).
    pub(crate) fn compile(
        schemas: &SchemaSet,
        types: &BTreeMap<String, Value>,
        op: &Operation,
    ) -> Self {
        let param = |p: &crate::contract::Parameter, required: bool| ParamCheck {
            name: p.name.clone(),
            required,
            validator: schemas.compile(&p.schema).ok(),
            schema: p.schema.clone(),
        };
        Self {
            path: op.path_parameters.iter().map(|p| param(p, false)).collect(),
            query: op
                .query_parameters
                .iter()
                .map(|p| param(p, p.required))
                .collect(),
            body: OnceLock::new(),
            fast: op
                .request_body
                .as_ref()
                .map(|b| FastCheck::compile(&b.schema, types)),
        }
    }

    /// Violations of the path and query parameters (none when they keep the contract): the
    /// first [`MAX_VIOLATIONS`], and how many more.
    pub(crate) fn params(&self, path: &[(String, String)], query: &[(String, String)]) -> Capped {
        params::check_params(&self.path, &self.query, path, query)
    }

    /// Checks a request body against `op` under `rules`; on success, the JSON sent, if
    /// any.
    pub(crate) fn body<'b>(
        &self,
        op: &Operation,
        schemas: &SchemaSet,
        types: &BTreeMap<String, Value>,
        content_type: Option<&str>,
        body: &'b [u8],
        rules: &BodyRules,
    ) -> Result<Option<SentJson<'b>>, Rejection> {
        body::check_body(op, self, schemas, types, content_type, body, rules)
    }
}

/// Which sent values an answer may echo: each root property of a response schema is held
/// to its own schema (type, format, enum, range), so an echoed field never breaks the
/// answer's contract. A property the request schema describes the same way needs no second
/// look: the request check already held the value to it.
#[derive(Debug, Default)]
pub(crate) struct EchoCheck {
    names: NameIndex,
    props: Vec<EchoProp>,
}

#[derive(Debug)]
enum EchoProp {
    /// The request body describes this property the same way: already checked.
    AsRequested,
    /// Held to the response property's schema (fast path; anything unsure is not echoed),
    /// and to the values the pages show for it when it is an enum they do not list in
    /// full (JSON texts): the request said nothing of them.
    Check(FastCheck, Option<Vec<String>>),
}

impl EchoCheck {
    /// Compiles the root properties of the response schema `response`, given the request
    /// body schema `request` (if any).
    pub(crate) fn compile(
        response: &Value,
        request: Option<&Value>,
        types: &BTreeMap<String, Value>,
    ) -> Self {
        let Some(props) = resolve_ref(types, response)
            .get("properties")
            .and_then(Value::as_object)
        else {
            return Self::default();
        };
        let requested = request
            .map(|r| resolve_ref(types, r))
            .and_then(|r| r.get("properties"))
            .and_then(Value::as_object);
        Self {
            names: name_index(props.keys().map(String::as_str)),
            props: props
                .iter()
                .map(|(name, schema)| match requested.and_then(|r| r.get(name)) {
                    // The same schema with the same values shown, if an enum: the request
                    // check held the value to it.
                    Some(asked)
                        if same_schema(asked, schema)
                            && seen_values(asked, types) == seen_values(schema, types) =>
                    {
                        EchoProp::AsRequested
                    }
                    _ => EchoProp::Check(
                        FastCheck::compile(schema, types),
                        seen_values(schema, types),
                    ),
                })
                .collect(),
        }
    }

    /// Whether the raw JSON text `value`, stored by an earlier save, may stand for root
    /// property `key` in an answer: it keeps the property's schema (what the client saved
    /// is read back, values the pages never showed for an enum included).
    pub(crate) fn admits_stored(&self, key: &str, value: &str) -> bool {
        match self.names.get(key).and_then(|&i| self.props.get(i)) {
            Some(EchoProp::Check(check, _)) => check.certainly_valid(value),
            Some(EchoProp::AsRequested) | None => true,
        }
    }

    /// Whether the raw JSON text `value` may stand for root property `key` in the answer
    /// (a property this check does not know is left to the generator).
    pub(crate) fn admits(&self, key: &str, value: &str) -> bool {
        match self.names.get(key).and_then(|&i| self.props.get(i)) {
            Some(EchoProp::AsRequested) => true,
            Some(EchoProp::Check(check, seen)) => {
                check.certainly_valid(value)
                    && seen
                        .as_ref()
                        .is_none_or(|members| members.iter().any(|m| m == value.trim()))
            }
            None => true,
        }
    }
}

/// The values the pages show for an enum they do not list in full, as JSON texts.
fn seen_values(schema: &Value, types: &BTreeMap<String, Value>) -> Option<Vec<String>> {
    let schema = resolve_ref(types, schema);
    let seen = schema
        .get(crate::contract::enums::SEEN)
        .and_then(Value::as_array)
        .filter(|m| !m.is_empty())?;
    Some(seen.iter().map(Value::to_string).collect())
}

/// Whether two schemas say the same, descriptions and `x-` annotations aside.
fn same_schema(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            let relevant = |k: &&String| *k != "description" && !k.starts_with("x-");
            let (ka, kb): (Vec<_>, Vec<_>) = (
                a.keys().filter(relevant).collect(),
                b.keys().filter(relevant).collect(),
            );
            ka.len() == kb.len()
                && ka
                    .iter()
                    .all(|k| b.get(*k).is_some_and(|bv| same_schema(&a[*k], bv)))
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_schema(x, y))
        }
        _ => a == b,
    }
}
