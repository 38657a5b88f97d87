//! Hybrid mode (`proxy --fallback mock`), for a backend that is half built: a mock of the
//! same contract runs beside the proxy on a free loopback port (its stubs and state
//! included), and answers what the upstream does not: an operation `--mock-only` names, any
//! documented operation while the upstream cannot be reached, and a documented operation
//! the upstream answers `501`, or `404` / `405` where the page documents no such status (a
//! documented 404 is the API saying an entity is missing: that answer is passed on, held to
//! the contract).

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::http::request::Parts;
use hyper::http::response;
use wildmatch::WildMatch;

use super::headers::HOP_BY_HOP;
use super::stream::Relayed;
use crate::client::{HttpClientOf, error_chain};
use crate::contract::{Contract, Operation};
use crate::http::{AdminConfig, ApiError, ErrorKind, RunningServer};
use crate::server::{MockConfig, serve};

/// Most bytes of a mock answer relayed (the mock's own answers are bounded far below).
const MAX_MOCK_ANSWER: usize = 64 * 1024 * 1024;

/// Why the mock behind the proxy gave no answer: the one error type of this room, every
/// variant answered 502 `BadGateway`.
#[derive(Debug, thiserror::Error)]
pub(super) enum FallbackError {
    /// The request could not be built for the mock.
    #[error("{0}")]
    Request(hyper::http::Error),
    /// The mock could not be reached (the error and its causes).
    #[error("{0}")]
    Unreachable(String),
    /// The mock's answer body broke off.
    #[error("the mock's answer broke off: {0}")]
    BrokeOff(String),
    /// No whole answer by the deadline.
    #[error("the mock gave no answer in time")]
    Late,
}

impl ApiError for FallbackError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::BadGateway
    }
}

/// The mock behind the proxy.
pub(super) struct MockBackend {
    /// Its base URL (`http://127.0.0.1:PORT`).
    pub(super) url: String,
    only: Vec<WildMatch>,
    /// Runs while the proxy does (dropping it stops the mock).
    _server: RunningServer,
}

impl MockBackend {
    /// Starts a mock of `contract` configured by `config` on a free loopback port, with
    /// the proxy's admin rules; `only` are the `--mock-only` operationId globs.
    pub(super) async fn start(
        contract: Contract,
        config: MockConfig,
        admin: &AdminConfig,
        only: &[String],
    ) -> anyhow::Result<Self> {
        let config = MockConfig {
            host: "127.0.0.1".into(),
            port: 0,
            admin: admin.clone(),
            ..config
        };
        let server = serve(contract, config).await?;
        Ok(Self {
            url: server.url(),
            only: only
                .iter()
                .map(|p| WildMatch::new_case_insensitive(p))
                .collect(),
            _server: server,
        })
    }

    /// Whether `--mock-only` names operation `id`: answered by the mock, the upstream not
    /// asked.
    pub(super) fn only(&self, id: &str) -> bool {
        self.only.iter().any(|p| p.matches(id))
    }

    /// Sends the request to the mock and reads its answer, by `deadline`.
    pub(super) async fn answer(
        &self,
        client: &HttpClientOf<Relayed>,
        parts: &Parts,
        body: Bytes,
        deadline: tokio::time::Instant,
    ) -> Result<(response::Parts, Bytes), FallbackError> {
        let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        let mut request = hyper::Request::builder()
            .method(parts.method.clone())
            .uri(format!("{}{path}", self.url));
        for (name, value) in &parts.headers {
            if !HOP_BY_HOP.contains(&name.as_str()) {
                request = request.header(name, value);
            }
        }
        let request = request
            .body(Full::new(body).map_err(|never| match never {}).boxed())
            .map_err(FallbackError::Request)?;
        let exchange = async {
            let answer = client
                .request(request)
                .await
                .map_err(|e| FallbackError::Unreachable(error_chain(&e)))?;
            let (head, body) = answer.into_parts();
            let body = http_body_util::Limited::new(body, MAX_MOCK_ANSWER)
                .collect()
                .await
                .map_err(|e| FallbackError::BrokeOff(e.to_string()))?
                .to_bytes();
            Ok((head, body))
        };
        tokio::time::timeout_at(deadline, exchange)
            .await
            .unwrap_or(Err(FallbackError::Late))
    }
}

/// Why the mock answers in place of the upstream's `status` for `op`, if it does: `501`
/// (not implemented), or `404` / `405` where the page documents no such status (the route,
/// or that method on it, is not there yet).
pub(super) fn stands_in(status: u16, op: &Operation) -> Option<&'static str> {
    match status {
        501 => Some("the upstream answered 501"),
        404 if op.response(404).is_none() => Some("the upstream answered 404"),
        405 if op.response(405).is_none() => Some("the upstream answered 405"),
        _ => None,
    }
}
