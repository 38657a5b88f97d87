//! The API profile: the facts about one API that its pages show once and the mock, the
//! entities, the verifier and the explorer read everywhere (the error body's shape, the
//! auth schemes, the verbs that save, read and delete, each named type's primary key, the
//! suffixes that make variants of one entity, the `Prefer: slow=true` threshold).
//!
//! [`super::infer_profile::infer`] finds them once, from the contract the build made (before compaction) and the
//! samples the docs stage found on pages that are not reference pages. Each fact says where
//! it came from (`file:line`), or `default` when no page shows it and the documented
//! fallback below is used. A page family documented differently gets a different profile,
//! not a code change.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// The export's annotation of a named type's primary key (`"x-mockdown-primary-key":
/// "ContactId"`).
pub(crate) const PRIMARY_KEY: &str = "x-mockdown-primary-key";
/// The export's annotation of what an operation's name says it does (`save`, `read`,
/// `delete`).
pub(crate) const VERB: &str = "x-mockdown-verb";
/// The export's top-level copy of the profile.
pub(crate) const PROFILE: &str = "x-mockdown-profile";

/// Where a fact that no page shows comes from.
pub(crate) const DEFAULT: &str = "default";

/// Fallback auth schemes, when no page documents an `Authorization` header.
const DEFAULT_SCHEMES: [&str; 3] = ["Basic", "SoTicket", "Bearer"];
/// Fallback header that stands for credentials, when no page documents any header.
const DEFAULT_CREDENTIAL_HEADERS: [&str; 1] = ["X-XSRF-TOKEN"];
/// Fallback verbs (operation-name prefixes) that save, read and delete an entity.
const DEFAULT_SAVE: [&str; 4] = ["Save", "Create", "Update", "Set"];
const DEFAULT_READ: [&str; 1] = ["Get"];
const DEFAULT_DELETE: [&str; 1] = ["Delete"];
/// Fallback start of the description of a primary key.
const DEFAULT_KEY_PHRASE: &str = "primary key";
/// Fallback type-name suffixes that make variants of one entity.
const DEFAULT_SUFFIXES: [&str; 2] = ["WithLinks", "Entity"];
/// Fallback `Prefer: slow=true` delay, in milliseconds, when no page gives a threshold:
/// two seconds, past the usual client time-out warnings, short enough for a test.
pub(crate) const DEFAULT_SLOW_MS: u64 = 2000;

/// One fact and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Fact<T> {
    /// The fact.
    pub value: T,
    /// `file:line` of the page that shows it, or `default`.
    pub source: String,
}

impl<T> Fact<T> {
    /// A fact shown at `source`.
    pub(crate) fn found(value: T, source: impl Into<String>) -> Self {
        Self {
            value,
            source: source.into(),
        }
    }

    /// The documented fallback.
    pub(crate) fn fallback(value: T) -> Self {
        Self::found(value, DEFAULT)
    }

    /// Whether no page showed it.
    #[cfg(test)]
    pub(crate) fn is_default(&self) -> bool {
        self.source == DEFAULT
    }
}

fn words(list: &[&str]) -> Vec<String> {
    list.iter().map(|w| w.to_string()).collect()
}

/// What a field of the error body carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ErrorRole {
    /// Always `true` (`"Error": true`).
    Flag,
    /// The kind of error (`"ErrorType": "NotFound"`).
    Type,
    /// The text for people.
    Message,
    /// Who raised it (`"ErrorSource"`): the mock says `mockdown`.
    Source,
    /// The HTTP status as a number (`"code": 404`).
    Status,
}

/// One field of the error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ErrorField {
    /// Its name as the pages write it.
    pub name: String,
    /// What it carries.
    pub role: ErrorRole,
}

/// The error body's fields, in the order the pages show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ErrorShape {
    /// The fields.
    pub fields: Vec<ErrorField>,
}

impl ErrorShape {
    /// The fallback: `{"Error": true, "ErrorType", "ErrorMessage", "ErrorSource"}`.
    pub(crate) fn fallback() -> Self {
        let field = |name: &str, role| ErrorField {
            name: name.into(),
            role,
        };
        Self {
            fields: vec![
                field("Error", ErrorRole::Flag),
                field("ErrorType", ErrorRole::Type),
                field("ErrorMessage", ErrorRole::Message),
                field("ErrorSource", ErrorRole::Source),
            ],
        }
    }

    /// An error body of this shape.
    pub(crate) fn render(
        &self,
        error_type: &str,
        message: &str,
        status: u16,
    ) -> Map<String, Value> {
        self.fields
            .iter()
            .map(|f| {
                let value = match f.role {
                    ErrorRole::Flag => json!(true),
                    ErrorRole::Type => json!(error_type),
                    ErrorRole::Message => json!(message),
                    ErrorRole::Source => json!("mockdown"),
                    ErrorRole::Status => json!(status),
                };
                (f.name.clone(), value)
            })
            .collect()
    }

    /// JSON Schema `properties` of this shape.
    pub(crate) fn properties(&self) -> Map<String, Value> {
        self.fields
            .iter()
            .map(|f| {
                let schema = match f.role {
                    ErrorRole::Flag => json!({"type": "boolean"}),
                    ErrorRole::Status => json!({"type": "integer"}),
                    _ => json!({"type": "string"}),
                };
                (f.name.clone(), schema)
            })
            .collect()
    }

    /// The field names, in order.
    pub(crate) fn names(&self) -> Vec<String> {
        self.fields.iter().map(|f| f.name.clone()).collect()
    }

    /// The name of the field with `role`, if the shape has one.
    #[cfg(test)]
    pub(crate) fn field(&self, role: ErrorRole) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.role == role)
            .map(|f| f.name.as_str())
    }
}

/// The operation-name prefixes that save, read and delete an entity (`SaveContactEntity`,
/// `GetContactEntity`, `DeleteContactEntity`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Verbs {
    /// Prefixes of operations that store the entity they are sent.
    pub save: Fact<Vec<String>>,
    /// Prefixes of operations that answer the entity of an id.
    pub read: Fact<Vec<String>>,
    /// Prefixes of operations that forget the entity of an id.
    pub delete: Fact<Vec<String>>,
}

/// What an operation's name says it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verb {
    /// Its prefix is a save verb.
    Save,
    /// Its prefix is a read verb.
    Read,
    /// Its prefix is a delete verb.
    Delete,
}

impl Verb {
    /// `save`, `read` or `delete`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Verb::Save => "save",
            Verb::Read => "read",
            Verb::Delete => "delete",
        }
    }
}

/// The facts about one API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ApiProfile {
    /// Auth schemes the `Authorization` header takes, as the pages write them.
    pub auth_schemes: Fact<Vec<String>>,
    /// Headers that stand for credentials instead of `Authorization` (`X-XSRF-TOKEN`).
    pub credential_headers: Fact<Vec<String>>,
    /// The error body's shape.
    pub error_shape: Fact<ErrorShape>,
    /// The verbs of the operation names.
    pub verbs: Verbs,
    /// How the pages start the description of a primary key (`primary key`), lower case.
    pub key_phrase: Fact<String>,
    /// The primary key property of each named type that has one.
    pub primary_keys: BTreeMap<String, Fact<String>>,
    /// Type-name suffixes that make variants of one entity (`WithLinks`, `Entity`).
    pub suffixes: Fact<Vec<String>>,
    /// How long `Prefer: slow=true` waits where the operation's page gives no threshold.
    pub slow_threshold_ms: Fact<u64>,
}

impl Default for ApiProfile {
    fn default() -> Self {
        Self {
            auth_schemes: Fact::fallback(words(&DEFAULT_SCHEMES)),
            credential_headers: Fact::fallback(words(&DEFAULT_CREDENTIAL_HEADERS)),
            error_shape: Fact::fallback(ErrorShape::fallback()),
            verbs: Verbs {
                save: Fact::fallback(words(&DEFAULT_SAVE)),
                read: Fact::fallback(words(&DEFAULT_READ)),
                delete: Fact::fallback(words(&DEFAULT_DELETE)),
            },
            key_phrase: Fact::fallback(DEFAULT_KEY_PHRASE.into()),
            primary_keys: BTreeMap::new(),
            suffixes: Fact::fallback(words(&DEFAULT_SUFFIXES)),
            slow_threshold_ms: Fact::fallback(DEFAULT_SLOW_MS),
        }
    }
}

impl ApiProfile {
    /// The primary key property of named type `type_name`.
    pub(crate) fn primary_key(&self, type_name: &str) -> Option<&str> {
        self.primary_keys.get(type_name).map(|f| f.value.as_str())
    }

    /// The entity a type name is a variant of: the name without the profile's suffixes
    /// (`ContactEntityWithLinks` → `Contact`); the name itself when nothing would be left.
    pub(crate) fn entity_name<'a>(&self, type_name: &'a str) -> &'a str {
        let mut name = type_name;
        loop {
            let shorter = self
                .suffixes
                .value
                .iter()
                .find_map(|s| name.strip_suffix(s.as_str()).filter(|n| !n.is_empty()));
            match shorter {
                Some(rest) => name = rest,
                None => return name,
            }
        }
    }

    /// What the name of the operation at `path` (its last segment) says it does, by its
    /// prefix.
    pub(crate) fn verb_of<'a>(&self, path: &'a str) -> Option<(Verb, &'a str)> {
        let (word, rest) = split_name(path)?;
        let has = |list: &Fact<Vec<String>>| list.value.iter().any(|w| w == word);
        let verb = if has(&self.verbs.save) {
            Verb::Save
        } else if has(&self.verbs.read) {
            Verb::Read
        } else if has(&self.verbs.delete) {
            Verb::Delete
        } else {
            return None;
        };
        Some((verb, rest))
    }

    /// Whether `scheme` (any case) is one the `Authorization` header takes.
    pub(crate) fn takes_scheme(&self, scheme: &str) -> bool {
        self.auth_schemes
            .value
            .iter()
            .any(|s| s.eq_ignore_ascii_case(scheme))
    }

    /// The threshold of the operation's page (`page`), else the profile's.
    pub(crate) fn slow_ms(&self, page: Option<u64>) -> u64 {
        page.unwrap_or(self.slow_threshold_ms.value)
    }
}

/// The name of an operation as (prefix, rest): its last path segment, when it is a literal
/// that starts with a capitalized word followed by another (`SaveContactEntity` →
/// (`Save`, `ContactEntity`)).
pub(crate) fn split_name(path: &str) -> Option<(&str, &str)> {
    let last = path.rsplit('/').next()?;
    let mut chars = last.char_indices();
    let (_, first) = chars.next()?;
    if !first.is_ascii_uppercase() {
        return None;
    }
    let end = chars
        .find(|(_, c)| !c.is_ascii_lowercase())
        .map(|(i, _)| i)?;
    let (word, rest) = last.split_at(end);
    (word.len() > 1 && rest.starts_with(|c: char| c.is_ascii_uppercase())).then_some((word, rest))
}
