//! The answer to a valid request: `Prefer` modes (example, code), a deterministic generated
//! body in the documented shape, ids and sent fields echoed, `$select` applied.

use serde_json::{Value, json};

use std::borrow::Cow;
use std::collections::BTreeMap;

use bytes::Bytes;

use super::PreferRefusal;
use super::faker::Faker;
use super::plan::{Overrides, Plan};
use super::prefer::Prefer;
use crate::contract::types::ref_target;
use crate::contract::{Operation, bodyless};
use crate::http::ErrorKind;

/// A response body, as JSON text.
#[derive(Debug, Clone)]
pub(crate) struct Body(pub(crate) Bytes);

impl Body {
    /// The body as a JSON value (for XML rendering).
    pub(crate) fn to_value(&self) -> Value {
        serde_json::from_slice(&self.0).unwrap_or(Value::Null)
    }

    /// The body as JSON bytes.
    pub(crate) fn into_json(self) -> Bytes {
        self.0
    }

    /// The body of `value` as JSON.
    pub(crate) fn of(value: &Value) -> Self {
        Body(Bytes::from(serde_json::to_vec(value).unwrap_or_default()))
    }
}

/// A response ready to be encoded.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    /// Status code.
    pub(crate) status: u16,
    /// Body, `None` for bodyless statuses.
    pub(crate) body: Option<Body>,
    /// Root element name for XML.
    pub(crate) type_name: String,
}

/// What the request carried that the response echoes.
pub(crate) struct Echo<'a> {
    /// Path parameters.
    pub(crate) path: &'a [(String, String)],
    /// Query pairs.
    pub(crate) query: &'a [(String, String)],
    /// The root members of the JSON body sent (raw key, raw value as the client wrote
    /// it), already checked to keep the contract; empty without one.
    pub(crate) body: &'a [(&'a str, &'a str)],
    /// Whether a sent raw value may stand for a root property of the answer with this
    /// status (an echoed field must not break the answer's schema).
    pub(crate) admits: &'a (dyn Fn(u16, &str, &str) -> bool + Sync),
    /// Echo the body's members whatever the method (the stateful mock answering what it
    /// stored); otherwise only POST, PUT and PATCH echo.
    pub(crate) always: bool,
}

/// Compiled generation plans of one operation, by status.
pub(crate) fn plans(op: &Operation, faker: &Faker) -> BTreeMap<u16, Plan> {
    op.statuses()
        .into_iter()
        .filter(|s| !bodyless(*s) && *s < 400)
        .filter_map(|s| op.response(s).map(|r| (s, faker.plan(&r.schema))))
        .collect()
}

/// Builds the reply for a valid request; `seed` already mixes the request and `--seed`.
pub(crate) fn respond(
    op: &Operation,
    faker: &Faker,
    plans: &BTreeMap<u16, Plan>,
    example_body: Option<&Bytes>,
    prefer: &Prefer,
    echo: &Echo,
    seed: u64,
) -> Result<Reply, PreferRefusal> {
    if prefer.example {
        let example = op.example.response.as_ref().ok_or_else(|| PreferRefusal {
            kind: ErrorKind::NoExample,
            message: format!("{} documents no sample response", op.operation_id),
        })?;
        return Ok(Reply {
            status: example.status,
            body: example_body
                .filter(|_| !bodyless(example.status))
                .map(|b| Body(b.clone())),
            type_name: type_name(op, example.status),
        });
    }
    let status = prefer.code.unwrap_or(op.success_status);
    let Some(response) = op.response(status) else {
        let codes: Vec<String> = op.statuses().iter().map(u16::to_string).collect();
        return Err(PreferRefusal {
            kind: ErrorKind::UndocumentedStatus,
            message: format!(
                "Prefer code={status}: {} documents only {}",
                op.operation_id,
                codes.join(", ")
            ),
        });
    };
    let type_name = type_name(op, status);
    if bodyless(status) {
        return Ok(Reply {
            status,
            body: None,
            type_name,
        });
    }
    let Some(plan) = plans.get(&status) else {
        let body = Value::Object(faker.error_shape().render(
            type_name_for_status(status),
            &response.description,
            status,
        ));
        return Ok(Reply {
            status,
            body: Some(Body::of(&body)),
            type_name,
        });
    };
    let overrides = overrides(op, plan, echo, status);
    let mut out = plan.buffer();
    faker.write(plan, seed, &overrides, &mut out);
    plan.wrote(out.len());
    Ok(Reply {
        status,
        body: Some(Body(Bytes::from(out))),
        type_name,
    })
}

/// What the answer takes from the request: the path parameters and the fields sent,
/// echoed where the answer's root holds them; `$select`; the limit on its lists.
fn overrides<'a>(op: &Operation, plan: &Plan, echo: &Echo<'a>, status: u16) -> Overrides<'a> {
    let mut overrides = Overrides::default();
    for (name, raw) in echo.path {
        let index = plan.path_slot(name);
        if let Some(index) = index {
            let value = if plan.root_is_integer(index) {
                // An integer written with a zero fraction (`12.0`) is that integer; a
                // value that is none is not echoed into an integer.
                match raw.parse::<i64>().ok().or_else(|| {
                    raw.parse::<f64>()
                        .ok()
                        .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                        .map(|f| f as i64)
                }) {
                    Some(n) => n.to_string(),
                    None => continue,
                }
            } else {
                Value::String(raw.clone()).to_string()
            };
            overrides.fix(index, Cow::Owned(value));
        }
    }
    // The fields sent are echoed byte for byte as the client wrote them (a later duplicate
    // key wins, as in the parsed body), where the response property admits their kind.
    if echo.always || matches!(op.method.as_str(), "POST" | "PUT" | "PATCH") {
        for &(key, value) in echo.body {
            // The stateful mock answers what the client stored, `null`s included; the
            // stateless one never repeats a placeholder.
            if let Some(index) = plan.root_position(key)
                && (echo.always || plan.root_echoes(index, value))
                && (echo.admits)(status, key, value)
            {
                overrides.fix(index, Cow::Borrowed(value));
            }
        }
    }
    if op
        .query_parameters
        .iter()
        .any(|p| p.name.eq_ignore_ascii_case("$select"))
        && let Some((_, select)) = echo
            .query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("$select"))
    {
        overrides.select = select
            .split(',')
            .map(|s| {
                s.split('/')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            })
            .filter(|s| !s.is_empty())
            .collect();
        // Names none of which the answer holds at its root select columns of something
        // else (an archive's rows): the root is answered whole.
        if !plan.has_root_property(&overrides.select) {
            overrides.select.clear();
        }
    }
    overrides.limit = requested_limit(echo);
    overrides
}

/// The number of items the request asks for at most (`$top`, `top`, `Count`, `MaxRows`,
/// `PageSize`, `Limit`, `Take`), from the query or the root of the body.
fn requested_limit(echo: &Echo) -> Option<usize> {
    const NAMES: [&str; 7] = [
        "$top", "top", "count", "maxrows", "pagesize", "limit", "take",
    ];
    let named = |key: &str| NAMES.iter().any(|n| n.eq_ignore_ascii_case(key));
    let from_query = echo
        .query
        .iter()
        .filter(|(k, _)| named(k))
        .find_map(|(_, v)| v.trim().parse::<usize>().ok());
    from_query.or_else(|| {
        echo.body
            .iter()
            .filter(|(k, _)| named(k))
            .find_map(|(_, v)| v.trim().parse::<usize>().ok())
    })
}

fn type_name_for_status(status: u16) -> &'static str {
    match status {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        409 => "Conflict",
        412 => "PreconditionFailed",
        _ => "Error",
    }
}

/// The type a response is named after (XML root element).
fn type_name(op: &Operation, status: u16) -> String {
    let schema = op.response(status).map(|r| &r.schema);
    let named = |s: &Value| {
        s.get("$ref")
            .and_then(Value::as_str)
            .and_then(ref_target)
            .map(str::to_string)
    };
    match schema {
        Some(s) if named(s).is_some() => named(s).unwrap_or_default(),
        Some(s) if s.get("type") == Some(&json!("array")) => match s.get("items").and_then(named) {
            Some(item) => format!("ArrayOf{item}"),
            None => "ArrayOfItem".to_string(),
        },
        _ => "Response".to_string(),
    }
}

/// The seed of one request: `--seed` mixed with the parts that tell requests apart, a
/// stable hash across runs and platforms. XXH3: a fixed, documented algorithm that hashes a
/// body at memory speed.
pub(crate) struct RequestSeed(xxhash_rust::xxh3::Xxh3);

impl RequestSeed {
    /// A hash seeded with `--seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Self(xxhash_rust::xxh3::Xxh3::with_seed(seed))
    }

    /// Mixes in one part, its length first (so parts never run into each other).
    pub(crate) fn part(&mut self, bytes: &[u8]) {
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    /// Mixes in `pairs` as the one part `k=v&k=v`, in the order given, without building it.
    pub(crate) fn pairs<'p>(&mut self, pairs: &[(&'p str, &'p str)]) {
        let len = pairs
            .iter()
            .map(|(k, v)| k.len() + 1 + v.len())
            .sum::<usize>()
            + pairs.len().saturating_sub(1);
        self.0.update(&(len as u64).to_le_bytes());
        for (i, (k, v)) in pairs.iter().enumerate() {
            if i > 0 {
                self.0.update(b"&");
            }
            self.0.update(k.as_bytes());
            self.0.update(b"=");
            self.0.update(v.as_bytes());
        }
    }

    /// The seed.
    pub(crate) fn finish(&self) -> u64 {
        self.0.digest()
    }
}
