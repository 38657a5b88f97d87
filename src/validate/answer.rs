//! Checking a real server's answer against the contract: a documented status, a documented
//! Content-Type, and a body valid against that status's schema (compiled once per status).

use std::sync::OnceLock;

use bytes::Bytes;
use mockdown_schema::Validator;
use serde_json::Value;

use super::cap::{Capped, capped, describe};
use crate::contract::media::{is_json, media_type};
use crate::contract::validate::{SchemaSet, Violation};
use crate::contract::{Operation, bodyless};

/// What a server answered, as far as the contract is concerned.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    /// HTTP status.
    pub(crate) status: u16,
    /// `Content-Type` as sent, if any.
    pub(crate) content_type: Option<String>,
    /// The whole body.
    pub(crate) body: Bytes,
}

/// Media types every JSON page answers with when its Accept row is empty.
const DEFAULT_ACCEPT: [&str; 2] = ["application/json", "text/json"];

/// The answer checks of one operation: a validator per documented status, compiled when
/// an answer with that status first comes.
#[derive(Debug)]
pub(crate) struct AnswerCheck {
    validators: Vec<(u16, OnceLock<Result<Validator, String>>)>,
}

impl AnswerCheck {
    /// The checks of `op` (nothing compiled yet).
    pub(crate) fn new(op: &Operation) -> Self {
        Self {
            validators: op
                .statuses()
                .into_iter()
                .map(|s| (s, OnceLock::new()))
                .collect(),
        }
    }

    /// Every way `answer` breaks the contract of `op` (empty when it keeps it), at most
    /// [`super::MAX_VIOLATIONS`] described.
    pub(crate) fn check(&self, op: &Operation, schemas: &SchemaSet, answer: &Answer) -> Capped {
        self.check_parsed(op, schemas, answer).0
    }

    /// [`AnswerCheck::check`], and the answer's JSON body when it was read.
    pub(crate) fn check_parsed(
        &self,
        op: &Operation,
        schemas: &SchemaSet,
        answer: &Answer,
    ) -> (Capped, Option<Value>) {
        let mut found = Capped::default();
        let mut parsed = None;
        match check_head(op, answer) {
            Err(violation) => found.push(violation),
            Ok(None) => {}
            Ok(Some(value)) => {
                let Some(response) = op.response(answer.status) else {
                    return (found, None);
                };
                let compiled = self
                    .validators
                    .iter()
                    .find(|(s, _)| *s == answer.status)
                    .map(|(_, v)| {
                        v.get_or_init(|| {
                            schemas.compile(&response.schema).map_err(|e| e.to_string())
                        })
                    });
                match compiled {
                    Some(Ok(validator)) => found = capped(validator, &value, "body"),
                    Some(Err(err)) => found.push(violation(
                        "body",
                        "",
                        "schema",
                        format!("a compilable schema for status {}", answer.status),
                        format!("{err} (found {})", describe(&value)),
                    )),
                    None => {}
                }
                parsed = Some(value);
            }
        }
        (found, parsed)
    }
}

/// Every way `answer` breaks the contract of `op` (empty when it keeps it), at most
/// [`super::MAX_VIOLATIONS`]; compiles the validator it needs (keep an [`AnswerCheck`]
/// to compile once).
pub(crate) fn check_answer(op: &Operation, schemas: &SchemaSet, answer: &Answer) -> Vec<Violation> {
    AnswerCheck::new(op).check(op, schemas, answer).list
}

/// Status, Content-Type and JSON syntax: the JSON body to check against the schema, if
/// any, or the first thing wrong.
fn check_head(op: &Operation, answer: &Answer) -> Result<Option<Value>, Violation> {
    let Some(_) = op.response(answer.status) else {
        let documented: Vec<String> = op.statuses().iter().map(u16::to_string).collect();
        return Err(violation(
            "status",
            "",
            "documented",
            format!("one of {}", documented.join(", ")),
            answer.status.to_string(),
        ));
    };
    if bodyless(answer.status) {
        return if answer.body.is_empty() {
            Ok(None)
        } else {
            Err(violation(
                "body",
                "",
                "bodyless",
                format!("no body with status {}", answer.status),
                format!("{} bytes", answer.body.len()),
            ))
        };
    }
    // Documented: the Accept row, and whatever the page's own sample response shows.
    let mut accepted: Vec<String> = if op.accept.is_empty() {
        DEFAULT_ACCEPT.iter().map(|m| m.to_string()).collect()
    } else {
        op.accept.iter().map(|m| media_type(m)).collect()
    };
    let sample_type = op
        .example
        .response
        .iter()
        .flat_map(|r| &r.headers)
        .find_map(|(k, v)| {
            k.eq_ignore_ascii_case("content-type")
                .then(|| media_type(v))
        });
    if let Some(sample_type) = sample_type.filter(|t| !accepted.contains(t)) {
        accepted.push(sample_type);
    }
    let media = answer.content_type.as_deref().map(media_type);
    let Some(media) = media.filter(|m| accepted.contains(m)) else {
        return Err(violation(
            "header",
            "Content-Type",
            "documented",
            format!("one of {}", accepted.join(", ")),
            answer
                .content_type
                .clone()
                .unwrap_or_else(|| "(none)".into()),
        ));
    };
    if !is_json(&media) {
        // XML answers are checked for their Content-Type only.
        return Ok(None);
    }
    match serde_json::from_slice::<Value>(&answer.body) {
        Ok(value) => Ok(Some(value)),
        Err(err) => Err(violation(
            "body",
            "",
            "syntax",
            "valid JSON".into(),
            format!(
                "{} bytes, broken at line {} column {}",
                answer.body.len(),
                err.line(),
                err.column()
            ),
        )),
    }
}

fn violation(
    location: &str,
    pointer: &str,
    keyword: &str,
    expected: String,
    found: String,
) -> Violation {
    Violation {
        location: location.to_string(),
        pointer: pointer.to_string(),
        keyword: keyword.to_string(),
        expected,
        found,
    }
}
