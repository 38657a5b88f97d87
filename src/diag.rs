//! Diagnostics shared by every stage: a finding about a page, with where it was found.

use serde::Serialize;
use std::fmt;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Severity {
    /// Worth knowing, nothing to fix (e.g. which enums the pages list in full).
    Note,
    /// The docs disagree with themselves; the build keeps going with the table's word.
    Warning,
    /// The page (or part of it) could not be built.
    Error,
}

/// One finding about one page, pointing at a file and line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub(crate) struct Diagnostic {
    /// Path of the page, relative to the docs root.
    pub file: String,
    /// 1-based line in the page.
    pub line: usize,
    /// Warning or error.
    pub severity: Severity,
    /// A short stable code, e.g. `sample-mismatch`.
    pub code: &'static str,
    /// Human readable message.
    pub message: String,
    /// JSON pointer into the sample, where the finding is about a value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
}

impl Diagnostic {
    /// A warning at `file:line`.
    pub(crate) fn warning(
        file: &str,
        line: usize,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            file: file.to_string(),
            line,
            severity: Severity::Warning,
            code,
            message: message.into(),
            pointer: None,
        }
    }

    /// A note at `file:line`.
    pub(crate) fn note(
        file: &str,
        line: usize,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Note,
            ..Self::warning(file, line, code, message)
        }
    }

    /// An error at `file:line`.
    pub(crate) fn error(
        file: &str,
        line: usize,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Error,
            ..Self::warning(file, line, code, message)
        }
    }

    /// The same finding with a JSON pointer attached.
    pub(crate) fn at_pointer(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(
            f,
            "{level}[{}]: {}:{}: {}",
            self.code, self.file, self.line, self.message
        )?;
        match self.pointer.as_deref() {
            Some("") => write!(f, " (at the body root)")?,
            Some(pointer) => write!(f, " (at {pointer})")?,
            None => {}
        }
        Ok(())
    }
}
