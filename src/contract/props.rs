//! One property's schema from everything known about it: its (corrected) type cell, the
//! sample values seen under it, and what the rest of the docs set says (the lexicon for the
//! same property elsewhere, the catalog of named types for objects no table types).
//!
//! - A cell wins over samples; samples and other rows only make it more specific (formats,
//!   array items, map values, enum values seen).
//! - `array` items: the named type whose properties the sample items show (the owner itself
//!   for recursive properties), else an object of the sample's keys, each typed as above.
//!   Empty objects (`[{}, {}]`, the generator's depth limit) are no evidence.
//! - `object` cells are dictionaries: the merged shape of the sample members gives the
//!   schema of the values, under [`MAP_VALUES`].
//! - No cell: the lexicon's consensus for the property name, if the sample fits it, else the
//!   sample's own shape.

use serde_json::{Map, Value, json};

use super::catalog::Catalog;
use super::enums;
use super::infer::Shape;
use super::lexicon::Lexicon;
use super::types::{Primitive, TypeCell, type_ref};

/// Where a dictionary's value schema lives. The OpenAPI export writes it as the standard
/// `additionalProperties`; the bundle keeps it under an `x-` key until the mock generates
/// (and its fast path checks) map values of that schema: switching this to
/// `"additionalProperties"` is then the whole change on the contract side.
pub(super) const MAP_VALUES: &str = "additionalProperties";

/// Deepest nesting of sample shapes turned into inline schemas.
const MAX_DEPTH: usize = 24;

/// Where a schema is being built: how deep, and whether its shape was borrowed from the
/// same property on other pages (a borrowed shape never borrows again, so a tree the samples
/// show elsewhere is followed one level, not unrolled).
#[derive(Debug, Clone, Copy, Default)]
struct At {
    level: usize,
    borrowed: bool,
}

impl At {
    fn deeper(self) -> At {
        At {
            level: self.level + 1,
            ..self
        }
    }

    fn borrowed(self) -> At {
        At {
            borrowed: true,
            ..self
        }
    }
}

/// What the rest of the docs set knows, shared by every property schema.
#[derive(Debug, Clone, Copy)]
pub(super) struct Knowledge<'a> {
    /// Rows and samples of every property.
    pub lexicon: &'a Lexicon,
    /// Key sets of the named types.
    pub catalog: &'a Catalog,
}

/// What a table row says about a property's type.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cell<'a> {
    /// The cell as written.
    Written(&'a str),
    /// The cell as the other rows of the property settle it.
    Corrected(TypeCell),
    /// Tables disagree beyond reconciling: an object of unknown shape.
    Unknown,
    /// No table lists the property: only samples show it.
    None,
}

/// One property to type.
#[derive(Debug, Clone, Copy)]
pub(super) struct Prop<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its description (the lexicon key with the name).
    pub description: &'a str,
    /// What the tables say.
    pub cell: &'a Cell<'a>,
    /// Every sample value seen under it.
    pub shape: &'a Shape,
    /// The named type holding it, for recursive items.
    pub owner: Option<&'a str>,
}

impl Knowledge<'_> {
    /// The schema of one property (without description or provenance keys).
    pub(super) fn property(&self, prop: &Prop) -> Value {
        self.property_at(prop, At::default())
    }

    fn property_at(&self, prop: &Prop, depth: At) -> Value {
        let cell = match prop.cell {
            Cell::Written(raw) => self
                .lexicon
                .refine(prop.name, prop.description, raw, prop.shape),
            Cell::Corrected(cell) => cell.clone(),
            Cell::Unknown => return self.unknown_object(prop.shape, depth),
            Cell::None => {
                // Samples alone: what they show, nulls included.
                let mut schema = self.sample_only(prop, depth);
                if prop.shape.null {
                    nullable(&mut schema);
                }
                return schema;
            }
        };
        self.cell_schema(&cell, prop, depth)
    }

    /// A property no table lists: the lexicon's consensus for its name when the samples fit
    /// it, else the samples' own shape.
    fn sample_only(&self, prop: &Prop, depth: At) -> Value {
        let cell = match self.lexicon.by_name(prop.name, prop.shape) {
            Some(TypeCell::Primitive(p)) if p.kind() == "string" => {
                let specific = (p != Primitive::String).then_some(p);
                let refined = self.lexicon.string_format(prop.shape, specific);
                TypeCell::Primitive(refined.unwrap_or(Primitive::String))
            }
            Some(TypeCell::Primitive(Primitive::Int32)) if prop.shape.wide_integer => {
                TypeCell::Primitive(Primitive::Int64)
            }
            Some(cell) => cell,
            None => return self.shaped(prop.name, prop.description, prop.shape, depth),
        };
        self.cell_schema(&cell, prop, depth)
    }

    fn cell_schema(&self, cell: &TypeCell, prop: &Prop, depth: At) -> Value {
        match cell {
            TypeCell::Primitive(Primitive::String) => {
                match self.lexicon.string_format(prop.shape, None) {
                    Some(p) => self.primitive(p, prop.shape),
                    None => self.string(prop.shape, prop.description),
                }
            }
            TypeCell::Primitive(p) => self.primitive(*p, prop.shape),
            TypeCell::Enum(members) => enums::complete(members),
            TypeCell::Array => self.array(prop, depth),
            TypeCell::Object => self.map(prop.shape, depth),
            TypeCell::Named(name) => {
                // A sample that is plainly no object contradicts the cell: follow the sample.
                let contradicted = prop.shape.has_values() && !prop.shape.is_object();
                if contradicted {
                    self.shaped(prop.name, prop.description, prop.shape, depth)
                } else {
                    type_ref(name)
                }
            }
            TypeCell::Empty => self.shaped(prop.name, prop.description, prop.shape, depth),
        }
    }

    fn string(&self, shape: &Shape, description: &str) -> Value {
        if let Some(listed) = enums::listed_in(description) {
            return enums::listed(&listed, shape);
        }
        let mut schema = Map::new();
        schema.insert("type".into(), json!("string"));
        enums::add_seen(&mut schema, shape, description);
        Value::Object(schema)
    }

    /// An `array` cell: the items from the samples under it, or (when those show nothing)
    /// from the samples under the same property elsewhere.
    fn array(&self, prop: &Prop, depth: At) -> Value {
        let own = prop.shape.array.as_deref();
        let shows_items = Shape::shows_content;
        let elsewhere = self
            .lexicon
            .group(prop.name, prop.description)
            .map(|g| &g.shape)
            .or_else(|| self.lexicon.name_shape(prop.name))
            .and_then(|s| s.array.as_deref());
        let (items, depth) = match (own, elsewhere) {
            (Some(own), _) if shows_items(own) => (Some(own), depth),
            (_, Some(other)) if shows_items(other) && !depth.borrowed => {
                (Some(other), depth.borrowed())
            }
            (own, _) => (own, depth),
        };
        match items {
            Some(items) if items.shows_content() => {
                json!({"type": "array", "items": self.items(prop.name, items, prop.owner, depth)})
            }
            _ => json!({"type": "array"}),
        }
    }

    fn items(&self, name: &str, items: &Shape, owner: Option<&str>, depth: At) -> Value {
        let keys = items.keys();
        if items.kinds().iter().all(|k| *k == "object" || *k == "null") && !keys.is_empty() {
            if let Some(owner) = owner.filter(|o| self.catalog.fits(o, &keys)) {
                return type_ref(owner);
            }
            if let Some(found) = self.catalog.best(&keys, Some(name)) {
                return type_ref(found);
            }
        }
        self.shaped("", "", items, depth.deeper())
    }

    /// An `object` cell: a dictionary whose values the sample members show.
    fn map(&self, shape: &Shape, depth: At) -> Value {
        let values = shape.member_values();
        let mut schema = json!({"type": "object"});
        if values.shows_content() && depth.level < MAX_DEPTH {
            schema[MAP_VALUES] = self.shaped("", "", &values, depth.deeper());
        }
        schema
    }

    /// Tables disagree: an object (or null, as named types are), shaped by its samples if
    /// they show one.
    fn unknown_object(&self, shape: &Shape, depth: At) -> Value {
        let mut schema = if shape.object.is_some() {
            self.shaped("", "", shape, depth)
        } else {
            json!({"type": "object", UNKNOWN: true})
        };
        nullable(&mut schema);
        schema
    }

    /// A primitive's schema; for bytes, the docs' stand-ins the samples show (text that is
    /// no base64, such as `GIF89....File contents as raw bytes...`) are kept as `examples`,
    /// so the documented sample is recognised for what it is.
    fn primitive(&self, p: Primitive, shape: &Shape) -> Value {
        let mut schema = p.schema();
        if p == Primitive::Bytes {
            let stand_ins: Vec<&String> = shape
                .texts
                .iter()
                .filter(|t| !super::validate::is_base64(t) && self.lexicon.is_byte_text(t))
                .collect();
            if !stand_ins.is_empty() {
                schema["examples"] = json!(stand_ins);
            }
        }
        schema
    }

    /// An integer only samples show: the width the docs family gives every typed integer
    /// row (int32 in SuperOffice's), or int64 where the samples do not fit int32; no format
    /// when the tables show no single width.
    fn sample_integer(&self, shape: &Shape) -> Value {
        match self.lexicon.integer_default() {
            Some(Primitive::Int32) if shape.wide_integer => Primitive::Int64.schema(),
            Some(width) => width.schema(),
            None => json!({"type": "integer"}),
        }
    }

    /// A schema from samples alone (see [`Knowledge::shaped`]), at the top of a body.
    pub(super) fn sample_schema(&self, shape: &Shape) -> Value {
        self.shaped("", "", shape, At::default())
    }

    /// A schema from samples alone: the kinds seen, string formats, array items and object
    /// properties (each typed through the lexicon by its name).
    fn shaped(&self, name: &str, description: &str, shape: &Shape, depth: At) -> Value {
        let kinds: Vec<&str> = shape.kinds().into_iter().filter(|k| *k != "null").collect();
        if kinds.is_empty() && shape.null {
            // Only `null` seen: the docs generator's placeholder for an object it does not
            // expand (it writes no primitive, list or map as `null`).
            return placeholder_object();
        }
        if kinds.is_empty() || depth.level > MAX_DEPTH {
            return json!({});
        }
        let mut schema = self.shaped_values(name, description, shape, &kinds, depth);
        // Objects of this API are references, null where absent, as its named types are:
        // a sample that happens to show one never makes the others non-null.
        if shape.null || kinds == ["object"] {
            nullable(&mut schema);
        }
        schema
    }

    fn shaped_values(
        &self,
        name: &str,
        description: &str,
        shape: &Shape,
        kinds: &[&str],
        depth: At,
    ) -> Value {
        if kinds == ["integer"] {
            return self.sample_integer(shape);
        }
        if kinds == ["string"] {
            return match self.lexicon.string_format(shape, None) {
                Some(p) => self.primitive(p, shape),
                None => self.string(shape, description),
            };
        }
        let mut schema = Map::new();
        schema.insert(
            "type".into(),
            match kinds {
                [one] => json!(one),
                many => json!(many),
            },
        );
        if let Some(items) = shape.array.as_deref().filter(|i| i.shows_content()) {
            schema.insert("items".into(), self.items(name, items, None, depth));
        }
        if let Some(props) = &shape.object {
            let keys: Vec<&str> = props.keys().map(String::as_str).collect();
            if kinds == ["object"] && self.lexicon.is_dictionary(name, &keys) {
                // `{"fieldName": {…}}`: a dictionary as the docs generator writes one.
                return self.map(shape, depth);
            }
            if kinds == ["object"]
                && let Some(found) = self.catalog.best(&keys, (!name.is_empty()).then_some(name))
            {
                return type_ref(found);
            }
            let properties: Map<String, Value> = props
                .iter()
                .map(|(key, member)| {
                    let prop = Prop {
                        name: key,
                        description: "",
                        cell: &Cell::None,
                        shape: member,
                        owner: None,
                    };
                    (key.clone(), self.property_at(&prop, depth.deeper()))
                })
                .collect();
            schema.insert("properties".into(), Value::Object(properties));
        }
        Value::Object(schema)
    }
}

/// Marks an object whose members no page shows (an open object): the OpenAPI export keeps
/// it open for code generators, the mock answers it as `{}`.
pub(super) const UNKNOWN: &str = "x-mockdown-unknown";

/// An object the pages show only as the generator's `null` placeholder: open, of unknown
/// members; `null` stays admitted so the documented samples (and requests that send the
/// placeholder) keep their schema.
pub(super) fn placeholder_object() -> Value {
    json!({"type": ["object", "null"], UNKNOWN: true})
}

/// Lets a schema with a `type` also admit `null` (what samples show for absent values).
fn nullable(schema: &mut Value) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    match map.get_mut("type") {
        Some(Value::String(t)) if t != "null" => {
            let t = std::mem::take(t);
            map.insert("type".into(), json!([t, "null"]));
        }
        Some(Value::Array(types)) if !types.iter().any(|t| t == "null") => {
            types.push(json!("null"));
        }
        _ => {}
    }
}

#[cfg(test)]
#[path = "props_tests.rs"]
mod tests;
