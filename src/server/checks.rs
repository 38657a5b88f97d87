//! The request checks the mock runs before a body is read (credentials, path and query
//! parameters), shared by the routed answer and by stubs that ask for `"validate": true`.

use hyper::header::{AUTHORIZATION, HeaderName};
use hyper::http::request::Parts;

use super::state::{MockState, Prepared};
use crate::validate::{self, Rejection};

/// `X-XSRF-TOKEN`: credentials taken from the cookie instead of `Authorization`.
static XSRF_TOKEN: HeaderName = HeaderName::from_static("x-xsrf-token");

/// The checks of a routed request before its body: credentials (unless `--no-auth`), then
/// the path and query parameters.
pub(super) fn credentials_and_params(
    state: &MockState,
    prepared: &Prepared,
    parts: &Parts,
    path_params: &[(String, String)],
    query: &[(String, String)],
) -> Result<(), Rejection> {
    let header = |name: &HeaderName| parts.headers.get(name).and_then(|v| v.to_str().ok());
    if state.config.auth {
        validate::check_auth(
            header(&AUTHORIZATION),
            header(&XSRF_TOKEN),
            &state.config.credentials,
        )?;
    }
    let found = prepared.check.params(path_params, query);
    if found.total() > 0 {
        return Err(Rejection::violated("request parameters break", found));
    }
    Ok(())
}
