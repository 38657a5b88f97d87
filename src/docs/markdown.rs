//! Walks the pulldown-cmark events of one page and fills the page model.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::model::{
    BodyDoc, Endpoint, HeaderDoc, Page, ParamDoc, PropertyDoc, ResponseDoc, SampleBody, StatusDoc,
};
use super::sample;
use super::text::{LineIndex, clean, fold_whitespace, slow_threshold, strip_prefix_ci};
use crate::diag::Diagnostic;

/// Which part of the page the walker is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Preamble,
    Query,
    Headers,
    RequestBody,
    Response,
    Samples,
    Other,
}

/// A table cell: its raw text and the code spans in it.
#[derive(Debug, Default, Clone)]
struct Cell {
    raw: String,
    codes: Vec<String>,
}

/// A table being read: rows of cells with the line of each row.
#[derive(Debug, Default)]
struct Table {
    rows: Vec<(usize, Vec<Cell>)>,
}

/// Front matter keys the model keeps.
#[derive(Debug, Default)]
struct FrontMatter {
    id: Option<(String, usize)>,
    title: Option<String>,
    generated: Option<bool>,
    content_type: Option<String>,
}

/// What became of one page.
#[derive(Debug, Clone)]
pub(crate) enum PageOutcome {
    /// A reference page, built (possibly with diagnostics).
    Reference(Box<Page>),
    /// Not a reference page (index, include); the reason says why.
    Skipped(&'static str),
    /// A reference page too broken to build; the diagnostics say why.
    Failed,
}

/// Parses one markdown page. Never panics; problems become diagnostics.
pub(crate) fn parse_page(file: &str, text: &str) -> (PageOutcome, Vec<Diagnostic>) {
    let mut walker = Walker::new(file, text);
    walker.run();
    walker.finish()
}

struct Walker<'a> {
    file: &'a str,
    text: &'a str,
    lines: LineIndex,
    page: Page,
    front: FrontMatter,
    diagnostics: Vec<Diagnostic>,
    section: Section,
    endpoint_seen: bool,
    reference_sections: bool,
    heading: Option<(HeadingLevel, usize, String)>,
    code: Option<(String, usize, String)>,
    table: Option<Table>,
    cell: Option<Cell>,
    row: Option<(usize, Vec<Cell>)>,
    block_depth: usize,
    block: String,
    summary: Vec<String>,
    description: Vec<String>,
}

impl<'a> Walker<'a> {
    fn new(file: &'a str, text: &'a str) -> Self {
        Self {
            file,
            text,
            lines: LineIndex::new(text),
            page: Page {
                file: file.to_string(),
                ..Page::default()
            },
            front: FrontMatter::default(),
            diagnostics: Vec::new(),
            section: Section::Preamble,
            endpoint_seen: false,
            reference_sections: false,
            heading: None,
            code: None,
            table: None,
            cell: None,
            row: None,
            block_depth: 0,
            block: String::new(),
            summary: Vec::new(),
            description: Vec::new(),
        }
    }

    fn run(&mut self) {
        let options = Options::ENABLE_TABLES | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
        let text = self.text;
        let mut in_metadata = false;
        for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
            let line = self.lines.line_of(range.start);
            match event {
                Event::Start(Tag::MetadataBlock(_)) => in_metadata = true,
                Event::End(TagEnd::MetadataBlock(_)) => in_metadata = false,
                Event::Text(t) if in_metadata => self.front_matter(&t, line),
                Event::Start(Tag::Heading { level, .. }) => {
                    self.flush_description();
                    self.heading = Some((level, line, String::new()));
                }
                Event::End(TagEnd::Heading(_)) => self.end_heading(),
                Event::Start(Tag::CodeBlock(kind)) => {
                    let info = match kind {
                        CodeBlockKind::Fenced(info) => info.trim().to_string(),
                        CodeBlockKind::Indented => String::new(),
                    };
                    // Content starts on the line after the fence.
                    let first = if info.is_empty() { line } else { line + 1 };
                    self.code = Some((info, first, String::new()));
                }
                Event::End(TagEnd::CodeBlock) => self.end_code(),
                Event::Start(Tag::Table(_)) => self.table = Some(Table::default()),
                Event::End(TagEnd::Table) => self.end_table(),
                Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => {
                    self.row = Some((line, Vec::new()))
                }
                Event::End(TagEnd::TableHead) | Event::End(TagEnd::TableRow) => {
                    if let (Some(row), Some(table)) = (self.row.take(), self.table.as_mut()) {
                        table.rows.push(row);
                    }
                }
                Event::Start(Tag::TableCell) => self.cell = Some(Cell::default()),
                Event::End(TagEnd::TableCell) => {
                    if let (Some(cell), Some(row)) = (self.cell.take(), self.row.as_mut()) {
                        row.1.push(cell);
                    }
                }
                Event::Start(Tag::Paragraph) | Event::Start(Tag::Item) => {
                    if self.block_depth == 0 {
                        self.block.clear();
                    }
                    self.block_depth += 1;
                }
                Event::End(TagEnd::Paragraph) | Event::End(TagEnd::Item) => {
                    self.block_depth = self.block_depth.saturating_sub(1);
                    if self.block_depth == 0 {
                        let block = std::mem::take(&mut self.block);
                        self.end_block(&block, line);
                    }
                }
                Event::Start(Tag::Strong) | Event::End(TagEnd::Strong) if self.cell.is_some() => {
                    self.push_text("**", false)
                }
                Event::Text(t) => self.push_text(&t, false),
                Event::Code(t) => self.push_text(&t, true),
                Event::Html(t) | Event::InlineHtml(t) => self.push_text(&t, false),
                Event::SoftBreak | Event::HardBreak => self.push_text(" ", false),
                _ => {}
            }
        }
    }

    fn push_text(&mut self, t: &str, is_code: bool) {
        if let Some((_, _, buf)) = self.code.as_mut() {
            buf.push_str(t);
        } else if let Some((_, _, buf)) = self.heading.as_mut() {
            buf.push_str(t);
        } else if let Some(cell) = self.cell.as_mut() {
            cell.raw.push_str(t);
            if is_code {
                cell.codes.push(t.to_string());
            }
        } else if self.block_depth > 0 {
            self.block.push_str(t);
        }
    }

    fn front_matter(&mut self, text: &str, block_line: usize) {
        for (i, line) in text.lines().enumerate() {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let value = value
                .trim()
                .trim_matches('"')
                .trim_matches('\'')
                .to_string();
            match key.trim() {
                "id" | "uid" if !value.is_empty() => {
                    // The metadata text event starts on the first line after the opening `---`.
                    self.front.id = Some((value, block_line + i));
                }
                "title" => self.front.title = Some(value),
                "generated" => self.front.generated = value.parse().ok(),
                "content_type" => self.front.content_type = Some(value),
                _ => {}
            }
        }
    }

    fn end_heading(&mut self) {
        let Some((level, line, raw)) = self.heading.take() else {
            return;
        };
        let text = fold_whitespace(&raw);
        if level == HeadingLevel::H1 {
            return;
        }
        let lower = text.to_ascii_lowercase();
        self.section = if lower.starts_with("query string parameters") {
            Section::Query
        } else if lower.starts_with("request headers") {
            Section::Headers
        } else if let Some(rest) = strip_prefix_ci(&text, "request body:") {
            let mut words = rest.split_whitespace();
            self.page.request_body = Some(BodyDoc {
                name: words.next().unwrap_or_default().to_string(),
                type_text: words.next().map(str::to_string),
                line,
                ..BodyDoc::default()
            });
            Section::RequestBody
        } else if let Some(rest) = strip_prefix_ci(&text, "response body:") {
            self.response_body_type(rest, line);
            Section::Response
        } else if let Some(rest) = strip_prefix_ci(&text, "response:") {
            self.page.response = Some(ResponseDoc {
                type_text: rest.trim().to_string(),
                line,
                ..ResponseDoc::default()
            });
            Section::Response
        } else if lower.starts_with("sample request") || lower.starts_with("sample response") {
            Section::Samples
        } else if let Some(rest) = strip_prefix_ci(&text, "online restricted:") {
            let note = clean(rest.trim_start_matches(|c: char| c == '#' || c.is_whitespace()));
            self.page.online_restricted = Some(note);
            Section::Other
        } else {
            Section::Other
        };
        if !matches!(self.section, Section::Other) {
            self.reference_sections = true;
        }
    }

    fn response_body_type(&mut self, rest: &str, line: usize) {
        let response = self.page.response.get_or_insert_with(|| ResponseDoc {
            line,
            ..ResponseDoc::default()
        });
        let name = rest.trim();
        response.body_type = (!name.is_empty()).then(|| name.to_string());
    }

    fn end_block(&mut self, raw: &str, line: usize) {
        let text = clean(raw);
        if text.is_empty() {
            return;
        }
        if let Some(ms) = slow_threshold(&text) {
            self.page.slow_threshold_ms = Some(ms);
            return;
        }
        match self.section {
            Section::Preamble if self.endpoint_seen => self.summary.push(text),
            Section::RequestBody | Section::Response => {
                if let Some(rest) = strip_prefix_ci(&text, "response body:") {
                    self.flush_description();
                    self.response_body_type(rest, line);
                } else {
                    self.description.push(text);
                }
            }
            _ => {}
        }
    }

    /// Moves the collected description paragraphs to the body or response they describe.
    fn flush_description(&mut self) {
        if self.description.is_empty() {
            return;
        }
        let text = self.description.join("\n\n");
        self.description.clear();
        match self.section {
            Section::RequestBody => {
                if let Some(body) = self.page.request_body.as_mut() {
                    body.description = text;
                }
            }
            Section::Response => {
                if let Some(resp) = self.page.response.as_mut()
                    && resp.description.is_empty()
                {
                    resp.description = text;
                }
            }
            _ => {}
        }
    }

    fn end_code(&mut self) {
        let Some((info, first_line, text)) = self.code.take() else {
            return;
        };
        match info.as_str() {
            "http" => self.http_block(&text, first_line),
            "http!" => match sample::parse_sample_request(&text, first_line) {
                Ok(mut req) => {
                    self.parse_body_json(req.body.as_mut());
                    self.page.sample_request = Some(req);
                }
                Err(why) => self.error(first_line, "bad-sample", why.to_string()),
            },
            "http_" => match sample::parse_sample_response(&text, first_line) {
                Ok(mut resp) => {
                    self.parse_body_json(resp.body.as_mut());
                    self.page.sample_response = Some(resp);
                }
                Err(why) => self.error(first_line, "bad-sample", why.to_string()),
            },
            _ => {}
        }
    }

    fn http_block(&mut self, text: &str, first_line: usize) {
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let line_no = first_line + i;
            if !self.endpoint_seen && self.section == Section::Preamble {
                if let Some((method, path)) = sample::split_request_line(line) {
                    let path = path.split('?').next().unwrap_or_default().to_string();
                    self.page.endpoint = Endpoint {
                        method,
                        path,
                        line: line_no,
                    };
                    self.endpoint_seen = true;
                }
                continue;
            }
            if let Some(example) = sample::parse_query_example(line, line_no) {
                self.page.query_examples.push(example);
            }
        }
    }

    fn parse_body_json(&mut self, body: Option<&mut SampleBody>) {
        let Some(body) = body else { return };
        match serde_json::from_str::<serde_json::Value>(&body.text) {
            Ok(value) => body.json = Some(value),
            Err(err) => {
                let line = body.line + err.line().saturating_sub(1);
                self.error(
                    line,
                    "bad-sample-json",
                    format!("sample body is not valid JSON: {err}"),
                );
            }
        }
    }

    fn end_table(&mut self) {
        let Some(table) = self.table.take() else {
            return;
        };
        let Some(((header_line, header), rows)) = table.rows.split_first() else {
            return;
        };
        let head: Vec<String> = header.iter().map(|c| fold_whitespace(&c.raw)).collect();
        let first = head.first().map(String::as_str).unwrap_or_default();
        let has_type = head.get(1).is_some_and(|h| h.eq_ignore_ascii_case("type"));
        match (first, self.section) {
            ("Path Part", _) => {
                self.page.path_params = self.param_rows(rows, has_type, *header_line);
            }
            ("Parameter Name", Section::Headers) => self.header_rows(rows),
            ("Parameter Name", _) => {
                self.page.query_params = self.param_rows(rows, has_type, *header_line);
            }
            ("Response", Section::Response) => self.status_rows(rows),
            ("Property Name", Section::RequestBody | Section::Response) => {
                self.flush_description();
                let props = self.property_rows(rows, has_type, *header_line);
                if self.section == Section::RequestBody {
                    if let Some(body) = self.page.request_body.as_mut() {
                        body.properties = props;
                    }
                } else if let Some(resp) = self.page.response.as_mut() {
                    resp.properties = props;
                }
            }
            _ => {}
        }
    }

    fn param_rows(
        &mut self,
        rows: &[(usize, Vec<Cell>)],
        has_type: bool,
        at: usize,
    ) -> Vec<ParamDoc> {
        if !has_type {
            self.warning(at, "broken-table", "parameter table has no Type column");
        }
        let mut params = Vec::new();
        for (line, cells) in rows {
            let name = cell_text(cells, 0);
            if name.is_empty() {
                self.warning(*line, "broken-table", "parameter row without a name");
                continue;
            }
            let type_text = if has_type {
                cell_text(cells, 1)
            } else {
                String::new()
            };
            let raw_desc = cells
                .get(if has_type { 2 } else { 1 })
                .map(|c| c.raw.as_str());
            let raw_desc = raw_desc.unwrap_or_default();
            let required = raw_desc.contains("**Required**");
            let description = clean(&raw_desc.replace("**Required**", ""));
            params.push(ParamDoc {
                name,
                type_text,
                description,
                required,
                line: *line,
            });
        }
        params
    }

    fn header_rows(&mut self, rows: &[(usize, Vec<Cell>)]) {
        for (_, cells) in rows {
            let name = cell_text(cells, 0);
            if name.is_empty() {
                continue;
            }
            let codes = cells.get(1).map(|c| c.codes.clone()).unwrap_or_default();
            let types: Vec<String> = codes.iter().map(|c| c.trim().to_string()).collect();
            if name.eq_ignore_ascii_case("content-type") {
                self.page.request_content_types = types;
            } else if name.eq_ignore_ascii_case("accept") {
                self.page.accept_content_types = types;
            }
            self.page.request_headers.push(HeaderDoc {
                name,
                description: cell_text(cells, 1),
            });
        }
    }

    fn status_rows(&mut self, rows: &[(usize, Vec<Cell>)]) {
        self.flush_description();
        let mut statuses = Vec::new();
        for (line, cells) in rows {
            let code_text = cell_text(cells, 0);
            match code_text.parse::<u16>() {
                Ok(code) if (100..=599).contains(&code) => statuses.push(StatusDoc {
                    code,
                    description: cell_text(cells, 1),
                    line: *line,
                }),
                _ => self.warning(
                    *line,
                    "broken-table",
                    format!("status table row `{code_text}` is not an HTTP status code"),
                ),
            }
        }
        if let Some(resp) = self.page.response.as_mut() {
            resp.statuses = statuses;
        }
    }

    fn property_rows(
        &mut self,
        rows: &[(usize, Vec<Cell>)],
        has_type: bool,
        at: usize,
    ) -> Vec<PropertyDoc> {
        if !has_type {
            self.warning(at, "broken-table", "property table has no Type column");
        }
        let mut props = Vec::new();
        for (line, cells) in rows {
            let name = cell_text(cells, 0);
            if name.is_empty() {
                self.warning(*line, "broken-table", "property row without a name");
                continue;
            }
            let type_text = if has_type {
                cell_text(cells, 1)
            } else {
                String::new()
            };
            let desc_idx = if has_type { 2 } else { 1 };
            props.push(PropertyDoc {
                name,
                type_text,
                description: cell_text(cells, desc_idx),
                line: *line,
            });
        }
        props
    }

    fn warning(&mut self, line: usize, code: &'static str, msg: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::warning(self.file, line, code, msg));
    }

    fn error(&mut self, line: usize, code: &'static str, msg: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::error(self.file, line, code, msg));
    }

    fn finish(mut self) -> (PageOutcome, Vec<Diagnostic>) {
        self.flush_description();
        self.page.summary = self.summary.join("\n\n");
        self.page.title = self.front.title.take();
        self.page.generated = self.front.generated;
        self.page.content_type = self.front.content_type.take();
        let is_reference = self.endpoint_seen || self.reference_sections;
        if !is_reference {
            return (
                PageOutcome::Skipped("no operation id and no endpoint"),
                self.diagnostics,
            );
        }
        if !self.endpoint_seen {
            let line = self.front.id.as_ref().map_or(1, |(_, l)| *l);
            self.error(
                line,
                "no-endpoint",
                "reference page has no ```http METHOD /path``` endpoint line",
            );
            return (PageOutcome::Failed, self.diagnostics);
        }
        match self.front.id.take() {
            Some((id, line)) => {
                self.page.operation_id = id;
                self.page.operation_id_line = line;
            }
            None => {
                let stem = self.file.rsplit('/').next().unwrap_or(self.file);
                let stem = stem.strip_suffix(".md").unwrap_or(stem).to_string();
                self.warning(
                    1,
                    "no-operation-id",
                    format!("no `id:`/`uid:` in front matter; using `{stem}`"),
                );
                self.page.operation_id = stem;
                self.page.operation_id_line = 1;
            }
        }
        (
            PageOutcome::Reference(Box::new(self.page)),
            self.diagnostics,
        )
    }
}

fn cell_text(cells: &[Cell], idx: usize) -> String {
    cells
        .get(idx)
        .map(|c| clean(&c.raw.replace("**", "")))
        .unwrap_or_default()
}
