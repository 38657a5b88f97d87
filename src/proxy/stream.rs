//! Upstream answers too large to hold: the first `limit` bytes are read (to check what can
//! be checked), and the rest is streamed on to the client as it arrives.

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming};
use tokio::sync::mpsc;

use super::ProxyBody;

/// Reads `body` up to `limit` bytes. Returns what was read and, when the body is larger,
/// the unread rest (to be streamed on).
pub(super) async fn read_up_to(
    mut body: Incoming,
    limit: usize,
    declared: Option<u64>,
) -> (Bytes, Option<Incoming>) {
    if declared.is_some_and(|n| n > limit as u64) {
        return (Bytes::new(), Some(body));
    }
    let mut buffer = Vec::new();
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else { break };
        if let Ok(data) = frame.into_data() {
            buffer.extend_from_slice(&data);
            if buffer.len() > limit {
                return (Bytes::from(buffer), Some(body));
            }
        }
    }
    (Bytes::from(buffer), None)
}

/// A body that yields `head` and then whatever `rest` still has, as it arrives.
pub(super) fn streamed(head: Bytes, mut rest: Incoming) -> ProxyBody {
    let (sender, receiver) = mpsc::channel::<Result<Frame<Bytes>, hyper::Error>>(16);
    tokio::spawn(async move {
        if !head.is_empty() && sender.send(Ok(Frame::data(head))).await.is_err() {
            return;
        }
        while let Some(frame) = rest.frame().await {
            if sender.send(frame).await.is_err() {
                return;
            }
        }
    });
    ChannelBody(receiver).boxed()
}

/// Body frames from a channel.
struct ChannelBody(mpsc::Receiver<Result<Frame<Bytes>, hyper::Error>>);

impl Body for ChannelBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        self.0.poll_recv(cx)
    }
}
