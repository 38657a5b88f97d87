//! Property names looked up on the hot path (a request body's keys, the fields to echo):
//! an open-addressing table whose slots keep each name's length and end words, so a lookup
//! is a short hash and, on a hit, one slot read, where a binary search compares a key with
//! several names.

/// A fixed set of names, each with its position in the order given.
#[derive(Debug, Default, Clone)]
pub struct NameTable {
    /// The names, in the order given (compared in full only when longer than 16 bytes).
    names: Vec<Box<str>>,
    /// Open-addressing slots; a name's length and end words are kept in its slot, so a hit
    /// on a name of up to 16 bytes touches nothing else.
    slots: Vec<Slot>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Slot {
    head: u64,
    tail: u64,
    len: u32,
    /// Position + 1 of the name kept here; 0 for an empty slot.
    position: u32,
}

impl NameTable {
    /// A table of `names`; a repeated name keeps its first position.
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let names: Vec<Box<str>> = names.into_iter().map(Box::from).collect();
        let size = (names.len() * 2).next_power_of_two().max(4);
        let mut table = Self {
            slots: vec![Slot::default(); size],
            names,
        };
        for position in 0..table.names.len() {
            let name = &table.names[position];
            // Only names already placed are found: a repeat keeps the first position.
            if table.position(name).is_some() {
                continue;
            }
            let (head, tail) = ends(name.as_bytes());
            let mut slot = home(head, tail, name.len(), size);
            while table.slots[slot].position != 0 {
                slot = (slot + 1) & (size - 1);
            }
            table.slots[slot] = Slot {
                head,
                tail,
                len: name.len() as u32,
                position: position as u32 + 1,
            };
        }
        table
    }

    /// The position of `name` (exact spelling), if it is in the table.
    pub fn position(&self, name: &str) -> Option<usize> {
        let size = self.slots.len();
        if size == 0 {
            return None;
        }
        let (head, tail) = ends(name.as_bytes());
        let mut slot = home(head, tail, name.len(), size);
        loop {
            let entry = self.slots[slot];
            if entry.position == 0 {
                return None;
            }
            let position = entry.position as usize - 1;
            if entry.len as usize == name.len()
                && entry.head == head
                && entry.tail == tail
                && (name.len() <= 16 || self.names.get(position).is_some_and(|n| **n == *name))
            {
                return Some(position);
            }
            slot = (slot + 1) & (size - 1);
        }
    }
}

/// The home slot of a name with end words `head`, `tail` and length `len`.
fn home(head: u64, tail: u64, len: usize, size: usize) -> usize {
    let hash = (head ^ (len as u64).rotate_left(40)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        ^ tail.wrapping_mul(0xc2b2_ae3d_27d4_eb4f);
    (hash ^ (hash >> 29)) as usize & (size - 1)
}

/// Two words that, with the length, cover every byte of a name up to 16 bytes long: the
/// first and last eight bytes (overlapping when shorter than 16), or for shorter names the
/// first and last four, or the first, middle and last byte.
fn ends(bytes: &[u8]) -> (u64, u64) {
    let n = bytes.len();
    let word = |at: usize| {
        bytes
            .get(at..at + 8)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map_or(0, u64::from_le_bytes)
    };
    let half = |at: usize| {
        bytes
            .get(at..at + 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map_or(0, |b| u64::from(u32::from_le_bytes(b)))
    };
    match n {
        0 => (0, 0),
        1..=3 => (
            u64::from(bytes[0]) | u64::from(bytes[n / 2]) << 8 | u64::from(bytes[n - 1]) << 16,
            0,
        ),
        4..=7 => (half(0), half(n - 4)),
        _ => (word(0), word(n - 8)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_name_and_nothing_else() {
        let names: Vec<String> = (0..200).map(|i| format!("Field{i}")).collect();
        let table = NameTable::new(names.iter().map(String::as_str));
        for (i, name) in names.iter().enumerate() {
            assert_eq!(table.position(name), Some(i));
        }
        for missing in ["", "field1", "Field200", "Field1 ", "F"] {
            assert_eq!(table.position(missing), None, "{missing}");
        }
        let near = [
            "Number1",
            "Number2",
            "UpdatedDate",
            "UpdatedDateX",
            "a",
            "b",
            "ab",
        ];
        let table = NameTable::new(near);
        for (i, name) in near.iter().enumerate() {
            assert_eq!(table.position(name), Some(i));
        }
        assert_eq!(table.position("Number3"), None);
        assert_eq!(table.position("UpdatedDatf"), None);
        let long = "ThisIsAVeryLongPropertyNameIndeed";
        let table = NameTable::new([long]);
        assert_eq!(table.position(long), Some(0));
        assert_eq!(table.position("ThisIsAVeryLongPropertyNameIndeeD"), None);
        assert_eq!(table.position("ThisIsAVeryXongPropertyNameIndeed"), None);
        // A name one byte away from a member, at every position and length, is not found.
        let letters = "abcdefghijklmnopqrstuvwxyz";
        for len in 1..=20 {
            let name = &letters[..len];
            let table = NameTable::new([name]);
            assert_eq!(table.position(name), Some(0));
            for at in 0..len {
                let mut other = name.as_bytes().to_vec();
                other[at] = b'Z';
                let other = String::from_utf8(other).expect("ASCII");
                assert_eq!(table.position(&other), None, "{other}");
            }
        }
        let repeated = NameTable::new(["A", "B", "A"]);
        assert_eq!(repeated.position("A"), Some(0));
        assert_eq!(repeated.position("B"), Some(1));
        assert_eq!(NameTable::default().position("A"), None);
        assert!(NameTable::new([]).position("A").is_none());
    }
}
