//! Redaction of what the journal keeps: credentials in headers (`Authorization`, cookies),
//! and query, form, JSON and XML fields whose names contain a sensitive word.

use memchr::{memchr, memchr2};

/// What a redacted value is replaced with.
pub(crate) const MASK: &str = "***";

/// Words that make a field sensitive when its name contains one (case-insensitive).
pub(crate) const DEFAULT_WORDS: [&str; 4] = ["password", "secret", "token", "ticket"];

/// The sensitive words, lower-case.
#[derive(Debug, Clone)]
pub(crate) struct Redactor {
    words: Vec<Vec<u8>>,
}

impl Redactor {
    /// A redactor for `words` (empty words are ignored).
    pub(crate) fn new(words: &[String]) -> Self {
        Self {
            words: words
                .iter()
                .map(|w| w.trim().to_ascii_lowercase().into_bytes())
                .filter(|w| !w.is_empty())
                .collect(),
        }
    }

    /// Whether a field named `name` is sensitive.
    pub(crate) fn sensitive(&self, name: &[u8]) -> bool {
        self.words
            .iter()
            .any(|word| contains_ignore_case(name, word))
    }

    /// Appends `name: value\n` for a header, its value masked when sensitive.
    #[cfg(test)]
    pub(crate) fn header(&self, out: &mut Vec<u8>, name: &str, value: &[u8]) {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        self.header_value(out, name, value);
        out.push(b'\n');
    }

    /// Appends the value of header `name` (lower-case), masked when sensitive.
    pub(crate) fn header_value(&self, out: &mut Vec<u8>, name: &str, value: &[u8]) {
        match name {
            // Keep the scheme: which one was used is worth seeing.
            "authorization" | "proxy-authorization" => {
                if let Some(space) = memchr(b' ', value) {
                    out.extend_from_slice(&value[..=space]);
                }
                out.extend_from_slice(MASK.as_bytes());
            }
            "cookie" | "set-cookie" => out.extend_from_slice(MASK.as_bytes()),
            _ if self.sensitive(name.as_bytes()) => out.extend_from_slice(MASK.as_bytes()),
            _ => out.extend_from_slice(value),
        }
    }

    /// Appends a query string (or a form body), values of sensitive keys masked.
    pub(crate) fn pairs(&self, out: &mut Vec<u8>, text: &[u8]) {
        for (i, pair) in text.split(|&b| b == b'&').enumerate() {
            if i > 0 {
                out.push(b'&');
            }
            match memchr(b'=', pair) {
                Some(eq) if self.sensitive(&pair[..eq]) => {
                    out.extend_from_slice(&pair[..=eq]);
                    out.extend_from_slice(MASK.as_bytes());
                }
                _ => out.extend_from_slice(pair),
            }
        }
    }

    /// Appends a path with query, the query's sensitive values masked.
    pub(crate) fn path(&self, out: &mut Vec<u8>, path_and_query: &str) {
        match path_and_query.split_once('?') {
            Some((path, query)) => {
                out.extend_from_slice(path.as_bytes());
                out.push(b'?');
                self.pairs(out, query.as_bytes());
            }
            None => out.extend_from_slice(path_and_query.as_bytes()),
        }
    }

    /// Appends a body excerpt of media type `media`, sensitive fields masked (JSON, form
    /// and XML bodies; others are kept as they are).
    pub(crate) fn body(&self, out: &mut Vec<u8>, media: &str, body: &[u8]) {
        if self.words.is_empty() {
            out.extend_from_slice(body);
        } else if media.ends_with("json") {
            self.json(out, body);
        } else if media == "application/x-www-form-urlencoded" {
            self.pairs(out, body);
        } else if media.ends_with("xml") {
            self.xml(out, body);
        } else {
            out.extend_from_slice(body);
        }
    }

    /// JSON text (possibly cut short): values of sensitive keys become `"***"`; objects and
    /// arrays under such keys are kept, their own keys checked in turn.
    fn json(&self, out: &mut Vec<u8>, text: &[u8]) {
        let mut i = 0;
        while let Some(offset) = memchr(b'"', &text[i..]) {
            let open = i + offset;
            let Some(close) = string_end(text, open) else {
                break;
            };
            out.extend_from_slice(&text[i..=close]);
            i = close + 1;
            let colon = skip_space(text, i);
            if text.get(colon) != Some(&b':') || !self.sensitive(&text[open + 1..close]) {
                continue;
            }
            let value = skip_space(text, colon + 1);
            out.extend_from_slice(&text[i..value]);
            i = value;
            match text.get(value) {
                Some(b'{' | b'[') | None => {}
                Some(b'"') => {
                    i = string_end(text, value).map_or(text.len(), |end| end + 1);
                    out.extend_from_slice(b"\"***\"");
                }
                Some(_) => {
                    let len = text[value..]
                        .iter()
                        .position(|b| matches!(b, b',' | b'}' | b']') || b.is_ascii_whitespace())
                        .unwrap_or(text.len() - value);
                    i = value + len;
                    out.extend_from_slice(b"\"***\"");
                }
            }
        }
        out.extend_from_slice(&text[i..]);
    }

    /// XML text: the text of elements whose names are sensitive becomes `***`.
    fn xml(&self, out: &mut Vec<u8>, text: &[u8]) {
        let mut i = 0;
        while let Some(offset) = memchr(b'<', &text[i..]) {
            let open = i + offset;
            let Some(close) = memchr(b'>', &text[open..]).map(|c| open + c) else {
                break;
            };
            out.extend_from_slice(&text[i..=close]);
            i = close + 1;
            let tag = &text[open + 1..close];
            let name_len = tag
                .iter()
                .position(|b| b.is_ascii_whitespace() || *b == b'/')
                .unwrap_or(tag.len());
            let name = &tag[..name_len];
            let opening = !name.is_empty() && !matches!(name[0], b'/' | b'?' | b'!');
            if opening && !tag.ends_with(b"/") && self.sensitive(name) {
                let end = memchr(b'<', &text[i..]).map_or(text.len(), |e| i + e);
                if end > i {
                    out.extend_from_slice(MASK.as_bytes());
                }
                i = end;
            }
        }
        out.extend_from_slice(&text[i..]);
    }
}

/// Index of the quote closing the JSON string opened at `open`, if the text holds it.
fn string_end(text: &[u8], open: usize) -> Option<usize> {
    let mut at = open + 1;
    loop {
        let found = at + memchr2(b'"', b'\\', text.get(at..)?)?;
        if text[found] == b'"' {
            return Some(found);
        }
        at = found + 2;
    }
}

fn skip_space(text: &[u8], mut at: usize) -> usize {
    while text.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    at
}

/// Whether `haystack` contains `needle` (lower-case), ignoring ASCII case.
fn contains_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && haystack.len() >= needle.len()
        && haystack
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redactor() -> Redactor {
        Redactor::new(&DEFAULT_WORDS.map(String::from))
    }

    fn run(f: impl Fn(&Redactor, &mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        f(&redactor(), &mut out);
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn masks_json_fields_by_name() {
        let body = br#"{"UserName":"ola","Password" : "p\"w","Nested":{"SoTicket":7,"x":[1]},"TokenList":["a"],"Ok":true}"#;
        let text = run(|r, out| r.body(out, "application/json", body));
        assert_eq!(
            text,
            r#"{"UserName":"ola","Password" : "***","Nested":{"SoTicket":"***","x":[1]},"TokenList":["a"],"Ok":true}"#
        );
        // Cut short in the middle of a secret.
        let text = run(|r, out| r.body(out, "application/json", br#"{"password":"hun"#));
        assert_eq!(text, r#"{"password":"***""#);
    }

    #[test]
    fn masks_query_form_headers_and_xml() {
        assert_eq!(
            run(|r, out| r.path(out, "/api/v1/Contact?ticket=abc&id=1&MyToken=z")),
            "/api/v1/Contact?ticket=***&id=1&MyToken=***"
        );
        assert_eq!(
            run(|r, out| r.header(out, "authorization", b"Basic dGplMDpUamUw")),
            "authorization: Basic ***\n"
        );
        assert_eq!(
            run(|r, out| r.header(out, "x-xsrf-token", b"abc")),
            "x-xsrf-token: ***\n"
        );
        assert_eq!(
            run(|r, out| r.body(out, "text/xml", b"<a><Password>pw</Password><b>1</b></a>")),
            "<a><Password>***</Password><b>1</b></a>"
        );
    }
}
