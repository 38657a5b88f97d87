//! The HTTP plumbing the mock server and the proxy both stand on: binding and the accept
//! loop with their limits, the running-server handle, body reading with limits, the API's
//! error shape, the journal, the admin routes and the bounded set of prepared operations.
//! It never judges or builds an answer: the server and the proxy bring their own handlers.

mod admin;
mod body;
mod error;
mod heavy;
mod journal;
mod kind;
mod listen;
mod prepared;
mod query;

pub(crate) use admin::AdminConfig;
pub(crate) use admin::{AdminView, handle as admin, is_admin, refused as admin_refusal};
pub(crate) use body::{BodyError, read_body};
pub(crate) use error::{
    MAX_LISTED, ShapedError, empty_response, error_response, error_response_with, json_response,
    shaped_response,
};
pub(crate) use heavy::Heavy;
pub(crate) use journal::{DEFAULT_WORDS, JournalConfig, JournalEntry};
pub(crate) use journal::{Exchange, Journal};
pub(crate) use kind::{ApiError, ErrorKind};
pub(crate) use listen::{Closed, ConnectionSlot, DEFAULT_MAX_FIELDS, bind, full_bytes, spawn};
pub(crate) use listen::{Limits, RunningServer};
pub(crate) use prepared::PreparedSet;
pub(crate) use query::parse_query;
