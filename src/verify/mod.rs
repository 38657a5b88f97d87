//! Stage 3b: contract tests against a live server, driven by the documented samples.
//!
//! [`sample::sample_call`] turns an operation's documented sample into a concrete request
//! (path parameters of their documented type, required query parameters from the page's
//! own example URLs); [`run::run`] sends them to a server with bounded concurrency and
//! holds each answer against the contract: the status the sample answers (any documented
//! one with `accept_documented_status`), a documented Content-Type, a body valid against
//! that status's schema (formats and enums included) and, unless lenient, every property
//! the documented answer shows; [`values`] reads the values file that puts a real server's
//! ids in place of the samples' own; [`report`] writes the human summary and the JUnit XML.

pub mod report;
pub mod run;
pub mod sample;
mod shown;
pub mod values;
