//! Serving connections: binding with a chosen backlog, the accept loop (one hyper HTTP/1
//! connection task per client, a header-read timeout, a connection limit answered with a
//! 503, back-off when out of file descriptors, graceful shutdown), and the handle of a
//! server running in the background.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{Either, Full};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};
use tokio::task::JoinHandle;

use super::error::error_response;
use super::journal::{Journal, JournalEntry};
use super::kind::ErrorKind;

/// How long connections may take and how many may be open: what a server left running
/// needs so no client can hold it.
#[derive(Debug, Clone)]
pub(crate) struct Limits {
    /// Time for a request's headers to arrive (hyper's header-read timeout); it also ends
    /// a keep-alive connection that stays idle that long.
    pub header_timeout: Duration,
    /// Time for a request body to arrive in full (408 after it).
    pub body_timeout: Duration,
    /// Connections served at once; more are answered 503 and closed.
    pub max_connections: usize,
    /// Listen backlog (connections the kernel queues before they are accepted).
    pub backlog: u32,
    /// Requests held open on purpose at once (`timeout` and `drip` faults), counted apart
    /// from `max_connections`: a held request gives its connection's place back, so chaos
    /// runs cannot take the places of other clients.
    pub max_held: usize,
    /// Most fields one request body may have (form keys, XML elements, JSON object
    /// members and array items); more are answered 413.
    pub max_fields: usize,
    /// CPU time the parse and check of one request body may take; more is answered 413.
    pub body_cpu: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_connections: 1024,
            backlog: 1024,
            max_held: 256,
            max_fields: DEFAULT_MAX_FIELDS,
            body_cpu: DEFAULT_BODY_CPU,
        }
    }
}

/// `--max-fields`' default: ten times the form values ASP.NET Core reads by default (1,024),
/// so any body the real API reads is read.
pub(crate) const DEFAULT_MAX_FIELDS: usize = 10_000;
/// `--body-cpu-ms`' default: a 1 MiB body at the field limit takes under 30 ms on the
/// release build, so this only stops what is far out of the ordinary.
pub(crate) const DEFAULT_BODY_CPU: Duration = Duration::from_millis(250);

/// Refusals being written at once; beyond this a connection over the limit is just closed.
const MAX_REFUSALS: usize = 64;
/// Time allowed for writing a refusal.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(1);
/// Pause of the accept loop when the process is out of file descriptors (or memory).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// A mock or proxy serving in the background: its address, its journal, and a way to stop.
pub(crate) struct RunningServer {
    addr: SocketAddr,
    routes: usize,
    journal: Arc<Journal>,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl RunningServer {
    /// The bound address (the port is the one picked when the config asked for port 0).
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Number of documented routes served.
    pub(crate) fn routes(&self) -> usize {
        self.routes
    }

    /// The requests the journal holds, oldest first (what `GET /__mockdown/requests`
    /// pages through).
    pub(crate) fn journal(&self) -> Vec<JournalEntry> {
        self.journal.entries()
    }

    /// Stops accepting, lets open requests finish (at most five seconds), and waits for the
    /// server to end.
    pub(crate) async fn stop(self) {
        let _ = self.shutdown.send(());
        let _ = self.task.await;
    }
}

/// Binds `host:port` (the first address it resolves to that binds) with `backlog`.
pub(crate) async fn bind(host: &str, port: u16, backlog: u32) -> anyhow::Result<TcpListener> {
    let mut last = None;
    for addr in tokio::net::lookup_host((host, port)).await? {
        let socket = if addr.is_ipv4() {
            TcpSocket::new_v4()?
        } else {
            TcpSocket::new_v6()?
        };
        #[cfg(unix)]
        socket.set_reuseaddr(true)?;
        match socket
            .bind(addr)
            .and_then(|()| socket.listen(backlog.max(1)))
        {
            Ok(listener) => return Ok(listener),
            Err(err) => last = Some(anyhow::anyhow!("cannot listen on {addr}: {err}")),
        }
    }
    Err(last.unwrap_or_else(|| anyhow::anyhow!("{host} resolves to no address")))
}

/// A connection's place among those served at once, as its requests see it. A request held
/// open on purpose moves the connection from the connection limit to the held-request
/// limit ([`Limits::max_held`]), so held requests never take the places of other clients.
#[derive(Clone)]
pub(crate) struct ConnectionSlot {
    /// The connection's place under `--max-connections` (`None` once it moved).
    place: Arc<std::sync::Mutex<Option<OwnedSemaphorePermit>>>,
    /// The places of held requests.
    held: Arc<Semaphore>,
}

impl ConnectionSlot {
    /// A place for a held request, the connection's own place given back; `None` when all
    /// [`Limits::max_held`] places are taken. The connection must close once the held
    /// request ends: it no longer counts under the connection limit.
    pub(crate) fn hold(&self) -> Option<OwnedSemaphorePermit> {
        let held = self.held.clone().try_acquire_owned().ok()?;
        if let Ok(mut place) = self.place.lock() {
            place.take();
        }
        Some(held)
    }
}

/// What a handler answers instead of a response when the connection must close without
/// one (an injected `reset` or `timeout` fault): hyper then drops the connection.
#[derive(Debug, thiserror::Error)]
#[error("the connection is closed without an answer on purpose")]
pub(crate) struct Closed;

/// Serves `listener` with `handle` in the background until [`RunningServer::stop`]; a
/// handler answering [`Closed`] closes the connection without a response.
pub(crate) fn spawn<H, F, B>(
    listener: TcpListener,
    limits: Limits,
    routes: usize,
    journal: Arc<Journal>,
    handle: H,
) -> anyhow::Result<RunningServer>
where
    H: Fn(hyper::Request<hyper::body::Incoming>, ConnectionSlot) -> F
        + Clone
        + Send
        + Sync
        + 'static,
    F: std::future::Future<Output = Result<hyper::Response<B>, Closed>> + Send + 'static,
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let addr = listener.local_addr()?;
    let (shutdown, signal) = oneshot::channel();
    let task = tokio::spawn(accept_loop(listener, limits, handle, signal));
    Ok(RunningServer {
        addr,
        routes,
        journal,
        shutdown,
        task,
    })
}

/// A request HTTP/1.1 forbids: no `Host`, or more than one (RFC 9112 §3.2: answer 400).
fn bad_host<B>(req: &hyper::Request<B>) -> Option<&'static str> {
    let mut hosts = req.headers().get_all(hyper::header::HOST).iter();
    match (hosts.next(), hosts.next()) {
        (None, _) if req.version() == hyper::Version::HTTP_11 => {
            Some("an HTTP/1.1 request must carry a Host header")
        }
        (Some(_), Some(_)) => Some("a request must carry one Host header, not several"),
        _ => None,
    }
}

/// Accepts connections and serves each request with `handle` until `signal`, then lets
/// open connections finish (at most five seconds).
async fn accept_loop<H, F, B>(
    listener: TcpListener,
    limits: Limits,
    handle: H,
    mut signal: oneshot::Receiver<()>,
) where
    H: Fn(hyper::Request<hyper::body::Incoming>, ConnectionSlot) -> F
        + Clone
        + Send
        + Sync
        + 'static,
    F: std::future::Future<Output = Result<hyper::Response<B>, Closed>> + Send + 'static,
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let graceful = GracefulShutdown::new();
    let open = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let held = Arc::new(Semaphore::new(limits.max_held.max(1)));
    let refusing = Arc::new(Semaphore::new(MAX_REFUSALS));
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let mut last_warning: Option<Instant> = None;
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = &mut signal => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(err) => {
                if after_accept_error(&err, &mut last_warning, &mut signal).await {
                    break;
                }
                continue;
            }
        };
        let Ok(permit) = open.clone().try_acquire_owned() else {
            refuse_over_limit(stream, &refusing);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let handle = handle.clone();
        let slot = ConnectionSlot {
            place: Arc::new(std::sync::Mutex::new(Some(permit))),
            held: held.clone(),
        };
        let service = hyper::service::service_fn(move |req: hyper::Request<_>| {
            let refused = bad_host(&req);
            let answer = refused.is_none().then(|| handle(req, slot.clone()));
            async move {
                match (answer, refused) {
                    (Some(answer), _) => answer.await.map(|r| r.map(Either::Left)),
                    (None, reason) => {
                        let reason = reason.unwrap_or_default();
                        let response = error_response(ErrorKind::BadRequest, reason, &[], None);
                        Ok(response.map(Either::Right))
                    }
                }
            }
        });
        let conn = builder.serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        // The connection's place is freed when the connection (and its slot) ends.
        tokio::spawn(async move {
            let _ = conn.await;
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(Duration::from_secs(5)) => {}
    }
}

/// After an accept error: a pause when the process ran out of resources (warned at most
/// every 5 s), serving the connections already open. `true` when `signal` asks to stop
/// meanwhile.
async fn after_accept_error(
    err: &std::io::Error,
    last_warning: &mut Option<Instant>,
    signal: &mut oneshot::Receiver<()>,
) -> bool {
    if out_of_resources(err) {
        // Keep serving the connections already open; try again shortly.
        if last_warning.is_none_or(|t| t.elapsed() > Duration::from_secs(5)) {
            tracing::warn!(error = %err, "cannot accept connections (out of file descriptors?); pausing accept");
            *last_warning = Some(Instant::now());
        }
        tokio::select! {
            _ = tokio::time::sleep(ACCEPT_BACKOFF) => {}
            _ = &mut *signal => return true,
        }
    }
    false
}

/// Refuses a connection over the limit (a 503), unless as many refusals are under way
/// as `refusing` allows: then it is closed at once.
fn refuse_over_limit(stream: TcpStream, refusing: &Arc<Semaphore>) {
    if let Ok(refusal) = refusing.clone().try_acquire_owned() {
        tokio::spawn(async move {
            refuse(stream).await;
            drop(refusal);
        });
    }
}

/// Accept errors that mean the process (or system) ran out of something: file
/// descriptors, buffers, memory. Retrying at once would only spin.
fn out_of_resources(err: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        // EMFILE, ENFILE, ENOBUFS, ENOMEM.
        matches!(err.raw_os_error(), Some(24 | 23 | 105 | 12))
    }
    #[cfg(not(unix))]
    {
        err.kind() == std::io::ErrorKind::OutOfMemory
    }
}

/// Answers a connection over the limit with a 503 in the API's error shape, and closes it.
async fn refuse(mut stream: TcpStream) {
    let response = error_response(
        ErrorKind::TooManyConnections,
        "the server holds as many connections as --max-connections allows; try again",
        &[],
        None,
    );
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let mut text = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json; charset=utf-8\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    text.extend_from_slice(&body);
    let _ = tokio::time::timeout(REFUSAL_TIMEOUT, async {
        let _ = stream.write_all(&text).await;
        let _ = stream.shutdown().await;
        // Read what the client sent until it closes, so closing sends no reset that could
        // destroy the answer before the client reads it.
        let mut sink = [0u8; 4096];
        while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
    })
    .await;
}

/// The body of a `Full` answer (it is always ready), and the answer rebuilt around it.
pub(crate) fn full_bytes(
    response: hyper::Response<Full<Bytes>>,
) -> (hyper::Response<Full<Bytes>>, Bytes) {
    use hyper::body::Body;
    let (parts, mut body) = response.into_parts();
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let bytes = match std::pin::Pin::new(&mut body).poll_frame(&mut cx) {
        std::task::Poll::Ready(Some(Ok(frame))) => frame.into_data().unwrap_or_default(),
        _ => Bytes::new(),
    };
    let rebuilt = hyper::Response::from_parts(parts, Full::new(bytes.clone()));
    (rebuilt, bytes)
}
