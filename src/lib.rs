//! mockdown: API reference pages in markdown → JSON Schema contract → mock server and
//! contract tests.
//!
//! The pipeline runs one way: `docs` (markdown → page model) → `contract` (page model →
//! schemas, named types, examples, OpenAPI) → the stages of a request (`router`, `validate`,
//! `generate`) → the mock server and the validating proxy (standing on the shared `http`
//! plumbing); `verify` runs contract tests against a live server, `lint` and `diff` review
//! docs, and [`cli`] is the thin command layer on top. The stages are the crate's own
//! (`pub(crate)`); what is public is the front door below.
//!
//! # Two front doors
//!
//! The `mockdown` command line (`serve`, `verify`, `proxy`, `build`, `check`, `diff`,
//! `openapi`, `routes`), and this library, for a test suite that wants a mock of a docs
//! folder in-process, as wiremock-rs gives one:
//!
//! - [`MockServer::start`] or [`MockServer::builder`] start a mock on a free port;
//!   [`MockServer::url`] is where it listens;
//! - [`MockServer::mount`] adds a [`Stub`] (`Stub::given(method, path).respond_with(..)`),
//!   held to the contract like the stubs of the admin API;
//! - [`MockServer::received_requests`] lists what it received, [`MockServer::state`] what
//!   the stateful mock keeps;
//! - [`verify::run`] runs the contract tests of a docs folder against any live server.
//!
//! Everything fails with one [`Error`]. The stages themselves (docs, contract, router,
//! validate, generate, server, proxy) are the crate's own and may change freely.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), mockdown::Error> {
//! use mockdown::MockServer;
//!
//! let server = MockServer::builder().docs("docs").stateful(true).start().await?;
//! println!("mocking docs/ at {}", server.url());
//! assert!(server.received_requests().is_empty());
//! assert_eq!(server.state().export().await?["entities"], serde_json::json!({}));
//! server.stop().await;
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]
#![warn(unreachable_pub)]

mod api;
pub mod cli;
mod client;
mod contract;
mod diag;
mod diff;
mod docs;
mod entities;
mod explorer;
mod faults;
mod gates;
mod generate;
mod http;
mod lint;
mod metrics;
mod proxy;
mod router;
mod server;
mod state;
mod stubs;
mod validate;
pub mod verify;
mod watch;

#[cfg(test)]
mod itests;

// The stages' entries the in-crate tests (`itests`) start servers with.
#[cfg(test)]
use {
    faults::Fault,
    http::{AdminConfig, JournalConfig, Limits, RunningServer},
    proxy::{ProxyConfig, proxy},
    server::{MockConfig, serve, serve_docs},
    state::StoreLimits,
};

pub use api::{Error, MockServer, MockServerBuilder, ReceivedRequest, State};
pub use stubs::Stub;
