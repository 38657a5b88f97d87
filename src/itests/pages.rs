//! Small page sets for the build tests: one reference page per operation, written to a
//! temporary folder and built.

use std::fs;

use serde_json::Value;

use crate::contract::{self, Build};
use crate::docs;

/// One page: front matter, endpoint, optional request body, response heading and table,
/// samples.
pub(super) struct Page<'a> {
    pub uid: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    pub request: Option<(&'a str, &'a str, Value)>,
    pub heading: &'a str,
    pub rows: &'a str,
    pub response: Value,
}

impl Page<'_> {
    /// The page as markdown.
    pub(super) fn render(&self) -> String {
        let path = format!("/api/v1/Test/{}", self.uid);
        let mut text = format!(
            "---\ntitle: {}\nuid: {}\n---\n\n# {}\n\n```http\nPOST {path}\n```\n\n{}\n\n",
            self.title, self.uid, self.title, self.summary
        );
        if let Some((description, rows, _)) = &self.request {
            text.push_str(&format!(
                "## Request Body: entity\n\n{description}\n\n| Property Name | Type |  Description |\n|---|---|---|\n{rows}\n\n"
            ));
        }
        text.push_str(&format!(
            "## Response:\n\nOK\n\n| Response | Description |\n|---|---|\n| 200 | OK |\n\n### Response body: {}\n\n",
            self.heading
        ));
        if !self.rows.is_empty() {
            text.push_str(&format!(
                "| Property Name | Type |  Description |\n|---|---|---|\n{}\n\n",
                self.rows
            ));
        }
        text.push_str(&format!(
            "## Sample request\n\n```http!\nPOST {path}\nAccept: application/json\n"
        ));
        if let Some((_, _, sample)) = &self.request {
            text.push_str(&format!(
                "Content-Type: application/json\n\n{}\n",
                serde_json::to_string_pretty(sample).unwrap_or_default()
            ));
        }
        text.push_str(&format!(
            "```\n\n## Sample response\n\n```http_\nHTTP/1.1 200 OK\nContent-Type: application/json\n\n{}\n```\n",
            serde_json::to_string_pretty(&self.response).unwrap_or_default()
        ));
        text
    }
}

pub(super) fn page<'a>(uid: &'a str, heading: &'a str, rows: &'a str, response: Value) -> Page<'a> {
    Page {
        uid,
        title: uid,
        summary: "Does something.",
        request: None,
        heading,
        rows,
        response,
    }
}

/// The pages written to a temporary folder.
pub(super) fn write(pages: &[Page]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for p in pages {
        fs::write(dir.path().join(format!("{}.md", p.uid)), p.render()).expect("page writes");
    }
    dir
}

/// The pages written and built.
pub(super) fn build(pages: &[Page]) -> (tempfile::TempDir, Build) {
    let dir = write(pages);
    let set = docs::load_dir(dir.path(), &|| {}).expect("pages load");
    let build = contract::build(set);
    assert_eq!(build.pages_built, pages.len(), "{:#?}", build.diagnostics);
    (dir, build)
}
