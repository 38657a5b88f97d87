//! A request routed to an operation, answered: its credentials, parameters and body
//! checked, the answer negotiated, its data seeded by the request, stored state or a
//! generated answer, the latency waited.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::Response;
use hyper::body::Incoming;
use hyper::header::{ACCEPT, CONTENT_TYPE, HeaderName};
use hyper::http::request::Parts;

use super::encode::{encode, negotiate};
use super::state::{MockState, Prepared};
use super::stateful;
use crate::contract::Operation;
use crate::generate::{self, Echo, Prefer, PreferRefusal, Reply, RequestSeed};
use crate::http::ErrorKind;
use crate::http::{parse_query, read_body};
use crate::validate::{Rejection, SentJson};

/// `Prefer`: example, code, dynamic, slow.
pub(super) static PREFER: HeaderName = HeaderName::from_static("prefer");

/// A request routed to an operation.
pub(super) struct Routed<'a> {
    /// The operation's index.
    pub(super) index: usize,
    /// The operation, prepared.
    pub(super) prepared: &'a Arc<super::state::Prepared>,
    /// Its path parameters.
    pub(super) path_params: &'a [(String, String)],
    /// Answer a documented error status (the `error` fault).
    pub(super) error: bool,
}

/// Reads a request body within the limits.
pub(super) async fn read(
    state: &MockState,
    parts: &Parts,
    incoming: Incoming,
) -> Result<Bytes, Rejection> {
    Ok(read_body(
        incoming,
        &parts.headers,
        state.config.max_body_bytes,
        state.config.limits.body_timeout,
    )
    .await?)
}

/// The answer to a routed request, and what made it (`generated`, `example`, `state`).
pub(super) async fn answer(
    state: &Arc<MockState>,
    routed: &Routed<'_>,
    parts: &Parts,
    incoming: Option<Incoming>,
    body_slot: &mut Bytes,
) -> Result<(Response<Full<Bytes>>, &'static str), Rejection> {
    let (index, prepared, path_params) = (routed.index, routed.prepared, routed.path_params);
    let op = &prepared.op;
    let headers = &parts.headers;
    let header = |name: &HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let query = parse_query(parts.uri.query().unwrap_or_default());
    super::checks::credentials_and_params(state, prepared, parts, path_params, &query)?;
    let mut prefer = Prefer::parse(
        headers
            .get_all(&PREFER)
            .iter()
            .filter_map(|v| v.to_str().ok()),
    )?;
    let format = negotiate(header(&ACCEPT), &op.accept)?;
    if let Some(incoming) = incoming {
        *body_slot = read(state, parts, incoming).await?;
    }
    let sent = super::bodies::check(state, prepared, header(&CONTENT_TYPE), body_slot).await?;
    let body = &**body_slot;
    let seed = request_seed(
        state.config.seed,
        &op.operation_id,
        path_params,
        &query,
        body,
    );
    if routed.error {
        inject_error(op, seed, &mut prefer)?;
    }
    let stored = if state.config.stateful {
        let ask = stateful::Ask {
            path: path_params,
            query: &query,
            body,
            prefer: &prefer,
            seed,
        };
        stateful::answer(state, index, prepared, &ask).await?
    } else {
        None
    };
    let answered_by = match (&stored, prefer.example) {
        (Some(_), _) => "state",
        (None, true) => "example",
        (None, false) => "generated",
    };
    let reply = match stored {
        Some(reply) => reply,
        None => generated(
            state,
            prepared,
            sent.as_ref(),
            path_params,
            &query,
            &prefer,
            seed,
        )?,
    };
    delay(state, op, &prefer).await;
    Ok((
        encode(reply, format, header(&ACCEPT), &prepared.operation_header),
        answered_by,
    ))
}

/// The generated answer (or the documented sample, as `prefer` asks), echoing the path
/// parameters, the query and the root members of the JSON body `sent`, where the answer's
/// schema admits them.
fn generated(
    state: &MockState,
    prepared: &Prepared,
    sent: Option<&SentJson<'_>>,
    path_params: &[(String, String)],
    query: &[(String, String)],
    prefer: &Prefer,
    seed: u64,
) -> Result<Reply, PreferRefusal> {
    let members = sent.as_ref().map(|s| s.members());
    let admits = |status: u16, key: &str, value: &str| {
        prepared
            .echo
            .get(&status)
            .is_none_or(|check| check.admits(key, value))
    };
    let echo = Echo {
        path: path_params,
        query,
        body: members.as_deref().unwrap_or_default(),
        admits: &admits,
        always: false,
    };
    generate::respond(
        &prepared.op,
        &state.faker,
        &prepared.plans,
        prepared.example.as_ref(),
        prefer,
        &echo,
        seed,
    )
}

/// The seed of a request's data: `--seed` (`base`), the operation, its path parameters,
/// its query pairs (in a stable order) and its body.
fn request_seed(
    base: u64,
    operation_id: &str,
    path_params: &[(String, String)],
    query: &[(String, String)],
    body: &[u8],
) -> u64 {
    let mut seed = RequestSeed::new(base);
    seed.part(operation_id.as_bytes());
    seed.pairs(&pairs(path_params));
    // Query pairs in a stable order, so `?a=1&b=2` and `?b=2&a=1` give the same data.
    let mut sorted = pairs(query);
    sorted.sort_by(|(k1, v1), (k2, v2)| joined(k1, v1).cmp(joined(k2, v2)));
    seed.pairs(&sorted);
    seed.part(body);
    seed.finish()
}

/// Makes the answer a documented error status of the operation (picked by the request's
/// seed), in the shape its page documents, as the `error` fault asks; a generic 500 where
/// it documents none.
fn inject_error(op: &Operation, seed: u64, prefer: &mut Prefer) -> Result<(), Rejection> {
    let errors: Vec<u16> = op.statuses().into_iter().filter(|&s| s >= 400).collect();
    if errors.is_empty() {
        return Err(Rejection::new(
            ErrorKind::InjectedFault,
            format!(
                "a fault was injected (Prefer fault=error or --fault-rate); {} documents no error status",
                op.operation_id
            ),
        ));
    }
    prefer.code = Some(errors[(seed % errors.len() as u64) as usize]);
    prefer.example = false;
    Ok(())
}

/// Waits the `--latency`, and past the slow threshold with `Prefer: slow`.
async fn delay(state: &MockState, op: &Operation, prefer: &Prefer) {
    let mut delay = state.config.latency;
    if prefer.slow {
        // The page's threshold, else the one the profile has (a default when no page
        // gives one).
        delay += Duration::from_millis(state.profile.slow_ms(op.slow_threshold_ms) + 1);
    }
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
}

/// Borrowed pairs.
fn pairs(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// The bytes of `k=v`, without building it (the order query pairs are hashed in).
fn joined<'a>(k: &'a str, v: &'a str) -> impl Iterator<Item = u8> + 'a {
    k.bytes().chain(std::iter::once(b'=')).chain(v.bytes())
}
