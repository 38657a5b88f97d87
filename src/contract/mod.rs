//! Stage 2: page model → contract (operations with JSON Schemas 2020-12, shared named
//! types, example pairs), its bundle on disk and its OpenAPI 3.1 export.
//!
//! [`build`] is the whole stage; [`bundle`] writes and reads the reviewable files;
//! [`openapi`] exports one OpenAPI document; [`validate`] compiles the schemas.

pub(crate) mod bundle;
mod catalog;
mod claim;
mod claims;
pub(crate) mod enums;
mod infer;
pub(crate) mod infer_profile;
mod lexicon;
pub(crate) mod media;
mod model;
mod named;
pub(crate) mod openapi;
mod operation;
pub(crate) mod profile;
mod props;
mod recursive;
mod resolve;
mod selfcheck;
mod tables;
#[cfg(test)]
mod testkit;
pub(crate) mod types;
mod unnamed;
pub(crate) mod validate;

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde_json::Value;

pub(crate) use model::*;
pub(crate) use named::TypeConflict;
pub(crate) use operation::{ERROR_TYPE, bodyless};
pub(crate) use selfcheck::SampleStats;

use crate::diag::Diagnostic;
use crate::docs::{DocSet, Page};
use catalog::Catalog;
use claims::Owners;
use lexicon::Lexicon;
use named::TypeBook;
use props::Knowledge;
use tables::{Side, tables};

/// The result of building a contract.
#[derive(Debug, Default)]
pub(crate) struct Build {
    /// The contract.
    pub contract: Contract,
    /// Everything noticed while building (parser findings included).
    pub diagnostics: Vec<Diagnostic>,
    /// How the documented samples fared against their own schemas.
    pub samples: SampleStats,
    /// Tables that disagree about a property of a named type.
    pub conflicts: Vec<TypeConflict>,
    /// Evidence the build weighed and rejected (mislabeled headings, type cells the other
    /// tables of the same property overrule), each with `file:line`, for `mockdown check`.
    pub rejected: Vec<Diagnostic>,
    /// Notes for `mockdown check`: the enums the pages list in full (validated).
    pub notes: Vec<Diagnostic>,
    /// For each named type a table row types a property with: the first such row
    /// (`file:line`).
    pub type_rows: BTreeMap<String, String>,
    /// Reference pages built.
    pub pages_built: usize,
    /// Files that are not reference pages.
    pub pages_skipped: usize,
}

/// Builds the contract of a docs set, validating every sample against its schema. Never
/// panics; problems become diagnostics.
pub(crate) fn build(set: DocSet) -> Build {
    build_with(set, true)
}

/// Builds the contract; `check_samples = false` skips the sample self-check (the mock
/// server's fast start-up path).
pub(crate) fn build_with(set: DocSet, check_samples: bool) -> Build {
    let DocSet {
        mut pages,
        skipped,
        failed: _,
        mut diagnostics,
        shown,
    } = set;
    pages.sort_by(|a, b| a.file.cmp(&b.file));
    let mut pages = dedupe(pages, &mut diagnostics);

    let owners = claims::weigh(&pages);
    let resolved = resolve::resolve_empty_cells(&mut pages, &owners);
    let lexicon = Lexicon::build(&pages);
    let book = type_book(&pages, &owners, &lexicon, &resolved);
    let catalog = Catalog::new(book.key_sets());
    let knowledge = Knowledge {
        lexicon: &lexicon,
        catalog: &catalog,
    };

    let mut types: BTreeMap<String, Value> = book.schemas(&knowledge);

    // Without the sample self-check the pages are not needed afterwards: each is dropped as
    // soon as its operation is built, so pages and operations never all live at once.
    let mut notes = Vec::new();
    let (built, pages): (Vec<(Operation, Vec<Diagnostic>)>, Vec<Page>) = if check_samples {
        notes = enums::notes(&pages, &lexicon);
        notes.sort();
        let built = pages
            .par_iter()
            .enumerate()
            .map(|(i, p)| build_one(i, p, &owners, &knowledge))
            .collect();
        (built, pages)
    } else {
        let built = pages
            .into_par_iter()
            .enumerate()
            .map(|(i, p)| build_one(i, &p, &owners, &knowledge))
            .collect();
        (built, Vec::new())
    };
    let mut operations = Vec::with_capacity(built.len());
    for (op, diags) in built {
        diagnostics.extend(diags);
        operations.push(op);
    }
    operations.sort_by(|a, b| a.operation_id.cmp(&b.operation_id));

    // The API's facts, found once (before the error type joins the named types).
    let profile = infer_profile::infer(&operations, &types, &shown);
    types
        .entry(ERROR_TYPE.to_string())
        .or_insert_with(|| operation::error_type_schema(&profile.error_shape.value));
    let contract = Contract {
        operations,
        types,
        profile,
    };
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
        rejected: rejected_evidence(&owners, &lexicon),
        notes,
        type_rows: lexicon.type_rows(),
        contract,
        diagnostics,
        samples,
    }
}

/// The named types of the tables of `pages` (by their `owners`), with the properties
/// `resolved` marked, sealed, then fed the samples.
fn type_book(
    pages: &[Page],
    owners: &Owners,
    lexicon: &Lexicon,
    resolved: &[(String, String)],
) -> TypeBook {
    let mut book = TypeBook::default();
    for (index, page) in pages.iter().enumerate() {
        for table in tables(page) {
            match owners.owner(index, table.side) {
                Some(owner) if !table.rows.is_empty() => {
                    book.add_table(owner, &page.file, table.rows, lexicon)
                }
                Some(owner) => book.note_type(owner),
                None => book.note_references(table.rows),
            }
        }
    }
    for (type_name, property) in resolved {
        book.mark_resolved(type_name, property);
    }
    book.seal();
    for (index, page) in pages.iter().enumerate() {
        feed_samples(index, page, owners, lexicon, &mut book);
    }
    book
}

/// The operation of page `index`, and what building it found.
fn build_one(
    index: usize,
    page: &Page,
    owners: &Owners,
    knowledge: &Knowledge<'_>,
) -> (Operation, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let page_owners = operation::Owners {
        request: owners.owner(index, Side::Request),
        response: owners.owner(index, Side::Response),
        response_list: owners.response_list.get(index).copied().unwrap_or(false),
    };
    let op = operation::build_operation(page, page_owners, knowledge, &mut diags);
    (op, diags)
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
fn feed_samples(
    index: usize,
    page: &Page,
    owners: &Owners,
    lexicon: &Lexicon,
    book: &mut TypeBook,
) {
    for table in tables(page) {
        let Some(sample) = table.sample else { continue };
        match owners.owner(index, table.side) {
            Some(owner) => {
                for item in items_or_self(sample) {
                    book.feed_named(owner, item, 0);
                }
            }
            None => {
                for item in items_or_self(sample) {
                    book.feed_table(table.rows, item, lexicon);
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

/// The evidence the build rejected, sorted.
fn rejected_evidence(owners: &Owners, lexicon: &Lexicon) -> Vec<Diagnostic> {
    let mut out = owners.findings.clone();
    out.extend(lexicon.findings());
    out.sort();
    out
}
