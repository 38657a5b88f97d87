//! Response bodies generated from schemas with the `fake` crate, aware of field names the
//! way the documented samples are (emails, phones, names, companies, URLs, cities, ...).
//!
//! A schema is compiled once into a [`Plan`] (types resolved, field-name kinds decided);
//! every request then walks the plan with its own seeded RNG and writes JSON directly. The
//! fake crate fills value pools per kind at start-up from `--seed`; requests combine pool
//! entries, numbers, dates and array lengths, so every request builds a new document.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use fake::Fake;
use fake::faker::address::en::{CityName, CountryName, PostCode, StreetName};
use fake::faker::company::en::{Buzzword, CatchPhrase, CompanyName};
use fake::faker::internet::en::{SafeEmail, Username};
use fake::faker::job::en::Title as JobTitle;
use fake::faker::lorem::en::Word;
use fake::faker::name::en::{FirstName, LastName, Name};
use fake::faker::phone_number::en::PhoneNumber;
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

use crate::contract::types::{ref_target, resolve_ref};

/// Named types nested deeper than this are left `null` (they are nullable).
/// Two levels match the documented samples: a carrier's own named properties are filled,
/// theirs are `null`.
const MAX_NAMED_DEPTH: usize = 2;
/// Plain nesting bound (arrays of arrays ...).
const MAX_DEPTH: usize = 12;
/// Entries per value pool.
const POOL_SIZE: usize = 512;

/// What kind of text a string field holds, decided from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    Email,
    Phone,
    Url,
    FirstName,
    LastName,
    FullName,
    UserName,
    City,
    Country,
    PostCode,
    Street,
    Description,
    JobTitle,
    Buzzword,
    Company,
    Word,
}

const KINDS: [TextKind; 16] = [
    TextKind::Email,
    TextKind::Phone,
    TextKind::Url,
    TextKind::FirstName,
    TextKind::LastName,
    TextKind::FullName,
    TextKind::UserName,
    TextKind::City,
    TextKind::Country,
    TextKind::PostCode,
    TextKind::Street,
    TextKind::Description,
    TextKind::JobTitle,
    TextKind::Buzzword,
    TextKind::Company,
    TextKind::Word,
];

impl TextKind {
    /// The kind a field name says.
    pub fn of(field: &str) -> Self {
        let f = field.to_ascii_lowercase();
        let has = |w: &str| f.contains(w);
        if has("email") {
            TextKind::Email
        } else if has("phone") || has("fax") || has("mobile") {
            TextKind::Phone
        } else if has("url") || has("website") || has("link") || has("href") {
            TextKind::Url
        } else if has("firstname") || f == "middlename" {
            TextKind::FirstName
        } else if has("lastname") {
            TextKind::LastName
        } else if has("fullname") || has("formalname") || f == "personname" || f == "associatename"
        {
            TextKind::FullName
        } else if f == "username" || f == "nickname" {
            TextKind::UserName
        } else if has("city") {
            TextKind::City
        } else if has("country") {
            TextKind::Country
        } else if has("zip") || has("postcode") || has("postalcode") {
            TextKind::PostCode
        } else if has("street") || has("address") {
            TextKind::Street
        } else if has("description") || has("comment") || has("tooltip") || has("note") {
            TextKind::Description
        } else if f == "title" || f == "position" || f == "jobtitle" {
            TextKind::JobTitle
        } else if has("department") || has("business") || has("category") {
            TextKind::Buzzword
        } else if f == "name" || f.ends_with("name") {
            TextKind::Company
        } else {
            TextKind::Word
        }
    }

    fn sample(self, rng: &mut ChaCha8Rng) -> String {
        match self {
            TextKind::Email => SafeEmail().fake_with_rng(rng),
            TextKind::Phone => PhoneNumber().fake_with_rng(rng),
            TextKind::Url => {
                let word: String = Word().fake_with_rng(rng);
                format!("https://www.example.com/{word}")
            }
            TextKind::FirstName => FirstName().fake_with_rng(rng),
            TextKind::LastName => LastName().fake_with_rng(rng),
            TextKind::FullName => Name().fake_with_rng(rng),
            TextKind::UserName => Username().fake_with_rng(rng),
            TextKind::City => CityName().fake_with_rng(rng),
            TextKind::Country => CountryName().fake_with_rng(rng),
            TextKind::PostCode => PostCode().fake_with_rng(rng),
            TextKind::Street => StreetName().fake_with_rng(rng),
            TextKind::Description => CatchPhrase().fake_with_rng(rng),
            TextKind::JobTitle => JobTitle().fake_with_rng(rng),
            TextKind::Buzzword => Buzzword().fake_with_rng(rng),
            TextKind::Company => CompanyName().fake_with_rng(rng),
            TextKind::Word => Word().fake_with_rng(rng),
        }
    }
}

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
}

/// A compiled schema, ready to generate values.
#[derive(Debug, Clone)]
pub struct Plan {
    root: Node,
}

impl Plan {
    /// Property names of the root object (empty when the root is not an object).
    pub fn root_keys(&self) -> Vec<&str> {
        match &self.root {
            Node::Object(props) => props.iter().map(|(_, raw, _)| raw.as_str()).collect(),
            _ => Vec::new(),
        }
    }

    /// Whether the root property `key` holds an integer.
    pub fn root_is_integer(&self, key: &str) -> bool {
        matches!(&self.root, Node::Object(props) if props.iter().any(|(_, k, n)| k == key && matches!(n, Node::Int { .. })))
    }
}

/// What to put in place of generated root properties.
#[derive(Debug, Default)]
pub struct Overrides<'a> {
    /// Root properties with a fixed value (echoed ids, fields the client sent).
    pub fixed: Vec<(&'a str, String)>,
    /// `$select`: root properties (lower-case) to keep; the rest are null. Empty keeps all.
    pub select: Vec<String>,
}

/// Generates values for schemas of one contract.
#[derive(Debug)]
pub struct Faker {
    types: Arc<BTreeMap<String, Value>>,
    pools: Vec<Vec<String>>,
    /// RFC 3339 date-times, rendered as JSON strings.
    dates: Vec<String>,
}

impl Faker {
    /// A faker resolving `$ref`s against the contract's named types, with value pools filled
    /// from `seed`.
    pub fn new(types: Arc<BTreeMap<String, Value>>, seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
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
        }
    }

    /// The schema a `$ref` points at, if it is one of ours.
    pub fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        resolve_ref(&self.types, schema)
    }

    /// Compiles a schema into a plan.
    pub fn plan(&self, schema: &Value) -> Plan {
        Plan {
            root: self.node(schema, "", 0, 0),
        }
    }

    /// A value for `schema` (convenience over [`Faker::plan`] and [`Faker::write`]).
    pub fn generate(&self, schema: &Value, rng: &mut ChaCha8Rng) -> Value {
        let mut out = Vec::new();
        self.write(&self.plan(schema), rng, &Overrides::default(), &mut out);
        serde_json::from_slice(&out).unwrap_or(Value::Null)
    }

    fn node(&self, schema: &Value, field: &str, named: usize, depth: usize) -> Node {
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
                    self.node(resolved, field, named + 1, depth + 1)
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
            return self.node(then, field, named, depth + 1);
        }
        match primary_type(schema) {
            Some("object") => match schema.get("properties").and_then(Value::as_object) {
                Some(props) if !props.is_empty() => Node::Object(
                    props
                        .iter()
                        .map(|(name, prop)| {
                            (
                                format!("{}:", json_string(name)),
                                name.clone(),
                                self.node(prop, name, named, depth + 1),
                            )
                        })
                        .collect(),
                ),
                _ => Node::Dict(TextKind::of(field)),
            },
            Some("array") => {
                let item_field = field.strip_suffix('s').unwrap_or(field);
                let items = match schema.get("items") {
                    Some(items) => self.node(items, item_field, named, depth + 1),
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

    /// Writes a generated value as JSON, applying `overrides` to the root object (or to
    /// each object of a root array).
    pub fn write(
        &self,
        plan: &Plan,
        rng: &mut ChaCha8Rng,
        overrides: &Overrides,
        out: &mut Vec<u8>,
    ) {
        match &plan.root {
            Node::Object(props) => self.write_object(props, rng, Some(overrides), out),
            Node::Array(items) if !overrides.select.is_empty() => {
                let count = rng.random_range(1..=3);
                out.push(b'[');
                for i in 0..count {
                    if i > 0 {
                        out.push(b',');
                    }
                    match items.as_ref() {
                        Node::Object(props) => self.write_object(props, rng, Some(overrides), out),
                        other => self.write_node(other, rng, out),
                    }
                }
                out.push(b']');
            }
            other => self.write_node(other, rng, out),
        }
    }

    fn write_object(
        &self,
        props: &[(String, String, Node)],
        rng: &mut ChaCha8Rng,
        overrides: Option<&Overrides>,
        out: &mut Vec<u8>,
    ) {
        out.push(b'{');
        for (i, (key_json, key, node)) in props.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            // The key is stored rendered with its colon: `"Name":`.
            out.extend_from_slice(key_json.as_bytes());
            // Generate first even when overridden, so the rest of the document does not
            // depend on which fields were overridden.
            let start = out.len();
            self.write_node(node, rng, out);
            let Some(overrides) = overrides else { continue };
            if !overrides.select.is_empty()
                && !overrides.select.iter().any(|s| s.eq_ignore_ascii_case(key))
            {
                out.truncate(start);
                out.extend_from_slice(b"null");
            } else if let Some((_, fixed)) = overrides.fixed.iter().find(|(k, _)| *k == key) {
                out.truncate(start);
                out.extend_from_slice(fixed.as_bytes());
            }
        }
        out.push(b'}');
    }

    fn write_node(&self, node: &Node, rng: &mut ChaCha8Rng, out: &mut Vec<u8>) {
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
                for i in 0..count {
                    if i > 0 {
                        out.push(b',');
                    }
                    self.write_node(items, rng, out);
                }
                out.push(b']');
            }
            Node::Object(props) => self.write_object(props, rng, None, out),
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

    fn pick(&self, kind: TextKind, rng: &mut ChaCha8Rng) -> &str {
        let pool = &self.pools[kind as usize];
        &pool[below(rng, pool.len())]
    }
}

/// A uniform index below `n` (multiply-shift; the bias is below 2^-20 for our sizes).
fn below(rng: &mut ChaCha8Rng, n: usize) -> usize {
    ((u64::from(rng.next_u32()) * n as u64) >> 32) as usize
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
    use serde_json::json;

    #[test]
    fn names_drive_the_values() {
        let faker = Faker::new(Arc::new(BTreeMap::new()), 1);
        let schema = json!({"type": "object", "properties": {
            "ContactId": {"type": "integer"}, "EmailAddress": {"type": "string"},
            "Firstname": {"type": "string"}, "Updated": {"type": "string", "format": "date-time"},
            "Status": {"type": "string", "enum": ["Open", "Closed"]}, "Amount": {"type": "number"}
        }});
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let v = faker.generate(&schema, &mut rng);
        assert!(v["ContactId"].as_i64().is_some_and(|id| id > 0));
        assert!(v["EmailAddress"].as_str().is_some_and(|e| e.contains('@')));
        assert!(
            v["Updated"]
                .as_str()
                .is_some_and(|d| chrono::DateTime::parse_from_rfc3339(d).is_ok())
        );
        assert!(["Open", "Closed"].contains(&v["Status"].as_str().unwrap_or_default()));
        assert!(v["Amount"].is_number());
        let mut again = ChaCha8Rng::seed_from_u64(7);
        assert_eq!(
            v,
            faker.generate(&schema, &mut again),
            "same seed, same value"
        );
    }

    #[test]
    fn dictionaries_have_two_distinct_keys() {
        let faker = Faker::new(Arc::new(BTreeMap::new()), 1);
        let plan = faker.plan(&json!({"type": "object"}));
        for seed in 0..200 {
            let mut out = Vec::new();
            faker.write(
                &plan,
                &mut ChaCha8Rng::seed_from_u64(seed),
                &Overrides::default(),
                &mut out,
            );
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
        let overrides = Overrides {
            fixed: vec![("Id", "42".into())],
            select: vec!["id".into(), "name".into()],
        };
        let mut out = Vec::new();
        faker.write(
            &plan,
            &mut ChaCha8Rng::seed_from_u64(3),
            &overrides,
            &mut out,
        );
        let v: Value = serde_json::from_slice(&out).expect("valid JSON");
        assert_eq!(v["Id"], 42);
        assert!(v["Name"].is_string());
        assert!(v["City"].is_null());
    }
}
