//! mockdown: API reference pages in markdown → JSON Schema contract → mock server and
//! contract tests.
//!
//! The pipeline runs one way: [`docs`] (markdown → page model) → [`contract`] (page model →
//! schemas, named types, examples, OpenAPI) → [`mock`] and [`verify`]; [`cli`] is the thin
//! command layer on top.

pub mod cli;
pub mod client;
pub mod contract;
pub mod diag;
pub mod diff;
pub mod docs;
pub mod lint;
pub mod mock;
pub mod verify;
