//! Value pools: the `fake` crate fills one pool per kind of text, and one of date-times, at
//! start-up from `--seed`; requests pick from them (rendered as JSON strings already).

use rand::SeedableRng;

use super::fake_text::{KINDS, TextKind, date_time};
use super::streams::{GenRng, below};

/// Entries per value pool.
const POOL_SIZE: usize = 512;

/// One pool: its entries back to back in one allocation (requests pick at random, and
/// close entries share cache lines).
#[derive(Debug, Default)]
pub(super) struct Pool {
    text: String,
    /// Where each entry ends in `text`.
    ends: Vec<usize>,
}

impl Pool {
    fn of(entries: impl Iterator<Item = String>) -> Self {
        let mut pool = Pool::default();
        for entry in entries {
            pool.text.push_str(&entry);
            pool.ends.push(pool.text.len());
        }
        pool
    }

    /// Number of entries.
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Entry `i`.
    pub(super) fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.text.get(start..self.ends[i]).unwrap_or_default()
    }

    /// An entry drawn from `rng`.
    fn pick(&self, rng: &mut GenRng) -> &str {
        self.get(below(rng, self.len()))
    }

    /// The index of an entry drawn from `rng` among `from..to` (the whole pool when the
    /// range is empty).
    pub(super) fn draw(&self, rng: &mut GenRng, from: usize, to: usize) -> usize {
        let to = to.min(self.len());
        if from >= to {
            return below(rng, self.len());
        }
        from + below(rng, to - from)
    }
}

/// The value pools of one contract.
#[derive(Debug)]
pub(super) struct ValuePools {
    /// One pool per [`TextKind`], by its discriminant.
    text: Vec<Pool>,
    /// RFC 3339 date-times (UTC, one format), in time order: a later index is a later
    /// date, so an end can be drawn after its start.
    dates: Pool,
}

impl ValuePools {
    /// Pools filled from `seed`.
    pub(super) fn new(seed: u64) -> Self {
        let mut rng = GenRng::seed_from_u64(seed);
        let text = KINDS
            .iter()
            .map(|kind| Pool::of((0..POOL_SIZE).map(|_| json_string(&kind.sample(&mut rng)))))
            .collect();
        let mut dates: Vec<String> = (0..POOL_SIZE * 4)
            .map(|_| json_string(&date_time(&mut rng)))
            .collect();
        dates.sort();
        let dates = Pool::of(dates.into_iter());
        Self { text, dates }
    }

    /// A text of `kind`, as a JSON string.
    pub(super) fn text(&self, kind: TextKind, rng: &mut GenRng) -> &str {
        self.text[kind as usize].pick(rng)
    }

    /// The date-times, in time order, as JSON strings.
    pub(super) fn dates(&self) -> &Pool {
        &self.dates
    }

    /// The pool of words (dictionary keys), as JSON strings.
    pub(super) fn words(&self) -> &Pool {
        &self.text[TextKind::Word as usize]
    }
}

/// A string rendered as a JSON string literal.
pub(super) fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}
