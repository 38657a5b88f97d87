//! Compiling a response schema into a [`Plan`]: `$ref`s resolved (named types nested up to
//! a depth), field-name kinds decided, nested object shapes pre-rendered and shared.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError, Weak};

use serde_json::Value;

use super::fake_text::TextKind;
use super::fields::{Measure, pair_periods};
use super::node::{Node, Pair, Rendered, Variants};
use super::plan::Plan;
use super::pools::{ValuePools, json_string};
use super::streams::mix;
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
        Plan::new(root, root_index)
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
