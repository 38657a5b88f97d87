//! The request journal behind `/__mockdown/requests`: the last exchanges, with headers and
//! the start of each body (sensitive values masked when read), in a ring bounded in bytes.
//! Writers take one of several short per-shard locks, never one lock for the whole journal;
//! recording copies bytes only, masking happens when an entry is read, off the request path.

mod entry;
mod redact;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use hyper::{HeaderMap, Method};

use crate::contract::validate::Violation;
pub(crate) use entry::JournalEntry;
use entry::{Part, Record};
pub(crate) use redact::DEFAULT_WORDS;
use redact::Redactor;

/// Shards of the ring: a request locks one of them, picked by its sequence number.
const SHARDS: usize = 16;

/// How the journal keeps exchanges.
#[derive(Debug, Clone)]
pub(crate) struct JournalConfig {
    /// Most bytes held (texts, excerpts, violations); the oldest go first. 0 turns the
    /// journal off.
    pub bytes: usize,
    /// Most bytes of each request and response body kept.
    pub body_bytes: usize,
    /// Fields whose names contain one of these words (any case) are masked.
    pub redact: Vec<String>,
}

impl Default for JournalConfig {
    fn default() -> Self {
        Self {
            bytes: 8 * 1024 * 1024,
            body_bytes: 4 * 1024,
            redact: DEFAULT_WORDS.iter().map(|w| w.to_string()).collect(),
        }
    }
}

/// One exchange to record, as the handler saw it.
pub(crate) struct Exchange<'a> {
    pub(crate) method: &'a Method,
    pub(crate) path_and_query: &'a str,
    pub(crate) request_headers: &'a HeaderMap,
    pub(crate) request_body: &'a [u8],
    /// Size of the whole request body (larger than `request_body` when it was not held).
    pub(crate) request_bytes: u64,
    pub(crate) status: u16,
    pub(crate) response_headers: &'a HeaderMap,
    pub(crate) response_body: &'a [u8],
    /// Size of the whole answer body (larger than `response_body` when streamed).
    pub(crate) response_bytes: u64,
    pub(crate) operation_id: Option<String>,
    pub(crate) violations: Vec<Violation>,
    pub(crate) omitted: usize,
    pub(crate) elapsed: Duration,
    /// What answered: `generated`, `example`, `state`, `stub ID`, `error`, `fault ...`.
    pub(crate) answered_by: std::borrow::Cow<'static, str>,
}

#[derive(Debug, Default)]
struct Shard {
    records: VecDeque<Record>,
    bytes: usize,
}

/// A page of the journal.
#[derive(Debug)]
pub(crate) struct Page {
    /// Entries, oldest first.
    pub(crate) entries: Vec<JournalEntry>,
    /// Entries held in all.
    pub(crate) total: usize,
    /// Whether entries newer than the last listed are held.
    pub(crate) more: bool,
}

/// The last exchanges, at most `bytes` of them.
#[derive(Debug)]
pub(crate) struct Journal {
    shards: Box<[Mutex<Shard>]>,
    next_id: AtomicU64,
    shard_budget: usize,
    body_bytes: usize,
    redactor: Redactor,
}

impl Journal {
    /// A journal as `config` says.
    pub(crate) fn new(config: &JournalConfig) -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            next_id: AtomicU64::new(1),
            shard_budget: config.bytes / SHARDS,
            body_bytes: config.body_bytes,
            redactor: Redactor::new(&config.redact),
        }
    }

    /// Whether exchanges are kept at all.
    pub(crate) fn enabled(&self) -> bool {
        self.shard_budget > 0
    }

    /// Records one exchange, dropping the oldest of its shard beyond the budget.
    pub(crate) fn record(&self, exchange: Exchange<'_>) {
        if !self.enabled() {
            return;
        }
        let headers = |map: &HeaderMap| {
            map.iter()
                .map(|(n, v)| n.as_str().len() + v.len() + 3)
                .sum::<usize>()
        };
        // Sized once: the texts are copied in without growing the buffer.
        let mut texts = Vec::with_capacity(
            exchange.path_and_query.len()
                + headers(exchange.request_headers)
                + headers(exchange.response_headers)
                + exchange.request_body.len().min(self.body_bytes)
                + exchange.response_body.len().min(self.body_bytes),
        );
        let mut ends = [0u32; 5];
        let mut end = |texts: &Vec<u8>, part: Part| ends[part as usize] = texts.len() as u32;
        texts.extend_from_slice(exchange.path_and_query.as_bytes());
        end(&texts, Part::Path);
        for (name, value) in exchange.request_headers {
            raw_header(&mut texts, name.as_str(), value.as_bytes());
        }
        end(&texts, Part::RequestHeaders);
        let request_cut = self.excerpt(&mut texts, exchange.request_body, exchange.request_bytes);
        end(&texts, Part::RequestBody);
        for (name, value) in exchange.response_headers {
            raw_header(&mut texts, name.as_str(), value.as_bytes());
        }
        end(&texts, Part::ResponseHeaders);
        let response_cut =
            self.excerpt(&mut texts, exchange.response_body, exchange.response_bytes);
        end(&texts, Part::ResponseBody);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let record = Record {
            id,
            time: now(),
            method: exchange.method.clone(),
            status: exchange.status,
            operation_id: exchange.operation_id,
            violations: exchange.violations,
            omitted: exchange.omitted,
            answered_by: exchange.answered_by,
            duration_ms: exchange.elapsed.as_secs_f64() * 1000.0,
            texts: Bytes::from(texts),
            ends,
            request_bytes: exchange.request_bytes,
            response_bytes: exchange.response_bytes,
            cut: [request_cut, response_cut],
        };
        let size = record.size();
        let shard = &self.shards[id as usize % SHARDS];
        let mut shard = shard.lock().unwrap_or_else(PoisonError::into_inner);
        while shard.bytes + size > self.shard_budget {
            let Some(old) = shard.records.pop_front() else {
                break;
            };
            shard.bytes -= old.size();
        }
        shard.bytes += size;
        shard.records.push_back(record);
    }

    /// Appends the start of `body` (at most the excerpt size, cut on a character
    /// boundary); whether it is only the start.
    fn excerpt(&self, texts: &mut Vec<u8>, body: &[u8], total: u64) -> bool {
        if body.is_empty() {
            return total > 0;
        }
        let mut keep = body.len().min(self.body_bytes);
        // A cut inside a UTF-8 character moves back to its first byte: at most three
        // continuation bytes (`10xxxxxx`) precede it, whatever the body's size.
        if keep < body.len() {
            let start = keep.saturating_sub(3);
            if let Some(back) = (start..=keep).rev().find(|&i| body[i] & 0xC0 != 0x80) {
                keep = back;
            }
        }
        texts.extend_from_slice(&body[..keep]);
        (keep as u64) < total
    }

    /// Up to `limit` entries: those after `since`, or the latest ones without it; the
    /// page stops early once its entries hold `max_bytes`.
    pub(crate) fn page(&self, since: Option<u64>, limit: usize, max_bytes: usize) -> Page {
        // Which records, by id and shard, without copying any.
        let mut ids: Vec<(u64, usize)> = Vec::new();
        let mut total = 0;
        for (index, shard) in self.shards.iter().enumerate() {
            let shard = shard.lock().unwrap_or_else(PoisonError::into_inner);
            total += shard.records.len();
            ids.extend(
                shard
                    .records
                    .iter()
                    .filter(|r| since.is_none_or(|s| r.id > s))
                    .map(|r| (r.id, index)),
            );
        }
        ids.sort_unstable();
        let newest = ids.last().map(|(id, _)| *id);
        let window = if since.is_some() {
            0..ids.len().min(limit)
        } else {
            ids.len().saturating_sub(limit)..ids.len()
        };
        let ids = &ids[window];
        let mut found: Vec<(u64, JournalEntry, usize)> = Vec::with_capacity(ids.len());
        for (index, shard) in self.shards.iter().enumerate() {
            let shard = shard.lock().unwrap_or_else(PoisonError::into_inner);
            for record in &shard.records {
                if ids.binary_search(&(record.id, index)).is_ok() {
                    found.push((record.id, record.entry(&self.redactor), record.size()));
                }
            }
        }
        found.sort_unstable_by_key(|(id, _, _)| *id);
        let mut bytes = 0;
        let mut entries = Vec::new();
        for (_, entry, size) in found {
            if !entries.is_empty() && bytes + size > max_bytes {
                break;
            }
            bytes += size;
            entries.push(entry);
        }
        let more = match (entries.last(), newest) {
            (Some(last), Some(newest)) => last.id < newest,
            (_, newest) => entries.is_empty() && newest.is_some(),
        };
        Page {
            entries,
            total,
            more,
        }
    }

    /// Every entry held, oldest first.
    pub(crate) fn entries(&self) -> Vec<JournalEntry> {
        self.page(Some(0), usize::MAX, usize::MAX).entries
    }

    /// Forgets every entry.
    pub(crate) fn clear(&self) {
        for shard in &self.shards {
            let mut shard = shard.lock().unwrap_or_else(PoisonError::into_inner);
            shard.records.clear();
            shard.bytes = 0;
        }
    }
}

/// Appends `name: value\n` as received (masked when the entry is read).
fn raw_header(texts: &mut Vec<u8>, name: &str, value: &[u8]) {
    texts.extend_from_slice(name.as_bytes());
    texts.extend_from_slice(b": ");
    texts.extend_from_slice(value);
    texts.push(b'\n');
}

/// Seconds since the Unix epoch, for journal lines.
pub(crate) fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn journal(body_bytes: usize) -> Journal {
        Journal::new(&JournalConfig {
            body_bytes,
            ..JournalConfig::default()
        })
    }

    #[test]
    fn an_excerpt_is_cut_before_a_character_it_would_split() {
        // "aé€😀": 1 + 2 + 3 + 4 bytes; every cut lands on a character boundary.
        let body = "aé€😀".as_bytes();
        let kept: Vec<usize> = (1..body.len())
            .map(|limit| {
                let mut texts = Vec::new();
                assert!(journal(limit).excerpt(&mut texts, body, body.len() as u64));
                assert!(std::str::from_utf8(&texts).is_ok(), "limit {limit}");
                texts.len()
            })
            .collect();
        assert_eq!(kept, [1, 1, 3, 3, 3, 6, 6, 6, 6]);
    }

    #[test]
    fn a_whole_body_is_kept_and_not_marked_cut() {
        let mut texts = Vec::new();
        assert!(!journal(64).excerpt(&mut texts, b"{\"a\":1}", 7));
        assert_eq!(texts, b"{\"a\":1}");
        // Bytes that are not UTF-8 are cut at the limit.
        let mut texts = Vec::new();
        assert!(journal(2).excerpt(&mut texts, &[0x80, 0x80, 0x80, 0x80], 4));
        assert_eq!(texts.len(), 2);
    }
}
