//! Following a folder of pages (`serve --watch`): file-system events from the `notify` crate,
//! folded into one burst of changed paths per save. It knows nothing of pages or servers:
//! the server decides what a change means.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::{EventKind, RecursiveMode, Watcher};
use tokio::sync::mpsc;

/// Events buffered before the watcher waits for the server to take them.
const QUEUE: usize = 1024;

/// How often the polling watcher looks at the files, where the system gives no events.
const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// The changes under a folder, as they happen.
pub(crate) struct Changes {
    /// Kept alive: dropping it stops the events.
    _watcher: Box<dyn Watcher + Send>,
    events: mpsc::Receiver<Vec<PathBuf>>,
}

impl Changes {
    /// Starts watching `dir` and everything under it: with the system's file events
    /// (inotify, FSEvents, ...), or, where those cannot be had (a sandbox without inotify,
    /// the inotify watch limit reached), by looking at the files every half second.
    pub(crate) fn of(dir: &Path) -> notify::Result<Self> {
        match Self::native(dir) {
            Ok(changes) => Ok(changes),
            Err(err) => {
                tracing::warn!(error = %err, dir = %dir.display(), "no file-system events; --watch looks at the files every 500 ms instead");
                Self::polling(dir)
            }
        }
    }

    /// Watching with the system's file events.
    fn native(dir: &Path) -> notify::Result<Self> {
        let (sender, events) = mpsc::channel(QUEUE);
        let mut watcher = notify::recommended_watcher(forward(sender))?;
        watcher.watch(dir, RecursiveMode::Recursive)?;
        Ok(Self {
            _watcher: Box::new(watcher),
            events,
        })
    }

    /// Watching by looking at the files every [`POLL_INTERVAL`].
    fn polling(dir: &Path) -> notify::Result<Self> {
        let (sender, events) = mpsc::channel(QUEUE);
        let config = notify::Config::default().with_poll_interval(POLL_INTERVAL);
        let mut watcher = notify::PollWatcher::new(forward(sender), config)?;
        watcher.watch(dir, RecursiveMode::Recursive)?;
        Ok(Self {
            _watcher: Box::new(watcher),
            events,
        })
    }

    /// Waits for the next burst of changes and returns the paths it touched once no event
    /// came for `quiet` (an editor's save is several events); `None` when watching ended.
    pub(crate) async fn next_burst(&mut self, quiet: Duration) -> Option<BTreeSet<PathBuf>> {
        let mut touched: BTreeSet<PathBuf> = self.events.recv().await?.into_iter().collect();
        loop {
            match tokio::time::timeout(quiet, self.events.recv()).await {
                Ok(Some(paths)) => touched.extend(paths),
                Ok(None) => return Some(touched),
                Err(_) => return Some(touched),
            }
        }
    }
}

/// The watcher's event handler: relevant changed paths go to `sender`.
fn forward(
    sender: mpsc::Sender<Vec<PathBuf>>,
) -> impl FnMut(notify::Result<notify::Event>) + Send + 'static {
    move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        if matches!(event.kind, EventKind::Access(_)) {
            return;
        }
        let paths: Vec<PathBuf> = event.paths.into_iter().filter(|p| relevant(p)).collect();
        if !paths.is_empty() {
            // A full queue drops the event; the burst that filled it rebuilds anyway and
            // reads every page again.
            let _ = sender.try_send(paths);
        }
    }
}

/// Whether a path can change what the pages say: not an editor's swap or backup file, nor
/// anything hidden.
fn relevant(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    !(name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_files_are_not_changes() {
        assert!(relevant(Path::new("docs/v1Agent_GetThing.md")));
        assert!(relevant(Path::new("docs/sub")));
        assert!(!relevant(Path::new("docs/.v1Agent_GetThing.md.swp")));
        assert!(!relevant(Path::new("docs/v1Agent_GetThing.md~")));
        assert!(!relevant(Path::new("docs/.git")));
    }

    /// Five writes to a page in `dir`, then the burst `changes` reports.
    async fn burst_of_five(changes: &mut Changes, dir: &Path) -> BTreeSet<PathBuf> {
        for i in 0..5 {
            let _ = std::fs::write(dir.join("page.md"), format!("# {i}"));
        }
        let burst = tokio::time::timeout(
            Duration::from_secs(5),
            changes.next_burst(Duration::from_millis(100)),
        )
        .await;
        burst.ok().flatten().unwrap_or_default()
    }

    #[tokio::test]
    async fn a_burst_of_writes_is_one_change() {
        let dir = std::env::temp_dir().join(format!("mockdown-watch-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        // Never skipped: without file-system events the watcher polls.
        let mut changes = Changes::of(&dir).expect("a watcher, native or polling");
        let touched = burst_of_five(&mut changes, &dir).await;
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            touched.iter().any(|p| p.ends_with("page.md")),
            "{touched:?}"
        );
    }

    #[tokio::test]
    async fn the_polling_watcher_sees_writes_too() {
        let dir = std::env::temp_dir().join(format!("mockdown-poll-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(dir.join("page.md"), "# start");
        let mut changes = Changes::polling(&dir).expect("a polling watcher");
        // The first look takes stock of what is there; changes after it are reported. On a
        // loaded machine that look can come after the first burst: a later burst is seen.
        tokio::time::sleep(POLL_INTERVAL + Duration::from_millis(100)).await;
        let mut touched = BTreeSet::new();
        for _ in 0..3 {
            touched = burst_of_five(&mut changes, &dir).await;
            if touched.iter().any(|p| p.ends_with("page.md")) {
                break;
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            touched.iter().any(|p| p.ends_with("page.md")),
            "{touched:?}"
        );
    }
}
