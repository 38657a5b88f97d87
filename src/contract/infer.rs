//! Structural inference from sample values: what the samples show when no table says it.
//!
//! A [`Shape`] is the merge of every sample value seen at one place: which JSON kinds were
//! seen, how many strings were RFC 3339 date-times, the distinct short texts (for formats and
//! enum values), whether an integer left the int32 range, and the shapes of array items and
//! object members. Empty objects (`{}`, what the docs generator writes at its depth limit)
//! are counted apart: they show that a value is an object, never what it holds.

use indexmap::IndexMap;
#[cfg(test)]
use serde_json::json;
use serde_json::{Map, Value};

/// Depth below which sample values are not looked into (samples are shallow in practice).
const MAX_DEPTH: usize = 32;

/// Distinct texts kept per place (enough for enum values and format exemplars).
const TEXT_CAP: usize = 24;

/// Texts longer than this are counted but not kept.
const TEXT_LEN_CAP: usize = 96;

/// What the docs generator writes in a sample where the value is an object it does not
/// render (a map's values, an `object` member): an object, like `{}`, not a string.
pub(super) const OBJECT_PLACEHOLDER: &str = "An object of some kind";

/// The merged shape of every sample value seen at one place.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Shape {
    /// How many values were merged in.
    pub seen: usize,
    /// A `null` was seen.
    pub null: bool,
    /// A boolean was seen.
    pub boolean: bool,
    /// An integer was seen.
    pub integer: bool,
    /// An integer outside the int32 range was seen.
    pub wide_integer: bool,
    /// A non-integer number was seen.
    pub number: bool,
    /// How many strings were seen.
    pub strings: usize,
    /// How many of them are RFC 3339 date-times.
    pub date_times: usize,
    /// Distinct short strings, first seen first (at most [`TEXT_CAP`]).
    pub texts: Vec<String>,
    /// More distinct (or longer) strings were seen than `texts` keeps.
    pub texts_overflow: bool,
    /// Arrays were seen: the merged shape of their items.
    pub array: Option<Box<Shape>>,
    /// Objects with members were seen: the merged shape of each member, first seen first.
    pub object: Option<IndexMap<String, Shape>>,
    /// Empty objects seen (`{}`): what the docs generator writes at its depth limit, an
    /// object at most and nothing more.
    pub empty_objects: usize,
    /// Objects the docs generator stood in for with [`OBJECT_PLACEHOLDER`]: objects.
    pub placeholders: usize,
}

impl Shape {
    /// The shape of one value.
    pub(crate) fn of(value: &Value) -> Shape {
        let mut shape = Shape::default();
        shape.add(value, 0);
        shape
    }

    /// Merges one more value into the shape.
    pub(crate) fn add(&mut self, value: &Value, depth: usize) {
        self.seen += 1;
        if depth > MAX_DEPTH {
            return;
        }
        match value {
            Value::Null => self.null = true,
            Value::Bool(_) => self.boolean = true,
            Value::Number(n) if n.is_i64() || n.is_u64() => {
                self.integer = true;
                let fits = n.as_i64().is_some_and(|i| i32::try_from(i).is_ok());
                self.wide_integer |= !fits;
            }
            Value::Number(_) => self.number = true,
            Value::String(s) if s == OBJECT_PLACEHOLDER => self.placeholders += 1,
            Value::String(s) => self.add_text(s),
            Value::Array(items) => {
                let shape = self.array.get_or_insert_with(Box::default);
                for item in items {
                    shape.add(item, depth + 1);
                }
            }
            Value::Object(map) if map.is_empty() => self.empty_objects += 1,
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

    fn add_text(&mut self, text: &str) {
        self.strings += 1;
        if is_date_time(text) {
            self.date_times += 1;
        }
        self.keep_text(text);
    }

    fn keep_text(&mut self, text: &str) {
        if self.texts.iter().any(|t| t == text) {
            return;
        }
        if text.len() > TEXT_LEN_CAP || self.texts.len() >= TEXT_CAP {
            self.texts_overflow = true;
        } else {
            self.texts.push(text.to_string());
        }
    }

    /// Merges another shape into this one.
    pub(crate) fn merge(&mut self, other: &Shape) {
        self.seen += other.seen;
        self.null |= other.null;
        self.boolean |= other.boolean;
        self.integer |= other.integer;
        self.wide_integer |= other.wide_integer;
        self.number |= other.number;
        self.strings += other.strings;
        self.date_times += other.date_times;
        self.texts_overflow |= other.texts_overflow;
        for text in &other.texts {
            self.keep_text(text);
        }
        self.empty_objects += other.empty_objects;
        self.placeholders += other.placeholders;
        if let Some(items) = &other.array {
            self.array.get_or_insert_with(Box::default).merge(items);
        }
        if let Some(props) = &other.object {
            let mine = self.object.get_or_insert_with(IndexMap::new);
            for (key, shape) in props {
                match mine.get_mut(key) {
                    Some(m) => m.merge(shape),
                    None => {
                        mine.insert(key.clone(), shape.clone());
                    }
                }
            }
        }
    }

    /// Whether anything but `null` was seen.
    pub(crate) fn has_values(&self) -> bool {
        self.boolean
            || self.integer
            || self.number
            || self.strings > 0
            || self.array.is_some()
            || self.object.is_some()
            || self.empty_objects > 0
            || self.placeholders > 0
    }

    /// Whether the values seen show anything beyond their being objects: `{}` alone is what
    /// the docs generator writes at its depth limit, whatever the value's type.
    pub(crate) fn shows_content(&self) -> bool {
        self.has_values()
            && !(self.object.is_none()
                && self.placeholders == 0
                && self.kinds_without_null() == ["object"])
    }

    fn kinds_without_null(&self) -> Vec<&'static str> {
        self.kinds().into_iter().filter(|k| *k != "null").collect()
    }

    /// Whether only strings (and nulls) were seen, at least one string.
    pub(crate) fn only_strings(&self) -> bool {
        self.strings > 0
            && !(self.boolean
                || self.integer
                || self.number
                || self.array.is_some()
                || self.object.is_some()
                || self.empty_objects > 0
                || self.placeholders > 0)
    }

    /// Whether every string seen is an RFC 3339 date-time (at least one string).
    pub(crate) fn all_date_times(&self) -> bool {
        self.strings > 0 && self.date_times == self.strings
    }

    /// Whether objects were seen (with or without members).
    pub(crate) fn is_object(&self) -> bool {
        self.object.is_some() || self.empty_objects > 0 || self.placeholders > 0
    }

    /// The member names of the objects seen, first seen first.
    pub(crate) fn keys(&self) -> Vec<&str> {
        self.object
            .as_ref()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// The merged shape of every member value of the objects seen (a map's values).
    pub(crate) fn member_values(&self) -> Shape {
        let mut merged = Shape::default();
        for shape in self.object.iter().flat_map(|o| o.values()) {
            merged.merge(shape);
        }
        merged
    }

    /// The JSON kinds seen, as JSON Schema type names, in a stable order.
    pub(crate) fn kinds(&self) -> Vec<&'static str> {
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
        if self.strings > 0 {
            types.push("string");
        }
        if self.array.is_some() {
            types.push("array");
        }
        if self.is_object() {
            types.push("object");
        }
        types
    }

    /// A lenient JSON Schema for the shape: types seen, items and properties, never required
    /// properties, never closed objects. Strings that are all date-times get the format.
    #[cfg(test)]
    pub(crate) fn schema(&self) -> Value {
        let types = self.kinds();
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
        if self.only_strings() && self.all_date_times() {
            schema.insert("format".into(), json!("date-time"));
        }
        if let Some(items) = &self.array
            && items.shows_content()
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

/// `value` with every [`OBJECT_PLACEHOLDER`] text in it read as the object it stands for
/// (`{}`); borrowed when it holds none.
pub(super) fn placeholders_as_objects(value: &Value) -> std::borrow::Cow<'_, Value> {
    fn holds(value: &Value) -> bool {
        match value {
            Value::String(s) => s == OBJECT_PLACEHOLDER,
            Value::Array(items) => items.iter().any(holds),
            Value::Object(map) => map.values().any(holds),
            _ => false,
        }
    }
    fn replaced(value: &Value) -> Value {
        match value {
            Value::String(s) if s == OBJECT_PLACEHOLDER => Value::Object(Map::new()),
            Value::Array(items) => Value::Array(items.iter().map(replaced).collect()),
            Value::Object(map) => {
                Value::Object(map.iter().map(|(k, v)| (k.clone(), replaced(v))).collect())
            }
            other => other.clone(),
        }
    }
    if holds(value) {
        std::borrow::Cow::Owned(replaced(value))
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

/// Whether `text` is an RFC 3339 date-time (`2012-09-14T14:19:02.7125533+02:00`).
pub(super) fn is_date_time(text: &str) -> bool {
    /// The shortest RFC 3339 date-time: seconds, no fraction, `Z`.
    const SHORTEST: usize = "2012-09-14T14:19:02Z".len();
    let bytes = text.as_bytes();
    // Cheap shape test first: `dddd-dd-ddT`.
    let looks = bytes.len() >= SHORTEST
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && matches!(bytes[10], b'T' | b't');
    looks && chrono::DateTime::parse_from_rfc3339(text).is_ok()
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

    #[test]
    fn empty_objects_say_object_only() {
        let shape = Shape::of(&json!([{}, {}]));
        let items = shape.array.as_ref().expect("items");
        assert!(items.object.is_none());
        assert_eq!(items.empty_objects, 2);
        assert!(!items.shows_content());
        assert_eq!(shape.schema(), json!({"type": "array"}));
    }

    #[test]
    fn date_times_and_texts() {
        let mut shape = Shape::of(&json!("2012-09-14T14:19:02.7125533+02:00"));
        shape.add(&json!("2012-09-14T14:19:02Z"), 0);
        assert!(shape.all_date_times());
        assert_eq!(shape.schema()["format"], "date-time");
        shape.add(&json!("soon"), 0);
        assert!(!shape.all_date_times());
        assert_eq!(shape.texts.len(), 3);
        assert!(!is_date_time("2012-09-14T14:19:02"));
        assert!(!is_date_time("x"));
    }

    #[test]
    fn the_object_placeholder_is_an_object() {
        let sample = json!({"1": OBJECT_PLACEHOLDER, "2": [OBJECT_PLACEHOLDER], "3": "text"});
        let shape = Shape::of(&sample);
        let one = &shape.object.as_ref().expect("object")["1"];
        assert!(one.is_object() && one.shows_content() && one.strings == 0);
        assert_eq!(
            placeholders_as_objects(&sample).into_owned(),
            json!({"1": {}, "2": [{}], "3": "text"})
        );
        assert!(matches!(
            placeholders_as_objects(&json!({"a": "b"})),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn depth_limit_objects_show_no_items() {
        // `[[{}], [{}]]`: the docs generator's depth limit, whatever the items are.
        let shape = Shape::of(&json!([[{}], [{}]]));
        let inner = shape.array.as_ref().expect("items");
        assert!(inner.shows_content());
        assert!(!inner.array.as_ref().expect("inner items").shows_content());
        assert_eq!(
            shape.schema(),
            json!({"type": "array", "items": {"type": "array"}})
        );
    }

    #[test]
    fn merge_is_add() {
        let mut a = Shape::of(&json!({"k": [1]}));
        let b = Shape::of(&json!({"k": [3_000_000_000_i64], "j": "x"}));
        a.merge(&b);
        let k = &a.object.as_ref().expect("object")["k"];
        assert!(k.array.as_ref().expect("items").wide_integer);
        assert_eq!(a.keys(), vec!["k", "j"]);
    }
}
