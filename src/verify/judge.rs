//! What an answer is held against, by what its case expects: a success keeps the status
//! the sample answers, a documented Content-Type, the schema (formats and enums included)
//! and every property the documented answer shows; a read-back also gives back what was
//! saved; a refusal is a documented 4xx in the API's error shape; a read of a deleted
//! entity answers what the page documents for a missing one.

use std::collections::BTreeMap;

use serde_json::Value;

use super::case::{Expect, Request};
use super::options::VerifyOptions;
use super::shown::missing;
use crate::contract::types::type_ref;
use crate::contract::validate::{SchemaSet, Violation};
use crate::contract::{ERROR_TYPE, Operation, Response};
use crate::validate::{Answer, AnswerCheck};

/// The status the documented sample answers (the operation's success status without one).
pub(crate) fn expected_status(op: &Operation) -> u16 {
    op.example
        .response
        .as_ref()
        .map_or(op.success_status, |r| r.status)
}

/// The checks of one operation's answers.
pub(crate) struct Judge<'a> {
    op: &'a Operation,
    /// `op` with the 400 every operation refuses bad input with, in the API's error
    /// shape, where the page documents none (the refusals are held to it).
    refusing: Operation,
    schemas: &'a SchemaSet,
    types: &'a BTreeMap<String, Value>,
    options: &'a VerifyOptions,
    answers: AnswerCheck,
    refusals: AnswerCheck,
}

fn violation(location: &str, keyword: &str, expected: String, found: String) -> Violation {
    Violation {
        location: location.into(),
        pointer: String::new(),
        keyword: keyword.into(),
        expected,
        found,
    }
}

/// Whether `sent` is in `got`: equal scalars, the same keys with values in, lists of the
/// same length item by item (a server may add what it computes, never lose what was sent).
pub(crate) fn contains(got: &Value, sent: &Value) -> bool {
    match (got, sent) {
        (Value::Object(got), Value::Object(sent)) => sent
            .iter()
            .all(|(k, v)| got.get(k).is_some_and(|g| contains(g, v))),
        (Value::Array(got), Value::Array(sent)) => {
            got.len() == sent.len() && got.iter().zip(sent).all(|(g, s)| contains(g, s))
        }
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (got, sent) => got == sent,
    }
}

/// Whether the field at `pointer` in `answer` (list positions aside) is one `$select`
/// names, or holds one.
fn selected(pointer: &str, answer: &Value, selection: &[Vec<String>]) -> bool {
    let mut path: Vec<String> = Vec::new();
    let mut at = Some(answer);
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        at = match at {
            Some(Value::Array(items)) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
            Some(Value::Object(map)) => {
                path.push(segment.to_ascii_lowercase());
                map.get(&segment)
            }
            _ => {
                path.push(segment.to_ascii_lowercase());
                None
            }
        };
    }
    selection
        .iter()
        .any(|chosen| chosen.starts_with(&path) || path.starts_with(chosen))
}

impl<'a> Judge<'a> {
    /// The checks of `op`.
    pub(crate) fn new(
        op: &'a Operation,
        schemas: &'a SchemaSet,
        types: &'a BTreeMap<String, Value>,
        options: &'a VerifyOptions,
    ) -> Self {
        let mut refusing = op.clone();
        refusing
            .responses
            .entry("400".into())
            .or_insert_with(|| Response {
                description: "The request breaks the contract".into(),
                schema: type_ref(ERROR_TYPE),
            });
        Self {
            op,
            answers: AnswerCheck::new(op),
            refusals: AnswerCheck::new(&refusing),
            refusing,
            schemas,
            types,
            options,
        }
    }

    /// Every way `answer` falls short of `expect`, for `request`.
    pub(crate) fn violations(
        &self,
        expect: &Expect,
        request: &Request,
        answer: &Answer,
    ) -> Vec<Violation> {
        match expect {
            Expect::Success => self.success(answer, request).0,
            Expect::ReadBack { fields, key, id } => {
                let (mut found, parsed) = self.success(answer, request);
                if let Some(got) = parsed.filter(|_| found.is_empty()) {
                    if got.get(key) != Some(id) {
                        found.push(violation(
                            "body",
                            "read back",
                            format!("{key} {id}, the id saved"),
                            got.get(key).map_or("nothing".into(), Value::to_string),
                        ));
                    }
                    for (name, sent) in fields {
                        if !got.get(name).is_some_and(|g| contains(g, sent)) {
                            let mut v = violation(
                                "body",
                                "read back",
                                format!("{sent}, as saved"),
                                got.get(name).map_or("nothing".into(), Value::to_string),
                            );
                            v.pointer = format!("/{name}");
                            found.push(v);
                        }
                    }
                }
                found
            }
            Expect::Refusal { broken } => self.refusal(answer, broken),
            Expect::Gone => self.gone(answer),
        }
    }

    /// The success checks, and the body when it was read.
    fn success(&self, answer: &Answer, request: &Request) -> (Vec<Violation>, Option<Value>) {
        let op = self.op;
        let expected = expected_status(op);
        if answer.status != expected
            && !self.options.accept_documented_status
            && op.response(answer.status).is_some()
        {
            return (
                vec![violation(
                    "status",
                    "expected",
                    format!("{expected}, the status the documented sample answers"),
                    answer.status.to_string(),
                )],
                None,
            );
        }
        let (found, parsed) = self.answers.check_parsed(op, self.schemas, answer);
        let mut violations = found.list;
        if let (Some(selection), Some(value)) = (request.selection(), &parsed) {
            // "Other fields are then nulled out", as the pages say of `$select`.
            violations.retain(|v| v.found != "null" || selected(&v.pointer, value, &selection));
        }
        if !self.options.lenient
            && answer.status == expected
            && let (Some(value), Some(sample), Some(response)) = (
                parsed.as_ref(),
                op.example.response.as_ref().and_then(|r| r.body.as_ref()),
                op.response(expected),
            )
        {
            let mut absent = missing(
                sample,
                value,
                &response.schema,
                self.types,
                request.body.as_ref(),
            );
            if let Some(selection) = request.selection() {
                // Only what `$select` names must be there.
                absent.retain(|v| selected(&v.pointer, value, &selection));
            }
            violations.extend(absent);
        }
        (violations, parsed)
    }

    /// A refusal: a 4xx the page documents (or 400), in the shape documented for it.
    fn refusal(&self, answer: &Answer, broken: &str) -> Vec<Violation> {
        let status = answer.status;
        if !(400..500).contains(&status) {
            let what = if status < 400 {
                "accepted"
            } else {
                "failed on"
            };
            return vec![violation(
                "status",
                "refused",
                format!("a documented 4xx: the request breaks the contract at {broken}"),
                format!("{status} (the server {what} an invalid request)"),
            )];
        }
        if self.refusing.response(status).is_none() {
            let documented: Vec<String> = self
                .refusing
                .statuses()
                .into_iter()
                .filter(|s| (400..500).contains(s))
                .map(|s| s.to_string())
                .collect();
            return vec![violation(
                "status",
                "documented",
                format!("one of {} (a documented refusal)", documented.join(", ")),
                status.to_string(),
            )];
        }
        self.refusals
            .check(&self.refusing, self.schemas, answer)
            .list
    }

    /// A read of a deleted entity: the page's 404, else its success status with `null`.
    fn gone(&self, answer: &Answer) -> Vec<Violation> {
        let op = self.op;
        if op.response(404).is_some() {
            if answer.status != 404 {
                return vec![violation(
                    "status",
                    "gone",
                    "404, what the page documents for a missing entity (it was deleted)".into(),
                    answer.status.to_string(),
                )];
            }
            return self.answers.check(op, self.schemas, answer).list;
        }
        let null = serde_json::from_slice::<Value>(&answer.body).ok() == Some(Value::Null);
        if answer.status != op.success_status || !null {
            return vec![violation(
                "body",
                "gone",
                format!(
                    "{} with null, what the page answers for a missing entity (it was deleted; no 404 documented)",
                    op.success_status
                ),
                format!(
                    "{} with {}",
                    answer.status,
                    String::from_utf8_lossy(&answer.body[..answer.body.len().min(80)])
                ),
            )];
        }
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn select_names_fields_and_what_holds_them() {
        let chosen = vec![
            vec!["name".to_string()],
            vec!["category".into(), "id".into()],
        ];
        let one = json!({"Name": "a", "Category": {"Id": null, "Name": null}});
        let list = json!([one, one]);
        assert!(selected("/Name", &one, &chosen));
        assert!(selected("/1/Category/Id", &list, &chosen));
        assert!(selected("/Category", &one, &chosen));
        assert!(!selected("/Category/Name", &one, &chosen));
        assert!(!selected("/1/Department", &list, &chosen));
        // Keys of a dictionary are fields, not list positions.
        assert!(!selected("/1", &json!({"1": null}), &chosen));
    }

    #[test]
    fn sent_values_must_be_in_what_is_read() {
        let got = json!({"Name": "a", "Emails": [{"Value": "x", "Rank": 1}], "N": 1.0});
        assert!(contains(&got, &json!({"Emails": [{"Value": "x"}], "N": 1})));
        assert!(!contains(&got, &json!({"Emails": [{"Value": "y"}]})));
        assert!(!contains(&got, &json!({"Emails": []})));
        assert!(!contains(&got, &json!({"Other": 1})));
    }
}
