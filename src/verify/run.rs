//! Running verify against a live server: for every selected operation, the cases of each
//! mode asked for (the documented sample; `--generate N`; `--negative`), then the entity
//! sequences (`--stateful`), concurrently within the bound on requests in flight. The run
//! goes in three phases so it never breaks its own reads: every operation but the deletes,
//! then the deletes (each on an id nothing else sends), then the sequences (on entities
//! they create). Results come back in a fixed order: by operation (sample, generate,
//! negative), then the sequences by entity.

use std::sync::Arc;

use tokio::sync::Semaphore;

use super::case::{Case, Expect, Mode, Request};
use super::generate::{Source, fresh_id, generated, is_id, not_made};
use super::group::{Checks, Sender, run_cases};
use super::judge::Judge;
use super::local::LocalCheck;
use super::negative::negative;
use super::sample::{base_request, sample_request};
use super::sequence::Sequence;
use super::stateful::{Plan, Test, plans};
use crate::client::http_client;
use crate::contract::validate::SchemaSet;
use crate::contract::{Contract, Operation};
use crate::entities::{EntityMap, Role};

pub(crate) use super::options::{VerifyOptions, selected};
pub(crate) use super::outcome::{OpResult, Outcome};

/// One unit of work: an operation in one mode, or an entity's sequence.
#[derive(Debug, Clone, Copy)]
enum Group {
    Operation { index: usize, mode: Mode },
    Sequence(usize, Test),
}

/// Whether operation `index` deletes: `DELETE`, a delete of the entity map, or an agent's
/// `Delete…`.
fn deletes(op: &Operation, map: &EntityMap, index: usize) -> bool {
    op.method == "DELETE"
        || matches!(map.role(index), Some((_, Role::Delete, _)))
        || op
            .path
            .rsplit('/')
            .next()
            .is_some_and(|last| last.starts_with("Delete"))
}

/// Verifies every selected operation in the modes `options` asks for; `on_result` sees
/// each result as it arrives. Results come back in a fixed order (see the module).
pub(crate) async fn run(
    contract: Arc<Contract>,
    options: Arc<VerifyOptions>,
    on_result: Arc<dyn Fn(&OpResult) + Send + Sync>,
) -> anyhow::Result<Vec<OpResult>> {
    let schemas = Arc::new(SchemaSet::new(&contract.types)?);
    let client = http_client()?;
    let limit = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let map = Arc::new(EntityMap::of(&contract));
    let chosen: Vec<bool> = contract
        .operations
        .iter()
        .map(|op| selected(&options, &op.operation_id))
        .collect();
    let plans: Arc<Vec<Plan>> = Arc::new(if options.stateful {
        plans(&contract, &map, &chosen)
    } else {
        Vec::new()
    });
    let groups = groups(&contract, &options, &map, &chosen, &plans);
    let mut results: Vec<Option<OpResult>> = vec![None; groups.len()];
    for phase in 0..3 {
        let mut tasks = tokio::task::JoinSet::new();
        for (slot, &(group_phase, group)) in groups.iter().enumerate() {
            if group_phase != phase {
                continue;
            }
            let (contract, schemas, client, options, limit, on_result, plans) = (
                contract.clone(),
                schemas.clone(),
                client.clone(),
                options.clone(),
                limit.clone(),
                on_result.clone(),
                plans.clone(),
            );
            tasks.spawn(async move {
                let sender = Sender {
                    client: &client,
                    options: &options,
                    limit: &limit,
                };
                let result = match group {
                    Group::Operation { index, mode } => {
                        let deleting = phase == 1;
                        run_operation(&contract, &schemas, &sender, index, mode, deleting).await
                    }
                    Group::Sequence(plan, test) => {
                        let sequence = Sequence {
                            contract: &contract,
                            schemas: &schemas,
                            options: &options,
                            sender: &sender,
                        };
                        sequence.run(&plans[plan], test).await
                    }
                };
                on_result(&result);
                (slot, result)
            });
        }
        while let Some(joined) = tasks.join_next().await {
            if let Ok((slot, result)) = joined {
                results[slot] = Some(result);
            }
        }
    }
    Ok(results
        .into_iter()
        .zip(&groups)
        .map(|(result, (_, group))| result.unwrap_or_else(|| lost(&contract, &plans, group)))
        .collect())
}

/// The groups of a run in report order, each with its phase: the modes of each chosen
/// operation (deletes in phase 1), then the sequences of `plans` (phase 2).
fn groups(
    contract: &Contract,
    options: &VerifyOptions,
    map: &EntityMap,
    chosen: &[bool],
    plans: &[Plan],
) -> Vec<(usize, Group)> {
    let mut modes = vec![Mode::Sample];
    if options.generate > 0 {
        modes.push(Mode::Generate);
    }
    if options.negative {
        modes.push(Mode::Negative);
    }
    let mut groups: Vec<(usize, Group)> = Vec::new();
    for (index, op) in contract.operations.iter().enumerate() {
        if !chosen[index] {
            continue;
        }
        let phase = usize::from(deletes(op, map, index));
        for &mode in &modes {
            groups.push((phase, Group::Operation { index, mode }));
        }
    }
    for (i, plan) in plans.iter().enumerate() {
        groups.extend(plan.tests().into_iter().map(|t| (2, Group::Sequence(i, t))));
    }
    groups
}

/// The result of a group whose check crashed.
fn lost(contract: &Contract, plans: &[Plan], group: &Group) -> OpResult {
    let (index, mode) = match group {
        Group::Operation { index, mode } => (*index, *mode),
        Group::Sequence(plan, test) => (plans[*plan].subject(*test), Mode::Stateful),
    };
    let mut lost = OpResult::start(&contract.operations[index], mode);
    lost.outcome = Outcome::Failed {
        reason: "the check itself crashed".into(),
        violations: Vec::new(),
    };
    lost
}

/// Puts ids of their own in the id parameters of a delete the values file does not give:
/// no other case reads them, so no read of this run (or the next) finds them deleted.
fn own_ids(request: &mut Request, op: &Operation, options: &VerifyOptions, label: &str) {
    let values = options.values.for_operation(op).unwrap_or_default();
    let given = |map: &std::collections::BTreeMap<String, serde_json::Value>, name: &str| {
        map.keys().any(|k| k.eq_ignore_ascii_case(name))
    };
    for param in &op.path_parameters {
        if is_id(param, true) && !given(&values.path, &param.name) {
            let id = fresh_id(options.seed, &op.operation_id, label, &param.name);
            if let Some(pair) = request.path.iter_mut().find(|(k, _)| k == &param.name) {
                pair.1 = id.to_string();
            }
        }
    }
    for param in &op.query_parameters {
        if is_id(param, false)
            && !given(&values.query, &param.name)
            && request.query_value(&param.name).is_some()
        {
            let id = fresh_id(options.seed, &op.operation_id, label, &param.name);
            request.set_query(&param.name, id.to_string());
        }
    }
}

/// The cases of operation `index` in `mode`, run.
async fn run_operation(
    contract: &Contract,
    schemas: &SchemaSet,
    sender: &Sender<'_>,
    index: usize,
    mode: Mode,
    deleting: bool,
) -> OpResult {
    let options = sender.options;
    let op = &contract.operations[index];
    let types = &contract.types;
    let values = options.values.for_operation(op);
    let judge = Judge::new(op, schemas, types, options);
    let local = LocalCheck::new(op, schemas, types);
    let checks = Checks {
        op,
        types,
        judge: &judge,
        local: &local,
    };
    let sample = sample_request(op, values.as_ref());
    let base = sample
        .clone()
        .unwrap_or_else(|| base_request(op, values.as_ref()));
    let source = Source {
        op,
        types,
        profile: &contract.profile,
        base: &base,
        values: values.as_ref(),
        seed: options.seed,
    };
    let mut result = OpResult::start(op, mode);
    if let (Mode::Generate | Mode::Negative, Some(reason)) = (mode, not_made(op)) {
        return OpResult::skipped(op, mode, &reason);
    }
    let cases = match mode {
        Mode::Sample => match sample {
            None => {
                return OpResult::skipped(op, mode, "the page documents no sample request");
            }
            Some(request) => vec![sample_case(request, op, options, deleting)],
        },
        Mode::Generate => {
            let mut cases = generated(&source, &local, options.generate, &mut result.dropped);
            if deleting {
                // The page's example URLs name ids other cases read.
                for case in &mut cases {
                    own_ids(&mut case.request, op, options, &case.label);
                }
            }
            cases
        }
        Mode::Negative => {
            let sample = sample.as_ref();
            negative_cases(contract, &source, &local, sample, &mut result.dropped)
        }
        Mode::Stateful => Vec::new(),
    };
    if cases.is_empty() {
        let reason = match mode {
            Mode::Negative => "nothing to break: no typed parameter, body field or required part",
            _ => "no request keeps the contract",
        };
        let mut skipped = OpResult::skipped(op, mode, reason);
        skipped.dropped = result.dropped;
        return skipped;
    }
    run_cases(sender, &checks, cases, result).await
}

/// The negative cases of `source`'s operation, broken from a request that keeps the
/// contract: a generated one, else the documented `sample` if it keeps it, else the
/// source's base request.
fn negative_cases(
    contract: &Contract,
    source: &Source<'_>,
    local: &LocalCheck<'_>,
    sample: Option<&Request>,
    dropped: &mut usize,
) -> Vec<Case> {
    let mut unused = 0;
    let valid = generated(source, local, 1, &mut unused)
        .into_iter()
        .next()
        .map(|c| c.request)
        .or_else(|| sample.cloned().filter(|s| local.keeps(s)))
        .unwrap_or(source.base.clone());
    negative(
        source.op,
        &contract.operations,
        source.types,
        &valid,
        local,
        dropped,
    )
}

/// The case of the documented sample `request` (with ids of its own when `deleting`).
fn sample_case(
    mut request: Request,
    op: &Operation,
    options: &VerifyOptions,
    deleting: bool,
) -> Case {
    if deleting {
        own_ids(&mut request, op, options, "sample");
    }
    Case {
        mode: Mode::Sample,
        label: "the documented sample".into(),
        request,
        expect: Expect::Success,
    }
}
