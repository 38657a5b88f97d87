//! `verify --stateful`: tests per entity of the contract's entity map (`mockdown routes
//! --entities`), each its own short sequence so one broken operation does not hide the
//! others: every save that creates saves a changed sample as a new entity and every read
//! reads it back; every save updates an entity just created, every patch patches one, and
//! the first read reads each change back; every delete deletes one, and every read then
//! answers what the page documents for a missing entity. Ids come from the answers; a test
//! stops at its first failure and names the operations that step depends on.

use std::time::Instant;

use serde_json::{Map, Value, json};

use super::case::{Expect, Mode, Request};
use super::curl::curl;
use super::fill::Filler;
use super::generate::{fresh_id, patch_body, plain_field, stable_hash};
use super::outcome::{OpResult, Outcome};
use super::sequence::{Sequence, Step, Stop};
use crate::contract::Contract;
use crate::contract::types::resolve_ref;
use crate::entities::{EntityMap, IdSource, Role};

/// The operations of one entity the tests use, by index into the contract's operations.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// The entity's name.
    pub(crate) entity: String,
    /// Its primary key property.
    key: String,
    /// The save that creates for the other tests (a body id 0 where it takes one; else an
    /// id of our own).
    create: (usize, IdSource),
    saves: Vec<(usize, IdSource)>,
    reads: Vec<(usize, IdSource)>,
    patches: Vec<(usize, IdSource)>,
    deletes: Vec<(usize, IdSource)>,
}

/// One stateful test of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Test {
    /// Save `i` creates (id 0 in the body); every read reads it back.
    Create(usize),
    /// Save `i` updates an entity just created; the first read reads the change back.
    Update(usize),
    /// Patch `i` changes an entity just created; the first read reads the change back.
    Patch(usize),
    /// Delete `i` deletes an entity just created; every read reads it as missing.
    Delete(usize),
}

impl Plan {
    /// The tests of this plan, in order.
    pub(crate) fn tests(&self) -> Vec<Test> {
        let mut tests: Vec<Test> = self
            .saves
            .iter()
            .enumerate()
            .filter(|(_, (_, source))| *source == IdSource::Body)
            .map(|(i, _)| Test::Create(i))
            .collect();
        tests.extend((0..self.saves.len()).map(Test::Update));
        tests.extend((0..self.patches.len()).map(Test::Patch));
        tests.extend((0..self.deletes.len()).map(Test::Delete));
        tests
    }

    /// The operation a test is about.
    pub(crate) fn subject(&self, test: Test) -> usize {
        match test {
            Test::Create(i) | Test::Update(i) => self.saves[i].0,
            Test::Patch(i) => self.patches[i].0,
            Test::Delete(i) => self.deletes[i].0,
        }
    }
}

/// The plans of the entities of the `chosen` operations (by index; those with a save and a
/// read).
pub(crate) fn plans(contract: &Contract, map: &EntityMap, chosen: &[bool]) -> Vec<Plan> {
    let mut plans = Vec::new();
    for (e, entity) in map.entities.iter().enumerate() {
        let of = |role: Role| -> Vec<(usize, IdSource)> {
            (0..contract.operations.len())
                .filter(|i| chosen.get(*i).copied().unwrap_or(false))
                .filter_map(|i| match map.role(i) {
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
            saves,
            create,
            reads,
            patches: of(Role::Patch),
            deletes: of(Role::Delete),
        });
    }
    plans
}

impl Sequence<'_> {
    /// Creates an entity with save `save`: its id and the fields to read back.
    async fn create_with(
        &self,
        plan: &Plan,
        save: &(usize, IdSource),
        filler: &mut Filler<'_>,
        done: &mut Vec<Step>,
        result: &mut OpResult,
    ) -> Result<(i64, Map<String, Value>), Stop> {
        let (index, source) = save;
        let own = fresh_id(
            self.options.seed,
            &plan.entity,
            &done.len().to_string(),
            "own",
        );
        let mut request = match source {
            IdSource::Body => self.request(*index, source, &plan.key, Some(0)),
            _ => self.request(*index, source, &plan.key, Some(own)),
        };
        let fields = self.change(&mut request, *index, &plan.key, filler);
        let label = format!("save a new {}", plan.entity);
        let step = self.step(
            *index,
            label.clone(),
            request,
            Expect::Success,
            vec![*index],
        )?;
        let answer = self.send(&step, done, result).await?;
        let answered = answer.as_ref().and_then(|a| a.get(&plan.key));
        let id = match source {
            IdSource::Body => answered.and_then(Value::as_i64),
            _ => Some(own),
        };
        done.push(step);
        match id {
            Some(id) if id > 0 => Ok((id, fields)),
            _ => {
                let op = self.op(*index);
                let mut failing = result.clone();
                failing.operation_id = op.operation_id.clone();
                failing.source = op.source.clone();
                failing.failed_cases += 1;
                failing.case = Some(label);
                failing.curl = done.last().map(|s| curl(&s.case.request, self.options));
                failing.operations = vec![op.operation_id.clone()];
                failing.outcome = Outcome::Failed {
                    reason: format!(
                        "the save answered no new {} (a positive integer): {}",
                        plan.key,
                        answered.map_or("nothing".into(), Value::to_string)
                    ),
                    violations: Vec::new(),
                };
                Err(Stop::Failed(Box::new(failing)))
            }
        }
    }

    /// Reads entity `id` back with `read`: `fields` (sent by `by`) must be there.
    #[allow(clippy::too_many_arguments)]
    async fn read_back(
        &self,
        plan: &Plan,
        id: i64,
        fields: &Map<String, Value>,
        by: usize,
        read: &(usize, IdSource),
        label: &str,
        done: &mut Vec<Step>,
        result: &mut OpResult,
    ) -> Result<(), Stop> {
        let (index, source) = read;
        let request = self.request(*index, source, &plan.key, Some(id));
        let expect = Expect::ReadBack {
            fields: self.readable(*index, fields),
            key: plan.key.clone(),
            id: json!(id),
        };
        let label = format!("read after {label}");
        let step = self.step(*index, label, request, expect, vec![by, *index])?;
        self.send(&step, done, result).await?;
        done.push(step);
        Ok(())
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

    /// Runs test `test` of `plan`.
    pub(crate) async fn run(&self, plan: &Plan, test: Test) -> OpResult {
        let started = Instant::now();
        let subject = self.op(plan.subject(test));
        let mut result = OpResult::start(subject, Mode::Stateful);
        let what = match test {
            Test::Create(_) => "create",
            Test::Update(_) => "update",
            Test::Patch(_) => "patch",
            Test::Delete(_) => "delete",
        };
        result.sequence = Some(format!(
            "{} {what} via {}",
            plan.entity, subject.operation_id
        ));
        let mut involved = vec![plan.create.0, plan.subject(test)];
        involved.extend(plan.reads.iter().map(|(i, _)| *i));
        involved.dedup();
        result.operations = involved
            .iter()
            .map(|&i| self.op(i).operation_id.clone())
            .collect();
        let mut done = Vec::new();
        let outcome = self.test(plan, test, &mut done, &mut result).await;
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

    async fn test(
        &self,
        plan: &Plan,
        test: Test,
        done: &mut Vec<Step>,
        result: &mut OpResult,
    ) -> Result<(), Stop> {
        let seed = stable_hash(&[
            &self.options.seed.to_string(),
            &plan.entity,
            &format!("{test:?}"),
        ]);
        let mut filler = Filler::new(&self.contract.types, seed);
        let first_read = &plan.reads[0];
        match test {
            Test::Create(i) => {
                let save = &plan.saves[i];
                let (id, fields) = self
                    .create_with(plan, save, &mut filler, done, result)
                    .await?;
                for read in &plan.reads {
                    self.read_back(plan, id, &fields, save.0, read, "save", done, result)
                        .await?;
                }
            }
            Test::Update(i) => {
                let (id, _) = self
                    .create_with(plan, &plan.create, &mut filler, done, result)
                    .await?;
                let (update, source) = &plan.saves[i];
                let mut request = self.request(*update, source, &plan.key, Some(id));
                let changed = self.change(&mut request, *update, &plan.key, &mut filler);
                self.act(*update, "update", request, done, result).await?;
                self.read_back(
                    plan, id, &changed, *update, first_read, "update", done, result,
                )
                .await?;
            }
            Test::Patch(i) => {
                let (id, _) = self
                    .create_with(plan, &plan.create, &mut filler, done, result)
                    .await?;
                let (patch, source) = &plan.patches[i];
                let Some((request, changed)) =
                    self.patch(*patch, source, &plan.key, id, first_read.0, &mut filler)
                else {
                    return Err(Stop::Skipped(format!(
                        "{} takes no patch document, or its entity has no plain text field",
                        self.op(*patch).operation_id
                    )));
                };
                self.act(*patch, "patch", request, done, result).await?;
                self.read_back(
                    plan, id, &changed, *patch, first_read, "patch", done, result,
                )
                .await?;
            }
            Test::Delete(i) => {
                let (id, _) = self
                    .create_with(plan, &plan.create, &mut filler, done, result)
                    .await?;
                let (delete, source) = &plan.deletes[i];
                let request = self.request(*delete, source, &plan.key, Some(id));
                self.act(*delete, "delete", request, done, result).await?;
                for (read, source) in &plan.reads {
                    let request = self.request(*read, source, &plan.key, Some(id));
                    let label = "read after delete".to_string();
                    let involved = vec![*delete, *read];
                    let step = self.step(*read, label, request, Expect::Gone, involved)?;
                    self.send(&step, done, result).await?;
                    done.push(step);
                }
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
