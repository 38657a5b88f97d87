//! The page model: everything a reference page says, as plain data.

use serde::Serialize;

/// One parsed reference page.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct Page {
    /// Path relative to the docs root, with `/` separators.
    pub file: String,
    /// The operationId (`id:` or `uid:` in the front matter).
    pub operation_id: String,
    /// Line of the front matter key that named the operation.
    pub operation_id_line: usize,
    /// Front matter `title`.
    pub title: Option<String>,
    /// Front matter `generated`.
    pub generated: Option<bool>,
    /// Front matter `content_type`.
    pub content_type: Option<String>,
    /// `METHOD /path` from the first ```` ```http ```` block.
    pub endpoint: Endpoint,
    /// Summary text between the endpoint block and the first section.
    pub summary: String,
    /// Text of `## Online Restricted:`, if any.
    pub online_restricted: Option<String>,
    /// `NsApiSlow threshold: N ms`, if any.
    pub slow_threshold_ms: Option<u64>,
    /// Rows of the `Path Part` table.
    pub path_params: Vec<ParamDoc>,
    /// Rows of `## Query String Parameters`.
    pub query_params: Vec<ParamDoc>,
    /// Example URLs listed under the query parameters.
    pub query_examples: Vec<QueryExample>,
    /// Rows of `## Request Headers`.
    pub request_headers: Vec<HeaderDoc>,
    /// Content types the `Content-Type` header row lists.
    pub request_content_types: Vec<String>,
    /// Content types the `Accept` header row lists.
    pub accept_content_types: Vec<String>,
    /// `## Request Body: NAME [type]`.
    pub request_body: Option<BodyDoc>,
    /// `## Response:[type]` with statuses and body.
    pub response: Option<ResponseDoc>,
    /// The ```` ```http! ```` sample request.
    pub sample_request: Option<SampleRequest>,
    /// The ```` ```http_ ```` sample response.
    pub sample_response: Option<SampleResponse>,
}

/// The documented endpoint line.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct Endpoint {
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template, e.g. `/api/v1/Contact/{id}`.
    pub path: String,
    /// Line of the endpoint.
    pub line: usize,
}

/// A row of a parameter table (path part or query string).
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct ParamDoc {
    /// Parameter name as written.
    pub name: String,
    /// Type cell as written (`int32`, `Enum: A, B`, ...).
    pub type_text: String,
    /// Cleaned description, without the `**Required**` marker.
    pub description: String,
    /// Whether the row carries a `**Required**` marker.
    pub required: bool,
    /// Line of the row.
    pub line: usize,
}

/// One example URL under the query parameter table.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct QueryExample {
    /// The pairs of the query string, as written (not percent-decoded).
    pub pairs: Vec<(String, String)>,
    /// Line of the example.
    pub line: usize,
}

/// A row of the request headers table.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct HeaderDoc {
    /// Header name.
    pub name: String,
    /// Cleaned description.
    pub description: String,
}

/// A row of a property table.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct PropertyDoc {
    /// Property name.
    pub name: String,
    /// Type cell as written; empty when the page leaves it blank.
    pub type_text: String,
    /// Cleaned description.
    pub description: String,
    /// Line of the row.
    pub line: usize,
}

/// `## Request Body: NAME [type]` with its description and table.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct BodyDoc {
    /// The parameter name (`entity`, `request`, ...).
    pub name: String,
    /// The type after the name (`string`, `binary`), if any.
    pub type_text: Option<String>,
    /// Cleaned description.
    pub description: String,
    /// The property table, possibly empty.
    pub properties: Vec<PropertyDoc>,
    /// Line of the heading.
    pub line: usize,
}

/// One row of the status table.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct StatusDoc {
    /// HTTP status code.
    pub code: u16,
    /// Cleaned description.
    pub description: String,
    /// Line of the row.
    pub line: usize,
}

/// `## Response:[type]` and what follows it.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct ResponseDoc {
    /// Type after `Response:` (`array`, `int32`, ...), empty when none.
    pub type_text: String,
    /// Cleaned description.
    pub description: String,
    /// The status table.
    pub statuses: Vec<StatusDoc>,
    /// Type named by `Response body: TYPE`, if present.
    pub body_type: Option<String>,
    /// The response body property table.
    pub properties: Vec<PropertyDoc>,
    /// Line of the heading.
    pub line: usize,
}

/// A JSON body found in a sample.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct SampleBody {
    /// The body as written.
    pub text: String,
    /// Line of the body's first character.
    pub line: usize,
    /// The body parsed as JSON; `None` when it is not JSON (a diagnostic says why).
    pub json: Option<serde_json::Value>,
}

/// The documented sample request.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct SampleRequest {
    /// Method of the request line.
    pub method: String,
    /// Path of the request line.
    pub path: String,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
    /// Body, if the sample sends one.
    pub body: Option<SampleBody>,
    /// Line of the request line.
    pub line: usize,
}

/// The documented sample response.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct SampleResponse {
    /// Status code.
    pub status: u16,
    /// Reason phrase as written.
    pub reason: String,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
    /// Body, if the sample has one.
    pub body: Option<SampleBody>,
    /// Line of the status line.
    pub line: usize,
}
