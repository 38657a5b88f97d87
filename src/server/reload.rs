//! `serve --watch`: each burst of changes to the pages is built in the background and the
//! new build swapped in at once. Requests in flight finish on the build they started on; a
//! page changed into one that no longer builds keeps the last good build of the whole set.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;

use super::state::{Lasting, MockState};
use crate::diag::{Diagnostic, Severity};

/// Why the changed pages were not swapped in: logged line by line, the last good build
/// keeps serving. The one error type of the reload.
#[derive(Debug, thiserror::Error)]
enum ReloadError {
    /// The folder could not be read.
    #[error("{0:#}")]
    Load(anyhow::Error),
    /// Changed pages hold errors (one diagnostic a line).
    #[error("{0}")]
    Pages(String),
    /// The new build cannot serve.
    #[error("{0:#}")]
    State(anyhow::Error),
}

/// Quiet time that ends a burst of writes (an editor's save is several events).
const QUIET: Duration = Duration::from_millis(50);

/// Follows `docs` in the background for as long as the server holds `current`.
pub(super) fn follow(
    docs: PathBuf,
    current: Weak<ArcSwap<MockState>>,
    lasting: Lasting,
) -> anyhow::Result<()> {
    let root = std::fs::canonicalize(&docs)
        .map_err(|e| anyhow::anyhow!("cannot watch {}: {e}", docs.display()))?;
    let mut changes = crate::watch::Changes::of(&root)
        .map_err(|e| anyhow::anyhow!("cannot watch {}: {e}", docs.display()))?;
    tracing::info!(docs = %docs.display(), "watching the pages");
    tokio::spawn(async move {
        // Pages changed since the last good build: an error in one of them refuses a build.
        let mut dirty: BTreeSet<String> = BTreeSet::new();
        // Parsed pages by file: a reload parses only what changed.
        let folder = root.clone();
        let mut cache = tokio::task::spawn_blocking(move || {
            let mut cache = crate::docs::PageCache::default();
            let _ = crate::docs::load_dir_cached(&folder, &mut cache);
            cache
        })
        .await
        .unwrap_or_default();
        while let Some(touched) = changes.next_burst(QUIET).await {
            let Some(shared) = current.upgrade() else {
                return;
            };
            dirty.extend(touched.iter().map(|p| relative(&root, p)));
            for path in &touched {
                cache.forget(path);
            }
            let settled = Instant::now();
            let previous = shared.load_full();
            let config = previous.config.clone();
            let lasting = lasting.clone();
            let folder = root.clone();
            let checked = dirty.clone();
            drop(previous);
            let mut held = std::mem::take(&mut cache);
            let built = tokio::task::spawn_blocking(move || {
                let built = rebuild(&folder, &mut held, config, &lasting, &checked);
                (built, held)
            })
            .await
            .map(|(built, held)| {
                cache = held;
                built
            });
            match built {
                Ok(Ok(next)) => {
                    let next = Arc::new(next);
                    let stale = recheck_stubs(&next);
                    let routes = next.router.len();
                    shared.store(next);
                    dirty.clear();
                    tracing::info!(
                        routes,
                        stale_stubs = stale,
                        ms = settled.elapsed().as_millis() as u64,
                        "pages reloaded"
                    );
                }
                Ok(Err(refused)) => {
                    for line in refused.to_string().lines() {
                        tracing::warn!("{line}");
                    }
                    tracing::warn!("pages not reloaded: the last good build keeps serving");
                }
                Err(panicked) => {
                    tracing::error!(error = %panicked, "the rebuild failed; the last good build keeps serving");
                }
            }
        }
    });
    Ok(())
}

/// Builds the pages in `docs` into a new state; `Err` lists the errors in `changed` pages
/// that refuse it.
fn rebuild(
    docs: &Path,
    cache: &mut crate::docs::PageCache,
    config: super::MockConfig,
    lasting: &Lasting,
    changed: &BTreeSet<String>,
) -> Result<MockState, ReloadError> {
    let set = crate::docs::load_dir_cached(docs, cache).map_err(ReloadError::Load)?;
    let build = crate::contract::build_with(set, false);
    let errors: Vec<&Diagnostic> = build
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error && changed.contains(&d.file))
        .collect();
    if !errors.is_empty() {
        return Err(ReloadError::Pages(
            errors
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        ));
    }
    let mut contract = build.contract;
    // The explorer shows the full contract: built before compaction.
    let explorer = crate::explorer::Explorer::new(&contract);
    super::compact(&mut contract);
    MockState::new(contract, config, lasting, explorer).map_err(ReloadError::State)
}

/// Holds every stub to the new contract; those that now break it are marked stale (they
/// stop answering, and `GET /__mockdown/stubs` says why). Returns how many.
fn recheck_stubs(state: &MockState) -> usize {
    let mut stale = std::collections::BTreeMap::new();
    for stub in state.stubs.stubs().iter() {
        if let Err(refusal) = state.check_stub(stub) {
            let why = refusal.reason();
            tracing::warn!(stub = stub.id, reason = why, "stub stale after reload");
            stale.insert(stub.id.clone(), why);
        }
    }
    let count = stale.len();
    state.stubs.mark_stale(stale);
    count
}

/// `path` under `root`, with `/` separators, as diagnostics name pages.
fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
