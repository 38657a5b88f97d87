//! The integration tests, one binary, through the two front doors only: the library API
//! (`mockdown::MockServer`, `mockdown::Stub`, `mockdown::verify`) and the `mockdown` command
//! line as a child process. Tests of the stages themselves live beside them in `src/`.

mod cli;
mod common;
mod config;
mod hardening_cli;
mod library;
