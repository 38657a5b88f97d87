//! What every request of the mock shares: the router, the schema registry, the faker, the
//! operations prepared on first use, the config and the journal.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use hyper::header::HeaderValue;
use serde_json::Value;

use super::MockConfig;
use super::encode::{Cors, operation_header};
use crate::contract::validate::SchemaSet;
use crate::contract::{Contract, Operation};
use crate::entities::EntityMap;
use crate::explorer::Explorer;
use crate::faults::Chaos;
use crate::generate::{self, Faker, Plan};
use crate::http::{AdminView, Journal, PreparedSet};
use crate::metrics::Metrics;
use crate::router::Router;
use crate::state::StateStore;
use crate::stubs::{StubBook, StubRefusal, check_stub, reachable};
use crate::validate::{EchoCheck, RequestCheck};

/// What an operation needs at request time.
pub(crate) struct Prepared {
    /// The operation.
    pub(crate) op: Operation,
    /// Its parameter and body checks.
    pub(crate) check: RequestCheck,
    /// Its generation plans, by status.
    pub(crate) plans: BTreeMap<u16, Plan>,
    /// What each planned status may echo of the fields sent.
    pub(crate) echo: BTreeMap<u16, EchoCheck>,
    /// The documented sample response body as compact JSON (`Prefer: example=true`).
    pub(crate) example: Option<Bytes>,
    /// The `X-Mockdown-Operation` value of its answers.
    pub(crate) operation_header: HeaderValue,
    /// The validator of its success answer, compiled when the stateful mock first stores
    /// one (`None` inside when the schema does not compile).
    pub(crate) answer_check: OnceLock<Option<mockdown_schema::Validator>>,
}

impl Prepared {
    /// How `value`, answered with `status`, breaks the operation's contract: the first
    /// violations and how many more (the success status's validator is compiled once; other
    /// statuses are not stored).
    pub(crate) fn answer_violations(
        &self,
        schemas: &SchemaSet,
        status: u16,
        value: &Value,
    ) -> crate::validate::Capped {
        if status != self.op.success_status {
            return crate::validate::Capped::default();
        }
        let validator = self.answer_check.get_or_init(|| {
            let schema = &self.op.response(status)?.schema;
            schemas.compile(schema).ok()
        });
        match validator {
            Some(validator) => crate::validate::capped(validator, value, "body"),
            None => crate::validate::Capped::default(),
        }
    }
}

/// What outlives a reload of the docs (`--watch`): saved state, stubs, journal, metrics.
#[derive(Clone)]
pub(crate) struct Lasting {
    /// Saved entities (and the stubs) live here.
    pub(crate) store: Arc<dyn StateStore>,
    /// The stubs answered before anything else.
    pub(crate) stubs: Arc<StubBook>,
    /// The requests answered.
    pub(crate) journal: Arc<Journal>,
    /// Requests, violations and latency, for `/__mockdown/metrics`.
    pub(crate) metrics: Arc<Metrics>,
}

/// Everything a request handler needs, shared by all connections; one per build of the
/// docs (a reload builds a new one and swaps it in, with the same [`Lasting`] parts).
pub(crate) struct MockState {
    /// Each operation as compact JSON, prepared on its first request (memory follows use).
    pub(crate) operations: PreparedSet<Prepared>,
    pub(crate) router: Router,
    pub(crate) schemas: SchemaSet,
    pub(crate) types: Arc<BTreeMap<String, Value>>,
    pub(crate) faker: Faker,
    pub(crate) config: MockConfig,
    pub(crate) journal: Arc<Journal>,
    /// The CORS headers of every answer.
    pub(crate) cors: Cors,
    /// Large bodies checked at once.
    pub(crate) heavy: crate::http::Heavy,
    /// How request bodies are judged (`--strict`) and what one may cost (`--max-fields`,
    /// `--body-cpu-ms`).
    pub(crate) body_rules: crate::validate::BodyRules,
    /// Which operations save, read, patch and delete which entity.
    pub(crate) entities: EntityMap,
    /// The API's facts: the error shape, the auth schemes, the slow threshold.
    pub(crate) profile: Arc<crate::contract::profile::ApiProfile>,
    /// Saved entities (and the stubs) live here.
    pub(crate) store: Arc<dyn StateStore>,
    /// The stubs answered before anything else.
    pub(crate) stubs: Arc<StubBook>,
    /// The explorer page and its documents (`/__mockdown/`).
    pub(crate) explorer: Explorer,
    /// Which requests get a random fault.
    pub(crate) chaos: Chaos,
    /// Requests, violations and latency, for `/__mockdown/metrics`.
    pub(crate) metrics: Arc<Metrics>,
    /// Each operation's id as the metrics label it, by index.
    pub(crate) labels: Vec<Arc<str>>,
}

impl MockState {
    /// Prepares the state: router and named-type registry; each operation is parsed and its
    /// checks and generation plans compiled on its first request, so start-up stays fast.
    pub(crate) fn new(
        mut contract: Contract,
        config: MockConfig,
        lasting: &Lasting,
        explorer: Explorer,
    ) -> anyhow::Result<Self> {
        let router = Router::new(&contract.operations);
        let entities = if config.stateful {
            EntityMap::of(&contract)
        } else {
            EntityMap::default()
        };
        let types = Arc::new(std::mem::take(&mut contract.types));
        let operations = std::mem::take(&mut contract.operations);
        let profile = Arc::new(std::mem::take(&mut contract.profile));
        // Three independent pieces of start-up work, side by side: the schema registry,
        // the faker's value pools, and each operation stored as text (and dropped).
        let ((schemas, faker), operations) = rayon::join(
            || {
                rayon::join(
                    || SchemaSet::new(&types),
                    || {
                        Faker::new(types.clone(), config.seed)
                            .with_error_shape(profile.error_shape.value.clone())
                    },
                )
            },
            || {
                use rayon::prelude::*;
                operations
                    .into_par_iter()
                    .map(|op| Ok((op.operation_id.clone(), serde_json::to_string(&op)?)))
                    .collect::<anyhow::Result<Vec<_>>>()
            },
        );
        let (schemas, operations) = (schemas?, operations?);
        let labels = operations
            .iter()
            .map(|(id, _)| Arc::from(id.as_str()))
            .collect();
        let operations = PreparedSet::new(operations, config.prepared_budget);
        let cors = Cors::new(&config.cors_origin);
        Ok(Self {
            chaos: Chaos::new(config.fault_rate, &config.faults),
            metrics: lasting.metrics.clone(),
            labels,
            heavy: crate::http::Heavy::new(config.max_body_bytes),
            body_rules: crate::validate::BodyRules {
                strict: config.strict,
                limits: crate::validate::BodyLimits {
                    max_fields: config.limits.max_fields,
                    cpu: config.limits.body_cpu,
                },
            },
            explorer,
            cors,
            operations,
            router,
            schemas,
            types,
            faker,
            config,
            journal: lasting.journal.clone(),
            entities,
            profile,
            store: lasting.store.clone(),
            stubs: lasting.stubs.clone(),
        })
    }

    /// Operation `index`, prepared if it is not held.
    pub(crate) fn prepared(&self, index: usize) -> Arc<Prepared> {
        self.operations.get(index, |text| {
            // The text was written from an Operation at start-up; it reads back.
            let mut op: Operation = serde_json::from_str(text).unwrap_or_default();
            let example = op
                .example
                .response
                .as_mut()
                .and_then(|r| r.body.take())
                .map(|b| Bytes::from(serde_json::to_vec(&b).unwrap_or_default()));
            op.example.request = None;
            let plans = generate::plans(&op, &self.faker);
            let echo = plans
                .keys()
                .filter_map(|&status| {
                    let schema = &op.response(status)?.schema;
                    let request = op.request_body.as_ref().map(|b| &b.schema);
                    Some((status, EchoCheck::compile(schema, request, &self.types)))
                })
                .collect();
            Prepared {
                operation_header: operation_header(&op.operation_id),
                check: RequestCheck::compile(&self.schemas, &self.types, &op),
                plans,
                echo,
                example,
                op,
                answer_check: OnceLock::new(),
            }
        })
    }

    /// Holds a stub's answer to the operations it reaches (unless it says `unchecked`).
    pub(crate) fn check_stub(&self, stub: &crate::stubs::Stub) -> Result<(), StubRefusal> {
        if stub.unchecked {
            return Ok(());
        }
        let indices = reachable(stub, &self.router).map_err(|message| StubRefusal {
            message: format!("{message}; add \"unchecked\": true to serve it anyway"),
            violations: Vec::new(),
        })?;
        let prepared: Vec<Arc<Prepared>> = indices.iter().map(|&i| self.prepared(i)).collect();
        let operations: Vec<&Operation> = prepared.iter().map(|p| &p.op).collect();
        check_stub(stub, &operations, &self.schemas)
    }

    /// What the admin routes look at.
    pub(crate) fn admin_view(&self) -> AdminView<'_, Prepared> {
        AdminView {
            router: &self.router,
            operations: &self.operations,
            journal: &self.journal,
            config: &self.config.admin,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_stored_answer_is_judged_with_the_capped_validator() {
        let mut op = Operation {
            operation_id: "v1Thing_SaveThing".into(),
            success_status: 200,
            ..Operation::default()
        };
        op.responses.insert(
            "200".into(),
            crate::contract::Response {
                description: String::new(),
                schema: json!({"type": "object", "properties": {
                    "Ids": {"type": "array", "items": {"type": "integer"}}}}),
            },
        );
        let types = BTreeMap::new();
        let schemas = SchemaSet::new(&types).expect("no types");
        let prepared = Prepared {
            operation_header: operation_header(&op.operation_id),
            check: RequestCheck::compile(&schemas, &types, &op),
            plans: BTreeMap::new(),
            echo: BTreeMap::new(),
            example: None,
            op,
            answer_check: OnceLock::new(),
        };
        let ids: Vec<Value> = (0..150).map(|i| json!(format!("id{i}"))).collect();
        let found = prepared.answer_violations(&schemas, 200, &json!({ "Ids": ids }));
        assert_eq!(found.list.len(), crate::validate::MAX_VIOLATIONS);
        assert_eq!(found.omitted, 50);
        assert_eq!(found.total(), 150);
        // Other statuses are not stored, so not judged.
        assert_eq!(
            prepared.answer_violations(&schemas, 404, &json!(1)).total(),
            0
        );
    }
}
