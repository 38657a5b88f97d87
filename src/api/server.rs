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
    pub fn received_requests(&self) -> Vec<ReceivedRequest> {
        self.served
            .running
            .journal()
            .into_iter()
            .map(ReceivedRequest)
            .collect()
    }

    /// What the stateful mock keeps (see [`MockServerBuilder::stateful`]).
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
