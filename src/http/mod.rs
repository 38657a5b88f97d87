//! The HTTP plumbing the mock server and the proxy both stand on: the accept loop and the
//! running-server handle, body reading with limits, the API's error shape, the journal, the
//! admin routes and the bounded set of prepared operations.
//! It never judges or builds an answer: the server and the proxy bring their own handlers.

mod admin;
mod body;
mod error;
mod journal;
mod listen;
mod prepared;
mod query;

pub(crate) use admin::{AdminView, handle as admin, is_admin};
pub(crate) use body::{BodyError, read_body};
pub(crate) use error::error_response;
pub use journal::JournalEntry;
pub(crate) use journal::{Journal, now};
pub use listen::RunningServer;
pub(crate) use listen::spawn;
pub(crate) use prepared::PreparedSet;
pub(crate) use query::{parse_query, request_line};
