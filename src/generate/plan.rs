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
use std::sync::{Arc, Mutex, PoisonError, Weak};

use rand::{RngExt, SeedableRng};
use serde_json::Value;

use super::fake_text::TextKind;
use super::node::{Node, Rendered, Variants};
use super::pools::{ValuePools, json_string};
use super::streams::{GenRng, mix, stream_seed};
use crate::contract::types::{NameIndex, name_index};
use crate::contract::types::{primary_type, ref_target};

/// Named types nested deeper than this are left `null` (they are nullable).
/// Two levels match the documented samples: a carrier's own named properties are filled,
/// theirs are `null`.
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
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    root: Node,
    /// Root property name → its position.
    root_index: NameIndex,
}

impl Plan {
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
                let count = rng.random_range(1..=3);
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
            node.write(pools, &mut GenRng::seed_from_u64(stream_seed(seed, i)), out);
        }
    }
    out.push(b'}');
}

/// What to put in place of generated root properties.
#[derive(Debug, Default)]
pub(crate) struct Overrides<'a> {
    /// Fixed JSON values of root properties, by position (echoed ids, fields the client sent).
    pub(crate) fixed: Vec<Option<Cow<'a, str>>>,
    /// `$select`: root properties (lower-case) to keep; the rest are null. Empty keeps all.
    pub(crate) select: Vec<String>,
}

impl<'a> Overrides<'a> {
    /// Fixes the root property at `index` to the JSON text `value` (a later call wins).
    pub(crate) fn fix(&mut self, index: usize, value: Cow<'a, str>) {
        if self.fixed.len() <= index {
            self.fixed.resize(index + 1, None);
        }
        self.fixed[index] = Some(value);
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
        Plan { root, root_index }
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
                Node::Rendered(Arc::new(node.render(self.pools, seed)))
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
