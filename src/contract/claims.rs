//! Which named type does each table describe? Weighing the headings.
//!
//! A `### Response body: NAME` heading claims that the table under it (or, without a table,
//! the page's sample) describes the named type `NAME`; a recursive row claims its table for
//! the type its description names (see [`super::recursive`]). The docs generator mislabels
//! some headings (a table of one entity under the name of another), so claims are weighed
//! before they may shape a type:
//!
//! - a heading the page contradicts (the page never names the heading's type, but its title
//!   names the entity whose primary key the table has: `ConfigurableScreenDeltaId` on
//!   `GetConfigurableScreenDelta`) is taken for that entity;
//! - a table that lists the claimed type as a property of itself (`NAME | NAME`) describes
//!   something else: rejected;
//! - the claims of one type are grouped by the properties they list; when the groups
//!   disagree, the group whose pages name the type (title, operationId or summary) wins; when
//!   none does, the evidence cannot be reconciled and every claim is rejected (the type stays
//!   unknown rather than a union of strangers).
//!
//! A rejected table still describes its own page's body (inline); it only stops shaping the
//! named type. Unnamed bodies are matched afterwards (see [`super::unnamed`]).

use std::collections::{BTreeMap, BTreeSet};

pub(super) use super::claim::Claim;
use super::tables::{Side, objects_of, success_sample, words};
use super::types::{TypeCell, classify};
use super::unnamed;
use crate::diag::Diagnostic;
use crate::docs::Page;

/// Share of the smaller key set two claims must share to describe the same thing: tables of
/// one type under different headings list it with and without optional rows (a read and a
/// save page), so the smaller set is compared, not the union; a mislabeled table (a
/// `WidgetRight` heading over a return value's `ExternalReference`, `Success`, `Value`)
/// shares nearly none. At or above: one group, weighed together; below: groups that compete.
const SAME_THING: f64 = 0.6;

/// Shortest `X` of a primary key `XId` that can name the entity a mislabeled heading's table
/// is: shorter stems (`Id` alone, `UId`) are no entity names, and, matched as a word ending
/// of the title, they would rehome tables to whatever word ends the same way.
const MIN_ENTITY_STEM: usize = 3;

/// Keys shown of a claim's key set in a finding (the message stays one readable line).
const SHOWN_KEYS: usize = 4;

/// The verdicts on every claim of a docs set.
#[derive(Debug, Default)]
pub(super) struct Owners {
    /// Per page (same order as the pages): the named type its response body is, when the
    /// heading's claim stands.
    pub response: Vec<Option<String>>,
    /// Per page: the named type its request body is, when the description names one the
    /// table agrees with.
    pub request: Vec<Option<String>>,
    /// Per page: the response body is a list of `response` (an unnamed table or sample that
    /// matched a named type by structure, under `Response:array`).
    pub response_list: Vec<bool>,
    /// The key sets the accepted claims give each named type.
    pub keys: BTreeMap<String, BTreeSet<String>>,
    /// One finding per rejected claim (for `mockdown check`).
    pub findings: Vec<Diagnostic>,
}

impl Owners {
    /// The named type a page's table (or sample) of `side` describes.
    pub(super) fn owner(&self, page: usize, side: Side) -> Option<&str> {
        let list = match side {
            Side::Request => &self.request,
            Side::Response => &self.response,
        };
        list.get(page).and_then(|o| o.as_deref())
    }
}

/// Weighs every heading and request description of the pages.
pub(super) fn weigh(pages: &[Page]) -> Owners {
    let mut owners = Owners {
        response: vec![None; pages.len()],
        request: vec![None; pages.len()],
        response_list: vec![false; pages.len()],
        ..Owners::default()
    };
    let by_type = claims_by_type(pages, &mut owners);
    settle(pages, &by_type, &mut owners);
    structural_owners(pages, &mut owners);
    request_owners(pages, &mut owners);
    owners
}

/// The claims on each named type: the response headings of the pages (the type re-homed
/// where the rows say it is an entity's), then the recursive ones; each page's response
/// owner set to the type it names.
fn claims_by_type(pages: &[Page], owners: &mut Owners) -> BTreeMap<String, Vec<Claim>> {
    let mut by_type: BTreeMap<String, Vec<Claim>> = BTreeMap::new();
    for (index, page) in pages.iter().enumerate() {
        let Some(resp) = &page.response else { continue };
        let Some(TypeCell::Named(name)) = resp.body_type.as_deref().map(classify) else {
            continue;
        };
        // The page refers to the type; without evidence there is nothing to weigh.
        owners.response[index] = Some(name.clone());
        if let Some(mut claim) = response_claim(page, index, &name) {
            if let Some(entity) = rehome(page, &claim, &resp.properties) {
                owners.findings.push(rehomed(page, &claim, &entity));
                owners.response[index] = Some(entity.clone());
                claim.type_name = entity;
                claim.supported = true;
                claim.self_row = false;
            }
            by_type
                .entry(claim.type_name.clone())
                .or_default()
                .push(claim);
        }
    }
    for claim in super::recursive::claims(pages, &owners.response) {
        by_type
            .entry(claim.type_name.clone())
            .or_default()
            .push(claim);
    }
    by_type
}

/// Judges the claims on each type: an accepted one makes its page's request or response
/// the type's and adds its keys; a rejected one is a finding.
fn settle(pages: &[Page], by_type: &BTreeMap<String, Vec<Claim>>, owners: &mut Owners) {
    for (name, claims) in by_type {
        let rejected = judge(claims);
        for (claim, reason) in claims.iter().zip(&rejected) {
            match (reason, &claim.via_row, claim.side) {
                (None, Some(_), Side::Response) => {
                    owners.response[claim.page] = Some(name.clone());
                    owners.response_list[claim.page] = unnamed::is_list(&pages[claim.page]);
                }
                (None, Some(_), Side::Request) => {
                    owners.request[claim.page] = Some(name.clone());
                }
                (Some(_), None, _) => {
                    owners.response[claim.page] = None;
                }
                _ => {}
            }
            match reason {
                None => owners
                    .keys
                    .entry(name.clone())
                    .or_default()
                    .extend(claim.keys.iter().cloned()),
                Some(reason) => owners
                    .findings
                    .push(finding(&pages[claim.page], claim, reason)),
            }
        }
    }
}

/// Unnamed response bodies (`array`, `object`, or a rejected heading) that match a named
/// type by structure are that type (or a list of it).
fn structural_owners(pages: &[Page], owners: &mut Owners) {
    let mut structural = Vec::new();
    for (index, page) in pages.iter().enumerate() {
        if owners.response[index].is_some() {
            continue;
        }
        let keys = unnamed::response_keys(page);
        if let Some(name) = unnamed::structural_owner(&keys, &owners.keys) {
            structural.push((index, name, keys));
        }
    }
    for (index, name, keys) in structural {
        owners.response_list[index] = unnamed::is_list(&pages[index]);
        owners.response[index] = Some(name.clone());
        owners.keys.entry(name).or_default().extend(keys);
    }
}

/// The owners of the request bodies no claim settled, by their keys.
fn request_owners(pages: &[Page], owners: &mut Owners) {
    for (index, page) in pages.iter().enumerate() {
        if owners.request[index].is_some() {
            continue;
        }
        let response = owners.response[index].as_deref();
        owners.request[index] = unnamed::request_owner(page, response, &owners.keys);
        if let Some(name) = &owners.request[index] {
            let keys = unnamed::request_keys(page);
            owners.keys.entry(name.clone()).or_default().extend(keys);
        }
    }
}

fn response_claim(page: &Page, index: usize, name: &str) -> Option<Claim> {
    let resp = page.response.as_ref()?;
    let (keys, from_table): (BTreeSet<String>, bool) = if resp.properties.is_empty() {
        let sample = success_sample(page)?;
        let keys: BTreeSet<String> = objects_of(sample)
            .into_iter()
            .flat_map(|o| o.keys().cloned())
            .collect();
        (keys, false)
    } else {
        (
            resp.properties.iter().map(|r| r.name.clone()).collect(),
            true,
        )
    };
    if keys.is_empty() {
        return None;
    }
    let self_row = resp
        .properties
        .iter()
        .any(|r| r.name == name && classify(&r.type_text) == TypeCell::Named(name.to_string()));
    Some(Claim {
        type_name: name.to_string(),
        page: index,
        keys,
        line: resp.line,
        from_table,
        supported: names_type(page, name),
        self_row,
        side: Side::Response,
        via_row: None,
    })
}

/// The entity a heading's table really describes when the page contradicts the heading:
/// the page never names the heading's type (nor its stem without `Entity`/`WithLinks`), but
/// the table's primary key is `XId` (its first row, or a row described as the primary key)
/// and a word of the title (or the operationId) ends with `XEntity` or `X`.
fn rehome(page: &Page, claim: &Claim, rows: &[crate::docs::PropertyDoc]) -> Option<String> {
    let stem = claim
        .type_name
        .trim_end_matches("WithLinks")
        .trim_end_matches("Entity");
    if !claim.from_table || names_type(page, &claim.type_name) || names_type(page, stem) {
        return None;
    }
    let title = format!(
        "{} {}",
        page.title.as_deref().unwrap_or_default(),
        page.operation_id
    );
    let primary = rows.iter().enumerate().find_map(|(i, row)| {
        let is_key = i == 0 || row.description.to_ascii_lowercase().contains("primary key");
        row.name.strip_suffix("Id").filter(|x| {
            is_key && x.len() >= MIN_ENTITY_STEM && x.starts_with(|c: char| c.is_ascii_uppercase())
        })
    })?;
    if claim.type_name.starts_with(primary) || primary.starts_with(claim.type_name.as_str()) {
        return None;
    }
    [format!("{primary}Entity"), primary.to_string()]
        .into_iter()
        .find(|candidate| words(&title).any(|w| w.ends_with(candidate.as_str())))
}

fn rehomed(page: &Page, claim: &Claim, entity: &str) -> Diagnostic {
    Diagnostic::warning(
        &page.file,
        claim.line,
        "mislabeled-heading",
        format!(
            "`Response body: {}` heads a table of `{entity}` (the page's title names `{entity}` and the table has its primary key; the page never names `{}`): taken as evidence for `{entity}`, not `{}`",
            claim.type_name, claim.type_name, claim.type_name
        ),
    )
}

/// Whether the page's title, operationId or summary names the type.
fn names_type(page: &Page, name: &str) -> bool {
    let needle = name.to_ascii_lowercase();
    [
        page.title.as_deref().unwrap_or_default(),
        page.operation_id.as_str(),
        page.summary.as_str(),
    ]
    .iter()
    .any(|text| text.to_ascii_lowercase().contains(&needle))
}

/// Judges the claims of one type: `None` for each accepted claim, the reason otherwise.
fn judge(claims: &[Claim]) -> Vec<Option<String>> {
    let mut verdicts: Vec<Option<String>> = claims
        .iter()
        .map(|c| {
            c.self_row.then(|| {
                format!(
                    "the table lists `{0}` as a property of type `{0}`: a `{0}` does not hold itself, so the table describes another type",
                    c.type_name
                )
            })
        })
        .collect();
    let open: Vec<usize> = (0..claims.len())
        .filter(|&i| verdicts[i].is_none())
        .collect();
    let clusters = cluster(claims, &open);
    // A rule, not a threshold: one group (or none) has nothing to compete with.
    if clusters.len() < 2 {
        return verdicts;
    }
    let support = |c: &Vec<usize>| c.iter().filter(|&&i| claims[i].supported).count();
    let mut ranked: Vec<(usize, usize, usize)> = clusters
        .iter()
        .enumerate()
        .map(|(k, c)| (support(c), c.len(), k))
        .collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    let winner = match ranked.as_slice() {
        [first, second, ..] if first.0 > second.0 => Some(first.2),
        _ => None,
    };
    for (k, members) in clusters.iter().enumerate() {
        if Some(k) == winner {
            continue;
        }
        let reason = match winner {
            Some(w) => format!(
                "its properties ({}) disagree with the {} page(s) that name `{}` in their title or summary ({})",
                sample_keys(&claims[members[0]].keys),
                clusters[w].len(),
                claims[members[0]].type_name,
                sample_keys(&claims[clusters[w][0]].keys),
            ),
            None => format!(
                "the {} tables under `{}` describe {} different things and no page names the type in its title or summary: the type stays unknown",
                open.len(),
                claims[members[0]].type_name,
                clusters.len(),
            ),
        };
        for &i in members {
            verdicts[i] = Some(reason.clone());
        }
    }
    verdicts
}

/// Groups claims (single linkage) whose key sets share most of the smaller one.
fn cluster(claims: &[Claim], open: &[usize]) -> Vec<Vec<usize>> {
    let mut clusters: Vec<Vec<usize>> = Vec::new();
    for &i in open {
        let joins: Vec<usize> = clusters
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.iter()
                    .any(|&j| same_thing(&claims[i].keys, &claims[j].keys))
            })
            .map(|(k, _)| k)
            .collect();
        match joins.split_first() {
            None => clusters.push(vec![i]),
            Some((&first, rest)) => {
                for &k in rest.iter().rev() {
                    let moved = clusters.remove(k);
                    clusters[first].extend(moved);
                }
                clusters[first].push(i);
                clusters[first].sort_unstable();
            }
        }
    }
    clusters
}

fn same_thing(a: &BTreeSet<String>, b: &BTreeSet<String>) -> bool {
    let shared = a.intersection(b).count();
    let smaller = a.len().min(b.len()).max(1);
    shared as f64 >= SAME_THING * smaller as f64
}

fn sample_keys(keys: &BTreeSet<String>) -> String {
    let shown: Vec<&str> = keys.iter().take(SHOWN_KEYS).map(String::as_str).collect();
    let more = keys.len().saturating_sub(shown.len());
    if more > 0 {
        format!("{}, … {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

fn finding(page: &Page, claim: &Claim, reason: &str) -> Diagnostic {
    if let Some(row) = &claim.via_row {
        return Diagnostic::warning(
            &page.file,
            claim.line,
            "conflicting-table",
            format!(
                "the recursive row `{row}` names `{}`, but its table is not taken as evidence for it: {reason}",
                claim.type_name
            ),
        );
    }
    let what = if claim.from_table {
        "the table under it"
    } else {
        "its sample"
    };
    Diagnostic::warning(
        &page.file,
        claim.line,
        "mislabeled-heading",
        format!(
            "`Response body: {}` is not taken as evidence for `{}` ({what} is this page's body only): {reason}",
            claim.type_name, claim.type_name
        ),
    )
}

#[cfg(test)]
#[path = "claims_tests.rs"]
mod tests;
