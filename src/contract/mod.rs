//! Stage 2: page model → contract (operations with JSON Schemas 2020-12, shared named
//! types, example pairs), its bundle on disk and its OpenAPI 3.1 export.
//!
//! [`build`] is the whole stage; [`bundle`] writes and reads the reviewable files;
//! [`openapi`] exports one OpenAPI document; [`validate`] compiles the schemas.

pub mod bundle;
mod infer;
pub mod media;
mod model;
mod named;
pub mod openapi;
mod operation;
mod selfcheck;
pub mod types;
pub mod validate;

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde_json::Value;

pub use model::*;
pub use named::TypeConflict;
pub use operation::{ERROR_TYPE, bodyless, template_params};
pub use selfcheck::SampleStats;

use crate::diag::Diagnostic;
use crate::docs::{DocSet, Page};
use named::TypeBook;
use types::{TypeCell, classify};

/// The result of building a contract.
#[derive(Debug, Default)]
pub struct Build {
    /// The contract.
    pub contract: Contract,
    /// Everything noticed while building (parser findings included).
    pub diagnostics: Vec<Diagnostic>,
    /// How the documented samples fared against their own schemas.
    pub samples: SampleStats,
    /// Tables that disagree about a property of a named type.
    pub conflicts: Vec<TypeConflict>,
    /// Reference pages built.
    pub pages_built: usize,
    /// Files that are not reference pages.
    pub pages_skipped: usize,
}

/// Builds the contract of a docs set, validating every sample against its schema. Never
/// panics; problems become diagnostics.
pub fn build(set: DocSet) -> Build {
    build_with(set, true)
}

/// Builds the contract; `check_samples = false` skips the sample self-check (the mock
/// server's fast start-up path).
pub fn build_with(set: DocSet, check_samples: bool) -> Build {
    let DocSet {
        mut pages,
        skipped,
        failed: _,
        mut diagnostics,
    } = set;
    pages.sort_by(|a, b| a.file.cmp(&b.file));
    let mut pages = dedupe(pages, &mut diagnostics);

    let mut book = TypeBook::default();
    for page in &pages {
        if let Some(resp) = &page.response
            && let Some(TypeCell::Named(name)) = resp.body_type.as_deref().map(classify)
            && !resp.properties.is_empty()
        {
            book.add_table(&name, &page.file, &resp.properties);
        }
    }
    named::resolve_empty_cells(&mut pages, &mut book);
    for page in &pages {
        for props in [
            page.request_body.as_ref().map(|b| &b.properties),
            page.response.as_ref().map(|r| &r.properties),
        ]
        .into_iter()
        .flatten()
        {
            book.note_references(props);
        }
    }
    for page in &pages {
        feed_samples(page, &mut book);
    }

    let mut types: BTreeMap<String, Value> = book.schemas();
    types
        .entry(ERROR_TYPE.to_string())
        .or_insert_with(operation::error_type_schema);

    let build_one = |page: &Page| {
        let mut diags = Vec::new();
        let op = operation::build_operation(page, &mut diags);
        (op, diags)
    };
    // Without the sample self-check the pages are not needed afterwards: each is dropped as
    // soon as its operation is built, so pages and operations never all live at once.
    let (built, pages): (Vec<(Operation, Vec<Diagnostic>)>, Vec<Page>) = if check_samples {
        (pages.par_iter().map(build_one).collect(), pages)
    } else {
        let built = pages.into_par_iter().map(|page| build_one(&page)).collect();
        (built, Vec::new())
    };
    let mut operations = Vec::with_capacity(built.len());
    for (op, diags) in built {
        diagnostics.extend(diags);
        operations.push(op);
    }
    operations.sort_by(|a, b| a.operation_id.cmp(&b.operation_id));

    let contract = Contract { operations, types };
    let mut samples = SampleStats::default();
    if check_samples {
        let (stats, sample_diags) = selfcheck::check_samples(&contract, &pages);
        samples = stats;
        diagnostics.extend(sample_diags);
    }
    diagnostics.sort();
    Build {
        pages_built: contract.operations.len(),
        pages_skipped: skipped.len(),
        conflicts: book.conflicts(),
        contract,
        diagnostics,
        samples,
    }
}

/// Drops pages whose operationId an earlier page (by path) already uses.
fn dedupe(pages: Vec<Page>, diagnostics: &mut Vec<Diagnostic>) -> Vec<Page> {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut kept = Vec::with_capacity(pages.len());
    for page in pages {
        if let Some(first) = seen.get(&page.operation_id) {
            diagnostics.push(Diagnostic::error(
                &page.file,
                page.operation_id_line,
                "duplicate-operation-id",
                format!(
                    "operationId `{}` is already used by {first}",
                    page.operation_id
                ),
            ));
            continue;
        }
        seen.insert(page.operation_id.clone(), page.file.clone());
        kept.push(page);
    }
    kept
}

/// Feeds the page's samples into the named types they instantiate.
fn feed_samples(page: &Page, book: &mut TypeBook) {
    let json = |b: Option<&crate::docs::SampleBody>| b.and_then(|b| b.json.clone());
    if let (Some(body), Some(sample)) = (
        &page.request_body,
        json(page.sample_request.as_ref().and_then(|s| s.body.as_ref())),
    ) {
        for item in items_or_self(&sample) {
            book.feed_table(&body.properties, item);
        }
    }
    let success_sample = page
        .sample_response
        .as_ref()
        .filter(|s| (200..300).contains(&s.status))
        .and_then(|s| s.body.as_ref());
    if let (Some(resp), Some(sample)) = (&page.response, json(success_sample)) {
        match resp.body_type.as_deref().map(classify) {
            Some(TypeCell::Named(name)) => book.feed_named(&name, &sample, 0),
            _ => {
                for item in items_or_self(&sample) {
                    book.feed_table(&resp.properties, item);
                }
            }
        }
    }
}

fn items_or_self(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}
