//! The property lexicon: every table row of the docs set, grouped by property name and
//! description, with the sample values seen under it on every page.
//!
//! It answers three questions the single page cannot:
//! - a row's type cell contradicts the other rows that document the same property (same
//!   name, same description): which cell do the pages agree on? ([`Lexicon::correct`]);
//! - a row says only `string` (or `Integer`): do other rows of the same property, or the
//!   samples, show the format? ([`Lexicon::refine`]);
//! - a sample shows a property no table of its object lists: how do the tables type that
//!   property name elsewhere? ([`Lexicon::by_name`]).

use std::collections::{BTreeMap, BTreeSet};

use super::infer::Shape;
use super::tables::{TableRef, tables};
use super::types::{Primitive, TypeCell, classify};
use crate::diag::Diagnostic;
use crate::docs::Page;

/// Share of the compatible cells one cell must hold for a name-only lookup to follow it: a
/// property a sample shows where no table lists it borrows the type the tables give its name
/// elsewhere only when three rows in four agree (`LastChanged` → `date-time`, `Rank` →
/// `int32`); a name the tables type two ways about equally is no evidence, and the sample's
/// own shape is used instead.
const NAME_CONSENSUS: f64 = 0.75;

/// Share of the named cells of a property one named cell must hold to win a conflict (when
/// no cell names the property's own name): two pages in three naming one type make the rest
/// the generator's mislabels; below that, no side is clearly the mislabel and the property's
/// type is unknown (an open object) rather than a guess.
const NAMED_MAJORITY: f64 = 2.0 / 3.0;

/// Places (rows of byte-typed properties, byte-typed bodies) that must show one text before
/// it is taken for the docs' stand-in for raw bytes: a text seen in one place may be any
/// sample string; the generator's exemplar (`GIF89....File contents as raw bytes...`)
/// repeats wherever bytes are shown.
const BYTE_EXEMPLAR_PLACES: usize = 2;

/// Rows of dictionary properties (`object` cells) that must show a member key before the
/// key is taken for the generator's dictionary member name (`fieldName`): one row may hold a
/// real property name; the generator writes the same made-up key under every dictionary.
const DICTIONARY_KEY_ROWS: usize = 2;

/// How often one type cell was written for a property, and where first.
#[derive(Debug, Clone)]
pub(crate) struct CellCount {
    /// The cell as written.
    pub text: String,
    /// How many pages wrote it.
    pub count: usize,
    /// `file:line` of the first row.
    pub source: String,
    /// The last page that wrote it.
    last_page: String,
}

/// The rows of one property (name + description) across the docs set.
#[derive(Debug, Default)]
pub(crate) struct Group {
    /// Cells in first-seen order.
    pub cells: Vec<CellCount>,
    /// Every sample value seen under these rows.
    pub shape: Shape,
    /// How named-type cells that disagree are settled.
    verdict: Verdict,
}

/// The settlement of named cells that disagree.
#[derive(Debug, Default, Clone, PartialEq)]
enum Verdict {
    /// No disagreement between named cells.
    #[default]
    Agreed,
    /// The pages agree on this named type.
    Winner(String, &'static str),
    /// The named cells cannot be reconciled: the property's type is unknown.
    Unknown,
}

/// A row's named cell overruled by the other rows of the same property.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Correction {
    /// The type the contract follows instead; `None`: unknown (an open object).
    pub to: Option<String>,
    /// Why.
    pub reason: &'static str,
}

/// The lexicon of a docs set.
#[derive(Debug, Default)]
pub(crate) struct Lexicon {
    /// Property name → description → rows.
    groups: BTreeMap<String, BTreeMap<String, Group>>,
    names: BTreeMap<String, Vec<(TypeCell, usize)>>,
    name_shapes: BTreeMap<String, Shape>,
    byte_texts: BTreeSet<String>,
    integer_width: Option<Primitive>,
    dictionary_keys: BTreeSet<String>,
}

/// Share of the typed integer rows one width must hold to be the docs family's default for
/// integers only samples show: in SuperOffice's pages all 8,661 typed integer rows are
/// `int32`/`Integer`, so the default is a near-unanimity, not a majority; a family that
/// mixes widths (a few `int64` in a hundred) gets no default and such integers get no format.
const INTEGER_DEFAULT_SHARE: f64 = 0.99;
/// Fewest typed integer rows that can show a default: a handful of pages (a fixture, a
/// small API) says nothing about the family's habit, so below this no default is learned.
const INTEGER_DEFAULT_ROWS: usize = 20;

impl Lexicon {
    /// Reads every table row (and the sample value under it) of the pages.
    pub(crate) fn build(pages: &[Page]) -> Lexicon {
        let mut lexicon = Lexicon::default();
        let mut byte_seen: BTreeMap<String, usize> = BTreeMap::new();
        for page in pages {
            for table in tables(page) {
                lexicon.add_table(&table);
                note_byte_body(&table, &mut byte_seen);
            }
        }
        for (name, by_description) in lexicon.groups.iter_mut() {
            for group in by_description.values_mut() {
                group.verdict = settle(name, &group.cells);
            }
        }
        for (name, group) in lexicon
            .groups
            .iter()
            .flat_map(|(n, g)| g.values().map(move |g| (n, g)))
        {
            let bytes = group
                .cells
                .iter()
                .any(|c| classify(&c.text) == TypeCell::Primitive(Primitive::Bytes));
            if bytes {
                for text in &group.shape.texts {
                    *byte_seen.entry(text.clone()).or_default() += 1;
                }
            }
            lexicon
                .name_shapes
                .entry(name.clone())
                .or_default()
                .merge(&group.shape);
            let counts = lexicon.names.entry(name.clone()).or_default();
            for cell in &group.cells {
                let effective = match &group.verdict {
                    Verdict::Winner(w, _) if matches!(classify(&cell.text), TypeCell::Named(_)) => {
                        TypeCell::Named(w.clone())
                    }
                    Verdict::Unknown if matches!(classify(&cell.text), TypeCell::Named(_)) => {
                        TypeCell::Object
                    }
                    _ => classify(&cell.text),
                };
                match counts.iter_mut().find(|(c, _)| *c == effective) {
                    Some((_, n)) => *n += cell.count,
                    None => counts.push((effective, cell.count)),
                }
            }
        }
        lexicon.integer_width = integer_default(&lexicon.names);
        lexicon.dictionary_keys = dictionary_keys(&lexicon.groups);
        lexicon.byte_texts = byte_seen
            .into_iter()
            .filter(|(_, n)| *n >= BYTE_EXEMPLAR_PLACES)
            .map(|(t, _)| t)
            .collect();
        lexicon
    }

    /// The width every typed integer row of the docs family has (`int32` when 99 % of
    /// them say `int32` or `Integer`), for integers only samples show.
    pub(crate) fn integer_default(&self) -> Option<Primitive> {
        self.integer_width
    }

    /// Whether an object whose keys are `keys`, held by property `name`, is the docs
    /// generator's sample of a dictionary: keys it writes for the members of dictionary
    /// rows (`object` cells) on two rows at least (`fieldName`, `DICTIONARY_KEY_ROWS`), or the
    /// holder's name with a number (`CustomFields1`, `CustomFields2`).
    pub(crate) fn is_dictionary(&self, name: &str, keys: &[&str]) -> bool {
        !keys.is_empty()
            && keys
                .iter()
                .all(|k| self.dictionary_keys.contains(*k) || is_numbered(name, k))
    }

    fn add_table(&mut self, table: &TableRef) {
        let objects = table.sample_objects();
        for row in table.rows {
            let by_description = match self.groups.get_mut(&row.name) {
                Some(g) => g,
                None => self.groups.entry(row.name.clone()).or_default(),
            };
            let group = match by_description.get_mut(&row.description) {
                Some(g) => g,
                None => by_description.entry(row.description.clone()).or_default(),
            };
            // A page's request and response tables copy the same rows: one count per page.
            let page = table.page.file.as_str();
            match group.cells.iter_mut().find(|c| c.text == row.type_text) {
                Some(cell) if cell.last_page == page => {}
                Some(cell) => {
                    cell.count += 1;
                    cell.last_page = page.to_string();
                }
                None => group.cells.push(CellCount {
                    text: row.type_text.clone(),
                    count: 1,
                    source: format!("{page}:{}", row.line),
                    last_page: page.to_string(),
                }),
            }
            for object in &objects {
                if let Some(value) = object.get(&row.name) {
                    group.shape.add(value, 0);
                }
            }
        }
    }

    /// The rows of one property, if any table lists it.
    pub(crate) fn group(&self, name: &str, description: &str) -> Option<&Group> {
        self.groups.get(name)?.get(description)
    }

    /// Every property: (name, description) and its rows, sorted.
    pub(crate) fn groups(&self) -> impl Iterator<Item = ((&str, &str), &Group)> {
        self.groups.iter().flat_map(|(name, by_description)| {
            by_description
                .iter()
                .map(move |(description, group)| ((name.as_str(), description.as_str()), group))
        })
    }

    /// The first row (`file:line`) that types a property with each named type (after the
    /// corrections).
    pub(crate) fn type_rows(&self) -> BTreeMap<String, String> {
        let mut out: BTreeMap<String, String> = BTreeMap::new();
        for ((name, description), group) in self.groups() {
            for cell in &group.cells {
                if let TypeCell::Named(t) = self.corrected_cell(name, description, &cell.text) {
                    let entry = out.entry(t).or_insert_with(|| cell.source.clone());
                    if source_order(&cell.source) < source_order(entry) {
                        *entry = cell.source.clone();
                    }
                }
            }
        }
        out
    }

    /// Every sample value seen under any row of this property name.
    pub(crate) fn name_shape(&self, name: &str) -> Option<&Shape> {
        self.name_shapes.get(name)
    }

    /// Whether the other rows of the same property overrule this row's named cell.
    pub(crate) fn correct(&self, name: &str, description: &str, cell: &str) -> Option<Correction> {
        if !matches!(classify(cell), TypeCell::Named(_)) {
            return None;
        }
        match &self.group(name, description)?.verdict {
            Verdict::Agreed => None,
            Verdict::Winner(w, _) if w == cell => None,
            Verdict::Winner(w, reason) => Some(Correction {
                to: Some(w.clone()),
                reason,
            }),
            Verdict::Unknown => Some(Correction {
                to: None,
                reason: "the tables of this property name different types, none by a clear majority",
            }),
        }
    }

    /// The cell of a row after corrections: the named type the pages agree on, or an open
    /// object when they cannot be reconciled.
    pub(crate) fn corrected_cell(&self, name: &str, description: &str, cell: &str) -> TypeCell {
        match self.correct(name, description, cell) {
            Some(Correction { to: Some(t), .. }) => TypeCell::Named(t),
            Some(Correction { to: None, .. }) => TypeCell::Object,
            None => classify(cell),
        }
    }

    /// A generic primitive cell made specific by what the same property shows elsewhere:
    /// `string` → `date-time`/`byte` when other rows say so (or every sample string is one);
    /// `Integer` → `int64` when other rows say so or a sample leaves the int32 range.
    pub(crate) fn refine(&self, name: &str, description: &str, raw: &str, own: &Shape) -> TypeCell {
        let cell = classify(raw);
        let group = self.group(name, description);
        match cell {
            TypeCell::Primitive(Primitive::String) => {
                let specific = group.and_then(|g| single_specific_string(&g.cells));
                self.string_format(own, specific)
                    .map_or(cell, TypeCell::Primitive)
            }
            TypeCell::Primitive(Primitive::Int32) if is_generic_integer(raw) => {
                let wide = group.is_some_and(|g| {
                    g.cells
                        .iter()
                        .any(|c| classify(&c.text) == TypeCell::Primitive(Primitive::Int64))
                });
                if wide || own.wide_integer {
                    TypeCell::Primitive(Primitive::Int64)
                } else {
                    cell
                }
            }
            other => other,
        }
    }

    /// The format of a string value: what its samples show, else what the other rows say
    /// (`specific`) when the samples do not contradict it.
    pub(crate) fn string_format(
        &self,
        own: &Shape,
        specific: Option<Primitive>,
    ) -> Option<Primitive> {
        if own.only_strings() && own.all_date_times() {
            return Some(Primitive::DateTime);
        }
        if own.only_strings() && self.all_byte_texts(own) {
            return Some(Primitive::Bytes);
        }
        match specific {
            Some(Primitive::DateTime) if own.strings == 0 || own.all_date_times() => {
                Some(Primitive::DateTime)
            }
            Some(Primitive::Bytes) if own.strings == 0 || self.all_byte_texts(own) => {
                Some(Primitive::Bytes)
            }
            _ => None,
        }
    }

    /// Whether `text` is one of the docs' stand-ins for raw bytes.
    pub(crate) fn is_byte_text(&self, text: &str) -> bool {
        self.byte_texts.contains(text)
    }

    fn all_byte_texts(&self, shape: &Shape) -> bool {
        !shape.texts_overflow
            && !shape.texts.is_empty()
            && shape.texts.iter().all(|t| self.byte_texts.contains(t))
    }

    /// How the tables type a property name, when a sample shows it where no table lists it:
    /// the cell most tables give that name among those the sample fits, when it holds a
    /// clear consensus.
    ///
    /// A sample that shows only `null` fits only a named type: the docs generator writes
    /// `null` for references to named types and never for a primitive, an array or a map
    /// (so `"Type": null` in a type no table lists is no evidence of a string, even when
    /// every table elsewhere types `Type` as one).
    pub(crate) fn by_name(&self, name: &str, shape: &Shape) -> Option<TypeCell> {
        let counts = self.names.get(name)?;
        let kinds = shape.kinds();
        let only_null = kinds == ["null"];
        let fits = |cell: &TypeCell| {
            kinds.iter().all(|k| cell.admits(k))
                && (!only_null || matches!(cell, TypeCell::Named(_)))
        };
        let compatible: Vec<&(TypeCell, usize)> = counts
            .iter()
            .filter(|(c, _)| *c != TypeCell::Empty && fits(c))
            .collect();
        let total: usize = compatible.iter().map(|(_, n)| n).sum();
        let (best, n) = compatible.iter().max_by(|a, b| {
            a.1.cmp(&b.1)
                .then_with(|| cell_order(&b.0).cmp(&cell_order(&a.0)))
        })?;
        (*n as f64 >= NAME_CONSENSUS * total as f64).then(|| best.clone())
    }

    /// One finding per row whose named cell the other rows of its property overrule.
    pub(crate) fn findings(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for ((name, description), group) in self.groups() {
            for cell in &group.cells {
                let Some(correction) = self.correct(name, description, &cell.text) else {
                    continue;
                };
                let (file, line) = split_source(&cell.source);
                let follows = correction
                    .to
                    .as_deref()
                    .map_or("an open object (type unknown)".to_string(), |t| {
                        format!("`{t}`")
                    });
                let others: Vec<String> = group
                    .cells
                    .iter()
                    .filter(|c| c.text != cell.text)
                    .map(|c| format!("`{}` on {}", c.text, c.count))
                    .collect();
                out.push(Diagnostic::warning(
                    file,
                    line,
                    "mislabeled-type-cell",
                    format!(
                        "`{name}` is typed `{}` here and on {} page(s) in all, but other pages type the same property otherwise ({}); {}: the contract follows {follows}",
                        cell.text,
                        cell.count,
                        others.join(", "),
                        correction.reason,
                    ),
                ));
            }
        }
        out
    }
}

/// Settles the named cells of one property: a cell that names the property's own name wins
/// (the generator's mislabels never do), else a clear majority, else the type is unknown.
fn settle(name: &str, cells: &[CellCount]) -> Verdict {
    let named: Vec<(&str, usize)> = cells
        .iter()
        .filter(|c| matches!(classify(&c.text), TypeCell::Named(_)))
        .map(|c| (c.text.trim(), c.count))
        .collect();
    // A rule, not a threshold: a conflict needs two different named cells.
    if named.len() < 2 {
        return Verdict::Agreed;
    }
    if named.iter().any(|(t, _)| *t == name) {
        return Verdict::Winner(
            name.to_string(),
            "other tables type it as the type its own name names",
        );
    }
    let total: usize = named.iter().map(|(_, n)| n).sum();
    let best = named
        .iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)));
    match best {
        Some(&(best, n)) if n as f64 >= NAMED_MAJORITY * total as f64 => Verdict::Winner(
            best.to_string(),
            "most tables of this property name that type",
        ),
        _ => Verdict::Unknown,
    }
}

/// The one specific string format (`date-time`, `byte`) the cells of a property give.
fn single_specific_string(cells: &[CellCount]) -> Option<Primitive> {
    let mut found = None;
    for cell in cells {
        if let TypeCell::Primitive(p @ (Primitive::DateTime | Primitive::Bytes)) =
            classify(&cell.text)
        {
            if found.is_some_and(|f| f != p) {
                return None;
            }
            found = Some(p);
        }
    }
    found
}

/// Cells written `Integer`/`int` (the older generation) say nothing about the width.
fn is_generic_integer(raw: &str) -> bool {
    let raw = raw.trim();
    raw.eq_ignore_ascii_case("integer") || raw.eq_ignore_ascii_case("int")
}

/// A stable order of cells for ties.
fn cell_order(cell: &TypeCell) -> String {
    format!("{cell:?}")
}

/// A response body of a byte type shows the docs' exemplar of raw bytes.
fn note_byte_body(table: &TableRef, seen: &mut BTreeMap<String, usize>) {
    let page = table.page;
    let declared = match table.side {
        super::tables::Side::Request => {
            page.request_body.as_ref().and_then(|b| b.type_text.clone())
        }
        super::tables::Side::Response => page
            .response
            .as_ref()
            .map(|r| r.body_type.clone().unwrap_or_else(|| r.type_text.clone())),
    };
    let is_bytes = declared.is_some_and(|t| {
        matches!(
            classify(&t),
            TypeCell::Primitive(Primitive::Bytes | Primitive::Binary)
        )
    });
    if let (true, Some(serde_json::Value::String(text))) = (is_bytes, table.sample) {
        *seen.entry(text.clone()).or_default() += 1;
    }
}

/// `file:line` in reading order (file, then line as a number).
fn source_order(source: &str) -> (&str, usize) {
    split_source(source)
}

/// `file:line` split.
pub(super) fn split_source(source: &str) -> (&str, usize) {
    match source.rsplit_once(':') {
        Some((file, line)) => (file, line.parse().unwrap_or(1)),
        None => (source, 1),
    }
}

/// The integer width nearly every typed integer row has, if one does.
fn integer_default(names: &BTreeMap<String, Vec<(TypeCell, usize)>>) -> Option<Primitive> {
    let (mut narrow, mut wide) = (0usize, 0usize);
    for (cell, count) in names.values().flatten() {
        match cell {
            TypeCell::Primitive(Primitive::Int32) => narrow += count,
            TypeCell::Primitive(Primitive::Int64) => wide += count,
            _ => {}
        }
    }
    let total = narrow + wide;
    if total < INTEGER_DEFAULT_ROWS {
        return None;
    }
    let share = |n: usize| n as f64 / total as f64;
    if share(narrow) >= INTEGER_DEFAULT_SHARE {
        Some(Primitive::Int32)
    } else if share(wide) >= INTEGER_DEFAULT_SHARE {
        Some(Primitive::Int64)
    } else {
        None
    }
}

/// `key` is `name` followed by a number (`CustomFields1` under `CustomFields`).
fn is_numbered(name: &str, key: &str) -> bool {
    !name.is_empty()
        && key
            .strip_prefix(name)
            .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
}

/// The member keys the samples of dictionary rows (`object` cells) show on
/// [`DICTIONARY_KEY_ROWS`] rows at least, besides the numbered ones: the names the docs
/// generator gives a dictionary's sample members.
fn dictionary_keys(groups: &BTreeMap<String, BTreeMap<String, Group>>) -> BTreeSet<String> {
    let mut rows_by_key: BTreeMap<&str, usize> = BTreeMap::new();
    for (name, by_description) in groups {
        for group in by_description.values() {
            let rows: usize = group
                .cells
                .iter()
                .filter(|c| classify(&c.text) == TypeCell::Object)
                .map(|c| c.count)
                .sum();
            if rows == 0 {
                continue;
            }
            for key in group.shape.object.iter().flat_map(|o| o.keys()) {
                if !is_numbered(name, key) {
                    *rows_by_key.entry(key.as_str()).or_default() += rows;
                }
            }
        }
    }
    rows_by_key
        .into_iter()
        .filter(|(_, rows)| *rows >= DICTIONARY_KEY_ROWS)
        .map(|(key, _)| key.to_string())
        .collect()
}

#[cfg(test)]
#[path = "lexicon_tests.rs"]
mod tests;
