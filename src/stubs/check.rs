//! Holding a stub's answer to the contract: the operations its match can reach, and for
//! them a documented status and a body valid against that status's schema.

use bytes::Bytes;
use serde::Serialize;

use super::{Stub, StubError};
use crate::contract::Operation;
use crate::contract::validate::{SchemaSet, Violation};
use crate::router::{RouteMatch, Router};
use crate::validate::{Answer, check_answer};

/// Why a stub was refused.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StubRefusal {
    /// What is wrong, in a sentence.
    pub message: String,
    /// Every violation (pointer, expected, found).
    pub violations: Vec<Violation>,
}

impl StubRefusal {
    /// The message and every violation, in one line (for logs and start-up errors).
    pub(crate) fn reason(&self) -> String {
        let listed: Vec<String> = self.violations.iter().map(Violation::to_string).collect();
        if listed.is_empty() {
            self.message.clone()
        } else {
            format!("{} ({})", self.message, listed.join("; "))
        }
    }
}

/// The operations (indices) a stub's match can reach: a documented template, or a path the
/// router routes. A glob or a missing path reaches what the contract cannot say.
pub(crate) fn reachable(stub: &Stub, router: &Router) -> Result<Vec<usize>, StubError> {
    let method = stub.matcher.method.as_deref();
    let Some(path) = stub.matcher.path.as_deref() else {
        return Err(StubError::NoPath);
    };
    if path.contains(['*', '?']) {
        return Err(StubError::Glob(path.to_string()));
    }
    let same_template = |template: &str| {
        let a: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
        let b: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        a.len() == b.len()
            && a.iter().zip(&b).all(|(x, y)| {
                let param = |s: &str| s.starts_with('{') && s.ends_with('}');
                (param(x) && param(y)) || x.eq_ignore_ascii_case(y)
            })
    };
    let mut found: Vec<usize> = router
        .list()
        .into_iter()
        .filter(|(m, template, _)| method.is_none_or(|want| want == *m) && same_template(template))
        .map(|(_, _, index)| index)
        .collect();
    if found.is_empty() && !path.contains('{') {
        let methods = match method {
            Some(m) => vec![m.to_string()],
            None => ["GET", "POST", "PUT", "PATCH", "DELETE"]
                .map(String::from)
                .to_vec(),
        };
        for m in methods {
            if let RouteMatch::Found { operation, .. } = router.find(&m, path) {
                found.push(operation);
            }
        }
    }
    if found.is_empty() {
        return Err(StubError::Unreachable {
            method: method.unwrap_or("any method").to_string(),
            path: path.to_string(),
        });
    }
    Ok(found)
}

/// Holds `stub`'s answer to the operations it reaches (`operations`): it must keep the
/// contract of at least one of them (documented status, documented Content-Type, a body
/// valid for that status). The violations against the closest one otherwise.
pub(crate) fn check_stub(
    stub: &Stub,
    operations: &[&Operation],
    schemas: &SchemaSet,
) -> Result<(), StubRefusal> {
    let response = &stub.response;
    let content_type = response
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.clone())
        .or_else(|| {
            response
                .body
                .is_some()
                .then(|| "application/json".to_string())
        });
    let body = response
        .body
        .as_ref()
        .map(|b| Bytes::from(b.to_string()))
        .unwrap_or_default();
    let answer = Answer {
        status: response.status,
        content_type,
        body,
    };
    let mut best: Option<(&Operation, Vec<Violation>)> = None;
    for op in operations {
        let found = check_answer(op, schemas, &answer);
        if found.is_empty() {
            return Ok(());
        }
        if best.as_ref().is_none_or(|(_, b)| found.len() < b.len()) {
            best = Some((op, found));
        }
    }
    let (op, violations) = best.unwrap_or_else(|| {
        // No operation reached: `reachable` refuses those first.
        (operations[0], Vec::new())
    });
    Err(StubRefusal {
        message: format!(
            "the stub's answer breaks the contract of {} ({} {}) in {} place(s); add \"unchecked\": true to serve it anyway",
            op.operation_id,
            op.method,
            op.path,
            violations.len()
        ),
        violations,
    })
}
