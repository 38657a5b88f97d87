//! A compiled response schema (a [`Plan`], made in `compile.rs`) and how it is written with
//! the request's overrides.
//!
//! Objects below the root are generated ahead of time: each nested object shape gets
//! [`VARIANTS`](super::node::VARIANTS) rendered variants (shared across operations for named
//! types, seeded from `--seed` and the type, so the order of compilation never changes a
//! byte), and a request picks among them. Root fields, the ones that echo ids and sent
//! fields, are generated per request, each from its own stream.

use std::borrow::Cow;
use std::sync::atomic::{AtomicUsize, Ordering};

use rand::{RngExt, SeedableRng};
use serde_json::Value;

use super::node::{Node, Pair, write_items};
use super::pools::ValuePools;
use super::streams::{GenRng, stream_seed};
use crate::contract::types::NameIndex;

/// A compiled schema, ready to generate values.
#[derive(Debug)]
pub(crate) struct Plan {
    root: Node,
    /// Root property name → its position.
    root_index: NameIndex,
    /// The longest body this plan has written (up to [`SIZE_HINT_CAP`]): the capacity a
    /// request's buffer starts with, so it is allocated once, at the size of the longest
    /// answer so far (a capacity only: the bytes written do not depend on it).
    size_hint: AtomicUsize,
}

/// The capacity a plan's first answer starts with.
const FIRST_SIZE_HINT: usize = 4 * 1024;
/// The largest starting capacity a plan keeps (larger answers grow their buffer).
const SIZE_HINT_CAP: usize = 1024 * 1024;

impl Plan {
    /// A plan writing `root`, whose root properties `root_index` finds.
    pub(super) fn new(root: Node, root_index: NameIndex) -> Self {
        Self {
            root,
            root_index,
            size_hint: AtomicUsize::new(FIRST_SIZE_HINT),
        }
    }

    /// A buffer for one answer of this plan, with room for the longest written so far.
    pub(crate) fn buffer(&self) -> Vec<u8> {
        Vec::with_capacity(self.size_hint.load(Ordering::Relaxed))
    }

    /// Notes the size of an answer written, for the next buffers.
    pub(crate) fn wrote(&self, len: usize) {
        self.size_hint
            .fetch_max(len.min(SIZE_HINT_CAP), Ordering::Relaxed);
    }

    /// The root property a path parameter `name` fills: the one of that name (any case),
    /// or for `id` the first integer property whose name ends in `Id` (the primary key).
    pub(crate) fn path_slot(&self, name: &str) -> Option<usize> {
        let Node::Object(props) = &self.root else {
            return None;
        };
        props
            .iter()
            .position(|(_, key, _)| key.eq_ignore_ascii_case(name))
            .or_else(|| {
                name.eq_ignore_ascii_case("id")
                    .then(|| {
                        props.iter().position(|(_, key, node)| {
                            key.ends_with("Id") && matches!(node, Node::Int { .. })
                        })
                    })
                    .flatten()
            })
    }

    /// The position of root property `key` (exact spelling).
    pub(crate) fn root_position(&self, key: &str) -> Option<usize> {
        self.root_index.get(key).copied()
    }

    /// Whether any of `names` (lower-case) is a root property (of the root object, or of
    /// the objects of a root array): what `$select` can select.
    pub(crate) fn has_root_property(&self, names: &[String]) -> bool {
        let props = match &self.root {
            Node::Object(props) => props,
            Node::Array(items) => match items.as_ref() {
                Node::Object(props) => props,
                _ => return false,
            },
            _ => return false,
        };
        props
            .iter()
            .any(|(_, key, _)| names.iter().any(|n| n.eq_ignore_ascii_case(key)))
    }

    /// Whether the sent JSON text `value` may be echoed as the root property at `index`:
    /// never a `null` where the answer holds an object or a list (the docs' placeholder,
    /// or nothing sent: a value is generated).
    pub(crate) fn root_echoes(&self, index: usize, value: &str) -> bool {
        let node = match &self.root {
            Node::Object(props) => props.get(index).map(|(_, _, node)| node),
            _ => None,
        };
        match node {
            Some(Node::Object(_) | Node::Dict(_) | Node::Rendered(_) | Node::Array(_)) => {
                !holds_null(value)
            }
            _ => true,
        }
    }

    /// Whether the root property at `index` holds an integer.
    pub(crate) fn root_is_integer(&self, index: usize) -> bool {
        matches!(&self.root, Node::Object(props) if matches!(props.get(index), Some((_, _, Node::Int { .. }))))
    }

    /// Writes a value generated from `seed` as JSON, applying `overrides` to the root
    /// object (or to each object of a root array). Each root property draws from its own
    /// stream, so fixing or deselecting one never changes the others.
    pub(super) fn write(
        &self,
        pools: &ValuePools,
        seed: u64,
        overrides: &Overrides,
        out: &mut Vec<u8>,
    ) {
        match &self.root {
            Node::Object(props) => write_root_object(props, pools, seed, overrides, out),
            Node::Array(items) if !overrides.select.is_empty() => {
                let mut rng = GenRng::seed_from_u64(seed);
                let count = rng.random_range(1..=3usize).min(overrides.max_items());
                out.push(b'[');
                for i in 0..count {
                    if i > 0 {
                        out.push(b',');
                    }
                    match items.as_ref() {
                        Node::Object(props) => {
                            let item_seed = stream_seed(seed, i);
                            write_root_object(props, pools, item_seed, overrides, out)
                        }
                        other => other.write(pools, &mut rng, out),
                    }
                }
                out.push(b']');
            }
            Node::Array(items) => {
                let mut rng = GenRng::seed_from_u64(seed);
                write_items(items, pools, &mut rng, out, overrides.max_items());
            }
            other => other.write(pools, &mut GenRng::seed_from_u64(seed), out),
        }
    }
}

fn write_root_object(
    props: &[(String, String, Node)],
    pools: &ValuePools,
    seed: u64,
    overrides: &Overrides,
    out: &mut Vec<u8>,
) {
    out.push(b'{');
    let mut written = 0;
    for (i, (key_json, key, node)) in props.iter().enumerate() {
        // `$select`: a property not selected is left out (never `null`, which the contract
        // does not allow where the property is an object or a number).
        if !overrides.select.is_empty()
            && !overrides.select.iter().any(|s| s.eq_ignore_ascii_case(key))
        {
            continue;
        }
        if written > 0 {
            out.push(b',');
        }
        written += 1;
        // The key is stored rendered with its colon: `"Name":`.
        out.extend_from_slice(key_json.as_bytes());
        if let Some(Some(fixed)) = overrides.fixed.get(i) {
            out.extend_from_slice(fixed.as_bytes());
        } else {
            let mut rng = GenRng::seed_from_u64(stream_seed(seed, i));
            match node {
                Node::DateTime {
                    pair: Pair::EndOf(start),
                } => write_end(*start, props, pools, seed, overrides, &mut rng, out),
                Node::Array(items) => {
                    write_items(items, pools, &mut rng, out, overrides.max_items())
                }
                other => other.write(pools, &mut rng, out),
            }
        }
    }
    out.push(b'}');
}

/// The end of a period of the root object, not before its start: the start's own stream
/// says which date it drew (each root property has its own), or its fixed value is read.
fn write_end(
    start: usize,
    props: &[(String, String, Node)],
    pools: &ValuePools,
    seed: u64,
    overrides: &Overrides,
    rng: &mut GenRng,
    out: &mut Vec<u8>,
) {
    let dates = pools.dates();
    let from = match overrides.fixed.get(start) {
        Some(Some(fixed)) => {
            let Some(at) = first_not_before(dates, fixed) else {
                // Later than any date we have: the end is the start itself.
                out.extend_from_slice(fixed.as_bytes());
                return;
            };
            at
        }
        _ => {
            let mut start_rng = GenRng::seed_from_u64(stream_seed(seed, start));
            match props.get(start).map(|p| &p.2) {
                Some(Node::DateTime { .. }) => dates.draw(&mut start_rng, 0, dates.len()),
                _ => 0,
            }
        }
    };
    out.extend_from_slice(dates.get(dates.draw(rng, from, dates.len())).as_bytes());
}

/// The first pool date (in time order) not before the JSON date-time text `fixed`; `None`
/// when every date is earlier. A text that is no date-time constrains nothing.
fn first_not_before(dates: &super::pools::Pool, fixed: &str) -> Option<usize> {
    let text = fixed.trim().trim_matches('"');
    let Ok(when) = chrono::DateTime::parse_from_rfc3339(text) else {
        return Some(0);
    };
    let wanted = format!(
        "\"{}\"",
        when.with_timezone(&chrono::Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    let (mut lo, mut hi) = (0, dates.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        if dates.get(mid) < wanted.as_str() {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    (lo < dates.len()).then_some(lo)
}

/// Whether the JSON text `value` is or holds a `null` (a placeholder the answer must not
/// repeat). Texts without the word are not parsed.
fn holds_null(value: &str) -> bool {
    fn any_null(value: &Value) -> bool {
        match value {
            Value::Null => true,
            Value::Array(items) => items.iter().any(any_null),
            Value::Object(members) => members.values().any(any_null),
            _ => false,
        }
    }
    value.contains("null")
        && serde_json::from_str::<Value>(value).map_or(true, |parsed| any_null(&parsed))
}

/// What to put in place of generated root properties.
#[derive(Debug, Default)]
pub(crate) struct Overrides<'a> {
    /// Fixed JSON values of root properties, by position (echoed ids, fields the client sent).
    pub(crate) fixed: Vec<Option<Cow<'a, str>>>,
    /// `$select`: root properties (lower-case) to keep; the rest are left out. Empty keeps
    /// all.
    pub(crate) select: Vec<String>,
    /// A limit the request set (`$top`, `Count`, `MaxRows`, ...): the answer's lists hold no
    /// more items (the root array, and the lists of the root object).
    pub(crate) limit: Option<usize>,
}

impl<'a> Overrides<'a> {
    /// The most items a list of the answer may hold.
    fn max_items(&self) -> usize {
        self.limit.unwrap_or(usize::MAX)
    }

    /// Fixes the root property at `index` to the JSON text `value` (a later call wins).
    pub(crate) fn fix(&mut self, index: usize, value: Cow<'a, str>) {
        if self.fixed.len() <= index {
            self.fixed.resize(index + 1, None);
        }
        self.fixed[index] = Some(value);
    }
}
