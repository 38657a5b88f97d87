//! Faults on purpose, for testing how a client copes: per request with
//! `Prefer: fault=reset|timeout|drip|error`, or at random for chaos runs (`--fault-rate 0.05
//! --fault error,reset`). Which request gets a fault follows from the request and `--seed`,
//! never from arrival order. This room decides and drips; the server carries faults out.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame};

use crate::http::{ApiError, ErrorKind};

/// A fault name that is none of the four: the one error type of this room.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum FaultError {
    /// A `--fault` value (the command line says it).
    #[error("`{0}` is not a fault: reset, timeout, drip or error")]
    Flag(String),
    /// A `Prefer: fault=` value: answered 400 `InvalidPrefer`.
    #[error("Prefer fault=`{0}` is not one of reset, timeout, drip, error")]
    Prefer(String),
}

impl ApiError for FaultError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidPrefer
    }
}

/// A fault to inject (`--fault`, `Prefer: fault=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Close the connection without answering.
    Reset,
    /// Hold the request without answering until the client gives up or the fault timeout
    /// passes, then close.
    Timeout,
    /// Answer, but send the body slowly.
    Drip,
    /// Answer a documented error status of the operation in the API's error shape (a
    /// generic 500 where none is documented).
    Error,
}

impl Fault {
    /// Every fault, in the order chaos picks among them.
    pub(crate) const ALL: [Fault; 4] = [Fault::Reset, Fault::Timeout, Fault::Drip, Fault::Error];

    /// The fault a name stands for (`reset`, `timeout`, `drip`, `error`).
    pub(crate) fn parse(name: &str) -> Option<Self> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "reset" => Fault::Reset,
            "timeout" => Fault::Timeout,
            "drip" => Fault::Drip,
            "error" => Fault::Error,
            _ => return None,
        })
    }

    /// Its name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Fault::Reset => "reset",
            Fault::Timeout => "timeout",
            Fault::Drip => "drip",
            Fault::Error => "error",
        }
    }

    /// What the journal says answered (`fault reset`).
    pub(crate) fn journal_name(self) -> &'static str {
        match self {
            Fault::Reset => "fault reset",
            Fault::Timeout => "fault timeout",
            Fault::Drip => "fault drip",
            Fault::Error => "fault error",
        }
    }
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Fault {
    type Err = FaultError;

    fn from_str(name: &str) -> Result<Self, FaultError> {
        Fault::parse(name).ok_or_else(|| FaultError::Flag(name.to_string()))
    }
}

/// The fault a request asks for in `Prefer` (`fault=drip`); `Err` names an unknown one.
pub(crate) fn asked<'a>(
    prefer: impl Iterator<Item = &'a str>,
) -> Result<Option<Fault>, FaultError> {
    for item in prefer.flat_map(|v| v.split([',', ';'])) {
        let Some((key, value)) = item.split_once('=') else {
            continue;
        };
        if key.trim().eq_ignore_ascii_case("fault") {
            let value = value.trim().trim_matches('"');
            return Fault::parse(value)
                .map(Some)
                .ok_or_else(|| FaultError::Prefer(value.to_string()));
        }
    }
    Ok(None)
}

/// Random faults for chaos runs.
#[derive(Debug, Clone, Default)]
pub(crate) struct Chaos {
    /// Share of requests that get a fault (0 to 1).
    pub(crate) rate: f64,
    /// The faults to pick among.
    pub(crate) kinds: Vec<Fault>,
}

impl Chaos {
    /// Faults at `rate` among `kinds` (all four when empty).
    pub(crate) fn new(rate: f64, kinds: &[Fault]) -> Self {
        let kinds = if kinds.is_empty() {
            Fault::ALL.to_vec()
        } else {
            kinds.to_vec()
        };
        Self {
            rate: rate.clamp(0.0, 1.0),
            kinds,
        }
    }

    /// The fault of the request whose seed is `request_seed` (a hash of the request and
    /// `--seed`), if it gets one.
    pub(crate) fn pick(&self, request_seed: u64) -> Option<Fault> {
        if self.rate <= 0.0 || self.kinds.is_empty() {
            return None;
        }
        // A second hash of the seed, so the choice does not follow the answer's data.
        let mixed = (request_seed ^ 0x5bd1_e995_f00d_cafe).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let draw = (mixed >> 11) as f64 / (1u64 << 53) as f64;
        (draw < self.rate).then(|| self.kinds[(mixed % self.kinds.len() as u64) as usize])
    }
}

/// A body sent a few bytes at a time (`Prefer: fault=drip`).
#[derive(Debug)]
pub(crate) struct DripBody {
    data: Bytes,
    chunk: usize,
    interval: Duration,
    wait: Option<Pin<Box<tokio::time::Sleep>>>,
    /// Held until the body is sent (or dropped): the place the held request takes.
    place: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl DripBody {
    /// `data` in pieces of `chunk` bytes, one every `interval`.
    pub(crate) fn new(data: Bytes, chunk: usize, interval: Duration) -> Self {
        Self {
            data,
            chunk: chunk.max(1),
            interval,
            wait: None,
            place: None,
        }
    }

    /// The same body, holding `place` until it is sent or dropped.
    pub(crate) fn holding(mut self, place: Option<tokio::sync::OwnedSemaphorePermit>) -> Self {
        self.place = place;
        self
    }
}

impl Body for DripBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if self.data.is_empty() {
            self.place = None;
            return Poll::Ready(None);
        }
        if let Some(wait) = self.wait.as_mut() {
            if wait.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.wait = None;
        }
        let take = self.chunk.min(self.data.len());
        let piece = self.data.split_to(take);
        if !self.data.is_empty() {
            let interval = self.interval;
            self.wait = Some(Box::pin(tokio::time::sleep(interval)));
        }
        Poll::Ready(Some(Ok(Frame::data(piece))))
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_empty()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        hyper::body::SizeHint::with_exact(self.data.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[test]
    fn prefer_and_chaos() {
        assert_eq!(
            asked(["example=true, fault=drip"].into_iter()),
            Ok(Some(Fault::Drip))
        );
        assert_eq!(asked(["code=404"].into_iter()), Ok(None));
        let refused = asked(["fault=explode"].into_iter()).expect_err("no such fault");
        assert_eq!(
            refused.to_string(),
            "Prefer fault=`explode` is not one of reset, timeout, drip, error"
        );
        assert_eq!(refused.kind(), ErrorKind::InvalidPrefer);
        assert_eq!(
            "explode".parse::<Fault>().map_err(|e| e.to_string()),
            Err("`explode` is not a fault: reset, timeout, drip or error".to_string())
        );
        let chaos = Chaos {
            rate: 0.25,
            kinds: vec![Fault::Error, Fault::Reset],
        };
        let hits: Vec<Option<Fault>> = (0..4000u64)
            .map(|i| chaos.pick(i.wrapping_mul(0x2545_f491_4f6c_dd1d)))
            .collect();
        let share = hits.iter().filter(|h| h.is_some()).count() as f64 / 4000.0;
        assert!((0.2..0.3).contains(&share), "{share}");
        assert!(hits.contains(&Some(Fault::Error)) && hits.contains(&Some(Fault::Reset)));
        assert_eq!(
            chaos.pick(42),
            chaos.pick(42),
            "the request decides, not the order"
        );
        assert_eq!(Chaos::default().pick(42), None);
    }

    #[tokio::test]
    async fn drip_sends_everything_in_pieces() {
        let body = DripBody::new(
            Bytes::from_static(b"0123456789"),
            3,
            Duration::from_millis(5),
        );
        let started = std::time::Instant::now();
        let collected = body.collect().await.map(|c| c.to_bytes());
        assert_eq!(collected.ok(), Some(Bytes::from_static(b"0123456789")));
        assert!(
            started.elapsed() >= Duration::from_millis(15),
            "three waits"
        );
    }
}
