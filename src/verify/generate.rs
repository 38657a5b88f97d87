//! `verify --generate N`: requests made from an operation's request schema, deterministic
//! under `--seed`: every field, only the required ones, the high and low boundaries, each
//! documented query example, each value of each complete enum, then seeded random ones.
//! Ids in paths and queries are fresh per case (never an edge a delete could have hit), and
//! the values file's entries stay on top. Every case keeps the contract before it is sent.

use serde_json::{Map, Value, json};

use super::case::{Case, Expect, Mode, Request};
use super::fill::{Fill, Filler};
use super::local::LocalCheck;
use super::values::{OpValues, text};
use crate::contract::types::{primary_type, resolve_ref};
use crate::contract::{Operation, Parameter};

/// What the generation of one operation needs.
pub(crate) struct Source<'a> {
    /// The operation.
    pub(crate) op: &'a Operation,
    /// The contract's named types.
    pub(crate) types: &'a std::collections::BTreeMap<String, Value>,
    /// The API's facts (the primary keys).
    pub(crate) profile: &'a crate::contract::profile::ApiProfile,
    /// The request every case starts from (method, headers, required query values).
    pub(crate) base: &'a Request,
    /// The values file's entry for the operation.
    pub(crate) values: Option<&'a OpValues>,
    /// The run's seed.
    pub(crate) seed: u64,
}

/// A stable 64-bit hash (FNV-1a) of `parts`: the same on every machine and release.
pub(crate) fn stable_hash(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0xff]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// An id no other case of the run sends: in `100000..2000000000`, from the seed, the
/// operation and the case.
pub(crate) fn fresh_id(seed: u64, op: &str, case: &str, param: &str) -> i64 {
    let hash = stable_hash(&[&seed.to_string(), op, case, param]);
    100_000 + (hash % 1_999_900_000) as i64
}

/// Whether a parameter names an entity: an integer path parameter, or an integer query
/// parameter named `…Id`.
pub(crate) fn is_id(param: &Parameter, in_path: bool) -> bool {
    primary_type(&param.schema) == Some("integer")
        && (in_path || param.name.to_ascii_lowercase().ends_with("id"))
}

/// A query value as text (lists comma-separated).
fn query_text(value: &Value) -> String {
    match value {
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(","),
        other => text(other),
    }
}

/// Whether a query parameter gets a made-up value: typed ones do; free text only comes
/// from the page's example URLs (a made-up `$filter` or `$select` means nothing).
fn typed(param: &Parameter) -> bool {
    param.schema.get("enum").is_some()
        || param.schema.get("format").is_some()
        || !matches!(primary_type(&param.schema), Some("string") | None)
}

impl Source<'_> {
    /// The request of one strategy.
    fn request(&self, label: &str, fill: Fill, filler: &mut Filler) -> Request {
        let op = self.op;
        let mut request = self.base.clone();
        let given_path = |name: &str| {
            self.values
                .is_some_and(|v| v.path.keys().any(|k| k.eq_ignore_ascii_case(name)))
        };
        let given_query = |name: &str| {
            self.values
                .is_some_and(|v| v.query.keys().any(|k| k.eq_ignore_ascii_case(name)))
        };
        for param in &op.path_parameters {
            if given_path(&param.name) || !is_id(param, true) {
                continue;
            }
            let id = fresh_id(self.seed, &op.operation_id, label, &param.name);
            if let Some(pair) = request
                .path
                .iter_mut()
                .find(|(k, _)| k.eq_ignore_ascii_case(&param.name))
            {
                pair.1 = id.to_string();
            }
        }
        for param in &op.query_parameters {
            if given_query(&param.name) {
                continue;
            }
            if is_id(param, false) {
                if param.required || fill != Fill::Required {
                    let id = fresh_id(self.seed, &op.operation_id, label, &param.name);
                    request.set_query(&param.name, id.to_string());
                }
                continue;
            }
            if param.required {
                continue;
            }
            let wanted = match fill {
                Fill::Required => false,
                Fill::Random => filler.below(2) == 0,
                _ => true,
            };
            if !wanted {
                continue;
            }
            // Free text (`$select`, `$filter`) only as the page's example URLs write it:
            // those are cases of their own.
            if typed(param) {
                let value = filler.value(&param.schema, fill);
                request.set_query(&param.name, query_text(&value));
            }
        }
        request.body = self.body(fill, filler);
        request
    }

    /// The body of one strategy (with the values file's body merged over it).
    fn body(&self, fill: Fill, filler: &mut Filler) -> Option<Value> {
        let spec = self.op.request_body.as_ref()?;
        if !json_body(self.op) {
            return None;
        }
        let made = if patch_body(self.op) {
            Some(self.patch(fill, filler))
        } else if fill == Fill::Required && !spec.required {
            None
        } else {
            Some(filler.value(&spec.schema, fill))
        };
        match (made, self.values.and_then(|v| v.body.as_ref())) {
            (Some(Value::Object(mut made)), Some(Value::Object(top))) => {
                made.extend(top.clone());
                Some(Value::Object(made))
            }
            (_, Some(top)) => Some(top.clone()),
            (made, None) => made,
        }
    }

    /// A JSON Patch (RFC 6902) of the entity the operation answers: `add` operations on
    /// its plain root fields (none for the required-only case), or, for some random
    /// cases, a merge patch of the same fields.
    fn patch(&self, fill: Fill, filler: &mut Filler) -> Value {
        let answer = self.op.response(self.op.success_status).map(|r| &r.schema);
        let entity = answer.map(|schema| resolve_ref(self.types, schema));
        let key = answer
            .and_then(|schema| schema.get("$ref")?.as_str())
            .and_then(crate::contract::types::ref_target)
            .and_then(|name| self.profile.primary_key(name));
        let fields: Vec<(&String, &Value)> = entity
            .and_then(|e| e.get("properties"))
            .and_then(Value::as_object)
            .map(|props| {
                props
                    .iter()
                    .filter(|(name, _)| Some(name.as_str()) != key)
                    .filter(|(_, schema)| plain_field(resolve_ref(self.types, schema)))
                    .collect()
            })
            .unwrap_or_default();
        let count = match fill {
            Fill::Required => 0,
            Fill::Max => fields.len(),
            Fill::Random => 1 + filler.below(3),
            Fill::All | Fill::Min => 3,
        };
        let chosen: Vec<(&String, &Value)> = if fill == Fill::Random {
            let mut pool = fields.clone();
            let mut chosen = Vec::new();
            while chosen.len() < count && !pool.is_empty() {
                chosen.push(pool.remove(filler.below(pool.len())));
            }
            chosen
        } else {
            fields.iter().take(count).copied().collect()
        };
        if fill == Fill::Random && filler.below(2) == 0 {
            let merge: Map<String, Value> = chosen
                .iter()
                .map(|(name, schema)| ((*name).clone(), filler.value(schema, fill)))
                .collect();
            return Value::Object(merge);
        }
        Value::Array(
            chosen
                .iter()
                .map(|(name, schema)| {
                    json!({"op": "add", "path": format!("/{name}"), "value": filler.value(schema, fill)})
                })
                .collect(),
        )
    }
}

/// Why `op` gets no made-up requests, if it does not: a body that must be sent in a media
/// type other than JSON (a picture, a form) is not made up.
pub(crate) fn not_made(op: &Operation) -> Option<String> {
    let spec = op.request_body.as_ref()?;
    (spec.required && !json_body(op)).then(|| {
        format!(
            "the body is {}, not JSON: no request is made up",
            spec.content_types.join(", ")
        )
    })
}

/// Whether `op`'s body may be sent as JSON.
fn json_body(op: &Operation) -> bool {
    op.request_body.as_ref().is_some_and(|spec| {
        spec.content_types
            .iter()
            .any(|ct| crate::contract::media::is_json(&crate::contract::media::media_type(ct)))
    })
}

/// Whether `op` takes a patch document (a PATCH whose body is a JSON Patch or a merge
/// patch).
pub(crate) fn patch_body(op: &Operation) -> bool {
    op.method == "PATCH"
        && op.request_body.as_ref().is_some_and(|b| {
            b.schema.get("if").is_some() || b.content_types.iter().any(|c| c.contains("json-patch"))
        })
}

/// A root field a patch may change: a string, number or boolean (the callers leave the
/// entity's primary key out, by the profile's name).
pub(crate) fn plain_field(schema: &Value) -> bool {
    matches!(primary_type(schema), Some("string" | "number" | "boolean"))
        && schema.get("format").and_then(Value::as_str) != Some("byte")
}

/// Places of a body where a complete enum stands: (JSON pointer, its values).
fn enum_places(
    value: &Value,
    schema: &Value,
    types: &std::collections::BTreeMap<String, Value>,
    pointer: String,
    out: &mut Vec<(String, Vec<Value>)>,
) {
    let schema = resolve_ref(types, schema);
    if let Some(members) = schema.get("enum").and_then(Value::as_array) {
        if members.len() > 1 {
            out.push((pointer, members.clone()));
        }
        return;
    }
    match value {
        Value::Object(map) => {
            let Some(props) = schema.get("properties").and_then(Value::as_object) else {
                return;
            };
            for (key, child) in map {
                if let Some(prop) = props.get(key) {
                    let escaped = key.replace('~', "~0").replace('/', "~1");
                    enum_places(child, prop, types, format!("{pointer}/{escaped}"), out);
                }
            }
        }
        Value::Array(items) => {
            if let (Some(first), Some(item)) = (items.first(), schema.get("items")) {
                enum_places(first, item, types, format!("{pointer}/0"), out);
            }
        }
        _ => {}
    }
}

/// The generated cases of one operation: at most `n`, distinct, each keeping the contract
/// (`dropped` counts those that did not, a generator defect: they are not sent).
pub(crate) fn generated(
    source: &Source<'_>,
    local: &LocalCheck<'_>,
    n: usize,
    dropped: &mut usize,
) -> Vec<Case> {
    let op = source.op;
    let mut filler = Filler::new(
        source.types,
        stable_hash(&[&source.seed.to_string(), &op.operation_id]),
    );
    let mut cases: Vec<Case> = Vec::new();
    let mut push = |cases: &mut Vec<Case>, label: String, request: Request| {
        if cases.len() >= n || cases.iter().any(|c| same(&c.request, &request)) {
            return;
        }
        if local.keeps(&request) {
            cases.push(Case {
                mode: Mode::Generate,
                label,
                request,
                expect: Expect::Success,
            });
        } else {
            *dropped += 1;
        }
    };
    let strategies = [
        ("all fields", Fill::All),
        ("required only", Fill::Required),
        ("boundary max", Fill::Max),
        ("boundary min", Fill::Min),
    ];
    let all = source.request("all fields", Fill::All, &mut filler);
    for (label, fill) in strategies {
        let request = source.request(label, fill, &mut filler);
        push(&mut cases, label.to_string(), request);
    }
    // The page's example URLs, each over the every-field request.
    for (i, example) in op.query_examples.iter().enumerate() {
        let mut request = all.clone();
        for (name, value) in example {
            request.set_query(name, value.clone());
        }
        push(&mut cases, format!("query example {}", i + 1), request);
    }
    // Each value of each complete enum: query parameters, path parameters, body places.
    let places = enumerated(source, &all);
    let widest = places.iter().map(|(_, m)| m.len()).max().unwrap_or(0);
    for round in 0..widest {
        for (place, members) in &places {
            let Some(member) = members.get(round) else {
                continue;
            };
            let request = with_member(&all, place, member);
            push(
                &mut cases,
                format!("enum {place} = {}", text(member)),
                request,
            );
        }
    }
    // Seeded random cases for the rest.
    let mut attempt = 0;
    while cases.len() < n && attempt < 3 * n {
        attempt += 1;
        let label = format!("random {attempt}");
        let request = source.request(&label, Fill::Random, &mut filler);
        push(&mut cases, label, request);
    }
    cases
}

/// The places of a complete enum in `source`'s operation, each with its members: query
/// parameters, path parameters, then places in the body of `all` (the every-field request).
fn enumerated(source: &Source<'_>, all: &Request) -> Vec<(String, Vec<Value>)> {
    let op = source.op;
    let mut places: Vec<(String, Vec<Value>)> = Vec::new();
    for param in &op.query_parameters {
        if let Some(members) = param.schema.get("enum").and_then(Value::as_array) {
            places.push((format!("query {}", param.name), members.clone()));
        }
    }
    for param in &op.path_parameters {
        if let Some(members) = param.schema.get("enum").and_then(Value::as_array) {
            places.push((format!("path {}", param.name), members.clone()));
        }
    }
    if let (Some(body), Some(spec)) = (&all.body, &op.request_body) {
        let mut found = Vec::new();
        enum_places(body, &spec.schema, source.types, String::new(), &mut found);
        places.extend(found.into_iter().map(|(p, m)| (format!("body {p}"), m)));
    }
    places
}

/// The every-field request `all` with `member` of the enum at `place` (`query NAME`,
/// `path NAME`, `body POINTER`).
fn with_member(all: &Request, place: &str, member: &Value) -> Request {
    let mut request = all.clone();
    if let Some(name) = place.strip_prefix("query ") {
        request.set_query(name, text(member));
    } else if let Some(name) = place.strip_prefix("path ") {
        if let Some(pair) = request.path.iter_mut().find(|(k, _)| k == name) {
            pair.1 = text(member);
        }
    } else if let Some(pointer) = place.strip_prefix("body ")
        && let Some(slot) = request.body.as_mut().and_then(|b| b.pointer_mut(pointer))
    {
        *slot = member.clone();
    }
    request
}

/// Whether two requests send the same thing.
fn same(a: &Request, b: &Request) -> bool {
    a.method == b.method && a.path_and_query() == b.path_and_query() && a.body == b.body
}
