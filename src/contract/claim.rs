//! A claim: one page saying that one of its bodies is an instance of a named type. Made by
//! headings and samples (`claims`) and by recursive rows (`recursive`), judged in `claims`.

use std::collections::BTreeSet;

use super::tables::Side;

/// One page's claim that a body is an instance of a named type.
#[derive(Debug, Clone)]
pub(super) struct Claim {
    /// The type claimed.
    pub type_name: String,
    /// Index of the page.
    pub page: usize,
    /// The body claimed.
    pub side: Side,
    /// The properties the claim says the type has.
    pub keys: BTreeSet<String>,
    /// Line of the heading (or row) that makes the claim.
    pub line: usize,
    /// The keys come from a table (else from the sample).
    pub from_table: bool,
    /// The page names the type (title, operationId, summary, or the row itself).
    pub supported: bool,
    /// The table lists the type as a property of itself.
    pub self_row: bool,
    /// The recursive row whose description names the type (for claims made by rows).
    pub via_row: Option<String>,
}
