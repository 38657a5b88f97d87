//! mockdown: API reference pages in markdown → JSON Schema contract → mock server and
//! contract tests.
//!
//! The pipeline runs one way: [`docs`] (markdown → page model) → [`contract`] (page model →
//! schemas, named types, examples, OpenAPI) → the stages of a request (`router`, `validate`,
//! `generate`) → the mock server and the validating proxy (standing on the shared `http`
//! plumbing); [`verify`] runs contract tests against a live server, [`lint`] and [`diff`]
//! review docs, and [`cli`] is the thin command layer on top.
//!
//! # Using the mock from your own tests
//!
//! Start a mock of a docs folder on a free port, call it, and read what it received:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> anyhow::Result<()> {
//! use mockdown::{MockConfig, serve_docs};
//!
//! let config = MockConfig { port: 0, auth: false, ..MockConfig::default() };
//! let server = serve_docs("docs", config).await?;
//! let url = format!("{}/api/v1/Agents/User/GetRoleEntity?roleEntityId=7", server.url());
//! # let _ = url;
//! // ... send requests to `url` with any HTTP client ...
//! for entry in server.journal() {
//!     println!("{} {} → {}", entry.method, entry.path, entry.status);
//! }
//! server.stop().await;
//! # Ok(())
//! # }
//! ```

mod api;
pub mod cli;
pub(crate) mod client;
pub mod contract;
pub mod diag;
pub mod diff;
pub mod docs;
mod entities;
pub mod explorer;
mod faults;
mod generate;
mod http;
pub mod lint;
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

pub use api::{Error, MockServer, MockServerBuilder, ReceivedRequest, State};
pub use faults::Fault;
pub use http::{
    AdminConfig, DEFAULT_WORDS, JournalConfig, JournalEntry, Limits, Message, RunningServer,
};
pub use proxy::{ProxyConfig, proxy};
pub use server::{MockConfig, compact, serve, serve_docs, serve_explored};
pub use state::StoreLimits;
pub use stubs::Stub;
