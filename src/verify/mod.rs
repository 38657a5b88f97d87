//! Stage 3b: contract tests against a live server, driven by the documented samples.
//!
//! [`sample::sample_call`] turns an operation's documented sample into a concrete request
//! (path parameters of their documented type, required query parameters from the page's
//! own example URLs); [`sample::mutate_one_field`] breaks one typed field of a body.

pub mod sample;
