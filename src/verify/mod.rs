//! Stage 3b: contract tests against a live server, driven by the documented samples.
//!
//! [`sample::sample_call`] turns an operation's documented sample into a concrete request
//! (path parameters of their documented type, required query parameters from the page's
//! own example URLs); [`run::run`] sends them to a server with bounded concurrency and
//! holds each answer against the contract with
//! `check_answer` (documented status,
//! documented Content-Type, body valid against that status's schema); [`report`] writes
//! the human summary and the JUnit XML.

pub mod report;
pub mod run;
pub mod sample;
