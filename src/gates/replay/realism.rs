//! Realism of answered values: every leaf whose context (its key, or for a `Value` the list
//! holding it) says what it is (an email, a phone number, a URL, a date, a country code, a
//! coordinate) is tested for parsing as one. The rules read the answer only, never the
//! generator, so they measure it rather than restate it.

use serde_json::Value;

/// What a context says a value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Kind {
    Email,
    Phone,
    Url,
    Date,
    CountryCode2,
    CountryCode3,
    Latitude,
    Longitude,
}

/// Values classified and those that parse as their kind, per kind.
#[derive(Debug, Default)]
pub(super) struct Tally {
    /// (kind, classified, parsed)
    pub kinds: std::collections::BTreeMap<Kind, (usize, usize)>,
    /// A few values that did not parse, with their place.
    pub misses: Vec<String>,
}

impl Tally {
    /// Totals over every kind.
    pub(super) fn totals(&self) -> (usize, usize) {
        self.kinds
            .values()
            .fold((0, 0), |(a, b), (c, d)| (a + c, b + d))
    }

    /// Adds the leaves of one answer; root fields the request sent (and the mock echoed
    /// as sent) are the client's values, not generated ones, and are left out.
    pub(super) fn add(&mut self, operation: &str, value: &Value, sent: Option<&Value>) {
        match (value, sent.and_then(Value::as_object)) {
            (Value::Object(map), Some(sent)) => {
                for (k, v) in map.iter().filter(|(k, _)| !sent.contains_key(*k)) {
                    walk(self, operation, v, k, "", format!("/{k}"));
                }
            }
            _ => walk(self, operation, value, "", "", String::new()),
        }
    }
}

fn walk(tally: &mut Tally, operation: &str, value: &Value, key: &str, list: &str, at: String) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                walk(tally, operation, v, k, list, format!("{at}/{k}"));
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk(tally, operation, v, key, key, format!("{at}/{i}"));
            }
        }
        Value::Null => {}
        leaf => {
            let Some(kind) = kind_of(key, list, leaf) else {
                return;
            };
            let ok = parses(kind, leaf);
            let entry = tally.kinds.entry(kind).or_default();
            entry.0 += 1;
            entry.1 += usize::from(ok);
            if !ok && tally.misses.len() < 40 {
                tally
                    .misses
                    .push(format!("{operation} {at}: {kind:?} {leaf}"));
            }
        }
    }
}

/// The kind the context says, for this leaf.
fn kind_of(key: &str, list: &str, leaf: &Value) -> Option<Kind> {
    let key = key.to_ascii_lowercase();
    let list = list.to_ascii_lowercase();
    // A generic holder takes its meaning from the list it is in (`Emails[].Value`).
    let generic = matches!(key.as_str(), "value" | "strippedvalue");
    let context = if generic { list.as_str() } else { key.as_str() };
    let text = leaf.is_string();
    if context.contains("latitude") && leaf.is_number() {
        return Some(Kind::Latitude);
    }
    if context.contains("longitude") && leaf.is_number() {
        return Some(Kind::Longitude);
    }
    if !text {
        return None;
    }
    if context.contains("twoletteriso") {
        Some(Kind::CountryCode2)
    } else if context.contains("threeletteriso") {
        Some(Kind::CountryCode3)
    } else if ends(context, &["email", "emailaddress", "emails"]) {
        Some(Kind::Email)
    } else if ends(
        context,
        &["phone", "phones", "fax", "faxes", "mobile", "phonenumber"],
    ) {
        Some(Kind::Phone)
    } else if ends(context, &["url", "urls", "website"]) {
        Some(Kind::Url)
    } else if [
        "created",
        "updated",
        "registered",
        "lastmodified",
        "lastchanged",
    ]
    .contains(&context)
        || context.ends_with("date")
    {
        Some(Kind::Date)
    } else {
        None
    }
}

/// Whether `name` ends with one of `words` (what a name ends with is what it holds:
/// `SenderEmail` is an address, `SenderEmailMode` is not).
fn ends(name: &str, words: &[&str]) -> bool {
    words.iter().any(|w| name.ends_with(w))
}

fn parses(kind: Kind, leaf: &Value) -> bool {
    let text = leaf.as_str().unwrap_or_default();
    match kind {
        Kind::Email => {
            let mut parts = text.split('@');
            matches!((parts.next(), parts.next(), parts.next()),
                (Some(user), Some(domain), None)
                    if !user.is_empty() && domain.contains('.') && !domain.ends_with('.')
                        && !text.contains(char::is_whitespace))
        }
        Kind::Phone => {
            text.chars().filter(char::is_ascii_digit).count() >= 5
                && text
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-().x/".contains(c))
        }
        Kind::Url => {
            (text.starts_with("http://") || text.starts_with("https://"))
                && text.len() > "https://a.b".len() - 1
                && !text.contains(char::is_whitespace)
        }
        Kind::Date => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
        Kind::CountryCode2 => text.len() == 2 && text.bytes().all(|b| b.is_ascii_uppercase()),
        Kind::CountryCode3 => text.len() == 3 && text.bytes().all(|b| b.is_ascii_uppercase()),
        Kind::Latitude => leaf.as_f64().is_some_and(|v| (-90.0..=90.0).contains(&v)),
        Kind::Longitude => leaf.as_f64().is_some_and(|v| (-180.0..=180.0).contains(&v)),
    }
}
