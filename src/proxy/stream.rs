//! Bodies the proxy relays: the first `limit` bytes are read (to check what can be
//! checked), and the rest is streamed on as it arrives, within the exchange's deadline. A
//! body cut short or late ends the relayed stream with an error, never as if whole.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Frame, Incoming};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// Errors of relayed bodies.
pub(super) type BoxError = Box<dyn std::error::Error + Send + Sync>;
/// A relayed body: buffered, or streamed through.
pub(super) type Relayed = http_body_util::combinators::BoxBody<Bytes, BoxError>;

/// A whole answer as a relayed one.
pub(super) fn whole(response: hyper::Response<Full<Bytes>>) -> hyper::Response<Relayed> {
    response.map(|body| body.map_err(|never| match never {}).boxed())
}

/// Reads `body` up to `limit` bytes. Returns what was read and, when the body is larger,
/// the unread rest (to be streamed on); an error when the body breaks off.
pub(super) async fn read_up_to(
    mut body: Incoming,
    limit: usize,
    declared: Option<u64>,
) -> Result<(Bytes, Option<Incoming>), hyper::Error> {
    if declared.is_some_and(|n| n > limit as u64) {
        return Ok((Bytes::new(), Some(body)));
    }
    let mut buffer = Vec::new();
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            buffer.extend_from_slice(&data);
            if buffer.len() > limit {
                return Ok((Bytes::from(buffer), Some(body)));
            }
        }
    }
    Ok((Bytes::from(buffer), None))
}

/// How a streamed body ended: bytes relayed in all, and what went wrong, if anything.
pub(super) type Ending = (u64, Option<String>);

/// A body that yields `head` and then whatever `rest` still has, as it arrives, until
/// `deadline`; `on_end` hears how it ended (once the client has it all, or the stream
/// broke off).
pub(super) fn streamed(
    head: Bytes,
    mut rest: Incoming,
    deadline: Instant,
    on_end: impl FnOnce(Ending) + Send + 'static,
) -> Relayed {
    let (sender, receiver) = mpsc::channel::<Result<Frame<Bytes>, BoxError>>(16);
    tokio::spawn(async move {
        let mut relayed = head.len() as u64;
        if !head.is_empty() && sender.send(Ok(Frame::data(head))).await.is_err() {
            on_end((relayed, Some("the client went away".into())));
            return;
        }
        let problem = loop {
            let frame = match tokio::time::timeout_at(deadline, rest.frame()).await {
                Err(_) => break Some("the upstream body did not end in time".to_string()),
                Ok(None) => break None,
                Ok(Some(Err(err))) => break Some(format!("the upstream body broke off: {err}")),
                Ok(Some(Ok(frame))) => frame,
            };
            if let Some(data) = frame.data_ref() {
                relayed += data.len() as u64;
            }
            if sender.send(Ok(frame)).await.is_err() {
                break Some("the client went away".into());
            }
        };
        if let Some(problem) = &problem {
            // Ends the answer with an error: the client sees it cut, never whole.
            let _ = sender.send(Err(problem.clone().into())).await;
        }
        on_end((relayed, problem));
    });
    ChannelBody(receiver).boxed()
}

/// Body frames from a channel.
struct ChannelBody(mpsc::Receiver<Result<Frame<Bytes>, BoxError>>);

impl Body for ChannelBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        self.0.poll_recv(cx)
    }
}
