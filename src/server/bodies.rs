//! Where a request body is checked: a small body on the connection's own task, a large one
//! (over 64 KiB) on tokio's blocking pool, holding the heavy-body permit, so that reading a
//! big form or document never stops the async workers from serving other requests.

use std::sync::Arc;

use bytes::Bytes;

use super::state::{MockState, Prepared};
use crate::http::ErrorKind;
use crate::http::Heavy;
use crate::validate::{Rejection, SentJson};

/// Checks `body` (sent as `content_type`) against the operation `prepared`; on success, the
/// JSON sent, if any (it can be echoed).
pub(super) async fn check<'b>(
    state: &Arc<MockState>,
    prepared: &Arc<Prepared>,
    content_type: Option<&str>,
    body: &'b Bytes,
) -> Result<Option<SentJson<'b>>, Rejection> {
    if !Heavy::is_large(body.len()) {
        return prepared.check.body(
            &prepared.op,
            &state.schemas,
            &state.types,
            content_type,
            body,
            &state.body_rules,
        );
    }
    let permit = state.heavy.permit(body.len()).await;
    let (state, prepared, bytes) = (state.clone(), prepared.clone(), body.clone());
    let content_type = content_type.map(str::to_owned);
    // The permit moves with the work: a client that goes away does not free it early.
    let placed = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        prepared
            .check
            .body(
                &prepared.op,
                &state.schemas,
                &state.types,
                content_type.as_deref(),
                &bytes,
                &state.body_rules,
            )
            .map(|sent| sent.map(|s| s.detach()))
    })
    .await
    .map_err(|e| {
        Rejection::new(
            ErrorKind::InternalError,
            format!("the check of the request body did not finish: {e}"),
        )
    })??;
    Ok(placed.and_then(|p| p.attach(body)))
}
