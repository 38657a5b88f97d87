//! Operations prepared for requests (parsed back from text, validators and generation plans
//! compiled) on their first request, and kept in a bounded set: once more than the budget
//! are held, those not used since the last sweep are dropped (the CLOCK policy) and prepared
//! again when called. Memory follows the operations in use, not every operation ever called.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

/// One operation of the served contract.
struct Entry<T> {
    operation_id: String,
    /// The operation as compact JSON, parsed when it is prepared.
    text: String,
    prepared: RwLock<Option<Arc<T>>>,
    /// Called since the clock hand last passed.
    used: AtomicBool,
}

/// Every operation of the served contract, a bounded number of them prepared as `T` (what
/// the server or the proxy needs at request time).
pub(crate) struct PreparedSet<T> {
    entries: Vec<Entry<T>>,
    /// Operations prepared now.
    live: AtomicUsize,
    /// Most operations kept prepared.
    budget: usize,
    /// Where the next sweep starts.
    hand: Mutex<usize>,
}

impl<T> PreparedSet<T> {
    /// A set of `(operationId, operation as JSON text)`, keeping at most `budget` prepared.
    pub(crate) fn new(operations: Vec<(String, String)>, budget: usize) -> Self {
        Self {
            entries: operations
                .into_iter()
                .map(|(operation_id, text)| Entry {
                    operation_id,
                    text,
                    prepared: RwLock::new(None),
                    used: AtomicBool::new(false),
                })
                .collect(),
            live: AtomicUsize::new(0),
            budget: budget.max(1),
            hand: Mutex::new(0),
        }
    }

    /// The operationId of operation `index`.
    pub(crate) fn operation_id(&self, index: usize) -> &str {
        self.entries
            .get(index)
            .map_or("", |e| e.operation_id.as_str())
    }

    /// Operations prepared now.
    pub(crate) fn live(&self) -> usize {
        self.live.load(Ordering::Relaxed)
    }

    /// Operation `index`, prepared with `prepare` (from the operation's text) if it is not
    /// held; preparing happens outside any lock.
    pub(crate) fn get(&self, index: usize, prepare: impl FnOnce(&str) -> T) -> Arc<T> {
        let Some(entry) = self.entries.get(index) else {
            return Arc::new(prepare("{}"));
        };
        if !entry.used.load(Ordering::Relaxed) {
            entry.used.store(true, Ordering::Relaxed);
        }
        let held = entry
            .prepared
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(prepared) = held {
            return prepared;
        }
        let fresh = Arc::new(prepare(&entry.text));
        let kept = {
            let mut slot = entry
                .prepared
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            match &*slot {
                // Prepared meanwhile by another request: keep that one.
                Some(other) => return other.clone(),
                None => {
                    *slot = Some(fresh.clone());
                    self.live.fetch_add(1, Ordering::Relaxed) + 1
                }
            }
        };
        if kept > self.budget {
            self.sweep(index);
        }
        fresh
    }

    /// Drops prepared operations not used since the hand last passed (sparing `current`)
    /// until the budget holds; a used one is marked unused and passed over.
    fn sweep(&self, current: usize) {
        let mut hand = self.hand.lock().unwrap_or_else(PoisonError::into_inner);
        let n = self.entries.len();
        // Two turns at most: the first clears every mark, the second drops.
        for _ in 0..2 * n {
            if self.live.load(Ordering::Relaxed) <= self.budget {
                break;
            }
            let at = *hand % n;
            *hand = (at + 1) % n;
            let entry = &self.entries[at];
            if at == current {
                continue;
            }
            if entry.used.swap(false, Ordering::Relaxed) {
                continue;
            }
            let mut slot = entry
                .prepared
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            // Requests in flight keep their Arc; the memory goes when they finish.
            if slot.take().is_some() {
                self.live.fetch_sub(1, Ordering::Relaxed);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// What the tests prepare: the operation's text.
    fn prepared(text: &str) -> String {
        text.to_string()
    }

    #[test]
    fn keeps_the_budget_and_the_operations_in_use() {
        let ops = (0..10)
            .map(|i| (format!("Op{i}"), "{}".to_string()))
            .collect();
        let set = PreparedSet::new(ops, 3);
        let builds = AtomicUsize::new(0);
        let get = |i: usize| {
            set.get(i, |t| {
                builds.fetch_add(1, Ordering::Relaxed);
                prepared(t)
            })
        };
        // A hot operation called between every other one stays prepared.
        for i in 1..10 {
            get(0);
            get(i);
            assert!(set.live() <= 3, "{} live", set.live());
        }
        let before = builds.load(Ordering::Relaxed);
        get(0);
        assert_eq!(
            builds.load(Ordering::Relaxed),
            before,
            "the hot one was kept"
        );
        assert_eq!(set.live(), 3);
        // Held Arcs outlive eviction.
        let held = get(9);
        for i in 1..9 {
            get(i);
        }
        assert_eq!(*held, "{}");
        assert_eq!(set.operation_id(4), "Op4");
        assert_eq!(set.operation_id(40), "");
    }
}
