//! Samples shown on pages that are not reference pages (an index page's error sample): each
//! fenced block that parses as a JSON object, with the heading and the text just above it,
//! so the contract stage can tell what the block is a sample of. Never panics.

use serde_json::Value;

/// Most samples kept from one page.
const MAX_PER_PAGE: usize = 50;
/// Largest block read, in bytes.
const MAX_BLOCK: usize = 64 * 1024;
/// Most text kept of the lines above a block, in bytes.
const MAX_CONTEXT: usize = 400;

/// A JSON object shown in a fenced block of a page that is not a reference page.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ShownSample {
    /// The page, relative to the docs root.
    pub file: String,
    /// Line of the block's opening fence.
    pub line: usize,
    /// The nearest heading above the block and the text between it and the block.
    pub context: String,
    /// The block, parsed.
    pub json: Value,
}

/// The JSON objects shown in the fenced blocks of `text`.
pub(crate) fn shown_samples(file: &str, text: &str) -> Vec<ShownSample> {
    let mut out = Vec::new();
    let mut heading = String::new();
    let mut above: Vec<&str> = Vec::new();
    let mut block: Option<(usize, String)> = None;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if let Some((start, body)) = block.as_mut() {
            if trimmed.starts_with("```") {
                let start = *start;
                let parsed = serde_json::from_str::<Value>(body).ok();
                if let Some(json) = parsed.filter(Value::is_object) {
                    let mut context = format!("{heading} {}", above.join(" "));
                    if context.len() > MAX_CONTEXT {
                        let mut end = MAX_CONTEXT;
                        while !context.is_char_boundary(end) {
                            end -= 1;
                        }
                        context.truncate(end);
                    }
                    out.push(ShownSample {
                        file: file.to_string(),
                        line: start,
                        context: context.trim().to_string(),
                        json,
                    });
                    if out.len() >= MAX_PER_PAGE {
                        break;
                    }
                }
                block = None;
                above.clear();
            } else if body.len() + line.len() < MAX_BLOCK {
                body.push_str(line);
                body.push('\n');
            }
            continue;
        }
        if trimmed.starts_with("```") {
            block = Some((index + 1, String::new()));
        } else if trimmed.starts_with('#') {
            heading = trimmed.trim_start_matches('#').trim().to_string();
            above.clear();
        } else if !trimmed.is_empty() {
            above.push(trimmed);
            if above.len() > 3 {
                above.remove(0);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_pages_error_sample_is_found_with_its_context() {
        let text = "# Api\n\n## Errors\nErrors are JSON:\n\n```javascript\n    {\n      \"code\": 404,\n      \"message\": \"No widget 7\"\n    }\n```\n\n```\nnot json\n```\n";
        let found = shown_samples("index.md", text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line, 6);
        assert_eq!(found[0].context, "Errors Errors are JSON:");
        assert_eq!(found[0].json["code"], 404);
    }
}
