//! Stage: building answers from the contract. Owns the generation plans compiled from
//! response schemas, the faker and its value pools, `Prefer` modes, XML and placeholder
//! pictures. It never judges a request and never touches sockets: what it echoes was
//! checked before it is handed over, and what may be echoed is asked of the caller.

mod compile;
mod fake_text;
mod faker;
mod fields;
mod images;
mod node;
mod plan;
mod pools;
mod prefer;
mod respond;
mod streams;
mod xml;

pub(crate) use faker::Faker;
pub(crate) use images::{bytes as image_bytes, choose as choose_image};
pub(crate) use plan::Plan;
pub(crate) use prefer::Prefer;
pub(crate) use respond::{Body, Echo, Reply, RequestSeed, plans, respond};
pub(crate) use xml::to_xml;

use crate::http::ErrorKind;

/// Why an answer cannot be built as the client asked (`Prefer: code=` a status the page
/// does not document, `example=true` without a sample, a malformed `Prefer`): a 400.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PreferRefusal {
    /// [`ErrorKind::UndocumentedStatus`], [`ErrorKind::NoExample`] or
    /// [`ErrorKind::InvalidPrefer`]: its status (400) and `ErrorType`.
    pub(crate) kind: ErrorKind,
    /// `ErrorMessage` of the error body.
    pub(crate) message: String,
}
