//! The walk: a serde visitor over the body text that follows the compiled nodes and gives
//! up (an error) at the first thing it is not certain of.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::{FastCheck, Node, Num};
use crate::contract::types::NameIndex;
use crate::validate::kinds::{ARRAY, BOOL, INTEGER, NULL, NUMBER, OBJECT, STRING};

/// Walks `text` against `plan`: the addresses and lengths of the root object's keys if the
/// text is certainly valid, `None` when not known (the full path decides).
pub(super) fn walk(plan: &FastCheck, text: &str) -> Option<Vec<(usize, usize)>> {
    let keys = RefCell::new(Vec::new());
    let mut de = serde_json::Deserializer::from_str(text);
    let check = Check {
        plan,
        at: 0,
        keys: Some(&keys),
    };
    if check.deserialize(&mut de).is_err() || de.end().is_err() {
        return None;
    }
    Some(keys.into_inner())
}

/// Gives up: the full path decides.
fn unsure<E: de::Error>() -> E {
    E::custom("not certain")
}

/// Addresses and lengths of the root object's keys, as the walk meets them; an escaped
/// key (not read in place) is recorded as address 0.
type KeyPlaces = RefCell<Vec<(usize, usize)>>;

#[derive(Clone, Copy)]
struct Check<'p> {
    plan: &'p FastCheck,
    at: usize,
    /// Where to record the keys, for the root object only.
    keys: Option<&'p KeyPlaces>,
}

impl Check<'_> {
    fn node(&self) -> &Node {
        &self.plan.nodes[self.at]
    }

    /// The node, if it is understood and allows `kind`.
    fn allowing<E: de::Error>(&self, kind: u8) -> Result<&Node, E> {
        let node = self.node();
        if node.unsure || node.kinds & kind == 0 {
            Err(unsure())
        } else {
            Ok(node)
        }
    }

    /// A number: certain only where its kind is allowed and its bounds are settled exactly
    /// (integers compared as integers; anything that cannot be settled is unsure).
    fn number<E: de::Error>(&self, value: Num, integral: bool) -> Result<(), E> {
        use std::cmp::Ordering::{Greater, Less};
        let node = self.allowing(if integral { INTEGER } else { NUMBER })?;
        let below = node
            .minimum
            .is_some_and(|m| value.exact_cmp(m).is_none_or(|o| o == Less));
        let above = node
            .maximum
            .is_some_and(|m| value.exact_cmp(m).is_none_or(|o| o == Greater));
        if node.members.is_some() || below || above {
            return Err(unsure());
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Check<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Check<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        match self.allowing(BOOL)?.members {
            None => Ok(()),
            Some(_) => Err(unsure()),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.number(Num::Int(i128::from(v)), true)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.number(Num::Int(i128::from(v)), true)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.number(Num::Float(v), v.fract() == 0.0)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        let node = self.allowing(STRING)?;
        if node
            .members
            .as_ref()
            .is_some_and(|m| !m.iter().any(|m| m == v))
            || (node.date_time && !plain_date_time(v))
            || (node.base64 && !crate::contract::validate::is_base64(v))
        {
            return Err(unsure());
        }
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        match self.allowing(NULL)?.members {
            None => Ok(()),
            Some(_) => Err(unsure()),
        }
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        match self.allowing::<A::Error>(ARRAY)?.items {
            Some(at) => {
                let item = Check {
                    at,
                    keys: None,
                    ..self
                };
                while seq.next_element_seed(item)?.is_some() {}
            }
            // No `items`: any elements.
            None => while seq.next_element::<de::IgnoredAny>()?.is_some() {},
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let node = self.allowing::<A::Error>(OBJECT)?;
        let key = Property {
            names: &node.properties,
            places: self.keys,
        };
        while let Some(property) = map.next_key_seed(key)? {
            match property.and_then(|i| node.children.get(i)) {
                Some(&at) => map.next_value_seed(Check {
                    at,
                    keys: None,
                    ..self
                })?,
                // Properties the schema does not name: what `additionalProperties` says.
                None => match node.additional {
                    Some(at) => map.next_value_seed(Check {
                        at,
                        keys: None,
                        ..self
                    })?,
                    None => map.next_value::<de::IgnoredAny>().map(|_| ())?,
                },
            }
        }
        Ok(())
    }
}

/// Looks a key up among an object's properties without allocating it (and records where
/// it lies, for the root object).
#[derive(Clone, Copy)]
struct Property<'p> {
    names: &'p NameIndex,
    places: Option<&'p KeyPlaces>,
}

impl<'de> DeserializeSeed<'de> for Property<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<usize>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Property<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a property name")
    }

    fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Option<usize>, E> {
        if let Some(places) = self.places {
            places.borrow_mut().push((key.as_ptr() as usize, key.len()));
        }
        Ok(self.names.get(key).copied())
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Option<usize>, E> {
        if let Some(places) = self.places {
            places.borrow_mut().push((0, key.len()));
        }
        Ok(self.names.get(key).copied())
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, a real date and time: the form every
/// validator agrees is an RFC 3339 date-time.
fn plain_date_time(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range)
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    let shape = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !shape {
        return false;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    let zone_ok = match &b[i..] {
        [b'Z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
                && (*h1 - b'0') * 10 + (*h2 - b'0') <= 23
                && (*m1 - b'0') * 10 + (*m2 - b'0') <= 59
        }
        _ => false,
    };
    // Month and day lengths, hours, minutes, seconds (a leap second: unsure, not wrong).
    zone_ok && b[17] <= b'5' && chrono::DateTime::parse_from_rfc3339(text).is_ok()
}
