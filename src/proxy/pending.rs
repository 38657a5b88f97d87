//! What the proxy gathers about one exchange as it goes (the request, the operation, the
//! violations, what answered) and how it ends: logged, counted, journaled, recorded.

use std::time::Instant;

use bytes::Bytes;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Response};

use super::ProxyState;
use super::stream::{Relayed, whole};
use crate::contract::validate::Violation;
use crate::http::ErrorKind;
use crate::http::{self, Exchange, error_response_with};
use crate::validate::MAX_VIOLATIONS;

/// What answered an exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Source {
    /// The upstream.
    Upstream,
    /// The proxy itself (a refusal, a dead or slow upstream).
    Proxy,
    /// The fallback mock (`--fallback mock`).
    Mock,
}

impl Source {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Source::Upstream => "upstream",
            Source::Proxy => "proxy",
            Source::Mock => "mock",
        }
    }
}

/// `X-Mockdown-Source`: what answered, in hybrid mode.
pub(super) static SOURCE_HEADER: HeaderName = HeaderName::from_static("x-mockdown-source");

/// What the journal and the log will say about an exchange, gathered as it goes.
pub(super) struct Pending {
    pub(super) method: Method,
    pub(super) path: String,
    pub(super) headers: HeaderMap,
    pub(super) request_body: Bytes,
    pub(super) request_bytes: u64,
    /// The operation the request routed to.
    pub(super) operation_id: Option<String>,
    pub(super) violations: Vec<Violation>,
    /// Violations found beyond the listed ones.
    pub(super) omitted: usize,
    pub(super) started: Instant,
    /// What answered.
    pub(super) source: Source,
}

impl Pending {
    /// Adds violations, keeping the list within its cap.
    pub(super) fn add(&mut self, found: impl IntoIterator<Item = Violation>) {
        for v in found {
            if self.violations.len() < MAX_VIOLATIONS {
                self.violations.push(v);
            } else {
                self.omitted += 1;
            }
        }
    }

    /// Logs the exchange and records it in the journal.
    pub(super) fn finish(
        self,
        state: &ProxyState,
        status: u16,
        headers: &HeaderMap,
        body: &[u8],
        body_bytes: u64,
    ) {
        let path = self.path.as_str();
        let method = self.method.as_str();
        let operation = self.operation_id.as_deref().unwrap_or("-");
        if let Some(dir) = state.config.record.as_deref()
            && self.source == Source::Upstream
            && body.len() as u64 == body_bytes
        {
            let broke_contract = self
                .violations
                .iter()
                .any(|v| v.location.starts_with("response"));
            super::record::record(
                dir,
                &super::record::Recorded {
                    method,
                    path_and_query: path,
                    operation_id: self.operation_id.as_deref(),
                    status,
                    headers,
                    body,
                    broke_contract,
                },
            );
        }
        let source = self.source.as_str();
        if self.violations.is_empty() {
            tracing::info!(method, path, status, operation, source, "proxied");
        } else {
            let listed: Vec<String> = self.violations.iter().map(Violation::to_string).collect();
            tracing::warn!(method, path, status, operation, violations = %listed.join("; "), "contract violation");
        }
        let label = self
            .operation_id
            .as_deref()
            .map(std::sync::Arc::<str>::from);
        state.metrics.record(
            label.as_ref(),
            status,
            source,
            self.violations.len() + self.omitted,
            self.started.elapsed(),
        );
        state.journal.record(Exchange {
            method: &self.method,
            path_and_query: path,
            request_headers: &self.headers,
            request_body: &self.request_body,
            request_bytes: self.request_bytes,
            status,
            response_headers: headers,
            response_body: body,
            response_bytes: body_bytes,
            operation_id: self.operation_id,
            violations: self.violations,
            omitted: self.omitted,
            elapsed: self.started.elapsed(),
            answered_by: std::borrow::Cow::Borrowed(source),
        });
    }

    /// Answers with an error in the API's shape (listing this exchange's violations when
    /// `list` is set), and journals it.
    pub(super) fn refuse(
        self,
        state: &ProxyState,
        kind: ErrorKind,
        message: &str,
        list: bool,
    ) -> Response<Relayed> {
        let empty: &[Violation] = &[];
        let (listed, omitted) = if list {
            (&self.violations[..], self.omitted)
        } else {
            (empty, 0)
        };
        let status = kind.status();
        let response =
            error_response_with(kind, message, listed, omitted, self.operation_id.as_deref());
        let (mut response, body) = http::full_bytes(response);
        if state.mock.is_some() {
            response
                .headers_mut()
                .insert(SOURCE_HEADER.clone(), HeaderValue::from_static("proxy"));
        }
        let mut this = self;
        this.source = Source::Proxy;
        this.finish(state, status, response.headers(), &body, body.len() as u64);
        whole(response)
    }
}

/// One violation found by the proxy itself (a route, a timeout, an unfinished check).
pub(super) fn violation(location: &str, keyword: &str, expected: &str, found: String) -> Violation {
    Violation {
        location: location.into(),
        pointer: String::new(),
        keyword: keyword.into(),
        expected: expected.into(),
        found,
    }
}
