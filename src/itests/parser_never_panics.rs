//! Property test: the page parser and the contract build never panic, whatever the bytes.
//! `PROPTEST_CASES` raises the case count (CI runs it longer).

use std::path::Path;

use proptest::prelude::*;

use crate::{contract, docs};

fn seed_pages() -> Vec<String> {
    let files = docs::list_files(Path::new("docs")).expect("docs/ lists");
    files
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .collect()
}

/// Builds one page all the way to a contract.
fn build_one(text: &str) {
    let (outcome, _) = docs::parse_page("fuzz.md", text);
    if let docs::PageOutcome::Reference(page) = outcome {
        let set = docs::DocSet {
            pages: vec![*page],
            ..docs::DocSet::default()
        };
        let _ = contract::build(set);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64)
    ))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        build_one(&text);
    }

    #[test]
    fn markdown_shaped_noise_never_panics(
        lines in proptest::collection::vec(
            prop_oneof![
                Just("---".to_string()), Just("uid: x".to_string()), Just("```http".to_string()),
                Just("```http!".to_string()), Just("```http_".to_string()), Just("```".to_string()),
                Just("## Response:".to_string()), Just("### Response body: X".to_string()),
                Just("## Request Body: entity".to_string()), Just("| Property Name | Type | Description |".to_string()),
                Just("|---|---|---|".to_string()), Just("| A | int32 | d |".to_string()),
                Just("| Path Part | Type | Description |".to_string()), Just("GET /api/{id}".to_string()),
                Just("HTTP/1.1 200 OK".to_string()), Just("{\"A\": [1, {\"B\": null}]}".to_string()),
                "[ -~]{0,40}",
            ],
            0..60,
        )
    ) {
        build_one(&lines.join("\n"));
    }

    #[test]
    fn mutated_seed_pages_never_panic(
        which in 0usize..5,
        cut in 0usize..20_000,
        edits in proptest::collection::vec((0usize..20_000, any::<u8>()), 0..8)
    ) {
        let pages = seed_pages();
        let mut bytes = pages[which % pages.len()].clone().into_bytes();
        for (pos, byte) in edits {
            if !bytes.is_empty() {
                let at = pos % bytes.len();
                bytes[at] = byte;
            }
        }
        bytes.truncate(cut.min(bytes.len()));
        build_one(&String::from_utf8_lossy(&bytes));
    }
}
