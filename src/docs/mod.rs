//! Stage 1: markdown reference pages → page model.
//!
//! [`load_dir`] reads every file under a docs folder in parallel, [`parse_page`] turns one
//! page into a [`Page`]. Pages that are not reference pages (index pages, includes, toc
//! files) are counted as skipped; broken pages become diagnostics, never panics.

mod markdown;
pub(crate) mod model;
mod sample;
mod shown;
pub(crate) mod text;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rayon::prelude::*;

pub(crate) use markdown::{PageOutcome, parse_page};
pub(crate) use model::*;
pub(crate) use shown::{ShownSample, shown_samples};

use crate::diag::Diagnostic;

/// The pages of one docs folder.
#[derive(Debug, Default)]
pub(crate) struct DocSet {
    /// Reference pages, sorted by file path.
    pub pages: Vec<Page>,
    /// Files that are not reference pages, with the reason.
    pub skipped: Vec<(String, &'static str)>,
    /// Reference pages that could not be built.
    pub failed: Vec<String>,
    /// Everything the parser noticed.
    pub diagnostics: Vec<Diagnostic>,
    /// JSON objects shown on the pages that are not reference pages (index pages).
    pub shown: Vec<ShownSample>,
}

/// Lists the files under `root` in a stable order, skipping hidden folders.
pub(crate) fn list_files(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if !root.is_dir() {
        anyhow::bail!(
            "docs folder `{}` does not exist or is not a folder",
            root.display()
        );
    }
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(root).sort_by_file_name().into_iter();
    for entry in
        walker.filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
    {
        let entry = entry?;
        if entry.file_type().is_file() {
            files.push(entry.into_path());
        }
    }
    Ok(files)
}

/// Reads and parses every file under `root`; `progress` is called once per file.
pub(crate) fn load_dir(root: &Path, progress: &(dyn Fn() + Sync)) -> anyhow::Result<DocSet> {
    let files = list_files(root)?;
    let results: Vec<_> = files
        .par_iter()
        .map(|path| {
            let rel = relative_name(root, path);
            let outcome = load_file(path, &rel);
            progress();
            (rel, outcome)
        })
        .collect();
    Ok(assemble(results))
}

/// Parsed files kept between loads of one folder (`serve --watch`): a file whose size and
/// modification time are unchanged, and that was not named as changed, is not read again.
#[derive(Debug, Default)]
pub(crate) struct PageCache {
    files: HashMap<PathBuf, CachedFile>,
}

#[derive(Debug)]
struct CachedFile {
    len: u64,
    modified: Option<SystemTime>,
    parsed: Loaded,
}

/// What one file gave: its outcome, the parser's findings, and (for a page that is not a
/// reference page) the samples it shows.
type Loaded = (PageOutcome, Vec<Diagnostic>, Vec<ShownSample>);

impl PageCache {
    /// Forgets `path`, so the next load reads it whatever its time stamp says (two writes
    /// within the file system's clock tick leave the same time).
    pub(crate) fn forget(&mut self, path: &Path) {
        self.files.remove(path);
    }
}

/// [`load_dir`] with a cache: only files new or changed since the last load are parsed.
pub(crate) fn load_dir_cached(root: &Path, cache: &mut PageCache) -> anyhow::Result<DocSet> {
    let files = list_files(root)?;
    let old = std::mem::take(&mut cache.files);
    let results: Vec<_> = files
        .into_par_iter()
        .map(|path| {
            let rel = relative_name(root, &path);
            let meta = std::fs::metadata(&path).ok();
            let len = meta.as_ref().map_or(0, |m| m.len());
            let modified = meta.and_then(|m| m.modified().ok());
            let parsed = match old.get(&path) {
                Some(c) if c.len == len && c.modified == modified && modified.is_some() => {
                    c.parsed.clone()
                }
                _ => load_file(&path, &rel),
            };
            (path, rel, len, modified, parsed)
        })
        .collect();
    let mut out = Vec::with_capacity(results.len());
    for (path, rel, len, modified, parsed) in results {
        cache.files.insert(
            path,
            CachedFile {
                len,
                modified,
                parsed: parsed.clone(),
            },
        );
        out.push((rel, parsed));
    }
    Ok(assemble(out))
}

/// The set of pages from each file's name and parse.
fn assemble(results: Vec<(String, Loaded)>) -> DocSet {
    let mut set = DocSet::default();
    for (rel, (outcome, diagnostics, shown)) in results {
        set.diagnostics.extend(diagnostics);
        set.shown.extend(shown);
        match outcome {
            PageOutcome::Reference(page) => set.pages.push(*page),
            PageOutcome::Skipped(reason) => set.skipped.push((rel, reason)),
            PageOutcome::Failed => set.failed.push(rel),
        }
    }
    set
}

fn load_file(path: &Path, rel: &str) -> Loaded {
    let (outcome, diagnostics, text) = parse_file(path, rel);
    let shown = match (&outcome, text) {
        (PageOutcome::Skipped(_), Some(text)) => shown_samples(rel, &text),
        _ => Vec::new(),
    };
    (outcome, diagnostics, shown)
}

/// Reads and parses one file; the text too, when it is markdown.
fn parse_file(path: &Path, rel: &str) -> (PageOutcome, Vec<Diagnostic>, Option<String>) {
    let is_markdown = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md"));
    if !is_markdown {
        return (
            PageOutcome::Skipped("not a markdown file"),
            Vec::new(),
            None,
        );
    }
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => {
                let (outcome, diags) = parse_page(rel, &text);
                (outcome, diags, Some(text))
            }
            Err(err) => {
                let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
                let (outcome, mut diags) = parse_page(rel, &text);
                diags.push(Diagnostic::warning(
                    rel,
                    1,
                    "not-utf8",
                    "page is not valid UTF-8; bad bytes replaced",
                ));
                (outcome, diags, Some(text))
            }
        },
        Err(err) => (
            PageOutcome::Failed,
            vec![Diagnostic::error(
                rel,
                1,
                "unreadable",
                format!("cannot read page: {err}"),
            )],
            None,
        ),
    }
}

fn relative_name(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}
