//! A streaming fast path for the common case, a request body that keeps the contract: the
//! JSON text is walked once against a compiled form of the schema, without building a
//! `serde_json::Value`. It answers only "certainly valid"; anything it is not sure of (a
//! violation, a keyword it does not know, a date-time of an unusual form, a syntax error)
//! sends the body down the full path, where the jsonschema crate has the last word and
//! reports every violation.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::kinds::{ANY, ARRAY, BOOL, INTEGER, NULL, NUMBER, OBJECT, STRING, of_type_name};
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
    /// Property name → node, sorted by name (binary search: no hashing per key).
    properties: Vec<(String, usize)>,
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
        let mut properties = Vec::new();
        if let Some(props) = map.get("properties").and_then(Value::as_object) {
            for (name, prop) in props {
                let child = self.node(prop, types, named, depth + 1);
                properties.push((name.clone(), child));
            }
        }
        properties.sort_by(|a, b| a.0.cmp(&b.0));
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
        node.items = items;
        index
    }

    /// Whether `text` is certainly valid. `false` means "not known": take the full path.
    pub fn certainly_valid(&self, text: &str) -> bool {
        if self.nodes.is_empty() {
            return false;
        }
        let mut de = serde_json::Deserializer::from_str(text);
        Check { plan: self, at: 0 }.deserialize(&mut de).is_ok() && de.end().is_ok()
    }
}

/// Gives up: the full path decides.
fn unsure<E: de::Error>() -> E {
    E::custom("not certain")
}

#[derive(Clone, Copy)]
struct Check<'p> {
    plan: &'p FastCheck,
    at: usize,
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
            Some(at) => while seq.next_element_seed(Check { at, ..self })?.is_some() {},
            // No `items`: any elements.
            None => while seq.next_element::<de::IgnoredAny>()?.is_some() {},
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let node = self.allowing::<A::Error>(OBJECT)?;
        while let Some(property) = map.next_key_seed(Property(&node.properties))? {
            match property {
                Some(at) => map.next_value_seed(Check { at, ..self })?,
                // Properties the schema does not name: anything goes (no additionalProperties).
                None => map.next_value::<de::IgnoredAny>().map(|_| ())?,
            }
        }
        Ok(())
    }
}

/// Looks a key up among an object's properties without allocating it.
struct Property<'p>(&'p [(String, usize)]);

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

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Option<usize>, E> {
        Ok(self
            .0
            .binary_search_by(|(name, _)| name.as_str().cmp(key))
            .ok()
            .map(|i| self.0[i].1))
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
mod tests {
    use super::*;
    use serde_json::json;

    fn agree(schema: &Value, types: &BTreeMap<String, Value>, text: &str) -> bool {
        let fast = FastCheck::compile(schema, types).certainly_valid(text);
        if fast {
            let registry = crate::contract::validate::SchemaSet::new(types).expect("types");
            let validator = registry.compile(schema).expect("compiles");
            let value: Value = serde_json::from_str(text).expect("JSON");
            assert!(
                validator.is_valid(&value),
                "fast path accepted what jsonschema rejects: {text}"
            );
        }
        fast
    }

    #[test]
    fn certain_only_of_what_jsonschema_accepts() {
        let mut types = BTreeMap::new();
        types.insert(
            "Owner".to_string(),
            json!({"type": ["object", "null"], "title": "Owner", "properties": {
                "Id": {"type": "integer", "format": "int32", "minimum": -2147483648, "maximum": 2147483647},
                "Boss": {"$ref": "../types/Owner.json", "description": "recursive"}
            }}),
        );
        let schema = json!({"type": "object", "properties": {
            "Id": {"type": "integer", "format": "int32", "minimum": -2147483648, "maximum": 2147483647},
            "Name": {"type": "string"},
            "When": {"type": "string", "format": "date-time"},
            "Tags": {"type": "array", "items": {"type": "string"}},
            "Any": {"type": "array"},
            "Owner": {"$ref": "../types/Owner.json"},
            "State": {"type": "string", "enum": ["Open", "Closed"]},
            "Ratio": {"type": "number"},
            "On": {"type": "boolean"}
        }});
        let valid = [
            r#"{"Id": 1, "Name": "x", "When": "2016-09-15T14:19:10.1623498+02:00", "Tags": ["a"], "Owner": {"Id": 2, "Boss": {"Id": 3, "Boss": null}}, "State": "Open", "Ratio": 1.5, "On": true, "Extra": [1, {"a": null}], "Any": [1, "x"]}"#,
            r#"{"Owner": null, "Id": 3.0, "Ratio": 2}"#,
            r#"{}"#,
        ];
        for text in valid {
            assert!(agree(&schema, &types, text), "{text}");
        }
        let not_certain = [
            r#"{"Id": "1"}"#,
            r#"{"Id": 1.5}"#,
            r#"{"Id": 4294967296}"#,
            r#"{"Name": null}"#,
            r#"{"When": "2016-09-15 14:19:10Z"}"#,
            r#"{"When": "2016-02-30T14:19:10Z"}"#,
            r#"{"When": "15/09/2016"}"#,
            r#"{"Tags": [1]}"#,
            r#"{"Owner": {"Id": "x"}}"#,
            r#"{"Owner": {"Boss": {"Id": true}}}"#,
            r#"{"State": "Gone"}"#,
            r#"{"On": "yes"}"#,
            r#"[]"#,
            r#"{"Id": 1,}"#,
            r#"{"Id": 1} x"#,
        ];
        for text in not_certain {
            assert!(!agree(&schema, &types, text), "{text}");
        }
        // Keywords it does not know: never certain.
        let conditional =
            json!({"if": {"type": "array"}, "then": {"type": "array"}, "else": {"type": "object"}});
        assert!(!FastCheck::compile(&conditional, &types).certainly_valid("{}"));
    }

    use proptest::prelude::*;

    /// JSON values shaped like request bodies: keys drawn from `names`, leaves of every kind
    /// (dates well and badly formed, numbers at the int32 edges).
    fn json(names: Vec<String>) -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            prop_oneof![
                Just(2147483647i64),
                Just(2147483648i64),
                Just(-2147483649i64),
                any::<i32>().prop_map(i64::from)
            ]
            .prop_map(|n| json!(n)),
            (-1.0e6f64..1.0e6).prop_map(|f| json!(f)),
            prop_oneof![
                Just("2016-09-15T14:19:10.1623498+02:00".to_string()),
                Just("2016-09-15T14:19:10Z".to_string()),
                Just("2016-02-30T14:19:10Z".to_string()),
                Just("2016-09-15T24:00:00Z".to_string()),
                Just("2016-09-15t14:19:10z".to_string()),
                "[a-zA-Z0-9 ]{0,8}",
            ]
            .prop_map(Value::String),
        ];
        let keys = proptest::sample::select(names);
        leaf.prop_recursive(4, 48, 8, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::vec((keys.clone(), inner), 0..8)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
    }

    type Seeds = (BTreeMap<String, Value>, Vec<Value>, Vec<String>);

    /// The seed contracts' named types, request body schemas, and every property name.
    fn seed_bodies() -> &'static Seeds {
        static SEEDS: std::sync::LazyLock<Seeds> = std::sync::LazyLock::new(load_seeds);
        &SEEDS
    }

    fn load_seeds() -> Seeds {
        let set = crate::docs::load_dir(std::path::Path::new("docs"), &|| {}).expect("docs load");
        let contract = crate::contract::build_with(set, false).contract;
        let schemas: Vec<Value> = contract
            .operations
            .iter()
            .filter_map(|op| op.request_body.as_ref().map(|b| b.schema.clone()))
            .collect();
        let mut names = std::collections::BTreeSet::new();
        fn collect(v: &Value, out: &mut std::collections::BTreeSet<String>) {
            match v {
                Value::Object(map) => {
                    if let Some(Value::Object(props)) = map.get("properties") {
                        out.extend(props.keys().cloned());
                    }
                    map.values().for_each(|v| collect(v, out));
                }
                Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
                _ => {}
            }
        }
        schemas.iter().for_each(|s| collect(s, &mut names));
        contract.types.values().for_each(|t| collect(t, &mut names));
        (contract.types, schemas, names.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Never "certainly valid" where jsonschema says invalid, on the seed contracts.
        #[test]
        fn never_certain_of_what_jsonschema_rejects(pick in 0usize..8, value in json(seed_bodies().2.clone())) {
            let (types, schemas, _) = seed_bodies();
            let schema = &schemas[pick % schemas.len()];
            let text = value.to_string();
            if FastCheck::compile(schema, types).certainly_valid(&text) {
                let registry = crate::contract::validate::SchemaSet::new(types).expect("types");
                let validator = registry.compile(schema).expect("compiles");
                prop_assert!(validator.is_valid(&value), "fast path accepted {text}");
            }
        }
    }

    #[test]
    fn the_documented_samples_take_the_fast_path() {
        let set = crate::docs::load_dir(std::path::Path::new("docs"), &|| {}).expect("docs load");
        let contract = crate::contract::build_with(set, false).contract;
        let mut taken = 0;
        for op in &contract.operations {
            let (Some(body), Some(sample)) = (
                &op.request_body,
                op.example.request.as_ref().and_then(|r| r.body.as_ref()),
            ) else {
                continue;
            };
            let fast = FastCheck::compile(&body.schema, &contract.types);
            assert!(
                fast.certainly_valid(&sample.to_string()),
                "{}",
                op.operation_id
            );
            taken += 1;
        }
        assert!(taken >= 4, "{taken} samples checked");
    }
}
