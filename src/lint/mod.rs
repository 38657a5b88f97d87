//! Docs lint (`mockdown check`): what the people who write the pages should fix. Works on a
//! finished [`Build`] (the page model never comes back): everything the build noticed
//! (unparseable parts, samples that contradict their own tables, duplicate operationIds),
//! plus findings across pages: property tables that disagree about one named type, sample
//! statuses and Content-Types that the page's own tables do not list, missing samples,
//! named types nobody describes, and sample fields no table documents.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::contract::types::ref_target;
use crate::contract::{Build, Contract, Operation, media::media_type};
use crate::diag::{Diagnostic, Severity};

/// All findings about a docs set, sorted by file and line.
pub(crate) fn lint(build: &Build) -> Vec<Diagnostic> {
    let mut findings = build.diagnostics.clone();
    findings.extend(build.rejected.iter().cloned());
    for op in &build.contract.operations {
        operation_findings(op, &mut findings);
    }
    type_findings(build, &mut findings);
    findings.sort();
    findings.dedup();
    findings
}

/// Notes about a docs set (nothing to fix): the enums the pages list in full.
pub(crate) fn notes(build: &Build) -> Vec<Diagnostic> {
    build.notes.clone()
}

/// Counts of errors and warnings.
pub(crate) fn counts(findings: &[Diagnostic]) -> (usize, usize) {
    let errors = findings
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = findings
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    (errors, warnings)
}

/// `file:line` of an operation's source, split.
fn location(source: &str) -> (&str, usize) {
    match source.rsplit_once(':') {
        Some((file, line)) => (file, line.parse().unwrap_or(1)),
        None => (source, 1),
    }
}

fn operation_findings(op: &Operation, findings: &mut Vec<Diagnostic>) {
    let (file, line) = location(&op.source);
    if op.example.request.is_none() {
        findings.push(Diagnostic::warning(
            file,
            line,
            "missing-sample-request",
            format!("{} has no sample request (`## Sample request` with an `http!` block); verify skips it", op.operation_id),
        ));
    }
    let Some(sample) = &op.example.response else {
        findings.push(Diagnostic::warning(
            file,
            line,
            "missing-sample-response",
            format!(
                "{} has no sample response (`## Sample response` with an `http_` block)",
                op.operation_id
            ),
        ));
        return;
    };
    if op.response(sample.status).is_none() {
        let listed: Vec<String> = op.statuses().iter().map(u16::to_string).collect();
        findings.push(Diagnostic::error(
            file,
            line,
            "undocumented-sample-status",
            format!(
                "the sample response answers {} but the status table lists only {}",
                sample.status,
                listed.join(", ")
            ),
        ));
    }
    let sample_type = sample
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| media_type(v));
    let accepted: Vec<String> = op.accept.iter().map(|a| media_type(a)).collect();
    if let Some(sample_type) = sample_type
        && !accepted.is_empty()
        && !accepted.contains(&sample_type)
    {
        findings.push(Diagnostic::warning(
            file,
            line,
            "undocumented-sample-content-type",
            format!(
                "the sample response is `{sample_type}` but the Accept row lists only {}",
                accepted.join(", ")
            ),
        ));
    }
}

/// Named types reachable from `schema` through `$ref`s (transitively through `types`).
fn reachable<'a>(
    schema: &'a Value,
    types: &'a BTreeMap<String, Value>,
    seen: &mut BTreeSet<&'a str>,
) {
    match schema {
        Value::Object(map) => {
            if let Some(target) = map.get("$ref").and_then(Value::as_str).and_then(ref_target)
                && let Some((name, resolved)) = types.get_key_value(target)
                && seen.insert(name.as_str())
            {
                reachable(resolved, types, seen);
            }
            for value in map.values() {
                reachable(value, types, seen);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| reachable(v, types, seen)),
        _ => {}
    }
}

fn type_findings(build: &Build, findings: &mut Vec<Diagnostic>) {
    let first_use = first_use(&build.contract);
    conflict_findings(build, findings);
    for (name, schema) in &build.contract.types {
        if let Some(source) = first_use.get(name.as_str())
            && let Some(finding) = type_finding(build, name, schema, source)
        {
            findings.push(finding);
        }
    }
}

/// The first operation (in page order) that uses each named type: where to point.
fn first_use(contract: &Contract) -> BTreeMap<&str, &str> {
    let mut first_use: BTreeMap<&str, &str> = BTreeMap::new();
    for op in &contract.operations {
        let mut seen = BTreeSet::new();
        if let Some(body) = &op.request_body {
            reachable(&body.schema, &contract.types, &mut seen);
        }
        for response in op.responses.values() {
            reachable(&response.schema, &contract.types, &mut seen);
        }
        for name in seen {
            first_use.entry(name).or_insert(op.source.as_str());
        }
    }
    first_use
}

/// A warning for each table that types a property otherwise than the contract does.
fn conflict_findings(build: &Build, findings: &mut Vec<Diagnostic>) {
    for conflict in &build.conflicts {
        // The cell the contract follows: most tables, first seen on a tie.
        let Some((common, count)) =
            conflict
                .seen
                .iter()
                .fold(None::<&(String, usize)>, |best, e| match best {
                    Some(b) if b.1 >= e.1 => Some(b),
                    _ => Some(e),
                })
        else {
            continue;
        };
        for ((cell, n), source) in conflict.seen.iter().zip(&conflict.sources) {
            if cell == common {
                continue;
            }
            let (file, line) = location(source);
            findings.push(Diagnostic::warning(
                file,
                line,
                "type-conflict",
                format!(
                    "`{}.{}` is typed `{cell}` here ({n} table(s) in all) but `{common}` in {count}; the contract follows `{common}`",
                    conflict.type_name, conflict.property
                ),
            ));
        }
    }
}

/// What is wrong with named type `name`, first used in `source`: an object nothing
/// describes, or sample fields no table lists.
fn type_finding(build: &Build, name: &str, schema: &Value, source: &str) -> Option<Diagnostic> {
    let (file, line) = location(source);
    let properties = schema.get("properties").and_then(Value::as_object);
    let is_object = match schema.get("type") {
        Some(Value::String(t)) => t == "object",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "object"),
        _ => false,
    };
    if is_object && properties.is_none_or(|p| p.is_empty()) {
        // Point at the first row that types a property with it, when a table does.
        let (file, line) = build
            .type_rows
            .get(name)
            .map_or((file, line), |row| location(row));
        return Some(Diagnostic::warning(
            file,
            line,
            "unknown-type",
            format!(
                "`{name}` is used here, but no property table or sample anywhere says what it holds; the contract admits any object for it"
            ),
        ));
    }
    let properties = properties?;
    let from = |p: &Value, origin: &str| {
        p.get("x-mockdown-from")
            .and_then(Value::as_array)
            .is_some_and(|o| o.iter().any(|s| s == origin))
    };
    let tabled = properties.values().any(|p| from(p, "table"));
    let sample_only: Vec<&str> = properties
        .iter()
        .filter(|(_, p)| !from(p, "table") && from(p, "sample"))
        .map(|(k, _)| k.as_str())
        .collect();
    (tabled && !sample_only.is_empty()).then(|| {
        Diagnostic::warning(
            file,
            line,
            "undocumented-sample-field",
            format!(
                "samples give `{name}` field(s) that no `{name}` table lists: {}{}",
                sample_only
                    .iter()
                    .take(8)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", "),
                if sample_only.len() > 8 {
                    format!(" and {} more", sample_only.len() - 8)
                } else {
                    String::new()
                }
            ),
        )
    })
}
