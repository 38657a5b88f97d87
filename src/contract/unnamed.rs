//! Unnamed bodies: which named type a request body or an unnamed response table is.
//!
//! - A request body is the entity its description or parameter name names (also as
//!   `NameEntity`), or the page's own response type, when its rows (or its sample's keys)
//!   agree with what that type is known to hold.
//! - An unnamed response table (`Response body: array`, `object`, or a rejected heading) is a
//!   named type when it matches that type closely by structure alone.

use std::collections::{BTreeMap, BTreeSet};

use super::tables::{objects_of, request_sample, success_sample, words};
use super::types::{TypeCell, classify};
use crate::docs::Page;

/// Share of a request table's rows the claimed type must hold, when the description (or
/// the page's response) names the type: a save body is the entity with a few rows of its
/// own at most; below this, the body is another shape that happens to share a name
/// (an `agent` argument object), and it stays inline.
const REQUEST_COVERAGE: f64 = 0.8;

/// Similarity (shared / all keys) a request table must have with the claimed type: a body
/// that lists a few of a large entity's properties (an id and a name) is no instance of it.
const REQUEST_SIMILARITY: f64 = 0.6;

/// Share of an unnamed table's rows a type must hold to be taken for it by structure alone:
/// stricter than [`REQUEST_COVERAGE`], since no page names the type to back the match.
const STRUCT_COVERAGE: f64 = 0.9;

/// Similarity an unnamed table must have with a type to be taken for it by structure alone
/// (stricter than [`REQUEST_SIMILARITY`], for the same reason).
const STRUCT_SIMILARITY: f64 = 0.7;

/// Fewest rows an unnamed table needs to be matched by structure alone: with two rows
/// (`Mask`, `Reason`) many types match equally well.
const STRUCT_MIN_KEYS: usize = 3;

/// Whether a page's response body is a list (`Response:array`, or an array sample).
pub(super) fn is_list(page: &Page) -> bool {
    let declared = page.response.as_ref().is_some_and(|r| {
        [Some(r.type_text.as_str()), r.body_type.as_deref()]
            .into_iter()
            .flatten()
            .any(|t| classify(t) == TypeCell::Array)
    });
    declared || matches!(success_sample(page), Some(serde_json::Value::Array(_)))
}

/// The keys a response body shows: its table rows, else its sample's keys.
pub(super) fn response_keys(page: &Page) -> BTreeSet<String> {
    match &page.response {
        Some(resp) => keys_of(&resp.properties, success_sample(page)),
        None => BTreeSet::new(),
    }
}

/// The names of `rows`, else the keys of the objects in `sample`.
fn keys_of(
    rows: &[crate::docs::PropertyDoc],
    sample: Option<&serde_json::Value>,
) -> BTreeSet<String> {
    if !rows.is_empty() {
        return rows.iter().map(|r| r.name.clone()).collect();
    }
    sample
        .map(|s| {
            objects_of(s)
                .into_iter()
                .flat_map(|o| o.keys().cloned())
                .collect()
        })
        .unwrap_or_default()
}

/// The named type an unnamed table is by structure alone: nearly all its rows are the
/// type's properties and nearly all the type's properties are rows (shortest name on ties).
pub(super) fn structural_owner(
    keys: &BTreeSet<String>,
    known: &BTreeMap<String, BTreeSet<String>>,
) -> Option<String> {
    if keys.len() < STRUCT_MIN_KEYS {
        return None;
    }
    let mut best: Option<(f64, &str)> = None;
    for (name, type_keys) in known {
        // Similarity is at most the ratio of the two sizes: skip what cannot reach it.
        let (small, large) = (
            keys.len().min(type_keys.len()),
            keys.len().max(type_keys.len()),
        );
        if (small as f64) < STRUCT_SIMILARITY * large as f64 {
            continue;
        }
        let shared = keys.intersection(type_keys).count();
        let coverage = shared as f64 / keys.len() as f64;
        let similarity = shared as f64 / (keys.len() + type_keys.len() - shared).max(1) as f64;
        if coverage < STRUCT_COVERAGE || similarity < STRUCT_SIMILARITY {
            continue;
        }
        let better = match best {
            None => true,
            Some((s, n)) => similarity > s || (similarity == s && name.len() < n.len()),
        };
        if better {
            best = Some((similarity, name));
        }
    }
    best.map(|(_, n)| n.to_string())
}

/// The keys a request body shows: its table rows, else its sample's keys.
pub(super) fn request_keys(page: &Page) -> BTreeSet<String> {
    match &page.request_body {
        Some(body) => keys_of(&body.properties, request_sample(page)),
        None => BTreeSet::new(),
    }
}

/// The named type a request body is: one its description or parameter name names (also as
/// `NameEntity`), or the page's own response type, whose known properties agree with the
/// body's table (or sample).
pub(super) fn request_owner(
    page: &Page,
    response: Option<&str>,
    known: &BTreeMap<String, BTreeSet<String>>,
) -> Option<String> {
    let body = page.request_body.as_ref()?;
    let keys = request_keys(page);
    if keys.is_empty() {
        return None;
    }
    let mut candidates: Vec<String> = Vec::new();
    let capitalized = |w: &str| {
        let mut chars = w.chars();
        chars
            .next()
            .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
            .unwrap_or_default()
    };
    for word in words(&body.description).chain(words(&body.name)) {
        let word = capitalized(word);
        candidates.push(format!("{word}Entity"));
        candidates.push(word);
    }
    candidates.extend(response.map(str::to_string));
    let named = best_named(&keys, &candidates, known);
    named.or_else(|| structural_owner(&keys, known))
}

fn best_named(
    keys: &BTreeSet<String>,
    candidates: &[String],
    known: &BTreeMap<String, BTreeSet<String>>,
) -> Option<String> {
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let Some((name, type_keys)) = known.get_key_value(candidate.as_str()) else {
            continue;
        };
        let shared = keys.intersection(type_keys).count();
        let coverage = shared as f64 / keys.len() as f64;
        let similarity = shared as f64 / (keys.len() + type_keys.len() - shared).max(1) as f64;
        if coverage >= REQUEST_COVERAGE
            && similarity >= REQUEST_SIMILARITY
            && best.is_none_or(|(s, _)| similarity > s)
        {
            best = Some((similarity, name));
        }
    }
    best.map(|(_, n)| n.to_string())
}
