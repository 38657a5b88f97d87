//! Self-consistency: every documented sample body is validated against the schema the same
//! docs give it. Disagreements are docs warnings (the table wins), never build failures.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use super::infer::placeholders_as_objects;
use super::model::{Contract, Operation};
use super::validate::{SchemaSet, violations};

use crate::diag::Diagnostic;
use crate::docs::{Page, SampleBody};

/// How the samples fared.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub(crate) struct SampleStats {
    /// Sample bodies validated.
    pub checked: usize,
    /// Sample bodies valid against their schema.
    pub valid: usize,
}

impl SampleStats {
    /// Share of valid samples in percent (100 when none were checked).
    pub(crate) fn percent_valid(&self) -> f64 {
        if self.checked == 0 {
            100.0
        } else {
            self.valid as f64 * 100.0 / self.checked as f64
        }
    }
}

/// One sample body waiting to be validated.
struct Pending<'a> {
    page: &'a Page,
    body: &'a SampleBody,
    what: &'static str,
}

/// Validates every sample body of the contract against its own schema.
pub(super) fn check_samples(contract: &Contract, pages: &[Page]) -> (SampleStats, Vec<Diagnostic>) {
    let schemas = match SchemaSet::new(&contract.types) {
        Ok(s) => s,
        Err(err) => {
            let diag = Diagnostic::error("<contract>", 1, "schema-set", err.to_string());
            return (SampleStats::default(), vec![diag]);
        }
    };
    let by_id: BTreeMap<&str, &Page> = pages.iter().map(|p| (p.operation_id.as_str(), p)).collect();
    let mut diags = Vec::new();
    // Many samples share one schema (a `$ref` to the same named type): group them so each
    // distinct schema is compiled once, used, and dropped.
    let mut groups: BTreeMap<String, (&Value, Vec<Pending>)> = BTreeMap::new();
    for op in &contract.operations {
        let Some(page) = by_id.get(op.operation_id.as_str()) else {
            continue;
        };
        for (schema, pending) in pending_samples(op, page, &mut diags) {
            groups
                .entry(schema.to_string())
                .or_insert((schema, Vec::new()))
                .1
                .push(pending);
        }
    }
    let results: Vec<(SampleStats, Vec<Diagnostic>)> = groups
        .into_par_iter()
        .map(|(_, (schema, pending))| check_group(&schemas, schema, &pending))
        .collect();
    let mut stats = SampleStats::default();
    for (s, d) in results {
        stats.checked += s.checked;
        stats.valid += s.valid;
        diags.extend(d);
    }
    (stats, diags)
}

/// The sample bodies of one operation with the schema each must satisfy.
fn pending_samples<'a>(
    op: &'a Operation,
    page: &'a Page,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(&'a Value, Pending<'a>)> {
    let mut out = Vec::new();
    let request = page.sample_request.as_ref().and_then(|s| s.body.as_ref());
    if let (Some(body), Some(spec)) = (request, &op.request_body) {
        out.push((
            &spec.schema,
            Pending {
                page,
                body,
                what: "sample request body",
            },
        ));
    }
    if let Some(sample) = &page.sample_response {
        let documented = op.response(sample.status);
        if documented.is_none() {
            diags.push(Diagnostic::warning(
                &page.file,
                sample.line,
                "sample-status-undocumented",
                format!(
                    "sample response status {} is not in the status table",
                    sample.status
                ),
            ));
        }
        let schema = documented
            .or_else(|| op.response(op.success_status))
            .map(|r| &r.schema);
        if let (Some(body), Some(schema)) = (&sample.body, schema) {
            out.push((
                schema,
                Pending {
                    page,
                    body,
                    what: "sample response body",
                },
            ));
        }
    }
    out
}

fn check_group(
    schemas: &SchemaSet,
    schema: &Value,
    pending: &[Pending],
) -> (SampleStats, Vec<Diagnostic>) {
    let mut stats = SampleStats::default();
    let mut diags = Vec::new();
    let validator = match schemas.compile(schema) {
        Ok(v) => v,
        Err(err) => {
            for p in pending {
                diags.push(Diagnostic::error(
                    &p.page.file,
                    p.body.line,
                    "schema-compile",
                    err.to_string(),
                ));
            }
            return (stats, diags);
        }
    };
    for p in pending {
        let Some(value) = &p.body.json else { continue };
        stats.checked += 1;
        let value = placeholders_as_objects(value);
        let found = violations(&validator, &value, "body");
        if found.is_empty() {
            stats.valid += 1;
            continue;
        }
        for v in found {
            let line = line_of_pointer(p.body, &v.pointer);
            diags.push(
                Diagnostic::warning(
                    &p.page.file,
                    line,
                    "sample-mismatch",
                    format!(
                        "{} contradicts its schema: expected a value {}; found {}",
                        p.what, v.expected, v.found
                    ),
                )
                .at_pointer(v.pointer),
            );
        }
    }
    (stats, diags)
}

/// Best-effort line of the value a pointer names: the first line quoting its last key.
fn line_of_pointer(body: &SampleBody, pointer: &str) -> usize {
    let Some(key) = pointer
        .rsplit('/')
        .next()
        .filter(|k| !k.is_empty() && k.parse::<usize>().is_err())
    else {
        return body.line;
    };
    let needle = format!("\"{key}\"");
    body.text
        .lines()
        .position(|l| l.contains(&needle))
        .map_or(body.line, |i| body.line + i)
}
