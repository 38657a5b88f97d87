//! `mockdown diff` output: human lines, JSON, or markdown to paste into a pull request.

use std::fmt::Write as _;

use serde_json::json;

use super::Change;

/// Counts: (breaking, non-breaking).
pub(crate) fn counts(changes: &[Change]) -> (usize, usize) {
    let breaking = changes.iter().filter(|c| c.breaking).count();
    (breaking, changes.len() - breaking)
}

/// One line per change and a summary line.
pub(crate) fn human(changes: &[Change]) -> String {
    let mut out = String::new();
    for c in changes {
        let label = if c.breaking {
            "breaking    "
        } else {
            "non-breaking"
        };
        let place = if c.place.is_empty() {
            String::new()
        } else {
            format!(" {}", c.place)
        };
        let _ = writeln!(
            out,
            "{label} {}{place}: {} [{}]",
            c.subject, c.detail, c.kind
        );
    }
    let (breaking, other) = counts(changes);
    let _ = writeln!(out, "{breaking} breaking, {other} non-breaking change(s)");
    out
}

/// The changes and counts as one JSON document.
pub(crate) fn json(changes: &[Change]) -> String {
    let (breaking, other) = counts(changes);
    let report = json!({ "breaking": breaking, "nonBreaking": other, "changes": changes });
    serde_json::to_string_pretty(&report).unwrap_or_default()
}

/// A markdown section for a pull request: counts, then a table per class.
pub(crate) fn markdown(changes: &[Change]) -> String {
    let (breaking, other) = counts(changes);
    let mut out = String::from("## API contract changes\n\n");
    if changes.is_empty() {
        out.push_str("No contract changes.\n");
        return out;
    }
    let _ = writeln!(
        out,
        "**{breaking} breaking**, {other} non-breaking change(s).\n"
    );
    for (title, wanted) in [("Breaking", true), ("Non-breaking", false)] {
        let rows: Vec<&Change> = changes.iter().filter(|c| c.breaking == wanted).collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {title}\n");
        out.push_str("| Operation / type | Where | Change |\n|---|---|---|\n");
        for c in rows {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} (`{}`) |",
                cell(&c.subject),
                if c.place.is_empty() {
                    String::new()
                } else {
                    format!("`{}`", cell(&c.place))
                },
                cell(&c.detail),
                c.kind
            );
        }
        out.push('\n');
    }
    out
}

/// Text safe inside a markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
