//! Recording (`mockdown proxy --record DIR`): each exchange with the real server is written
//! as a stub file that `mockdown serve --stubs DIR` answers later, offline. A recorded
//! answer that broke the contract is marked `unchecked` (it is what the server said).

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use hyper::HeaderMap;
use hyper::header::CONTENT_TYPE;
use serde_json::{Map, Value, json};

use crate::http::parse_query;

/// Numbers the files of one recording, in the order the exchanges ended.
static RECORDED: AtomicU64 = AtomicU64::new(0);

/// One exchange to record.
pub(super) struct Recorded<'a> {
    pub(super) method: &'a str,
    pub(super) path_and_query: &'a str,
    pub(super) operation_id: Option<&'a str>,
    pub(super) status: u16,
    pub(super) headers: &'a HeaderMap,
    pub(super) body: &'a [u8],
    /// The answer broke the contract.
    pub(super) broke_contract: bool,
}

/// Writes `exchange` as a stub file in `dir`; answers that are not JSON (pictures, XML)
/// are left out (a stub answers JSON), and said so in the log.
pub(super) fn record(dir: &Path, exchange: &Recorded<'_>) {
    let body: Option<Value> = if exchange.body.is_empty() {
        None
    } else {
        match serde_json::from_slice(exchange.body) {
            Ok(value) => Some(value),
            Err(_) => {
                tracing::info!(
                    path = exchange.path_and_query,
                    "not recorded: the answer is not JSON"
                );
                return;
            }
        }
    };
    let (path, query) = exchange
        .path_and_query
        .split_once('?')
        .unwrap_or((exchange.path_and_query, ""));
    let query: Map<String, Value> = parse_query(query)
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let mut response = json!({ "status": exchange.status });
    if let Some(body) = body {
        response["body"] = body;
    }
    if let Some(content_type) = exchange
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        response["headers"] = json!({ "content-type": content_type });
    }
    let mut matcher = json!({ "method": exchange.method, "path": path });
    if !query.is_empty() {
        matcher["query"] = Value::Object(query);
    }
    let n = RECORDED.fetch_add(1, Ordering::Relaxed) + 1;
    let name = exchange.operation_id.unwrap_or(exchange.method);
    let id = format!(
        "recorded-{n:05}-{}",
        crate::contract::types::file_stem(name)
    );
    let mut stub = json!({ "id": id, "match": matcher, "response": response });
    if exchange.broke_contract {
        stub["unchecked"] = json!(true);
    }
    let file = dir.join(format!("{id}.json"));
    let text = serde_json::to_string_pretty(&stub).unwrap_or_default();
    if let Err(err) = std::fs::write(&file, text) {
        tracing::warn!(file = %file.display(), error = %err, "not recorded");
    }
}
