//! Runtime stubs, as WireMock users write them, but held to the contract: a stub matches
//! requests (method, path template or glob, query, headers, a JSON body subset) and gives a
//! canned answer (status, headers, body, delay), optionally a limited number of `times`. A
//! stub whose answer breaks the documented schema of its status, or whose status the page
//! does not document, is refused with the violations unless it says `"unchecked": true`.
//! This room owns the stub model, matching and the contract check; the server asks it.

mod book;
mod build;
mod check;
mod error;
mod matcher;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub(crate) use book::StubBook;
pub(crate) use check::{StubRefusal, check_stub, reachable};
pub(crate) use error::StubError;
pub(crate) use matcher::RequestView;

/// What requests a stub answers (every field optional; an empty match answers everything).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Match {
    /// The method (case-sensitive, as HTTP methods are).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// A path template (`/api/v1/Contact/{id}`), a glob (`/api/v1/Contact/*`), or a path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Query parameters that must be present, with their value (a glob with `*`/`?`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub query: std::collections::BTreeMap<String, String>,
    /// Headers that must be present (any case), with their value (a glob with `*`/`?`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub headers: std::collections::BTreeMap<String, String>,
    /// A JSON value the request body must contain (objects: these members, recursively;
    /// arrays: these items, in any order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// The canned answer of a stub.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct StubResponse {
    /// Status code (default 200).
    #[serde(default = "ok")]
    pub status: u16,
    /// Headers to send.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub headers: std::collections::BTreeMap<String, String>,
    /// The JSON body (none when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Milliseconds to wait before answering.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub delay_ms: u64,
}

fn ok() -> u16 {
    200
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A stub.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Stub {
    /// Its id (given, or made from its content when absent).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub(crate) id: String,
    /// What it answers.
    #[serde(default, rename = "match")]
    pub(crate) matcher: Match,
    /// What it answers with.
    pub(crate) response: StubResponse,
    /// Answer this many times, then step aside.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) times: Option<u64>,
    /// Lower answers first (default 0); among equals, the newest stub.
    #[serde(default, skip_serializing_if = "is_zero_i32")]
    pub(crate) priority: i32,
    /// Do not hold the answer to the contract.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) unchecked: bool,
    /// Run the request checks first: an invalid request gets the mock's 400, not the stub.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) validate: bool,
}

fn is_zero_i32(n: &i32) -> bool {
    *n == 0
}

impl Stub {
    /// Reads a stub; an absent id becomes a stable one made from the content.
    pub(crate) fn parse(value: &Value) -> Result<Self, StubError> {
        let stub: Stub = serde_json::from_value(value.clone())?;
        Ok(stub.identified())
    }

    /// Whether this stub answers `request`.
    pub(crate) fn matches(&self, request: &RequestView) -> bool {
        matcher::matches(&self.matcher, request)
    }
}

/// The stubs in the order they are tried: by priority, then the newest first.
pub(crate) fn ordered(mut stubs: Vec<(u64, Stub)>) -> Vec<Stub> {
    stubs.sort_by(|(age_a, a), (age_b, b)| a.priority.cmp(&b.priority).then(age_b.cmp(age_a)));
    stubs.into_iter().map(|(_, s)| s).collect()
}

#[cfg(test)]
mod tests;
