//! A bound on large bodies checked at once: parsing a body for full validation costs tens of
//! times its size in memory, so at most one per core is held at a time (the others wait).
//! Small bodies, the common case, never wait.

use tokio::sync::{Semaphore, SemaphorePermit};

/// Bodies up to this size are checked without a permit.
const SMALL: usize = 64 * 1024;

/// Permits for checking large bodies.
#[derive(Debug)]
pub(crate) struct Heavy(Semaphore);

impl Heavy {
    /// One permit per core.
    pub(crate) fn new() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self(Semaphore::new(cores))
    }

    /// A permit to check a body of `len` bytes (none needed for a small one).
    pub(crate) async fn permit(&self, len: usize) -> Option<SemaphorePermit<'_>> {
        if len <= SMALL {
            return None;
        }
        self.0.acquire().await.ok()
    }
}
