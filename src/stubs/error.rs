//! Why a stub given to the mock cannot be served: the one error type of this room, each
//! variant with the HTTP status and `ErrorType` the admin API answers it with.

use crate::http::{ApiError, ErrorKind};

/// Why a stub was not taken.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum StubError {
    /// The JSON is not a stub (an unknown field, a wrong type).
    #[error("not a stub: {0}")]
    NotAStub(#[from] serde_json::Error),
    /// The stub matches no path, so no contract can hold it.
    #[error("a stub without a path cannot be checked against the contract")]
    NoPath,
    /// The stub's path is a glob, which reaches operations the contract cannot name.
    #[error("`{0}` is a glob: the contract cannot say which operations it answers")]
    Glob(String),
    /// No documented operation answers the stub's method and path.
    #[error("no documented operation answers {method} {path}")]
    Unreachable {
        /// The stub's method, or `any method`.
        method: String,
        /// The stub's path.
        path: String,
    },
}

impl ApiError for StubError {
    /// Every stub error is the client's (400): [`ErrorKind::InvalidStub`] for JSON that is
    /// no stub, [`ErrorKind::StubBreaksContract`] for a stub the contract cannot hold.
    fn kind(&self) -> ErrorKind {
        match self {
            StubError::NotAStub(_) => ErrorKind::InvalidStub,
            _ => ErrorKind::StubBreaksContract,
        }
    }
}
