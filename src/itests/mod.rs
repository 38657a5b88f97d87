//! The integration tests, one binary: each module starts the real mock, proxy or command
//! line and talks to it (HTTP on an ephemeral port, or a child process). One binary links
//! the crate once instead of once per file.

mod build_diagnostics;
mod build_inference;
mod build_placeholders;
mod build_seeds;
mod check;
mod common;
mod diff;
mod explorer;
mod faults;
mod hardening_admin;
mod hardening_bodies;
mod hardening_limits;
mod hardening_memory;
mod hybrid;
mod json_patch;
mod mock_placeholders;
mod mock_responses;
mod mock_validation;
mod pages;
mod parser_never_panics;
mod proxy;
mod stateful;
mod stubs;
mod verify;
mod verify_modes;
mod verify_strict;
mod watch;
