//! The explorer's data, derived from the full contract (descriptions and `x-mockdown-*`
//! facts included): the group each operation is listed under, the property and type names
//! the search looks through, and the prefilled "try it" request.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

use crate::contract::Operation;
use crate::contract::types::{plausible_text, ref_target};

/// Whether a group is an agent (RPC-style `Agents/X/Method`) or a REST entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum GroupKind {
    /// `/api/v1/Agents/Contact/...`, `v1ContactAgent_*`.
    Agent,
    /// `/api/v1/Contact/...`, `v1ContactEntity_*`.
    Rest,
}

/// The agent or REST entity an operation is listed under.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub(crate) struct Group {
    /// Agents before REST entities.
    pub kind: GroupKind,
    /// What the page shows: `Contact agent`, `Contact`, `List/Category`.
    pub label: String,
    /// Stable key: `agent/Contact`, `rest/Contact`, `rest/List/Category`.
    pub key: String,
}

impl Group {
    fn agent(name: &str) -> Self {
        Self {
            kind: GroupKind::Agent,
            label: format!("{name} agent"),
            key: format!("agent/{name}"),
        }
    }

    fn rest(name: &str) -> Self {
        Self {
            kind: GroupKind::Rest,
            label: name.to_string(),
            key: format!("rest/{name}"),
        }
    }
}

/// The group of an operation, from its path (`/api/v1/Agents/Contact/...` → `Contact
/// agent`, `/api/v1/Contact/{id}` → `Contact`, `/api/v1/List/Category/Items` →
/// `List/Category`), else from its operationId (`v1ContactAgent_X` → `Contact agent`,
/// `v1ContactEntity_X` → `Contact`).
pub(crate) fn group_of(op: &Operation) -> Group {
    let segments: Vec<&str> = op.path.split('/').filter(|s| !s.is_empty()).collect();
    let mut rest = &segments[..];
    if rest.first().is_some_and(|s| s.eq_ignore_ascii_case("api")) {
        rest = &rest[1..];
    }
    if rest.first().is_some_and(|s| is_version(s)) {
        rest = &rest[1..];
    }
    let literal = |s: &str| !s.contains('{');
    match rest {
        [agents, name, ..] if agents.eq_ignore_ascii_case("agents") && literal(name) => {
            Group::agent(name)
        }
        [list, name, ..]
            if list.eq_ignore_ascii_case("list")
                && literal(name)
                && !name.eq_ignore_ascii_case("default") =>
        {
            Group::rest(&format!("List/{name}"))
        }
        [list, _, items, ..]
            if list.eq_ignore_ascii_case("list") && items.eq_ignore_ascii_case("items") =>
        {
            Group::rest("List/Items")
        }
        [first, ..] if literal(first) && !first.eq_ignore_ascii_case("agents") => {
            Group::rest(first)
        }
        _ => group_of_operation_id(&op.operation_id),
    }
}

/// `v1`, `v2`, ...
fn is_version(segment: &str) -> bool {
    segment
        .strip_prefix(['v', 'V'])
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// `v1ContactAgent_X` → `Contact agent`; `v1ContactEntity_X` → `Contact`; `Other` when
/// the id has no prefix.
fn group_of_operation_id(id: &str) -> Group {
    let Some((prefix, _)) = id.split_once('_') else {
        return Group::rest("Other");
    };
    let prefix = match prefix.strip_prefix(['v', 'V']) {
        Some(tail) if tail.starts_with(|c: char| c.is_ascii_digit()) => {
            tail.trim_start_matches(|c: char| c.is_ascii_digit())
        }
        _ => prefix,
    };
    match prefix.strip_suffix("Agent") {
        Some(name) if !name.is_empty() => Group::agent(name),
        _ => {
            let name = prefix.strip_suffix("Entity").unwrap_or(prefix);
            Group::rest(if name.is_empty() { "Other" } else { name })
        }
    }
}

/// Property names and named types a schema mentions (inline objects and arrays walked;
/// a `$ref` contributes its type's name, not its properties).
#[derive(Debug, Default)]
pub(super) struct Mentions {
    /// Property names, at any depth of the inline schema.
    pub props: BTreeSet<String>,
    /// Named types referred to.
    pub types: BTreeSet<String>,
}

impl Mentions {
    /// Everything `schema` mentions, added.
    pub(super) fn walk(&mut self, schema: &Value) {
        match schema {
            Value::Object(map) => {
                for (key, value) in map {
                    match (key.as_str(), value) {
                        ("$ref", Value::String(reference)) => {
                            if let Some(name) = ref_target(reference) {
                                self.types.insert(name.to_string());
                            }
                        }
                        ("properties", Value::Object(props)) => {
                            for (name, prop) in props {
                                self.props.insert(name.clone());
                                self.walk(prop);
                            }
                        }
                        (
                            "items"
                            | "additionalProperties"
                            | "if"
                            | "then"
                            | "else"
                            | "anyOf"
                            | "oneOf"
                            | "allOf"
                            | "not"
                            | "prefixItems",
                            value,
                        ) => self.walk(value),
                        _ => {}
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|s| self.walk(s)),
            _ => {}
        }
    }

    /// What an operation's parameters, request body and responses mention.
    pub(super) fn of_operation(op: &Operation) -> Self {
        let mut mentions = Self::default();
        for p in op.path_parameters.iter().chain(&op.query_parameters) {
            mentions.props.insert(p.name.clone());
            mentions.walk(&p.schema);
        }
        if let Some(body) = &op.request_body {
            mentions.walk(&body.schema);
        }
        for response in op.responses.values() {
            mentions.walk(&response.schema);
        }
        mentions
    }
}

/// The first sentence of a summary (at most about 110 characters), for the index.
pub(super) fn short_summary(summary: &str) -> String {
    let first = summary.trim().lines().next().unwrap_or_default().trim();
    let sentence = match first.find(". ") {
        Some(end) => &first[..=end],
        None => first,
    };
    if sentence.chars().count() <= 110 {
        return sentence.to_string();
    }
    let cut: String = sentence.chars().take(107).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

/// The request "try it" starts from: the documented sample, made concrete.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TryIt {
    /// Method.
    pub method: String,
    /// Path with every `{parameter}` filled (no query string).
    pub path: String,
    /// One pair per documented query parameter (value empty when nothing suggests one),
    /// then any other pair the sample's path carries.
    pub query: Vec<(String, String)>,
    /// Headers to send besides the sample's (which the page takes from the operation's
    /// example): credentials and a Content-Type where the sample shows none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extra_headers: Vec<(String, String)>,
    /// Whether the page documents the request (else it is made from the template).
    pub documented: bool,
}

/// Credentials the mock accepts (any `Basic` value does), for samples that show none.
const SAMPLE_AUTH: &str = "Basic bW9ja2Rvd246bW9ja2Rvd24=";

/// The prefilled request of an operation.
pub(crate) fn try_it(op: &Operation) -> TryIt {
    let sample = op.example.request.as_ref();
    let written = sample.map_or(op.path.as_str(), |s| s.path.as_str());
    let (written_path, written_query) = written.split_once('?').unwrap_or((written, ""));
    let path = fill_path(&op.path, written_path, op);
    let sample_pairs: Vec<(String, String)> = form_urlencoded::parse(written_query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut query = Vec::new();
    for param in &op.query_parameters {
        let found = |pairs: &[(String, String)]| {
            pairs
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(&param.name))
                .map(|(_, v)| v.clone())
        };
        let value = found(&sample_pairs)
            .or_else(|| op.query_examples.iter().find_map(|pairs| found(pairs)))
            .or_else(|| param.required.then(|| plausible_text(&param.schema)))
            .unwrap_or_default();
        query.push((param.name.clone(), value));
    }
    for (k, v) in &sample_pairs {
        if !query.iter().any(|(name, _)| name.eq_ignore_ascii_case(k)) {
            query.push((k.clone(), v.clone()));
        }
    }
    let headers = sample.map_or(&[][..], |s| &s.headers[..]);
    let has = |name: &str| headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
    let mut extra_headers = Vec::new();
    if !has("authorization") && !has("x-xsrf-token") {
        extra_headers.push(("Authorization".into(), SAMPLE_AUTH.into()));
    }
    if sample.is_some_and(|s| s.body.is_some()) && !has("content-type") {
        extra_headers.push(("Content-Type".into(), "application/json".into()));
    }
    TryIt {
        method: sample.map_or_else(|| op.method.clone(), |s| s.method.to_ascii_uppercase()),
        path,
        query,
        extra_headers,
        documented: sample.is_some(),
    }
}

/// The template with each `{name}` replaced: by the value the sample writes in that
/// segment, else a plausible value of the parameter's type.
fn fill_path(template: &str, written: &str, op: &Operation) -> String {
    let written: Vec<&str> = written.split('/').collect();
    let template: Vec<&str> = template.split('/').collect();
    let aligned = written.len() == template.len();
    template
        .iter()
        .enumerate()
        .map(|(i, seg)| {
            let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
                return (*seg).to_string();
            };
            let concrete = written
                .get(i)
                .filter(|w| aligned && !w.is_empty() && !w.contains('{'));
            match concrete {
                Some(value) => (*value).to_string(),
                None => op
                    .path_parameters
                    .iter()
                    .find(|p| p.name.eq_ignore_ascii_case(name))
                    .map_or_else(|| "1".to_string(), |p| plausible_text(&p.schema)),
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}
