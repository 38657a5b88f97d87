//! Compiling a response schema into a [`Plan`] (`$ref`s resolved, field-name kinds decided)
//! and writing a plan with the request's overrides.
//!
//! Objects below the root are generated ahead of time: each nested object shape gets
//! [`VARIANTS`](super::node::VARIANTS) rendered variants (shared across operations for named
//! types, seeded from `--seed` and the type, so the order of compilation never changes a
//! byte), and a request picks among them. Root fields, the ones that echo ids and sent
//! fields, are generated per request, each from its own stream.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};

use rand::{RngExt, SeedableRng};
use serde_json::Value;

use super::fake_text::TextKind;
use super::fields::{Measure, pair_periods};
use super::node::{Node, Pair, Rendered, Variants, write_items};
use super::pools::{ValuePools, json_string};
use super::streams::{GenRng, mix, stream_seed};
use crate::contract::types::{NameIndex, name_index};
use crate::contract::types::{primary_type, ref_target};

/// Named types nested deeper than this are answered as empty objects: two levels match the
/// documented samples (a carrier's own named properties are filled). The samples show the
/// deeper ones as `null`, the docs generator's placeholder for an object it does not expand,
/// which is no value the API sends: `{}` is an object of the type (no property is required).
const MAX_NAMED_DEPTH: usize = 2;
/// Plain nesting bound (arrays of arrays ...).
const MAX_DEPTH: usize = 12;

/// A pre-rendered object shape: named type, field holding it, named depth.
type ShapeKey = (String, String, usize);

/// Variants as the shape cache holds them.
type WeakVariants = Weak<Rendered>;

/// Rendered variants of named types, by shape. Held weakly: the variants live as long as a
/// plan uses them, and are rendered again (the same bytes) when needed after that.
#[derive(Debug, Default)]
pub(super) struct ShapeCache(Mutex<HashMap<ShapeKey, WeakVariants>>);

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
#[derive(Debug)]
pub(crate) struct Plan {
    root: Node,
    /// Root property name → its position.
    root_index: NameIndex,
    /// The longest body this plan has written (up to [`SIZE_HINT_CAP`]): the capacity a
    /// request's buffer starts with, so the buffer is allocated once and no larger than
    /// the answers it holds (a capacity only: the bytes written do not depend on it).
    size_hint: AtomicUsize,
}

impl Clone for Plan {
    fn clone(&self) -> Self {
        Self {
            root: self.root.clone(),
            root_index: self.root_index.clone(),
            size_hint: AtomicUsize::new(self.size_hint.load(Ordering::Relaxed)),
        }
    }
}

/// The capacity a plan's first answer starts with.
const FIRST_SIZE_HINT: usize = 4 * 1024;
/// The largest starting capacity a plan keeps (larger answers grow their buffer).
const SIZE_HINT_CAP: usize = 1024 * 1024;

impl Plan {
    /// A buffer for one answer of this plan, with room for the longest written so far.
    pub(crate) fn buffer(&self) -> Vec<u8> {
        Vec::with_capacity(self.size_hint.load(Ordering::Relaxed))
    }

    /// Notes the size of an answer written, for the next buffers.
    pub(crate) fn wrote(&self, len: usize) {
        self.size_hint
            .fetch_max(len.min(SIZE_HINT_CAP), Ordering::Relaxed);
    }

    /// The root property a path parameter `name` fills: the one of that name (any case),
    /// or for `id` the first integer property whose name ends in `Id` (the primary key).
    pub(crate) fn path_slot(&self, name: &str) -> Option<usize> {
        let Node::Object(props) = &self.root else {
            return None;
        };
        props
            .iter()
            .position(|(_, key, _)| key.eq_ignore_ascii_case(name))
            .or_else(|| {
                name.eq_ignore_ascii_case("id")
                    .then(|| {
                        props.iter().position(|(_, key, node)| {
                            key.ends_with("Id") && matches!(node, Node::Int { .. })
                        })
                    })
                    .flatten()
            })
    }

    /// The position of root property `key` (exact spelling).
    pub(crate) fn root_position(&self, key: &str) -> Option<usize> {
        self.root_index.get(key).copied()
    }

    /// Whether any of `names` (lower-case) is a root property (of the root object, or of
    /// the objects of a root array): what `$select` can select.
    pub(crate) fn has_root_property(&self, names: &[String]) -> bool {
        let props = match &self.root {
            Node::Object(props) => props,
            Node::Array(items) => match items.as_ref() {
                Node::Object(props) => props,
                _ => return false,
            },
            _ => return false,
        };
        props
            .iter()
            .any(|(_, key, _)| names.iter().any(|n| n.eq_ignore_ascii_case(key)))
    }

    /// Whether the sent JSON text `value` may be echoed as the root property at `index`:
    /// never a `null` where the answer holds an object or a list (the docs' placeholder,
    /// or nothing sent: a value is generated).
    pub(crate) fn root_echoes(&self, index: usize, value: &str) -> bool {
        let node = match &self.root {
            Node::Object(props) => props.get(index).map(|(_, _, node)| node),
            _ => None,
        };
        match node {
            Some(Node::Object(_) | Node::Dict(_) | Node::Rendered(_) | Node::Array(_)) => {
                !holds_null(value)
            }
            _ => true,
        }
    }

    /// Whether the root property at `index` holds an integer.
    pub(crate) fn root_is_integer(&self, index: usize) -> bool {
        matches!(&self.root, Node::Object(props) if matches!(props.get(index), Some((_, _, Node::Int { .. }))))
    }

    /// Writes a value generated from `seed` as JSON, applying `overrides` to the root
    /// object (or to each object of a root array). Each root property draws from its own
    /// stream, so fixing or deselecting one never changes the others.
    pub(super) fn write(
        &self,
        pools: &ValuePools,
        seed: u64,
        overrides: &Overrides,
        out: &mut Vec<u8>,
    ) {
        match &self.root {
            Node::Object(props) => write_root_object(props, pools, seed, overrides, out),
            Node::Array(items) if !overrides.select.is_empty() => {
                let mut rng = GenRng::seed_from_u64(seed);
                let count = rng.random_range(1..=3usize).min(overrides.max_items());
                out.push(b'[');
                for i in 0..count {
                    if i > 0 {
                        out.push(b',');
                    }
                    match items.as_ref() {
                        Node::Object(props) => {
                            let item_seed = stream_seed(seed, i);
                            write_root_object(props, pools, item_seed, overrides, out)
                        }
                        other => other.write(pools, &mut rng, out),
                    }
                }
                out.push(b']');
            }
            Node::Array(items) => {
                let mut rng = GenRng::seed_from_u64(seed);
                write_items(items, pools, &mut rng, out, overrides.max_items());
            }
            other => other.write(pools, &mut GenRng::seed_from_u64(seed), out),
        }
    }
}

fn write_root_object(
    props: &[(String, String, Node)],
    pools: &ValuePools,
    seed: u64,
    overrides: &Overrides,
    out: &mut Vec<u8>,
) {
    out.push(b'{');
    let mut written = 0;
    for (i, (key_json, key, node)) in props.iter().enumerate() {
        // `$select`: a property not selected is left out (never `null`, which the contract
        // does not allow where the property is an object or a number).
        if !overrides.select.is_empty()
            && !overrides.select.iter().any(|s| s.eq_ignore_ascii_case(key))
        {
            continue;
        }
        if written > 0 {
            out.push(b',');
        }
        written += 1;
        // The key is stored rendered with its colon: `"Name":`.
        out.extend_from_slice(key_json.as_bytes());
        if let Some(Some(fixed)) = overrides.fixed.get(i) {
            out.extend_from_slice(fixed.as_bytes());
        } else {
            let mut rng = GenRng::seed_from_u64(stream_seed(seed, i));
            match node {
                Node::DateTime {
                    pair: Pair::EndOf(start),
                } => write_end(*start, props, pools, seed, overrides, &mut rng, out),
                Node::Array(items) => {
                    write_items(items, pools, &mut rng, out, overrides.max_items())
                }
                other => other.write(pools, &mut rng, out),
            }
        }
    }
    out.push(b'}');
}

/// The end of a period of the root object, not before its start: the start's own stream
/// says which date it drew (each root property has its own), or its fixed value is read.
fn write_end(
    start: usize,
    props: &[(String, String, Node)],
    pools: &ValuePools,
    seed: u64,
    overrides: &Overrides,
    rng: &mut GenRng,
    out: &mut Vec<u8>,
) {
    let dates = pools.dates();
    let from = match overrides.fixed.get(start) {
        Some(Some(fixed)) => {
            let Some(at) = first_not_before(dates, fixed) else {
                // Later than any date we have: the end is the start itself.
                out.extend_from_slice(fixed.as_bytes());
                return;
            };
            at
        }
        _ => {
            let mut start_rng = GenRng::seed_from_u64(stream_seed(seed, start));
            match props.get(start).map(|p| &p.2) {
                Some(Node::DateTime { .. }) => dates.draw(&mut start_rng, 0, dates.len()),
                _ => 0,
            }
        }
    };
    out.extend_from_slice(dates.get(dates.draw(rng, from, dates.len())).as_bytes());
}

/// The first pool date (in time order) not before the JSON date-time text `fixed`; `None`
/// when every date is earlier. A text that is no date-time constrains nothing.
fn first_not_before(dates: &super::pools::Pool, fixed: &str) -> Option<usize> {
    let text = fixed.trim().trim_matches('"');
    let Ok(when) = chrono::DateTime::parse_from_rfc3339(text) else {
        return Some(0);
    };
    let wanted = format!(
        "\"{}\"",
        when.with_timezone(&chrono::Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    let (mut lo, mut hi) = (0, dates.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        if dates.get(mid) < wanted.as_str() {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    (lo < dates.len()).then_some(lo)
}

/// Whether the JSON text `value` is or holds a `null` (a placeholder the answer must not
/// repeat). Texts without the word are not parsed.
fn holds_null(value: &str) -> bool {
    fn any_null(value: &Value) -> bool {
        match value {
            Value::Null => true,
            Value::Array(items) => items.iter().any(any_null),
            Value::Object(members) => members.values().any(any_null),
            _ => false,
        }
    }
    value.contains("null")
        && serde_json::from_str::<Value>(value).map_or(true, |parsed| any_null(&parsed))
}

/// What to put in place of generated root properties.
#[derive(Debug, Default)]
pub(crate) struct Overrides<'a> {
    /// Fixed JSON values of root properties, by position (echoed ids, fields the client sent).
    pub(crate) fixed: Vec<Option<Cow<'a, str>>>,
    /// `$select`: root properties (lower-case) to keep; the rest are left out. Empty keeps
    /// all.
    pub(crate) select: Vec<String>,
    /// A limit the request set (`$top`, `Count`, `MaxRows`, ...): the answer's lists hold no
    /// more items (the root array, and the lists of the root object).
    pub(crate) limit: Option<usize>,
}

impl<'a> Overrides<'a> {
    /// The most items a list of the answer may hold.
    fn max_items(&self) -> usize {
        self.limit.unwrap_or(usize::MAX)
    }

    /// Fixes the root property at `index` to the JSON text `value` (a later call wins).
    pub(crate) fn fix(&mut self, index: usize, value: Cow<'a, str>) {
        if self.fixed.len() <= index {
            self.fixed.resize(index + 1, None);
        }
        self.fixed[index] = Some(value);
    }
}

/// Whether a named type holds only plain values (no objects, no other named types): it
/// cannot nest further, so it is filled at any depth (a `TableRight`'s `{Mask, Reason}`).
fn is_leaf_type(schema: &Value) -> bool {
    let plain = |prop: &Value| {
        let prop = match prop.get("items") {
            Some(items) if primary_type(prop) == Some("array") => items,
            _ => prop,
        };
        prop.get("$ref").is_none()
            && prop.get("properties").is_none()
            && prop.get("additionalProperties").is_none()
            && !matches!(primary_type(prop), Some("object" | "array"))
    };
    schema
        .get("properties")
        .and_then(Value::as_object)
        .is_some_and(|props| !props.is_empty() && props.values().all(plain))
}

/// The name a property is generated under: its own, or for a generic holder (`Value`,
/// `StrippedValue`) its own after the name of what holds it (`Emails[].Value` →
/// `EmailValue`), so the kind follows the context.
fn in_context(holder: &str, name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if !holder.is_empty() && matches!(lower.as_str(), "value" | "strippedvalue") {
        format!("{holder}{name}")
    } else {
        name.to_string()
    }
}

/// Compiles schemas of one contract into plans.
pub(super) struct Compiler<'f> {
    /// Named types, for `$ref`s.
    pub(super) types: &'f BTreeMap<String, Value>,
    /// Pools the pre-rendered variants draw from.
    pub(super) pools: &'f ValuePools,
    /// `--seed`, mixed into the seed of every pre-rendered object shape.
    pub(super) seed: u64,
    /// Variants rendered for named types, shared by every plan.
    pub(super) shapes: &'f ShapeCache,
}

impl Compiler<'_> {
    /// Compiles a schema into a plan.
    pub(super) fn plan(&self, schema: &Value) -> Plan {
        let root = self.node(schema, "", 0, 0, Place::Root);
        let root_index = match &root {
            Node::Object(props) => name_index(props.iter().map(|(_, key, _)| key.as_str())),
            _ => NameIndex::default(),
        };
        Plan {
            root,
            root_index,
            size_hint: AtomicUsize::new(FIRST_SIZE_HINT),
        }
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
            return self.reference(target, field, named, depth, place);
        }
        if let Some(choice) = choice(schema, field) {
            return choice;
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
                Node::Rendered(Arc::new(node.render(self.pools, seed)))
            }
            Some("object") => self.object(schema, field, named, depth, inner),
            Some("array") => {
                let item_field = field.strip_suffix('s').unwrap_or(field);
                let items = match schema.get("items") {
                    // The objects of a root array are root objects.
                    Some(items) => self.node(items, item_field, named, depth + 1, place),
                    // Items the pages never show: an empty list (an answer never invents
                    // a shape).
                    None => Node::Null,
                };
                Node::Array(Box::new(items))
            }
            Some("string") if schema.get("format").and_then(Value::as_str) == Some("date-time") => {
                Node::DateTime { pair: Pair::None }
            }
            Some("string") if schema.get("format").and_then(Value::as_str) == Some("byte") => {
                Node::Text(TextKind::Base64)
            }
            Some("string") => match TextKind::of(field) {
                // A string whose name says date: a date-time, as the API writes them.
                TextKind::DateText => Node::DateTime { pair: Pair::None },
                kind => Node::Text(kind),
            },
            Some("integer") => int(schema, field),
            Some("number") => number(schema, field),
            Some("boolean") => Node::Bool,
            _ => Node::Null,
        }
    }

    /// The node of a reference to named type `target`: compiled in place, or rendered
    /// variants for a nested object; past the depth limit, an object without members.
    fn reference(
        &self,
        target: &str,
        field: &str,
        named: usize,
        depth: usize,
        place: Place,
    ) -> Node {
        match self.types.get(target) {
            Some(resolved) if named < MAX_NAMED_DEPTH || is_leaf_type(resolved) => {
                if place == Place::Nested && primary_type(resolved) == Some("object") {
                    Node::Rendered(self.named_variants(target, resolved, field, named + 1))
                } else {
                    self.node(resolved, field, named + 1, depth + 1, place)
                }
            }
            // Past the depth limit: an object of the type, without its members.
            Some(resolved) if primary_type(resolved) == Some("object") => Node::Dict(None),
            _ => Node::Null,
        }
    }

    /// The node of an object schema: its members, or a map's values.
    fn object(
        &self,
        schema: &Value,
        field: &str,
        named: usize,
        depth: usize,
        inner: Place,
    ) -> Node {
        match schema.get("properties").and_then(Value::as_object) {
            Some(props) if !props.is_empty() => {
                let mut props: Vec<(String, String, Node)> = props
                    .iter()
                    .map(|(name, prop)| {
                        let context = in_context(field, name);
                        (
                            format!("{}:", json_string(name)),
                            name.clone(),
                            self.node(prop, &context, named, depth + 1, inner),
                        )
                    })
                    .collect();
                pair_periods(&mut props);
                Node::Object(props)
            }
            // A map: values of the type its samples and tables show; without that
            // evidence, no entries (an answer never invents a shape).
            _ => match schema.get("additionalProperties").filter(|v| v.is_object()) {
                Some(values) => {
                    let value_field = format!("{field}Value");
                    let node = self.node(values, &value_field, named, depth + 1, inner);
                    Node::Dict(Some(Box::new(node)))
                }
                None => Node::Dict(None),
            },
        }
    }

    /// The rendered variants of named type `name` held by `field`, compiled on first use.
    /// They depend only on `--seed`, the type, the field and the named depth, never on which
    /// operation asked first.
    fn named_variants(&self, name: &str, schema: &Value, field: &str, named: usize) -> Variants {
        let key = (name.to_string(), field.to_string(), named);
        if let Some(found) = self
            .shapes
            .0
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
        let variants = Arc::new(node.render(self.pools, seed));
        let mut rendered = self.shapes.0.lock().unwrap_or_else(PoisonError::into_inner);
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
}

/// One of an enum's members, or of the values the pages show for it (unless `field`'s
/// name says what the value is).
fn choice(schema: &Value, field: &str) -> Option<Node> {
    if let Some(members) = schema
        .get("enum")
        .and_then(Value::as_array)
        .filter(|m| !m.is_empty())
    {
        return Some(Node::Choice(members.iter().map(Value::to_string).collect()));
    }
    if let Some(seen) = schema
        .get(crate::contract::enums::SEEN)
        .and_then(Value::as_array)
        .filter(|m| !m.is_empty())
    {
        // Values the pages show for this enum (not known to be all of them): answer one
        // of those, unless the name says what the value is (a code, an address).
        if !TextKind::is_specific(field) {
            return Some(Node::Choice(seen.iter().map(Value::to_string).collect()));
        }
    }
    None
}

/// An integer in the range `field`'s name suggests, within the schema's bounds.
fn int(schema: &Value, field: &str) -> Node {
    let lower = field.to_ascii_lowercase();
    let (lo, hi) = if lower.ends_with("id") || lower.ends_with("ids") {
        (1, 100_000)
    } else {
        match Measure::of(&lower) {
            Some(measure) => {
                let (lo, hi) = measure.range();
                (lo.ceil() as i64, hi.floor() as i64)
            }
            None => (0, 1_000),
        }
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

/// A number in hundredths, in the range `field`'s name suggests, within the schema's
/// bounds.
fn number(schema: &Value, field: &str) -> Node {
    let (lo, hi) = Measure::of(&field.to_ascii_lowercase()).map_or((0.0, 100_000.0), |m| m.range());
    let min = schema.get("minimum").and_then(Value::as_f64).unwrap_or(lo);
    let max = schema.get("maximum").and_then(Value::as_f64).unwrap_or(hi);
    let (lo, hi) = (lo.max(min), hi.min(max));
    // In hundredths: two decimals, as the samples write amounts.
    let lo = (lo * 100.0).ceil() as i64;
    Node::Number {
        lo,
        hi: ((hi * 100.0).floor() as i64).max(lo),
    }
}
