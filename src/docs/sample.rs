//! The HTTP blocks of a page: the endpoint line, example URLs and the samples.

use super::model::{QueryExample, SampleBody, SampleRequest, SampleResponse};

/// HTTP methods a page may document.
const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// Splits `METHOD target` when the method is a known HTTP method.
pub(super) fn split_request_line(line: &str) -> Option<(String, String)> {
    let line = line.trim();
    let (method, rest) = line.split_once(char::is_whitespace)?;
    let method = method.to_ascii_uppercase();
    let method = if method == "DEL" {
        "DELETE".to_string()
    } else {
        method
    };
    if !METHODS.contains(&method.as_str()) {
        return None;
    }
    let target = rest.trim();
    let target = target.strip_suffix("HTTP/1.1").unwrap_or(target).trim();
    if !target.starts_with('/') {
        return None;
    }
    Some((method, target.to_string()))
}

/// Parses the query string of an example URL such as `GET /x?$top=5&a=b`.
pub(super) fn parse_query_example(line: &str, line_no: usize) -> Option<QueryExample> {
    let (_, target) = split_request_line(line)?;
    let (_, query) = target.split_once('?')?;
    let pairs = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (pair.to_string(), String::new()),
        })
        .collect();
    Some(QueryExample {
        pairs,
        line: line_no,
    })
}

/// Head lines (start line and headers) and the body of a sample block.
struct Message<'a> {
    start: &'a str,
    start_line: usize,
    headers: Vec<(String, String)>,
    body: Option<SampleBody>,
}

/// Splits a sample block into start line, headers and body; `first_line` is the line of the
/// block's first content line.
fn split_message(text: &str, first_line: usize) -> Option<Message<'_>> {
    let mut lines = text
        .split('\n')
        .enumerate()
        .skip_while(|(_, l)| l.trim().is_empty());
    let (start_idx, start) = lines.next()?;
    let mut headers = Vec::new();
    let mut body_idx = None;
    for (idx, line) in lines.by_ref() {
        if line.trim().is_empty() {
            body_idx = Some(idx + 1);
            break;
        }
        match line.split_once(':') {
            Some((name, value)) if !name.trim().is_empty() && !name.contains(' ') => {
                headers.push((name.trim().to_string(), value.trim().to_string()))
            }
            _ => {
                // A line that is not a header ends the head; the body starts here.
                body_idx = Some(idx);
                break;
            }
        }
    }
    let body = body_idx.and_then(|idx| {
        let rest: Vec<&str> = text.split('\n').skip(idx).collect();
        let leading_blank = rest.iter().take_while(|l| l.trim().is_empty()).count();
        let body_text = rest[leading_blank..].join("\n");
        let body_text = body_text.trim_end();
        (!body_text.is_empty()).then(|| SampleBody {
            text: body_text.to_string(),
            line: first_line + idx + leading_blank,
            json: None,
        })
    });
    Some(Message {
        start: start.trim(),
        start_line: first_line + start_idx,
        headers,
        body,
    })
}

/// Why a sample block is no HTTP message: the one error type of this room, reported as a
/// `bad-sample` diagnostic at the block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum SampleError {
    /// A ```` ```http! ```` block without a request line.
    #[error("empty sample request")]
    EmptyRequest,
    /// A request line that is not `METHOD /path`.
    #[error("sample request line `{0}` is not `METHOD /path`")]
    RequestLine(String),
    /// A ```` ```http_ ```` block without a status line.
    #[error("empty sample response")]
    EmptyResponse,
    /// A status line that is not `HTTP/1.1 CODE REASON`.
    #[error("sample response status line `{0}` is not `HTTP/1.1 CODE REASON`")]
    StatusLine(String),
}

/// Parses a ```` ```http! ```` block.
pub(super) fn parse_sample_request(
    text: &str,
    first_line: usize,
) -> Result<SampleRequest, SampleError> {
    let message = split_message(text, first_line).ok_or(SampleError::EmptyRequest)?;
    let (method, path) = split_request_line(message.start)
        .ok_or_else(|| SampleError::RequestLine(message.start.to_string()))?;
    Ok(SampleRequest {
        method,
        path,
        headers: message.headers,
        body: message.body,
        line: message.start_line,
    })
}

/// Parses a ```` ```http_ ```` block.
pub(super) fn parse_sample_response(
    text: &str,
    first_line: usize,
) -> Result<SampleResponse, SampleError> {
    let message = split_message(text, first_line).ok_or(SampleError::EmptyResponse)?;
    let mut parts = message.start.splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    let status = parts.next().and_then(|s| s.parse::<u16>().ok());
    match (version.starts_with("HTTP/"), status) {
        (true, Some(status)) if (100..=599).contains(&status) => Ok(SampleResponse {
            status,
            reason: parts.next().unwrap_or_default().trim().to_string(),
            headers: message.headers,
            body: message.body,
            line: message.start_line,
        }),
        _ => Err(SampleError::StatusLine(message.start.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_with_body() {
        let block = "POST /api/v1/X\nAccept: application/json\n\n{\n  \"a\": 1\n}\n";
        let sample = parse_sample_request(block, 10).expect("parses");
        assert_eq!(sample.method, "POST");
        assert_eq!(sample.headers.len(), 1);
        let body = sample.body.expect("body");
        assert_eq!(body.line, 13);
        assert_eq!(body.text, "{\n  \"a\": 1\n}");
    }

    #[test]
    fn request_without_body() {
        let sample = parse_sample_request("GET /api/v1/X/{id}\nAccept: */*\n", 1).expect("parses");
        assert!(sample.body.is_none());
    }

    #[test]
    fn response_status_line() {
        let sample =
            parse_sample_response("HTTP/1.1 200 ContactEntity found.\n\nnull", 1).expect("parses");
        assert_eq!(sample.status, 200);
        assert_eq!(sample.reason, "ContactEntity found.");
        assert_eq!(sample.body.expect("body").text, "null");
        assert_eq!(
            parse_sample_response("HTTP/1.1 abc", 1).map(|_| ()),
            Err(SampleError::StatusLine("HTTP/1.1 abc".into()))
        );
        assert_eq!(
            parse_sample_request("\n\n", 1)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Err("empty sample request".into())
        );
    }

    #[test]
    fn query_examples_keep_raw_values() {
        let ex = parse_query_example("GET /api/v1/Contact?$filter=name begins 'S'&$top=5", 3)
            .expect("parses");
        assert_eq!(ex.pairs[0], ("$filter".into(), "name begins 'S'".into()));
        assert_eq!(ex.pairs[1], ("$top".into(), "5".into()));
    }
}
