//! Headers of a proxied exchange: the hop-by-hop ones never forwarded, and the violations
//! reported to the client in `X-Mockdown-Violations`.

use hyper::header::{HeaderMap, HeaderValue};

use crate::contract::validate::Violation;

/// Longest `X-Mockdown-Violations` value; later violations are left to the journal.
const MAX_HEADER_BYTES: usize = 8 * 1024;

/// Hop-by-hop headers, never forwarded (RFC 9110 §7.6.1), and `host`.
pub(super) const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
];

/// Removes the hop-by-hop headers.
pub(super) fn strip_hop_by_hop(headers: &mut HeaderMap) {
    for name in HOP_BY_HOP {
        headers.remove(name);
    }
}

/// The violations as compact JSON, non-ASCII escaped, cut to [`MAX_HEADER_BYTES`].
pub(super) fn header_value(violations: &[Violation]) -> Option<HeaderValue> {
    let mut kept: Vec<&Violation> = Vec::new();
    let mut text = String::from("[]");
    for v in violations {
        kept.push(v);
        let candidate = serde_json::to_string(&kept).unwrap_or_default();
        if candidate.len() > MAX_HEADER_BYTES {
            break;
        }
        text = candidate;
    }
    let ascii: String = text
        .chars()
        .flat_map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                vec![c]
            } else {
                let mut units = [0u16; 2];
                c.encode_utf16(&mut units)
                    .iter()
                    .flat_map(|u| format!("\\u{u:04x}").chars().collect::<Vec<_>>())
                    .collect()
            }
        })
        .collect();
    HeaderValue::from_str(&ascii).ok()
}
