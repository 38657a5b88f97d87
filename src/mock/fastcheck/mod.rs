//! A streaming fast path for the common case, a request body that keeps the contract: the
//! JSON text is walked once against a compiled form of the schema, without building a
//! `serde_json::Value`. It answers only "certainly valid"; anything it is not sure of (a
//! violation, a keyword it does not know, a date-time of an unusual form, a syntax error)
//! sends the body down the full path, where the jsonschema crate has the last word and
//! reports every violation.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::body::top_level_fields;
use super::kinds::{ANY, ARRAY, BOOL, INTEGER, NULL, NUMBER, OBJECT, STRING, of_type_name};
use super::names::NameTable;
use crate::contract::types::ref_target;

/// Keywords the fast path understands; a schema with any other is left to jsonschema.
const KNOWN: [&str; 9] = [
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
struct Node {
    /// Not understood: never certain.
    unsure: bool,
    /// JSON kinds allowed (bits above).
    kinds: u8,
    minimum: Option<f64>,
    maximum: Option<f64>,
    date_time: bool,
    /// String enum members; `None` when there is no enum.
    members: Option<Vec<String>>,
    /// Property names (looked up without allocating) ...
    properties: NameTable,
    /// ... and the node of each, by the name's position.
    children: Vec<usize>,
    /// Item node, if `items` is given.
    items: Option<usize>,
}

/// A request body schema compiled for [`FastCheck::certainly_valid`].
#[derive(Debug)]
pub struct FastCheck {
    nodes: Vec<Node>,
}

impl FastCheck {
    /// Compiles `schema`, resolving `$ref`s in `types` (each named type once).
    pub fn compile(schema: &Value, types: &BTreeMap<String, Value>) -> Self {
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
        if depth > 64
            || map.keys().any(|k| {
                !KNOWN.contains(&k.as_str())
                    && !k.starts_with("x-")
                    && !matches!(k.as_str(), "$id" | "$schema" | "title")
            })
        {
            self.nodes[index].unsure = true;
            return index;
        }
        if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
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
            return self.node(resolved, types, named, depth + 1);
        }
        // An unknown type name admits nothing here: never certain.
        let kinds = match map.get("type") {
            None => ANY,
            Some(Value::String(t)) => of_type_name(t).unwrap_or(0),
            Some(Value::Array(ts)) => ts
                .iter()
                .filter_map(Value::as_str)
                .fold(0, |b, t| b | of_type_name(t).unwrap_or(0)),
            Some(_) => 0,
        };
        let members = match map.get("enum") {
            None => None,
            Some(Value::Array(ms)) if ms.iter().all(Value::is_string) => Some(
                ms.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
            ),
            Some(_) => {
                self.nodes[index].unsure = true;
                return index;
            }
        };
        let mut children = Vec::new();
        let mut properties = NameTable::default();
        if let Some(props) = map.get("properties").and_then(Value::as_object) {
            for prop in props.values() {
                children.push(self.node(prop, types, named, depth + 1));
            }
            properties = NameTable::new(props.keys().map(String::as_str));
        }
        let items = map
            .get("items")
            .map(|items| self.node(items, types, named, depth + 1));
        let node = &mut self.nodes[index];
        node.kinds = kinds;
        node.minimum = map.get("minimum").and_then(Value::as_f64);
        node.maximum = map.get("maximum").and_then(Value::as_f64);
        node.date_time = map.get("format").and_then(Value::as_str) == Some("date-time");
        node.members = members;
        node.properties = properties;
        node.children = children;
        node.items = items;
        index
    }

    /// Whether `text` is certainly valid. `false` means "not known": take the full path.
    #[cfg(test)]
    pub fn certainly_valid(&self, text: &str) -> bool {
        self.members(text).is_some()
    }

    /// The root object's members as raw text (key without quotes, value as written), if
    /// `text` is certainly valid; `None` means "not known": take the full path. The members
    /// are placed from where the walk found the keys, so the text is read once.
    pub fn members<'t>(&self, text: &'t str) -> Option<Vec<(&'t str, &'t str)>> {
        if self.nodes.is_empty() {
            return None;
        }
        let keys = RefCell::new(Vec::new());
        let mut de = serde_json::Deserializer::from_str(text);
        let check = Check {
            plan: self,
            at: 0,
            keys: Some(&keys),
        };
        if check.deserialize(&mut de).is_err() || de.end().is_err() {
            return None;
        }
        Some(place_members(text, &keys.into_inner()).unwrap_or_else(|| top_level_fields(text)))
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

/// Gives up: the full path decides.
fn unsure<E: de::Error>() -> E {
    E::custom("not certain")
}

/// Addresses and lengths of the root object's keys, as the walk meets them; an escaped
/// key (not read in place) is recorded as address 0.
type KeyPlaces = RefCell<Vec<(usize, usize)>>;

#[derive(Clone, Copy)]
struct Check<'p> {
    plan: &'p FastCheck,
    at: usize,
    /// Where to record the keys, for the root object only.
    keys: Option<&'p KeyPlaces>,
}

impl Check<'_> {
    fn node(&self) -> &Node {
        &self.plan.nodes[self.at]
    }

    /// The node, if it is understood and allows `kind`.
    fn allowing<E: de::Error>(&self, kind: u8) -> Result<&Node, E> {
        let node = self.node();
        if node.unsure || node.kinds & kind == 0 {
            Err(unsure())
        } else {
            Ok(node)
        }
    }

    fn number<E: de::Error>(&self, value: f64, integral: bool) -> Result<(), E> {
        let node = self.allowing(if integral { INTEGER } else { NUMBER })?;
        if node.members.is_some()
            || node.minimum.is_some_and(|m| value < m)
            || node.maximum.is_some_and(|m| value > m)
        {
            return Err(unsure());
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Check<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Check<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        match self.allowing(BOOL)?.members {
            None => Ok(()),
            Some(_) => Err(unsure()),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.number(v as f64, true)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.number(v as f64, true)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.number(v, v.fract() == 0.0)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        let node = self.allowing(STRING)?;
        if node
            .members
            .as_ref()
            .is_some_and(|m| !m.iter().any(|m| m == v))
            || (node.date_time && !plain_date_time(v))
        {
            return Err(unsure());
        }
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        match self.allowing(NULL)?.members {
            None => Ok(()),
            Some(_) => Err(unsure()),
        }
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        match self.allowing::<A::Error>(ARRAY)?.items {
            Some(at) => {
                let item = Check {
                    at,
                    keys: None,
                    ..self
                };
                while seq.next_element_seed(item)?.is_some() {}
            }
            // No `items`: any elements.
            None => while seq.next_element::<de::IgnoredAny>()?.is_some() {},
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let node = self.allowing::<A::Error>(OBJECT)?;
        let key = Property {
            names: &node.properties,
            places: self.keys,
        };
        while let Some(property) = map.next_key_seed(key)? {
            match property.and_then(|i| node.children.get(i)) {
                Some(&at) => map.next_value_seed(Check {
                    at,
                    keys: None,
                    ..self
                })?,
                // Properties the schema does not name: anything goes (no additionalProperties).
                None => map.next_value::<de::IgnoredAny>().map(|_| ())?,
            }
        }
        Ok(())
    }
}

/// Looks a key up among an object's properties without allocating it (and records where
/// it lies, for the root object).
#[derive(Clone, Copy)]
struct Property<'p> {
    names: &'p NameTable,
    places: Option<&'p KeyPlaces>,
}

impl<'de> DeserializeSeed<'de> for Property<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<usize>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Property<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a property name")
    }

    fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Option<usize>, E> {
        if let Some(places) = self.places {
            places.borrow_mut().push((key.as_ptr() as usize, key.len()));
        }
        Ok(self.names.position(key))
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Option<usize>, E> {
        if let Some(places) = self.places {
            places.borrow_mut().push((0, key.len()));
        }
        Ok(self.names.position(key))
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, a real date and time: the form every
/// validator agrees is an RFC 3339 date-time.
fn plain_date_time(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range)
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    let shape = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !shape {
        return false;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    let zone_ok = match &b[i..] {
        [b'Z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
                && (*h1 - b'0') * 10 + (*h2 - b'0') <= 23
                && (*m1 - b'0') * 10 + (*m2 - b'0') <= 59
        }
        _ => false,
    };
    // Month and day lengths, hours, minutes, seconds (a leap second: unsure, not wrong).
    zone_ok && b[17] <= b'5' && chrono::DateTime::parse_from_rfc3339(text).is_ok()
}

#[cfg(test)]
mod tests;
