//! Response bodies generated from schemas with the `fake` crate, aware of field names the
//! way the documented samples are (emails, phones, names, companies, URLs, cities, ...).
//!
//! A schema is compiled once into a [`Plan`] (types resolved, field-name kinds decided);
//! every request then walks the plan with its own seeded RNG and writes JSON directly. The
//! fake crate fills value pools per kind at start-up from `--seed`; requests combine pool
//! entries, numbers, dates and array lengths, so every request builds a new document.
//!
//! Objects below the root are generated the same way, but ahead of time: each nested object
//! shape gets [`VARIANTS`] rendered variants (shared across operations for named types,
//! seeded from `--seed` and the type, so the order of compilation never changes a byte),
//! and a request picks among them. Root fields, the ones that echo ids and sent fields,
//! are generated per request.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError, Weak};

use rand::{Rng, RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde_json::Value;

pub use super::fake_text::TextKind;
use super::fake_text::{KINDS, date_time};
use super::kinds;
use super::names::NameTable;
use super::streams::{below, mix, stream_seed};
use crate::contract::types::{ref_target, resolve_ref};

/// Named types nested deeper than this are left `null` (they are nullable).
/// Two levels match the documented samples: a carrier's own named properties are filled,
/// theirs are `null`.
const MAX_NAMED_DEPTH: usize = 2;
/// Plain nesting bound (arrays of arrays ...).
const MAX_DEPTH: usize = 12;
/// Entries per value pool.
const POOL_SIZE: usize = 512;
/// Rendered variants per nested object shape.
pub const VARIANTS: usize = 32;

/// The generator behind every value: small, fast to seed, and a fixed algorithm, so a seed
/// gives the same bytes on every platform and version.
pub type GenRng = Xoshiro256PlusPlus;

/// One node of a compiled schema.
#[derive(Debug, Clone)]
enum Node {
    Null,
    Bool,
    Int {
        lo: i64,
        hi: i64,
    },
    Number,
    Text(TextKind),
    DateTime,
    /// Enum members, rendered as JSON.
    Choice(Vec<String>),
    Array(Box<Node>),
    /// Properties: the key rendered as JSON, the raw key, the value.
    Object(Vec<(String, String, Node)>),
    /// An open object: a couple of entries.
    Dict(TextKind),
    /// A nested object generated ahead of time: rendered variants to pick from.
    Rendered(Variants),
}

/// Rendered variants of one nested object shape, each a complete JSON text.
type Variants = Arc<Vec<Box<[u8]>>>;

/// A pre-rendered object shape (named type, field holding it, named depth), and its variants
/// as the shape cache holds them: weakly, the plans that use them hold them.
type ShapeKey = (String, String, usize);
type WeakVariants = Weak<Vec<Box<[u8]>>>;

/// Where a schema sits in a response, which decides whether objects are pre-rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// The root object (or the objects of a root array): overrides apply, generated live.
    Root,
    /// Below the root: objects become [`Node::Rendered`].
    Nested,
    /// Inside an object being pre-rendered: generated in full.
    Inside,
}

/// A compiled schema, ready to generate values.
#[derive(Debug, Clone)]
pub struct Plan {
    root: Node,
    /// Root property name → its position.
    root_index: NameTable,
    /// JSON kinds each root property's schema admits (bits of [`kinds`]).
    root_kinds: Vec<u8>,
}

impl Plan {
    /// Property names of the root object, in order (empty when the root is not an object).
    pub fn root_keys(&self) -> Vec<&str> {
        match &self.root {
            Node::Object(props) => props.iter().map(|(_, raw, _)| raw.as_str()).collect(),
            _ => Vec::new(),
        }
    }

    /// The position of root property `key` (exact spelling).
    pub fn root_position(&self, key: &str) -> Option<usize> {
        self.root_index.position(key)
    }

    /// Whether the raw JSON text `value` has a kind the root property at `index` admits
    /// (an echoed field must not break the response schema).
    pub fn root_admits(&self, index: usize, value: &str) -> bool {
        self.root_kinds
            .get(index)
            .is_some_and(|admitted| admitted & kinds::of_json_text(value) != 0)
    }

    /// Whether the root property at `index` holds an integer.
    pub fn root_is_integer(&self, index: usize) -> bool {
        matches!(&self.root, Node::Object(props) if matches!(props.get(index), Some((_, _, Node::Int { .. }))))
    }
}

/// What to put in place of generated root properties.
#[derive(Debug, Default)]
pub struct Overrides<'a> {
    /// Fixed JSON values of root properties, by position (echoed ids, fields the client sent).
    pub fixed: Vec<Option<Cow<'a, str>>>,
    /// `$select`: root properties (lower-case) to keep; the rest are null. Empty keeps all.
    pub select: Vec<String>,
}

impl<'a> Overrides<'a> {
    /// Fixes the root property at `index` to the JSON text `value` (a later call wins).
    pub fn fix(&mut self, index: usize, value: Cow<'a, str>) {
        if self.fixed.len() <= index {
            self.fixed.resize(index + 1, None);
        }
        self.fixed[index] = Some(value);
    }
}

/// Generates values for schemas of one contract.
#[derive(Debug)]
pub struct Faker {
    types: Arc<BTreeMap<String, Value>>,
    pools: Vec<Vec<String>>,
    /// RFC 3339 date-times, rendered as JSON strings.
    dates: Vec<String>,
    /// `--seed`, mixed into the seed of every pre-rendered object shape.
    seed: u64,
    /// Rendered variants of named types, by (type, field, named depth).
    /// Held weakly: the variants live as long as a prepared operation's plan uses them, and
    /// are rendered again (the same bytes) when needed after that.
    rendered: Mutex<HashMap<ShapeKey, WeakVariants>>,
}

impl Faker {
    /// A faker resolving `$ref`s against the contract's named types, with value pools filled
    /// from `seed`.
    pub fn new(types: Arc<BTreeMap<String, Value>>, seed: u64) -> Self {
        let mut rng = GenRng::seed_from_u64(seed);
        let pools = KINDS
            .iter()
            .map(|kind| {
                (0..POOL_SIZE)
                    .map(|_| json_string(&kind.sample(&mut rng)))
                    .collect()
            })
            .collect();
        let dates = (0..POOL_SIZE * 4)
            .map(|_| json_string(&date_time(&mut rng)))
            .collect();
        Self {
            types,
            pools,
            dates,
            seed,
            rendered: Mutex::new(HashMap::new()),
        }
    }

    /// The named types the faker resolves `$ref`s against.
    pub fn types(&self) -> &BTreeMap<String, Value> {
        &self.types
    }

    /// The schema a `$ref` points at, if it is one of ours.
    pub fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        resolve_ref(&self.types, schema)
    }

    /// Compiles a schema into a plan.
    pub fn plan(&self, schema: &Value) -> Plan {
        let root = self.node(schema, "", 0, 0, Place::Root);
        let root_index = match &root {
            Node::Object(props) => NameTable::new(props.iter().map(|(_, key, _)| key.as_str())),
            _ => NameTable::default(),
        };
        let root_props = self
            .resolve(schema)
            .get("properties")
            .and_then(Value::as_object);
        let root_kinds = match &root {
            Node::Object(props) => props
                .iter()
                .map(|(_, key, _)| {
                    root_props
                        .and_then(|p| p.get(key))
                        .map_or(kinds::ANY, |prop| kinds::admitted(prop, &self.types))
                })
                .collect(),
            _ => Vec::new(),
        };
        Plan {
            root,
            root_index,
            root_kinds,
        }
    }

    /// A value for `schema` (convenience over [`Faker::plan`] and [`Faker::write`]).
    pub fn generate(&self, schema: &Value, seed: u64) -> Value {
        let mut out = Vec::new();
        self.write(&self.plan(schema), seed, &Overrides::default(), &mut out);
        serde_json::from_slice(&out).unwrap_or(Value::Null)
    }

    fn node(&self, schema: &Value, field: &str, named: usize, depth: usize, place: Place) -> Node {
        if depth > MAX_DEPTH {
            return Node::Null;
        }
        if let Some(target) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(ref_target)
        {
            return match self.types.get(target) {
                Some(resolved) if named < MAX_NAMED_DEPTH => {
                    if place == Place::Nested && primary_type(resolved) == Some("object") {
                        Node::Rendered(self.named_variants(target, resolved, field, named + 1))
                    } else {
                        self.node(resolved, field, named + 1, depth + 1, place)
                    }
                }
                _ => Node::Null,
            };
        }
        if let Some(members) = schema
            .get("enum")
            .and_then(Value::as_array)
            .filter(|m| !m.is_empty())
        {
            return Node::Choice(members.iter().map(Value::to_string).collect());
        }
        if let Some(then) = schema.get("then") {
            return self.node(then, field, named, depth + 1, place);
        }
        let inner = match place {
            Place::Root => Place::Nested,
            other => other,
        };
        match primary_type(schema) {
            Some("object") if place == Place::Nested => {
                let node = self.node(schema, field, named, depth, Place::Inside);
                let seed = mix(mix(self.seed, field.as_bytes()), &depth.to_le_bytes());
                Node::Rendered(Arc::new(self.render(&node, seed)))
            }
            Some("object") => match schema.get("properties").and_then(Value::as_object) {
                Some(props) if !props.is_empty() => Node::Object(
                    props
                        .iter()
                        .map(|(name, prop)| {
                            (
                                format!("{}:", json_string(name)),
                                name.clone(),
                                self.node(prop, name, named, depth + 1, inner),
                            )
                        })
                        .collect(),
                ),
                _ => Node::Dict(TextKind::of(field)),
            },
            Some("array") => {
                let item_field = field.strip_suffix('s').unwrap_or(field);
                let items = match schema.get("items") {
                    // The objects of a root array are root objects.
                    Some(items) => self.node(items, item_field, named, depth + 1, place),
                    None => Node::Text(TextKind::of(item_field)),
                };
                Node::Array(Box::new(items))
            }
            Some("string") if schema.get("format").and_then(Value::as_str) == Some("date-time") => {
                Node::DateTime
            }
            Some("string") => Node::Text(TextKind::of(field)),
            Some("integer") => {
                let lower = field.to_ascii_lowercase();
                let (lo, hi) = if lower.ends_with("id") || lower.ends_with("ids") {
                    (1, 100_000)
                } else {
                    (0, 1_000)
                };
                let min = schema
                    .get("minimum")
                    .and_then(Value::as_i64)
                    .unwrap_or(i64::MIN);
                let max = schema
                    .get("maximum")
                    .and_then(Value::as_i64)
                    .unwrap_or(i64::MAX);
                let lo = lo.max(min);
                Node::Int {
                    lo,
                    hi: hi.min(max).max(lo),
                }
            }
            Some("number") => Node::Number,
            Some("boolean") => Node::Bool,
            _ => Node::Null,
        }
    }

    /// Writes a value generated from `seed` as JSON, applying `overrides` to the root
    /// object (or to each object of a root array). Each root property draws from its own
    /// stream, so fixing or deselecting one never changes the others.
    pub fn write(&self, plan: &Plan, seed: u64, overrides: &Overrides, out: &mut Vec<u8>) {
        match &plan.root {
            Node::Object(props) => self.write_root_object(props, seed, overrides, out),
            Node::Array(items) if !overrides.select.is_empty() => {
                let mut rng = GenRng::seed_from_u64(seed);
                let count = rng.random_range(1..=3);
                out.push(b'[');
                for i in 0..count {
                    if i > 0 {
                        out.push(b',');
                    }
                    match items.as_ref() {
                        Node::Object(props) => {
                            let item_seed = stream_seed(seed, i);
                            self.write_root_object(props, item_seed, overrides, out)
                        }
                        other => self.write_node(other, &mut rng, out),
                    }
                }
                out.push(b']');
            }
            other => self.write_node(other, &mut GenRng::seed_from_u64(seed), out),
        }
    }

    fn write_root_object(
        &self,
        props: &[(String, String, Node)],
        seed: u64,
        overrides: &Overrides,
        out: &mut Vec<u8>,
    ) {
        out.push(b'{');
        for (i, (key_json, key, node)) in props.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            // The key is stored rendered with its colon: `"Name":`.
            out.extend_from_slice(key_json.as_bytes());
            if !overrides.select.is_empty()
                && !overrides.select.iter().any(|s| s.eq_ignore_ascii_case(key))
            {
                out.extend_from_slice(b"null");
            } else if let Some(Some(fixed)) = overrides.fixed.get(i) {
                out.extend_from_slice(fixed.as_bytes());
            } else {
                self.write_node(node, &mut GenRng::seed_from_u64(stream_seed(seed, i)), out);
            }
        }
        out.push(b'}');
    }

    fn write_object(&self, props: &[(String, String, Node)], rng: &mut GenRng, out: &mut Vec<u8>) {
        out.push(b'{');
        for (i, (key_json, _, node)) in props.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(key_json.as_bytes());
            self.write_node(node, rng, out);
        }
        out.push(b'}');
    }

    fn write_node(&self, node: &Node, rng: &mut GenRng, out: &mut Vec<u8>) {
        match node {
            Node::Null => out.extend_from_slice(b"null"),
            Node::Bool => out.extend_from_slice(if rng.next_u32() & 1 == 1 {
                b"true"
            } else {
                b"false"
            }),
            Node::Int { lo, hi } => {
                let span = hi.saturating_sub(*lo).saturating_add(1).max(1) as u64;
                let n = lo.saturating_add((rng.next_u64() % span) as i64);
                out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
            }
            Node::Number => {
                let cents = rng.next_u64() % 10_000_000;
                out.extend_from_slice(itoa::Buffer::new().format(cents / 100).as_bytes());
                let fraction = (cents % 100) as u8;
                out.extend_from_slice(&[b'.', b'0' + fraction / 10, b'0' + fraction % 10]);
            }
            Node::Text(kind) => out.extend_from_slice(self.pick(*kind, rng).as_bytes()),
            Node::DateTime => {
                out.extend_from_slice(self.dates[below(rng, self.dates.len())].as_bytes())
            }
            Node::Choice(members) => {
                out.extend_from_slice(members[below(rng, members.len())].as_bytes())
            }
            Node::Array(items) => {
                let count = rng.random_range(1..=3);
                out.push(b'[');
                if let Node::Rendered(variants) = items.as_ref() {
                    // Consecutive variants: the items of one array differ.
                    let first = below(rng, variants.len());
                    for i in 0..count {
                        if i > 0 {
                            out.push(b',');
                        }
                        out.extend_from_slice(&variants[(first + i) % variants.len()]);
                    }
                } else {
                    for i in 0..count {
                        if i > 0 {
                            out.push(b',');
                        }
                        self.write_node(items, rng, out);
                    }
                }
                out.push(b']');
            }
            Node::Object(props) => self.write_object(props, rng, out),
            Node::Rendered(variants) => {
                out.extend_from_slice(&variants[below(rng, variants.len())])
            }
            Node::Dict(kind) => {
                // Two entries under two different keys.
                let words = &self.pools[TextKind::Word as usize];
                let first = below(rng, words.len());
                let mut second = below(rng, words.len());
                if words[second] == words[first] {
                    second = words
                        .iter()
                        .position(|w| *w != words[first])
                        .unwrap_or(second);
                }
                out.push(b'{');
                for (i, key) in [first, second].into_iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    out.extend_from_slice(words[key].as_bytes());
                    out.push(b':');
                    out.extend_from_slice(self.pick(*kind, rng).as_bytes());
                }
                out.push(b'}');
            }
        }
    }

    /// [`VARIANTS`] renderings of `node`, from an RNG seeded with `seed`.
    fn render(&self, node: &Node, seed: u64) -> Vec<Box<[u8]>> {
        let mut rng = GenRng::seed_from_u64(seed);
        (0..VARIANTS)
            .map(|_| {
                let mut out = Vec::new();
                self.write_node(node, &mut rng, &mut out);
                out.into_boxed_slice()
            })
            .collect()
    }

    /// The rendered variants of named type `name` held by `field`, compiled on first use.
    /// They depend only on `--seed`, the type, the field and the named depth, never on which
    /// operation asked first.
    fn named_variants(&self, name: &str, schema: &Value, field: &str, named: usize) -> Variants {
        let key = (name.to_string(), field.to_string(), named);
        if let Some(found) = self
            .rendered
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .and_then(Weak::upgrade)
        {
            return found;
        }
        let node = self.node(schema, field, named, 0, Place::Inside);
        let seed = mix(
            mix(mix(self.seed, name.as_bytes()), field.as_bytes()),
            &named.to_le_bytes(),
        );
        let variants = Arc::new(self.render(&node, seed));
        let mut rendered = self.rendered.lock().unwrap_or_else(PoisonError::into_inner);
        // Forget dropped shapes now and then, so the map follows the shapes in use.
        if rendered.len() >= 1024 && rendered.len().is_power_of_two() {
            rendered.retain(|_, weak| weak.strong_count() > 0);
        }
        match rendered.get(&key).and_then(Weak::upgrade) {
            // Rendered meanwhile by another request: the same bytes, keep one copy.
            Some(other) => other,
            None => {
                rendered.insert(key, Arc::downgrade(&variants));
                variants
            }
        }
    }

    fn pick(&self, kind: TextKind, rng: &mut GenRng) -> &str {
        let pool = &self.pools[kind as usize];
        &pool[below(rng, pool.len())]
    }
}

/// A string rendered as a JSON string literal.
fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}

/// The first non-null type of a schema.
pub fn primary_type(schema: &Value) -> Option<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null"),
        _ if schema.get("properties").is_some() => Some("object"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_drive_the_values() {
        let faker = Faker::new(Arc::new(BTreeMap::new()), 1);
        let schema = json!({"type": "object", "properties": {
            "ContactId": {"type": "integer"}, "EmailAddress": {"type": "string"},
            "Firstname": {"type": "string"}, "Updated": {"type": "string", "format": "date-time"},
            "Status": {"type": "string", "enum": ["Open", "Closed"]}, "Amount": {"type": "number"}
        }});
        let v = faker.generate(&schema, 7);
        assert!(v["ContactId"].as_i64().is_some_and(|id| id > 0));
        assert!(v["EmailAddress"].as_str().is_some_and(|e| e.contains('@')));
        assert!(
            v["Updated"]
                .as_str()
                .is_some_and(|d| chrono::DateTime::parse_from_rfc3339(d).is_ok())
        );
        assert!(["Open", "Closed"].contains(&v["Status"].as_str().unwrap_or_default()));
        assert!(v["Amount"].is_number());
        assert_eq!(v, faker.generate(&schema, 7), "same seed, same value");
    }

    #[test]
    fn dictionaries_have_two_distinct_keys() {
        let faker = Faker::new(Arc::new(BTreeMap::new()), 1);
        let plan = faker.plan(&json!({"type": "object"}));
        for seed in 0..200 {
            let mut out = Vec::new();
            faker.write(&plan, seed, &Overrides::default(), &mut out);
            let v: Value = serde_json::from_slice(&out).expect("valid JSON");
            assert_eq!(v.as_object().map(|m| m.len()), Some(2), "{v}");
        }
    }

    #[test]
    fn overrides_fix_and_select_root_fields() {
        let faker = Faker::new(Arc::new(BTreeMap::new()), 1);
        let schema = json!({"type": "object", "properties": {
            "Id": {"type": "integer"}, "Name": {"type": "string"}, "City": {"type": "string"}
        }});
        let plan = faker.plan(&schema);
        let mut overrides = Overrides {
            select: vec!["id".into(), "name".into()],
            ..Overrides::default()
        };
        overrides.fix(
            plan.root_position("Id").expect("Id is a root key"),
            Cow::Borrowed("42"),
        );
        let mut out = Vec::new();
        faker.write(&plan, 3, &overrides, &mut out);
        let v: Value = serde_json::from_slice(&out).expect("valid JSON");
        assert_eq!(v["Id"], 42);
        assert!(v["Name"].is_string());
        assert!(v["City"].is_null());
    }
}
