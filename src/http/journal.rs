//! The request journal behind `/__mockdown/requests`: the last requests answered, with what
//! was wrong with them, for a user to look back at (as WireMock's request journal).

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use serde::Serialize;

use crate::contract::validate::Violation;

/// One journal line.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    /// Seconds since the Unix epoch.
    pub time: f64,
    /// Method.
    pub method: String,
    /// Path with query.
    pub path: String,
    /// Status answered.
    pub status: u16,
    /// Operation matched, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
    /// Violations found in the request (and, through the proxy, in the answer).
    pub violations: Vec<Violation>,
    /// Time spent answering, in milliseconds.
    pub duration_ms: f64,
}

/// The last requests, at most `capacity` of them.
#[derive(Debug)]
pub(crate) struct Journal {
    entries: Mutex<VecDeque<JournalEntry>>,
    capacity: usize,
}

impl Journal {
    /// A journal keeping the last `capacity` requests (at least one).
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(VecDeque::new()),
            capacity: capacity.max(1),
        }
    }

    /// Records one request, dropping the oldest beyond the capacity.
    pub(crate) fn record(&self, entry: JournalEntry) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= self.capacity {
            entries.pop_front();
        }
        entries.push_back(entry);
    }

    /// The entries, oldest first.
    pub(crate) fn entries(&self) -> Vec<JournalEntry> {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }

    /// Forgets every entry.
    pub(crate) fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

/// Seconds since the Unix epoch, for journal lines.
pub(crate) fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}
