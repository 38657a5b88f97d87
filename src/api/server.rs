//! [`MockServer`]: a mock of a docs folder on a free port, in the background of the caller's
//! tokio runtime, with stubs mounted in-process.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use super::error::Error;
use super::received::ReceivedRequest;
use crate::server::{MockConfig, Served};
use crate::stubs::Stub;

/// A running mock of a folder of reference pages: every documented operation validated and
/// answered as `mockdown serve` does.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), mockdown::Error> {
/// use mockdown::{MockServer, Stub};
///
/// let server = MockServer::builder().docs("docs").auth(false).start().await?;
/// server
///     .mount(
///         Stub::given("POST", "/api/v1/Agents/User/SaveRoleEntity")
///             .respond_with(200, serde_json::json!({"RoleId": 7, "Name": "Sales"})),
///     )
///     .await?;
/// let url = format!("{}/api/v1/Agents/User/SaveRoleEntity", server.url());
/// // ... POST to `url` with any HTTP client; then:
/// for request in server.received_requests() {
///     println!("{} {} → {}", request.method(), request.path(), request.status());
/// }
/// # let _ = url;
/// server.stop().await;
/// # Ok(())
/// # }
/// ```
pub struct MockServer {
    served: Served,
}

impl MockServer {
    /// Starts a mock of the pages in `docs` on a free loopback port, with the defaults of
    /// `mockdown serve` (credentials required, seed 0).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), mockdown::Error> {
    /// let server = mockdown::MockServer::start("docs").await?;
    /// assert!(server.url().starts_with("http://127.0.0.1:"));
    /// server.stop().await;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn start(docs: impl AsRef<Path>) -> Result<MockServer, Error> {
        MockServer::builder().docs(docs.as_ref()).start().await
    }

    /// A builder, for a port, a seed, no credentials, the stateful mode...
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder {
            docs: PathBuf::from(crate::cli::DEFAULT_DOCS),
            config: MockConfig {
                port: 0,
                ..MockConfig::default()
            },
        }
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), mockdown::Error> {
    /// let server = mockdown::MockServer::builder().docs("docs").start().await?;
    /// let save = format!("{}/api/v1/Agents/User/SaveRoleEntity", server.url());
    /// assert_eq!(server.url(), format!("http://{}", server.address()));
    /// # let _ = save;
    /// server.stop().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn url(&self) -> String {
        self.served.running.url()
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.served.running.addr()
    }

    /// Adds `stub`: requests it matches get its answer. It is held to the contract first (its
    /// status must be documented for the operations it reaches and its body must fit that
    /// status's schema), unless built with [`Stub::unchecked`].
    ///
    /// ```
    /// # async fn post(addr: std::net::SocketAddr, path: &str, body: &str) -> std::io::Result<String> {
    /// #     use tokio::io::{AsyncReadExt, AsyncWriteExt};
    /// #     let mut tcp = tokio::net::TcpStream::connect(addr).await?;
    /// #     let head = format!("POST {path} HTTP/1.1\r\nHost: mock\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
    /// #     tcp.write_all(head.as_bytes()).await?;
    /// #     tcp.write_all(body.as_bytes()).await?;
    /// #     let mut answer = String::new();
    /// #     tcp.read_to_string(&mut answer).await?;
    /// #     Ok(answer)
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use mockdown::{MockServer, Stub};
    /// use serde_json::json;
    ///
    /// let server = MockServer::builder().auth(false).start().await?;
    /// let stub = Stub::given("POST", "/api/v1/Agents/User/SaveRoleEntity")
    ///     .respond_with(200, json!({"RoleId": 7, "Name": "Sales"}));
    /// server.mount(stub).await?;
    /// let answer = post(server.address(), "/api/v1/Agents/User/SaveRoleEntity", "{}").await?;
    /// assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    /// assert!(answer.ends_with(r#"{"RoleId":7,"Name":"Sales"}"#), "{answer}");
    ///
    /// // A body the documented schema refuses is not mounted.
    /// let broken = Stub::given("POST", "/api/v1/Agents/User/SaveRoleEntity")
    ///     .respond_with(200, json!({"RoleId": "seven"}));
    /// assert!(matches!(server.mount(broken).await, Err(mockdown::Error::StubRefused { .. })));
    /// server.stop().await;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn mount(&self, stub: Stub) -> Result<(), Error> {
        let stub = stub.identified();
        self.served.mount(&stub).await.map_err(|why| match why {
            crate::server::Mounting::Refused(refusal) => Error::StubRefused {
                id: stub.id.clone(),
                reason: refusal.reason(),
            },
            crate::server::Mounting::Store(err) => Error::from(err),
        })
    }

    /// The requests received so far, oldest first (as many as the journal keeps).
    ///
    /// ```
    /// # async fn post(addr: std::net::SocketAddr, path: &str, body: &str) -> std::io::Result<String> {
    /// #     use tokio::io::{AsyncReadExt, AsyncWriteExt};
    /// #     let mut tcp = tokio::net::TcpStream::connect(addr).await?;
    /// #     let head = format!("POST {path} HTTP/1.1\r\nHost: mock\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
    /// #     tcp.write_all(head.as_bytes()).await?;
    /// #     tcp.write_all(body.as_bytes()).await?;
    /// #     let mut answer = String::new();
    /// #     tcp.read_to_string(&mut answer).await?;
    /// #     Ok(answer)
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = mockdown::MockServer::builder().auth(false).start().await?;
    /// // A body that breaks the documented schema: the mock answers 400 and keeps a record.
    /// post(server.address(), "/api/v1/Agents/User/SaveRoleEntity", r#"{"RoleId": "x"}"#).await?;
    /// let received = server.received_requests();
    /// assert_eq!(received.len(), 1);
    /// assert_eq!((received[0].method(), received[0].status()), ("POST", 400));
    /// assert_eq!(received[0].operation_id(), Some("v1UserAgent_SaveRoleEntity"));
    /// assert!(!received[0].violations().is_empty());
    /// server.stop().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn received_requests(&self) -> Vec<ReceivedRequest> {
        self.served
            .running
            .journal()
            .into_iter()
            .map(ReceivedRequest)
            .collect()
    }

    /// What the stateful mock keeps (see [`MockServerBuilder::stateful`]).
    ///
    /// ```
    /// # async fn post(addr: std::net::SocketAddr, path: &str, body: &str) -> std::io::Result<String> {
    /// #     use tokio::io::{AsyncReadExt, AsyncWriteExt};
    /// #     let mut tcp = tokio::net::TcpStream::connect(addr).await?;
    /// #     let head = format!("POST {path} HTTP/1.1\r\nHost: mock\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
    /// #     tcp.write_all(head.as_bytes()).await?;
    /// #     tcp.write_all(body.as_bytes()).await?;
    /// #     let mut answer = String::new();
    /// #     tcp.read_to_string(&mut answer).await?;
    /// #     Ok(answer)
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// // A folder whose pages save, read and delete a Gadget (REST and agent style).
    /// let server = mockdown::MockServer::builder()
    ///     .docs("tests/fixtures/state")
    ///     .auth(false)
    ///     .stateful(true)
    ///     .start()
    ///     .await?;
    /// let gadget = r#"{"GadgetId": 0, "Name": "Acme", "Department": "Sales",
    ///     "Updated": "2024-05-01T10:00:00+02:00", "Rank": 4, "Tags": [], "Status": "Open"}"#;
    /// let saved = post(server.address(), "/api/v1/Gadget", gadget).await?;
    /// assert!(saved.starts_with("HTTP/1.1 201"), "{saved}");
    /// let kept = server.state().export().await?;
    /// let gadgets = kept["entities"]["Gadget"].as_object().expect("a saved gadget");
    /// let (id, gadget) = gadgets.iter().next().expect("one gadget");
    /// assert_eq!(gadget["Name"], "Acme");
    /// let id: i64 = id.parse()?;
    /// assert_eq!(server.state().get("Gadget", id).await?, Some(gadget.clone()));
    /// server.stop().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn state(&self) -> State<'_> {
        State {
            served: &self.served,
        }
    }

    /// Stops accepting, lets open requests finish (at most five seconds), and waits.
    pub async fn stop(self) {
        self.served.running.stop().await;
    }
}

/// What a stateful mock keeps: the entities clients saved, by entity name and id.
pub struct State<'a> {
    served: &'a Served,
}

impl State<'_> {
    /// The entity `name` (`Contact`) saved under `id`, if it is kept (not saved, or deleted
    /// since: `None`).
    pub async fn get(&self, name: &str, id: i64) -> Result<Option<Value>, Error> {
        Ok(self.served.saved(name, id).await?)
    }

    /// Everything kept: `{"entities": {Name: {id: entity}}}` (what `--state FILE` loads).
    pub async fn export(&self) -> Result<Value, Error> {
        Ok(self.served.export_state().await?)
    }

    /// Replaces everything kept with `document` (the shape [`State::export`] gives).
    pub async fn replace(&self, document: &Value) -> Result<(), Error> {
        Ok(self.served.import_state(document).await?)
    }
}

/// How a [`MockServer`] is started: every setting has the default of `mockdown serve`,
/// but the port, which is a free one.
#[must_use]
pub struct MockServerBuilder {
    docs: PathBuf,
    config: MockConfig,
}

impl MockServerBuilder {
    /// The folder of reference pages to mock (default `docs`).
    pub fn docs(mut self, docs: impl AsRef<Path>) -> Self {
        self.docs = docs.as_ref().to_path_buf();
        self
    }

    /// The port to bind (default 0: a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.config.port = port;
        self
    }

    /// Whether requests must carry credentials of a documented scheme (default true).
    pub fn auth(mut self, required: bool) -> Self {
        self.config.auth = required;
        self
    }

    /// Seed of the generated answers: the same seed gives byte-identical answers.
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = seed;
        self
    }

    /// Keep what clients save: saves store, reads answer what was stored.
    pub fn stateful(mut self, keep: bool) -> Self {
        self.config.stateful = keep;
        self
    }

    /// Refuse body properties the contract does not know.
    pub fn strict(mut self, strict: bool) -> Self {
        self.config.strict = strict;
        self
    }

    /// Delay added to every answer.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.config.latency = latency;
        self
    }

    /// Accept only these credentials (`Authorization` values such as `Basic …`); by
    /// default any value of a documented scheme's form.
    pub fn credentials<S: Into<String>>(mut self, values: impl IntoIterator<Item = S>) -> Self {
        self.config.credentials = values.into_iter().map(Into::into).collect();
        self
    }

    /// Load the stub files of `dir` at start (each a stub or a list of them).
    pub fn stubs_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.config.stubs_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Load a state document (`{"entities": {...}}`) at start.
    pub fn state_file(mut self, file: impl AsRef<Path>) -> Self {
        self.config.state_file = Some(file.as_ref().to_path_buf());
        self
    }

    /// Follow the pages: each change is rebuilt and swapped in.
    pub fn watch(mut self, follow: bool) -> Self {
        self.config.watch = follow;
        self
    }

    /// Builds the pages and starts serving them (pages that fail to build are left out,
    /// as `mockdown serve` does).
    pub async fn start(self) -> Result<MockServer, Error> {
        let docs = self.docs;
        if !docs.is_dir() {
            return Err(Error::Docs {
                path: docs.display().to_string(),
                reason: "not a folder".into(),
            });
        }
        let set = crate::docs::load_dir(&docs, &|| {}).map_err(|err| Error::Docs {
            path: docs.display().to_string(),
            reason: format!("{err:#}"),
        })?;
        let served = crate::server::serve_docs_served(&docs, set, self.config)
            .await
            .map_err(|err| Error::Start(format!("{err:#}")))?;
        Ok(MockServer { served })
    }
}
