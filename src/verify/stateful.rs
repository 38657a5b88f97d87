//! `verify --stateful`: a sequence per entity of the contract's entity map (`mockdown
//! routes --entities`): save a changed sample as a new entity, read it back with every read
//! operation, update it with every other save, patch it with every patch, read each change
//! back, delete it, and read it as the page documents for a missing entity (each further
//! delete on an entity saved anew). Ids come from the answers; the requests start from the
//! documented samples with the values file on top; a sequence stops at its first failure.

use std::time::Instant;

use serde_json::{Map, Value, json};

use super::case::{Case, Expect, Mode, Request};
use super::curl::curl;
use super::fill::Filler;
use super::generate::{fresh_id, patch_body, plain_field, stable_hash};
use super::group::Sender;
use super::judge::Judge;
use super::local::LocalCheck;
use super::options::{VerifyOptions, selected};
use super::outcome::{OpResult, Outcome};
use super::sample::sample_request;
use crate::contract::types::{primary_type, resolve_ref};
use crate::contract::validate::SchemaSet;
use crate::contract::{Contract, Operation};
use crate::entities::{EntityMap, IdSource, Role};

/// The operations one entity's sequence uses, by index into the contract's operations.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// The entity's name.
    pub(crate) entity: String,
    /// Its primary key property.
    key: String,
    /// The save that creates (a body id set to 0 first; else an id of our own).
    create: (usize, IdSource),
    saves: Vec<(usize, IdSource)>,
    reads: Vec<(usize, IdSource)>,
    patches: Vec<(usize, IdSource)>,
    deletes: Vec<(usize, IdSource)>,
}

impl Plan {
    /// The index of the operation that creates the entity.
    pub(crate) fn create_index(&self) -> usize {
        self.create.0
    }
}

/// The sequences of the selected operations' entities (those with a save and a read).
pub(crate) fn plans(contract: &Contract, map: &EntityMap, options: &VerifyOptions) -> Vec<Plan> {
    let mut plans = Vec::new();
    for (e, entity) in map.entities.iter().enumerate() {
        let of = |role: Role| -> Vec<(usize, IdSource)> {
            contract
                .operations
                .iter()
                .enumerate()
                .filter(|(_, op)| selected(options, &op.operation_id))
                .filter_map(|(i, _)| match map.role(i) {
                    Some((owner, r, id)) if *owner == e && *r == role => Some((i, id.clone())),
                    _ => None,
                })
                .collect()
        };
        let saves = of(Role::Save);
        let reads = of(Role::Read);
        let creates_by_body = |(i, id): &&(usize, IdSource)| {
            *id == IdSource::Body
                && contract.operations[*i].method == "POST"
                && contract.operations[*i]
                    .example
                    .request
                    .as_ref()
                    .is_some_and(|r| r.body.is_some())
        };
        let create = saves
            .iter()
            .find(creates_by_body)
            .or_else(|| saves.first())
            .cloned();
        let (Some(create), false) = (create, reads.is_empty()) else {
            continue;
        };
        plans.push(Plan {
            entity: entity.name.clone(),
            key: entity.key.clone(),
            saves: saves.into_iter().filter(|s| s.0 != create.0).collect(),
            create,
            reads,
            patches: of(Role::Patch),
            deletes: of(Role::Delete),
        });
    }
    plans
}

/// What the steps of a sequence share.
pub(crate) struct Sequence<'a> {
    pub(crate) contract: &'a Contract,
    pub(crate) schemas: &'a SchemaSet,
    pub(crate) options: &'a VerifyOptions,
    pub(crate) sender: &'a Sender<'a>,
}

/// One step: its case and the operations its judgement depends on.
struct Step {
    op: usize,
    case: Case,
    involved: Vec<usize>,
}

/// Why a sequence stopped.
enum Stop {
    /// A step failed: the result says how.
    Failed(Box<OpResult>),
    /// A step could not be built (a request the contract refuses, no id answered).
    Skipped(String),
}

impl Sequence<'_> {
    fn op(&self, index: usize) -> &Operation {
        &self.contract.operations[index]
    }

    /// The request of `op` from its sample (values file on top), with `id` placed.
    fn request(&self, index: usize, source: &IdSource, key: &str, id: Option<i64>) -> Request {
        let op = self.op(index);
        let values = self.options.values.for_operation(op);
        let mut request = sample_request(op, values.as_ref())
            .unwrap_or_else(|| super::sample::base_request(op, values.as_ref()));
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
    fn change(
        &self,
        request: &mut Request,
        save: usize,
        key: &str,
        filler: &mut Filler,
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
    async fn send(
        &self,
        step: &Step,
        done: &mut Vec<Step>,
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
    fn step(
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

    /// Creates the entity with the plan's create: its id and the fields to read back.
    async fn create(
        &self,
        plan: &Plan,
        filler: &mut Filler<'_>,
        done: &mut Vec<Step>,
        result: &mut OpResult,
        round: &str,
    ) -> Result<(i64, Map<String, Value>), Stop> {
        let (save, source) = &plan.create;
        let own = fresh_id(self.options.seed, &plan.entity, round, "create");
        let mut request = match source {
            IdSource::Body => self.request(*save, source, &plan.key, Some(0)),
            _ => self.request(*save, source, &plan.key, Some(own)),
        };
        let fields = self.change(&mut request, *save, &plan.key, filler);
        let step = self.step(
            *save,
            format!("save a new {}", plan.entity),
            request,
            Expect::Success,
            vec![*save],
        )?;
        let answer = self.send(&step, done, result).await?;
        let id = match source {
            IdSource::Body => answer
                .as_ref()
                .and_then(|a| a.get(&plan.key))
                .and_then(Value::as_i64),
            _ => Some(own),
        };
        done.push(step);
        match id {
            Some(id) if id > 0 => Ok((id, fields)),
            _ => {
                let last = done.pop();
                let mut failing = result.clone();
                let op = self.op(*save);
                failing.operation_id = op.operation_id.clone();
                failing.source = op.source.clone();
                failing.failed_cases += 1;
                failing.case = Some(format!("save a new {}", plan.entity));
                failing.curl = last.map(|s| curl(&s.case.request, self.options));
                failing.operations = vec![op.operation_id.clone()];
                failing.outcome = Outcome::Failed {
                    reason: format!(
                        "the save answered no new {} (a positive integer): {}",
                        plan.key,
                        answer
                            .as_ref()
                            .and_then(|a| a.get(&plan.key))
                            .map_or("nothing".into(), Value::to_string)
                    ),
                    violations: Vec::new(),
                };
                Err(Stop::Failed(Box::new(failing)))
            }
        }
    }

    /// Runs the sequence of `plan`.
    pub(crate) async fn run(&self, plan: &Plan) -> OpResult {
        let started = Instant::now();
        let create = self.op(plan.create.0);
        let mut result = OpResult::start(create, Mode::Stateful);
        result.entity = Some(plan.entity.clone());
        result.path = format!("entity {} (key {})", plan.entity, plan.key);
        result.method = String::new();
        let mut all: Vec<usize> = vec![plan.create.0];
        for list in [&plan.reads, &plan.saves, &plan.patches, &plan.deletes] {
            all.extend(list.iter().map(|(i, _)| *i));
        }
        result.operations = all
            .iter()
            .map(|&i| self.op(i).operation_id.clone())
            .collect();
        let mut done = Vec::new();
        let outcome = self.steps(plan, &mut done, &mut result).await;
        let mut result = match outcome {
            Ok(()) => result,
            Err(Stop::Failed(failing)) => *failing,
            Err(Stop::Skipped(reason)) => {
                result.outcome = Outcome::Skipped(reason);
                result
            }
        };
        result.duration = started.elapsed();
        result
    }

    /// Reads the entity `id` back with the first read: `fields` (changed by `by`) must be
    /// there as sent.
    #[allow(clippy::too_many_arguments)]
    async fn read_back(
        &self,
        plan: &Plan,
        id: i64,
        fields: &Map<String, Value>,
        by: usize,
        read: (usize, &IdSource),
        label: &str,
        done: &mut Vec<Step>,
        result: &mut OpResult,
    ) -> Result<(), Stop> {
        let (index, source) = read;
        let request = self.request(index, source, &plan.key, Some(id));
        let expect = Expect::ReadBack {
            fields: self.readable(index, fields),
            key: plan.key.clone(),
            id: json!(id),
        };
        let step = self.step(
            index,
            format!("read after {label}"),
            request,
            expect,
            vec![by, index],
        )?;
        self.send(&step, done, result).await?;
        done.push(step);
        Ok(())
    }

    /// The saved `fields` read operation `read` answers: those its answer names with a
    /// schema of the same kind (a type that calls `Deleted` a number cannot give back the
    /// boolean saved) and, for an enum, a value in it.
    fn readable(&self, read: usize, fields: &Map<String, Value>) -> Map<String, Value> {
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

    /// Sends a step that must succeed.
    async fn act(
        &self,
        index: usize,
        label: &str,
        request: Request,
        done: &mut Vec<Step>,
        result: &mut OpResult,
    ) -> Result<(), Stop> {
        let step = self.step(
            index,
            label.to_string(),
            request,
            Expect::Success,
            vec![index],
        )?;
        self.send(&step, done, result).await?;
        done.push(step);
        Ok(())
    }

    async fn steps(
        &self,
        plan: &Plan,
        done: &mut Vec<Step>,
        result: &mut OpResult,
    ) -> Result<(), Stop> {
        let seed = stable_hash(&[&self.options.seed.to_string(), &plan.entity]);
        let mut filler = Filler::new(&self.contract.types, seed);
        let save = plan.create.0;
        let (id, fields) = self
            .create(plan, &mut filler, done, result, "first")
            .await?;
        for (read, source) in &plan.reads {
            self.read_back(
                plan,
                id,
                &fields,
                save,
                (*read, source),
                "save",
                done,
                result,
            )
            .await?;
        }
        let first_read = (plan.reads[0].0, &plan.reads[0].1);
        for (update, source) in &plan.saves {
            let mut request = self.request(*update, source, &plan.key, Some(id));
            let changed = self.change(&mut request, *update, &plan.key, &mut filler);
            self.act(*update, "update", request, done, result).await?;
            self.read_back(
                plan, id, &changed, *update, first_read, "update", done, result,
            )
            .await?;
        }
        for (patch, source) in &plan.patches {
            let Some((request, changed)) =
                self.patch(*patch, source, &plan.key, id, first_read.0, &mut filler)
            else {
                continue;
            };
            self.act(*patch, "patch", request, done, result).await?;
            self.read_back(
                plan, id, &changed, *patch, first_read, "patch", done, result,
            )
            .await?;
        }
        for (round, (delete, source)) in plan.deletes.iter().enumerate() {
            let id = if round == 0 {
                id
            } else {
                self.create(plan, &mut filler, done, result, &format!("round {round}"))
                    .await?
                    .0
            };
            let request = self.request(*delete, source, &plan.key, Some(id));
            self.act(*delete, "delete", request, done, result).await?;
            let reads = if round == 0 {
                &plan.reads[..]
            } else {
                &plan.reads[..1]
            };
            for (read, source) in reads {
                let request = self.request(*read, source, &plan.key, Some(id));
                let step = self.step(
                    *read,
                    "read after delete".into(),
                    request,
                    Expect::Gone,
                    vec![*delete, *read],
                )?;
                self.send(&step, done, result).await?;
                done.push(step);
            }
        }
        Ok(())
    }

    /// A patch of one plain text field the read answers: a JSON Patch where the page's
    /// sample sends one, else a merge patch; and the field to read back.
    fn patch(
        &self,
        index: usize,
        source: &IdSource,
        key: &str,
        id: i64,
        read: usize,
        filler: &mut Filler<'_>,
    ) -> Option<(Request, Map<String, Value>)> {
        let op = self.op(index);
        if !patch_body(op) {
            return None;
        }
        let types = &self.contract.types;
        let read_op = self.op(read);
        let props = resolve_ref(types, &read_op.response(read_op.success_status)?.schema)
            .get("properties")?
            .as_object()?;
        let (name, _) = props.iter().find(|(name, schema)| {
            let s = resolve_ref(types, schema);
            *name != key
                && plain_field(s)
                && s.get("type") == Some(&json!("string"))
                && s.get("format").is_none()
                && s.get("enum").is_none()
        })?;
        let value = json!(filler.words());
        let mut request = self.request(index, source, key, Some(id));
        let json_patch = matches!(
            op.example.request.as_ref().and_then(|r| r.body.as_ref()),
            Some(Value::Array(_)) | None
        );
        request.body = Some(if json_patch {
            json!([{"op": "replace", "path": format!("/{name}"), "value": value}])
        } else {
            json!({ name.as_str(): value })
        });
        let mut changed = Map::new();
        changed.insert(name.clone(), value);
        Some((request, changed))
    }
}
