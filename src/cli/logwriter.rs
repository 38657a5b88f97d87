//! Where log lines go while serving: appended to a buffer in memory (a short lock, a copy,
//! never a system call or a wake-up on the request's path) and written out by a thread of
//! their own every few milliseconds, many lines in one write. Bounded: when the buffer
//! holds [`MAX_BUFFERED`] bytes the request waits for the writer rather than losing lines.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often the writer thread writes what was logged.
const FLUSH_EVERY: Duration = Duration::from_millis(10);
/// Bytes held before a request waits for the writer.
const MAX_BUFFERED: usize = 4 * 1024 * 1024;

struct Shared {
    lines: Mutex<Vec<u8>>,
    /// Signalled when the buffer is full (to the writer) or drained (to waiting requests).
    changed: Condvar,
    done: AtomicBool,
}

/// A `tracing` writer that gathers lines for the writer thread.
#[derive(Clone)]
pub(super) struct Batched {
    shared: Arc<Shared>,
}

/// Writes out what is still gathered, and stops the writer thread, when dropped.
pub(crate) struct Guard {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Batched {
    /// A writer whose lines `out` receives from a thread named `mockdown-log`.
    pub(super) fn new(out: impl Write + Send + 'static) -> std::io::Result<(Self, Guard)> {
        let shared = Arc::new(Shared {
            lines: Mutex::new(Vec::with_capacity(64 * 1024)),
            changed: Condvar::new(),
            done: AtomicBool::new(false),
        });
        let writer = shared.clone();
        let thread = std::thread::Builder::new()
            .name("mockdown-log".into())
            .spawn(move || write_out(&writer, out))?;
        Ok((
            Self {
                shared: shared.clone(),
            },
            Guard {
                shared,
                thread: Some(thread),
            },
        ))
    }
}

/// The writer thread: every [`FLUSH_EVERY`] (or at once when the buffer is full) takes
/// what was gathered and writes it in one go.
fn write_out(shared: &Shared, mut out: impl Write) {
    let mut spare = Vec::with_capacity(64 * 1024);
    loop {
        let done = shared.done.load(Ordering::Acquire);
        {
            let mut lines = shared.lines.lock().unwrap_or_else(PoisonError::into_inner);
            if lines.len() < MAX_BUFFERED && !done {
                lines = shared
                    .changed
                    .wait_timeout(lines, FLUSH_EVERY)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            std::mem::swap(&mut *lines, &mut spare);
        }
        shared.changed.notify_all();
        if !spare.is_empty() {
            // A closed terminal or a full disk: the lines are lost, serving goes on.
            let _ = out.write_all(&spare);
            let _ = out.flush();
            spare.clear();
        }
        if done && shared.lines.lock().map_or(true, |l| l.is_empty()) {
            return;
        }
    }
}

impl Write for Batched {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut lines = self
            .shared
            .lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        while lines.len() >= MAX_BUFFERED && !self.shared.done.load(Ordering::Acquire) {
            self.shared.changed.notify_all();
            lines = self
                .shared
                .changed
                .wait_timeout(lines, FLUSH_EVERY)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        lines.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Batched {
    type Writer = Batched;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.shared.done.store(true, Ordering::Release);
        self.shared.changed.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn every_line_arrives_in_order_by_the_end() {
        let sink = Sink::default();
        let (writer, guard) = Batched::new(sink.clone()).expect("thread starts");
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let mut w = writer.clone();
                std::thread::spawn(move || {
                    for i in 0..5000 {
                        let _ = w.write_all(format!("{t} {i}\n").as_bytes());
                    }
                })
            })
            .collect();
        for t in threads {
            let _ = t.join();
        }
        drop(guard);
        let text = String::from_utf8(sink.0.lock().map(|v| v.clone()).unwrap_or_default())
            .unwrap_or_default();
        assert_eq!(text.lines().count(), 20_000);
        for t in 0..4 {
            let mine: Vec<usize> = text
                .lines()
                .filter_map(|l| l.split_once(' '))
                .filter(|(who, _)| *who == t.to_string())
                .filter_map(|(_, i)| i.parse().ok())
                .collect();
            assert_eq!(mine, (0..5000).collect::<Vec<_>>(), "thread {t} in order");
        }
    }
}
