//! A running mock as the library holds it: the listening server and what serves it now,
//! through which stubs are mounted and the stateful store is read.

use std::sync::Arc;

use arc_swap::ArcSwap;
use serde_json::Value;

use super::state::MockState;
use crate::http::RunningServer;
use crate::state::StoreError;
use crate::stubs::{Stub, StubRefusal};

/// A running mock and what serves it now (swapped on reload): the library's
/// `MockServer` mounts stubs and reads state through it.
pub(crate) struct Served {
    /// The listening server.
    pub(crate) running: RunningServer,
    /// The state requests are answered with (contract, stubs, store).
    pub(crate) current: Arc<ArcSwap<MockState>>,
}

impl Served {
    /// Holds `stub` to the contract served now (unless it says `unchecked`) and adds it.
    pub(crate) async fn mount(&self, stub: &Stub) -> Result<(), Mounting> {
        let state = self.current.load_full();
        state.check_stub(stub).map_err(Mounting::Refused)?;
        state.stubs.add(stub).await.map_err(Mounting::Store)
    }

    /// Everything the stateful store holds: `{"entities": {Name: {id: entity}}}`.
    pub(crate) async fn export_state(&self) -> Result<Value, StoreError> {
        self.current.load().store.export().await
    }

    /// The entity `name` saved under `id`, if any.
    pub(crate) async fn saved(&self, name: &str, id: i64) -> Result<Option<Value>, StoreError> {
        match self.current.load().store.get(name, id).await? {
            crate::state::Stored::Value(value) => Ok(Some(value)),
            _ => Ok(None),
        }
    }

    /// Replaces what the store holds with `document` (the export's shape).
    pub(crate) async fn import_state(&self, document: &Value) -> Result<(), StoreError> {
        let store = self.current.load().store.clone();
        store.clear().await?;
        store.import(document).await
    }
}

/// Why a stub was not mounted.
#[derive(Debug)]
pub(crate) enum Mounting {
    /// It breaks the contract (or reaches no documented operation).
    Refused(StubRefusal),
    /// The store did not take it.
    Store(StoreError),
}
