//! Response bodies generated from schemas with the `fake` crate, aware of field names the
//! way the documented samples are (emails, phones, names, companies, URLs, cities, ...).

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use fake::Fake;
use fake::faker::address::en::{CityName, CountryName, PostCode, StreetName};
use fake::faker::company::en::{Buzzword, CatchPhrase, CompanyName};
use fake::faker::internet::en::{SafeEmail, Username};
use fake::faker::job::en::Title as JobTitle;
use fake::faker::lorem::en::Word;
use fake::faker::name::en::{FirstName, LastName, Name};
use fake::faker::phone_number::en::PhoneNumber;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};

use crate::contract::types::{ref_target, resolve_ref};

/// Named types nested deeper than this are left `null` (they are nullable).
const MAX_NAMED_DEPTH: usize = 3;
/// Plain nesting bound (arrays of arrays ...).
const MAX_DEPTH: usize = 12;

/// Generates values for schemas of one contract.
#[derive(Debug)]
pub struct Faker<'c> {
    types: &'c BTreeMap<String, Value>,
}

impl<'c> Faker<'c> {
    /// A faker resolving `$ref`s against the contract's named types.
    pub fn new(types: &'c BTreeMap<String, Value>) -> Self {
        Self { types }
    }

    /// A value for `schema`, named `field` (empty for a whole body).
    pub fn generate(&self, schema: &Value, field: &str, rng: &mut ChaCha8Rng) -> Value {
        self.value(schema, field, 0, 0, rng)
    }

    /// The schema a `$ref` points at, if it is one of ours.
    pub fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        resolve_ref(self.types, schema)
    }

    fn value(
        &self,
        schema: &Value,
        field: &str,
        named: usize,
        depth: usize,
        rng: &mut ChaCha8Rng,
    ) -> Value {
        if depth > MAX_DEPTH {
            return Value::Null;
        }
        if let Some(target) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(ref_target)
        {
            return match self.types.get(target) {
                Some(resolved) if named < MAX_NAMED_DEPTH => {
                    self.value(resolved, field, named + 1, depth + 1, rng)
                }
                _ => Value::Null,
            };
        }
        if let Some(members) = schema
            .get("enum")
            .and_then(Value::as_array)
            .filter(|m| !m.is_empty())
        {
            return members[rng.random_range(0..members.len())].clone();
        }
        if let Some(then) = schema.get("then") {
            return self.value(then, field, named, depth + 1, rng);
        }
        match primary_type(schema) {
            Some("object") => self.object(schema, field, named, depth, rng),
            Some("array") => {
                let count = rng.random_range(1..=3);
                let items = schema
                    .get("items")
                    .cloned()
                    .unwrap_or_else(|| json!({"type": "string"}));
                let item_field = singular(field);
                Value::Array(
                    (0..count)
                        .map(|_| self.value(&items, &item_field, named, depth + 1, rng))
                        .collect(),
                )
            }
            Some("string") => Value::String(string_for(schema, field, rng)),
            Some("integer") => json!(integer_for(schema, field, rng)),
            Some("number") => {
                let cents: i64 = rng.random_range(0..10_000_000);
                json!(cents as f64 / 100.0)
            }
            Some("boolean") => json!(rng.random_bool(0.5)),
            _ => Value::Null,
        }
    }

    fn object(
        &self,
        schema: &Value,
        field: &str,
        named: usize,
        depth: usize,
        rng: &mut ChaCha8Rng,
    ) -> Value {
        let mut out = Map::new();
        match schema.get("properties").and_then(Value::as_object) {
            Some(props) if !props.is_empty() => {
                for (name, prop) in props {
                    out.insert(name.clone(), self.value(prop, name, named, depth + 1, rng));
                }
            }
            // A dictionary: a couple of entries.
            _ => {
                for _ in 0..2 {
                    let key: String = Word().fake_with_rng(rng);
                    let value = string_for(&json!({"type": "string"}), field, rng);
                    out.insert(key, Value::String(value));
                }
            }
        }
        Value::Object(out)
    }
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

fn singular(field: &str) -> String {
    field.strip_suffix('s').unwrap_or(field).to_string()
}

fn integer_for(schema: &Value, field: &str, rng: &mut ChaCha8Rng) -> i64 {
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
    rng.random_range(lo.max(min)..=hi.min(max).max(lo.max(min)))
}

fn string_for(schema: &Value, field: &str, rng: &mut ChaCha8Rng) -> String {
    if schema.get("format").and_then(Value::as_str) == Some("date-time") {
        return date_time(rng);
    }
    let f = field.to_ascii_lowercase();
    let has = |w: &str| f.contains(w);
    if has("email") {
        SafeEmail().fake_with_rng(rng)
    } else if has("phone") || has("fax") || has("mobile") {
        PhoneNumber().fake_with_rng(rng)
    } else if has("url") || has("website") || has("link") || has("href") {
        let word: String = Word().fake_with_rng(rng);
        format!("https://www.example.com/{word}")
    } else if has("firstname") || f == "middlename" {
        FirstName().fake_with_rng(rng)
    } else if has("lastname") {
        LastName().fake_with_rng(rng)
    } else if has("fullname") || has("formalname") || f == "personname" || f == "associatename" {
        Name().fake_with_rng(rng)
    } else if f == "username" || f == "nickname" {
        Username().fake_with_rng(rng)
    } else if has("city") {
        CityName().fake_with_rng(rng)
    } else if has("country") {
        CountryName().fake_with_rng(rng)
    } else if has("zip") || has("postcode") || has("postalcode") {
        PostCode().fake_with_rng(rng)
    } else if has("street") || has("address") {
        StreetName().fake_with_rng(rng)
    } else if has("description") || has("comment") || has("tooltip") || has("note") {
        CatchPhrase().fake_with_rng(rng)
    } else if f == "title" || f == "position" || f == "jobtitle" {
        JobTitle().fake_with_rng(rng)
    } else if has("department") || has("business") || has("category") {
        Buzzword().fake_with_rng(rng)
    } else if f == "name" || has("companyname") || has("contactname") || f.ends_with("name") {
        CompanyName().fake_with_rng(rng)
    } else {
        Word().fake_with_rng(rng)
    }
}

/// A plausible RFC 3339 date-time between 1995 and 2030.
fn date_time(rng: &mut ChaCha8Rng) -> String {
    let secs = rng.random_range(788_918_400_i64..1_893_456_000);
    DateTime::<Utc>::from_timestamp(secs, 0)
        .map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_else(|| "2020-01-01T00:00:00Z".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn names_drive_the_values() {
        let types = BTreeMap::new();
        let faker = Faker::new(&types);
        let schema = json!({"type": "object", "properties": {
            "ContactId": {"type": "integer"}, "EmailAddress": {"type": "string"},
            "Firstname": {"type": "string"}, "Updated": {"type": "string", "format": "date-time"},
            "Status": {"type": "string", "enum": ["Open", "Closed"]}
        }});
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let v = faker.generate(&schema, "", &mut rng);
        assert!(v["ContactId"].as_i64().is_some_and(|id| id > 0));
        assert!(v["EmailAddress"].as_str().is_some_and(|e| e.contains('@')));
        assert!(
            v["Updated"]
                .as_str()
                .is_some_and(|d| chrono::DateTime::parse_from_rfc3339(d).is_ok())
        );
        assert!(["Open", "Closed"].contains(&v["Status"].as_str().unwrap_or_default()));
        let mut again = ChaCha8Rng::seed_from_u64(7);
        assert_eq!(
            v,
            faker.generate(&schema, "", &mut again),
            "same seed, same value"
        );
    }
}
