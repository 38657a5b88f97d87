//! The contract's own judgement of a request before verify sends it: a generated case must
//! keep the contract (one that does not is the generator's fault: it is dropped and
//! counted, never sent as if valid), and a negative case must break it (one that does not
//! tests nothing: dropped too). The same checks the mock runs on what it receives.

use std::collections::BTreeMap;

use serde_json::Value;

use super::case::Request;
use crate::contract::Operation;
use crate::contract::validate::{SchemaSet, Violation};
use crate::validate::{BodyLimits, BodyRules, RequestCheck};

/// The contract's judgement only: no field or CPU limit stands in for it.
const CONTRACT_ONLY: BodyRules = BodyRules {
    strict: false,
    limits: BodyLimits {
        max_fields: usize::MAX,
        cpu: std::time::Duration::from_secs(60),
    },
};

/// The compiled request checks of one operation.
pub(crate) struct LocalCheck<'a> {
    op: &'a Operation,
    schemas: &'a SchemaSet,
    types: &'a BTreeMap<String, Value>,
    check: RequestCheck,
}

impl<'a> LocalCheck<'a> {
    /// Compiles the checks of `op`.
    pub(crate) fn new(
        op: &'a Operation,
        schemas: &'a SchemaSet,
        types: &'a BTreeMap<String, Value>,
    ) -> Self {
        Self {
            op,
            schemas,
            types,
            check: RequestCheck::compile(schemas, types, op),
        }
    }

    /// Every way `request` breaks the contract of the operation (empty when it keeps it).
    pub(crate) fn violations(&self, request: &Request) -> Vec<Violation> {
        let mut found = self.check.params(&request.path, &request.query).list;
        let body = request
            .body
            .as_ref()
            .map(|b| b.to_string().into_bytes())
            .unwrap_or_default();
        if let Err(rejection) = self.check.body(
            self.op,
            self.schemas,
            self.types,
            Some(request.content_type()),
            &body,
            &CONTRACT_ONLY,
        ) {
            found.extend(rejection.into_violations());
        }
        found
    }

    /// Whether `request` keeps the contract.
    pub(crate) fn keeps(&self, request: &Request) -> bool {
        self.violations(request).is_empty()
    }
}
