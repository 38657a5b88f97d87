//! A journal line as stored (one buffer for its texts, so recording allocates little) and
//! as shown (`JournalEntry`, what `GET /__mockdown/requests` and `journal()` give).

use bytes::Bytes;
use hyper::Method;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use super::redact::Redactor;
use crate::contract::validate::Violation;

/// One exchange as `GET /__mockdown/requests` shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct JournalEntry {
    /// Sequence number, increasing (`?since=` pages after it).
    pub id: u64,
    /// Seconds since the Unix epoch.
    pub time: f64,
    /// Method.
    pub method: String,
    /// Path with query (sensitive query values masked).
    pub path: String,
    /// Status answered.
    pub status: u16,
    /// Operation matched, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
    /// Violations found in the request (and, through the proxy, in the answer): the first
    /// 100.
    pub violations: Vec<Violation>,
    /// How many violations there were beyond those listed.
    #[serde(skip_serializing_if = "is_zero")]
    pub violations_omitted: usize,
    /// Time spent answering, in milliseconds.
    pub duration_ms: f64,
    /// What answered: `generated`, `example`, `state`, `stub ID`, `error`, `fault ...`
    /// (the proxy: `upstream`).
    pub answered_by: String,
    /// The request's headers and the start of its body.
    pub request: Message,
    /// The answer's headers and the start of its body.
    pub response: Message,
}

/// Headers and a capped excerpt of a body.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Message {
    /// Headers in the order received (sensitive values masked).
    #[serde(serialize_with = "header_map")]
    pub headers: Vec<(String, String)>,
    /// The start of the body as text (sensitive fields masked); `None` when not UTF-8.
    pub body: Option<String>,
    /// The size of the whole body in bytes.
    pub body_bytes: u64,
    /// Whether `body` holds only the start of the body.
    pub body_truncated: bool,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Headers as one JSON object (repeated names joined with `, `).
fn header_map<S: Serializer>(headers: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    let mut map = Map::new();
    for (name, value) in headers {
        match map.get_mut(name) {
            Some(Value::String(joined)) => {
                joined.push_str(", ");
                joined.push_str(value);
            }
            _ => {
                map.insert(name.clone(), Value::String(value.clone()));
            }
        }
    }
    map.serialize(s)
}

/// Where each text of a record ends in its buffer.
#[derive(Debug, Clone, Copy)]
pub(super) enum Part {
    Path,
    RequestHeaders,
    RequestBody,
    ResponseHeaders,
    ResponseBody,
}

/// One exchange as the journal holds it.
#[derive(Debug)]
pub(super) struct Record {
    pub(super) id: u64,
    pub(super) time: f64,
    pub(super) method: Method,
    pub(super) status: u16,
    pub(super) operation_id: Option<String>,
    pub(super) violations: Vec<Violation>,
    pub(super) omitted: usize,
    pub(super) answered_by: std::borrow::Cow<'static, str>,
    pub(super) duration_ms: f64,
    /// Path, request headers, request body excerpt, response headers, response body
    /// excerpt, back to back.
    pub(super) texts: Bytes,
    pub(super) ends: [u32; 5],
    pub(super) request_bytes: u64,
    pub(super) response_bytes: u64,
    /// Whether the request / response excerpt is only the start of the body.
    pub(super) cut: [bool; 2],
}

impl Record {
    /// Bytes this record holds (what the journal's budget counts).
    pub(super) fn size(&self) -> usize {
        let violations: usize = self
            .violations
            .iter()
            .map(|v| {
                std::mem::size_of::<Violation>()
                    + v.location.len()
                    + v.pointer.len()
                    + v.keyword.len()
                    + v.expected.len()
                    + v.found.len()
            })
            .sum();
        std::mem::size_of::<Self>()
            + self.texts.len()
            + self.operation_id.as_ref().map_or(0, String::len)
            + violations
    }

    fn part(&self, part: Part) -> &[u8] {
        let index = part as usize;
        let start = if index == 0 {
            0
        } else {
            self.ends[index - 1] as usize
        };
        self.texts
            .get(start..self.ends[index] as usize)
            .unwrap_or_default()
    }

    /// The headers of `part`, sensitive values masked.
    fn headers(&self, part: Part, redactor: &Redactor) -> Vec<(String, String)> {
        self.part(part)
            .split(|&b| b == b'\n')
            .filter(|line| !line.is_empty())
            .map(|line| {
                let split = line.windows(2).position(|w| w == b": ");
                let (name, value) = match split {
                    Some(at) => (&line[..at], &line[at + 2..]),
                    None => (line, &b""[..]),
                };
                let name = String::from_utf8_lossy(name).into_owned();
                let mut masked = Vec::with_capacity(value.len());
                redactor.header_value(&mut masked, &name, value);
                (name, String::from_utf8_lossy(&masked).into_owned())
            })
            .collect()
    }

    fn message(
        &self,
        headers: Part,
        body: Part,
        total: u64,
        cut: bool,
        redactor: &Redactor,
    ) -> Message {
        let headers = self.headers(headers, redactor);
        let media = headers
            .iter()
            .find(|(name, _)| name == "content-type")
            .map(|(_, v)| crate::contract::media::media_type(v))
            .unwrap_or_default();
        let mut masked = Vec::new();
        redactor.body(&mut masked, &media, self.part(body));
        Message {
            headers,
            body: String::from_utf8(masked).ok(),
            body_bytes: total,
            body_truncated: cut,
        }
    }

    /// The record as shown, sensitive values masked by `redactor`.
    pub(super) fn entry(&self, redactor: &Redactor) -> JournalEntry {
        let mut path = Vec::new();
        redactor.path(&mut path, &String::from_utf8_lossy(self.part(Part::Path)));
        JournalEntry {
            id: self.id,
            time: self.time,
            method: self.method.as_str().to_string(),
            path: String::from_utf8_lossy(&path).into_owned(),
            status: self.status,
            operation_id: self.operation_id.clone(),
            violations: self.violations.clone(),
            violations_omitted: self.omitted,
            duration_ms: self.duration_ms,
            answered_by: self.answered_by.to_string(),
            request: self.message(
                Part::RequestHeaders,
                Part::RequestBody,
                self.request_bytes,
                self.cut[0],
                redactor,
            ),
            response: self.message(
                Part::ResponseHeaders,
                Part::ResponseBody,
                self.response_bytes,
                self.cut[1],
                redactor,
            ),
        }
    }
}
