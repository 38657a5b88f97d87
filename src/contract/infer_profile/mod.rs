//! Inference of the [`ApiProfile`]: once, by the contract build, from the contract (not
//! yet compacted: descriptions and header rows are read) and the samples the docs stage
//! found on pages that are not reference pages.

mod errors;
mod keys;
mod verbs;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde_json::Value;

use super::model::Operation;
use super::profile::{ApiProfile, Fact, Verbs};
use crate::docs::ShownSample;

/// Infers the profile of a contract (not yet compacted: descriptions and header rows are
/// read) and of the samples shown on pages that are not reference pages.
pub(crate) fn infer(
    operations: &[Operation],
    types: &BTreeMap<String, Value>,
    shown: &[ShownSample],
) -> ApiProfile {
    let fallback = ApiProfile::default();
    let (auth_schemes, credential_headers) = errors::auth(operations);
    let sources = keys::type_sources(operations);
    let key_phrase = keys::key_phrase(types, &sources).unwrap_or(fallback.key_phrase);
    let primary_keys = keys::primary_keys(types, &key_phrase.value, &sources);
    let suffixes = keys::suffixes(types, &primary_keys).unwrap_or(fallback.suffixes);
    let found = verbs::verbs(operations, &primary_keys);
    let or = |found: Option<Fact<Vec<String>>>, fallback| found.unwrap_or(fallback);
    let verbs = Verbs {
        save: or(found.save, fallback.verbs.save),
        read: or(found.read, fallback.verbs.read),
        delete: or(found.delete, fallback.verbs.delete),
    };
    ApiProfile {
        auth_schemes: auth_schemes.unwrap_or(fallback.auth_schemes),
        credential_headers: credential_headers.unwrap_or(fallback.credential_headers),
        error_shape: errors::error_shape(operations, shown).unwrap_or(fallback.error_shape),
        verbs,
        key_phrase,
        primary_keys,
        suffixes,
        slow_threshold_ms: slow_threshold(operations).unwrap_or(fallback.slow_threshold_ms),
    }
}

/// The threshold most pages give (ties: the smaller), from the first page giving it.
fn slow_threshold(operations: &[Operation]) -> Option<Fact<u64>> {
    let mut counts: BTreeMap<u64, (usize, &str)> = BTreeMap::new();
    for op in operations {
        if let Some(ms) = op.slow_threshold_ms {
            counts.entry(ms).or_insert((0, op.source.as_str())).0 += 1;
        }
    }
    let (ms, (_, source)) = counts
        .iter()
        .max_by_key(|(ms, (n, _))| (*n, std::cmp::Reverse(**ms)))?;
    Some(Fact::found(*ms, *source))
}
