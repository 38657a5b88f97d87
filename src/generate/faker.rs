//! The generator of one contract: response bodies from schemas with the `fake` crate,
//! aware of field names the way the documented samples are (emails, phones, names,
//! companies, URLs, cities, ...).
//!
//! A schema is compiled once into a [`Plan`]; every request then walks the plan with its
//! own seeded generator and writes JSON directly. The value pools are filled at start-up
//! from `--seed`; requests combine pool entries, numbers, dates and array lengths, so every
//! request builds a new document.

use crate::contract::profile::ErrorShape;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::compile::{Compiler, ShapeCache};
use super::plan::{Overrides, Plan};
use super::pools::ValuePools;

/// Generates values for schemas of one contract.
#[derive(Debug)]
pub(crate) struct Faker {
    types: Arc<BTreeMap<String, Value>>,
    pools: ValuePools,
    /// `--seed`, mixed into the seed of every pre-rendered object shape.
    seed: u64,
    /// Variants rendered for named types, shared by every plan.
    shapes: ShapeCache,
    /// The API's error body, for a documented error status without a schema.
    error_shape: ErrorShape,
}

impl Faker {
    /// A faker resolving `$ref`s against the contract's named types, with value pools filled
    /// from `seed`.
    pub(crate) fn new(types: Arc<BTreeMap<String, Value>>, seed: u64) -> Self {
        Self {
            types,
            pools: ValuePools::new(seed),
            seed,
            shapes: ShapeCache::default(),
            error_shape: ErrorShape::fallback(),
        }
    }

    /// The faker answering documented errors in `shape` (the API profile's).
    pub(crate) fn with_error_shape(mut self, shape: ErrorShape) -> Self {
        self.error_shape = shape;
        self
    }

    /// The API's error body shape.
    pub(crate) fn error_shape(&self) -> &ErrorShape {
        &self.error_shape
    }

    /// Compiles a schema into a plan.
    pub(crate) fn plan(&self, schema: &Value) -> Plan {
        Compiler {
            types: &self.types,
            pools: &self.pools,
            seed: self.seed,
            shapes: &self.shapes,
        }
        .plan(schema)
    }

    /// Writes a value generated from `seed` as JSON, applying `overrides` to the root
    /// object (or to each object of a root array).
    pub(crate) fn write(&self, plan: &Plan, seed: u64, overrides: &Overrides, out: &mut Vec<u8>) {
        plan.write(&self.pools, seed, overrides, out);
    }

    /// A value for `schema` (convenience over [`Faker::plan`] and [`Faker::write`]).
    #[cfg(test)]
    pub(crate) fn generate(&self, schema: &Value, seed: u64) -> Value {
        let mut out = Vec::new();
        self.write(&self.plan(schema), seed, &Overrides::default(), &mut out);
        serde_json::from_slice(&out).unwrap_or(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::borrow::Cow;

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
    fn maps_have_values_of_their_type_or_none() {
        let faker = Faker::new(Arc::new(BTreeMap::new()), 1);
        let typed = faker.plan(&json!({"type": "object", "additionalProperties": {
            "type": "object", "properties": {"FieldLength": {"type": "integer"}}
        }}));
        let unknown = faker.plan(&json!({"type": "object"}));
        for seed in 0..200 {
            let mut out = Vec::new();
            faker.write(&typed, seed, &Overrides::default(), &mut out);
            let v: Value = serde_json::from_slice(&out).expect("valid JSON");
            let map = v.as_object().expect("an object");
            assert_eq!(map.len(), 2, "two distinct keys: {v}");
            assert!(map.values().all(|e| e["FieldLength"].is_i64()), "{v}");
            let mut out = Vec::new();
            faker.write(&unknown, seed, &Overrides::default(), &mut out);
            assert_eq!(out, b"{}", "no evidence, no entries");
        }
    }

    #[test]
    fn arrays_of_unknown_items_are_empty() {
        let faker = Faker::new(Arc::new(BTreeMap::new()), 1);
        let schema = json!({"type": "object", "properties": {
            "Tags": {"type": "array"},
            "Grid": {"type": "array", "items": {"type": "array"}},
            "Anything": {}
        }});
        for seed in 0..50 {
            let v = faker.generate(&schema, seed);
            assert_eq!(v["Tags"], json!([]), "no items shown, none invented: {v}");
            let grid = v["Grid"].as_array().expect("an array");
            assert!(grid.iter().all(|row| row == &json!([])), "{v}");
            assert!(v["Anything"].is_null(), "unknown stays unknown: {v}");
        }
    }

    #[test]
    fn context_and_measures_drive_the_values() {
        let faker = Faker::new(Arc::new(BTreeMap::new()), 1);
        let schema = json!({"type": "object", "properties": {
            "Emails": {"type": "array", "items": {"type": "object", "properties": {
                "Value": {"type": "string"}, "Description": {"type": "string"}}}},
            "Latitude": {"type": "number"}, "Longitude": {"type": "number"},
            "ProgressPercent": {"type": "integer"}, "TwoLetterISOCountry": {"type": "string"},
            "CreatedDate": {"type": "string"}, "Blob": {"type": "string", "format": "byte"}
        }});
        for seed in 0..100 {
            let v = faker.generate(&schema, seed);
            for email in v["Emails"].as_array().expect("items") {
                assert!(
                    email["Value"].as_str().is_some_and(|e| e.contains('@')),
                    "{v}"
                );
            }
            let lat = v["Latitude"].as_f64().expect("number");
            assert!((-90.0..=90.0).contains(&lat), "{lat}");
            let lon = v["Longitude"].as_f64().expect("number");
            assert!((-180.0..=180.0).contains(&lon), "{lon}");
            let pct = v["ProgressPercent"].as_i64().expect("integer");
            assert!((0..=100).contains(&pct), "{pct}");
            let code = v["TwoLetterISOCountry"].as_str().expect("text");
            assert!(code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()));
            let date = v["CreatedDate"].as_str().expect("text");
            assert!(chrono::DateTime::parse_from_rfc3339(date).is_ok(), "{date}");
            let blob = v["Blob"].as_str().expect("text");
            assert!(
                base64::Engine::decode(&base64::engine::general_purpose::STANDARD, blob).is_ok()
            );
        }
    }

    #[test]
    fn a_period_never_ends_before_it_starts() {
        let faker = Faker::new(Arc::new(BTreeMap::new()), 1);
        let period = json!({"type": "object", "properties": {
            "EndDate": {"type": "string", "format": "date-time"},
            "StartDate": {"type": "string", "format": "date-time"},
            "ValidFrom": {"type": "string", "format": "date-time"},
            "ValidTo": {"type": "string", "format": "date-time"}
        }});
        let schema = json!({"type": "object", "properties": {
            "Date": {"type": "string", "format": "date-time"},
            "EndDate": {"type": "string", "format": "date-time"},
            "Periods": {"type": "array", "items": period}
        }});
        let date = |v: &Value| {
            chrono::DateTime::parse_from_rfc3339(v.as_str().expect("text")).expect("date")
        };
        let plan = faker.plan(&schema);
        for seed in 0..300 {
            let v = faker.generate(&schema, seed);
            assert!(date(&v["EndDate"]) >= date(&v["Date"]), "{v}");
            for p in v["Periods"].as_array().expect("items") {
                assert!(date(&p["EndDate"]) >= date(&p["StartDate"]), "{p}");
                assert!(date(&p["ValidTo"]) >= date(&p["ValidFrom"]), "{p}");
            }
            // An echoed start moves the end with it.
            let mut overrides = Overrides::default();
            let start = plan.root_position("Date").expect("a root key");
            overrides.fix(start, Cow::Borrowed("\"2027-06-01T10:00:00+02:00\""));
            let mut out = Vec::new();
            faker.write(&plan, seed, &overrides, &mut out);
            let v: Value = serde_json::from_slice(&out).expect("JSON");
            assert!(date(&v["EndDate"]) >= date(&v["Date"]), "{v}");
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
