//! Structural inference from sample values: what the samples show when no table says it.

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

/// Depth below which sample values are not looked into (samples are shallow in practice).
const MAX_DEPTH: usize = 32;

/// The merged shape of every sample value seen at one place.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shape {
    /// How many values were merged in.
    pub seen: usize,
    /// A `null` was seen.
    pub null: bool,
    /// A boolean was seen.
    pub boolean: bool,
    /// An integer was seen.
    pub integer: bool,
    /// A non-integer number was seen.
    pub number: bool,
    /// A string was seen.
    pub string: bool,
    /// Arrays were seen: the merged shape of their items.
    pub array: Option<Box<Shape>>,
    /// Objects were seen: the merged shape of each property, in first-seen order.
    pub object: Option<IndexMap<String, Shape>>,
}

impl Shape {
    /// The shape of one value.
    pub fn of(value: &Value) -> Shape {
        let mut shape = Shape::default();
        shape.add(value, 0);
        shape
    }

    /// Merges one more value into the shape.
    pub fn add(&mut self, value: &Value, depth: usize) {
        self.seen += 1;
        if depth > MAX_DEPTH {
            return;
        }
        match value {
            Value::Null => self.null = true,
            Value::Bool(_) => self.boolean = true,
            Value::Number(n) if n.is_i64() || n.is_u64() => self.integer = true,
            Value::Number(_) => self.number = true,
            Value::String(_) => self.string = true,
            Value::Array(items) => {
                let shape = self.array.get_or_insert_with(Box::default);
                for item in items {
                    shape.add(item, depth + 1);
                }
            }
            Value::Object(map) => {
                let props = self.object.get_or_insert_with(IndexMap::new);
                for (key, v) in map {
                    match props.get_mut(key) {
                        Some(shape) => shape.add(v, depth + 1),
                        None => {
                            let mut shape = Shape::default();
                            shape.add(v, depth + 1);
                            props.insert(key.clone(), shape);
                        }
                    }
                }
            }
        }
    }

    /// A lenient JSON Schema for the shape: types seen, items and properties, never required
    /// properties, never closed objects.
    pub fn schema(&self) -> Value {
        let mut types = Vec::new();
        if self.null {
            types.push("null");
        }
        if self.boolean {
            types.push("boolean");
        }
        if self.number {
            types.push("number");
        } else if self.integer {
            types.push("integer");
        }
        if self.string {
            types.push("string");
        }
        if self.array.is_some() {
            types.push("array");
        }
        if self.object.is_some() {
            types.push("object");
        }
        let mut schema = Map::new();
        match types.as_slice() {
            // Only nulls (or nothing) seen: the samples say nothing about the type.
            [] | ["null"] => return json!({}),
            [one] => {
                schema.insert("type".into(), json!(one));
            }
            many => {
                schema.insert("type".into(), json!(many));
            }
        }
        if let Some(items) = &self.array
            && items.seen > 0
        {
            schema.insert("items".into(), items.schema());
        }
        if let Some(props) = &self.object
            && !props.is_empty()
        {
            let properties: Map<String, Value> =
                props.iter().map(|(k, s)| (k.clone(), s.schema())).collect();
            schema.insert("properties".into(), Value::Object(properties));
        }
        Value::Object(schema)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_items_and_widens_numbers() {
        let shape = Shape::of(&json!([{"a": 1, "b": "x"}, {"a": 2.5, "c": null}]));
        assert_eq!(
            shape.schema(),
            json!({"type": "array", "items": {"type": "object", "properties": {
                "a": {"type": "number"}, "b": {"type": "string"}, "c": {}
            }}})
        );
    }

    #[test]
    fn empty_array_has_no_items() {
        assert_eq!(Shape::of(&json!([])).schema(), json!({"type": "array"}));
    }
}
