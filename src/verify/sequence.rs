//! The machinery of stateful tests: a step is one request of a sequence with the operations
//! its judgement depends on; requests start from the documented samples (values file on
//! top) with the entity's id placed where the operation takes it; what a save sends is
//! changed (plain text fields get new words) and what it sent is what reads must give back.

use serde_json::{Map, Value, json};

use super::case::{Case, Expect, Mode, Request};
use super::curl::curl;
use super::fill::Filler;
use super::generate::plain_field;
use super::group::Sender;
use super::judge::Judge;
use super::local::LocalCheck;
use super::options::VerifyOptions;
use super::outcome::{OpResult, Outcome};
use super::sample::{base_request, sample_request};
use crate::contract::types::{primary_type, resolve_ref};
use crate::contract::validate::SchemaSet;
use crate::contract::{Contract, Operation};
use crate::entities::IdSource;

/// What the steps of a sequence share.
pub(crate) struct Sequence<'a> {
    pub(crate) contract: &'a Contract,
    pub(crate) schemas: &'a SchemaSet,
    pub(crate) options: &'a VerifyOptions,
    pub(crate) sender: &'a Sender<'a>,
}

/// One step: its case and the operations its judgement depends on.
pub(crate) struct Step {
    pub(crate) op: usize,
    pub(crate) case: Case,
    pub(crate) involved: Vec<usize>,
}

/// Why a sequence stopped.
pub(crate) enum Stop {
    /// A step failed: the result says how.
    Failed(Box<OpResult>),
    /// A step could not be built (a request the contract refuses, no id answered).
    Skipped(String),
}

impl Sequence<'_> {
    pub(crate) fn op(&self, index: usize) -> &Operation {
        &self.contract.operations[index]
    }

    /// The request of `op` from its sample (values file on top), with `id` placed.
    pub(crate) fn request(
        &self,
        index: usize,
        source: &IdSource,
        key: &str,
        id: Option<i64>,
    ) -> Request {
        let op = self.op(index);
        let values = self.options.values.for_operation(op);
        let mut request = sample_request(op, values.as_ref())
            .unwrap_or_else(|| base_request(op, values.as_ref()));
        let Some(id) = id else { return request };
        match source {
            IdSource::Path(name) => {
                if let Some(pair) = request.path.iter_mut().find(|(k, _)| k == name) {
                    pair.1 = id.to_string();
                }
            }
            IdSource::Query(name) => request.set_query(name, id.to_string()),
            IdSource::Body => {
                if let Some(Value::Object(map)) = request.body.as_mut() {
                    map.insert(key.to_string(), json!(id));
                }
            }
        }
        request
    }

    /// Changes the plain text root fields of a save's body (to words of `filler`), and
    /// returns the fields to read back: every non-null root field sent, the key left out.
    pub(crate) fn change(
        &self,
        request: &mut Request,
        save: usize,
        key: &str,
        filler: &mut Filler<'_>,
    ) -> Map<String, Value> {
        let types = &self.contract.types;
        let props = |index: usize| -> Option<&Map<String, Value>> {
            let schema = &self.op(index).request_body.as_ref()?.schema;
            resolve_ref(types, schema).get("properties")?.as_object()
        };
        let sent_props = props(save);
        let mut fields = Map::new();
        if let Some(Value::Object(map)) = request.body.as_mut() {
            for (name, value) in map.iter_mut() {
                let schema = sent_props.and_then(|p| p.get(name));
                let text = schema.is_some_and(|s| {
                    let s = resolve_ref(types, s);
                    plain_field(s)
                        && s.get("type") == Some(&json!("string"))
                        && s.get("format").is_none()
                        && s.get("enum").is_none()
                });
                if text && value.is_string() {
                    *value = json!(filler.words());
                }
                if name != key && !value.is_null() {
                    fields.insert(name.clone(), value.clone());
                }
            }
        }
        fields
    }

    /// Sends `step` and judges it: the answer's body when it kept the contract.
    pub(crate) async fn send(
        &self,
        step: &Step,
        done: &[Step],
        result: &mut OpResult,
    ) -> Result<Option<Value>, Stop> {
        let op = self.op(step.op);
        let judge = Judge::new(op, self.schemas, &self.contract.types, self.options);
        let judged = self.sender.judged(&judge, &step.case).await;
        result.cases += 1;
        let failed = judged.failed();
        let body = judged
            .answer
            .as_ref()
            .ok()
            .and_then(|a| serde_json::from_slice::<Value>(&a.body).ok());
        let status = judged.status();
        let mut steps: Vec<String> = done
            .iter()
            .map(|s| curl(&s.case.request, self.options))
            .collect();
        steps.push(curl(&step.case.request, self.options));
        if failed {
            let mut failing = result.clone();
            failing.failed_cases += 1;
            failing.operation_id = op.operation_id.clone();
            failing.method = step.case.request.method.clone();
            failing.path = step.case.request.path_and_query();
            failing.source = op.source.clone();
            failing.status = status;
            failing.case = Some(step.case.label.clone());
            failing.curl = Some(steps.join("\n"));
            failing.operations = step
                .involved
                .iter()
                .map(|&i| self.op(i).operation_id.clone())
                .collect();
            failing.outcome = Outcome::Failed {
                reason: judged.reason(op),
                violations: judged.violations,
            };
            return Err(Stop::Failed(Box::new(failing)));
        }
        result.status = status;
        Ok(body)
    }

    /// A step of `op` whose request keeps the contract (else the sequence is skipped).
    pub(crate) fn step(
        &self,
        op: usize,
        label: String,
        request: Request,
        expect: Expect,
        involved: Vec<usize>,
    ) -> Result<Step, Stop> {
        let operation = self.op(op);
        let local = LocalCheck::new(operation, self.schemas, &self.contract.types);
        let found = local.violations(&request);
        if let Some(first) = found.first() {
            return Err(Stop::Skipped(format!(
                "the {label} request of {} breaks the contract ({first}); nothing to send",
                operation.operation_id
            )));
        }
        Ok(Step {
            op,
            case: Case {
                mode: Mode::Stateful,
                label,
                request,
                expect,
            },
            involved,
        })
    }

    /// The saved `fields` read operation `read` answers: those its answer names with a
    /// schema of the same kind (a type that calls `Deleted` a number cannot give back the
    /// boolean saved) and, for an enum, a value in it.
    pub(crate) fn readable(&self, read: usize, fields: &Map<String, Value>) -> Map<String, Value> {
        let types = &self.contract.types;
        let op = self.op(read);
        let Some(props) = op
            .response(op.success_status)
            .map(|r| resolve_ref(types, &r.schema))
            .and_then(|s| s.get("properties"))
            .and_then(Value::as_object)
        else {
            return Map::new();
        };
        fields
            .iter()
            .filter(|(name, value)| {
                let Some(schema) = props.get(name.as_str()).map(|s| resolve_ref(types, s)) else {
                    return false;
                };
                let kind = match primary_type(schema) {
                    Some("integer") => value.is_i64() || value.is_u64(),
                    Some("number") => value.is_number(),
                    Some("string") => value.is_string(),
                    Some("boolean") => value.is_boolean(),
                    Some("array") => value.is_array(),
                    Some("object") => value.is_object(),
                    _ => false,
                };
                let in_enum = schema
                    .get("enum")
                    .and_then(Value::as_array)
                    .is_none_or(|members| members.contains(value));
                kind && in_enum
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}
