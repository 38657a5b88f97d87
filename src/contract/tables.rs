//! The property tables of a page with the sample that instantiates each: the raw evidence
//! every later inference weighs.

use serde_json::{Map, Value};

use crate::docs::{Page, PropertyDoc, SampleBody};

/// Which table of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Side {
    /// `## Request Body:`.
    Request,
    /// `### Response body:`.
    Response,
}

/// One property table with the sample body it describes.
#[derive(Debug, Clone, Copy)]
pub(super) struct TableRef<'a> {
    /// The page holding the table.
    pub page: &'a Page,
    /// Request or response.
    pub side: Side,
    /// The rows (possibly empty).
    pub rows: &'a [PropertyDoc],
    /// The sample body of the same side (the success response for responses).
    pub sample: Option<&'a Value>,
}

impl<'a> TableRef<'a> {
    /// The sample objects the table describes: the body, or the objects of an array body.
    pub(super) fn sample_objects(&self) -> Vec<&'a Map<String, Value>> {
        self.sample.map(objects_of).unwrap_or_default()
    }
}

/// The sample body of the request.
pub(super) fn request_sample(page: &Page) -> Option<&Value> {
    json_of(page.sample_request.as_ref().and_then(|s| s.body.as_ref()))
}

/// The sample body of a successful (2xx) response.
pub(super) fn success_sample(page: &Page) -> Option<&Value> {
    json_of(
        page.sample_response
            .as_ref()
            .filter(|s| (200..300).contains(&s.status))
            .and_then(|s| s.body.as_ref()),
    )
}

fn json_of(body: Option<&SampleBody>) -> Option<&Value> {
    body.and_then(|b| b.json.as_ref())
}

/// The request and response tables of a page (those the page has).
pub(super) fn tables(page: &Page) -> Vec<TableRef<'_>> {
    let mut out = Vec::with_capacity(2);
    if let Some(body) = &page.request_body {
        out.push(TableRef {
            page,
            side: Side::Request,
            rows: &body.properties,
            sample: request_sample(page),
        });
    }
    if let Some(resp) = &page.response {
        out.push(TableRef {
            page,
            side: Side::Response,
            rows: &resp.properties,
            sample: success_sample(page),
        });
    }
    out
}

/// The objects a body holds: itself, or the object items of an array.
pub(super) fn objects_of(value: &Value) -> Vec<&Map<String, Value>> {
    match value {
        Value::Object(map) => vec![map],
        Value::Array(items) => items.iter().filter_map(Value::as_object).collect(),
        _ => Vec::new(),
    }
}

/// Identifier-like words of a text (`ContactEntity`, `Id`), in order.
pub(super) fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
}
