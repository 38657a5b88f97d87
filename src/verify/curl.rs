//! A case's request as a `curl` command to paste into a shell: the method, the URL, the
//! headers sent and the body. Values given on the command line (`--auth`, `-H`) are not
//! printed: they stand as `$MOCKDOWN_AUTH` / `$MOCKDOWN_HEADER_N` for the reader to set.

use super::case::Request;
use super::options::VerifyOptions;

/// `text` quoted for a POSIX shell.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The `curl` command that sends `request` to the target of `options`, as verify sends it.
pub(crate) fn curl(request: &Request, options: &VerifyOptions) -> String {
    let url = format!(
        "{}{}",
        options.target.trim_end_matches('/'),
        request.path_and_query()
    );
    let mut parts = vec!["curl".to_string()];
    if request.method != "GET" || request.body.is_some() {
        parts.push(format!("-X {}", request.method));
    }
    parts.push(quoted(&url));
    let replaced = |name: &str| {
        (name.eq_ignore_ascii_case("authorization") && options.auth.is_some())
            || options
                .headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case(name))
    };
    let mut has_content_type = false;
    for (name, value) in &request.headers {
        let lower = name.to_ascii_lowercase();
        if matches!(
            lower.as_str(),
            "host" | "content-length" | "connection" | "transfer-encoding"
        ) || replaced(name)
        {
            continue;
        }
        has_content_type |= lower == "content-type";
        parts.push(format!("-H {}", quoted(&format!("{name}: {value}"))));
    }
    if options.auth.is_some() {
        parts.push("-H \"Authorization: $MOCKDOWN_AUTH\"".to_string());
    }
    for (i, (name, _)) in options.headers.iter().enumerate() {
        parts.push(format!("-H \"{name}: $MOCKDOWN_HEADER_{}\"", i + 1));
        has_content_type |= name.eq_ignore_ascii_case("content-type");
    }
    if let Some(body) = &request.body {
        if !has_content_type {
            parts.push("-H 'Content-Type: application/json; charset=utf-8'".to_string());
        }
        parts.push(format!("--data-raw {}", quoted(&body.to_string())));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_pasteable_command() {
        let request = Request {
            method: "POST".into(),
            template: "/api/v1/Contact".into(),
            path: Vec::new(),
            query: vec![("q".into(), "it's".into())],
            headers: vec![("Authorization".into(), "Basic abc".into())],
            body: Some(json!({"Name": "O'Hara"})),
        };
        let options = VerifyOptions {
            target: "http://127.0.0.1:4010/".into(),
            ..VerifyOptions::default()
        };
        assert_eq!(
            curl(&request, &options),
            r#"curl -X POST 'http://127.0.0.1:4010/api/v1/Contact?q=it'\''s' -H 'Authorization: Basic abc' -H 'Content-Type: application/json; charset=utf-8' --data-raw '{"Name":"O'\''Hara"}'"#
        );
        let secret = VerifyOptions {
            auth: Some("Bearer secret".into()),
            ..options
        };
        let text = curl(&request, &secret);
        assert!(
            !text.contains("secret") && !text.contains("Basic abc"),
            "{text}"
        );
        assert!(text.contains("$MOCKDOWN_AUTH"), "{text}");
    }
}
