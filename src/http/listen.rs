//! Serving connections: the accept loop (one hyper HTTP/1 connection task per client, with
//! graceful shutdown), and the handle of a server running in the background.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::journal::{Journal, JournalEntry};

/// A mock or proxy serving in the background: its address, its journal, and a way to stop.
pub struct RunningServer {
    addr: SocketAddr,
    routes: usize,
    journal: Arc<Journal>,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl RunningServer {
    /// The bound address (the port is the one picked when the config asked for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Number of documented routes served.
    pub fn routes(&self) -> usize {
        self.routes
    }

    /// The requests received so far, oldest first (what `GET /__mockdown/requests` shows).
    pub fn journal(&self) -> Vec<JournalEntry> {
        self.journal.entries()
    }

    /// Stops accepting, lets open requests finish (at most five seconds), and waits for the
    /// server to end.
    pub async fn stop(self) {
        let _ = self.shutdown.send(());
        let _ = self.task.await;
    }
}

/// Serves `listener` with `handle` in the background until [`RunningServer::stop`].
pub(crate) fn spawn<H, F, B>(
    listener: TcpListener,
    routes: usize,
    journal: Arc<Journal>,
    handle: H,
) -> anyhow::Result<RunningServer>
where
    H: Fn(hyper::Request<hyper::body::Incoming>) -> F + Clone + Send + Sync + 'static,
    F: std::future::Future<Output = hyper::Response<B>> + Send + 'static,
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let addr = listener.local_addr()?;
    let (shutdown, signal) = oneshot::channel();
    let task = tokio::spawn(accept_loop(listener, handle, signal));
    Ok(RunningServer {
        addr,
        routes,
        journal,
        shutdown,
        task,
    })
}

/// Accepts connections and serves each request with `handle` until `signal`, then lets
/// open connections finish (at most five seconds).
async fn accept_loop<H, F, B>(listener: TcpListener, handle: H, mut signal: oneshot::Receiver<()>)
where
    H: Fn(hyper::Request<hyper::body::Incoming>) -> F + Clone + Send + Sync + 'static,
    F: std::future::Future<Output = hyper::Response<B>> + Send + 'static,
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let graceful = GracefulShutdown::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let handle = handle.clone();
                let service = hyper::service::service_fn(move |req| {
                    let answer = handle(req);
                    async move { Ok::<_, std::convert::Infallible>(answer.await) }
                });
                let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
            _ = &mut signal => break,
        }
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(Duration::from_secs(5)) => {}
    }
}
