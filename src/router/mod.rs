//! Method + path template routing: literal segments beat parameters, literal segments match
//! case-insensitively (like the real API), unknown paths name the closest documented routes.

use crate::contract::Operation;

/// One segment of a path template.
#[derive(Debug, Clone)]
enum Segment {
    /// A literal, stored lower-case.
    Literal(String),
    /// `{name}`.
    Param(String),
}

/// What values a path parameter takes, for telling `/List/{id}` from `/List/{name}`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ParamKind {
    Integer,
    Number,
    Enum(Vec<String>),
    Any,
}

impl ParamKind {
    fn of(schema: &serde_json::Value) -> Self {
        if let Some(members) = schema.get("enum").and_then(|m| m.as_array()) {
            return ParamKind::Enum(
                members
                    .iter()
                    .filter_map(|m| m.as_str())
                    .map(str::to_ascii_lowercase)
                    .collect(),
            );
        }
        match schema.get("type").and_then(|t| t.as_str()) {
            Some("integer") => ParamKind::Integer,
            Some("number") => ParamKind::Number,
            _ => ParamKind::Any,
        }
    }

    fn accepts(&self, raw: &str) -> bool {
        match self {
            ParamKind::Integer => raw.parse::<i64>().is_ok(),
            ParamKind::Number => raw.parse::<f64>().is_ok(),
            ParamKind::Enum(members) => members.contains(&raw.to_ascii_lowercase()),
            ParamKind::Any => true,
        }
    }
}

/// A documented route.
#[derive(Debug, Clone)]
struct Route {
    method: String,
    template: String,
    segments: Vec<Segment>,
    /// Kind of each parameter, in template order.
    kinds: Vec<ParamKind>,
    operation: usize,
}

/// What routing a request gave.
#[derive(Debug)]
pub(crate) enum RouteMatch {
    /// The operation (index into the contract) and the raw path parameters.
    Found {
        /// Index of the operation in the contract.
        operation: usize,
        /// Path parameters by documented name, percent-decoded.
        params: Vec<(String, String)>,
    },
    /// The path is documented, but not for this method.
    MethodNotAllowed {
        /// Methods the path documents.
        allow: Vec<String>,
    },
    /// No documented path matches.
    NotFound {
        /// The closest documented routes (`METHOD /template`).
        closest: Vec<String>,
    },
}

/// A node of the segment trie.
#[derive(Debug, Default)]
struct Node {
    literals: std::collections::HashMap<String, Node, foldhash::fast::FixedState>,
    param: Option<Box<Node>>,
    /// Routes (indices into `Router::routes`) that end here.
    routes: Vec<usize>,
}

/// Routes requests to operations.
#[derive(Debug, Default)]
pub(crate) struct Router {
    routes: Vec<Route>,
    trie: Node,
}

impl Router {
    /// A router over every operation of a contract.
    pub(crate) fn new(operations: &[Operation]) -> Self {
        let mut routes: Vec<Route> = operations
            .iter()
            .enumerate()
            .map(|(i, op)| Route {
                method: op.method.clone(),
                template: op.path.clone(),
                segments: split(&op.path)
                    .map(
                        |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                            Some(name) => Segment::Param(name.to_string()),
                            None => Segment::Literal(s.to_ascii_lowercase()),
                        },
                    )
                    .collect(),
                kinds: op
                    .path_parameters
                    .iter()
                    .map(|p| ParamKind::of(&p.schema))
                    .collect(),
                operation: i,
            })
            .collect();
        // More literal segments first, then earlier literals: `/Contact/default` beats
        // `/Contact/{id}`.
        routes.sort_by(|a, b| {
            specificity(b)
                .cmp(&specificity(a))
                .then(a.template.cmp(&b.template))
        });
        let mut trie = Node::default();
        for (idx, route) in routes.iter().enumerate() {
            let mut node = &mut trie;
            for seg in &route.segments {
                node = match seg {
                    Segment::Literal(lit) => node.literals.entry(lit.clone()).or_default(),
                    Segment::Param(_) => node.param.get_or_insert_with(Box::default),
                };
            }
            node.routes.push(idx);
        }
        Self { routes, trie }
    }

    /// Indices of the routes whose template matches the path, most specific first.
    fn candidates(&self, segments: &[&str]) -> Vec<usize> {
        fn walk(node: &Node, segments: &[&str], out: &mut Vec<usize>) {
            match segments.split_first() {
                None => out.extend(&node.routes),
                Some((first, rest)) => {
                    if let Some(child) = lowercase(first, |lower| node.literals.get(lower)) {
                        walk(child, rest, out);
                    }
                    if let Some(child) = &node.param {
                        walk(child, rest, out);
                    }
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.trie, segments, &mut out);
        out.sort_unstable();
        out
    }

    /// Number of routes.
    pub(crate) fn len(&self) -> usize {
        self.routes.len()
    }

    /// Routes one request.
    pub(crate) fn find(&self, method: &str, path: &str) -> RouteMatch {
        let segments: Vec<&str> = split(path).collect();
        let mut allow: Vec<&str> = Vec::new();
        let mut loose = None;
        // The trie already matched every literal segment and the length: only the method
        // and the parameter values are left to look at.
        for idx in self.candidates(&segments) {
            let route = &self.routes[idx];
            // Methods are case-sensitive (RFC 9110 §9.1): `get` is not `GET`.
            if route.method != method {
                if !allow.contains(&route.method.as_str()) {
                    allow.push(&route.method);
                }
                continue;
            }
            let Some(params) = matches(route, &segments) else {
                continue;
            };
            // A route whose parameters take these values wins over one whose do not
            // (`/List/12` → `{id}`, `/List/Sales` → `{name}`).
            let fits = params
                .iter()
                .zip(&route.kinds)
                .all(|((_, raw), kind)| kind.accepts(raw));
            if fits {
                return RouteMatch::Found {
                    operation: route.operation,
                    params,
                };
            }
            loose.get_or_insert((route.operation, params));
        }
        if let Some((operation, params)) = loose {
            return RouteMatch::Found { operation, params };
        }
        if !allow.is_empty() {
            allow.sort_unstable();
            return RouteMatch::MethodNotAllowed {
                allow: allow.into_iter().map(str::to_string).collect(),
            };
        }
        RouteMatch::NotFound {
            closest: self.closest(&segments),
        }
    }

    /// The routes sharing the longest literal prefix with the request (at most five).
    fn closest(&self, segments: &[&str]) -> Vec<String> {
        let mut scored: Vec<(usize, &Route)> = self
            .routes
            .iter()
            .map(|r| {
                let shared = r
                    .segments
                    .iter()
                    .zip(segments)
                    .take_while(|(s, seg)| match s {
                        Segment::Literal(l) => l.eq_ignore_ascii_case(seg),
                        Segment::Param(_) => true,
                    })
                    .count();
                let penalty = r.segments.len().abs_diff(segments.len());
                (shared * 4 - penalty.min(shared * 4), r)
            })
            .filter(|(score, _)| *score > 0)
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.template.cmp(&b.1.template)));
        scored
            .into_iter()
            .take(5)
            .map(|(_, r)| format!("{} {}", r.method, r.template))
            .collect()
    }

    /// Every route as `(method, template, operation index)`.
    pub(crate) fn list(&self) -> Vec<(&str, &str, usize)> {
        let mut out: Vec<_> = self
            .routes
            .iter()
            .map(|r| (r.method.as_str(), r.template.as_str(), r.operation))
            .collect();
        out.sort();
        out
    }
}

/// Calls `f` with `segment` in ASCII lower case, without allocating for the usual lengths.
fn lowercase<T>(segment: &str, f: impl FnOnce(&str) -> T) -> T {
    if !segment.bytes().any(|b| b.is_ascii_uppercase()) {
        return f(segment);
    }
    let mut buffer = [0u8; 64];
    let Some(lower) = buffer.get_mut(..segment.len()) else {
        return f(&segment.to_ascii_lowercase());
    };
    lower.copy_from_slice(segment.as_bytes());
    lower.make_ascii_lowercase();
    // ASCII case changes keep UTF-8 valid.
    match std::str::from_utf8(lower) {
        Ok(text) => f(text),
        Err(_) => f(&segment.to_ascii_lowercase()),
    }
}

fn split(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

/// Literal segments first, then constrained parameters (integer, enum) before free ones.
fn specificity(route: &Route) -> Vec<u8> {
    let mut kinds = route.kinds.iter();
    route
        .segments
        .iter()
        .map(|s| match s {
            Segment::Literal(_) => 2,
            Segment::Param(_) => u8::from(kinds.next().is_some_and(|k| *k != ParamKind::Any)),
        })
        .collect()
}

fn matches(route: &Route, segments: &[&str]) -> Option<Vec<(String, String)>> {
    if route.segments.len() != segments.len() {
        return None;
    }
    let mut params = Vec::new();
    for (template, actual) in route.segments.iter().zip(segments) {
        match template {
            Segment::Literal(lit) => {
                if !lit.eq_ignore_ascii_case(actual) {
                    return None;
                }
            }
            Segment::Param(name) => params.push((name.clone(), percent_decode(actual))),
        }
    }
    Some(params)
}

/// Decodes `%XX` escapes of a path segment (invalid escapes are kept as written; `+` is a
/// plus sign: only query strings use it for a space).
pub(crate) fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(method: &str, path: &str) -> Operation {
        Operation {
            operation_id: format!("{method} {path}"),
            method: method.into(),
            path: path.into(),
            ..Operation::default()
        }
    }

    #[test]
    fn literals_beat_params_and_ignore_case() {
        let ops = [
            op("GET", "/api/v1/Contact/{id}"),
            op("GET", "/api/v1/Contact/default"),
        ];
        let router = Router::new(&ops);
        match router.find("GET", "/API/v1/contact/Default") {
            RouteMatch::Found { operation, .. } => assert_eq!(operation, 1),
            other => panic!("{other:?}"),
        }
        match router.find("GET", "/api/v1/Contact/12") {
            RouteMatch::Found { operation, params } => {
                assert_eq!(operation, 0);
                assert_eq!(params, [("id".to_string(), "12".to_string())]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn plus_is_a_space_only_in_queries_and_methods_keep_their_case() {
        assert_eq!(percent_decode("a+b%20c%zz%4"), "a+b c%zz%4");
        assert_eq!(
            crate::http::parse_query("a+b=c%20d+e&&f&g=%zz"),
            [
                ("a b".to_string(), "c d e".to_string()),
                ("f".to_string(), String::new()),
                ("g".to_string(), "%zz".to_string())
            ]
        );
        let router = Router::new(&[op("GET", "/api/v1/Contact/{id}")]);
        match router.find("get", "/api/v1/Contact/1") {
            RouteMatch::MethodNotAllowed { allow } => assert_eq!(allow, ["GET"]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn wrong_method_and_unknown_path() {
        let ops = [
            op("GET", "/api/v1/Contact/{id}"),
            op("DELETE", "/api/v1/Contact/{id}"),
        ];
        let router = Router::new(&ops);
        match router.find("POST", "/api/v1/Contact/1") {
            RouteMatch::MethodNotAllowed { allow } => assert_eq!(allow, ["DELETE", "GET"]),
            other => panic!("{other:?}"),
        }
        match router.find("GET", "/api/v1/Contacts/1") {
            RouteMatch::NotFound { closest } => {
                assert!(closest[0].contains("/api/v1/Contact/{id}"))
            }
            other => panic!("{other:?}"),
        }
    }
}
