//! A streaming fast path for the common case, a request body that keeps the contract: the
//! JSON text is walked once against a compiled form of the schema, without building a
//! `serde_json::Value`.
//!
//! It is an optimisation of the full validator, never a second opinion: it answers only
//! "certainly valid", and anything it is not sure of (a violation, a keyword it does not
//! know, a date-time of an unusual form, a syntax error) sends the body down the full path,
//! where the jsonschema crate has the last word and reports every violation. The property
//! test in `tests.rs` proves the two agree: the fast path is never certain of a body that
//! jsonschema rejects.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::json::top_level_fields;
use super::kinds::{ANY, of_type_name};
use crate::contract::types::ref_target;
use crate::contract::types::{NameIndex, name_index};

mod walk;

/// Keywords the fast path understands; a schema with any other is left to jsonschema.
const KNOWN: [&str; 10] = [
    "additionalProperties",
    "type",
    "format",
    "minimum",
    "maximum",
    "properties",
    "items",
    "$ref",
    "enum",
    "description",
];

/// One compiled schema node.
#[derive(Debug, Default)]
pub(super) struct Node {
    /// Not understood: never certain.
    unsure: bool,
    /// JSON kinds allowed (bits above).
    kinds: u8,
    /// `minimum` and `maximum`, exactly as written (integers stay integers).
    minimum: Option<Num>,
    maximum: Option<Num>,
    date_time: bool,
    /// `format: byte`: base64 text.
    base64: bool,
    /// String enum members; `None` when there is no enum.
    members: Option<Vec<String>>,
    /// Property names (looked up without allocating) ...
    properties: NameIndex,
    /// ... and the node of each, by the name's position.
    children: Vec<usize>,
    /// Item node, if `items` is given.
    items: Option<usize>,
    /// What the values of properties not named take: `Some(node)` for a schema,
    /// `None` for anything (`true` or absent).
    additional: Option<usize>,
}

/// Formats jsonschema checks that the fast path does not: never certain of those (formats
/// jsonschema does not know, such as `int32`, it ignores, and so does the fast path).
const UNCHECKED_FORMATS: [&str; 17] = [
    "date",
    "time",
    "duration",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "uri-template",
    "uuid",
    "json-pointer",
    "regex",
];

/// A JSON number as serde_json reads it (and jsonschema then sees it): an integer that
/// fits 64 bits stays an integer, anything else is a float.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Num {
    /// An integer (from `i64` or `u64`).
    Int(i128),
    /// A float.
    Float(f64),
}

impl Num {
    fn of(n: &serde_json::Number) -> Self {
        match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Num::Int(i128::from(i)),
            (None, Some(u)) => Num::Int(i128::from(u)),
            _ => Num::Float(n.as_f64().unwrap_or(f64::NAN)),
        }
    }

    /// The exact order of `self` and `other`, compared as integers where both are, and an
    /// integer against a float without rounding either; `None` where that cannot be
    /// settled (a NaN).
    pub(super) fn exact_cmp(self, other: Num) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => Some(a.cmp(&b)),
            (Num::Float(a), Num::Float(b)) => a.partial_cmp(&b),
            (Num::Int(a), Num::Float(b)) => int_float_cmp(a, b),
            (Num::Float(a), Num::Int(b)) => int_float_cmp(b, a).map(std::cmp::Ordering::reverse),
        }
    }
}

/// The exact order of integer `int` and float `float` (no conversion that rounds).
fn int_float_cmp(int: i128, float: f64) -> Option<std::cmp::Ordering> {
    use std::cmp::Ordering::{Equal, Greater, Less};
    if float.is_nan() {
        return None;
    }
    // Past ±2^100 the float is beyond every 64-bit integer.
    if float >= 1.0e30 {
        return Some(Less);
    }
    if float <= -1.0e30 {
        return Some(Greater);
    }
    // |float| < 2^100: its floor is an integer an i128 holds exactly.
    let floor = float.floor();
    let whole = floor as i128;
    Some(match int.cmp(&whole) {
        Less => Less,
        Greater => Greater,
        Equal if float == floor => Equal,
        Equal => Less,
    })
}

/// A request body schema compiled for [`FastCheck::certainly_valid`].
#[derive(Debug)]
pub(crate) struct FastCheck {
    nodes: Vec<Node>,
}

impl FastCheck {
    /// Compiles `schema`, resolving `$ref`s in `types` (each named type once).
    pub(crate) fn compile(schema: &Value, types: &BTreeMap<String, Value>) -> Self {
        let mut check = Self { nodes: Vec::new() };
        let mut named = HashMap::new();
        check.node(schema, types, &mut named, 0);
        check
    }

    fn node(
        &mut self,
        schema: &Value,
        types: &BTreeMap<String, Value>,
        named: &mut HashMap<String, usize>,
        depth: usize,
    ) -> usize {
        let index = self.nodes.len();
        self.nodes.push(Node::default());
        let Value::Object(map) = schema else {
            self.nodes[index].unsure = true;
            return index;
        };
        if depth > 64 || has_unknown_keyword(map) {
            self.nodes[index].unsure = true;
            return index;
        }
        if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
            return self.reference(index, map, reference, types, named, depth);
        }
        let kinds = kinds(map);
        let Ok(members) = enum_members(map) else {
            self.nodes[index].unsure = true;
            return index;
        };
        let mut children = Vec::new();
        let mut properties = NameIndex::default();
        if let Some(props) = map.get("properties").and_then(Value::as_object) {
            for prop in props.values() {
                children.push(self.node(prop, types, named, depth + 1));
            }
            properties = name_index(props.keys().map(String::as_str));
        }
        let items = map
            .get("items")
            .map(|items| self.node(items, types, named, depth + 1));
        let additional = match map.get("additionalProperties") {
            None | Some(Value::Bool(true)) => None,
            Some(schema @ Value::Object(_)) => Some(self.node(schema, types, named, depth + 1)),
            // `false` (or anything else): an unnamed property is a violation, not ours to judge.
            Some(_) => {
                self.nodes[index].unsure = true;
                return index;
            }
        };
        let format = map.get("format").and_then(Value::as_str);
        if format.is_some_and(|f| UNCHECKED_FORMATS.contains(&f)) {
            self.nodes[index].unsure = true;
            return index;
        }
        let node = &mut self.nodes[index];
        node.kinds = kinds;
        let bound = |key: &str| match map.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(Some(Num::of(n))),
            Some(_) => Err(()),
        };
        let (Ok(minimum), Ok(maximum)) = (bound("minimum"), bound("maximum")) else {
            node.unsure = true;
            return index;
        };
        node.minimum = minimum;
        node.maximum = maximum;
        node.date_time = format == Some("date-time");
        node.base64 = format == Some("byte");
        node.members = members;
        node.properties = properties;
        node.children = children;
        node.items = items;
        node.additional = additional;
        index
    }

    /// The node of a `$ref` to a named type in `types` (compiled once, then an alias of
    /// it), in the slot `index` was given; unsure of a target not found, or of siblings
    /// beside the reference.
    fn reference(
        &mut self,
        index: usize,
        map: &serde_json::Map<String, Value>,
        reference: &str,
        types: &BTreeMap<String, Value>,
        named: &mut HashMap<String, usize>,
        depth: usize,
    ) -> usize {
        let target = ref_target(reference).unwrap_or_default().to_string();
        let Some(resolved) = types.get(&target) else {
            self.nodes[index].unsure = true;
            return index;
        };
        if map.len() > 1
            && map
                .keys()
                .any(|k| k != "$ref" && k != "description" && !k.starts_with("x-"))
        {
            self.nodes[index].unsure = true;
            return index;
        }
        // The slot becomes an alias of the named type's node.
        self.nodes.pop();
        if let Some(&known) = named.get(&target) {
            return known;
        }
        let at = self.nodes.len();
        named.insert(target, at);
        self.node(resolved, types, named, depth + 1)
    }

    /// Whether `text` is certainly valid. `false` means "not known": take the full path.
    pub(crate) fn certainly_valid(&self, text: &str) -> bool {
        !self.nodes.is_empty() && walk::walk(self, text).is_some()
    }

    /// The root object's members as raw text (key without quotes, value as written), if
    /// `text` is certainly valid; `None` means "not known": take the full path. The members
    /// are placed from where the walk found the keys, so the text is read once.
    pub(crate) fn members<'t>(&self, text: &'t str) -> Option<Vec<(&'t str, &'t str)>> {
        if self.nodes.is_empty() {
            return None;
        }
        let keys = walk::walk(self, text)?;
        Some(place_members(text, &keys).unwrap_or_else(|| top_level_fields(text)))
    }
}

/// Whether `map` holds a keyword the fast path does not understand.
fn has_unknown_keyword(map: &serde_json::Map<String, Value>) -> bool {
    map.keys().any(|k| {
        !KNOWN.contains(&k.as_str())
            && !k.starts_with("x-")
            && !matches!(k.as_str(), "$id" | "$schema" | "title")
    })
}

/// The JSON kinds `map`'s `type` allows (bits; none for an unknown type name).
fn kinds(map: &serde_json::Map<String, Value>) -> u8 {
    // An unknown type name admits nothing here: never certain.
    match map.get("type") {
        None => ANY,
        Some(Value::String(t)) => of_type_name(t).unwrap_or(0),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .fold(0, |b, t| b | of_type_name(t).unwrap_or(0)),
        Some(_) => 0,
    }
}

/// The members of `map`'s string enum (`None` without an enum); `Err` for an enum not
/// all strings (not the fast path's to judge).
fn enum_members(map: &serde_json::Map<String, Value>) -> Result<Option<Vec<String>>, ()> {
    match map.get("enum") {
        None => Ok(None),
        Some(Value::Array(ms)) if ms.iter().all(Value::is_string) => Ok(Some(
            ms.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
        )),
        Some(_) => Err(()),
    }
}

/// The root members of valid JSON `text` from the addresses and lengths of its root keys
/// (in order); `None` if a key was not read in place (it had escapes).
fn place_members<'t>(text: &'t str, keys: &[(usize, usize)]) -> Option<Vec<(&'t str, &'t str)>> {
    let base = text.as_ptr() as usize;
    let bytes = text.as_bytes();
    let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let skip_back = |mut end: usize| {
        while end > 0 && is_space(bytes[end - 1]) {
            end -= 1;
        }
        end
    };
    let mut offsets = Vec::with_capacity(keys.len());
    for &(address, len) in keys {
        let start = address.checked_sub(base)?;
        if start == 0 || start + len >= bytes.len() {
            return None;
        }
        offsets.push((start, start + len));
    }
    let mut members = Vec::with_capacity(keys.len());
    for (i, &(start, end)) in offsets.iter().enumerate() {
        // Past the key's closing quote, the colon and spaces.
        let mut value_start = end + 1;
        while bytes
            .get(value_start)
            .is_some_and(|&b| is_space(b) || b == b':')
        {
            value_start += 1;
        }
        // Up to the comma before the next key's opening quote, or the root's closing brace.
        let value_end = match offsets.get(i + 1) {
            Some(&(next, _)) => skip_back(skip_back(next - 1).checked_sub(1)?),
            None => skip_back(skip_back(bytes.len()).checked_sub(1)?),
        };
        members.push((text.get(start..end)?, text.get(value_start..value_end)?));
    }
    Some(members)
}

#[cfg(test)]
mod tests;
