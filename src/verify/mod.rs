//! Stage 3b: contract tests against a live server, driven by the contract.
//!
//! Four modes (`case::Mode`): the documented samples (`sample`); requests generated
//! from the request schemas (`generate`: every field, only the required ones, boundaries,
//! each enum value, documented query examples, seeded random ones); requests broken in one
//! place that must be refused with a documented 4xx (`negative`); and per entity a save →
//! read → update → patch → read → delete → read sequence (`stateful`, from the entity
//! map). Every case is checked against the contract before it is sent (`local`), sent
//! (`run::run`, bounded concurrency, deletes after the rest), and its answer judged
//! (`judge`: status, Content-Type, schema with formats and enums, the properties the
//! documented answer shows, what was saved, what a refusal must be); a failing case is
//! shrunk (`shrink`) and printed as a `curl` command (`curl`); `values` reads the values
//! file that puts a real server's ids in place of the samples' own; `report` writes the
//! human summary and the JUnit XML.
//!
//! Public: [`run`] with its [`Options`], and the [`Report`] it gives.

mod api;
pub(crate) mod case;
pub(crate) mod curl;
mod exchange;
mod fill;
mod generate;
mod group;
mod judge;
mod local;
mod negative;
mod options;
mod outcome;
pub(crate) mod report;
pub(crate) mod run;
pub(crate) mod sample;
mod sequence;
mod shown;
mod shrink;
mod stateful;
pub(crate) mod values;

pub use api::{Options, Report, run};
