//! A bound on large bodies checked at once: parsing a body for full validation costs tens of
//! times its size in memory, so at most `--max-body` bytes of large bodies are held parsed
//! at a time (the others wait their turn). Small bodies, the common case, never wait.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Bodies up to this size are checked without a permit.
const SMALL: usize = 64 * 1024;
/// One permit stands for this many bytes.
const UNIT: usize = 1024;

/// Permits for checking large bodies, one per KiB of the budget.
#[derive(Debug)]
pub(crate) struct Heavy {
    permits: Arc<Semaphore>,
    budget: usize,
}

impl Heavy {
    /// At most `budget` bytes of large bodies checked at once (at least one body).
    pub(crate) fn new(budget: usize) -> Self {
        let units = budget.max(SMALL).div_ceil(UNIT);
        Self {
            permits: Arc::new(Semaphore::new(units)),
            budget: units,
        }
    }

    /// A permit to check a body of `len` bytes (none needed for a small one); it can move
    /// to the thread that does the check.
    pub(crate) async fn permit(&self, len: usize) -> Option<OwnedSemaphorePermit> {
        if len <= SMALL {
            return None;
        }
        let units = len.div_ceil(UNIT).min(self.budget);
        self.permits
            .clone()
            .acquire_many_owned(u32::try_from(units).unwrap_or(u32::MAX))
            .await
            .ok()
    }

    /// Whether a body of `len` bytes is large: checked with a permit, off the async
    /// workers.
    pub(crate) fn is_large(len: usize) -> bool {
        len > SMALL
    }
}
