//! The library's errors: one enum, each variant saying which step failed.

/// Why the library could not do what was asked.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let missing = mockdown::MockServer::start("no/such/folder").await;
/// assert!(matches!(missing, Err(mockdown::Error::Docs { .. })));
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The docs folder could not be read or built.
    #[error("cannot build the pages in {path}: {reason}")]
    Docs {
        /// The folder given.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// The server could not start (the port is taken, the state store is unreachable, a
    /// stub or state file given at start is refused).
    #[error("cannot start the mock: {0}")]
    Start(String),
    /// A stub breaks the contract, or reaches no documented operation (mount it with
    /// [`crate::Stub::unchecked`] to serve it anyway).
    #[error("stub {id} refused: {reason}")]
    StubRefused {
        /// The stub's id.
        id: String,
        /// Why, with every violation.
        reason: String,
    },
    /// A stub given as JSON is not a stub.
    #[error("{0}")]
    Stub(String),
    /// The state store did not answer (Redis away, the memory store full, a malformed
    /// state document).
    #[error("state store: {0}")]
    Store(String),
    /// Contract tests could not run (the target URL or an option is unusable).
    #[error("cannot verify: {0}")]
    Verify(String),
}

impl From<crate::state::StoreError> for Error {
    fn from(err: crate::state::StoreError) -> Self {
        Error::Store(err.to_string())
    }
}
