//! Whether a request is one a stub answers: method, path (template, glob or exact, literal
//! segments in any case as the router does), query and headers (value or glob), and a JSON
//! body that contains the stub's (a subset).

use serde_json::Value;
use wildmatch::WildMatch;

use super::Match;

/// A request as the matcher sees it (the server's live requests and the journal's alike).
#[derive(Debug, Clone, Default)]
pub(crate) struct RequestView<'a> {
    /// Method.
    pub method: &'a str,
    /// Path without query.
    pub path: &'a str,
    /// Decoded query pairs.
    pub query: &'a [(String, String)],
    /// Headers (name any case).
    pub headers: &'a [(String, String)],
    /// The body, when it is JSON.
    pub body: Option<&'a Value>,
}

/// Whether `m` matches `request`.
pub(super) fn matches(m: &Match, request: &RequestView) -> bool {
    if m.method
        .as_deref()
        .is_some_and(|method| method != request.method)
    {
        return false;
    }
    if m.path
        .as_deref()
        .is_some_and(|p| !path_matches(p, request.path))
    {
        return false;
    }
    let query_ok = m.query.iter().all(|(name, want)| {
        request
            .query
            .iter()
            .any(|(k, v)| k == name && value_matches(want, v))
    });
    let headers_ok = m.headers.iter().all(|(name, want)| {
        request
            .headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case(name) && value_matches(want, v))
    });
    let body_ok = match (&m.body, request.body) {
        (None, _) => true,
        (Some(want), Some(body)) => contains(body, want),
        (Some(_), None) => false,
    };
    query_ok && headers_ok && body_ok
}

fn value_matches(want: &str, got: &str) -> bool {
    if want.contains(['*', '?']) {
        WildMatch::new(want).matches(got)
    } else {
        want == got
    }
}

/// A template (`{x}` takes one segment), a glob (`*`, `?`), or an exact path.
fn path_matches(pattern: &str, path: &str) -> bool {
    if pattern.contains(['*', '?']) {
        return WildMatch::new_case_insensitive(pattern).matches(path);
    }
    let want: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
    let got: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    want.len() == got.len()
        && want
            .iter()
            .zip(&got)
            .all(|(w, g)| (w.starts_with('{') && w.ends_with('}')) || w.eq_ignore_ascii_case(g))
}

/// Whether `body` contains `want`: the same scalar, an object with (at least) its members,
/// an array with (at least) its items.
fn contains(body: &Value, want: &Value) -> bool {
    match (body, want) {
        (Value::Object(got), Value::Object(want)) => want
            .iter()
            .all(|(k, w)| got.get(k).is_some_and(|g| contains(g, w))),
        (Value::Array(got), Value::Array(want)) => {
            want.iter().all(|w| got.iter().any(|g| contains(g, w)))
        }
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (a, b) => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_values_and_bodies() {
        assert!(path_matches("/api/v1/Contact/{id}", "/API/v1/contact/7"));
        assert!(!path_matches(
            "/api/v1/Contact/{id}",
            "/api/v1/Contact/7/Image"
        ));
        assert!(path_matches("/api/v1/Contact/*", "/api/v1/Contact/7/Image"));
        assert!(value_matches("Bearer *", "Bearer abc"));
        assert!(!value_matches("abc", "abcd"));
        let body = json!({"A": 1, "B": {"C": [1, 2, {"D": "x"}]}, "E": null});
        assert!(contains(&body, &json!({"B": {"C": [{"D": "x"}, 2]}})));
        assert!(contains(&body, &json!({"A": 1.0})));
        assert!(!contains(&body, &json!({"A": 2})));
        assert!(!contains(&body, &json!({"Z": null})));
    }
}
