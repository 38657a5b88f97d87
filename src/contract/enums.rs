//! Enumerations: the values the pages show for a string property.
//!
//! - **Listed** (complete): an `Enum: A, B` type cell, or a description that enumerates the
//!   values (`One of: A, B, C`, `Possible values: A, B`). The contract validates these:
//!   `enum` plus `x-mockdown-enum-complete: true`.
//! - **Seen** (incomplete): sample values that look like the members of an enum (identifiers
//!   such as `Closed`, `CustomerIsTyping`, repeated rather than varied like names), collected
//!   across every sample of the property. They say what to answer, never what to reject:
//!   `x-mockdown-enum-seen` only.

use serde_json::{Map, Value, json};

use super::infer::Shape;
use super::lexicon::{Lexicon, split_source};
use super::types::{Primitive, TypeCell, classify};
use crate::diag::Diagnostic;
use crate::docs::Page;

/// Keyword for values seen in samples (for generation, not validation).
pub(crate) const SEEN: &str = "x-mockdown-enum-seen";

/// Keyword marking an `enum` the pages list in full (validated).
pub(crate) const COMPLETE: &str = "x-mockdown-enum-complete";

/// Fewest values a description must list to be an enumeration: "One of: Contact" names a
/// thing, not a choice.
const MIN_LISTED: usize = 2;

/// Samples per distinct value that make a string property look like an enum (`Closed`,
/// `Closed`, `Open`, `Closed`: values repeat), against names and free text, which vary from
/// sample to sample. The floor is the same number, so one value seen once is taken as seen.
const SEEN_PER_VALUE: usize = 2;

/// Members shown in an `enum-complete` note (the rest as `…`).
const NOTE_MEMBERS_SHOWN: usize = 8;

/// Phrases after which a description lists the values of a property.
const LIST_OPENERS: [&str; 6] = [
    "one of:",
    "one of the following:",
    "possible values:",
    "possible values are",
    "valid values:",
    "valid values are",
];

/// A string schema with a complete enum.
pub(crate) fn complete(members: &[String]) -> Value {
    json!({"type": "string", "enum": members, COMPLETE: true})
}

/// A string schema for values a description lists: a complete enum, unless the samples show
/// a value the list lacks (then the list was not complete: all of them are only seen).
pub(crate) fn listed(members: &[String], shape: &Shape) -> Value {
    let outside: Vec<&String> = shape
        .texts
        .iter()
        .filter(|t| !members.contains(t))
        .collect();
    if outside.is_empty() && !shape.texts_overflow {
        return complete(members);
    }
    let mut values: Vec<String> = members.to_vec();
    values.extend(outside.into_iter().cloned());
    json!({"type": "string", SEEN: values})
}

/// The values a description lists in full, if it lists any.
pub(crate) fn listed_in(description: &str) -> Option<Vec<String>> {
    let lower = description.to_ascii_lowercase();
    let (at, opener) = LIST_OPENERS
        .iter()
        .filter_map(|o| lower.find(o).map(|i| (i, *o)))
        .min()?;
    let rest = &description[at + opener.len()..];
    let list = rest.split(['.', ';', '\n']).next().unwrap_or_default();
    let lowered = list.to_ascii_lowercase();
    if lowered.contains("etc") || lowered.contains("...") || lowered.contains('…') {
        return None;
    }
    let members: Vec<String> = list
        .split([',', '|', '/'])
        .flat_map(|part| part.split(" or "))
        .flat_map(|part| part.split(" and "))
        .map(|m| m.trim().trim_matches(['"', '\'', '`', '(', ')']).trim())
        .filter(|m| !m.is_empty())
        .map(str::to_string)
        .collect();
    let all_identifiers = members.iter().all(|m| is_identifier(m));
    (members.len() >= MIN_LISTED && all_identifiers).then_some(members)
}

/// The values samples show for a property that looks like an enum: every value an
/// identifier with a capital (`Closed`, `inDiary`, `ASC`), repeated rather than varied
/// (at most one distinct value per two seen), unless the description calls it an enum.
pub(crate) fn seen(shape: &Shape, description: &str) -> Option<Vec<String>> {
    if !shape.only_strings() || shape.texts_overflow || shape.texts.is_empty() {
        return None;
    }
    let identifiers = shape
        .texts
        .iter()
        .all(|t| is_identifier(t) && t.chars().any(|c| c.is_ascii_uppercase()));
    if !identifiers {
        return None;
    }
    let says_enum = description.to_ascii_lowercase().contains("enum");
    let repeated = shape.texts.len() * SEEN_PER_VALUE <= shape.strings.max(SEEN_PER_VALUE);
    (says_enum || repeated).then(|| shape.texts.clone())
}

/// Adds the seen values to a string schema.
pub(crate) fn add_seen(schema: &mut Map<String, Value>, shape: &Shape, description: &str) {
    if let Some(values) = seen(shape, description) {
        schema.insert(SEEN.into(), json!(values));
    }
}

/// One note per enum the pages list in full (parameters and properties), at the first row
/// that lists it: these are the enums requests are validated against.
pub(crate) fn notes(pages: &[Page], lexicon: &Lexicon) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // Parameters repeat across pages: one note per (name, values), where first written.
    let mut params: std::collections::BTreeMap<(String, Vec<String>), (&str, usize, usize)> =
        std::collections::BTreeMap::new();
    for page in pages {
        for param in page.path_params.iter().chain(&page.query_params) {
            if let TypeCell::Enum(members) = classify(&param.type_text) {
                params
                    .entry((param.name.clone(), members))
                    .or_insert((page.file.as_str(), param.line, 0))
                    .2 += 1;
            }
        }
    }
    for ((name, members), (file, line, rows)) in &params {
        out.push(note(file, *line, "parameter", name, members, *rows));
    }
    for ((name, description), group) in lexicon.groups() {
        let rows: usize = group.cells.iter().map(|c| c.count).sum();
        let listed = group.cells.iter().find_map(|c| match classify(&c.text) {
            TypeCell::Enum(members) => Some((members, &c.source)),
            TypeCell::Primitive(Primitive::String) => listed_in(description)
                .filter(|m| listed(m, &group.shape).get(COMPLETE).is_some())
                .map(|m| (m, &c.source)),
            _ => None,
        });
        if let Some((members, source)) = listed {
            let (file, line) = split_source(source);
            out.push(note(file, line, "property", name, &members, rows));
        }
    }
    out
}

fn note(
    file: &str,
    line: usize,
    what: &str,
    name: &str,
    members: &[String],
    rows: usize,
) -> Diagnostic {
    let shown: Vec<&str> = members
        .iter()
        .take(NOTE_MEMBERS_SHOWN)
        .map(String::as_str)
        .collect();
    let more = if members.len() > shown.len() {
        ", …"
    } else {
        ""
    };
    let elsewhere = if rows > 1 {
        format!(" (written {rows} times)")
    } else {
        String::new()
    };
    Diagnostic::note(
        file,
        line,
        "enum-complete",
        format!(
            "{what} `{name}` lists its values in full ({}{more}){elsewhere}: the contract validates against them",
            shown.join(", ")
        ),
    )
}

fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_values() {
        assert_eq!(
            listed_in("The direction. One of: Incoming, Outgoing."),
            Some(vec!["Incoming".to_string(), "Outgoing".to_string()])
        );
        assert_eq!(
            listed_in("Possible values are Low, Medium or High"),
            Some(vec!["Low".into(), "Medium".into(), "High".into()])
        );
        assert_eq!(listed_in("Status (pending, active, closed, etc)"), None);
        assert_eq!(listed_in("One of the default tiles"), None);
    }

    #[test]
    fn seen_values_need_identifiers_that_repeat() {
        let mut shape = Shape::of(&json!("Closed"));
        shape.add(&json!("Closed"), 0);
        assert_eq!(seen(&shape, ""), Some(vec!["Closed".to_string()]));
        let names = Shape::of(&json!(["Adrian", "Alexa"]))
            .array
            .map(|b| *b)
            .unwrap_or_default();
        assert_eq!(seen(&names, ""), None);
        assert_eq!(
            seen(&names, "Enum of names"),
            Some(vec!["Adrian".into(), "Alexa".into()])
        );
        assert_eq!(seen(&Shape::of(&json!("porro")), "enum"), None);
    }
}
