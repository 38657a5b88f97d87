//! Small hand-written pages for the inference unit tests, rendered as markdown in either
//! page generation and parsed by [`crate::docs::parse_page`], so every test reads exactly
//! what the build reads.
//!
//! - [`Generation::Id`]: the older pages (`id:` front matter, `## Response: object` with a
//!   plain `Response body: X` line, one `## Sample Request` section holding both samples).
//! - [`Generation::Uid`]: the newer pages (`uid:`, `### Response body: X`, `## Sample
//!   request` and `## Sample response`).
//!
//! Tables are typed (`| Property Name | Type | Description |`) unless `typed` is off, as on
//! the pages whose tables have no Type column.

use serde_json::Value;

use crate::docs::{Page, PageOutcome, parse_page};

/// Which generation of the docs generator wrote a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Generation {
    /// `id:`, `Response body: X` as a paragraph, `## Sample Request` for both samples.
    Id,
    /// `uid:`, `### Response body: X`, `## Sample request` / `## Sample response`.
    Uid,
}

/// One page to render: rows are written `| Name | type | description |` (one per line);
/// with `typed` off the type column is dropped.
#[derive(Debug, Clone)]
pub(crate) struct Md<'a> {
    pub(crate) uid: &'a str,
    pub(crate) title: &'a str,
    pub(crate) summary: &'a str,
    pub(crate) generation: Generation,
    pub(crate) typed: bool,
    /// `## Request Body: NAME`: (name, description, rows, sample).
    pub(crate) request: Option<(&'a str, &'a str, &'a str, Value)>,
    /// The `Response body:` heading (`object`, `array`, a type name).
    pub(crate) heading: &'a str,
    pub(crate) rows: &'a str,
    /// The success sample body; `None`: no body.
    pub(crate) response: Option<Value>,
}

/// A newer-generation, typed page with a response table and sample.
pub(crate) fn md<'a>(uid: &'a str, heading: &'a str, rows: &'a str, response: Value) -> Md<'a> {
    Md {
        uid,
        title: uid,
        summary: "Does something.",
        generation: Generation::Uid,
        typed: true,
        request: None,
        heading,
        rows,
        response: Some(response),
    }
}

impl Md<'_> {
    /// The page as markdown.
    pub(crate) fn render(&self) -> String {
        let path = format!("/api/v1/Test/{}", self.uid);
        let id_key = match self.generation {
            Generation::Id => "id",
            Generation::Uid => "uid",
        };
        let mut text = format!(
            "---\ntitle: {}\n{id_key}: {}\n---\n\n# {}\n\n```http\nPOST {path}\n```\n\n{}\n\n",
            self.title, self.uid, self.title, self.summary
        );
        if let Some((name, description, rows, _)) = &self.request {
            text.push_str(&format!(
                "## Request Body: {name}\n\n{description}\n\n{}\n",
                self.table(rows)
            ));
        }
        match self.generation {
            Generation::Id => text.push_str(&format!(
                "## Response: object\n\nOK\n\n| Response | Description |\n|---|---|\n| 200 | OK |\n\nResponse body: {}\n\n",
                self.heading
            )),
            Generation::Uid => text.push_str(&format!(
                "## Response:\n\nOK\n\n| Response | Description |\n|---|---|\n| 200 | OK |\n\n### Response body: {}\n\n",
                self.heading
            )),
        }
        if !self.rows.is_empty() {
            text.push_str(&self.table(self.rows));
            text.push('\n');
        }
        let request_heading = match self.generation {
            Generation::Id => "Sample Request",
            Generation::Uid => "Sample request",
        };
        text.push_str(&format!(
            "## {request_heading}\n\n```http!\nPOST {path}\nAccept: application/json\n"
        ));
        if let Some((_, _, _, sample)) = &self.request {
            text.push_str(&format!(
                "Content-Type: application/json\n\n{}\n",
                pretty(sample)
            ));
        }
        text.push_str("```\n\n");
        if self.generation == Generation::Uid {
            text.push_str("## Sample response\n\n");
        }
        let body = self.response.as_ref().map(pretty).unwrap_or_default();
        text.push_str(&format!(
            "```http_\nHTTP/1.1 200 OK\nContent-Type: application/json\n\n{body}\n```\n"
        ));
        text
    }

    /// The page as the parser reads it.
    pub(crate) fn page(&self) -> Page {
        let file = format!("{}.md", self.uid);
        match parse_page(&file, &self.render()) {
            (PageOutcome::Reference(page), _) => *page,
            (other, diagnostics) => {
                panic!("{file} is no reference page: {other:?} {diagnostics:?}")
            }
        }
    }

    fn table(&self, rows: &str) -> String {
        let mut out = if self.typed {
            "| Property Name | Type |  Description |\n|---|---|---|\n".to_string()
        } else {
            "| Property Name | Description |\n|---|---|\n".to_string()
        };
        for row in rows.lines().filter(|l| !l.trim().is_empty()) {
            if self.typed {
                out.push_str(row);
            } else {
                let cells: Vec<&str> = row.split('|').collect();
                // `| Name | type | description |` → `| Name | description |`.
                let kept: Vec<&str> = cells
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != 2)
                    .map(|(_, c)| *c)
                    .collect();
                out.push_str(&kept.join("|"));
            }
            out.push('\n');
        }
        out
    }
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// Rows `| name | type | description |` from triples.
pub(crate) fn rows(cells: &[(&str, &str, &str)]) -> String {
    cells
        .iter()
        .map(|(name, type_text, description)| format!("| {name} | {type_text} | {description} |\n"))
        .collect()
}

/// The pages of several renderings.
pub(crate) fn pages(mds: &[Md]) -> Vec<Page> {
    mds.iter().map(Md::page).collect()
}
