//! Room: the library's front door, a wiremock-sized API over the mock server: start a mock
//! of a docs folder, mount stubs, read what it received and what it keeps (the rest of the
//! crate stays `pub(crate)`; the command line is the other door).

mod error;
mod received;
mod server;

pub use error::Error;
pub use received::ReceivedRequest;
pub use server::{MockServer, MockServerBuilder, State};
