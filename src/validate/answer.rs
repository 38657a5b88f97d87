//! Checking a real server's answer against the contract: a documented status, a documented
//! Content-Type, and a body valid against that status's schema.

use bytes::Bytes;
use serde_json::Value;

use crate::contract::media::{is_json, media_type};
use crate::contract::validate::{SchemaSet, Violation, describe, violations};
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

/// Every way `answer` breaks the contract of `op` (empty when it keeps it).
pub(crate) fn check_answer(op: &Operation, schemas: &SchemaSet, answer: &Answer) -> Vec<Violation> {
    let Some(response) = op.response(answer.status) else {
        let documented: Vec<String> = op.statuses().iter().map(u16::to_string).collect();
        return vec![violation(
            "status",
            "",
            "documented",
            format!("one of {}", documented.join(", ")),
            answer.status.to_string(),
        )];
    };
    if bodyless(answer.status) {
        return if answer.body.is_empty() {
            Vec::new()
        } else {
            vec![violation(
                "body",
                "",
                "bodyless",
                format!("no body with status {}", answer.status),
                format!("{} bytes", answer.body.len()),
            )]
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
        return vec![violation(
            "header",
            "Content-Type",
            "documented",
            format!("one of {}", accepted.join(", ")),
            answer
                .content_type
                .clone()
                .unwrap_or_else(|| "(none)".into()),
        )];
    };
    if !is_json(&media) {
        // XML answers are checked for their Content-Type only.
        return Vec::new();
    }
    let value: Value = match serde_json::from_slice(&answer.body) {
        Ok(value) => value,
        Err(err) => {
            return vec![violation(
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
            )];
        }
    };
    match schemas.compile(&response.schema) {
        Ok(validator) => violations(&validator, &value, "body"),
        Err(err) => vec![violation(
            "body",
            "",
            "schema",
            format!("a compilable schema for status {}", answer.status),
            format!("{err} (found {})", describe(&value)),
        )],
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
