//! A compiled schema node and how it is written: each request walks its nodes with its own
//! seeded generator and writes JSON directly, picking from the value pools.

use std::sync::Arc;

use rand::{Rng, RngExt, SeedableRng};

use super::fake_text::TextKind;
use super::pools::ValuePools;
use super::streams::{GenRng, below};

/// Rendered variants per nested object shape.
pub(crate) const VARIANTS: usize = 32;

/// Rendered variants of one nested object shape, shared by the plans that use it.
pub(super) type Variants = Arc<Rendered>;

/// The rendered variants of one shape, each a complete JSON text, kept back to back in one
/// allocation (a request copies one of them; they stay close in memory and in the TLB).
#[derive(Debug)]
pub(super) struct Rendered {
    text: Box<[u8]>,
    /// Where each variant ends in `text`.
    ends: Box<[usize]>,
}

impl Rendered {
    /// Number of variants.
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Variant `i` (wrapping around).
    pub(super) fn get(&self, i: usize) -> &[u8] {
        let i = i % self.ends.len().max(1);
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.text
            .get(start..self.ends.get(i).copied().unwrap_or(0))
            .unwrap_or_default()
    }
}

/// How a date-time of an object relates to a sibling (by position among its properties).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pair {
    /// On its own.
    None,
    /// The end of the period that the sibling starts (`EndDate` of `StartDate`).
    EndOf(usize),
    /// The start of the period that the sibling ends.
    StartOf(usize),
}

/// One node of a compiled schema.
#[derive(Debug, Clone)]
pub(super) enum Node {
    Null,
    Bool,
    Int {
        lo: i64,
        hi: i64,
    },
    /// A number with two decimals between `lo` and `hi` hundredths.
    Number {
        lo: i64,
        hi: i64,
    },
    Text(TextKind),
    /// A date-time; `pair` ties an end to its start so the end never comes first.
    DateTime {
        pair: Pair,
    },
    /// Enum members, rendered as JSON.
    Choice(Vec<String>),
    Array(Box<Node>),
    /// Properties: the key rendered as JSON with its colon, the raw key, the value.
    Object(Vec<(String, String, Node)>),
    /// A map: two entries of the value node, or none when its values are unknown.
    Dict(Option<Box<Node>>),
    /// A nested object generated ahead of time: rendered variants to pick from.
    Rendered(Variants),
}

impl Node {
    /// Writes a value of this node drawn from `rng`.
    pub(super) fn write(&self, pools: &ValuePools, rng: &mut GenRng, out: &mut Vec<u8>) {
        match self {
            Node::Null => out.extend_from_slice(b"null"),
            Node::Bool => out.extend_from_slice(if rng.next_u32() & 1 == 1 {
                b"true"
            } else {
                b"false"
            }),
            Node::Int { lo, hi } => {
                let span = hi.saturating_sub(*lo).saturating_add(1).max(1) as u64;
                let n = lo.saturating_add((rng.next_u64() % span) as i64);
                out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
            }
            Node::Number { lo, hi } => write_cents(*lo, *hi, rng, out),
            Node::Text(kind) => out.extend_from_slice(pools.text(*kind, rng).as_bytes()),
            Node::DateTime { .. } => {
                let dates = pools.dates();
                out.extend_from_slice(dates.get(dates.draw(rng, 0, dates.len())).as_bytes())
            }
            Node::Choice(members) => {
                out.extend_from_slice(members[below(rng, members.len())].as_bytes())
            }
            Node::Array(items) => write_items(items, pools, rng, out, usize::MAX),
            Node::Object(props) => write_object(props, pools, rng, out),
            Node::Rendered(variants) => {
                out.extend_from_slice(variants.get(below(rng, variants.len())))
            }
            Node::Dict(None) => out.extend_from_slice(b"{}"),
            Node::Dict(Some(value)) => write_dict(value, pools, rng, out),
        }
    }

    /// [`VARIANTS`] renderings of this node, from a generator seeded with `seed`.
    pub(super) fn render(&self, pools: &ValuePools, seed: u64) -> Rendered {
        let mut rng = GenRng::seed_from_u64(seed);
        let mut text = Vec::new();
        let ends = (0..VARIANTS)
            .map(|_| {
                self.write(pools, &mut rng, &mut text);
                text.len()
            })
            .collect();
        Rendered {
            text: text.into_boxed_slice(),
            ends,
        }
    }
}

/// Writes a number of hundredths between `lo` and `hi`, with two decimals.
#[inline]
fn write_cents(lo: i64, hi: i64, rng: &mut GenRng, out: &mut Vec<u8>) {
    let span = hi.saturating_sub(lo).saturating_add(1).max(1) as u64;
    let cents = lo.saturating_add((rng.next_u64() % span) as i64);
    if cents < 0 {
        out.push(b'-');
    }
    let magnitude = cents.unsigned_abs();
    out.extend_from_slice(itoa::Buffer::new().format(magnitude / 100).as_bytes());
    let fraction = (magnitude % 100) as u8;
    out.extend_from_slice(&[b'.', b'0' + fraction / 10, b'0' + fraction % 10]);
}

/// Writes an object of `props`; a date-time that ends (or starts) a period is drawn after
/// (or before) its other end, when that was drawn first.
#[inline]
fn write_object(
    props: &[(String, String, Node)],
    pools: &ValuePools,
    rng: &mut GenRng,
    out: &mut Vec<u8>,
) {
    // Dates drawn so far (property, pool index), for the ends of periods.
    let mut drawn: Vec<(usize, usize)> = Vec::new();
    out.push(b'{');
    for (i, (key_json, _, node)) in props.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(key_json.as_bytes());
        match node {
            Node::DateTime { pair } => {
                let dates = pools.dates();
                let seen = |j: usize| drawn.iter().find(|(p, _)| *p == j).map(|d| d.1);
                let (from, to) = match *pair {
                    Pair::EndOf(j) => (seen(j).unwrap_or(0), dates.len()),
                    Pair::StartOf(j) => (0, seen(j).map_or(dates.len(), |e| e + 1)),
                    Pair::None => (0, dates.len()),
                };
                let at = dates.draw(rng, from, to);
                drawn.push((i, at));
                out.extend_from_slice(dates.get(at).as_bytes());
            }
            other => other.write(pools, rng, out),
        }
    }
    out.push(b'}');
}

/// Writes a map: two entries of `value` under two different keys.
#[inline]
fn write_dict(value: &Node, pools: &ValuePools, rng: &mut GenRng, out: &mut Vec<u8>) {
    let words = pools.words();
    let first = below(rng, words.len());
    let mut second = below(rng, words.len());
    if words.get(second) == words.get(first) {
        second = (0..words.len())
            .find(|&w| words.get(w) != words.get(first))
            .unwrap_or(second);
    }
    out.push(b'{');
    for (i, key) in [first, second].into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(words.get(key).as_bytes());
        out.push(b':');
        value.write(pools, rng, out);
    }
    out.push(b'}');
}

/// The items of an array: one to three (never more than `max`), drawn from `rng`.
pub(super) fn write_items(
    items: &Node,
    pools: &ValuePools,
    rng: &mut GenRng,
    out: &mut Vec<u8>,
    max: usize,
) {
    let count = rng.random_range(1..=3usize).min(max);
    if matches!(items, Node::Null) {
        // Items past the nesting limit (a recursive type): an empty list, not nulls.
        out.extend_from_slice(b"[]");
        return;
    }
    out.push(b'[');
    if let Node::Rendered(variants) = items {
        // Consecutive variants: the items of one array differ.
        let first = below(rng, variants.len());
        for i in 0..count {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(variants.get(first + i));
        }
    } else {
        for i in 0..count {
            if i > 0 {
                out.push(b',');
            }
            items.write(pools, rng, out);
        }
    }
    out.push(b']');
}
