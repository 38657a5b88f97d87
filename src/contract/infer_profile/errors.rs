//! The facts the pages show about credentials and errors: the schemes the `Authorization`
//! header row names, the headers that stand for it, and the shape of the error samples.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::contract::model::Operation;
use crate::contract::profile::{ErrorField, ErrorRole, ErrorShape, Fact};
use crate::docs::ShownSample;

/// Auth schemes registered with IANA (RFC 7235's registry): named by a header row even
/// when it does not quote them (`Bearer token`).
const REGISTERED_SCHEMES: [&str; 8] = [
    "Basic",
    "Bearer",
    "Digest",
    "DPoP",
    "HOBA",
    "Mutual",
    "Negotiate",
    "OAuth",
];

/// A list of names and where it came from.
type Words = Fact<Vec<String>>;

/// The schemes the `Authorization` rows and sample requests name, and the other header
/// rows that say they stand for `Authorization` (`If not using Authorization header, ...`).
pub(super) fn auth(operations: &[Operation]) -> (Option<Words>, Option<Words>) {
    let mut schemes: Vec<String> = Vec::new();
    let mut scheme_source = None;
    let mut headers: Vec<String> = Vec::new();
    let mut header_source = None;
    let mut any_row = false;
    for op in operations {
        for row in &op.header_parameters {
            any_row = true;
            if row.name.eq_ignore_ascii_case("authorization") {
                for scheme in schemes_named(&row.description) {
                    push_new(&mut schemes, scheme);
                    scheme_source.get_or_insert_with(|| op.source.clone());
                }
            } else if mentions_word(&row.description, "authorization") {
                push_new(&mut headers, row.name.clone());
                header_source.get_or_insert_with(|| op.source.clone());
            }
        }
        let sent = op.example.request.iter().flat_map(|r| &r.headers);
        for (name, value) in sent {
            if name.eq_ignore_ascii_case("authorization")
                && let Some(scheme) = value.split_whitespace().next()
            {
                push_new(&mut schemes, scheme.to_string());
                scheme_source.get_or_insert_with(|| op.source.clone());
            }
        }
    }
    let schemes = scheme_source.map(|s| Fact::found(schemes, s));
    // Header rows documented, none standing for credentials: there are none.
    let headers = match header_source {
        Some(source) => Some(Fact::found(headers, source)),
        None if any_row => operations
            .iter()
            .find(|o| !o.header_parameters.is_empty())
            .map(|o| Fact::found(Vec::new(), o.source.clone())),
        None => None,
    };
    (schemes, headers)
}

/// Adds `word` unless it is there already (in any case).
fn push_new(list: &mut Vec<String>, word: String) {
    if !list.iter().any(|w| w.eq_ignore_ascii_case(&word)) {
        list.push(word);
    }
}

/// The schemes a header row's text names: the quoted words (`'SoTicket'`), and the
/// registered scheme names it uses as words.
pub(super) fn schemes_named(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for quote in ['\'', '"', '`'] {
        let mut parts = text.split(quote);
        parts.next();
        // Every other part is quoted.
        for (i, part) in parts.enumerate() {
            let token = part.trim();
            let is_token = !token.is_empty()
                && token.len() <= 40
                && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if i % 2 == 0 && is_token {
                push_new(&mut out, token.to_string());
            }
        }
    }
    for word in text.split(|c: char| !c.is_ascii_alphanumeric() && c != '-') {
        if let Some(scheme) = REGISTERED_SCHEMES
            .iter()
            .find(|s| s.eq_ignore_ascii_case(word))
        {
            push_new(&mut out, scheme.to_string());
        }
    }
    out
}

/// Whether `text` has `word` (lower case) as a word.
fn mentions_word(text: &str, word: &str) -> bool {
    text.split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .any(|w| w.eq_ignore_ascii_case(word))
}

/// Whether the text above a shown sample says it is an error: the word `error(s)`, or a
/// 4xx/5xx status (`404`, `4xx`).
fn is_error_context(text: &str) -> bool {
    text.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
        let lower = w.to_ascii_lowercase();
        let class = lower
            .strip_suffix("xx")
            .is_some_and(|c| c == "4" || c == "5");
        lower == "error"
            || lower == "errors"
            || class
            || (w.len() == 3 && w.parse::<u16>().is_ok_and(|n| (400..600).contains(&n)))
    })
}

/// The shape most error samples have (ties: the first shown), from the index pages'
/// samples the text calls errors and the reference pages' 4xx/5xx sample answers.
pub(super) fn error_shape(
    operations: &[Operation],
    shown: &[ShownSample],
) -> Option<Fact<ErrorShape>> {
    let mut samples: Vec<(&Value, String)> = shown
        .iter()
        .filter(|s| is_error_context(&s.context))
        .map(|s| (&s.json, format!("{}:{}", s.file, s.line)))
        .collect();
    for op in operations {
        if let Some(answer) = &op.example.response
            && answer.status >= 400
            && let Some(body) = &answer.body
        {
            samples.push((body, op.source.clone()));
        }
    }
    let mut counts: BTreeMap<Vec<String>, (usize, usize, ErrorShape, String)> = BTreeMap::new();
    for (order, (sample, source)) in samples.into_iter().enumerate() {
        let Some(shape) = shape_of(sample) else {
            continue;
        };
        let entry = counts
            .entry(shape.names())
            .or_insert((0, order, shape, source));
        entry.0 += 1;
    }
    let (_, (_, _, shape, source)) = counts
        .into_iter()
        .max_by_key(|(_, (n, order, _, _))| (*n, std::cmp::Reverse(*order)))?;
    Some(Fact::found(shape, source))
}

/// The shape of one error sample: a `true` is the flag, a number the status, the first
/// text with a space the message, the first one-word text the type, a later one the source.
/// `None` when it has no message (not an error body).
fn shape_of(sample: &Value) -> Option<ErrorShape> {
    let object = sample.as_object()?;
    let mut fields = Vec::new();
    for (name, value) in object {
        let role = match value {
            Value::Bool(true) if !has(&fields, ErrorRole::Flag) => ErrorRole::Flag,
            Value::Number(_) if !has(&fields, ErrorRole::Status) => ErrorRole::Status,
            Value::String(text)
                if text.trim().contains(' ') && !has(&fields, ErrorRole::Message) =>
            {
                ErrorRole::Message
            }
            Value::String(_) if !has(&fields, ErrorRole::Type) => ErrorRole::Type,
            Value::String(_) if !has(&fields, ErrorRole::Source) => ErrorRole::Source,
            _ => continue,
        };
        fields.push(ErrorField {
            name: name.clone(),
            role,
        });
    }
    has(&fields, ErrorRole::Message).then_some(ErrorShape { fields })
}

/// Whether `fields` has one with `role`.
fn has(fields: &[ErrorField], role: ErrorRole) -> bool {
    fields.iter().any(|f| f.role == role)
}
