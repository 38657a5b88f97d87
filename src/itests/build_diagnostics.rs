//! Broken pages give diagnostics with file:line; the other pages still build; the exit code
//! says whether anything was wrong.

use std::path::Path;

use crate::contract;
use crate::diag::Severity;
use crate::docs;

/// The good page of the broken set (its lines are looked up).
const GOOD: &str = include_str!("../../tests/fixtures/good/a_good.md");

/// 1-based line of the first line containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map_or(0, |i| i + 1)
}

/// Good, a page without an endpoint, one with broken JSON, one whose path another page has,
/// an index page and a toc file.
const BROKEN: &str = "tests/fixtures/broken";

#[test]
fn broken_pages_are_diagnosed_and_the_rest_builds() {
    let set = docs::load_dir(Path::new(BROKEN), &|| {}).expect("loads");
    let build = contract::build(set);
    let ids: Vec<&str> = build
        .contract
        .operations
        .iter()
        .map(|o| o.operation_id.as_str())
        .collect();
    assert_eq!(ids, ["v1Bad_Json", "v1Good_Get"]);
    assert_eq!(
        build.pages_skipped, 2,
        "index.md and toc.yml are not reference pages"
    );
    let find = |code: &str| {
        build
            .diagnostics
            .iter()
            .find(|d| d.code == code)
            .unwrap_or_else(|| panic!("no {code} in {:#?}", build.diagnostics))
    };
    let no_endpoint = find("no-endpoint");
    assert_eq!(
        (no_endpoint.file.as_str(), no_endpoint.line),
        ("b_no_endpoint.md", 2)
    );
    let bad_json = find("bad-sample-json");
    assert_eq!(bad_json.file, "c_bad_json.md");
    assert_eq!(
        bad_json.line,
        line_of(&GOOD.replace("\"Name\": 7", "\"Name\": 7,,"), "\"Name\""),
        "the line of the stray comma"
    );
    let duplicate = find("duplicate-operation-id");
    assert_eq!(
        (duplicate.file.as_str(), duplicate.line),
        ("d_duplicate.md", 2)
    );
    // The table says Name is a string; the sample says 7: the table wins, a warning says so.
    let mismatch = find("sample-mismatch");
    assert_eq!(mismatch.severity, Severity::Warning);
    assert_eq!(mismatch.pointer.as_deref(), Some("/Name"));
    assert_eq!(mismatch.line, line_of(GOOD, "\"Name\""));
    assert!(mismatch.message.contains("string") && mismatch.message.contains('7'));
}
