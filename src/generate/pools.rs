//! Value pools: the `fake` crate fills one pool per kind of text, and one of date-times, at
//! start-up from `--seed`; requests pick from them (rendered as JSON strings already).

use rand::SeedableRng;

use super::fake_text::{KINDS, TextKind, date_time};
use super::streams::{GenRng, below};

/// Entries per value pool.
const POOL_SIZE: usize = 512;

/// The value pools of one contract.
#[derive(Debug)]
pub(super) struct ValuePools {
    /// One pool per [`TextKind`], by its discriminant.
    text: Vec<Vec<String>>,
    /// RFC 3339 date-times.
    dates: Vec<String>,
}

impl ValuePools {
    /// Pools filled from `seed`.
    pub(super) fn new(seed: u64) -> Self {
        let mut rng = GenRng::seed_from_u64(seed);
        let text = KINDS
            .iter()
            .map(|kind| {
                (0..POOL_SIZE)
                    .map(|_| json_string(&kind.sample(&mut rng)))
                    .collect()
            })
            .collect();
        let dates = (0..POOL_SIZE * 4)
            .map(|_| json_string(&date_time(&mut rng)))
            .collect();
        Self { text, dates }
    }

    /// A text of `kind`, as a JSON string.
    pub(super) fn text(&self, kind: TextKind, rng: &mut GenRng) -> &str {
        let pool = &self.text[kind as usize];
        &pool[below(rng, pool.len())]
    }

    /// A date-time, as a JSON string.
    pub(super) fn date(&self, rng: &mut GenRng) -> &str {
        &self.dates[below(rng, self.dates.len())]
    }

    /// The pool of words (dictionary keys), as JSON strings.
    pub(super) fn words(&self) -> &[String] {
        &self.text[TextKind::Word as usize]
    }
}

/// A string rendered as a JSON string literal.
pub(super) fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}
