//! The query string of a request, as the mock, the proxy and the admin routes read it:
//! `application/x-www-form-urlencoded` pairs, each percent-decoded (`+` is a space here, and
//! only here), read by the `form_urlencoded` crate.

/// Splits and decodes a query string (`%XX` escapes, `+` as a space; a pair without `=` has
/// an empty value; empty pairs are skipped).
pub(crate) fn parse_query(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}
