//! Primary keys and entity suffixes, found once from the named types' tables: how the pages
//! describe a key (the words most `<Type>Id` properties start their description with), the
//! property of each type so described, and the suffixes that types sharing a key add to its
//! stem (`ContactId`: `ContactEntity`, `ContactEntityWithLinks`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::contract::model::Operation;
use crate::contract::profile::Fact;
use crate::contract::types::ref_target;

/// Words of a key's description that make its phrase (`Primary key`, `Unique identifier`).
const PHRASE_WORDS: usize = 2;
/// Groups that must show a suffix before it counts: a suffix one entity alone has may be
/// part of its name.
const SUFFIX_GROUPS: usize = 2;

/// A property's description, if any.
fn description(prop: &Value) -> Option<&str> {
    prop.get("description").and_then(Value::as_str)
}

/// The first `PHRASE_WORDS` words of a description, lower case.
fn phrase_of(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(PHRASE_WORDS)
        .map(str::to_lowercase)
        .collect();
    (words.len() == PHRASE_WORDS).then(|| words.join(" "))
}

/// The property a type's name says is its id: `<stem>Id` where the type's name starts with
/// the stem (the longest such), else `id`.
fn id_property<'a>(type_name: &str, props: &'a serde_json::Map<String, Value>) -> Option<&'a str> {
    let lower = type_name.to_lowercase();
    let stem_of = |name: &str| {
        let n = name.to_lowercase();
        n.strip_suffix("id").map(str::to_string)
    };
    props
        .keys()
        .filter_map(|name| Some((name.as_str(), stem_of(name)?)))
        .filter(|(_, stem)| lower.starts_with(stem.as_str()))
        .max_by_key(|(name, stem)| (stem.len(), std::cmp::Reverse(*name)))
        .map(|(name, _)| name)
}

fn properties(schema: &Value) -> Option<&serde_json::Map<String, Value>> {
    schema.get("properties")?.as_object()
}

/// How the pages start a key's description: the phrase most id properties (by their
/// type's name) start with; ties by the phrase.
pub(super) fn key_phrase(
    types: &BTreeMap<String, Value>,
    sources: &BTreeMap<String, String>,
) -> Option<Fact<String>> {
    let mut counts: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for (name, schema) in types {
        let Some(props) = properties(schema) else {
            continue;
        };
        let Some(id) = id_property(name, props) else {
            continue;
        };
        let Some(phrase) = props.get(id).and_then(description).and_then(phrase_of) else {
            continue;
        };
        counts
            .entry(phrase)
            .or_insert((0, source_of(sources, name)))
            .0 += 1;
    }
    let (phrase, (_, source)) = counts
        .into_iter()
        .max_by(|a, b| a.1.0.cmp(&b.1.0).then_with(|| b.0.cmp(&a.0)))?;
    Some(Fact::found(phrase, source))
}

/// For each type name, the source of the first operation (in contract order) whose schemas
/// name it.
pub(super) fn type_sources(operations: &[Operation]) -> BTreeMap<String, String> {
    fn walk<'a>(value: &'a Value, out: &mut BTreeSet<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(target) = map.get("$ref").and_then(Value::as_str).and_then(ref_target) {
                    out.insert(target);
                }
                map.values().for_each(|v| walk(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut sources = BTreeMap::new();
    for op in operations {
        let mut named = BTreeSet::new();
        if let Some(body) = &op.request_body {
            walk(&body.schema, &mut named);
        }
        for response in op.responses.values() {
            walk(&response.schema, &mut named);
        }
        for name in named {
            sources
                .entry(name.to_string())
                .or_insert_with(|| op.source.clone());
        }
    }
    sources
}

/// The first page naming type `name`, else its file in the bundle.
fn source_of(sources: &BTreeMap<String, String>, name: &str) -> String {
    sources
        .get(name)
        .cloned()
        .unwrap_or_else(|| format!("types/{name}.json"))
}

/// Each named type's primary key: its first property whose description starts with the
/// key phrase. Its source: the first page whose operation names the type.
pub(super) fn primary_keys(
    types: &BTreeMap<String, Value>,
    phrase: &str,
    sources: &BTreeMap<String, String>,
) -> BTreeMap<String, Fact<String>> {
    let mut keys = BTreeMap::new();
    for (name, schema) in types {
        let Some(props) = properties(schema) else {
            continue;
        };
        let key = props.iter().find(|(_, prop)| {
            description(prop).is_some_and(|d| d.trim().to_lowercase().starts_with(phrase))
        });
        if let Some((key, _)) = key {
            keys.insert(
                name.clone(),
                Fact::found(key.clone(), source_of(sources, name)),
            );
        }
    }
    keys
}

/// The suffixes types add to their key's stem (`ContactId`: `ContactEntity` adds
/// `Entity`), those at least `SUFFIX_GROUPS` keys show, and the parts a longer one adds to
/// a shorter (`EntityWithLinks` after `Entity`: `WithLinks`); longest first.
pub(super) fn suffixes(
    types: &BTreeMap<String, Value>,
    keys: &BTreeMap<String, Fact<String>>,
) -> Option<Fact<Vec<String>>> {
    let mut by_key: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, key) in keys {
        if types.contains_key(name) {
            by_key.entry(key.value.as_str()).or_default().push(name);
        }
    }
    // suffix → (groups showing it, source).
    let mut seen: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for (key, names) in &by_key {
        let lower = key.to_lowercase();
        let Some(stem) = lower.strip_suffix("id").filter(|s| !s.is_empty()) else {
            continue;
        };
        let mut here = BTreeSet::new();
        for name in names {
            let starts = name.to_lowercase().starts_with(stem);
            let rest = name
                .get(stem.len()..)
                .filter(|_| starts)
                .unwrap_or_default();
            if rest.starts_with(|c: char| c.is_ascii_uppercase()) {
                here.insert((rest.to_string(), keys[*name].source.clone()));
            }
        }
        let mut counted = BTreeSet::new();
        for (rest, source) in here {
            if counted.insert(rest.clone()) {
                seen.entry(rest).or_insert((0, source)).0 += 1;
            }
        }
    }
    let kept: Vec<(String, String)> = seen
        .iter()
        .filter(|(_, (n, _))| *n >= SUFFIX_GROUPS)
        .map(|(s, (_, source))| (s.clone(), source.clone()))
        .collect();
    let mut all: BTreeMap<String, String> = kept.iter().cloned().collect();
    for (long, source) in seen.iter().map(|(s, (_, src))| (s, src)) {
        for (short, _) in &kept {
            if let Some(part) = long.strip_prefix(short.as_str())
                && part.starts_with(|c: char| c.is_ascii_uppercase())
            {
                all.entry(part.to_string())
                    .or_insert_with(|| source.clone());
            }
        }
    }
    let source = all.values().min()?.clone();
    let mut list: Vec<String> = all.into_keys().collect();
    list.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    Some(Fact::found(list, source))
}
