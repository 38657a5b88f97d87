//! A request the mock received, as the journal keeps it.

use crate::http::JournalEntry;

/// A request the mock received and what it answered (what `GET /__mockdown/requests`
/// lists): method, path with query, status, the operation matched, the violations found.
#[derive(Debug, Clone)]
pub struct ReceivedRequest(pub(crate) JournalEntry);

impl ReceivedRequest {
    /// The method (`GET`).
    pub fn method(&self) -> &str {
        &self.0.method
    }

    /// The path with its query (sensitive query values masked).
    pub fn path(&self) -> &str {
        &self.0.path
    }

    /// The status the mock answered.
    pub fn status(&self) -> u16 {
        self.0.status
    }

    /// The operationId the request was routed to, if any.
    pub fn operation_id(&self) -> Option<&str> {
        self.0.operation_id.as_deref()
    }

    /// What answered: `generated`, `example`, `state`, `stub ID`, `error`, `fault ...`.
    pub fn answered_by(&self) -> &str {
        &self.0.answered_by
    }

    /// The violations found in the request, one line each (`/Name: expected string`).
    pub fn violations(&self) -> Vec<String> {
        self.0.violations.iter().map(ToString::to_string).collect()
    }

    /// The request body as the journal keeps it (its start, sensitive fields masked);
    /// `None` when it was not UTF-8. [`ReceivedRequest::body_truncated`] says whether it is
    /// only the start.
    pub fn body(&self) -> Option<&str> {
        self.0.request.body.as_deref()
    }

    /// Whether [`ReceivedRequest::body`] holds only the start of the body.
    pub fn body_truncated(&self) -> bool {
        self.0.request.body_truncated
    }

    /// The request header `name` (any case), as the journal keeps it (secrets redacted).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.0
            .request
            .headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The whole entry as JSON (the admin API's shape).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.0).unwrap_or_default()
    }
}
