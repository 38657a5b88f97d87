//! Named types inferred across the whole docs set: every property table that describes a
//! type (as [`super::claims`] accepted it) and every sample object that instantiates it are
//! merged into one schema, keeping track of where each fact came from (table or sample).

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde_json::{Value, json};

use super::enums::{self, SEEN};
use super::infer::Shape;
use super::lexicon::Lexicon;
use super::props::{Cell, Knowledge, Prop, UNKNOWN};
use super::types::{Primitive, SCHEMA_BASE, TypeCell, classify, file_stem};
use crate::docs::PropertyDoc;

/// Deepest nesting of sample objects followed into named types.
const MAX_DEPTH: usize = 64;

/// Most refinement steps followed from a generic cell to the most specific one: the longest
/// chain the page generations' spellings make is two steps (`String` → `string` →
/// `date-time`); one more bounds the loop without cutting a real chain short.
const REFINEMENT_STEPS: usize = 3;

/// One table's word on a property's type, after the lexicon's corrections.
#[derive(Debug, Clone, PartialEq)]
enum Vote {
    /// A cell as written (or as the other rows of the property correct it).
    Cell(String),
    /// The rows of the property cannot be reconciled.
    Unknown,
}

impl Vote {
    fn text(&self) -> &str {
        match self {
            Vote::Cell(t) => t,
            Vote::Unknown => "(unknown)",
        }
    }
}

/// What is known about one property of a named type.
#[derive(Debug, Default)]
struct PropFacts {
    /// Votes from tables with how often each was seen, first-seen first.
    votes: Vec<(Vote, usize)>,
    /// Where each of `votes` was first seen (`file:line`), same order.
    sources: Vec<String>,
    /// The last page that cast each of `votes`, same order.
    voters: Vec<String>,
    /// First non-empty description from a table.
    description: String,
    /// Whether the type was resolved from an empty cell.
    resolved: bool,
    /// Shape of sample values (formats, items, map values, sample-only properties).
    shape: Shape,
    /// The named type the tables settle on, once [`TypeBook::seal`] has run.
    named: Option<String>,
}

impl PropFacts {
    /// The votes that disagree after generic cells (`string`, `Integer`, `object`) join
    /// the specific ones they are compatible with (`date-time`, `int64`, a named type).
    fn collapsed(&self) -> Vec<(&Vote, usize)> {
        let mut out: Vec<(&Vote, usize)> = Vec::new();
        for (vote, count) in &self.votes {
            // Follow refinements (`String` → `string` → `date-time`) to the most specific.
            let mut target = vote;
            for _ in 0..REFINEMENT_STEPS {
                match self
                    .votes
                    .iter()
                    .map(|(v, _)| v)
                    .find(|v| refines(target, v))
                {
                    Some(next) => target = next,
                    None => break,
                }
            }
            match out.iter_mut().find(|(v, _)| *v == target) {
                Some((_, n)) => *n += count,
                None => out.push((target, *count)),
            }
        }
        out
    }

    /// The vote most tables agree on (first seen wins ties).
    fn chosen(&self) -> Option<&Vote> {
        let mut best: Option<(&Vote, usize)> = None;
        for (vote, count) in self.collapsed() {
            if best.is_none_or(|(_, b)| count > b) {
                best = Some((vote, count));
            }
        }
        best.map(|(v, _)| v)
    }
}

/// Whether `specific` says more than `generic` and agrees with it: `string` → `date-time`,
/// `byte` or an enum; `Integer` → `int64`; and between spellings of one type (`Integer` and
/// `int32`, `Number` and `double`) the lower-case one.
fn refines(generic: &Vote, specific: &Vote) -> bool {
    let (Vote::Cell(g), Vote::Cell(s)) = (generic, specific) else {
        return false;
    };
    if g == s {
        return false;
    }
    let (gc, sc) = (classify(g), classify(s));
    if gc == sc {
        let key = |t: &str| {
            (
                t.starts_with(|c: char| c.is_ascii_uppercase()),
                t.to_string(),
            )
        };
        return key(g) > key(s);
    }
    match (gc, sc) {
        (
            TypeCell::Primitive(Primitive::String),
            TypeCell::Primitive(Primitive::DateTime | Primitive::Bytes | Primitive::Binary)
            | TypeCell::Enum(_),
        ) => true,
        (TypeCell::Primitive(Primitive::Int32), TypeCell::Primitive(Primitive::Int64)) => {
            g.eq_ignore_ascii_case("integer")
        }
        _ => false,
    }
}

/// Facts about one named type.
#[derive(Debug, Default)]
struct TypeFacts {
    props: IndexMap<String, PropFacts>,
    tables: usize,
    samples: usize,
    /// Samples of the type that are no objects (a type whose values are strings: an enum).
    values: Shape,
}

impl TypeFacts {
    fn prop_mut(&mut self, name: &str) -> &mut PropFacts {
        self.props.entry(name.to_string()).or_default()
    }
}

/// A conflict between tables about one property of a named type.
#[derive(Debug, Clone)]
pub(crate) struct TypeConflict {
    /// The named type.
    pub type_name: String,
    /// The property.
    pub property: String,
    /// The type cells seen, with counts (generic cells counted with the specific cell they
    /// agree with).
    pub seen: Vec<(String, usize)>,
    /// Where each cell of `seen` was first written (`file:line`), same order.
    pub sources: Vec<String>,
}

/// Collects facts about named types from tables and samples.
#[derive(Debug, Default)]
pub(super) struct TypeBook {
    types: BTreeMap<String, TypeFacts>,
}

impl TypeBook {
    /// Adds a property table that describes the named type `name`; each cell as the
    /// lexicon settles it.
    pub(super) fn add_table(
        &mut self,
        name: &str,
        file: &str,
        props: &[PropertyDoc],
        lexicon: &Lexicon,
    ) {
        let facts = self.types.entry(name.to_string()).or_default();
        facts.tables += 1;
        for prop in props {
            let vote = match lexicon.correct(&prop.name, &prop.description, &prop.type_text) {
                Some(c) => c.to.map_or(Vote::Unknown, Vote::Cell),
                None => Vote::Cell(prop.type_text.clone()),
            };
            let entry = facts.prop_mut(&prop.name);
            // A page's request and response tables copy the same rows: one vote per page.
            match entry.votes.iter().position(|(v, _)| *v == vote) {
                Some(at) if entry.voters[at] == file => {}
                Some(at) => {
                    entry.votes[at].1 += 1;
                    entry.voters[at] = file.to_string();
                }
                None => {
                    entry.votes.push((vote, 1));
                    entry.sources.push(format!("{file}:{}", prop.line));
                    entry.voters.push(file.to_string());
                }
            }
            if entry.description.is_empty() {
                entry.description = prop.description.clone();
            }
        }
        self.note_references(props);
    }

    /// Makes sure every named type a table refers to exists.
    pub(super) fn note_references(&mut self, props: &[PropertyDoc]) {
        for prop in props {
            if let TypeCell::Named(name) = classify(&prop.type_text) {
                self.types.entry(name).or_default();
            }
        }
    }

    /// Makes sure a named type exists (it is referred to).
    pub(super) fn note_type(&mut self, name: &str) {
        self.types.entry(name.to_string()).or_default();
    }

    /// Marks a property whose type was resolved from an empty cell.
    pub(super) fn mark_resolved(&mut self, type_name: &str, property: &str) {
        if let Some(facts) = self.types.get_mut(type_name) {
            facts.prop_mut(property).resolved = true;
        }
    }

    /// The property names known for each type (tables and samples).
    pub(super) fn key_sets(&self) -> BTreeMap<String, std::collections::BTreeSet<String>> {
        self.types
            .iter()
            .map(|(name, facts)| (name.clone(), facts.props.keys().cloned().collect()))
            .collect()
    }

    /// Settles each property's cell once all tables are in (samples are fed after): values
    /// of properties the tables type with a named type are instances of that type.
    pub(super) fn seal(&mut self) {
        for facts in self.types.values_mut() {
            for prop in facts.props.values_mut() {
                prop.named = match prop.chosen() {
                    Some(Vote::Cell(cell)) => match classify(cell) {
                        TypeCell::Named(inner) => Some(inner),
                        _ => None,
                    },
                    _ => None,
                };
            }
        }
    }

    /// Feeds a sample value of an inline table (request body or inline response): values of
    /// named-typed properties are instances of those types.
    pub(super) fn feed_table(&mut self, props: &[PropertyDoc], value: &Value, lexicon: &Lexicon) {
        let Value::Object(map) = value else { return };
        for prop in props {
            let cell = lexicon.corrected_cell(&prop.name, &prop.description, &prop.type_text);
            if let (TypeCell::Named(name), Some(v)) = (cell, map.get(&prop.name)) {
                self.feed_named(&name, v, 0);
            }
        }
    }

    /// Feeds a sample value that instantiates the named type `name`.
    pub(super) fn feed_named(&mut self, name: &str, value: &Value, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let Value::Object(map) = value else {
            if !value.is_null() && !value.is_array() {
                let facts = self.types.entry(name.to_string()).or_default();
                facts.values.add(value, 0);
            }
            return;
        };
        let facts = self.types.entry(name.to_string()).or_default();
        facts.samples += 1;
        let mut nested = Vec::new();
        for (key, v) in map {
            let prop = facts.prop_mut(key);
            match &prop.named {
                Some(inner) => nested.push((inner.clone(), v)),
                None => prop.shape.add(v, 0),
            }
        }
        for (inner, v) in nested {
            self.feed_named(&inner, v, depth + 1);
        }
    }

    /// Conflicts between tables (one property typed differently on different pages).
    pub(super) fn conflicts(&self) -> Vec<TypeConflict> {
        let mut out = Vec::new();
        for (type_name, facts) in &self.types {
            for (property, prop) in &facts.props {
                let collapsed = prop.collapsed();
                if collapsed.len() > 1 {
                    let sources = collapsed
                        .iter()
                        .map(|(v, _)| {
                            let at = prop.votes.iter().position(|(w, _)| w == *v).unwrap_or(0);
                            prop.sources.get(at).cloned().unwrap_or_default()
                        })
                        .collect();
                    out.push(TypeConflict {
                        type_name: type_name.clone(),
                        property: property.clone(),
                        seen: collapsed
                            .iter()
                            .map(|(v, n)| (v.text().to_string(), *n))
                            .collect(),
                        sources,
                    });
                }
            }
        }
        out
    }

    /// The JSON Schema documents of all named types.
    pub(super) fn schemas(&self, knowledge: &Knowledge) -> BTreeMap<String, Value> {
        self.types
            .iter()
            .map(|(name, facts)| (name.clone(), type_schema(name, facts, knowledge)))
            .collect()
    }
}

fn type_schema(name: &str, facts: &TypeFacts, knowledge: &Knowledge) -> Value {
    let mut properties = serde_json::Map::new();
    for (prop_name, prop) in &facts.props {
        properties.insert(
            prop_name.clone(),
            property_schema(name, prop_name, prop, knowledge),
        );
    }
    let mut schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{SCHEMA_BASE}types/{}.json", file_stem(name)),
        "title": name,
        "type": ["object", "null"],
        "properties": properties,
        "x-mockdown-origin": {"tables": facts.tables, "samples": facts.samples},
    });
    if facts.props.is_empty() {
        if facts.values.has_values() {
            return plain_schema(name, facts, knowledge);
        }
        match borrowed_members(name, knowledge) {
            // No table or sample of the type itself, but samples under a property of the
            // type's name elsewhere show its members.
            Some(borrowed) => {
                schema["properties"] = borrowed;
                schema["x-mockdown-members-from"] = json!("samples under the same name");
            }
            None => {
                // Nothing shows the type's members: an open object, said so (never an object
                // closed to every member).
                schema.as_object_mut().map(|m| m.remove("properties"));
                schema[UNKNOWN] = json!(true);
            }
        }
    }
    schema
}

/// The schema of property `prop_name` of named type `name`, with where it was seen.
fn property_schema(name: &str, prop_name: &str, prop: &PropFacts, knowledge: &Knowledge) -> Value {
    let cell = match prop.chosen() {
        Some(Vote::Cell(text)) => Cell::Written(text),
        Some(Vote::Unknown) => Cell::Unknown,
        None => Cell::None,
    };
    let mut schema = knowledge.property(&Prop {
        name: prop_name,
        description: &prop.description,
        cell: &cell,
        shape: &prop.shape,
        owner: Some(name),
    });
    if let Value::Object(map) = &mut schema {
        if !prop.description.is_empty() {
            map.insert("description".into(), json!(prop.description));
        }
        let mut from = Vec::new();
        if !prop.votes.is_empty() {
            from.push("table");
        }
        if prop.shape.seen > 0 {
            from.push("sample");
        }
        map.insert("x-mockdown-from".into(), json!(from));
        if prop.resolved {
            map.insert("x-mockdown-type-resolved".into(), json!(true));
        }
        let collapsed = prop.collapsed();
        if collapsed.len() > 1 {
            let seen: Vec<&str> = collapsed.iter().map(|(v, _)| v.text()).collect();
            map.insert("x-mockdown-table-types".into(), json!(seen));
        }
    }
    schema
}

/// The schema of a named type every sample of which is a plain value: a string type (of
/// the values shown, when they are identifiers such as `"Active"`), or what they show.
fn plain_schema(name: &str, facts: &TypeFacts, knowledge: &Knowledge) -> Value {
    let mut plain = if facts.values.only_strings() {
        let mut text = json!({"type": "string"});
        if let Some(values) = enums::seen(&facts.values, "enum") {
            text[SEEN] = json!(values);
        }
        text
    } else {
        knowledge.sample_schema(&facts.values)
    };
    if let Value::Object(map) = &mut plain {
        let mut head = serde_json::Map::new();
        head.insert(
            "$schema".into(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
        head.insert(
            "$id".into(),
            json!(format!("{SCHEMA_BASE}types/{}.json", file_stem(name))),
        );
        head.insert("title".into(), json!(name));
        head.extend(std::mem::take(map));
        head.insert(
            "x-mockdown-origin".into(),
            json!({"tables": facts.tables, "samples": facts.values.seen}),
        );
        *map = head;
    }
    plain
}

/// The members samples show under properties named like the type (`"Associate": {…}`),
/// each typed as a sample-only property.
fn borrowed_members(name: &str, knowledge: &Knowledge) -> Option<Value> {
    let shape = knowledge.lexicon.name_shape(name)?;
    let members = shape.object.as_ref().filter(|m| !m.is_empty())?;
    let properties: serde_json::Map<String, Value> = members
        .iter()
        .map(|(key, member)| {
            let mut schema = knowledge.property(&Prop {
                name: key,
                description: "",
                cell: &Cell::None,
                shape: member,
                owner: None,
            });
            if let Value::Object(map) = &mut schema {
                map.insert("x-mockdown-from".into(), json!(["sample"]));
            }
            (key.clone(), schema)
        })
        .collect();
    Some(Value::Object(properties))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(votes: &[(&str, usize)]) -> PropFacts {
        PropFacts {
            votes: votes
                .iter()
                .map(|(t, n)| (Vote::Cell(t.to_string()), *n))
                .collect(),
            sources: votes.iter().map(|_| "f.md:1".to_string()).collect(),
            ..PropFacts::default()
        }
    }

    #[test]
    fn generic_cells_join_the_specific_one() {
        let f = facts(&[("String", 5), ("date-time", 2)]);
        assert_eq!(f.chosen(), Some(&Vote::Cell("date-time".into())));
        assert_eq!(f.collapsed().len(), 1);
        let f = facts(&[("Integer", 3), ("int32", 1)]);
        assert_eq!(f.collapsed().len(), 1);
        let f = facts(&[("string", 1), ("int32", 1)]);
        assert_eq!(f.chosen(), Some(&Vote::Cell("string".into())));
        assert_eq!(f.collapsed().len(), 2);
    }
}
