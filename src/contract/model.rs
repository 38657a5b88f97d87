//! The contract: operations with their schemas and examples, and the shared named types.
//! This is what the bundle files hold, one file per operation and per named type.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::profile::ApiProfile;

/// Everything the mock and the verifier need; nothing in it points back at markdown.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Contract {
    /// Operations sorted by operationId.
    pub operations: Vec<Operation>,
    /// Named type schemas by name (JSON Schema 2020-12 documents).
    pub types: BTreeMap<String, Value>,
    /// The API's facts, inferred once by the build.
    #[serde(default)]
    pub profile: ApiProfile,
}

/// One documented operation.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Operation {
    /// The operationId.
    pub operation_id: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template, e.g. `/api/v1/Contact/{id}`.
    pub path: String,
    /// Page title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Summary text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
    /// Where the operation is documented (`file:line`).
    pub source: String,
    /// `Online Restricted` note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online_restricted: Option<String>,
    /// `NsApiSlow threshold` in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slow_threshold_ms: Option<u64>,
    /// Path parameters in template order.
    #[serde(default)]
    pub path_parameters: Vec<Parameter>,
    /// Query parameters in documented order.
    #[serde(default)]
    pub query_parameters: Vec<Parameter>,
    /// Documented request headers.
    #[serde(default)]
    pub header_parameters: Vec<Parameter>,
    /// Example query strings the page lists (pairs as written).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub query_examples: Vec<Vec<(String, String)>>,
    /// The request body, when the page documents one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_body: Option<RequestBody>,
    /// Content types the `Accept` header may ask for.
    #[serde(default)]
    pub accept: Vec<String>,
    /// Responses by status code (as strings, for JSON).
    pub responses: BTreeMap<String, Response>,
    /// The status a successful call returns.
    pub success_status: u16,
    /// The documented sample request and response.
    pub example: Example,
}

/// A path, query or header parameter.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Parameter {
    /// Name as documented.
    pub name: String,
    /// Whether it must be given.
    pub required: bool,
    /// Cleaned description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// JSON Schema of the (parsed) value.
    pub schema: Value,
}

/// The documented request body.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RequestBody {
    /// Parameter name (`entity`, `request`, ...).
    pub name: String,
    /// Cleaned description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Whether a body must be sent (the page documents one and its sample sends one).
    pub required: bool,
    /// Accepted content types.
    pub content_types: Vec<String>,
    /// JSON Schema of the body.
    pub schema: Value,
}

/// One documented response status.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Response {
    /// Cleaned description.
    pub description: String,
    /// JSON Schema of the body; `{"type": "null"}` for statuses without a body.
    pub schema: Value,
}

/// The example pair from the page.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Example {
    /// Sample request, if the page has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<ExampleRequest>,
    /// Sample response, if the page has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ExampleResponse>,
}

/// A sample request as documented.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct ExampleRequest {
    /// Method.
    pub method: String,
    /// Path as written (path parameters usually left as `{name}`).
    pub path: String,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
    /// JSON body, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// A sample response as documented.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct ExampleResponse {
    /// Status code.
    pub status: u16,
    /// Reason phrase.
    pub reason: String,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
    /// JSON body, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

impl Operation {
    /// The response documented for `status`.
    pub(crate) fn response(&self, status: u16) -> Option<&Response> {
        self.responses.get(&status.to_string())
    }

    /// Documented status codes in ascending order.
    pub(crate) fn statuses(&self) -> Vec<u16> {
        let mut codes: Vec<u16> = self
            .responses
            .keys()
            .filter_map(|k| k.parse().ok())
            .collect();
        codes.sort_unstable();
        codes
    }
}
