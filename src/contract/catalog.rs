//! Structural matching: which named type does a sample object (an array item, a nested
//! object no table types) instantiate? The docs generator writes every property of an object
//! in its samples, so an instance shows (nearly) the whole key set of its type.

use std::collections::{BTreeMap, BTreeSet};

/// Share of the object's keys the type must know: the generator writes every property of an
/// object in its samples, so an instance shows few keys its type lacks (one in five at most,
/// for rows a table left out); more unknown keys mean another type.
const COVERAGE: f64 = 0.8;

/// Share of all keys (object's and type's) they must share: a two-key object is no
/// instance of a fifty-property entity.
const SIMILARITY: f64 = 0.6;

/// Fewest keys an object must show to be matched at all.
const MIN_KEYS: usize = 2;

/// Fewest keys an object must show to be matched without its property naming the type (two
/// keys alike, `Mask` and `Reason`, are too thin to tell two types apart).
const MIN_KEYS_UNNAMED: usize = 3;

/// The key sets of the named types.
#[derive(Debug, Default)]
pub(super) struct Catalog {
    types: BTreeMap<String, BTreeSet<String>>,
}

impl Catalog {
    /// A catalog of the given key sets (types without keys are left out).
    pub(super) fn new(types: BTreeMap<String, BTreeSet<String>>) -> Catalog {
        Catalog {
            types: types.into_iter().filter(|(_, k)| !k.is_empty()).collect(),
        }
    }

    /// Whether an object with `keys` fits type `name` (coverage and similarity).
    pub(super) fn fits(&self, name: &str, keys: &[&str]) -> bool {
        self.types
            .get(name)
            .is_some_and(|known| score(keys, known).is_some())
    }

    /// The named type an object with `keys` instantiates: the best fit, ties broken by a
    /// name that matches `hint` (the property holding it, singular), then by name.
    pub(super) fn best(&self, keys: &[&str], hint: Option<&str>) -> Option<&str> {
        if keys.len() < MIN_KEYS {
            return None;
        }
        let mut best: Option<((f64, bool, f64), &str)> = None;
        for (name, known) in &self.types {
            let Some((coverage, similarity)) = score(keys, known) else {
                continue;
            };
            let named = hint.is_some_and(|h| names_match(h, name));
            if keys.len() < MIN_KEYS_UNNAMED && !named {
                continue;
            }
            let rank = (coverage, named, similarity);
            let better = match &best {
                None => true,
                Some((r, _)) => {
                    rank.0 > r.0
                        || (rank.0 == r.0 && rank.1 && !r.1)
                        || (rank.0 == r.0 && rank.1 == r.1 && rank.2 > r.2)
                }
            };
            if better {
                best = Some((rank, name));
            }
        }
        best.map(|(_, n)| n)
    }
}

/// (coverage, similarity) when both reach their floors.
fn score(keys: &[&str], known: &BTreeSet<String>) -> Option<(f64, f64)> {
    if keys.len() < MIN_KEYS {
        return None;
    }
    // Similarity is at most the ratio of the two sizes: skip what cannot reach it.
    let (small, large) = (keys.len().min(known.len()), keys.len().max(known.len()));
    if (small as f64) < SIMILARITY * large as f64 {
        return None;
    }
    let shared = keys.iter().filter(|k| known.contains(**k)).count();
    let coverage = shared as f64 / keys.len() as f64;
    let union = keys.len() + known.len() - shared;
    let similarity = shared as f64 / union.max(1) as f64;
    (coverage >= COVERAGE && similarity >= SIMILARITY).then_some((coverage, similarity))
}

/// Whether a property name (`Persons`, `ChildItems`) names a type (`Person`,
/// `PersonEntity`).
fn names_match(property: &str, type_name: &str) -> bool {
    let singular = property.strip_suffix('s').unwrap_or(property);
    [property, singular].iter().any(|p| {
        type_name.eq_ignore_ascii_case(p)
            || type_name
                .strip_suffix("Entity")
                .is_some_and(|t| t.eq_ignore_ascii_case(p))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        let set = |keys: &[&str]| keys.iter().map(|k| k.to_string()).collect();
        Catalog::new(BTreeMap::from([
            ("Item".to_string(), set(&["Id", "Name", "Rank"])),
            (
                "SelectableItem".to_string(),
                set(&["Id", "Name", "Rank", "Selected"]),
            ),
            ("Person".to_string(), set(&["PersonId", "Name", "Email"])),
        ]))
    }

    #[test]
    fn closest_key_set_wins() {
        let c = catalog();
        assert_eq!(c.best(&["Id", "Name", "Rank"], None), Some("Item"));
        assert_eq!(
            c.best(&["Id", "Name", "Rank", "Selected"], None),
            Some("SelectableItem")
        );
        assert_eq!(
            c.best(&["PersonId", "Name", "Email"], Some("Persons")),
            Some("Person")
        );
        assert_eq!(c.best(&["Id"], None), None);
        // Two keys: only when the property names the type.
        let two = ["PersonId", "Name"];
        assert_eq!(c.best(&two, None), None);
        assert_eq!(c.best(&["Foo", "Bar"], None), None);
    }
}
