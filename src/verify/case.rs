//! One case of a contract test: the request it sends, kept in parts (path values, query
//! pairs, headers, JSON body) so it can be checked against the contract before it is sent,
//! shrunk and printed, and what its answer must be.

use serde_json::Value;

/// Which of verify's modes a case belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Mode {
    /// The documented sample request.
    Sample,
    /// A request generated from the request schema (`--generate N`).
    Generate,
    /// A request broken in one place, which must be refused (`--negative`).
    Negative,
    /// A save → read → update → read → delete → read sequence of an entity (`--stateful`).
    Stateful,
}

impl Mode {
    /// The mode's name as the report writes it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Mode::Sample => "sample",
            Mode::Generate => "generate",
            Mode::Negative => "negative",
            Mode::Stateful => "stateful",
        }
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A request in parts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Request {
    /// Method.
    pub method: String,
    /// The operation's path template (`/api/v1/Contact/{id}`).
    pub template: String,
    /// Path parameter values by name, unencoded.
    pub path: Vec<(String, String)>,
    /// Query pairs in order, unencoded.
    pub query: Vec<(String, String)>,
    /// Headers in order (the sample's, then the values file's).
    pub headers: Vec<(String, String)>,
    /// The JSON body, if one is sent.
    pub body: Option<Value>,
}

impl Request {
    /// The path with its parameters filled and encoded, and the query string.
    pub(crate) fn path_and_query(&self) -> String {
        let path = self
            .template
            .split('/')
            .map(
                |seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => self
                        .path
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(name))
                        .map_or_else(|| "1".to_string(), |(_, v)| encode(v)),
                    None => seg.to_string(),
                },
            )
            .collect::<Vec<_>>()
            .join("/");
        if self.query.is_empty() {
            return path;
        }
        let pairs: Vec<String> = self
            .query
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        format!("{path}?{}", pairs.join("&"))
    }

    /// The Content-Type the request sends its body with (the sample's header, else JSON).
    pub(crate) fn content_type(&self) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .map_or("application/json; charset=utf-8", |(_, v)| v.as_str())
    }

    /// Sets header `name` (replacing any of that name).
    pub(crate) fn set_header(&mut self, name: &str, value: &str) {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.to_string()));
    }

    /// Sets query parameter `name` (replacing any of that name, else appending it).
    pub(crate) fn set_query(&mut self, name: &str, value: String) {
        match self
            .query
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
        {
            Some(pair) => pair.1 = value,
            None => self.query.push((name.to_string(), value)),
        }
    }

    /// The value of query parameter `name`, if sent.
    pub(crate) fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the request selects fields (`$select`): the answer then holds only those.
    #[cfg(test)]
    pub(crate) fn selects(&self) -> bool {
        self.selection().is_some()
    }

    /// The field paths `$select` names (`Name,category/id` → `[name]`, `[category, id]`),
    /// lower-cased; `None` without one.
    pub(crate) fn selection(&self) -> Option<Vec<Vec<String>>> {
        let (_, value) = self
            .query
            .iter()
            .find(|(k, _)| k.trim_start_matches('$').eq_ignore_ascii_case("select"))?;
        Some(
            value
                .split(',')
                .map(|path| {
                    path.split('/')
                        .map(|s| s.trim().to_ascii_lowercase())
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                })
                .filter(|path| !path.is_empty())
                .collect(),
        )
    }
}

/// What a case's answer must be.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expect {
    /// The status the documented sample answers (any documented one with
    /// `--accept-documented-status`), the schema, and unless `lenient` or the request
    /// selects fields, every property the documented answer shows.
    Success,
    /// A 4xx the page documents (or the 400 every operation refuses bad input with), in
    /// the API's error shape: never a 2xx, never a 5xx.
    Refusal {
        /// Where the request is broken (`body /Name`, `query Top`).
        broken: String,
    },
    /// [`Expect::Success`], and these root fields read back as they were saved.
    ReadBack {
        /// The fields saved, by name.
        fields: serde_json::Map<String, Value>,
        /// The primary key property.
        key: String,
        /// The id the entity was saved under.
        id: Value,
    },
    /// What the page documents for an entity that is no more: its 404, else the agents'
    /// success status with a `null` body.
    Gone,
}

/// One request and the judgement its answer gets.
#[derive(Debug, Clone)]
pub(crate) struct Case {
    /// Its mode.
    pub mode: Mode,
    /// What it tries (`all fields`, `boundary max`, `wrong type body /Name`, `read after
    /// save`).
    pub label: String,
    /// The request.
    pub request: Request,
    /// What the answer must be.
    pub expect: Expect,
}

/// Percent-encodes what cannot stand in a path segment or query value.
pub(crate) fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'~'
            | b'$'
            | b','
            | b'/'
            | b'\''
            | b'('
            | b')' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_path_and_query() {
        let request = Request {
            method: "GET".into(),
            template: "/api/v1/Contact/{id}".into(),
            path: vec![("id".into(), "7".into())],
            query: vec![("$select".into(), "Name,Department".into())],
            headers: Vec::new(),
            body: Some(json!({})),
        };
        assert_eq!(
            request.path_and_query(),
            "/api/v1/Contact/7?$select=Name,Department"
        );
        assert!(request.selects());
        assert_eq!(request.content_type(), "application/json; charset=utf-8");
    }
}
